from odoo import models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """The documents of a booking sent to its customer."""

    _inherit = "sale.order"

    def action_sputnik_send_documents(self):
        """Odoo's e-mail composer with the booking's contract and voucher
        attached (the template renders them as PDF)."""
        self.ensure_one()
        # the contract states the travellers' passports
        self._sputnik_check_group("sputnik_crm.group_sputnik_user")
        if not self.sputnik_is_booking:
            raise UserError(
                self.env._(
                    "%(name)s books no departure: it has no contract or voucher.",
                    name=self.name,
                )
            )
        template = self.env.ref("sputnik_crm.mail_template_sputnik_booking_documents")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the Contract and the Voucher"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "sale.order",
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_template_id": template.id,
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "force_email": True,
            },
        }
