from odoo import api, fields, models
from odoo.tools import SQL


class SputnikCohortReport(models.Model):
    """Cohorts of clients by the month of their first trip, and how many of
    them travel again in each month after it.

    One row per client, company and month, from the month of the client's first
    trip with the company (its departure) to the current month. The share of a
    cohort that travels in a month is the average of the rows' Travelled (%),
    so that the pivot shows it right whatever the grouping.
    """

    _name = "sputnik.cohort.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Client Cohorts"
    _auto = False
    _rec_name = "partner_id"
    _order = "cohort_date desc, months_since, partner_id"

    # === FIELDS === #
    cohort_date = fields.Date(
        string="Cohort",
        readonly=True,
        help="Month of the client's first trip (its departure).",
    )
    date = fields.Date(string="Month", readonly=True, help="First day of the month.")
    months_since = fields.Integer(
        readonly=True,
        aggregator=False,
        help="Months between the cohort month and this month: 0 is the month of "
        "the first trip.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Client", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the client.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    cohort_size = fields.Integer(
        string="Cohort Clients",
        readonly=True,
        help="Clients of the cohort: 1 a row.",
    )
    retained = fields.Integer(
        string="Travelled",
        readonly=True,
        help="1 when the client left on a trip (a confirmed booking departing) in "
        "this month.",
    )
    retention_rate = fields.Float(
        string="Travelled (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Travelled / Cohort Clients.",
    )

    _depends = {
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "company_id",
            "sputnik_date_start",
        ],
        "res.partner": ["user_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL(
            """
            WITH travelled AS (
                SELECT DISTINCT so.sputnik_client_id AS partner_id,
                       so.company_id,
                       date_trunc('month', so.sputnik_date_start)::date AS month
                  FROM sale_order so
                 WHERE so.state = 'sale'
                   AND so.sputnik_is_booking
                   AND so.sputnik_date_start IS NOT NULL
                   AND so.sputnik_client_id IS NOT NULL
            ),
            cohort AS (
                SELECT partner_id, company_id, MIN(month) AS month
                  FROM travelled
              GROUP BY partner_id, company_id
            )
            SELECT (cohort.partner_id::bigint * 1000 + cohort.company_id) * 100000
                       + (EXTRACT(YEAR FROM series.month) * 12
                          + EXTRACT(MONTH FROM series.month))::bigint AS id,
                   cohort.month AS cohort_date,
                   series.month::date AS date,
                   ((EXTRACT(YEAR FROM series.month) - EXTRACT(YEAR FROM cohort.month))
                    * 12 + EXTRACT(MONTH FROM series.month)
                    - EXTRACT(MONTH FROM cohort.month))::int AS months_since,
                   cohort.partner_id,
                   partner.user_id,
                   cohort.company_id,
                   1 AS cohort_size,
                   (travelled.partner_id IS NOT NULL)::int AS retained,
                   CASE WHEN travelled.partner_id IS NOT NULL THEN 100.0 ELSE 0.0 END
                       AS retention_rate
              FROM cohort
        CROSS JOIN LATERAL generate_series(
                   cohort.month, date_trunc('month', CURRENT_DATE),
                   interval '1 month') series(month)
              JOIN res_partner partner ON partner.id = cohort.partner_id
         LEFT JOIN travelled
                   ON travelled.partner_id = cohort.partner_id
                  AND travelled.company_id = cohort.company_id
                  AND travelled.month = series.month::date
            """
        )

    # === ACTIONS === #
    def action_open_client(self):
        self.ensure_one()
        return self._sputnik_form_action(self.partner_id)
