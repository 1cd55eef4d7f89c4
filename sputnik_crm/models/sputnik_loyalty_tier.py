from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SputnikLoyaltyTier(models.Model):
    """A level of the loyalty programme, reached by trips and margin.

    The classification gives each client the highest tier whose thresholds they
    meet; the tier's pricelist then applies on the client's new quotations.
    """

    _name = "sputnik.loyalty.tier"
    _inherit = ["sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("min_trips", "min_margin")
    _description = "Loyalty Tier"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Tiers are ranked by sequence: the last one is the highest."
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()
    min_trips = fields.Integer(
        string="Minimum Trips",
        default=1,
        help="Confirmed bookings the client needs, over all time.",
    )
    min_margin = fields.Monetary(
        string="Minimum Margin",
        currency_field="currency_id",
        help="Margin the client's trips must have brought, over all time.",
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        help="Applied on the new quotations of the tier's clients.",
    )
    # the tier of a client is for travel agents only (res.partner.sputnik_tier_id)
    partner_count = fields.Integer(
        string="Clients",
        compute="_compute_partner_count",
        groups="sputnik_crm.group_sputnik_user",
    )

    _sql_constraints = [
        (
            "thresholds_positive",
            "CHECK(min_trips >= 0 AND min_margin >= 0)",
            "The thresholds of a loyalty tier cannot be negative.",
        ),
    ]

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]
            .with_context(active_test=False)
            ._read_group(
                [("sputnik_tier_id", "in", self.ids)],
                ["sputnik_tier_id"],
                ["__count"],
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    @api.constrains("min_trips", "min_margin")
    def _check_thresholds(self):
        for tier in self:
            if tier.min_trips < 0 or tier.min_margin < 0:
                raise ValidationError(
                    self.env._(
                        "The thresholds of loyalty tier %(tier)s cannot be negative.",
                        tier=tier.name,
                    )
                )

    def action_open_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.res_partner_action_clients"
        )
        action["domain"] = [("sputnik_tier_id", "=", self.id)]
        action["context"] = {}
        return action
