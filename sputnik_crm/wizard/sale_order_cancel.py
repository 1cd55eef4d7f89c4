from odoo import api, fields, models

from ..models.sale_order_penalty import CANCELLING


class SaleOrderCancel(models.TransientModel):
    """Odoo's cancel wizard shows a confirmed booking's penalty of today and
    what the client gets back; a manager may set another penalty, with a
    reason."""

    _inherit = "sale.order.cancel"

    sputnik_has_penalty = fields.Boolean(compute="_compute_sputnik_penalty")
    sputnik_currency_id = fields.Many2one(related="order_id.currency_id")
    sputnik_days = fields.Integer(
        string="Days Before Departure", compute="_compute_sputnik_penalty"
    )
    sputnik_rule_id = fields.Many2one(
        "sputnik.penalty.rule",
        string="Penalty Line",
        compute="_compute_sputnik_penalty",
    )
    sputnik_penalty_due = fields.Monetary(
        string="Penalty of the Schedule",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_penalty",
        help="The operator's penalty of today and the bureau's fee.",
    )
    sputnik_fee = fields.Monetary(
        string="Bureau's Fee",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_penalty",
    )
    sputnik_paid = fields.Monetary(
        string="Paid by the Client",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_penalty",
    )
    sputnik_penalty = fields.Monetary(
        string="Penalty",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_penalty_amount",
        store=True,
        readonly=False,
        help="The penalty invoiced to the client: the schedule's, unless a "
        "manager sets another with a reason.",
    )
    sputnik_refund = fields.Monetary(
        string="Back to the Client",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_refund",
    )
    sputnik_to_pay = fields.Monetary(
        string="Still to Pay",
        currency_field="sputnik_currency_id",
        compute="_compute_sputnik_refund",
    )
    sputnik_may_waive = fields.Boolean(compute="_compute_sputnik_may_waive")
    sputnik_cancel_reason = fields.Text(string="Cancellation Reason")
    sputnik_waiver_reason = fields.Text(
        string="Why Another Penalty",
        help="Required when the penalty differs from the schedule's.",
    )

    @api.depends("order_id")
    def _compute_sputnik_penalty(self):
        for wizard in self:
            order = wizard.order_id
            has = bool(order.sputnik_is_booking and order.state == "sale")
            terms = order._sputnik_penalty_terms() if has else {}
            wizard.sputnik_has_penalty = has
            wizard.sputnik_days = terms.get("days", 0)
            wizard.sputnik_rule_id = terms.get("rule")
            wizard.sputnik_penalty_due = terms.get("amount", 0.0)
            wizard.sputnik_fee = terms.get("fee", 0.0)
            wizard.sputnik_paid = order._sputnik_amount_paid() if has else 0.0

    @api.depends_context("uid")
    def _compute_sputnik_may_waive(self):
        self.sputnik_may_waive = self.env.user.has_group(
            "sputnik_crm.group_sputnik_manager"
        )

    @api.depends("sputnik_penalty_due")
    def _compute_sputnik_penalty_amount(self):
        for wizard in self:
            wizard.sputnik_penalty = wizard.sputnik_penalty_due

    @api.depends("sputnik_penalty", "sputnik_paid")
    def _compute_sputnik_refund(self):
        for wizard in self:
            balance = wizard.sputnik_paid - wizard.sputnik_penalty
            wizard.sputnik_refund = max(balance, 0.0)
            wizard.sputnik_to_pay = max(-balance, 0.0)

    def action_cancel(self):
        for wizard in self.filtered("sputnik_has_penalty"):
            wizard.order_id._sputnik_stage_cancellation(
                wizard.sputnik_penalty,
                wizard.sputnik_cancel_reason,
                wizard.sputnik_waiver_reason,
            )
        try:
            return super().action_cancel()
        finally:
            # what was staged holds for this cancellation only, even failed
            staged = self.env.cr.precommit.data.get(CANCELLING, {})
            for order in self.order_id:
                staged.pop(order.id, None)
