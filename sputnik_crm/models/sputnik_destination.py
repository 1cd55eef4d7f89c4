from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SputnikDestination(models.Model):
    _name = "sputnik.destination"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Travel Destination"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _rec_names_search = ["name"]
    _order = "parent_path, name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True)
    level = fields.Selection(
        [("country", "Country"), ("region", "Region"), ("resort", "Resort / City")],
        required=True,
        default="country",
    )
    parent_id = fields.Many2one(
        "sputnik.destination", string="Part Of", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sputnik.destination", "parent_id", string="Contains")
    country_id = fields.Many2one(
        "res.country",
        compute="_compute_country_id",
        recursive=True,
        store=True,
        readonly=False,
        help="Country of the destination: a trip to another country than the "
        "company's is a trip abroad and needs foreign passports.",
    )
    active = fields.Boolean(default=True)
    tour_count = fields.Integer(compute="_compute_tour_count")

    _sql_constraints = [
        (
            "name_parent_uniq",
            "unique(name, parent_id)",
            "A destination with this name already exists there.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    @api.depends_context("lang")
    def _compute_complete_name(self):
        for destination in self:
            if destination.parent_id:
                destination.complete_name = (
                    f"{destination.parent_id.complete_name} / {destination.name}"
                )
            else:
                destination.complete_name = destination.name

    @api.depends("parent_id.country_id")
    def _compute_country_id(self):
        for destination in self:
            if destination.parent_id:
                destination.country_id = destination.parent_id.country_id

    def _compute_tour_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("sputnik_destination_id", "child_of", self.ids)],
                groupby=["sputnik_destination_id"],
                aggregates=["__count"],
            )
        )
        for destination in self:
            destination.tour_count = sum(
                count
                for dest, count in counts.items()
                if dest.parent_path.startswith(destination.parent_path)
            )

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A destination cannot be a part of itself.")
            )

    def action_open_tours(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.product_template_action_tours"
        )
        action["domain"] = [("sputnik_destination_id", "child_of", self.id)]
        return action
