from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.sputnik_complaint import CATEGORIES, STAGES

KINDS = [
    ("trip", "Trip"),
    ("complaint", "Complaint"),
    ("answer", "Satisfaction Answer"),
]


class SputnikQualityReport(models.Model):
    """Service quality: trips, complaints and satisfaction answers as events, so
    that one pivot counts them side by side and relates them.

    A trip is a confirmed booking, dated by its departure, with the tour
    operator of its departure; a complaint is dated by its opening, with its
    operator and category; a satisfaction answer is an interaction whose
    satisfaction (1-5) is set, dated by the interaction, with the operator of
    its booking.
    """

    _name = "sputnik.quality.report"
    _description = "Service Quality"
    _auto = False
    _order = "date desc, id desc"

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
        help="Responsible of the complaint, agent of the interaction.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    operator_id = fields.Many2one(
        comodel_name="res.partner", string="Tour Operator", readonly=True
    )
    category = fields.Selection(CATEGORIES, readonly=True)
    stage = fields.Selection(STAGES, string="Complaint Stage", readonly=True)
    order_id = fields.Many2one(
        comodel_name="sale.order", string="Booking", readonly=True
    )
    complaint_id = fields.Many2one(
        comodel_name="sputnik.complaint", string="Complaint", readonly=True
    )
    interaction_id = fields.Many2one(
        comodel_name="sputnik.interaction", string="Interaction", readonly=True
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
        string="Satisfaction Answers",
        readonly=True,
        help="Interactions with a satisfaction (1-5).",
    )
    satisfied_count = fields.Integer(
        string="Satisfied Answers",
        readonly=True,
        help="Interactions with a satisfaction of 4 or 5.",
    )
    csat = fields.Float(
        string="CSAT (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Satisfied Answers / Satisfaction Answers.",
    )

    _depends = {
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "company_id",
            "sputnik_date_start",
        ],
        "sale.order.line": ["order_id", "sputnik_departure_id"],
        "sputnik.departure": ["operator_id"],
        "sputnik.complaint": [
            "partner_id",
            "order_id",
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
        ],
        "account.move": ["state", "amount_total_signed"],
        "res.partner": ["user_id", "commercial_partner_id"],
    }

    # === QUERY === #
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    @api.model
    def _query(self):
        # ids: trips 3n, complaints 3n + 1, answers 3n + 2
        return SQL(
            """
            WITH order_operator AS (
                SELECT line.order_id, MIN(departure.operator_id) AS operator_id
                  FROM sale_order_line line
                  JOIN sputnik_departure departure
                       ON departure.id = line.sputnik_departure_id
              GROUP BY line.order_id
            )
            SELECT so.id * 3 AS id, 'trip' AS kind,
                   so.sputnik_date_start AS date,
                   so.sputnik_client_id AS partner_id, client.user_id,
                   NULL::int AS responsible_id,
                   so.company_id, company.currency_id,
                   op.operator_id, NULL AS category, NULL AS stage,
                   so.id AS order_id, NULL::int AS complaint_id,
                   NULL::int AS interaction_id,
                   1 AS trip_count, 0 AS complaint_count,
                   NULL::float8 AS complaint_rate,
                   0 AS resolved_count, NULL::float8 AS resolution_days,
                   0 AS compensation_amount, 0 AS recovered_amount,
                   0 AS compensation_cost,
                   0 AS answer_count, 0 AS satisfied_count, NULL::float8 AS csat
              FROM sale_order so
              JOIN res_partner client ON client.id = so.sputnik_client_id
              JOIN res_company company ON company.id = so.company_id
         LEFT JOIN order_operator op ON op.order_id = so.id
             WHERE so.state = 'sale'
               AND so.sputnik_is_booking
               AND so.sputnik_date_start IS NOT NULL
            UNION ALL
            SELECT complaint.id * 3 + 1, 'complaint',
                   complaint.date_open::date,
                   partner.commercial_partner_id, client.user_id,
                   complaint.user_id,
                   complaint.company_id, company.currency_id,
                   complaint.operator_id, complaint.category, complaint.stage,
                   complaint.order_id, complaint.id, NULL,
                   0, 1, NULL,
                   (complaint.date_resolved IS NOT NULL)::int,
                   EXTRACT(EPOCH FROM complaint.date_resolved - complaint.date_open)
                       / 86400.0,
                   COALESCE(ABS(granted.amount_total_signed), 0),
                   COALESCE(ABS(recovered.amount_total_signed), 0),
                   COALESCE(ABS(granted.amount_total_signed), 0)
                       - COALESCE(ABS(recovered.amount_total_signed), 0),
                   0, 0, NULL
              FROM sputnik_complaint complaint
              JOIN res_partner partner ON partner.id = complaint.partner_id
              JOIN res_partner client ON client.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = complaint.company_id
         LEFT JOIN account_move granted
                   ON granted.id = complaint.compensation_move_id
                  AND granted.state = 'posted'
         LEFT JOIN account_move recovered
                   ON recovered.id = complaint.recovered_move_id
                  AND recovered.state = 'posted'
            UNION ALL
            SELECT interaction.id * 3 + 2, 'answer',
                   interaction.date::date,
                   partner.commercial_partner_id, client.user_id,
                   interaction.user_id,
                   interaction.company_id, company.currency_id,
                   op.operator_id, NULL, NULL,
                   interaction.order_id, NULL, interaction.id,
                   0, 0, NULL, 0, NULL, 0, 0, 0,
                   1, (interaction.satisfaction IN ('4', '5'))::int,
                   CASE WHEN interaction.satisfaction IN ('4', '5')
                        THEN 100.0 ELSE 0.0 END
              FROM sputnik_interaction interaction
              JOIN res_partner partner ON partner.id = interaction.partner_id
              JOIN res_partner client ON client.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = interaction.company_id
         LEFT JOIN order_operator op ON op.order_id = interaction.order_id
             WHERE interaction.satisfaction IS NOT NULL
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        """The rates of a group from the sums of its counts, as
        ``purchase.report`` does for its average price."""
        ratios = {
            "complaint_rate:avg": ("complaint_count", "trip_count"),
            "csat:avg": ("satisfied_count", "answer_count"),
        }
        if aggregate_spec not in ratios:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator = ratios[aggregate_spec]
        return SQL(
            "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
            self._field_to_sql(self._table, numerator, query),
            self._field_to_sql(self._table, denominator, query),
        )

    # === ACTIONS === #
    def action_open_record(self):
        """The complaint, interaction or booking of the row."""
        self.ensure_one()
        record = self.complaint_id or self.interaction_id or self.order_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
