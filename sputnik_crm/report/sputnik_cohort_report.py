from odoo import api, fields, models
from odoo.tools import SQL


class SputnikCohortReport(models.Model):
    """Cohorts of clients by the month of their first trip, and how many of
    them travel again in each month after it.

    A stored report: one row per cohort (month of the first trip with the
    company, its departure), month (from the cohort month to the current
    month), company and salesperson of the clients, with the cohort's clients
    and those of them who left on a trip in the month. Computed by
    :meth:`_sputnik_refresh` (every hour, on demand, at install and upgrade): the
    grid of every client and month is too large to compute while a user
    waits. The share of a cohort that travels is computed from the sums of the
    group, whatever the grouping.
    """

    _name = "sputnik.cohort.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Client Cohorts"
    _auto = False
    _rec_name = "cohort_date"
    _order = "cohort_date desc, months_since, user_id"
    _sputnik_stored = True
    _sputnik_indexes = ("cohort_date", "date", "months_since")
    _sputnik_ratios = {"retention_rate": ("retained", "cohort_size", 100.0)}
    # kept fresh client by client: the layer holds each client's months
    # (_client_query), the report their sums
    _sputnik_refresh_key = "partner_id"
    _sputnik_layer_sums = ("cohort_size", "retained")
    _sputnik_layer_count = "cohort_size"

    # === FIELDS === #
    cohort_date = fields.Date(
        string="Cohort",
        readonly=True,
        help="Month of the clients' first trip (its departure).",
    )
    date = fields.Date(string="Month", readonly=True, help="First day of the month.")
    months_since = fields.Integer(
        readonly=True,
        aggregator=False,
        help="Months between the cohort month and this month: 0 is the month of "
        "the first trip.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the clients.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    cohort_size = fields.Integer(
        string="Cohort Clients",
        readonly=True,
        help="Clients whose first trip with the company departed in the cohort "
        "month.",
    )
    retained = fields.Integer(
        string="Travelled",
        readonly=True,
        help="Clients of the cohort who left on a trip (a confirmed booking "
        "departing) in this month.",
    )
    retention_rate = fields.Float(
        string="Travelled (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Travelled / Cohort Clients, from the sums of the group.",
    )
    computed_on = fields.Datetime(
        readonly=True,
        help="When the figures were computed: the report counts the bookings "
        "confirmed until then (every hour, or Refresh Reports in the Reports menu).",
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
    def _client_query(self, where=None):
        """One row per client of a cohort and month since its cohort month:
        ``partner_id, user_id, company_id, cohort_date, date, cohort_size``
        (1) and ``retained``; for the clients of the bookings that ``where``
        (on ``so``) selects."""
        return SQL(
            """
            WITH travelled AS (
                SELECT DISTINCT trip.partner_id,
                       trip.company_id,
                       date_trunc('month', trip.date_start)::date AS month
                  FROM (%(trips)s) trip
            ),
            cohort AS (
                SELECT partner_id, company_id, MIN(month) AS month
                  FROM travelled
              GROUP BY partner_id, company_id
            )
            SELECT cohort.partner_id,
                   partner.user_id,
                   cohort.company_id,
                   cohort.month AS cohort_date,
                   series.month::date AS date,
                   1 AS cohort_size,
                   (travelled.partner_id IS NOT NULL)::int AS retained
              FROM cohort
        CROSS JOIN LATERAL generate_series(
                   cohort.month, date_trunc('month', CURRENT_DATE),
                   interval '1 month') series(month)
              JOIN res_partner partner ON partner.id = cohort.partner_id
         LEFT JOIN travelled
                   ON travelled.partner_id = cohort.partner_id
                  AND travelled.company_id = cohort.company_id
                  AND travelled.month = series.month::date
            """,
            trips=self.env["sputnik.trip"]._sputnik_trip_sql(where),
        )

    @api.model
    def _sputnik_layer_query(self, keys=None):
        return self._sputnik_client_months(keys)

    @api.model
    def _sputnik_from_layer(self, layer):
        months = SQL(
            """((EXTRACT(YEAR FROM client.date) - EXTRACT(YEAR FROM client.cohort_date))
                * 12 + EXTRACT(MONTH FROM client.date)
                - EXTRACT(MONTH FROM client.cohort_date))::int"""
        )
        return SQL(
            """
            SELECT ((COALESCE(client.user_id, 0)::bigint * 1000 + client.company_id)
                    * 10000 + (EXTRACT(YEAR FROM client.cohort_date) * 12
                               + EXTRACT(MONTH FROM client.cohort_date))::bigint)
                       * 10000 + %(months)s AS id,
                   client.cohort_date,
                   client.date,
                   %(months)s AS months_since,
                   client.user_id,
                   client.company_id,
                   SUM(client.cohort_size)::int AS cohort_size,
                   SUM(client.retained)::int AS retained,
                   NULL::float8 AS retention_rate,
                   now() AT TIME ZONE 'UTC' AS computed_on
              FROM %(layer)s client
          GROUP BY client.cohort_date, client.date, client.user_id, client.company_id
            """,
            months=months,
            layer=layer,
        )

    # === ACTIONS === #
    def _clients(self, travelled=False):
        """The clients of the row: its cohort, or those who travelled in its
        month; computed now, under the user's rights on the clients."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT client.partner_id
                  FROM (%(clients)s) client
                 WHERE client.cohort_date = %(cohort)s
                   AND client.date = %(date)s
                   AND client.retained >= %(retained)s
                """,
                clients=self._client_query(self._sputnik_row_bookings()),
                cohort=self.cohort_date,
                date=self.date,
                retained=int(travelled),
            )
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())

    def action_open_cohort(self):
        """The clients of the row's cohort."""
        return self._sputnik_clients_action(
            self._clients(),
            self.env._("Cohort %(month)s", month=self.cohort_date.strftime("%m/%Y")),
        )

    def action_open_travelled(self):
        """The clients of the row's cohort who travelled in its month."""
        return self._sputnik_clients_action(
            self._clients(travelled=True),
            self.env._(
                "Cohort %(cohort)s: travelled in %(month)s",
                cohort=self.cohort_date.strftime("%m/%Y"),
                month=self.date.strftime("%m/%Y"),
            ),
        )
