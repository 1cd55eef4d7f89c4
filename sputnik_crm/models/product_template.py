from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

TOUR_TYPES = [
    ("beach", "Beach"),
    ("excursion", "Excursion"),
    ("ski", "Ski"),
    ("cruise", "Cruise"),
    ("health", "Health / Spa"),
    ("pilgrimage", "Pilgrimage"),
    ("business", "Business / MICE"),
    ("weekend", "Weekend"),
    ("family", "Family"),
    ("other", "Other"),
]
MEAL_PLANS = [
    ("ro", "Room Only"),
    ("bb", "Bed & Breakfast"),
    ("hb", "Half Board"),
    ("fb", "Full Board"),
    ("ai", "All Inclusive"),
    ("uai", "Ultra All Inclusive"),
]
TRANSPORTS = [
    ("flight", "Flight"),
    ("bus", "Bus"),
    ("train", "Train"),
    ("ship", "Ship"),
    ("none", "Own Transport"),
]


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("sputnik_nights",)

    sputnik_is_tour = fields.Boolean(
        string="Is a Tour",
        help="A tour: each of its departures is a storable variant whose stock "
        "is the departure's seats.",
    )
    sputnik_tour_type = fields.Selection(TOUR_TYPES, string="Tour Type")
    sputnik_destination_id = fields.Many2one(
        "sputnik.destination", string="Destination", index=True
    )
    sputnik_nights = fields.Integer(string="Nights")
    sputnik_hotel = fields.Char(string="Hotel")
    sputnik_hotel_stars = fields.Selection(
        [(str(n), "★" * n) for n in range(1, 6)], string="Hotel Stars"
    )
    sputnik_meal_plan = fields.Selection(MEAL_PLANS, string="Meal Plan")
    sputnik_transport = fields.Selection(TRANSPORTS, string="Transport")
    sputnik_operator_id = fields.Many2one(
        "res.partner",
        string="Tour Operator",
        help="The tour operator (a vendor) who supplies this tour.",
    )
    sputnik_departure_ids = fields.One2many(
        "sputnik.departure", "tour_id", string="Departures"
    )
    sputnik_departure_count = fields.Integer(
        string="Departures Count", compute="_compute_sputnik_seats"
    )
    sputnik_seats_free = fields.Integer(
        string="Free Seats",
        compute="_compute_sputnik_seats",
        help="Free seats over the tour's departures that are open for sale.",
    )

    def _compute_sputnik_seats(self):
        departures = self.env["sputnik.departure"].search([("tour_id", "in", self.ids)])
        figures = departures._get_seat_figures()
        count = defaultdict(int)
        free = defaultdict(int)
        for departure in departures:
            count[departure.tour_id.id] += 1
            if departure.state in ("open", "sold_out"):
                free[departure.tour_id.id] += figures[departure.id]["free"]
        for tour in self:
            tour.sputnik_departure_count = count[tour.id]
            tour.sputnik_seats_free = free[tour.id]

    @api.onchange("sputnik_is_tour")
    def _onchange_sputnik_is_tour(self):
        if self.sputnik_is_tour:
            self.update(self._sputnik_tour_defaults())

    @api.model
    def _sputnik_tour_defaults(self):
        return {
            "type": "consu",
            "is_storable": True,
            "invoice_policy": "order",
            "purchase_ok": True,
            "sale_ok": True,
            "categ_id": self.env.ref("sputnik_crm.product_category_tours").id,
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("sputnik_is_tour"):
                for key, value in self._sputnik_tour_defaults().items():
                    vals.setdefault(key, value)
        return super().create(vals_list)

    @api.constrains("sputnik_is_tour", "type", "is_storable")
    def _check_sputnik_tour_storable(self):
        for tour in self.filtered("sputnik_is_tour"):
            if tour.type != "consu" or not tour.is_storable:
                raise ValidationError(
                    self.env._(
                        "Tour %(tour)s must be a storable product: its stock is "
                        "the seats of its departures.",
                        tour=tour.display_name,
                    )
                )

    def action_sputnik_open_departures(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_departure_action"
        )
        action["domain"] = [("tour_id", "=", self.id)]
        action["context"] = {"default_tour_id": self.id}
        return action
