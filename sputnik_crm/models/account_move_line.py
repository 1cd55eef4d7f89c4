from odoo import fields, models


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "sputnik.system.fields.mixin"]
    # set by the operator billing (sputnik.operator.billing) only
    _sputnik_system_fields = ("sputnik_booking_line_id",)

    sputnik_booking_line_id = fields.Many2one(
        "sale.order.line",
        string="Booking Line",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="On a tour operator's bill or refund: the booking line, sold as the "
        "operator's agent, whose net price (or cancellation charge) it bills.",
    )
