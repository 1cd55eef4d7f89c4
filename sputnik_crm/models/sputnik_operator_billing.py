from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class SputnikOperatorBilling(models.AbstractModel):
    """The tour operators' bills of the bookings sold as their agent: the
    operator bills the bureau the net price (gross less commission) of each
    booking, in a bill of its own at confirmation or in one bill per period;
    a cancellation is refunded less the operator's cancellation charge, which
    the operator bills. Odoo's vendor bills and refunds, posted: the accounts
    are those of the seat products (the company's chart)."""

    _name = "sputnik.operator.billing"
    _description = "Tour Operators' Bills of Agency Bookings"

    @api.model
    def _sputnik_unbilled_lines(self, domain=()):
        return self.env["sale.order.line"].search(
            [
                ("sputnik_sale_mode", "=", "agent"),
                ("state", "=", "sale"),
                ("sputnik_operator_bill_id", "=", False),
                *domain,
            ],
            order="order_id, id",
        )

    @api.model
    def _sputnik_bill_bookings(self, orders):
        """Bills of the confirmed bookings ``orders`` whose operators bill each
        booking. Called by the invoicing run just after the confirmation."""
        lines = self._sputnik_unbilled_lines([("order_id", "in", orders.ids)])
        lines = lines.filtered(lambda line: self._sputnik_bill_mode(line) == "booking")
        bills = self.env["account.move"]
        by_order = defaultdict(lambda: lines.browse())
        for line in lines:
            by_order[line.order_id] |= line
        for order, order_lines in by_order.items():
            bills |= self._sputnik_bill(order_lines, ref=order.name)
        return bills

    @api.model
    def _sputnik_bill_period(self, date_to=None, operators=None):
        """One bill per operator (and company, currency) of the confirmed
        bookings ordered up to ``date_to`` that no bill charges yet, for the
        operators who bill per period (or ``operators``, whatever their
        mode). Run monthly, or by a manager (Bill Operators)."""
        date_to = date_to or fields.Date.context_today(self)
        domain = [("order_id.date_order", "<", date_to + timedelta(days=1))]
        lines = self._sputnik_lock(self._sputnik_unbilled_lines(domain))
        groups = defaultdict(lambda: lines.browse())
        for line in lines:
            operator = line.sputnik_departure_id.operator_id
            if operators is not None:
                if operator not in operators:
                    continue
            elif self._sputnik_bill_mode(line) != "period":
                continue
            groups[(operator, line.company_id, line.currency_id)] |= line
        bills = self.env["account.move"]
        for (__, __, __), group in groups.items():
            bills |= self._sputnik_bill(
                group,
                ref=self.env._(
                    "Bookings to %(date)s", date=fields.Date.to_string(date_to)
                ),
            )
        return bills

    @api.model
    def _sputnik_lock(self, lines):
        """``lines`` locked, still unbilled: a second run at the same time (a
        cron run twice, a manager's button) waits for the first and bills
        nothing twice (its lock fails on the rows the first wrote, and the
        request is retried)."""
        if not lines:
            return lines
        self.env.cr.execute(
            SQL(
                "SELECT id FROM sale_order_line WHERE id IN %s "
                "AND sputnik_operator_bill_id IS NULL FOR UPDATE",
                tuple(lines.ids),
            )
        )
        return lines.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _sputnik_bill_mode(self, line):
        operator = line.sputnik_departure_id.operator_id.with_company(line.company_id)
        return operator.sputnik_operator_bill_mode or "booking"

    @api.model
    def _sputnik_bill(self, lines, ref):
        """A posted bill of the tour operator of ``lines`` (one operator,
        company and currency) for their net prices."""
        first = lines[:1]
        bill = self._sputnik_move(
            "in_invoice",
            first.sputnik_departure_id.operator_id,
            first.company_id,
            first.currency_id,
            ref,
            [
                self._sputnik_net_line(
                    line,
                    self.env._(
                        "%(booking)s: %(line)s",
                        booking=line.order_id.name,
                        line=line.name,
                    ),
                )
                for line in lines
            ],
            origin=", ".join(dict.fromkeys(lines.order_id.mapped("name"))),
        )
        # sudo: the mark of the bill is the system's (see _sputnik_move)
        lines.sudo().write({"sputnik_operator_bill_id": bill.id})
        return bill

    @api.model
    def _sputnik_move(self, move_type, operator, company, currency, ref, lines, origin):
        # sudo: the operator's bills follow the bookings an agent confirms or
        # cancels, without accounting rights; called by the confirmation, the
        # cancellation and the period run, after their own checks
        values = {
            "move_type": move_type,
            "partner_id": operator.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_date": fields.Date.context_today(self),
            "ref": ref,
            "invoice_origin": origin,
            "invoice_line_ids": [
                Command.create(dict(line, tax_ids=[Command.clear()])) for line in lines
            ],
        }
        move = self.env["account.move"].sudo().with_company(company).create(values)
        move.action_post()
        return move

    @api.model
    def _sputnik_cancel(self, orders, charges):
        """The cancelled bookings ``orders`` sold as agent: what the operator
        billed is refunded, and the operator's cancellation charge
        (``charges``: {order id: amount in the order's currency}, its penalty
        schedule's) billed. Lines not billed yet are left out of any later
        bill (they are cancelled)."""
        moves = self.env["account.move"]
        for order in orders:
            lines = order.order_line.filtered(
                lambda line: line.sputnik_sale_mode == "agent"
            )
            if not lines:
                continue
            operator = lines[:1].sputnik_departure_id.operator_id
            billed = lines.filtered("sputnik_operator_bill_id")
            documents = self.env["account.move"]
            if billed:
                documents |= self._sputnik_move(
                    "in_refund",
                    operator,
                    order.company_id,
                    order.currency_id,
                    self.env._("Cancellation of %(name)s", name=order.name),
                    [
                        self._sputnik_net_line(
                            line,
                            self.env._(
                                "%(booking)s cancelled: %(line)s",
                                booking=order.name,
                                line=line.name,
                            ),
                        )
                        for line in billed
                    ],
                    origin=order.name,
                )
            charge = order.currency_id.round(charges.get(order.id, 0.0))
            if order.currency_id.compare_amounts(charge, 0) > 0:
                documents |= self._sputnik_move(
                    "in_invoice",
                    operator,
                    order.company_id,
                    order.currency_id,
                    self.env._("Cancellation charge of %(name)s", name=order.name),
                    [
                        {
                            "product_id": lines[:1].product_id.id,
                            "name": self.env._(
                                "Cancellation charge of booking %(name)s",
                                name=order.name,
                            ),
                            "quantity": 1,
                            "price_unit": charge,
                            "sputnik_booking_line_id": lines[:1].id,
                        }
                    ],
                    origin=order.name,
                )
            self._sputnik_settle(billed.sputnik_operator_bill_id, documents)
            moves |= documents
        return moves

    @api.model
    def _sputnik_net_line(self, line, name):
        """The operator's document line of the net price of booking ``line``."""
        qty = line.product_uom_qty
        return {
            "product_id": line.product_id.id,
            "name": name,
            "quantity": qty,
            "price_unit": line.sputnik_operator_net / qty if qty else 0.0,
            "sputnik_booking_line_id": line.id,
        }

    @api.model
    def _sputnik_settle(self, bills, moves):
        """The refund and charge ``moves`` of a cancelled booking are matched
        with its open bills that charge only it: the refund with the bills
        first, what stays open of them with the charge; what is left open is
        what one still owes the other (in a foreign currency, Odoo posts the
        exchange difference)."""
        # sudo: the documents of a cancellation the user could make (see
        # _sputnik_move)
        own = bills.sudo().filtered(
            lambda bill: bill.amount_residual
            and len(bill.invoice_line_ids.sputnik_booking_line_id.order_id) == 1
        )
        refund = moves.filtered(lambda m: m.move_type == "in_refund")
        for group in (own | refund, own | moves):
            payable = group.line_ids.filtered(
                lambda line: line.account_id.account_type == "liability_payable"
                and not line.reconciled
            )
            if len(payable) > 1 and len(payable.account_id) == 1:
                payable.reconcile()

    # === ACTIONS === #
    @api.model
    def _sputnik_cron_bill_period(self):
        """Monthly: bill the bookings of the month that ended."""
        first = fields.Date.context_today(self).replace(day=1)
        self._sputnik_bill_period(date_to=first - timedelta(days=1))

    @api.model
    def _sputnik_check_biller(self):
        if not (
            self.env.su
            or self.env.user.has_group("account.group_account_invoice")
            or self.env.user.has_group("sputnik_crm.group_sputnik_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only accountants and Sputnik managers may bill the tour "
                    "operators."
                )
            )
