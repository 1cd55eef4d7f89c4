from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_date

STATUSES = [
    ("none", "No Trip Yet"),
    ("active", "Active"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]


# the measures of a client's month (0 or 1, trips booked), summed by row
FLAGS = (
    "active_start",
    "active_end",
    "new_client",
    "returning_client",
    "reactivated",
    "became_dormant",
    "became_lost",
    "dormant_end",
    "lost_end",
    "client_count",
    "repeat_client",
    "booking_count",
)


class SputnikClientDynamicsReport(models.Model):
    """The client base month by month: who was active, who came, who came back,
    who fell asleep and who was lost.

    A stored report: one row per month, company, salesperson of the clients and
    their status at the start and at the end of the month, counting the
    clients of each; a client counts from the month of the first trip with the
    company to the current month. Computed by :meth:`_sputnik_refresh`
    (every hour, on demand, at install and upgrade): the grid of every client and
    month is too large to compute while a user waits; the clients of a row
    are computed when asked (:meth:`_client_query`). A trip is a ``sputnik.trip``
    (a confirmed booking); it counts from the day it was booked (its order
    date), or from its departure when it was recorded after that. At a date,
    a client is (the status rule of the classification,
    ``sputnik.classification._status_sql``)

    - **active** when a trip counted by then returns (or returned) no earlier
      than the dormancy months of the company (Settings) before that date:
      travelling, booked ahead, or back within the dormancy window. This is
      the lifecycle of the classification, which calls "dormant" a client whose
      last return is older than these months;
    - **dormant** when the last return is older than the dormancy months but
      not older than the lost months;
    - **lost** when it is older than the lost months.

    The status at the start of a month is the status at the end of the month
    before; the status at the end of a month is taken on its last day (today
    for the current month).
    """

    _name = "sputnik.client.dynamics.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Client Base Dynamics"
    _auto = False
    _rec_name = "date"
    _order = "date desc, user_id, status_start, status_end"
    _sputnik_stored = True
    _sputnik_indexes = ("date",)
    # kept fresh client by client: the layer holds each client's months
    # (_client_query), the report their sums
    _sputnik_refresh_key = "partner_id"
    _sputnik_layer_sums = FLAGS
    _sputnik_layer_count = "client_count"
    _sputnik_ratios = {
        # E - N - R = S - D: the clients active at the start still active at
        # the end (a reactivated client was not among S)
        "retention_rate": (
            ["active_end", "-new_client", "-reactivated"],
            "active_start",
            100.0,
        ),
        "churn_rate": ("became_dormant", "active_start", 100.0),
        "repeat_rate": ("repeat_client", "client_count", 100.0),
    }

    # The stocks of the report: counts of clients on a day, which a group of
    # several months does not add up: its value is the stock of its first
    # month's start (_sputnik_start_stocks) or of its last month's end
    # (_sputnik_end_stocks), see _read_group_select. The other measures are
    # flows (new, reactivated, became dormant...), summed over the months.
    _sputnik_start_stocks = ("active_start",)
    _sputnik_end_stocks = (
        "active_end",
        "dormant_end",
        "lost_end",
        "client_count",
        "repeat_client",
    )

    # === FIELDS === #
    date = fields.Date(string="Month", readonly=True, help="First day of the month.")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the clients.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    status_start = fields.Selection(
        STATUSES,
        string="Status at Start",
        readonly=True,
        help="Status on the last day of the month before.",
    )
    status_end = fields.Selection(
        STATUSES,
        string="Status at End",
        readonly=True,
        help="Status on the last day of the month (today for the current month).",
    )
    active_start = fields.Integer(
        string="Active at Start",
        readonly=True,
        help="1 when the client was active on the last day of the month before: "
        "a trip booked by then returned no earlier than the dormancy months "
        "before that day, or has not returned yet. Added up over the clients of "
        "a month: S; over several months, the clients active at the start of "
        "the first one (not a sum of the months).",
    )
    active_end = fields.Integer(
        string="Active at End",
        readonly=True,
        help="1 when the client is active on the last day of the month (today for "
        "the current month). Added up over the clients of a month: E; over "
        "several months, the clients active at the end of the last one (not a "
        "sum of the months).",
    )
    new_client = fields.Integer(
        string="New",
        readonly=True,
        help="1 in the month the client's first trip was booked (or started, when "
        "recorded later). Summed: N.",
    )
    returning_client = fields.Integer(
        string="Returning",
        readonly=True,
        help="1 when the client booked a trip in the month and had booked one "
        "before.",
    )
    reactivated = fields.Integer(
        readonly=True,
        help="1 when the client was dormant or lost at the start of the month and "
        "is active at its end. Active at End = Active at Start - Became Dormant + "
        "New + Reactivated.",
    )
    became_dormant = fields.Integer(
        readonly=True,
        help="1 when the client was active at the start of the month and is not at "
        "its end: the last return crossed the dormancy months in the month.",
    )
    became_lost = fields.Integer(
        string="Lost",
        readonly=True,
        help="1 when the client is lost at the end of the month and was not at its "
        "start: the last return crossed the lost months in the month.",
    )
    dormant_end = fields.Integer(
        string="Dormant at End",
        readonly=True,
        help="1 when the client is dormant on the last day of the month; over "
        "several months, at the end of the last one.",
    )
    lost_end = fields.Integer(
        string="Lost at End",
        readonly=True,
        help="1 when the client is lost on the last day of the month; over "
        "several months, at the end of the last one.",
    )
    client_count = fields.Integer(
        string="Clients with a Trip",
        readonly=True,
        help="1 for every client with at least one trip booked by the end of the "
        "month; over several months, by the end of the last one.",
    )
    repeat_client = fields.Integer(
        string="Clients with 2+ Trips",
        readonly=True,
        help="1 when the client has at least two trips booked by the end of the "
        "month; over several months, by the end of the last one.",
    )
    booking_count = fields.Integer(
        string="Trips Booked", readonly=True, help="Trips booked in the month."
    )
    retention_rate = fields.Float(
        string="Retention Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x (Active at End - New - Reactivated) / Active at Start: the "
        "clients active at the start of the month who still are at its end, "
        "0-100. Read it per month (over several months it pools their clients).",
    )
    churn_rate = fields.Float(
        string="Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Became Dormant / Active at Start: the clients active at the "
        "start of the month who no longer are at its end, 0-100 (Retention + "
        "Churn = 100). Read it per month.",
    )
    computed_on = fields.Datetime(
        readonly=True,
        help="When the figures were computed: the report counts the bookings "
        "confirmed until then (every hour, or Refresh Reports in the Reports menu).",
    )
    repeat_rate = fields.Float(
        string="Repeat Purchase Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 x Clients with 2+ Trips / Clients with a Trip, up to the end of "
        "the month: read it per month.",
    )

    _depends = {
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "company_id",
            "date_order",
            "sputnik_date_start",
            "sputnik_date_end",
        ],
        "res.company": ["sputnik_dormant_months", "sputnik_lost_months"],
        "res.partner": ["user_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _sputnik_layer_query(self, keys=None):
        return self._sputnik_client_months(keys)

    @api.model
    def _sputnik_from_layer(self, layer):
        flags = [
            SQL("SUM(client.%s)::int AS %s", SQL.identifier(name), SQL.identifier(name))
            for name in FLAGS
        ]

        def status(column):
            # the rank of a status in STATUSES, for the row's id
            return SQL(
                "CASE %s WHEN 'none' THEN 0 WHEN 'active' THEN 1 "
                "WHEN 'dormant' THEN 2 ELSE 3 END",
                SQL.identifier("client", column),
            )

        return SQL(
            """
            SELECT (((COALESCE(client.user_id, 0)::bigint * 1000 + client.company_id)
                     * 100000 + (EXTRACT(YEAR FROM client.date) * 12
                                 + EXTRACT(MONTH FROM client.date))::bigint) * 4
                    + %(start)s) * 4 + %(end)s AS id,
                   client.date,
                   client.user_id,
                   client.company_id,
                   client.status_start,
                   client.status_end,
                   %(flags)s,
                   NULL::float8 AS retention_rate,
                   NULL::float8 AS churn_rate,
                   NULL::float8 AS repeat_rate,
                   now() AT TIME ZONE 'UTC' AS computed_on
              FROM %(layer)s client
          GROUP BY client.date, client.user_id, client.company_id,
                   client.status_start, client.status_end
            """,
            start=status("status_start"),
            end=status("status_end"),
            flags=SQL(", ").join(flags),
            layer=layer,
        )

    @api.model
    def _client_query(self, where=None, last_month=None):
        """One row per client, company and month, from the month of the
        client's first trip with the company to the current month (or
        ``last_month``): the client's statuses and flags of the month. For the
        clients of the bookings that ``where`` (on ``so``) selects."""
        return SQL(
            "%s %s %s",
            self._with(where, last_month),
            self._select(),
            self._from(),
        )

    @api.model
    def _with(self, where=None, last_month=None):
        return SQL(
            """
            WITH trip AS (%(trips)s),
            monthly AS (
                SELECT partner_id, company_id,
                       date_trunc('month', date_booked)::date AS month,
                       COUNT(*) AS booking_count,
                       MAX(date_end) AS last_return
                  FROM trip
              GROUP BY partner_id, company_id, date_trunc('month', date_booked)
            ),
            grid AS (
                SELECT first.partner_id, first.company_id, series.month::date AS month
                  FROM (SELECT partner_id, company_id, MIN(month) AS month
                          FROM monthly
                      GROUP BY partner_id, company_id) first
            CROSS JOIN LATERAL generate_series(
                       first.month, %(last_month)s, interval '1 month') series(month)
            ),
            running AS (
                SELECT grid.partner_id, grid.company_id, grid.month,
                       LEAST((grid.month + interval '1 month - 1 day')::date,
                             CURRENT_DATE) AS month_end,
                       COALESCE(monthly.booking_count, 0) AS booking_count,
                       SUM(COALESCE(monthly.booking_count, 0)) OVER client_months
                           AS trips_to_date,
                       MAX(monthly.last_return) OVER client_months AS last_return
                  FROM grid
             LEFT JOIN monthly
                       ON monthly.partner_id = grid.partner_id
                      AND monthly.company_id = grid.company_id
                      AND monthly.month = grid.month
                WINDOW client_months AS (
                       PARTITION BY grid.partner_id, grid.company_id
                       ORDER BY grid.month)
            ),
            status AS (
                SELECT running.*,
                       %(status)s AS status_end
                  FROM running
                  JOIN res_company company ON company.id = running.company_id
            ),
            moves AS (
                SELECT status.*,
                       COALESCE(LAG(status.status_end) OVER (
                           PARTITION BY status.partner_id, status.company_id
                           ORDER BY status.month), 'none') AS status_start
                  FROM status
            )
            """,
            trips=self.env["sputnik.trip"]._sputnik_trip_sql(where),
            status=self.env["sputnik.classification"]._status_sql(
                SQL("running.last_return"),
                *(
                    SQL(
                        "(running.month_end - make_interval(months => %s))::date",
                        SQL.identifier("company", column),
                    )
                    for column in ("sputnik_dormant_months", "sputnik_lost_months")
                ),
            ),
            last_month=last_month or SQL("date_trunc('month', CURRENT_DATE)"),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT moves.month AS date,
                   moves.partner_id,
                   partner.user_id,
                   moves.company_id,
                   moves.status_start,
                   moves.status_end,
                   (moves.status_start = 'active')::int AS active_start,
                   (moves.status_end = 'active')::int AS active_end,
                   (moves.trips_to_date = moves.booking_count)::int AS new_client,
                   (moves.booking_count > 0
                    AND moves.trips_to_date > moves.booking_count)::int
                       AS returning_client,
                   (moves.status_start IN ('dormant', 'lost')
                    AND moves.status_end = 'active')::int AS reactivated,
                   (moves.status_start = 'active'
                    AND moves.status_end != 'active')::int AS became_dormant,
                   (moves.status_start != 'lost'
                    AND moves.status_end = 'lost')::int AS became_lost,
                   (moves.status_end = 'dormant')::int AS dormant_end,
                   (moves.status_end = 'lost')::int AS lost_end,
                   1 AS client_count,
                   (moves.trips_to_date >= 2)::int AS repeat_client,
                   moves.booking_count
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM moves
              JOIN res_partner partner ON partner.id = moves.partner_id
            """
        )

    # === GROUPS === #
    def _read_group_groupby(self, groupby_spec, query):
        """Group by, noting on ``query`` the terms that group by month (for
        the stocks, see :meth:`_read_group_select`)."""
        term = super()._read_group_groupby(groupby_spec, query)
        if groupby_spec.partition(":")[0] == "date":
            query.sputnik_date_terms = [*getattr(query, "sputnik_date_terms", []), term]
        return term

    def _read_group_select(self, aggregate_spec, query):
        """A stock of a group of rows over several months (a pivot's total, a
        year, a quarter) is the stock on the first day or the last day of the
        months it covers, never the sum of the months: "active at end" of a
        year is the clients active at the end of its last month.

        The months a group covers are those of its date group (the year of a
        pivot's row grouped by year), or of all the rows read when not grouped
        by date: their first (last) month is found over every group that
        shares the date group, with a window over the groups. A group that
        has no row in that month (no client of its salesperson or statuses
        then) holds 0 of the stock; one that has is the sum of its rows of that
        month. Grouped by month, this is the month's sum as before."""
        fname, __, func = aggregate_spec.partition(":")
        if func != "sum" or fname not in (
            *self._sputnik_start_stocks,
            *self._sputnik_end_stocks,
        ):
            return super()._read_group_select(aggregate_spec, query)
        edge = SQL("MIN") if fname in self._sputnik_start_stocks else SQL("MAX")
        date = self._field_to_sql(self._table, "date", query)
        value = self._field_to_sql(self._table, fname, query)
        partition = SQL(", ").join(getattr(query, "sputnik_date_terms", []))
        # an aggregate of the outer query inside the subquery (ARRAY_AGG,
        # MIN/MAX over the group's rows) is computed over the group's rows
        return SQL(
            """CASE WHEN %(edge)s(%(date)s) = %(edge)s(%(edge)s(%(date)s))
                    OVER (%(partition)s)
               THEN (SELECT COALESCE(SUM(month_row.value), 0)
                       FROM unnest(ARRAY_AGG(%(date)s), ARRAY_AGG(%(value)s))
                            AS month_row(date, value)
                      WHERE month_row.date = %(edge)s(%(date)s))
               ELSE 0 END""",
            edge=edge,
            date=date,
            value=value,
            partition=SQL("PARTITION BY %s", partition) if partition else SQL(),
        )

    # === ACTIONS === #
    def _clients(self):
        """The clients of the row (its month, company, salesperson and
        statuses), computed now from their bookings up to the row's month."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT client.partner_id
                  FROM (%(clients)s) client
                 WHERE client.date = %(date)s
                   AND client.status_start = %(start)s
                   AND client.status_end = %(end)s
                """,
                clients=self._client_query(
                    self._sputnik_row_bookings(),
                    last_month=SQL("%s::date", self.date),
                ),
                date=self.date,
                start=self.status_start,
                end=self.status_end,
            )
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())

    def action_open_clients(self):
        """The clients of the row."""
        statuses = dict(self._fields["status_end"]._description_selection(self.env))
        return self._sputnik_clients_action(
            self._clients(),
            self.env._(
                "%(month)s: %(start)s to %(end)s",
                month=format_date(self.env, self.date, date_format="LLLL y"),
                start=statuses[self.status_start],
                end=statuses[self.status_end],
            ),
        )

    # === KPIS === #
    @api.model
    def _sputnik_kpis(self, date_from, date_to, company, user=None):
        """Client base indicators of a period, in one SQL statement.

        ``date_from`` and ``date_to`` are the first and last days of the period
        (dates or ISO strings; a ``date_to`` after today counts as today),
        ``company`` a ``res.company`` record or id, ``user`` (optional) an agent
        whose clients (and the unassigned ones) alone count. The statuses are
        those of the report (see the class): S is taken on the day before
        ``date_from``.

        Returns a dict:

        - ``active_start`` (S), ``active_end`` (E), ``new`` (N, clients whose
          first trip was booked in the period), ``lost`` (clients lost at the end
          of the period who were not at its start), ``clients`` (with at least
          one trip booked by the end), ``repeat_clients`` (with at least two)
          and ``retained`` (active at the start and at the end);
        - ``retention_rate`` = 100 x retained / S, ``churn_rate`` = 100 x (S -
          retained) / S (they add up to 100), ``repeat_rate`` = 100 x
          repeat_clients / clients, each None when its denominator is 0.
        """
        return self._sputnik_kpis_periods([(date_from, date_to)], company, user)[0]

    @api.model
    def _sputnik_kpis_periods(self, periods, company, user=None):
        """:meth:`_sputnik_kpis` of several periods ``[(date_from, date_to)]`` in
        one SQL statement: one pass over the bookings whatever their number."""
        company = self.env["res.company"].browse(
            company.id if isinstance(company, models.BaseModel) else company
        )
        self.check_access("read")
        if company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not read the figures of the company %(company)s.",
                    # its id only: the name of a company the user is not in
                    # is not theirs to read
                    company=company.id,
                )
            )
        today = fields.Date.context_today(self)
        dormant, lost = company.sputnik_dormant_months, company.sputnik_lost_months
        status = self.env["sputnik.classification"]._status_sql
        columns, counts = [], []
        for index, (date_from, date_to) in enumerate(periods):
            date_from = fields.Date.to_date(date_from)
            date_to = min(fields.Date.to_date(date_to), today)
            start = date_from - relativedelta(days=1)
            i = SQL(str(index))
            columns.append(
                SQL(
                    """
                    MAX(trip.date_end) FILTER (WHERE trip.date_booked <= %(start)s)
                        AS return_start_%(i)s,
                    MAX(trip.date_end) FILTER (WHERE trip.date_booked <= %(end)s)
                        AS return_end_%(i)s,
                    COUNT(*) FILTER (WHERE trip.date_booked <= %(end)s) AS trips_%(i)s
                    """,
                    start=start,
                    end=date_to,
                    i=i,
                )
            )
            # the statuses of each client at the start and at the end
            status_start = status(
                SQL("return_start_%s", i),
                start - relativedelta(months=dormant),
                start - relativedelta(months=lost),
            )
            status_end = status(
                SQL("return_end_%s", i),
                date_to - relativedelta(months=dormant),
                date_to - relativedelta(months=lost),
            )
            counts.append(
                SQL(
                    """
                    COUNT(*) FILTER (WHERE %(status_start)s = 'active'),
                    COUNT(*) FILTER (WHERE %(status_end)s = 'active'),
                    COUNT(*) FILTER (WHERE first_booked >= %(date_from)s
                                       AND first_booked <= %(end)s),
                    COUNT(*) FILTER (WHERE %(status_end)s = 'lost'
                                       AND %(status_start)s != 'lost'),
                    COUNT(*) FILTER (WHERE trips_%(i)s >= 1),
                    COUNT(*) FILTER (WHERE trips_%(i)s >= 2),
                    COUNT(*) FILTER (WHERE %(status_start)s = 'active'
                                       AND %(status_end)s = 'active')
                    """,
                    i=i,
                    date_from=date_from,
                    end=date_to,
                    status_start=status_start,
                    status_end=status_end,
                )
            )
        where = SQL("so.company_id = %s", company.id)
        if user:
            where = SQL(
                """%s AND so.sputnik_client_id IN (
                       SELECT id FROM res_partner
                        WHERE user_id = %s OR user_id IS NULL)""",
                where,
                user.id,
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH client AS (
                    SELECT trip.partner_id,
                           MIN(trip.date_booked) AS first_booked,
                           %(columns)s
                      FROM (%(trips)s) trip
                  GROUP BY trip.partner_id
                )
                SELECT %(counts)s FROM client
                """,
                columns=SQL(", ").join(columns),
                counts=SQL(", ").join(counts),
                trips=self.env["sputnik.trip"]._sputnik_trip_sql(where),
            )
        )
        row = self.env.cr.fetchone()
        names = ("active_start", "active_end", "new", "lost", "clients")
        names += ("repeat_clients", "retained")

        def rate(numerator, denominator):
            return 100.0 * numerator / denominator if denominator else None

        result = []
        for index in range(len(periods)):
            width = len(names)
            kpis = dict(
                zip(names, row[index * width : (index + 1) * width], strict=True)
            )
            kpis.update(
                retention_rate=rate(kpis["retained"], kpis["active_start"]),
                churn_rate=rate(
                    kpis["active_start"] - kpis["retained"], kpis["active_start"]
                ),
                repeat_rate=rate(kpis["repeat_clients"], kpis["clients"]),
            )
            result.append(kpis)
        return result
