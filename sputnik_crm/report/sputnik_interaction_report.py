from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..models.sputnik_interaction import INTERACTION_TYPES, REACTIONS

KINDS = [("interaction", "Interaction"), ("lead", "Request")]
# an offer converts when the client confirms a booking within these days
OFFER_DAYS = 30


class SputnikInteractionReport(models.Model):
    """Sales effectiveness: the interactions of the agents and the requests
    (CRM leads and opportunities) they turn into bookings.

    Interaction rows are dated by the interaction, with its agent; request rows
    by the creation of the lead, with its salesperson and source. The first
    response to a request is the first outbound interaction logged after its
    creation, on the request itself or with its client (of any type but the
    captured bookings and payments).
    """

    _name = "sputnik.interaction.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Interactions and Sales Effectiveness"
    _auto = False
    _order = "date desc, id desc"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_indexes = ("date",)
    _sputnik_ratios = {
        "offer_acceptance_rate": ("offer_accepted_count", "offer_count", 100.0),
        "offer_conversion_rate": ("offer_booked_count", "offer_count", 100.0),
        "lead_conversion_rate": ("lead_booked_count", "lead_count", 100.0),
    }

    # === FIELDS === #
    kind = fields.Selection(KINDS, readonly=True)
    date = fields.Date(
        readonly=True,
        help="Day of the interaction, or of the creation of the request, in the "
        "time zone of the company.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Client", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Agent",
        readonly=True,
        help="Agent of the interaction, salesperson of the request.",
    )
    client_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Client's Salesperson",
        readonly=True,
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    interaction_type = fields.Selection(INTERACTION_TYPES, string="Type", readonly=True)
    reaction = fields.Selection(REACTIONS, readonly=True)
    source_id = fields.Many2one(
        comodel_name="utm.source", string="Source", readonly=True
    )
    interaction_id = fields.Many2one(
        comodel_name="sputnik.interaction", string="Interaction", readonly=True
    )
    lead_id = fields.Many2one(comodel_name="crm.lead", string="Request", readonly=True)
    interaction_count = fields.Integer(
        string="Interactions", readonly=True, help="Interactions logged."
    )
    offer_count = fields.Integer(
        string="Offers", readonly=True, help="Interactions of type Offer."
    )
    offer_accepted_count = fields.Integer(
        string="Offers Accepted",
        readonly=True,
        help="Offers whose reaction is Accepted.",
    )
    offer_booked_count = fields.Integer(
        string="Offers Booked",
        readonly=True,
        help="Offers followed by a booking of the same client confirmed within "
        "30 days.",
    )
    offer_acceptance_rate = fields.Float(
        string="Offer Acceptance (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Offers Accepted / Offers.",
    )
    offer_conversion_rate = fields.Float(
        string="Offer Conversion (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Offers Booked / Offers.",
    )
    lead_count = fields.Integer(
        string="Requests", readonly=True, help="Leads and opportunities created."
    )
    lead_won_count = fields.Integer(
        string="Won Requests", readonly=True, help="Requests in a won stage."
    )
    lead_booked_count = fields.Integer(
        string="Requests Booked",
        readonly=True,
        help="Requests with a confirmed booking (a sale order of the opportunity).",
    )
    lead_conversion_rate = fields.Float(
        string="Request Conversion (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Requests Booked / Requests.",
    )
    responded_count = fields.Integer(
        string="Requests Answered",
        readonly=True,
        help="Requests with an outbound interaction after their creation.",
    )
    first_response_hours = fields.Float(
        string="First Response (hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average over the answered requests of the hours from the creation of "
        "the request to the first outbound interaction logged on it or with its "
        "client after it.",
    )

    _depends = {
        "sputnik.interaction": [
            "date",
            "partner_id",
            "user_id",
            "company_id",
            "interaction_type",
            "direction",
            "reaction",
            "lead_id",
        ],
        "crm.lead": ["create_date", "partner_id", "user_id", "company_id", "stage_id"],
        "crm.stage": ["is_won"],
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "date_order",
            "opportunity_id",
        ],
        "res.partner": ["user_id", "commercial_partner_id"],
    }

    # === QUERY === #
    def init(self):
        # a request's booking looked up by its opportunity: without an index,
        # a scan of every order for each request (1m base: the report's
        # computation went from over 20 minutes to 20 s)
        create_index(
            self.env.cr,
            "sale_order_sputnik_opportunity_index",
            "sale_order",
            ["opportunity_id"],
            where="opportunity_id IS NOT NULL",
        )
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        # ids: interactions 2n, requests 2n + 1
        return SQL(
            """
            SELECT interaction.id * 2 AS id, 'interaction' AS kind,
                   %(local_date)s AS date,
                   partner.commercial_partner_id AS partner_id,
                   interaction.user_id,
                   client.user_id AS client_user_id,
                   interaction.company_id,
                   interaction.interaction_type, interaction.reaction,
                   NULL::int AS source_id,
                   interaction.id AS interaction_id,
                   interaction.lead_id,
                   1 AS interaction_count,
                   (interaction.interaction_type = 'offer')::int AS offer_count,
                   (interaction.interaction_type = 'offer'
                    AND interaction.reaction = 'accepted')::int AS offer_accepted_count,
                   (interaction.interaction_type = 'offer' AND EXISTS (
                       SELECT 1 FROM sale_order so
                        WHERE so.sputnik_client_id = partner.commercial_partner_id
                          AND so.state = 'sale'
                          AND so.sputnik_is_booking
                          AND so.date_order >= interaction.date
                          AND so.date_order
                              < interaction.date + make_interval(days => %(days)s)
                   ))::int AS offer_booked_count,
                   NULL::float8 AS offer_acceptance_rate,
                   NULL::float8 AS offer_conversion_rate,
                   0 AS lead_count, 0 AS lead_won_count, 0 AS lead_booked_count,
                   NULL::float8 AS lead_conversion_rate,
                   0 AS responded_count, NULL::float8 AS first_response_hours
              FROM sputnik_interaction interaction
         LEFT JOIN res_company company ON company.id = interaction.company_id
         LEFT JOIN res_partner company_tz ON company_tz.id = company.partner_id
              JOIN res_partner partner ON partner.id = interaction.partner_id
              JOIN res_partner client ON client.id = partner.commercial_partner_id
            UNION ALL
            SELECT lead.id * 2 + 1, 'lead',
                   %(lead_local_date)s,
                   partner.commercial_partner_id,
                   lead.user_id,
                   client.user_id,
                   lead.company_id,
                   NULL, NULL,
                   lead.source_id,
                   NULL, lead.id,
                   0, 0, 0, 0, NULL, NULL,
                   1,
                   COALESCE(stage.is_won, FALSE)::int,
                   EXISTS (SELECT 1 FROM sale_order so
                            WHERE so.opportunity_id = lead.id
                              AND so.state = 'sale')::int,
                   NULL,
                   (response.date IS NOT NULL)::int,
                   EXTRACT(EPOCH FROM response.date - lead.create_date) / 3600.0
              FROM crm_lead lead
         LEFT JOIN res_company company ON company.id = lead.company_id
         LEFT JOIN res_partner company_tz ON company_tz.id = company.partner_id
         LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
         LEFT JOIN res_partner partner ON partner.id = lead.partner_id
         LEFT JOIN res_partner client ON client.id = partner.commercial_partner_id
         LEFT JOIN LATERAL (
                   -- the first answer on the opportunity or to its client: two
                   -- indexed look-ups (an OR of both would scan every
                   -- interaction for each opportunity)
                   SELECT LEAST(
                       (SELECT MIN(answer.date)
                          FROM sputnik_interaction answer
                         WHERE answer.lead_id = lead.id
                           AND answer.direction = 'outbound'
                           AND answer.interaction_type NOT IN ('booking', 'payment')
                           AND answer.date >= lead.create_date),
                       (SELECT MIN(answer.date)
                          FROM res_partner answered
                          JOIN sputnik_interaction answer
                               ON answer.partner_id = answered.id
                         WHERE answered.commercial_partner_id
                               = partner.commercial_partner_id
                           AND answer.direction = 'outbound'
                           AND answer.interaction_type NOT IN ('booking', 'payment')
                           AND answer.date >= lead.create_date)
                   ) AS date
                   ) response ON TRUE
            """,
            days=OFFER_DAYS,
            local_date=self._local_date(SQL("interaction.date")),
            lead_local_date=self._local_date(SQL("lead.create_date")),
        )

    @api.model
    def _local_date(self, column):
        """The day of a UTC timestamp ``column`` in the company's time zone (the
        time zone of its partner), stored as a date so that the pivots group
        the rows without converting each of them."""
        return SQL(
            "(timezone(COALESCE(company_tz.tz, 'UTC'), timezone('UTC', %s)))::date",
            column,
        )

    # === ACTIONS === #
    def action_open_record(self):
        """The interaction or the request of the row."""
        self.ensure_one()
        record = self.interaction_id or self.lead_id
        return self._sputnik_form_action(record)
