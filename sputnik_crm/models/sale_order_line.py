from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sputnik_agency import SALE_MODES


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "sputnik.system.fields.mixin"]
    # set by the operator billing (sputnik.operator.billing) only
    _sputnik_system_fields = ("sputnik_operator_bill_id",)

    sputnik_departure_id = fields.Many2one(
        "sputnik.departure",
        string="Departure",
        compute="_compute_sputnik_departure_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        domain="[('state', 'in', ('open', 'planned')), "
        "('company_id', '=', company_id)]",
        help="The departure whose seats this line books.",
    )
    sputnik_seats_free = fields.Integer(
        related="sputnik_departure_id.seats_free", string="Free Seats"
    )
    # === AGENCY SALES: the terms of the departure when the line was made === #
    sputnik_sale_mode = fields.Selection(
        SALE_MODES,
        string="Sold As",
        compute="_compute_sputnik_sale_terms",
        store=True,
        precompute=True,
        help="How the bureau sells these seats: as principal (its own seats) or "
        "as the operator's agent (for a commission).",
    )
    sputnik_commission_percent = fields.Float(
        string="Commission (%)",
        compute="_compute_sputnik_sale_terms",
        store=True,
        precompute=True,
        digits=(16, 2),
    )
    sputnik_commission_fixed = fields.Monetary(
        string="Commission per Traveller",
        compute="_compute_sputnik_sale_terms",
        store=True,
        precompute=True,
        help="The departure's fixed commission per seat, in the booking's " "currency.",
    )
    sputnik_commission = fields.Monetary(
        string="Commission",
        compute="_compute_sputnik_commission",
        store=True,
        precompute=True,
        help="Sold as the operator's agent: commission (%) x untaxed amount + "
        "commission per traveller x seats. The bureau's revenue of the line.",
    )
    sputnik_operator_net = fields.Monetary(
        string="Net to Operator",
        compute="_compute_sputnik_commission",
        store=True,
        precompute=True,
        help="Sold as the operator's agent: the gross price (taxes included) less "
        "the commission, which the bureau pays the operator.",
    )
    sputnik_operator_bill_id = fields.Many2one(
        "account.move",
        string="Operator Bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The tour operator's bill of the net price of this line.",
    )

    @api.depends("product_id")
    def _compute_sputnik_departure_id(self):
        departures = self.env["sputnik.departure"].search(
            [("product_id", "in", self.product_id.ids)]
        )
        by_product = {(d.product_id.id, d.company_id.id): d for d in departures}
        for line in self:
            line.sputnik_departure_id = by_product.get(
                (line.product_id.id, line.company_id.id), False
            )

    @api.depends("sputnik_departure_id")
    def _compute_sputnik_sale_terms(self):
        for line in self:
            departure = line.sputnik_departure_id
            agency = departure.sale_mode == "agent"
            line.sputnik_sale_mode = departure.sale_mode or False
            line.sputnik_commission_percent = (
                departure.commission_percent if agency else 0.0
            )
            line.sputnik_commission_fixed = (
                departure.company_id.currency_id._convert(
                    departure.commission_fixed,
                    line.currency_id or departure.company_id.currency_id,
                    departure.company_id,
                    line.order_id.date_order or fields.Date.context_today(line),
                )
                if agency and departure.commission_fixed
                else 0.0
            )

    @api.depends(
        "sputnik_sale_mode",
        "sputnik_commission_percent",
        "sputnik_commission_fixed",
        "price_subtotal",
        "price_total",
        "product_uom_qty",
    )
    def _compute_sputnik_commission(self):
        for line in self:
            if line.sputnik_sale_mode != "agent":
                line.sputnik_commission = 0.0
                line.sputnik_operator_net = 0.0
                continue
            currency = line.currency_id or line.company_id.currency_id
            commission = currency.round(
                line.price_subtotal * line.sputnik_commission_percent / 100.0
                + line.sputnik_commission_fixed * line.product_uom_qty
            )
            line.sputnik_commission = commission
            line.sputnik_operator_net = line.price_total - commission

    @api.depends("sputnik_sale_mode", "sputnik_commission", "price_subtotal")
    def _compute_purchase_price(self):
        # sold as the operator's agent, the line's cost is the net paid to the
        # operator: its margin (sale_margin) is the commission, which every
        # report and the classification count as the bureau's margin
        agency = self.filtered(lambda line: line.sputnik_sale_mode == "agent")
        for line in agency:
            qty = line.product_uom_qty
            line.purchase_price = (
                (line.price_subtotal - line.sputnik_commission) / qty if qty else 0.0
            )
        return super(SaleOrderLine, self - agency)._compute_purchase_price()

    @api.constrains("product_id", "sputnik_departure_id", "product_uom")
    def _check_sputnik_departure(self):
        """A seat product is sold only on its own departure, by the seat."""
        # sudo: a constraint on lines the user just wrote; the departure of a
        # seat product is found whatever the user may read (used for the
        # check only)
        departures = (
            self.env["sputnik.departure"]
            .sudo()
            .search([("product_id", "in", self.product_id.ids)])
        )
        by_product = {d.product_id: d for d in departures}
        for line in self:
            departure = by_product.get(line.product_id)
            if (departure or line.sputnik_departure_id) and (
                line.sputnik_departure_id != departure
            ):
                raise ValidationError(
                    self.env._(
                        "The line %(line)s must book the departure of its product.",
                        line=line.name,
                    )
                )
            if departure and line.product_uom != line.product_id.uom_id:
                raise ValidationError(
                    self.env._(
                        "Seats of %(departure)s are booked by the seat (%(uom)s).",
                        departure=departure.display_name,
                        uom=line.product_id.uom_id.name,
                    )
                )

    @api.constrains("product_uom_qty", "sputnik_departure_id")
    def _check_sputnik_seats_qty(self):
        for line in self.filtered("sputnik_departure_id"):
            qty = line.product_uom_qty
            if qty < 0 or qty != int(qty):
                raise ValidationError(
                    self.env._(
                        "Seats of %(departure)s are booked in whole seats, never "
                        "fewer than none (%(qty)s).",
                        departure=line.sputnik_departure_id.display_name,
                        qty=qty,
                    )
                )

    @api.constrains("product_uom_qty")
    def _check_sputnik_confirmed_seats(self):
        # a confirmed booking keeps one traveller per seat
        for order in self.order_id:
            if order.state == "sale" and order.order_line.sputnik_departure_id:
                order._sputnik_check_travellers()

    @api.onchange("sputnik_departure_id")
    def _onchange_sputnik_departure_id(self):
        departure = self.sputnik_departure_id
        if departure and self.product_id != departure.product_id:
            self.product_id = departure.product_id

    # === CRUD === #
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        booked = lines._sputnik_booked_seats()
        if booked:
            # a line added to a confirmed booking takes its seats
            lines._sputnik_seat_engine()._sputnik_seats_changed(
                {}, booked, history=self.env.su
            )
        return lines

    def write(self, vals):
        if not {"product_uom_qty", "product_id", "sputnik_departure_id"} & vals.keys():
            return super().write(vals)
        before = self._sputnik_booked_seats()
        res = super().write(vals)
        after = self._sputnik_booked_seats()
        if before or after:
            self._sputnik_seat_engine()._sputnik_seats_changed(
                before, after, history=self.env.su
            )
        return res

    def unlink(self):
        before = self._sputnik_booked_seats()
        res = super().unlink()
        if before:
            self._sputnik_seat_engine()._sputnik_seats_changed(
                before, {}, history=self.env.su
            )
        return res

    # === BUSINESS === #
    def _sputnik_booked_seats(self):
        """{departure id: seats} that these lines hold as confirmed bookings."""
        seats = defaultdict(int)
        for line in self:
            if line.state == "sale" and line.sputnik_departure_id:
                seats[line.sputnik_departure_id.id] += int(line.product_uom_qty)
        return dict(seats)

    def _sputnik_seat_engine(self):
        # The caller's right to change these bookings was checked by the ORM
        # (create/write/unlink of the lines or their order). The seat engine
        # then reads the stock and purchases behind the seats, moves the
        # departures' state and re-offers freed seats to the waitlist: work on
        # records the booking agent may not write (a departure's state,
        # another agent's waitlist request), hence sudo.
        return self.env["sputnik.seat.engine"].sudo()
