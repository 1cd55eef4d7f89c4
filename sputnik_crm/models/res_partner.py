from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sputnik_travel_document_ids = fields.One2many(
        "sputnik.travel.document",
        "partner_id",
        string="Travel Documents",
        groups="sputnik_crm.group_sputnik_user",
    )
    sputnik_overdue_booking_count = fields.Integer(
        string="Overdue Bookings",
        compute="_compute_sputnik_overdue_booking_count",
        groups="sputnik_crm.group_sputnik_user,account.group_account_invoice",
    )

    def _compute_sputnik_overdue_booking_count(self):
        counts = dict(
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", self.commercial_partner_id.ids),
                    ("sputnik_payment_status", "=", "overdue"),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.sputnik_overdue_booking_count = sum(
                count
                for booked, count in counts.items()
                if booked.commercial_partner_id == partner.commercial_partner_id
            )

    def action_sputnik_overdue_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sale_order_action_bookings"
        )
        action["domain"] = [
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("sputnik_payment_status", "=", "overdue"),
        ]
        action["context"] = {}
        return action
