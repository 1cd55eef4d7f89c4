from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .sputnik_agency import SALE_MODES
from .sputnik_plural import DEPARTURES, NIGHTS, SEATS_FREE, count_text

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
    _sputnik_non_negative = (
        "sputnik_nights",
        "sputnik_commission_fixed",
        "sputnik_price_currency",
    )
    _sputnik_bounds = {"sputnik_commission_percent": (0, 100)}

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
    sputnik_sale_mode = fields.Selection(
        SALE_MODES,
        string="Sold As",
        help="How the bureau sells this tour; empty: as its operator says. Each "
        "new departure takes it.",
    )
    sputnik_commission_percent = fields.Float(
        string="Commission (%)",
        digits=(16, 2),
        help="The commission on this tour sold as the operator's agent, on the "
        "untaxed price. With no commission of its own (0 % and nothing per "
        "traveller), the tour has its operator's.",
    )
    sputnik_commission_fixed = fields.Float(
        string="Commission per Traveller",
        digits="Product Price",
        help="A fixed commission per seat booked, in the company's currency, "
        "added to the percentage.",
    )
    sputnik_currency_id = fields.Many2one(
        "res.currency",
        string="Price Currency",
        help="The currency the operator prices this tour in (EUR, USD). Its "
        "bookings are priced and invoiced in it, and the client pays in the "
        "company's currency at the rate of each invoice's date. Empty: the "
        "company's currency, at the sales price.",
    )
    sputnik_price_currency = fields.Monetary(
        string="Price in Currency",
        currency_field="sputnik_currency_id",
        help="The price of a seat in the tour's currency; a departure's "
        "supplement is added, converted from the company's currency.",
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
    # the counts in words, for the catalogue's cards ("4 вільних місця")
    sputnik_nights_display = fields.Char(
        string="Nights in Words", compute="_compute_sputnik_counts_display"
    )
    sputnik_seats_free_display = fields.Char(
        string="Free Seats in Words", compute="_compute_sputnik_counts_display"
    )
    sputnik_departure_count_display = fields.Char(
        string="Departures in Words", compute="_compute_sputnik_counts_display"
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

    @api.depends("sputnik_nights", "sputnik_seats_free", "sputnik_departure_count")
    @api.depends_context("lang")
    def _compute_sputnik_counts_display(self):
        for tour in self:
            tour.sputnik_nights_display = count_text(
                self.env, NIGHTS, tour.sputnik_nights
            )
            tour.sputnik_seats_free_display = count_text(
                self.env, SEATS_FREE, tour.sputnik_seats_free
            )
            tour.sputnik_departure_count_display = count_text(
                self.env, DEPARTURES, tour.sputnik_departure_count
            )

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

    def action_sputnik_book(self):
        """Book this tour: a new booking of its departure when only one is
        open for sale, else its departures open for sale, to book one of them."""
        self.ensure_one()
        self.check_access("read")
        self.env["sale.order"].check_access("create")
        departures = self.env["sputnik.departure"].search(
            [
                ("tour_id", "=", self.id),
                ("state", "in", ("planned", "open")),
                ("date_start", ">", fields.Date.context_today(self)),
            ]
        )
        if len(departures) == 1:
            return departures.action_sputnik_book()
        if not departures:
            raise UserError(
                self.env._(
                    "Tour %(tour)s has no departure open for sale: plan one first.",
                    tour=self.display_name,
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_departure_action"
        )
        name = self.env._("Book %(tour)s", tour=self.display_name)
        return action | {
            "name": name,
            "display_name": name,
            "domain": [("id", "in", departures.ids)],
            "context": {"default_tour_id": self.id},
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }

    @api.model
    def _sputnik_book_departure(self, departure):
        """The form of a new booking of one seat of ``departure``, for a user
        who may read the departure and create bookings."""
        departure.check_access("read")
        self.env["sale.order"].check_access("create")
        if departure.state not in ("planned", "open"):
            raise UserError(
                self.env._(
                    "Departure %(name)s is not open for sale.",
                    name=departure.display_name,
                )
            )
        line = {"product_id": departure.product_id.id, "product_uom_qty": 1}
        context = {"default_order_line": [Command.create(line)]}
        currency = departure.tour_id.sputnik_currency_id
        if currency:
            # a tour priced in a foreign currency is booked in it
            context["default_pricelist_id"] = (
                self.env["product.pricelist"]
                ._sputnik_currency_pricelist(currency, departure.company_id)
                .id
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Booking"),
            "res_model": "sale.order",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": context,
        }

    # === DEPARTURES AS VARIANTS === #
    @api.model
    def _sputnik_variant_label(self, departure):
        return "{} – {}".format(
            departure.date_start.strftime("%d.%m.%Y"),
            departure.date_end.strftime("%d.%m.%Y"),
        )

    @api.model
    def _sputnik_attribute_value(self, departure):
        attribute = self.env.ref("sputnik_crm.product_attribute_departure")
        # sudo: an agent creating a departure may not edit product attributes;
        # only the departure's own date label is searched or created (called
        # from create/write, after the ORM checked the departure's rights)
        values = self.env["product.attribute.value"].sudo()
        label = self._sputnik_variant_label(departure)
        return values.search(
            [("attribute_id", "=", attribute.id), ("name", "=", label)], limit=1
        ) or values.create({"attribute_id": attribute.id, "name": label})

    @api.model
    def _sputnik_link_departures(self, departures):
        """Make each departure a variant of its tour (one attribute value each)."""
        attribute = self.env.ref("sputnik_crm.product_attribute_departure")
        for departure in departures:
            value = self._sputnik_attribute_value(departure)
            # sudo: the seat variant of the departure is added to its tour,
            # which agents may not write; run from create/write only, after the
            # ORM checked the user's rights on the departure
            tour = departure.tour_id.sudo()
            if (
                departure.ptav_id
                and departure.ptav_id.product_attribute_value_id == value
            ):
                continue
            old_value = departure.ptav_id.product_attribute_value_id
            line = tour.attribute_line_ids.filtered(
                lambda line: line.attribute_id == attribute
            )
            commands = [Command.link(value.id)]
            if old_value and not self._sputnik_value_shared(departure, old_value):
                commands.append(Command.unlink(old_value.id))
            if line:
                line.value_ids = commands
            else:
                tour.attribute_line_ids = [
                    Command.create(
                        {"attribute_id": attribute.id, "value_ids": commands}
                    )
                ]
                line = tour.attribute_line_ids.filtered(
                    lambda line: line.attribute_id == attribute
                )
            ptav = line.product_template_value_ids.filtered(
                lambda v, value=value: v.product_attribute_value_id == value
            )
            variant = tour._get_variant_for_combination(ptav)
            if not variant:
                raise UserError(
                    self.env._(
                        "No seat product could be made for departure %(name)s.",
                        name=departure.display_name,
                    )
                )
            # sudo: the seat product is a protected field (see write)
            departure.sudo().write({"product_id": variant.id, "ptav_id": ptav.id})

    @api.model
    def _sputnik_value_shared(self, departure, value):
        return bool(
            departure.search_count(
                [
                    ("id", "!=", departure.id),
                    ("tour_id", "=", departure.tour_id.id),
                    ("ptav_id.product_attribute_value_id", "=", value.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _sputnik_relabel_departures(self, departures):
        for departure in departures:
            value = departure.ptav_id.product_attribute_value_id
            label = self._sputnik_variant_label(departure)
            if value and value.name != label:
                # the value may be shared with other tours: give this one its own
                if (
                    departure.search_count(
                        [("ptav_id.product_attribute_value_id", "=", value.id)]
                    )
                    > 1
                ):
                    raise UserError(
                        self.env._(
                            "The dates of %(name)s cannot change while it has seats: "
                            "create a new departure instead.",
                            name=departure.display_name,
                        )
                    )
                # sudo: the label of this departure's own attribute value
                # (write checked the user's rights on the departure)
                value.sudo().name = label
