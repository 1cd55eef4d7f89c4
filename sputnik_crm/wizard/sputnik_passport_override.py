from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class SputnikPassportOverride(models.TransientModel):
    _name = "sputnik.passport.override"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Override the Passport Rule of a Booking"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    problems = fields.Text(related="order_id.sputnik_passport_issues")
    reason = fields.Text(required=True)

    def action_confirm_override(self):
        self.ensure_one()
        if not self.env.user.has_group("sputnik_crm.group_sputnik_manager"):
            raise AccessError(
                self.env._("Only a Sputnik manager may override the passport rule.")
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the override."))
        order = self.order_id
        order.check_access("write")
        # the override fields are the system's (nobody writes them by hand): a
        # manager (checked above) who may write the booking gives the override
        # here, recorded under their name; sudo only lifts the field guard
        order.sudo().write(
            {
                "sputnik_passport_override_reason": self.reason.strip(),
                "sputnik_passport_override_uid": self.env.user.id,
            }
        )
        order.message_post(
            body=self.env._(
                "Passport rule overridden by %(user)s: %(reason)s\n%(problems)s",
                user=self.env.user.name,
                reason=self.reason.strip(),
                problems=self.problems or "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
