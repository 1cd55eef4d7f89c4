from odoo import api, fields, models
from odoo.exceptions import ValidationError

RELATIONS = [
    ("spouse", "Spouse"),
    ("child", "Child"),
    ("parent", "Parent"),
    ("sibling", "Brother / Sister"),
    ("friend", "Friend"),
    ("colleague", "Colleague"),
    ("companion", "Travel Companion"),
    ("other", "Other"),
]


class SputnikClientRelation(models.Model):
    _name = "sputnik.client.relation"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Household Member or Travel Companion"
    _order = "partner_id, relation, id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    related_partner_id = fields.Many2one(
        "res.partner",
        string="Member / Companion",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id",
        store=True,
        index=True,
        string="Company",
        help="The client's company: the record is seen in that company only, or "
        "in every company for a client shared by all companies.",
    )
    related_company_id = fields.Many2one(
        related="related_partner_id.company_id",
        store=True,
        index=True,
        string="Member's Company",
        help="The member's or companion's company: the link is seen only where "
        "both the client and the member are.",
    )
    relation = fields.Selection(RELATIONS, required=True, default="spouse")
    pays_for = fields.Boolean(
        string="Pays for Them",
        help="The client pays the trips of this member or companion.",
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "pair_uniq",
            "unique(partner_id, related_partner_id)",
            "This person is already in the client's household or party.",
        ),
    ]

    @api.constrains("partner_id", "related_partner_id")
    def _check_not_self(self):
        for relation in self:
            if relation.partner_id == relation.related_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(client)s cannot be their own household member.",
                        client=relation.partner_id.name,
                    )
                )
