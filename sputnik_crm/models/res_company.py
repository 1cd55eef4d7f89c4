from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sputnik_deposit_percent = fields.Float(
        string="Booking Deposit (%)",
        default=30.0,
        help="Share of a booking invoiced as a down payment when it is confirmed.",
    )
    sputnik_balance_days = fields.Integer(
        string="Balance Due Before Departure (days)",
        default=21,
        help="The balance of a booking is due this many days before its departure.",
    )
    sputnik_passport_months = fields.Integer(
        string="Passport Validity After Return (months)",
        default=6,
        help="For a trip abroad, every traveller's foreign passport must be valid "
        "at least this many months after the return date.",
    )

    @api.constrains(
        "sputnik_deposit_percent", "sputnik_balance_days", "sputnik_passport_months"
    )
    def _check_sputnik_booking_settings(self):
        for company in self:
            if not 0 <= company.sputnik_deposit_percent <= 100:
                raise ValidationError(
                    self.env._("The booking deposit must be between 0 and 100 %.")
                )
            if company.sputnik_balance_days < 0 or company.sputnik_passport_months < 0:
                raise ValidationError(
                    self.env._(
                        "The balance delay and the passport validity cannot be "
                        "negative."
                    )
                )
