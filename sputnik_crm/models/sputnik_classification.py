import time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import format_amount

# Advisory locks: one full run at a time; full runs and one-client updates
# exclude each other (one-client updates run side by side).
LOCK_FULL_RUN = 0x53504E4B01
LOCK_CLASSES = 0x53504E4B02
# Column written by the classification -> SQL expression over the `calc` row.
FIGURES = {
    "sputnik_trip_count": "calc.trip_count",
    "sputnik_first_trip_date": "calc.first_trip",
    "sputnik_last_trip_date": "calc.last_trip",
    "sputnik_last_return_date": "calc.last_return",
    "sputnik_revenue_total": "calc.revenue",
    "sputnik_margin_total": "calc.margin",
    "sputnik_avg_booking_value": "calc.avg_value",
    "sputnik_clv_predicted": "calc.clv_predicted",
    "sputnik_rfm_frequency": "calc.frequency",
    "sputnik_rfm_monetary": "calc.monetary",
    "sputnik_rfm_revenue": "calc.window_revenue",
    "sputnik_rfm_r": "calc.r",
    "sputnik_rfm_f": "calc.f",
    "sputnik_rfm_m": "calc.m",
    "sputnik_spend_cv": "calc.spend_cv",
    "sputnik_paid_invoice_count": "calc.invoice_count",
    "sputnik_paid_on_time_rate": "calc.on_time_rate",
    "sputnik_avg_days_late": "calc.days_late",
    "sputnik_churn_risk": "calc.churn_risk",
    "sputnik_next_trip_date": "calc.next_trip",
    "sputnik_next_trip_booked": "calc.next_booked IS NOT NULL",
    # the classes, possibly overridden
    "sputnik_lifecycle": "COALESCE(ov.lifecycle, calc.lifecycle)",
    "sputnik_rfm_segment": "COALESCE(ov.rfm_segment, calc.rfm_segment)",
    "sputnik_abc": "COALESCE(ov.abc, calc.abc)",
    "sputnik_xyz": "COALESCE(ov.xyz, calc.xyz)",
    "sputnik_tier_id": "COALESCE(ov.tier_id, calc.tier_id)",
}
# Override dimension -> client column of the class.
CLASSES = {
    "lifecycle": "sputnik_lifecycle",
    "rfm_segment": "sputnik_rfm_segment",
    "abc": "sputnik_abc",
    "xyz": "sputnik_xyz",
    "tier": "sputnik_tier_id",
}


