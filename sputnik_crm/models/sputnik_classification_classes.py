from odoo import api, fields, models
from odoo.tools import SQL

from .sputnik_classification import CLASSES, FIGURES

# Above this many clients with a trip, an update of some clients places them
# against the cuts the last full run stored rather than reading the whole base
# (ir.config_parameter sputnik_crm.classification_scan_limit).
SCAN_LIMIT = 10000
# The frequency score by the trips in the RFM window, in the bands a travel
# bureau counts: 1 (or none), 2, 3-4, 5-7, 8 and more trips.
FREQUENCY_BANDS = (2, 3, 5, 8)
# The shortest usual time between trips, in days: closer trips (a weekend and
# a tour in one month) do not make a client expected back within weeks.
MIN_TRIP_GAP = 90
# The way the cuts are taken, stored with them: cuts stored by a run that
# scored another way are not used (a full run stores new ones).
RFM_SCORING = "average-rank/bands"


class SputnikClassification(models.AbstractModel):
    """The classes of the classification: the cuts of the base the clients
    are placed against, the query of the changes and one method per class
    (status, RFM, ABC, XYZ, churn, next trip, CLV, tier).

    The cuts (the values where the R and M scores change, the margin cuts of
    A and B) are computed by a full run over the whole base and stored on its
    run; an update of some clients (a booking, a payment) reads them back, so
    that its cost is that of those clients' history. The F score needs no
    cut: it is the band of the trips (:data:`FREQUENCY_BANDS`)."""

    _inherit = "sputnik.classification"

    # === CUTS OF THE BASE === #
    @api.model
    def _cuts(self, partner_ids, params):
        """The cuts to place the clients against: those of the base now for a
        full run (``partner_ids`` None); for some clients, those of the last
        full run, or those of the base now when no full run stored cuts for
        the current settings or the base is small enough to read (there, one
        client's new figures may move the cuts, and they count at once)."""
        if partner_ids is not None:
            stored = self._stored_cuts(params)
            if stored:
                return stored
        self.env.cr.execute(self._cuts_query(partner_ids, params))
        return self.env.cr.dictfetchone()

    @api.model
    def _stored_cuts(self, params):
        """The cuts the last full run stored (see :meth:`_cuts_record`), as of
        today: a recency cut counts the days since the run too (a cut of 0, the
        clients travelling or booked ahead, stays 0). None when no run stored
        cuts, when they were taken with other settings, or when the base held
        no more clients than the scan limit."""
        cr = self.env.cr
        # the runs come in date order: the last one is read by the primary key
        cr.execute(
            SQL(
                """SELECT cuts FROM sputnik_classification_run
                    WHERE cuts IS NOT NULL
                 ORDER BY id DESC
                    LIMIT 1"""
            )
        )
        row = cr.fetchone()
        stored = row and row[0]
        if (
            not stored
            or stored["settings"] != self._cuts_settings(params)
            or stored["base_count"] <= self._cuts_scan_limit()
        ):
            return None
        days = (params["today"] - fields.Date.to_date(stored["date"])).days
        return {
            **{key: stored[key] for key in ("m", "cut_a", "cut_b")},
            # a cut of None (no client has that score) stays None
            "r": stored["r"] and [cut + days if cut else cut for cut in stored["r"]],
            "base_count": stored["base_count"],
        }

    @api.model
    def _cuts_record(self, cuts, params):
        """The cuts of a full run as stored on its run, with the day and the
        settings they were taken with (JSON: the amounts, read as floats, come
        back the same)."""
        return {
            **cuts,
            "date": fields.Date.to_string(params["today"]),
            "settings": self._cuts_settings(params),
        }

    @api.model
    def _cuts_settings(self, params):
        """The settings the cuts depend on (the RFM window, the A and B
        shares) and the way the scores are taken."""
        company = params["company"]
        return {
            "rfm_months": company.sputnik_rfm_months,
            "abc_a": company.sputnik_abc_a,
            "abc_b": company.sputnik_abc_b,
            "rfm_scoring": RFM_SCORING,
        }

    @api.model
    def _cuts_scan_limit(self):
        # sudo: a technical setting read by whoever books (private, read only)
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sputnik_crm.classification_scan_limit")
        )
        return int(value) if value else SCAN_LIMIT

    @api.model
    def _cuts_query(self, partner_ids, params):
        """The cuts of the R and M scores (see :meth:`_rfm_scores_sql`), the
        margin cuts of A and B, and the count of clients with a trip, over the
        whole base: the figures of ``sputnik_classify_figures`` and, for some
        clients, the stored figures of the others.

        R and M score a client by the average rank of its value in the base
        (ties take the middle of the ranks they share): with ``below`` clients
        of a lower value and ``same`` of the same one among ``total``, the
        share ``p = (below + same / 2) / total`` gives M = 1 + floor(5 p) and
        R = 5 - floor(5 p) (the fewer days since the return, the better).
        Equal values get equal scores, and a large tie (the many clients
        booked ahead, or without margin in the window) takes the score of its
        middle instead of pulling the cuts of the others onto its value. Each
        cut is the value where a score changes: ``r`` the highest recency of
        R 5, 4, 3 and 2, ``m`` the lowest margin of M 2, 3, 4 and 5 (None: no
        client has that score); see :meth:`_average_rank_cuts_sql`."""
        company = params["company"]
        today = params["today"]
        others = SQL("")
        if partner_ids is not None:
            others = SQL(
                """
                UNION ALL
                SELECT GREATEST(%(today)s - p.sputnik_last_return_date, 0),
                       p.sputnik_rfm_monetary
                  FROM res_partner p
                 WHERE p.sputnik_trip_count > 0
                   AND p.id != ALL(%(ids)s)
                """,
                today=today,
                ids=list(partner_ids),
            )
        r_around, r_cuts = self._average_rank_cuts_sql("recency", descending=True)
        m_around, m_cuts = self._average_rank_cuts_sql("monetary")
        return SQL(
            """
            WITH base AS (
                SELECT GREATEST(%(today)s - last_return, 0) AS recency, monetary
                  FROM sputnik_classify_figures
                 WHERE trip_count > 0
                %(others)s
            ),
            at AS (
                SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY recency) AS recency,
                       (SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                               WITHIN GROUP (ORDER BY monetary) FROM base)
                           AS monetary
                  FROM base
            ),
            around AS (
                SELECT COUNT(*) AS total, %(r_around)s, %(m_around)s
                  FROM base
            ),
            ranked AS (
                SELECT monetary,
                       SUM(monetary) OVER (ORDER BY monetary DESC
                                           ROWS UNBOUNDED PRECEDING)
                           - monetary AS before,
                       SUM(monetary) OVER () AS total
                  FROM base
                 WHERE monetary > 0
            ),
            abc AS (
                SELECT MIN(monetary) FILTER (WHERE before < total * %(a)s)
                           AS cut_a,
                       MIN(monetary) FILTER (WHERE before < total * %(ab)s)
                           AS cut_b
                  FROM ranked
            )
            SELECT %(r_cuts)s AS r, %(m_cuts)s AS m,
                   abc.cut_a, abc.cut_b,
                   around.total AS base_count
              FROM abc, around, at
            """,
            today=today,
            others=others,
            r_around=r_around,
            m_around=m_around,
            r_cuts=r_cuts,
            m_cuts=m_cuts,
            a=company.sputnik_abc_a / 100.0,
            ab=(company.sputnik_abc_a + company.sputnik_abc_b) / 100.0,
        )

    @api.model
    def _average_rank_cuts_sql(self, column, descending=False):
        """The cuts of a score by average rank (see :meth:`_cuts_query`) of
        ``column`` of ``base``, from its quintiles in ``at`` (one sort) and
        one scan of ``base`` in ``around``: the aggregates of ``around`` and
        the array of the four cuts over ``at`` and ``around``.

        With ``total`` values, the value of score at least j + 1 (M) is the
        lowest whose ``2 below + same`` reaches ``2 j total / 5``: that of
        rank ``ceil(j total / 5)``, the j-th quintile ``x``, when the middle
        of its tie reaches it, else the next value above ``x`` (none: nobody
        scores j + 1). No value below ``x`` reaches it: its tie ends before
        ``x``. For R (``descending``), the value of score at least 5 - j + 1 is
        the highest whose ``2 below + same`` stays under it: ``x``, or the
        value before it when the middle of its tie reaches it."""
        around, cuts = [], []
        for j in range(1, 5):
            at = SQL("(SELECT %s[%s] FROM at)", SQL.identifier(column), j)
            names = {
                key: SQL.identifier(f"{column}_{key}_{j}")
                for key in ("below", "same", "near")
            }
            around += [
                SQL(
                    "COUNT(*) FILTER (WHERE %s < %s) AS %s",
                    SQL.identifier(column),
                    at,
                    names["below"],
                ),
                SQL(
                    "COUNT(*) FILTER (WHERE %s = %s) AS %s",
                    SQL.identifier(column),
                    at,
                    names["same"],
                ),
                SQL(
                    "%s(%s) FILTER (WHERE %s %s %s) AS %s",
                    SQL("MAX" if descending else "MIN"),
                    SQL.identifier(column),
                    SQL.identifier(column),
                    SQL("<" if descending else ">"),
                    at,
                    names["near"],
                ),
            ]
            reached = SQL(
                "5 * (2 * around.%s + around.%s) >= 2 * %s * around.total",
                names["below"],
                names["same"],
                j,
            )
            near = SQL("around.%s", names["near"])
            quintile = SQL("at.%s[%s]", SQL.identifier(column), j)
            cuts.append(
                SQL(
                    "CASE WHEN %s THEN %s ELSE %s END",
                    reached,
                    *((near, quintile) if descending else (quintile, near)),
                )
            )
        return SQL(", ").join(around), SQL("ARRAY[%s]", SQL(", ").join(cuts))

    # === CLASSES === #
    @api.model
    def _changes_query(self, params, cuts, partner_ids=None):
        """The clients of ``sputnik_classify_figures`` (``partner_ids``, None:
        all) whose figures or classes (overrides applied) differ from those
        stored: their new values and their stored classes (``old_<column>``)."""
        today = params["today"]
        base_columns, next_trip = self._next_trip_sql(today)
        churn = self._churn_sql(SQL("next_booked IS NOT NULL"))
        return SQL(
            """
            WITH scored AS (
                SELECT fig.*,
                       %(recency)s AS recency,
                       %(status)s AS status
                  FROM sputnik_classify_figures fig
            ),
            rfm AS (
                SELECT scored.*, %(scores)s, %(gap)s AS gap
                  FROM scored
            ),
            classed AS (
                SELECT rfm.*,
                       %(lifecycle)s AS lifecycle,
                       (f + m + 1) / 2 AS fm,
                       %(base_columns)s
                  FROM rfm
            ),
            calc AS (
                SELECT classed.*,
                       %(rfm_segment)s AS rfm_segment,
                       %(abc)s AS abc,
                       %(xyz)s AS xyz,
                       %(churn_risk)s AS churn_risk,
                       %(next_trip)s AS next_trip,
                       CASE WHEN trip_count > 0
                            THEN ROUND(revenue / trip_count, 2) END AS avg_value,
                       %(clv)s AS clv_predicted,
                       %(tier)s AS tier_id
                  FROM classed
            ),
            ov AS (%(overrides)s),
            target AS (
                SELECT calc.partner_id, %(values)s
                  FROM calc
             LEFT JOIN ov ON ov.partner_id = calc.partner_id
            )
            SELECT target.*, %(class_old_select)s
              FROM target
              JOIN res_partner p ON p.id = target.partner_id
             WHERE ROW(%(old_values)s) IS DISTINCT FROM ROW(%(target_values)s)
            """,
            recency=self._recency_sql(SQL("fig.last_return"), today),
            status=self._status_sql(
                SQL("fig.last_return"), params["dormant"], params["lost"]
            ),
            scores=self._rfm_scores_sql(cuts),
            gap=self._trip_gap_sql(),
            lifecycle=self._lifecycle_sql(params),
            base_columns=base_columns,
            rfm_segment=self._rfm_segment_sql(),
            abc=self._abc_sql(cuts),
            xyz=self._xyz_sql(params),
            churn_risk=churn["risk"],
            next_trip=next_trip,
            clv=self._clv_sql(params),
            tier=self._tier_sql(),
            overrides=self._overrides_sql(partner_ids),
            values=SQL(", ").join(
                SQL("%s AS %s", SQL(expr), SQL.identifier(name))
                for name, expr in FIGURES.items()
            ),
            target_values=SQL(", ").join(
                SQL("target.%s", SQL.identifier(name)) for name in FIGURES
            ),
            old_values=SQL(", ").join(
                SQL("p.%s", SQL.identifier(name)) for name in FIGURES
            ),
            class_old_select=SQL(", ").join(
                SQL(
                    "p.%s AS %s",
                    SQL.identifier(column),
                    SQL.identifier(f"old_{column}"),
                )
                for column in CLASSES.values()
            ),
        )

    @api.model
    def _recency_sql(self, last_return, today):
        """Days since the last return (0 while travelling or booked ahead)."""
        return SQL("GREATEST(%s - %s, 0)", today, last_return)

    @api.model
    def _trip_gap_sql(self):
        """The client's usual days between trips (over ``trip_count``,
        ``first_trip``, ``last_trip``), at least :data:`MIN_TRIP_GAP`: 365 for a
        one-trip client. Churn and the expected next trip read it."""
        return SQL(
            """CASE WHEN trip_count >= 2
                    THEN GREATEST((last_trip - first_trip)::numeric
                                  / (trip_count - 1), %s)
                    ELSE 365 END""",
            MIN_TRIP_GAP,
        )

    @api.model
    def _lifecycle_sql(self, params):
        """Prospect without a trip; dormant or lost by the status rule; else
        VIP, regular or new by the trips (or margin) set on the company."""
        company = params["company"]
        return SQL(
            """CASE WHEN trip_count = 0 THEN 'prospect'
                    WHEN status != 'active' THEN status
                    WHEN trip_count >= %(vip_trips)s
                         OR (%(vip_margin)s > 0 AND margin >= %(vip_margin)s)
                        THEN 'vip'
                    WHEN trip_count >= %(regular_trips)s THEN 'regular'
                    ELSE 'new' END""",
            vip_trips=company.sputnik_vip_trips,
            vip_margin=company.sputnik_vip_margin,
            regular_trips=company.sputnik_regular_trips,
        )

    @api.model
    def _rfm_scores_sql(self, cuts):
        """The columns ``r``, ``f`` and ``m``, 1-5: R and M against the cuts of
        the base (see :meth:`_cuts_query`; a cut of None: nobody has that
        score), F by the band of the trips in the window
        (:data:`FREQUENCY_BANDS`)."""
        r, m = cuts["r"] or [None] * 4, cuts["m"] or [None] * 4
        score_r = SQL(
            "5 - (%s)",
            SQL(" + ").join(SQL("COALESCE(recency > %s, TRUE)::int", cut) for cut in r),
        )
        score_f = SQL(
            "1 + %s",
            SQL(" + ").join(
                SQL("(frequency >= %s)::int", band) for band in FREQUENCY_BANDS
            ),
        )
        score_m = SQL(
            "1 + %s",
            SQL(" + ").join(
                SQL("COALESCE(monetary >= %s, FALSE)::int", cut) for cut in m
            ),
        )
        return SQL(
            """CASE WHEN trip_count > 0 THEN %s END AS r,
               CASE WHEN trip_count > 0 THEN %s END AS f,
               CASE WHEN trip_count > 0 THEN %s END AS m""",
            score_r,
            score_f,
            score_m,
        )

    @api.model
    def _rfm_segment_sql(self):
        """Named from the recency score and the mean ``fm`` of the others."""
        return SQL(
            """CASE WHEN trip_count = 0 THEN NULL
                    WHEN r >= 4 AND fm >= 4 THEN 'champions'
                    WHEN r >= 4 AND fm >= 2 THEN 'potential'
                    WHEN r >= 4 THEN 'promising'
                    WHEN r = 3 AND fm >= 4 THEN 'loyal'
                    WHEN r = 3 AND fm >= 2 THEN 'attention'
                    WHEN r = 3 THEN 'about_to_sleep'
                    WHEN r = 2 AND fm >= 3 THEN 'at_risk'
                    WHEN r = 2 THEN 'hibernating'
                    WHEN fm >= 4 THEN 'cannot_lose'
                    WHEN fm = 3 THEN 'at_risk'
                    ELSE 'lost' END"""
        )

    @api.model
    def _abc_sql(self, cuts):
        """By margin in the window, against the cuts of A and B of the base."""
        return SQL(
            """CASE WHEN trip_count = 0 THEN NULL
                    WHEN monetary > 0 AND monetary >= %s THEN 'a'
                    WHEN monetary > 0 AND monetary >= %s THEN 'b'
                    ELSE 'c' END""",
            cuts["cut_a"],
            cuts["cut_b"],
        )

    @api.model
    def _spend_columns_sql(self, years):
        """XYZ, in the trips' aggregate: the spend of each year back
        (``spend_0`` the last 12 months)."""
        return SQL(", ").join(
            SQL(
                "SUM(trip.revenue::float8) FILTER (WHERE v.year_back = %s) AS %s",
                year,
                SQL.identifier(f"spend_{year}"),
            )
            for year in range(years)
        )

    @api.model
    def _spend_sql(self, years):
        """XYZ: the mean and the mean square of the yearly spends of ``t``."""
        spends = [
            SQL("COALESCE(t.%s, 0)::float8", SQL.identifier(f"spend_{year}"))
            for year in range(years)
        ]
        return SQL(
            "SELECT ((%s) / %s) AS mean, ((%s) / %s) AS mean_square",
            SQL(" + ").join(spends),
            years,
            SQL(" + ").join(SQL("%s ^ 2", spend) for spend in spends),
            years,
        )

    @api.model
    def _spend_cv_sql(self):
        """XYZ: the coefficient of variation (%) of the yearly spend."""
        return SQL(
            """CASE WHEN spend.mean >= 0.005 THEN ROUND((100 * SQRT(GREATEST(
                   spend.mean_square - spend.mean * spend.mean, 0))
                   / spend.mean)::numeric, 1) END"""
        )

    @api.model
    def _xyz_sql(self, params):
        company = params["company"]
        return SQL(
            """CASE WHEN spend_cv IS NULL THEN NULL
                    WHEN spend_cv <= %s THEN 'x'
                    WHEN spend_cv <= %s THEN 'y'
                    ELSE 'z' END""",
            company.sputnik_xyz_x,
            company.sputnik_xyz_y,
        )

    @api.model
    def _churn_sql(self, booked):
        """Churn, written once: the days since the last return (``recency``)
        against the client's usual time between trips (``gap``, see
        :meth:`_trip_gap_sql`), over ``trip_count`` and ``lifecycle``;
        ``booked`` says a trip is booked ahead. Returns the SQL of the
        ``score`` (0-100: 50 when that time has passed, 100 at twice it or when
        lost; 0 while booked) and of the ``risk`` (low below that time, medium
        from it up to 1.5 times it included, high beyond or when lost; low
        while booked)."""
        ratio = SQL("recency / gap")
        return {
            "score": SQL(
                """CASE WHEN trip_count = 0 OR %(booked)s THEN 0
                        WHEN lifecycle = 'lost' THEN 100
                        ELSE LEAST(100, ROUND(50 * %(ratio)s)) END""",
                booked=booked,
                ratio=ratio,
            ),
            "risk": SQL(
                """CASE WHEN trip_count = 0 THEN NULL
                        WHEN %(booked)s THEN 'low'
                        WHEN lifecycle = 'lost' THEN 'high'
                        WHEN %(ratio)s < 1 THEN 'low'
                        WHEN %(ratio)s <= 1.5 THEN 'medium'
                        ELSE 'high' END""",
                booked=booked,
                ratio=ratio,
            ),
        }

    @api.model
    def _next_trip_sql(self, today):
        """The next booked departure; else, except for lost clients, the
        client's season: the last departure plus the usual time between trips
        (:meth:`_trip_gap_sql`; a calendar year after a single trip), moved by
        whole calendar years to today or after (an anniversary falling today is
        today's). Returns the columns ``next_base`` and ``years_on`` (of
        ``classed``) and the expression of the date over them.

        ``years_on`` is the difference of the calendar years of today and of
        ``next_base``: ``next_base`` moved by it falls in today's year, and is
        moved by one more year when that is before today. A year is added as
        PostgreSQL's ``interval '1 year'`` does (29 February on 28 February),
        as ``relativedelta(years=1)`` does."""
        next_base = SQL(
            """CASE WHEN trip_count >= 2 THEN last_trip + ROUND(gap)::int
                    ELSE (last_trip + interval '1 year')::date END"""
        )
        columns = SQL(
            """%(next_base)s AS next_base,
               GREATEST(%(year)s - EXTRACT(YEAR FROM %(next_base)s)::int, 0)
                   AS years_on""",
            next_base=next_base,
            year=today.year,
        )
        next_trip = SQL(
            """CASE WHEN trip_count = 0 THEN NULL
                    WHEN next_booked IS NOT NULL THEN next_booked
                    WHEN lifecycle = 'lost' THEN NULL
                    WHEN next_base + make_interval(years => years_on) >= %(today)s
                        THEN (next_base + make_interval(years => years_on))::date
                    ELSE (next_base + make_interval(years => years_on + 1))::date
               END""",
            today=today,
        )
        return columns, next_trip

    @api.model
    def _clv_sql(self, params):
        """Predicted CLV: margin per year of the client x expected remaining
        years (Settings); 0 for lost clients."""
        today = params["today"]
        return SQL(
            """CASE WHEN trip_count = 0 OR lifecycle = 'lost' THEN 0
                    ELSE ROUND(margin / GREATEST(
                        (EXTRACT(YEAR FROM AGE(%(today)s, first_trip)) * 12
                         + EXTRACT(MONTH FROM AGE(%(today)s, first_trip)))
                        / 12.0, 1) * %(clv_years)s, 2) END""",
            today=today,
            clv_years=params["company"].sputnik_clv_years,
        )

    @api.model
    def _tier_sql(self):
        """The highest loyalty tier whose trips and margin the client has."""
        # sudo: every tier counts in the classification, whatever the user
        # triggering it may read (private; figures written in SQL)
        tiers = (
            self.env["sputnik.loyalty.tier"]
            .sudo()
            .search([], order="sequence desc, id desc")
        )
        if not tiers:
            return SQL("NULL::int")
        return SQL(
            "CASE WHEN trip_count > 0 THEN CASE %s END END",
            SQL(" ").join(
                SQL(
                    "WHEN trip_count >= %s AND margin >= %s THEN %s",
                    tier.min_trips,
                    tier.min_margin,
                    tier.id,
                )
                for tier in tiers
            ),
        )

    @api.model
    def _overrides_sql(self, partner_ids=None):
        """The classes set by a manager, per client (of ``partner_ids``, None:
        all)."""
        return SQL(
            """
            SELECT partner_id,
                   MAX(lifecycle) FILTER (WHERE dimension = 'lifecycle')
                       AS lifecycle,
                   MAX(rfm_segment) FILTER (WHERE dimension = 'rfm_segment')
                       AS rfm_segment,
                   MAX(abc) FILTER (WHERE dimension = 'abc') AS abc,
                   MAX(xyz) FILTER (WHERE dimension = 'xyz') AS xyz,
                   MAX(tier_id) FILTER (WHERE dimension = 'tier') AS tier_id
              FROM sputnik_client_class_override
             WHERE active
               AND %s
          GROUP BY partner_id
            """,
            SQL("TRUE")
            if partner_ids is None
            else SQL("partner_id = ANY(%s)", partner_ids),
        )
