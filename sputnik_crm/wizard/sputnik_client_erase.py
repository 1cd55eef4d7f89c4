from odoo import api, fields, models
from odoo.exceptions import UserError


class SputnikClientErase(models.TransientModel):
    """The confirmation of a client's erasure: what blocks it, and the
    manager's explicit acknowledgement that it cannot be undone."""

    _name = "sputnik.client.erase"
    _inherit = ["sputnik.values.mixin"]
    _description = "Erase a Client's Personal Data"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade"
    )
    blockers = fields.Text(compute="_compute_blockers")
    confirm = fields.Boolean(
        string="I understand that the erasure cannot be undone",
        help="The client's personal data are anonymised for good; their bookings "
        "and invoices stay, for the accounts.",
    )

    @api.depends("partner_id")
    def _compute_blockers(self):
        for wizard in self:
            bookings, invoices = (
                self.env["sputnik.privacy.erasure"]._sputnik_blockers(wizard.partner_id)
                if wizard.partner_id
                else ([], [])
            )
            lines = [
                self.env._("Open booking %(name)s", name=booking.name)
                for booking in bookings
            ] + [
                self.env._("Unpaid invoice %(name)s", name=invoice.name)
                for invoice in invoices
            ]
            wizard.blockers = "\n".join(lines) or False

    def action_erase(self):
        self.ensure_one()
        self.env["sputnik.privacy.log"]._sputnik_check_manager()
        partner = self.partner_id
        partner.check_access("write")
        if not self.confirm:
            raise UserError(
                self.env._(
                    "Tick the box to confirm that the erasure of %(client)s cannot "
                    "be undone.",
                    client=partner.display_name,
                )
            )
        self.env["sputnik.privacy.erasure"]._sputnik_erase(partner)
        return {"type": "ir.actions.act_window_close"}