class SputnikClassification(models.AbstractModel):
    """The classification of the clients: their figures (trips, revenue,
    margin, payments) and classes (status, RFM, ABC, XYZ, churn risk, next
    trip, predicted value, loyalty tier), computed in SQL for the whole base
    or for some clients and written where they changed, with a history line
    per class change.

    One entry point, :meth:`_classify`. The query is built from named pieces:
    the figures (:meth:`_figures_query`: clients, trips, payments), the cuts
    of the base (:meth:`_cuts`: computed by a full run and stored on its run,
    read back by the updates of some clients), the classes (:meth:`_changes_query`,
    one method per class) and the write (:meth:`_apply_query`). The trips are
    those of ``sputnik.trip``; the status rule (:meth:`_status_sql`) is the one
    the client dynamics report applies month by month.
    """

    _name = "sputnik.classification"
    _description = "Client Classification"

    # === ENTRY POINT === #
    @api.model
    def _classify(self, partners=None, source="cron"):
        """Classify ``partners`` (their commercial entities) now, against the
        cuts of the last full run (see :meth:`_cuts`), or the whole base
        (``partners`` None).

        A run over the whole base is logged and returns its
        ``sputnik.classification.run``, or None when another full run holds
        the lock; a run over some clients returns its counts (a dict)."""
        full = partners is None
        cr = self.env.cr
        if full:
            cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", LOCK_FULL_RUN))
            if not cr.fetchone()[0]:
                return None
            partner_ids = None
        else:
            partner_ids = partners.commercial_partner_id.ids
            if not partner_ids:
                return {}
        started = time.perf_counter()
        Partner = self.env["res.partner"]
        self.env.flush_all()
        self._open_session(full)
        params = self._params()
        if full:
            # the figures grouped by a sort rather than a hash: a hash of a
            # million clients' numeric sums outgrows work_mem and spills to
            # disk, a sort stays within it (1m-client base: 28 s -> 23 s,
            # bench/README.md; the same at 100k)
            cr.execute(SQL("SET LOCAL enable_hashagg = off"))
            client_count = self._fill(
                "sputnik_classify_figures", self._figures_query(None, params)
            )
            cr.execute(SQL("SET LOCAL enable_hashagg TO DEFAULT"))
            cuts = self._cuts(None, params)
            self._fill("sputnik_classify_changes", self._changes_query(params, cuts))
            cr.execute(SQL("ANALYZE sputnik_classify_changes"))
            cr.execute(self._apply_query(source))
            changed_count, history_count = cr.fetchone()
        else:
            client_count, changed_count, history_count = self._classify_some(
                partner_ids, params, source
            )
        Partner.invalidate_model(list(FIGURES) + ["write_date", "write_uid"])
        self.env["sputnik.client.class.history"].invalidate_model()
        self._close_session(full)
        Partner.invalidate_model(["sputnik_next_trip_call_date"])
        stats = {
            "client_count": client_count,
            "changed_count": changed_count,
            "history_count": history_count,
        }
        if not full:
            return stats
        # sudo: the run log is written by the system only (managers read it);
        # private, reached from the cron or after the manager check of
        # _action_classify
        return (
            self.env["sputnik.classification.run"]
            .sudo()
            .create(
                {
                    "date": fields.Datetime.now(),
                    "source": source,
                    "user_id": self.env.uid,
                    "company_id": self.env.company.id,
                    "duration": time.perf_counter() - started,
                    "cuts": self._cuts_record(cuts, params),
                    **stats,
                }
            )
        )

    @api.model
    def _action_classify(self):
        """A manager's run over the whole base, reported in a notification."""
        if not self.env.su and not self.env.user.has_group(
            "sputnik_crm.group_sputnik_manager"
        ):
            raise AccessError(
                self.env._("Only Sputnik managers run the classification.")
            )
        run = self._classify(source="manual")
        if run is None:
            raise UserError(
                self.env._(
                    "The classification is running already (nightly or started by "
                    "another manager). Try again in a moment."
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Clients classified"),
                "message": self.env._(
                    "%(clients)s clients classified in %(seconds)s s: %(changed)s "
                    "changed, %(history)s class changes recorded.",
                    clients=run.client_count,
                    seconds=round(run.duration, 2),
                    changed=run.changed_count,
                    history=run.history_count,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # === RUN === #
    @api.model
    def _params(self):
        """The day and the settings of a run (those of the current company)."""
        company = self.env.company
        today = fields.Date.context_today(self)
        return {
            "company": company,
            "today": today,
            "window": today - relativedelta(months=company.sputnik_rfm_months),
            "dormant": today - relativedelta(months=company.sputnik_dormant_months),
            "lost": today - relativedelta(months=company.sputnik_lost_months),
            "xyz_years": company.sputnik_xyz_years,
        }

    @api.model
    def _open_session(self, full):
        """Take the classes' lock: alone for a full run, shared by one-client
        updates."""
        cr = self.env.cr
        if full:
            # one pass over the base: big hash aggregates, no JIT compilation
            cr.execute(SQL("SET LOCAL work_mem = '256MB'"))
            cr.execute(SQL("SET LOCAL jit = off"))
            lock = "pg_advisory_xact_lock"
        else:
            lock = "pg_advisory_xact_lock_shared"
        cr.execute(SQL("SELECT %s(%s)", SQL(lock), LOCK_CLASSES))

    @api.model
    def _close_session(self, full):
        if full:
            cr = self.env.cr
            cr.execute(
                SQL("DROP TABLE sputnik_classify_figures, sputnik_classify_changes")
            )
            cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
            cr.execute(SQL("SET LOCAL jit TO DEFAULT"))

    @api.model
    def _classify_some(self, partner_ids, params, source):
        """Classify the clients ``partner_ids`` (as on a booking or a paid
        invoice) in one statement, and their cuts in one more when they are
        read from the base; return the counts of clients, rows written and
        history lines.

        The figures and the changes are common table expressions named after
        the full run's tables, which the queries of the cuts, the changes and
        the write read: no temporary table is created and dropped by the
        request (catalog writes at every confirmation or cancellation)."""
        cr = self.env.cr
        figures = SQL(
            "sputnik_classify_figures AS MATERIALIZED (%s)",
            self._figures_query(partner_ids, params),
        )
        # the cuts of the last full run, or of the base now (see _cuts)
        cuts = self._stored_cuts(params)
        if not cuts:
            cr.execute(
                SQL(
                    "WITH %s SELECT * FROM (%s) cuts",
                    figures,
                    self._cuts_query(partner_ids, params),
                )
            )
            cuts = cr.dictfetchone()
        changes = SQL(
            "sputnik_classify_changes AS MATERIALIZED (SELECT * FROM (%s) changes)",
            self._changes_query(params, cuts, partner_ids),
        )
        cr.execute(
            self._apply_query(
                source,
                tables=SQL("%s, %s,", figures, changes),
                client_count=SQL("(SELECT COUNT(*) FROM sputnik_classify_figures)"),
            )
        )
        changed_count, history_count, client_count = cr.fetchone()
        return client_count, changed_count, history_count

    @api.model
    def _fill(self, table, query):
        """Put the rows of ``query`` in the temporary ``table`` of a full run
        (created from the query, a plan that may run in parallel, and dropped
        at the end); return their count. An update of some clients uses no
        table (see :meth:`_classify_some`)."""
        cr = self.env.cr
        name = SQL.identifier(table)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", name))
        cr.execute(SQL("CREATE TEMP TABLE %s ON COMMIT DROP AS %s", name, query))
        return cr.rowcount

    # === FIGURES === #
    @api.model
    def _figures_query(self, partner_ids, params):
        """One row per client (of ``partner_ids``, None: all): the figures of
        their trips and of their invoices' payments."""
        return SQL(
            """
            WITH client AS (%(clients)s),
            trip_agg AS (%(trips)s),
            %(payments)s
            SELECT client.id AS partner_id,
                   COALESCE(t.trip_count, 0) AS trip_count,
                   t.first_trip, t.last_trip, t.last_return, t.next_booked,
                   ROUND(COALESCE(t.revenue, 0), 2) AS revenue,
                   ROUND(COALESCE(t.margin, 0), 2) AS margin,
                   COALESCE(t.frequency, 0) AS frequency,
                   ROUND(COALESCE(t.monetary, 0), 2) AS monetary,
                   ROUND(COALESCE(t.window_revenue, 0), 2) AS window_revenue,
                   %(spend_cv)s AS spend_cv,
                   COALESCE(pay.invoice_count, 0) AS invoice_count,
                   ROUND(100.0 * pay.on_time_count / NULLIF(pay.invoice_count, 0), 1)
                       AS on_time_rate,
                   ROUND(pay.days_late, 1) AS days_late
              FROM client
         LEFT JOIN trip_agg t ON t.partner_id = client.id
        CROSS JOIN LATERAL (%(spend)s) spend
         LEFT JOIN payment pay ON pay.partner_id = client.id
            """,
            clients=self._clients_sql(partner_ids),
            trips=self._trips_sql(partner_ids, params),
            payments=self._payments_sql(partner_ids, params),
            spend=self._spend_sql(params["xyz_years"]),
            spend_cv=self._spend_cv_sql(),
        )

    @api.model
    def _clients_sql(self, partner_ids):
        """The clients classified: commercial entities, active, customers
        (not only suppliers), not a company of the database."""
        return SQL(
            """
            SELECT p.id
              FROM res_partner p
             WHERE p.commercial_partner_id = p.id
               AND p.active
               AND p.partner_share
               AND (COALESCE(p.customer_rank, 0) > 0
                    OR COALESCE(p.supplier_rank, 0) = 0)
               AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
               AND %s
            """,
            SQL("TRUE") if partner_ids is None else SQL("p.id = ANY(%s)", partner_ids),
        )

    @api.model
    def _trips_sql(self, partner_ids, params):
        """Per client, the figures of their trips (``sputnik.trip``): all of
        them, those that returned in the RFM window, and the spend of each of
        the XYZ years by departure (see :meth:`_year_back_sql`)."""
        today = params["today"]
        trips = self.env["sputnik.trip"]._sputnik_trip_sql(
            None
            if partner_ids is None
            else SQL("so.sputnik_client_id = ANY(%s)", partner_ids)
        )
        return SQL(
            """
            SELECT trip.partner_id,
                   COUNT(*) AS trip_count,
                   MIN(trip.date_start) AS first_trip,
                   MAX(trip.date_start) AS last_trip,
                   MAX(trip.date_end) AS last_return,
                   MIN(trip.date_start) FILTER (WHERE trip.date_start > %(today)s)
                       AS next_booked,
                   SUM(trip.revenue) AS revenue,
                   SUM(trip.margin) AS margin,
                   COUNT(*) FILTER (WHERE trip.date_end >= %(window)s) AS frequency,
                   COALESCE(SUM(trip.margin)
                       FILTER (WHERE trip.date_end >= %(window)s), 0) AS monetary,
                   COALESCE(SUM(trip.revenue)
                       FILTER (WHERE trip.date_end >= %(window)s), 0)
                       AS window_revenue,
                   %(spend_columns)s
              FROM (%(trips)s) trip
        CROSS JOIN LATERAL (SELECT %(year_back)s AS year_back) v
          GROUP BY trip.partner_id
            """,
            trips=trips,
            today=today,
            window=params["window"],
            year_back=self._year_back_sql(SQL("trip.date_start"), params),
            spend_columns=self._spend_columns_sql(params["xyz_years"]),
        )

    @api.model
    def _year_back_sql(self, date, params):
        """XYZ: the year back ``date`` falls in, in calendar years: 0 for the
        last 12 months (after the same day a year ago, up to today, as the
        dashboard's "Last 12 Months"), 1 for the 12 months before, and so on;
        ``xyz_years`` or more before them, None after today. A year back is
        ``relativedelta(years=1)``, as PostgreSQL's ``interval '1 year'``
        (from 29 February, 28 February): so a trip on the day exactly a
        year back belongs to year 1, whatever 29 February lies between."""
        today = params["today"]
        years = params["xyz_years"]
        return SQL(
            "CASE WHEN %s > %s THEN NULL %s ELSE %s END",
            date,
            today,
            SQL(" ").join(
                SQL(
                    "WHEN %s > %s THEN %s",
                    date,
                    today - relativedelta(years=year + 1),
                    year,
                )
                for year in range(years)
            ),
            years,
        )

    @api.model
    def _payments_sql(self, partner_ids, params):
        """The ``invoice_payment`` and ``payment`` CTEs: per client, the posted
        customer invoices rated (paid, or open and overdue), those paid on
        time, and their average days late: per invoice, as the payment
        discipline report and the dashboard count it, (paid on, or today while
        open) - due date, at least 0."""
        if partner_ids is None:
            move_filter = line_filter = SQL("TRUE")
        else:
            # the clients' customer invoices, by their index (account.move)
            move_filter = SQL("invoice.commercial_partner_id = ANY(%s)", partner_ids)
            line_filter = SQL(
                """term_line.move_id IN (
                       SELECT id FROM account_move
                        WHERE commercial_partner_id = ANY(%s)
                          AND move_type = 'out_invoice' AND state = 'posted')""",
                partner_ids,
            )
        return SQL(
            """
            invoice_payment AS (
                SELECT term_line.move_id, MAX(part.max_date) AS payment_date
                  FROM account_partial_reconcile part
                  JOIN account_move_line term_line
                       ON term_line.id = part.debit_move_id
                 WHERE term_line.display_type = 'payment_term'
                   AND %(line_filter)s
              GROUP BY term_line.move_id
            ),
            payment AS (
                SELECT invoice.commercial_partner_id AS partner_id,
                       COUNT(*) AS invoice_count,
                       COUNT(*) FILTER (
                           WHERE paid.payment_date <= invoice.invoice_date_due
                       ) AS on_time_count,
                       AVG(GREATEST(COALESCE(paid.payment_date, %(today)s)
                                    - invoice.invoice_date_due, 0)) AS days_late
                  FROM account_move invoice
             LEFT JOIN invoice_payment paid
                       ON paid.move_id = invoice.id
                      AND invoice.payment_state IN ('paid', 'in_payment')
                 WHERE invoice.move_type = 'out_invoice'
                   AND invoice.state = 'posted'
                   AND invoice.invoice_date_due IS NOT NULL
                   AND %(move_filter)s
                   AND (paid.payment_date IS NOT NULL
                        OR (invoice.amount_residual_signed != 0
                            AND invoice.payment_state NOT IN ('paid', 'in_payment',
                                                              'reversed')
                            AND invoice.invoice_date_due < %(today)s))
              GROUP BY invoice.commercial_partner_id
            )
            """,
            line_filter=line_filter,
            move_filter=move_filter,
            today=params["today"],
        )

    # === STATUS RULE === #
    @api.model
    def _status_sql(self, last_return, dormant_since, lost_since):
        """The status rule, written once (the lifecycle of the classification,
        the statuses of the client dynamics report): ``'none'`` without a
        trip, ``'active'`` when the last return is on or after
        ``dormant_since`` (the day the dormancy months of the company before
        the date of the status: so a client travelling or booked ahead too),
        ``'dormant'`` when it is on or after ``lost_since``, else ``'lost'``.
        Each argument an ``SQL`` expression or a date."""
        return SQL(
            """CASE WHEN %(last_return)s IS NULL THEN 'none'
                    WHEN %(last_return)s >= %(dormant)s THEN 'active'
                    WHEN %(last_return)s >= %(lost)s THEN 'dormant'
                    ELSE 'lost' END""",
            last_return=last_return,
            dormant=dormant_since,
            lost=lost_since,
        )

    # === WRITE === #
    @api.model
    def _apply_query(self, source, tables=None, client_count=None):
        """Write the changed rows, and a history line where a class changed;
        returns the counts of rows written and history lines (and
        ``client_count``, an SQL expression, when given). ``tables``: the
        common table expressions of the figures and changes, ending with a
        comma, when they are not temporary tables."""
        classes = list(CLASSES.values())
        return SQL(
            """
            WITH %(tables)s upd AS (
                UPDATE res_partner p
                   SET %(assign)s,
                       write_date = (now() AT TIME ZONE 'UTC'),
                       write_uid = %(uid)s
                  FROM sputnik_classify_changes c
                 WHERE p.id = c.partner_id
             RETURNING p.id
            ),
            history AS (
                INSERT INTO sputnik_client_class_history (
                    partner_id, date, source,
                    lifecycle_old, lifecycle_new, rfm_segment_old, rfm_segment_new,
                    abc_old, abc_new, xyz_old, xyz_new, tier_old_id, tier_new_id,
                    lifecycle_changed, segment_changed,
                    abc_changed, xyz_changed, tier_changed,
                    create_uid, create_date, write_uid, write_date)
                SELECT c.partner_id, now() AT TIME ZONE 'UTC', %(source)s,
                       c.old_sputnik_lifecycle, c.sputnik_lifecycle,
                       c.old_sputnik_rfm_segment, c.sputnik_rfm_segment,
                       c.old_sputnik_abc, c.sputnik_abc,
                       c.old_sputnik_xyz, c.sputnik_xyz,
                       c.old_sputnik_tier_id, c.sputnik_tier_id,
                       c.old_sputnik_lifecycle IS DISTINCT FROM c.sputnik_lifecycle,
                       c.old_sputnik_rfm_segment
                           IS DISTINCT FROM c.sputnik_rfm_segment,
                       c.old_sputnik_abc IS DISTINCT FROM c.sputnik_abc,
                       c.old_sputnik_xyz IS DISTINCT FROM c.sputnik_xyz,
                       c.old_sputnik_tier_id IS DISTINCT FROM c.sputnik_tier_id,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM sputnik_classify_changes c
                 WHERE ROW(%(old)s) IS DISTINCT FROM ROW(%(new)s)
             RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM history)
                   %(client_count)s
            """,
            tables=tables or SQL(),
            client_count=SQL(", %s", client_count) if client_count else SQL(),
            assign=SQL(", ").join(
                SQL("%s = c.%s", SQL.identifier(name), SQL.identifier(name))
                for name in FIGURES
            ),
            old=SQL(", ").join(
                SQL("c.%s", SQL.identifier(f"old_{column}")) for column in classes
            ),
            new=SQL(", ").join(
                SQL("c.%s", SQL.identifier(column)) for column in classes
            ),
            uid=self.env.uid,
            source=source,
        )

    # === EXPLANATION === #
    @api.model
    def _reasons(self, partner, company):
        """The sentences of the client's "Why These Classes": each class, the
        figures and the settings behind it, and the overrides."""
        _ = self.env._

        def amount(value):
            return format_amount(self.env, value, company.currency_id)

        def label(name):
            return dict(partner._fields[name]._description_selection(self.env)).get(
                partner[name]
            )

        reasons = []
        status = partner.sputnik_lifecycle
        trips = partner.sputnik_trip_count
        if status == "prospect":
            reasons.append(_("Status Prospect: no confirmed trip yet."))
        elif status in ("lost", "dormant"):
            reasons.append(
                _(
                    "Status %(status)s: last return on %(date)s, %(days)s days ago "
                    "(dormant after %(dormant)s months, lost after %(lost)s).",
                    status=label("sputnik_lifecycle"),
                    date=partner.sputnik_last_return_date,
                    days=partner.sputnik_recency_days,
                    dormant=company.sputnik_dormant_months,
                    lost=company.sputnik_lost_months,
                )
            )
        else:
            reasons.append(
                _(
                    "Status %(status)s: trips %(trips)s, margin %(margin)s (regular "
                    "from %(regular)s trips, VIP from %(vip)s trips or %(vip_margin)s "
                    "margin).",
                    status=label("sputnik_lifecycle"),
                    trips=trips,
                    margin=amount(partner.sputnik_margin_total),
                    regular=company.sputnik_regular_trips,
                    vip=company.sputnik_vip_trips,
                    vip_margin=amount(company.sputnik_vip_margin),
                )
            )
        if trips:
            reasons.append(
                _(
                    "RFM %(r)s-%(f)s-%(m)s, %(segment)s: %(days)s days since the last "
                    "return; in the last %(months)s months, trips %(freq)s and margin "
                    "%(monetary)s. Recency and margin are scored 1-5 by their rank in "
                    "the base (equal values share the middle of their ranks), trips "
                    "by band: 1, 2, 3-4, 5-7, 8 and more.",
                    r=partner.sputnik_rfm_r,
                    f=partner.sputnik_rfm_f,
                    m=partner.sputnik_rfm_m,
                    segment=label("sputnik_rfm_segment"),
                    days=partner.sputnik_recency_days,
                    freq=partner.sputnik_rfm_frequency,
                    monetary=amount(partner.sputnik_rfm_monetary),
                    months=company.sputnik_rfm_months,
                )
            )
            reasons.append(
                _(
                    "Class %(abc)s: ranked by that margin, class A clients make the "
                    "first %(a)s %% of the base's margin, class B the next %(b)s %%.",
                    abc=label("sputnik_abc"),
                    a=company.sputnik_abc_a,
                    b=company.sputnik_abc_b,
                )
            )
        if partner.sputnik_xyz:
            reasons.append(
                _(
                    "Class %(xyz)s: the yearly spend of the last %(years)s years "
                    "varies by %(cv)s %% (X up to %(x)s %%, Y up to %(y)s %%).",
                    xyz=label("sputnik_xyz"),
                    years=company.sputnik_xyz_years,
                    cv=partner.sputnik_spend_cv,
                    x=company.sputnik_xyz_x,
                    y=company.sputnik_xyz_y,
                )
            )
        if partner.sputnik_tier_id:
            tier = partner.sputnik_tier_id
            reasons.append(
                _(
                    "Tier %(tier)s: from %(trips)s trips and %(margin)s margin.",
                    tier=tier.name,
                    trips=tier.min_trips,
                    margin=amount(tier.min_margin),
                )
            )
        for override in partner.sputnik_class_override_ids:
            reasons.append(
                _(
                    "%(dimension)s set to %(value)s by %(user)s: %(reason)s",
                    dimension=dict(
                        override._fields["dimension"]._description_selection(self.env)
                    ).get(override.dimension),
                    value=override.value_display,
                    user=override.user_id.name,
                    reason=override.reason,
                )
            )
        return reasons

    # === FIGURES READ LIVE === #
    @api.model
    def _recency_and_churn(self, partners, today):
        """``{partner: (recency days, churn score)}`` of ``partners`` as of
        ``today``, from their stored figures: the recency and churn rules of
        the classification, in one query for all of them."""
        if not partners:
            return {}
        rows = SQL(", ").join(
            SQL(
                "(%s, %s::int, %s::date, %s::date, %s::date, %s::varchar, %s)",
                index,
                partner.sputnik_trip_count,
                partner.sputnik_first_trip_date or None,
                partner.sputnik_last_trip_date or None,
                partner.sputnik_last_return_date or None,
                partner.sputnik_lifecycle or None,
                bool(partner.sputnik_next_trip_booked),
            )
            for index, partner in enumerate(partners)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH figures AS (
                    SELECT client.*, %(recency)s AS recency, %(gap)s AS gap
                      FROM (VALUES %(rows)s) AS client(
                           position, trip_count, first_trip, last_trip,
                           last_return, lifecycle, booked)
                )
                SELECT position, COALESCE(recency, 0), %(score)s
                  FROM figures
                """,
                recency=self._recency_sql(SQL("last_return"), today),
                gap=self._trip_gap_sql(),
                rows=rows,
                score=self._churn_sql(SQL("booked"))["score"],
            )
        )
        return {
            partners[index]: (recency, int(score))
            for index, recency, score in self.env.cr.fetchall()
        }
