from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html
from odoo.tools.misc import format_amount

# the cancellations given through the cancel wizard in this transaction: order
# id -> its penalty and reasons, kept on the transaction (dropped at its commit
# or rollback), which no request can set
CANCELLING = "sputnik_cancelling_orders"
PENALTY_FIELDS = frozenset(
    {"sputnik_penalty_amount", "sputnik_penalty_move_id", "sputnik_cancel_reason"}
)


class SaleOrder(models.Model):
    """The penalty a client pays for cancelling a confirmed booking."""

    # a file of its own: sale_order.py is at the size the project allows
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    sputnik_penalty_amount = fields.Monetary(
        string="Cancellation Penalty",
        copy=False,
        readonly=True,
        help="What the client paid for cancelling the booking: the penalty of "
        "the operator's schedule and the bureau's fee, or what a manager set.",
    )
    sputnik_penalty_move_id = fields.Many2one(
        "account.move",
        string="Penalty Invoice",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    sputnik_cancel_reason = fields.Text(
        string="Cancellation Reason", copy=False, readonly=True
    )

    @api.model
    def _sputnik_system_field_names(self):
        return super()._sputnik_system_field_names() | PENALTY_FIELDS

    # === PENALTY === #
    def _sputnik_penalty_terms(self):
        """The penalty of cancelling this booking today, in its currency: the
        days before departure, the line of the schedule, its penalty, the
        bureau's fee and their total (never above the booking's price)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        departures = self.order_line.sputnik_departure_id.sorted("date_start")
        days = (self.sputnik_date_start - today).days if departures else 0
        rule = self.env["sputnik.penalty.rule"]._sputnik_rule_for(
            departures[:1].tour_id, self.company_id, days
        )
        penalty = rule._sputnik_penalty(self, today) if departures else 0.0
        # sudo: the bureau's fee of the operator, a setting of the bureau read
        # to price the cancellation of a booking the user may cancel
        operator = departures[:1].tour_id.sudo().sputnik_operator_id
        fee = operator.with_company(self.company_id).sputnik_cancel_fee or (
            self.company_id.sputnik_cancel_fee
        )
        fee = self.company_id.currency_id._convert(
            fee if departures else 0.0, self.currency_id, self.company_id, today
        )
        return {
            "days": days,
            "rule": rule,
            "penalty": penalty,
            "fee": fee,
            "amount": min(self.currency_id.round(penalty + fee), self.amount_total),
        }

    def _sputnik_amount_paid(self):
        """What the client paid on the booking's invoices, net of refunds."""
        self.ensure_one()
        paid = 0.0
        for move in self.invoice_ids.filtered(lambda m: m.state == "posted"):
            sign = -1 if move.move_type == "out_refund" else 1
            paid += sign * (move.amount_total - move.amount_residual)
        return self.currency_id.round(paid)

    def _sputnik_stage_cancellation(self, amount, reason=False, waiver=False):
        """Cancel this booking (by its cancel wizard) with the penalty
        ``amount``: a manager may set another than the schedule's, with the
        ``waiver`` reason."""
        self.ensure_one()
        due = self._sputnik_penalty_terms()["amount"]
        changed = self.currency_id.compare_amounts(amount, due)
        if changed:
            self._sputnik_check_group("sputnik_crm.group_sputnik_manager")
            if not (waiver or "").strip():
                raise UserError(
                    self.env._(
                        "Say why the penalty of %(name)s differs from the "
                        "schedule's.",
                        name=self.name,
                    )
                )
            if (
                amount < 0
                or self.currency_id.compare_amounts(amount, self.amount_total) > 0
            ):
                raise UserError(
                    self.env._(
                        "The penalty of %(name)s is between nothing and the "
                        "booking's price.",
                        name=self.name,
                    )
                )
        self.env.cr.precommit.data.setdefault(CANCELLING, {})[self.id] = {
            "amount": amount if changed else None,
            "due": due,
            "reason": reason,
            "waiver": waiver if changed else False,
        }

    def _sputnik_cancellation_terms(self):
        """The penalty of each of these bookings, cancelled now: the one
        staged by the cancel wizard, else the schedule's."""
        staged = self.env.cr.precommit.data.get(CANCELLING, {})
        terms = {}
        for order in self:
            given = staged.pop(order.id, {})
            due = order._sputnik_penalty_terms()["amount"]
            amount = given.get("amount")
            terms[order.id] = {
                "amount": due if amount is None else amount,
                "due": due,
                "reason": given.get("reason") or False,
                "waiver": given.get("waiver") or False,
            }
        return terms

    def _sputnik_record_penalties(self, terms):
        """Record the penalty of each cancelled booking (``terms``: {order id:
        its cancellation terms}), and a manager's waiver in its chatter; the
        penalty is invoiced just after the request (_sputnik_invoice_penalty)."""
        for order in self:
            term = terms[order.id]
            if term["waiver"]:
                order.message_post(
                    body=self.env._(
                        "Cancellation penalty set to %(amount)s instead of "
                        "%(due)s: %(reason)s",
                        amount=format_amount(
                            self.env, term["amount"], order.currency_id
                        ),
                        due=format_amount(self.env, term["due"], order.currency_id),
                        reason=term["waiver"],
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            # sudo: the penalty is the system's record of the cancellation the
            # user could make (called from _action_cancel)
            order.sudo().write(
                {
                    "sputnik_penalty_amount": term["amount"],
                    "sputnik_cancel_reason": term["reason"],
                }
            )

    def _sputnik_invoice_penalty(self, by_hand):
        """Invoice the recorded penalty of this cancelled booking and settle
        it with the credit its cancellation left the client, unless an
        invoice of ``by_hand`` (not credited: it bills other orders too)
        leaves it to the accountant, who keeps it when crediting by hand."""
        self.ensure_one()
        if (
            by_hand
            or self.currency_id.compare_amounts(self.sputnik_penalty_amount, 0) <= 0
        ):
            return
        product = self.env.ref("sputnik_crm.product_product_sputnik_penalty")
        move = self._sputnik_penalty_move(
            product, self.sputnik_penalty_amount, fields.Date.context_today(self)
        )
        # sudo: the system's record of the penalty invoice (called by the
        # invoicing run after the cancellation)
        self.sudo().sputnik_penalty_move_id = move

    def _sputnik_penalty_move(self, product, amount, today):
        self.ensure_one()
        # sudo: an agent cancels bookings without accounting rights; called
        # by the invoicing run after the cancellation, as the credit notes
        order = self.sudo()
        values = order._prepare_invoice()
        values.update(
            invoice_date=today,
            invoice_payment_term_id=False,
            transaction_ids=[],
            invoice_line_ids=[
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Cancellation penalty of booking %(name)s",
                            name=order.name,
                        ),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        )
        move = self.env["account.move"].sudo().with_company(order.company_id)
        move = move.create(values)
        move.action_post()
        # the client's credit from the credit notes pays the penalty first
        receivable = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        credits = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_refund" and m.state == "posted"
        ).line_ids.filtered(
            lambda line: line.account_id == receivable.account_id
            and not line.reconciled
        )
        if credits:
            (receivable | credits).reconcile()
        return move

    def _sputnik_capture_note(self, event):
        """The note of the client's history for a booking's ``event``."""
        self.ensure_one()
        if event != "cancelled":
            return False
        lines = [
            self.env._(
                "Penalty: %(amount)s",
                amount=format_amount(
                    self.env, self.sputnik_penalty_amount, self.currency_id
                ),
            )
        ]
        if self.sputnik_cancel_reason:
            lines.insert(
                0,
                self.env._("Reason: %(reason)s", reason=self.sputnik_cancel_reason),
            )
        return plaintext2html("\n".join(lines))
