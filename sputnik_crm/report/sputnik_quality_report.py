from odoo import api, fields, models
from odoo.tools import SQL

from ..models.sputnik_complaint import CATEGORIES, STAGES
from ..models.survey_user_input import NPS_CATEGORIES

KINDS = [
    ("trip", "Trip"),
    ("complaint", "Complaint"),
    ("answer", "Satisfaction Logged"),
    ("survey", "Survey Answer"),
]


class SputnikQualityReport(models.Model):
    """Service quality: trips, complaints and satisfaction answers as events, so
    that one pivot counts them side by side and relates them.

    A trip is a confirmed booking, dated by its departure, with the tour
    operator and destination of its departure; a complaint is dated by its
    opening, with its operator and category; a survey answer is a completed
    satisfaction survey (not a test) with its CSAT or NPS question answered,
    dated by its completion, with the operator and destination of the booking
    it asks about; a logged satisfaction is an interaction whose satisfaction
    (1-5) an agent set, dated by the interaction. The interactions that a
    survey answer records on its own are left out: their CSAT counts once, in
    the survey row.
    """

    _name = "sputnik.quality.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Service Quality"
    _auto = False
    _order = "date desc, id desc"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_indexes = ("date",)
    _sputnik_ratios = {
        "complaint_rate": ("complaint_count", "trip_count", 100.0),
        "csat": ("satisfied_count", "answer_count", 100.0),
        "nps": (["promoter_count", "-detractor_count"], "nps_answer_count", 100.0),
    }

    # === FIELDS === #
    kind = fields.Selection(KINDS, readonly=True)
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Client", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the client.",
    )
    responsible_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        readonly=True,
        help="Responsible of the complaint, agent of the interaction, salesperson "
        "of the booking a survey asks about.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    operator_id = fields.Many2one(
        comodel_name="res.partner", string="Tour Operator", readonly=True
    )
    destination_id = fields.Many2one(
        comodel_name="sputnik.destination",
        string="Destination",
        readonly=True,
        help="Destination of the tour of the booking (of the complaint's departure "
        "for a complaint).",
    )
    category = fields.Selection(CATEGORIES, readonly=True)
    stage = fields.Selection(STAGES, string="Complaint Stage", readonly=True)
    nps_category = fields.Selection(
        NPS_CATEGORIES, string="NPS Category", readonly=True
    )
    order_id = fields.Many2one(
        comodel_name="sale.order", string="Booking", readonly=True
    )
    complaint_id = fields.Many2one(
        comodel_name="sputnik.complaint", string="Complaint", readonly=True
    )
    interaction_id = fields.Many2one(
        comodel_name="sputnik.interaction", string="Interaction", readonly=True
    )
    user_input_id = fields.Many2one(
        comodel_name="survey.user_input", string="Survey Answer", readonly=True
    )
    trip_count = fields.Integer(
        string="Trips", readonly=True, help="Confirmed bookings, by departure date."
    )
    complaint_count = fields.Integer(
        string="Complaints", readonly=True, help="Complaints, by opening date."
    )
    complaint_rate = fields.Float(
        string="Complaints per 100 Trips",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="100 x Complaints / Trips of the same operators and months. Trips have "
        "no category: by category, compare the complaint counts.",
    )
    resolved_count = fields.Integer(
        string="Resolved Complaints",
        readonly=True,
        help="Complaints with a resolution date.",
    )
    resolution_days = fields.Float(
        string="Resolution Time (days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average of the days from the opening of a complaint to its "
        "resolution, over the resolved complaints.",
    )
    compensation_amount = fields.Monetary(
        string="Compensation Granted",
        readonly=True,
        help="Total of the posted client credit notes of the complaints.",
    )
    recovered_amount = fields.Monetary(
        string="Recovered",
        readonly=True,
        help="Total of the posted refunds of the tour operators for the complaints.",
    )
    compensation_cost = fields.Monetary(
        readonly=True,
        help="Compensation Granted - Recovered.",
    )
    answer_count = fields.Integer(
        string="CSAT Answers",
        readonly=True,
        help="Completed satisfaction surveys with the CSAT question (1-5) "
        "answered, and interactions whose satisfaction (1-5) an agent logged.",
    )
    satisfied_count = fields.Integer(
        string="Satisfied Answers",
        readonly=True,
        help="CSAT answers of 4 or 5.",
    )
    csat = fields.Float(
        string="CSAT (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Satisfied Answers / CSAT Answers.",
    )
    nps_answer_count = fields.Integer(
        string="NPS Answers",
        readonly=True,
        help="Completed satisfaction surveys with the recommendation question "
        "(0-10) answered.",
    )
    promoter_count = fields.Integer(
        string="Promoters", readonly=True, help="NPS answers of 9 or 10."
    )
    detractor_count = fields.Integer(
        string="Detractors", readonly=True, help="NPS answers of 0 to 6."
    )
    nps = fields.Float(
        string="NPS",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Net Promoter Score, -100 to 100: 100 x (Promoters - Detractors) / "
        "NPS Answers.",
    )

    _depends = {
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "company_id",
            "sputnik_date_start",
            "user_id",
        ],
        "sale.order.line": ["order_id", "sputnik_departure_id"],
        "sputnik.departure": ["operator_id", "destination_id"],
        "sputnik.complaint": [
            "partner_id",
            "order_id",
            "departure_id",
            "operator_id",
            "category",
            "stage",
            "user_id",
            "company_id",
            "date_open",
            "date_resolved",
            "compensation_move_id",
            "recovered_move_id",
        ],
        "sputnik.interaction": [
            "partner_id",
            "order_id",
            "user_id",
            "company_id",
            "date",
            "satisfaction",
            "event_key",
        ],
        "survey.user_input": [
            "state",
            "test_entry",
            "partner_id",
            "end_datetime",
            "sputnik_order_id",
            "sputnik_csat",
            "sputnik_nps_category",
        ],
        "account.move": ["state", "amount_total_signed"],
        "res.partner": ["user_id", "commercial_partner_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _order_tour(self, order_id):
        """The operator and destination of the booking ``order_id`` (its
        departures'), looked up per row (LATERAL) rather than computed for
        every booking, so that the rows of a few clients read their bookings
        only."""
        return SQL(
            """SELECT MIN(departure.operator_id) AS operator_id,
                      MIN(departure.destination_id) AS destination_id
                 FROM sale_order_line line
                 JOIN sputnik_departure departure
                      ON departure.id = line.sputnik_departure_id
                WHERE line.order_id = %s""",
            order_id,
        )

    @api.model
    def _sputnik_keys_query(self, keys):
        # a survey answer's client is its respondent's or its booking's: the
        # answers of those clients found by the two indexes first
        return self._query(keys)

    @api.model
    def _query(self, keys=None):
        # ids: trips 4n, complaints 4n + 1, logged satisfactions 4n + 2,
        # survey answers 4n + 3
        return SQL(
            """
            SELECT trip.order_id * 4 AS id, 'trip' AS kind,
                   trip.date_start AS date,
                   trip.partner_id, client.user_id,
                   NULL::int AS responsible_id,
                   trip.company_id, company.currency_id,
                   tour.operator_id, tour.destination_id,
                   NULL AS category, NULL AS stage, NULL AS nps_category,
                   trip.order_id, NULL::int AS complaint_id,
                   NULL::int AS interaction_id, NULL::int AS user_input_id,
                   1 AS trip_count, 0 AS complaint_count,
                   NULL::float8 AS complaint_rate,
                   0 AS resolved_count, NULL::float8 AS resolution_days,
                   0 AS compensation_amount, 0 AS recovered_amount,
                   0 AS compensation_cost,
                   0 AS answer_count, 0 AS satisfied_count, NULL::float8 AS csat,
                   0 AS nps_answer_count, 0 AS promoter_count,
                   0 AS detractor_count, NULL::float8 AS nps
              FROM (%(trips)s) trip
              JOIN res_partner client ON client.id = trip.partner_id
              JOIN res_company company ON company.id = trip.company_id
         LEFT JOIN LATERAL (%(tour_of_trip)s) tour ON TRUE
            UNION ALL
            SELECT complaint.id * 4 + 1, 'complaint',
                   complaint.date_open::date,
                   partner.commercial_partner_id, client.user_id,
                   complaint.user_id,
                   complaint.company_id, company.currency_id,
                   complaint.operator_id,
                   COALESCE(departure.destination_id, tour.destination_id),
                   complaint.category, complaint.stage, NULL,
                   complaint.order_id, complaint.id, NULL, NULL,
                   0, 1, NULL,
                   (complaint.date_resolved IS NOT NULL)::int,
                   EXTRACT(EPOCH FROM complaint.date_resolved - complaint.date_open)
                       / 86400.0,
                   COALESCE(ABS(granted.amount_total_signed), 0),
                   COALESCE(ABS(recovered.amount_total_signed), 0),
                   COALESCE(ABS(granted.amount_total_signed), 0)
                       - COALESCE(ABS(recovered.amount_total_signed), 0),
                   0, 0, NULL, 0, 0, 0, NULL
              FROM sputnik_complaint complaint
              JOIN res_partner partner ON partner.id = complaint.partner_id
              JOIN res_partner client ON client.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = complaint.company_id
         LEFT JOIN sputnik_departure departure
                   ON departure.id = complaint.departure_id
         LEFT JOIN LATERAL (%(tour_of_complaint)s) tour ON TRUE
         LEFT JOIN account_move granted
                   ON granted.id = complaint.compensation_move_id
                  AND granted.state = 'posted'
         LEFT JOIN account_move recovered
                   ON recovered.id = complaint.recovered_move_id
                  AND recovered.state = 'posted'
            UNION ALL
            SELECT interaction.id * 4 + 2, 'answer',
                   interaction.date::date,
                   partner.commercial_partner_id, client.user_id,
                   interaction.user_id,
                   interaction.company_id, company.currency_id,
                   tour.operator_id, tour.destination_id, NULL, NULL, NULL,
                   interaction.order_id, NULL, interaction.id, NULL,
                   0, 0, NULL, 0, NULL, 0, 0, 0,
                   1, (interaction.satisfaction IN ('4', '5'))::int,
                   CASE WHEN interaction.satisfaction IN ('4', '5')
                        THEN 100.0 ELSE 0.0 END,
                   0, 0, 0, NULL
              FROM sputnik_interaction interaction
              JOIN res_partner partner ON partner.id = interaction.partner_id
              JOIN res_partner client ON client.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = interaction.company_id
         LEFT JOIN LATERAL (%(tour_of_interaction)s) tour ON TRUE
             WHERE interaction.satisfaction IS NOT NULL
               AND (interaction.event_key IS NULL
                    OR interaction.event_key NOT LIKE %(survey_keys)s)
            UNION ALL
            SELECT answer.id * 4 + 3, 'survey',
                   answer.end_datetime::date,
                   client.id, client.user_id,
                   so.user_id,
                   company.id, company.currency_id,
                   tour.operator_id, tour.destination_id,
                   NULL, NULL, answer.sputnik_nps_category,
                   so.id, NULL, NULL, answer.id,
                   0, 0, NULL, 0, NULL, 0, 0, 0,
                   (answer.sputnik_csat > 0)::int,
                   (answer.sputnik_csat >= 4)::int,
                   CASE WHEN answer.sputnik_csat >= 4 THEN 100.0
                        WHEN answer.sputnik_csat > 0 THEN 0.0 END,
                   (answer.sputnik_nps_category IS NOT NULL)::int,
                   (answer.sputnik_nps_category = 'promoter')::int,
                   (answer.sputnik_nps_category = 'detractor')::int,
                   CASE answer.sputnik_nps_category
                        WHEN 'promoter' THEN 100.0
                        WHEN 'passive' THEN 0.0
                        WHEN 'detractor' THEN -100.0 END
              FROM survey_user_input answer
         LEFT JOIN sale_order so ON so.id = answer.sputnik_order_id
         LEFT JOIN res_partner partner ON partner.id = answer.partner_id
         LEFT JOIN res_partner client
                   ON client.id = COALESCE(
                       partner.commercial_partner_id, so.sputnik_client_id)
         -- without a booking: the company the survey was answered in
         LEFT JOIN sputnik_interaction logged
                   ON logged.event_key = %(survey_key)s || answer.id
         LEFT JOIN res_company company
                   ON company.id = COALESCE(so.company_id, logged.company_id)
         LEFT JOIN LATERAL (%(tour_of_answer)s) tour ON TRUE
             WHERE answer.state = 'done'
               AND answer.test_entry IS NOT TRUE
               AND (answer.sputnik_csat > 0
                    OR answer.sputnik_nps_category IS NOT NULL)
               %(answers_of_keys)s
            """,
            # the key of the interaction a survey answer records (survey_user_input)
            survey_key="survey_answered:",
            survey_keys="survey_answered:%",
            trips=self.env["sputnik.trip"]._sputnik_trip_sql(),
            tour_of_trip=self._order_tour(SQL("trip.order_id")),
            tour_of_complaint=self._order_tour(SQL("complaint.order_id")),
            tour_of_interaction=self._order_tour(SQL("interaction.order_id")),
            tour_of_answer=self._order_tour(SQL("so.id")),
            answers_of_keys=SQL(
                """AND (answer.partner_id IN (
                            SELECT keyed.id FROM res_partner keyed
                             WHERE keyed.commercial_partner_id = ANY(%(keys)s))
                        OR answer.sputnik_order_id IN (
                            SELECT keyed.id FROM sale_order keyed
                             WHERE keyed.sputnik_client_id = ANY(%(keys)s)))""",
                keys=list(keys),
            )
            if keys is not None
            else SQL(),
        )

    # === ACTIONS === #
    def action_open_record(self):
        """The complaint, interaction, survey answer or booking of the row; the
        booking of a survey answer for those who may not read the answers."""
        self.ensure_one()
        user_input = self.user_input_id
        if user_input and not user_input.has_access("read"):
            user_input = user_input.browse()
        record = self.complaint_id or self.interaction_id or user_input or self.order_id
        return self._sputnik_form_action(record)
