from odoo import api, fields, models


class SaleOrder(models.Model):
    """A booking sold as the tour operator's agent: its gross price, the
    commission the bureau earns and the net it owes the operator, and the
    operator's bills (sputnik.operator.billing)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    sputnik_commission_total = fields.Monetary(
        string="Commission",
        compute="_compute_sputnik_agency_amounts",
        store=True,
        help="The commission of the lines sold as the operator's agent.",
    )
    sputnik_operator_net_total = fields.Monetary(
        string="Net to Operator",
        compute="_compute_sputnik_agency_amounts",
        store=True,
        help="The gross price of the lines sold as the operator's agent less "
        "their commission: what the bureau pays the operator.",
    )
    sputnik_is_agency = fields.Boolean(
        string="Agency Sale",
        compute="_compute_sputnik_agency_amounts",
        store=True,
        help="At least one line is sold as the operator's agent.",
    )
    sputnik_operator_bill_count = fields.Integer(
        string="Operator Bills",
        compute="_compute_sputnik_operator_bill_count",
        groups="account.group_account_invoice,account.group_account_readonly,"
        "sputnik_crm.group_sputnik_manager",
    )

    @api.depends(
        "order_line.sputnik_sale_mode",
        "order_line.sputnik_commission",
        "order_line.sputnik_operator_net",
    )
    def _compute_sputnik_agency_amounts(self):
        for order in self:
            lines = order.order_line.filtered(
                lambda line: line.sputnik_sale_mode == "agent"
            )
            order.sputnik_is_agency = bool(lines)
            order.sputnik_commission_total = sum(lines.mapped("sputnik_commission"))
            order.sputnik_operator_net_total = sum(lines.mapped("sputnik_operator_net"))

    def _sputnik_operator_moves(self):
        # sudo: the operator's documents of these bookings, counted and listed
        # for the groups of the field (checked by the ORM) or the action below
        return (
            self.env["account.move.line"]
            .sudo()
            .search([("sputnik_booking_line_id.order_id", "in", self.ids)])
            .move_id
        )

    def _compute_sputnik_operator_bill_count(self):
        moves = self._sputnik_operator_moves()
        for order in self:
            order.sputnik_operator_bill_count = len(
                moves.filtered(
                    lambda m, order=order: order
                    in m.invoice_line_ids.sputnik_booking_line_id.order_id
                )
            )

    def action_sputnik_view_operator_bills(self):
        self.ensure_one()
        self.check_access("read")
        self.env["sputnik.operator.billing"]._sputnik_check_biller()
        moves = self._sputnik_operator_moves().sudo(False)
        moves.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_in_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"create": False, "default_move_type": "in_invoice"}
        return action

    # === FLOWS === #
    def _action_cancel(self):
        agency = self.filtered(lambda o: o.sputnik_is_agency and o.state == "sale")
        charges = {}
        for order in agency:
            # the operator's own penalty schedule (without the bureau's fee,
            # whatever the bureau charges its client), never more than the
            # net the operator would have been paid
            terms = order._sputnik_penalty_terms()
            charges[order.id] = min(terms["penalty"], order.sputnik_operator_net_total)
        res = super()._action_cancel()
        if agency:
            self.env["sputnik.operator.billing"]._sputnik_cancel(agency, charges)
        return res
