from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "sputnik.system.fields.mixin"]

    sputnik_departure_id = fields.Many2one(
        "sputnik.departure",
        string="Departure",
        compute="_compute_sputnik_departure_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        domain="[('state', 'in', ('open', 'planned')), "
        "('company_id', '=', company_id)]",
        help="The departure whose seats this line books.",
    )
    sputnik_seats_free = fields.Integer(
        related="sputnik_departure_id.seats_free", string="Free Seats"
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

    @api.constrains("product_id", "sputnik_departure_id", "product_uom")
    def _check_sputnik_departure(self):
        """A seat product is sold only on its own departure, by the seat."""
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

    @api.constrains("product_uom_qty")
    def _check_sputnik_confirmed_seats(self):
        # a confirmed booking keeps one traveller per seat
        for order in self.order_id:
            if order.state == "sale" and order.sputnik_is_booking:
                order._sputnik_check_travellers()

    @api.onchange("sputnik_departure_id")
    def _onchange_sputnik_departure_id(self):
        departure = self.sputnik_departure_id
        if departure and self.product_id != departure.product_id:
            self.product_id = departure.product_id

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        # Every path that takes seats from stock goes through here: confirming a
        # booking, and raising the quantity of a confirmed line.
        if self.env.context.get("skip_procurement"):
            return super()._action_launch_stock_rule(previous_product_uom_qty)
        departures = self._sputnik_take_seats(previous_product_uom_qty)
        res = super()._action_launch_stock_rule(previous_product_uom_qty)
        if departures:
            departures.sudo()._sputnik_refresh_state()
        return res

    def write(self, vals):
        before = {}
        if "product_uom_qty" in vals:
            before = {
                line: line.product_uom_qty
                for line in self
                if line.state == "sale" and line.sputnik_departure_id
            }
        res = super().write(vals)
        freed = self.env["sputnik.departure"]
        for line, qty in before.items():
            if line.product_uom_qty < qty:
                freed |= line.sputnik_departure_id
        if freed:
            # fewer seats booked: offer them to the waitlist
            freed.sudo()._sputnik_seats_freed()
        return res

    def _sputnik_take_seats(self, previous_product_uom_qty=False):
        wanted = defaultdict(float)
        for line in self:
            if (
                not line.sputnik_departure_id
                or line.state != "sale"
                or line.order_id.locked
            ):
                continue
            more = line.product_uom_qty - line._get_qty_procurement(
                previous_product_uom_qty
            )
            if more > 0:
                wanted[line.sputnik_departure_id] += more
        departures = self.env["sputnik.departure"]
        if wanted:
            departures._sputnik_take_seats(wanted)
        return departures.browse([d.id for d in wanted])
