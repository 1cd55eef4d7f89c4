from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

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
# context key of a traveller picker: the client whose household and companions
# come first (see ResPartner._search)
TRAVELLER_OF = "sputnik_traveller_of"
PERSONAL = "sputnik_crm.group_sputnik_user"


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


class ResPartner(models.Model):
    """The traveller picker of a booking lists the client first, then their
    household and party, then who travelled with them, then everybody else."""

    # the picker's order belongs with the relations it reads
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        client_id = self.env.context.get(TRAVELLER_OF)
        # only the default order: a list sorted by the user stays so
        if (
            not isinstance(client_id, int)
            or isinstance(client_id, bool)
            or order != self._order
            or query.is_empty()
        ):
            return query
        ranks = self._sputnik_traveller_ranks(client_id)
        if not ranks:
            return query
        column = SQL.identifier(query.table, "id")
        query.order = SQL(
            "%s, %s",
            SQL(
                "CASE %s ELSE %s END",
                SQL(" ").join(
                    SQL("WHEN %s = ANY(%s) THEN %s", column, ids, rank)
                    for rank, ids in enumerate(ranks)
                ),
                len(ranks),
            ),
            query.order,
        )
        return query

    @api.model
    def _sputnik_traveller_ranks(self, client_id):
        """The partners a traveller of ``client_id``'s booking is most likely
        to be, best first, as lists of ids: the client (the person or its
        company contact), their household and party (both ways of a relation),
        who travelled with them on confirmed bookings. Read with the user's
        rights: personal data of the Sputnik groups only."""
        client = self.browse(client_id).exists()
        if not client:
            return []
        ranks = [list({client.id, client.commercial_partner_id.id})]
        if not self.env.user.has_group(PERSONAL):
            return ranks
        relations = self.env["sputnik.client.relation"].search(
            [
                "|",
                ("partner_id", "in", ranks[0]),
                ("related_partner_id", "in", ranks[0]),
            ]
        )
        household = (relations.partner_id | relations.related_partner_id).ids
        ranks.append([pid for pid in household if pid not in ranks[0]])
        # one query for the companions of the client and of its company
        companions = self.browse(ranks[0]).sputnik_companion_suggestion_ids
        known = set(ranks[0]) | set(household)
        ranks.append([pid for pid in companions.ids if pid not in known])
        return ranks
