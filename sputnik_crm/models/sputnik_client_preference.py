from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .product_template import MEAL_PLANS, TOUR_TYPES

KINDS = [
    ("destination", "Destination"),
    ("tour_type", "Tour Type"),
    ("budget", "Budget"),
    ("hotel_stars", "Hotel Stars"),
    ("meal_plan", "Meal Plan"),
    ("season", "Season"),
]
SEASONS = [
    ("winter", "Winter"),
    ("spring", "Spring"),
    ("summer", "Summer"),
    ("autumn", "Autumn"),
    ("holidays", "School Holidays"),
]
VALUE_FIELD = {
    "destination": "destination_id",
    "tour_type": "tour_type",
    "hotel_stars": "hotel_stars",
    "meal_plan": "meal_plan",
    "season": "season",
}


class SputnikClientPreference(models.Model):
    """What a client likes, dated: a change ends the old preference and starts
    a new one, so that the history of preferences is kept."""

    _name = "sputnik.client.preference"
    _inherit = ["sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("budget_min", "budget_max")
    _description = "Client Travel Preference"
    _order = "partner_id, date_to desc, kind, id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="partner_id.company_id",
        store=True,
        index=True,
        string="Company",
        help="The client's company: the record is seen in that company only, or "
        "in every company for a client shared by all companies.",
    )
    kind = fields.Selection(KINDS, required=True, default="destination")
    destination_id = fields.Many2one("sputnik.destination", string="Destination")
    tour_type = fields.Selection(TOUR_TYPES)
    hotel_stars = fields.Selection([(str(n), "★" * n) for n in range(1, 6)])
    meal_plan = fields.Selection(MEAL_PLANS)
    season = fields.Selection(SEASONS)
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    budget_min = fields.Monetary(string="Budget From")
    budget_max = fields.Monetary(string="Budget To")
    date_from = fields.Date(
        string="Since", required=True, default=fields.Date.context_today
    )
    date_to = fields.Date(string="Until", help="Empty while the preference holds.")
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_current")

    @api.depends("date_to")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for preference in self:
            preference.is_current = not preference.date_to or preference.date_to > today

    def _search_current(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on current."))
        today = fields.Date.context_today(self)
        current = ["|", ("date_to", "=", False), ("date_to", ">", today)]
        positive = (operator == "=") == bool(value)
        return current if positive else [("date_to", "<=", today)]

    @api.depends("kind", *VALUE_FIELD.values(), "budget_min", "budget_max")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for preference in self:
            if not preference.kind:
                preference.display_name = False
                continue
            if preference.kind == "budget":
                value = f"{preference.budget_min:,.0f} – {preference.budget_max:,.0f}"
            else:
                field_name = VALUE_FIELD[preference.kind]
                field = preference._fields[field_name]
                raw = preference[field_name]
                if field.type == "selection":
                    value = dict(field._description_selection(self.env)).get(raw, "")
                else:
                    value = raw.display_name or ""
            preference.display_name = f"{kinds[preference.kind]}: {value}"

    @api.constrains("kind", *VALUE_FIELD.values(), "budget_min", "budget_max")
    def _check_value(self):
        for preference in self:
            if preference.kind == "budget":
                if not (preference.budget_min or preference.budget_max):
                    raise ValidationError(
                        self.env._("A budget preference needs an amount.")
                    )
                if preference.budget_min < 0 or (
                    preference.budget_max
                    and preference.budget_max < preference.budget_min
                ):
                    raise ValidationError(
                        self.env._("A budget runs from a lower to a higher amount.")
                    )
            elif not preference.kind or not preference[VALUE_FIELD[preference.kind]]:
                raise ValidationError(
                    self.env._("A preference needs the value it prefers.")
                )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for preference in self:
            if preference.date_to and preference.date_to < preference.date_from:
                raise ValidationError(
                    self.env._("A preference cannot end before it starts.")
                )

    def action_end(self):
        """The client no longer prefers this: keep it in the history."""
        self.filtered("is_current").write({"date_to": fields.Date.context_today(self)})
        return True
