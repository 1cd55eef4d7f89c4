from odoo import api, fields, models
from odoo.exceptions import UserError

from .sputnik_agency import SALE_MODES


class SputnikDeparture(models.Model):
    """A departure sold as the tour operator's agent: its seats are the
    operator's quota (the allotment), booked on request, never bought; the
    operator pays the bureau a commission on each booking."""

    _inherit = "sputnik.departure"  # pylint: disable=consider-merging-classes-inherited
    # the commission's bounds are declared with the departure's

    sale_mode = fields.Selection(
        SALE_MODES,
        string="Sold As",
        compute="_compute_sale_terms",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="Principal: the bureau buys the seats (the allotment) and resells "
        "them. Agent: the seats are the operator's quota (the allotment), booked "
        "on request; the bureau earns the commission. Taken from the tour (or "
        "its operator) when the departure is created; fixed once seats are "
        "bought or booked.",
    )
    commission_percent = fields.Float(
        string="Commission (%)",
        compute="_compute_sale_terms",
        store=True,
        readonly=False,
        precompute=True,
        digits=(16, 2),
        tracking=True,
        help="Sold as the operator's agent: the commission on the untaxed price "
        "of each booking. Taken from the tour (or its operator) when the "
        "departure is created; a booking keeps the terms of its departure when "
        "its line was made.",
    )
    commission_fixed = fields.Float(
        string="Commission per Traveller",
        compute="_compute_sale_terms",
        store=True,
        readonly=False,
        precompute=True,
        digits="Product Price",
        tracking=True,
        help="A fixed commission per seat booked, in the company's currency, "
        "added to the percentage.",
    )

    @api.depends("tour_id", "company_id")
    def _compute_sale_terms(self):
        for departure in self:
            tour = departure.tour_id
            # sudo: the operator's terms with the bureau, a setting read to
            # price the departure the user creates (the company's own)
            operator = tour.sudo().sputnik_operator_id.with_company(
                departure.company_id or self.env.company
            )
            departure.sale_mode = (
                tour.sputnik_sale_mode or operator.sputnik_sale_mode or "principal"
            )
            source = (
                tour
                if tour.sputnik_commission_percent or tour.sputnik_commission_fixed
                else operator
            )
            departure.commission_percent = source.sputnik_commission_percent
            departure.commission_fixed = source.sputnik_commission_fixed

    def write(self, vals):
        if "sale_mode" in vals:
            changed = self.filtered(lambda d: d.sale_mode != vals["sale_mode"])
            if changed._sputnik_has_seats():
                raise UserError(
                    self.env._(
                        "A departure with purchased or booked seats keeps how it "
                        "is sold: its seats, bookings and bills depend on it."
                    )
                )
        agency = self.filtered(lambda d: d.sale_mode == "agent")
        if "allotment_seats" in vals and agency:
            figures = agency._get_seat_figures()
            for departure in agency:
                sold = figures[departure.id]["sold"]
                if vals["allotment_seats"] < sold:
                    raise UserError(
                        self.env._(
                            "Departure %(name)s is sold on the operator's quota "
                            "and %(sold)s of its seats are booked: its allotment "
                            "cannot be less.",
                            name=departure.display_name,
                            sold=sold,
                        )
                    )
        res = super().write(vals)
        if {"allotment_seats", "sale_mode"} & vals.keys():
            agency = self.filtered(lambda d: d.sale_mode == "agent")
            if agency:
                # the quota is the seats on hand: more may be offered to the
                # waitlist (sudo inside: the state is the system's)
                self.env["sputnik.seat.engine"].sudo()._sputnik_seats_freed(
                    agency.sudo()
                )
        return res

    def _sputnik_purchase_order(self, seats, price_unit=None):
        agency = self.filtered(lambda d: d.sale_mode == "agent")
        if agency:
            raise UserError(
                self.env._(
                    "Departure %(name)s is sold as the tour operator's agent: its "
                    "seats are the operator's quota, booked on request, and none "
                    "is bought.",
                    name=agency[:1].display_name,
                )
            )
        return super()._sputnik_purchase_order(seats, price_unit=price_unit)
