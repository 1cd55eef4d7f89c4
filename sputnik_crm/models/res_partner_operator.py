from odoo import fields, models
from odoo.exceptions import UserError

from .sputnik_agency import OPERATOR_BILL_MODES, SALE_MODES


class ResPartner(models.Model):
    """A tour operator's terms with the bureau: how its tours are sold, the
    commission it pays, how it bills the bureau."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited
    # their bounds are declared with the partner's (res_partner.py)

    sputnik_sale_mode = fields.Selection(
        SALE_MODES,
        string="Tours Sold As",
        company_dependent=True,
        help="Principal: the bureau buys the operator's seats (allotments) and "
        "resells them. Agent: the bureau sells the operator's tours on request, "
        "on the operator's quota, for a commission; nothing is bought. A tour "
        "may say otherwise; each new departure takes its tour's mode.",
    )
    sputnik_commission_percent = fields.Float(
        string="Commission (%)",
        company_dependent=True,
        digits=(16, 2),
        help="The commission the operator pays the bureau on the untaxed price of "
        "its tours sold as its agent. A tour or a departure may have its own.",
    )
    sputnik_commission_fixed = fields.Float(
        string="Commission per Traveller",
        company_dependent=True,
        digits="Product Price",
        help="A fixed commission per seat booked, in the company's currency, "
        "added to the percentage.",
    )
    sputnik_operator_bill_mode = fields.Selection(
        OPERATOR_BILL_MODES,
        string="Operator Bills",
        company_dependent=True,
        help="How the operator bills the bureau the net price of the bookings "
        "sold as its agent: a bill for each booking at its confirmation, or one "
        "bill for the bookings of each month (Bill Agency Bookings, or the "
        "monthly run).",
    )

    def action_sputnik_bill_operator(self):
        """Bill the operator now for its confirmed agency bookings that no
        bill charges yet, whatever its billing mode."""
        billing = self.env["sputnik.operator.billing"]
        billing._sputnik_check_biller()
        self.check_access("read")
        # sudo inside: the bills are made by the system for an accountant or
        # a manager (checked above), from bookings they may not all read
        bills = billing.sudo()._sputnik_bill_period(operators=self)
        if not bills:
            raise UserError(
                self.env._(
                    "%(names)s: no confirmed booking sold as their agent waits "
                    "for a bill.",
                    names=", ".join(self.mapped("display_name")),
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_in_invoice_type"
        )
        action["domain"] = [("id", "in", bills.ids)]
        return action
