import logging
import time
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

# the request changed money: its money reports are refreshed after its commit
MONEY_REFRESH_AFTER_COMMIT = "sputnik_money_refresh"
# set on the transaction (never by a request) by the booking confirmation and
# cancellation: see sale.order._action_confirm
MONEY_WITHIN_A_MINUTE = "sputnik_money_within_a_minute"
# key1 of the advisory locks that keep two refreshes of a stored report from
# running at once (key2: the oid of the report's view); no other lock of the
# database uses it
REFRESH_LOCK_SPACE = 0x5E70
# above this many clients queued, a report kept by client is computed whole
# (on the 100,000-client base, the seven reports kept by client: 1,000
# clients 2.7 s, 10,000 clients 4.7 s, all of them whole about 17 s)
REFRESH_WHOLE_ABOVE = 30000
# how long a refresh after a commit waits for a lock on the report's view
# (a refresh that does not take the advisory lock, a schema change)
MONEY_REFRESH_LOCK_TIMEOUT = "2s"


class SputnikReportMixin(models.AbstractModel):
    """What the SQL reports share: their view, and the settings of the queries
    that aggregate them."""

    _name = "sputnik.report.mixin"
    _description = "Sputnik Report"

    # Stored reports keep their rows in a table, computed whole by
    # _sputnik_refresh (every hour, on demand, at install and upgrade) instead
    # of at each reading: for the reports too large to compute from the
    # documents while a user waits (a grid of every client and month, every
    # booked seat, interaction or trip of the years read).
    _sputnik_stored = False
    # The column of a stored report by which its rows follow a client (the
    # commercial partner, ``res.partner``): the report's rows of a client
    # depend on that client's documents only, and the report's SQL restricted
    # to some clients (``WHERE column IN (...)`` around it) gives exactly their
    # rows. Such a report is kept fresh client by client: the documents'
    # changes queue their clients (sputnik.report.queue) and
    # _sputnik_refresh_queue computes again the rows of the queued clients
    # only, within the minute. Empty: the report is computed whole only.
    _sputnik_refresh_key = None
    # A stored report whose rows add up rows of its clients (the grid of
    # every client and month, the events of every agent): the rows of each
    # client are kept in a table of their own, the report's layer
    # (_sputnik_layer_table, one row per client and whatever the report
    # counts, computed by _sputnik_layer_query), and the report's rows are
    # their sums (_sputnik_from_layer). Kept fresh by client as the others
    # (``_sputnik_refresh_key`` is the layer's client column): the layer rows
    # of the queued clients are computed again, and the difference between
    # their old and new rows is added to the report's rows, so that a change
    # costs its clients' rows, not a grouping of the whole base. The measures
    # summed so (the report's rows hold their sums); a report row whose
    # _sputnik_layer_count falls to 0 counts no layer row any more and goes.
    _sputnik_layer_sums = ()
    _sputnik_layer_count = None

    # A stored report that accountants act on (kept by client: the queue is
    # run as soon as the request that posts an invoice or matches a payment
    # has committed, see _sputnik_money_changed).
    _sputnik_money = False

    # The rates of a report, each {field: (numerator, denominator, factor)}: a
    # group's value (a pivot's cell, a grouped list's total) is the ratio of
    # the group's sums, never the average of its rows' ratios, as
    # ``purchase.report`` does for its average price. A numerator or
    # denominator is a field or a list of fields added ("-field" subtracted).
    _sputnik_ratios = {}

    @api.model
    def _sputnik_ratio_sql(self, fname, column):
        """The SQL of the rate ``fname`` (see _sputnik_ratios) from the SQL
        ``column(name)`` of each field it reads."""
        numerator, denominator, factor = self._sputnik_ratios[fname]

        def total(names):
            terms = SQL(" + ").join(
                SQL(
                    "%s COALESCE(%s, 0)",
                    SQL("-") if name.startswith("-") else SQL(""),
                    column(name.lstrip("-")),
                )
                for name in ([names] if isinstance(names, str) else names)
            )
            return SQL("(%s)", terms)

        return SQL(
            "%s * %s / NULLIF(%s, 0)", factor, total(numerator), total(denominator)
        )

    def _read_group_select(self, aggregate_spec, query):
        fname, __, __ = aggregate_spec.partition(":")
        if fname not in self._sputnik_ratios:
            return super()._read_group_select(aggregate_spec, query)
        return self._sputnik_ratio_sql(
            fname,
            lambda name: SQL("SUM(%s)", self._field_to_sql(self._table, name, query)),
        )

    @api.model
    def _sputnik_with_row_ratios(self, query):
        """``query`` with the rates of each row computed from the row's own
        figures (the query may leave them empty: they are the group's business
        in _read_group_select)."""
        if not self._sputnik_ratios:
            return query
        self.env.cr.execute(SQL("SELECT * FROM (%s) AS report_row LIMIT 0", query))
        columns = [
            SQL("report_row.%s", SQL.identifier(description.name))
            for description in self.env.cr.description
            if description.name not in self._sputnik_ratios
        ]
        ratios = [
            SQL(
                "%s AS %s",
                self._sputnik_ratio_sql(
                    fname, lambda name: SQL("report_row.%s", SQL.identifier(name))
                ),
                SQL.identifier(fname),
            )
            for fname in self._sputnik_ratios
        ]
        return SQL(
            "SELECT %s FROM (%s) AS report_row",
            SQL(", ").join(columns + ratios),
            query,
        )

    @api.model
    def _sputnik_analytic_session(self):
        """Aggregates over the large report views: PostgreSQL's JIT compilation
        costs them more (1-1.5 s a query on a large base) than it saves. For the
        rest of the transaction only."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        """Groups in the order Odoo gives them, obtained more cheaply.

        Grouped by a many2one in the default order (what ``read_group`` asks
        for the pivots), Odoo joins the comodel and groups every row by the
        columns of its order (a user's name and login): the rows are sorted
        before they are grouped. Here the rows are grouped by the key only,
        and the groups, a few dozen, sorted in Python in the same order: each
        many2one by its comodel's order, any other key by value, empty values
        last."""
        self._sputnik_analytic_session()
        groupby = tuple(groupby)
        relational = {
            index
            for index, spec in enumerate(groupby)
            if spec in self._fields and self._fields[spec].type == "many2one"
        }
        if not (relational and order == ",".join(groupby) and not limit and not offset):
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )
        rows = super()._read_group(domain, groupby, aggregates, having)
        ranks = {}
        for index in relational:
            # sudo: only the order of the group keys (ids already in the
            # user's rows) is read, as Odoo's own join would rank them
            comodel = self.env[self._fields[groupby[index]].comodel_name].sudo()
            ids = {row[index].id for row in rows if row[index]}
            ordered = comodel.with_context(active_test=False).search(
                [("id", "in", list(ids))]
            )
            ranks[index] = {
                record_id: rank for rank, record_id in enumerate(ordered.ids)
            }

        booleans = {
            index
            for index, spec in enumerate(groupby)
            if spec in self._fields and self._fields[spec].type == "boolean"
        }

        def key(row):
            parts = []
            for index, value in enumerate(row[: len(groupby)]):
                if index in ranks:
                    parts.append(
                        (not value, ranks[index].get(value.id, 0) if value else 0)
                    )
                elif index in booleans:
                    parts.append((False, bool(value)))
                else:
                    empty = value is None or value is False
                    parts.append((empty, 0 if empty else value))
            return parts

        return sorted(rows, key=key)

    def _sputnik_create_view(self, query):
        """(Re)create the report's view from ``query``; for a stored report, its
        table, computed now, with a unique index on ``id``, one on its
        ``_sputnik_refresh_key`` and one on each column of
        ``_sputnik_indexes``.

        A stored report's table was a materialized view before: the view is
        dropped and the table created in its place (at the upgrade)."""
        cr = self.env.cr
        tools.drop_view_if_exists(cr, self._table)
        query = self._sputnik_with_row_ratios(query)
        if not self._sputnik_stored:
            cr.execute(
                SQL(
                    "CREATE OR REPLACE VIEW %s AS (%s)",
                    SQL.identifier(self._table),
                    query,
                )
            )
            return
        self._sputnik_analytic_session()
        columns = ("id", *self._sputnik_indexes)
        if self._sputnik_layer_sums:
            # the layer first, the report's rows then from its sums
            layer = self._sputnik_layer_table()
            self._sputnik_create_table(
                layer,
                self._sputnik_layer_query(),
                ("id", self._sputnik_refresh_key, *self._sputnik_layer_indexes),
            )
            query = self._sputnik_with_row_ratios(
                self._sputnik_from_layer(SQL.identifier(layer))
            )
        elif self._sputnik_refresh_key and self._sputnik_refresh_key not in columns:
            columns += (self._sputnik_refresh_key,)
        self._sputnik_create_table(self._table, query, columns)

    @api.model
    def _sputnik_create_table(self, table, query, columns):
        """(Re)create the table ``table`` from ``query``, computed now, with an
        index on each of ``columns`` (unique on ``id``)."""
        cr = self.env.cr
        if sql.table_kind(cr, table) == sql.TableKind.Regular:
            cr.execute(SQL("DROP TABLE %s", SQL.identifier(table)))
        cr.execute(SQL("CREATE TABLE %s AS (%s)", SQL.identifier(table), query))
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        for column in columns:
            cr.execute(
                SQL(
                    "CREATE %s INDEX %s ON %s (%s)",
                    SQL("UNIQUE") if column == "id" else SQL(),
                    SQL.identifier(f"{table}_{column}_index"),
                    SQL.identifier(table),
                    SQL.identifier(column),
                )
            )

    # the columns of a layered report's layer that get an index
    _sputnik_layer_indexes = ()

    @api.model
    def _sputnik_layer_table(self):
        """The table of a layered report's layer (see _sputnik_layer_sums)."""
        return f"{self._table}_client"

    @api.model
    def _sputnik_layer_query(self, keys=None):
        """A layered report's layer: its rows computed from the documents,
        with a unique ``id`` and the client column ``_sputnik_refresh_key``;
        of the clients ``keys`` only (exactly their rows of the whole
        computation), or of every client (None)."""
        raise NotImplementedError(self._name)

    @api.model
    def _query(self):
        """A layered report's rows computed from the documents: the sums of
        its layer as computed now."""
        assert self._sputnik_layer_sums, self._name
        return self._sputnik_from_layer(SQL("(%s)", self._sputnik_layer_query()))

    @api.model
    def _sputnik_client_months(self, keys=None):
        """The layer of a report whose ``_client_query(where)`` gives one row
        per client, company and month (``partner_id``, ``company_id``,
        ``date``) for the clients of the bookings that ``where`` (on ``so``)
        selects: those rows with an id, of the clients ``keys`` (their
        bookings) or of all."""
        where = None if keys is None else SQL("so.sputnik_client_id = ANY(%s)", keys)
        return SQL(
            """
            SELECT ((client.partner_id::bigint * 1000 + client.company_id) * 100000
                    + (EXTRACT(YEAR FROM client.date) * 12
                       + EXTRACT(MONTH FROM client.date))::bigint) AS id,
                   client.*
              FROM (%s) client
            """,
            self._client_query(where),
        )

    @api.model
    def _sputnik_from_layer(self, layer):
        """A layered report's rows from the rows of ``layer`` (an SQL
        relation with the layer's columns): their measures
        _sputnik_layer_sums summed by report row. Applied as well to the
        difference of some clients' layer rows (old ones negated), which it
        must therefore add up the same way."""
        raise NotImplementedError(self._name)

    _sputnik_indexes = ()

    @api.model
    def _sputnik_payment_date_sql(self):
        """The payment date of the customer invoice ``move``: the latest date
        of the entries reconciled with its receivable lines, looked up for
        that invoice only (so that the rows of a few clients read their
        invoices only); to join as ``LEFT JOIN LATERAL (%s) payment``."""
        return SQL(
            """
            SELECT MAX(counterpart.date) AS payment_date
              FROM account_move_line term_line
              JOIN account_partial_reconcile part
                   ON part.debit_move_id = term_line.id
              JOIN account_move_line counterpart
                   ON counterpart.id = part.credit_move_id
             WHERE term_line.move_id = move.id
               AND term_line.display_type = 'payment_term'
               AND counterpart.move_id != term_line.move_id
            """
        )

    @api.model
    def _sputnik_stored_reports(self):
        """The stored reports' models."""
        return [
            self.env[name]
            for name in sorted(self.pool["sputnik.report.mixin"]._inherit_children)
            if self.pool[name]._sputnik_stored
        ]

    @api.model
    def _sputnik_refresh(self):
        """Compute the rows of this stored report (or of every stored report,
        called on the mixin) again, from the documents as they are now.

        Readers keep the previous rows until the transaction commits, and two
        refreshes at once wait for each other (the report's advisory lock)
        instead of mixing their rows. The safety net of the refresh by client
        (_sputnik_refresh_queue): what no queued change reached (a currency,
        a tour, a campaign's cost) is counted within the hour."""
        reports = (
            [self] if self._name != "sputnik.report.mixin" else None
        ) or self._sputnik_stored_reports()
        self.env.flush_all()
        self._sputnik_analytic_session()
        for report in reports:
            started = time.perf_counter()
            # queue behind a refresh of the same report running after a
            # request's commit (which does not wait for this one)
            report._sputnik_refresh_lock(wait=True)
            if sql.table_kind(self.env.cr, report._table) != sql.TableKind.Regular or (
                report._sputnik_layer_sums
                and not sql.table_kind(self.env.cr, report._sputnik_layer_table())
            ):
                # code newer than the database (not upgraded yet): create it
                report.init()
            else:
                # readers keep the previous rows until the commit; only the
                # rows that changed are written
                report._sputnik_write_rows()
            # the planner's statistics of the new rows, at once
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(report._table)))
            report.invalidate_model()
            _logger.info(
                "%s refreshed in %.1f s", report._name, time.perf_counter() - started
            )
        return True

    @api.model
    def _sputnik_refresh_lock(self, wait):
        """Take the lock of this stored report's refresh until the end of the
        transaction; with ``wait=False``, only if no other transaction holds
        it. Whether it is taken (always, with ``wait``)."""
        if sql.table_kind(self.env.cr, self._table) is None:
            # no view yet (created by the refresh): nothing to queue behind
            return True
        target = SQL("%s::regclass::oid::integer", self._table)
        if wait:
            self.env.cr.execute(
                SQL("SELECT pg_advisory_xact_lock(%s, %s)", REFRESH_LOCK_SPACE, target)
            )
            return True
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", REFRESH_LOCK_SPACE, target)
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_sputnik_refresh(self, layered=False):
        """The full refresh, the safety net of the refresh by client: hourly
        for the reports computed from their documents, daily (``layered``)
        for the layered reports, whose inputs no trigger sees are the days
        passing (a client's status in the current month, the months of the
        grid) and the company's dormancy settings; and every report in a
        transaction of its own, its table locked against other writers
        before the transaction reads anything. A transaction reads from the
        snapshot of its first query (REPEATABLE READ): one transaction for
        every report, or a lock taken after a query, would fail on the rows a
        refresh by client committed meanwhile."""
        registry = self.env.registry
        names = [
            report._name
            for report in self._sputnik_stored_reports()
            if bool(report._sputnik_layer_sums) == layered
        ]
        for name in names:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                cr.execute(
                    SQL(
                        "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE",
                        SQL.identifier(env[name]._table),
                    )
                )
                env[name]._sputnik_refresh()
        return True

    @api.model
    def _sputnik_company_settings_changed(self, vals):
        """Companies were written with ``vals``: when a setting that a layered
        report reads changed (its ``_depends`` on res.company: the dormancy
        months of the client base's statuses), those reports are computed
        whole at once, in the background (their daily cron triggered): no
        trigger of the queue sees a company."""
        read = {
            name
            for report in self._sputnik_stored_reports()
            if report._sputnik_layer_sums
            for name in report._depends.get("res.company", ())
        }
        if not read.intersection(vals):
            return
        cron = self.env.ref(
            "sputnik_crm.ir_cron_sputnik_report_refresh_layered",
            raise_if_not_found=False,
        )
        if cron:
            # sudo: the trigger of the addon's own cron, for whoever may
            # change the company's settings; no value of the caller's is used
            cron.sudo()._trigger()

    @api.model
    def _cron_sputnik_refresh_money(self):
        """The queued clients' rows computed again (the cron of the refresh
        queue, every minute and triggered at once after a booking, an invoice
        or a payment changed), in a transaction of its own: see
        _sputnik_refresh_queue_apart."""
        self._sputnik_refresh_queue_apart(self.env.registry)
        return True

    @api.model
    def _sputnik_refresh_queue_apart(self, registry, lock_timeout=None):
        """Run the refresh queue in a transaction of its own whose first
        statement locks the tables of the reports kept by client against
        other writers: a run, a full refresh or a refresh after a commit that
        is writing them is waited for (``lock_timeout`` at most), and the
        snapshot taken after the lock counts what it wrote. A transaction
        that had read before (REPEATABLE READ: its snapshot is its first
        query's, as the cron's is) would fail on the rows another run
        committed meanwhile."""
        with registry.cursor() as cr:
            if lock_timeout:
                cr.execute(SQL("SET LOCAL lock_timeout = %s", lock_timeout))
            mixin = api.Environment(cr, SUPERUSER_ID, {})["sputnik.report.mixin"]
            tables = [
                SQL.identifier(report._table)
                for report in mixin._sputnik_stored_reports()
                if report._sputnik_refresh_key
            ]
            if tables:
                cr.execute(
                    SQL(
                        "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE",
                        SQL(", ").join(tables),
                    )
                )
            return mixin._sputnik_refresh_queue()

    @api.model
    def _sputnik_keys_query(self, keys):
        """The report's SQL for the rows of the clients ``keys``: its whole
        SQL, which _sputnik_write_rows restricts from outside (PostgreSQL
        carries the condition on the key into its parts). A report overrides
        it where a part finds its clients' documents by another way than the
        key's column (its rows must stay those of the whole SQL)."""
        return self._query()

    @api.model
    def _sputnik_refresh_keys(self, keys, wait=True):
        """Compute again this report's rows of the clients ``keys`` (ids of
        commercial partners): its SQL restricted to those clients, in one
        statement that deletes the rows that are no longer as computed and
        inserts the rows that are new or changed (a row as it was stays
        untouched: no write when nothing changed). (deleted, inserted); None
        when, without ``wait``, another refresh of the report is running."""
        assert self._sputnik_refresh_key, self._name
        # after a full refresh or another run of this report, never amid one
        if not self._sputnik_refresh_lock(wait=wait):
            return None
        return self._sputnik_write_rows(sorted(set(keys)))

    @api.model
    def _sputnik_write_rows(self, keys=None):
        """Write this stored report's rows as its SQL computes them now: of
        the clients ``keys`` only, or all of them (None). One statement
        deletes the rows that are no longer as computed and inserts the rows
        that are new or changed; a row as it was stays untouched (no write,
        no dead row, when nothing changed). (deleted, inserted)."""
        if self._sputnik_layer_sums:
            if keys is None:
                # the layer, then the report's rows from its sums
                counts = self._sputnik_write_table(
                    self._sputnik_layer_table(), self._sputnik_layer_query()
                )
                self._sputnik_write_table(
                    self._table,
                    self._sputnik_with_row_ratios(
                        self._sputnik_from_layer(
                            SQL.identifier(self._sputnik_layer_table())
                        )
                    ),
                )
                self.invalidate_model()
                return counts
            return self._sputnik_write_layer(keys)
        query = self._sputnik_with_row_ratios(
            self._query() if keys is None else self._sputnik_keys_query(keys)
        )
        return self._sputnik_write_table(self._table, query, keys)

    @api.model
    def _sputnik_write_table(self, table_name, query, keys=None):
        """Write the rows of ``query`` into the table ``table_name`` (see
        _sputnik_write_rows): of the clients ``keys`` only, or all of them.
        (deleted, inserted)."""
        cr = self.env.cr
        table = SQL.identifier(table_name)
        if keys is None:
            fresh = SQL("SELECT * FROM (%s) AS report_row", query)
            stored_rows = SQL("TRUE")
        else:
            key = SQL.identifier(self._sputnik_refresh_key)
            fresh = SQL(
                "SELECT * FROM (%s) AS report_row WHERE report_row.%s = ANY(%s)",
                query,
                key,
                keys,
            )
            stored_rows = SQL("stored.%s = ANY(%s)", key, keys)
        # The DELETE runs to its end before the INSERT writes a row (the
        # INSERT waits for its count): the new version of a changed row never
        # meets the old one in the unique index of ``id``.
        cr.execute(
            SQL(
                """
                WITH fresh AS MATERIALIZED (%(fresh)s),
                     gone AS (
                         DELETE FROM %(table)s stored
                          WHERE %(stored_rows)s
                            AND NOT EXISTS (
                                SELECT 1 FROM fresh
                                 WHERE fresh.id = stored.id
                                   AND ROW(fresh.*) IS NOT DISTINCT FROM ROW(stored.*))
                      RETURNING stored.id
                     ),
                     added AS (
                         INSERT INTO %(table)s
                         SELECT fresh.* FROM fresh
                          WHERE (SELECT COUNT(*) FROM gone) >= 0
                            AND NOT EXISTS (
                                SELECT 1 FROM %(table)s stored
                                 WHERE stored.id = fresh.id
                                   AND ROW(fresh.*) IS NOT DISTINCT FROM ROW(stored.*))
                      RETURNING id
                     )
                SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM added)
                """,
                fresh=fresh,
                table=table,
                stored_rows=stored_rows,
            )
        )
        deleted, inserted = cr.fetchone()
        if deleted or inserted:
            self.invalidate_model()
        return deleted, inserted

    @api.model
    def _sputnik_write_layer(self, keys):
        """Compute again the layer rows of the clients ``keys`` of this
        layered report, and add the difference to the report's rows, in one
        statement: the layer rows no longer as computed are deleted, the new
        or changed ones inserted (a row as it was stays untouched), and the
        report rows they count receive the new rows' measures less the old
        ones' (a report row that no layer row counts any more is removed, a
        new one inserted). (deleted, inserted) of the layer."""
        cr = self.env.cr
        layer = SQL.identifier(self._sputnik_layer_table())
        key = SQL.identifier(self._sputnik_refresh_key)
        keys = sorted(set(keys))
        cr.execute(SQL("SELECT * FROM %s LIMIT 0", layer))
        columns = [description.name for description in cr.description]

        def signed(alias, sign):
            return SQL(", ").join(
                SQL("%s%s.%s", SQL(sign), SQL(alias), SQL.identifier(name))
                if name in self._sputnik_layer_sums
                else SQL("%s.%s", SQL(alias), SQL.identifier(name))
                for name in columns
            )

        delta = SQL(
            "(SELECT %s FROM added UNION ALL SELECT %s FROM gone)",
            signed("added", ""),
            signed("gone", "-"),
        )
        table = SQL.identifier(self._table)
        cr.execute(SQL("SELECT * FROM %s LIMIT 0", table))
        # the report's columns but its rates (computed below from the sums)
        report_columns = SQL(", ").join(
            SQL.identifier(description.name)
            for description in cr.description
            if description.name not in self._sputnik_ratios
        )
        sums = [SQL.identifier(name) for name in self._sputnik_layer_sums]
        updates = [
            SQL("%s = stored.%s + EXCLUDED.%s", name, name, name) for name in sums
        ]
        if "computed_on" in self._fields:
            updates.append(SQL("computed_on = EXCLUDED.computed_on"))
        cr.execute(
            SQL(
                """
                WITH fresh AS MATERIALIZED (
                         SELECT * FROM (%(query)s) AS layer_row
                          WHERE layer_row.%(key)s = ANY(%(keys)s)
                     ),
                     gone AS (
                         DELETE FROM %(layer)s stored
                          WHERE stored.%(key)s = ANY(%(keys)s)
                            AND NOT EXISTS (
                                SELECT 1 FROM fresh
                                 WHERE fresh.id = stored.id
                                   AND ROW(fresh.*) IS NOT DISTINCT FROM ROW(stored.*))
                      RETURNING stored.*
                     ),
                     added AS (
                         INSERT INTO %(layer)s
                         SELECT fresh.* FROM fresh
                          WHERE (SELECT COUNT(*) FROM gone) >= 0
                            AND NOT EXISTS (
                                SELECT 1 FROM %(layer)s stored
                                 WHERE stored.id = fresh.id
                                   AND ROW(fresh.*) IS NOT DISTINCT FROM ROW(stored.*))
                      RETURNING *
                     ),
                     difference AS (
                         SELECT * FROM (%(report)s) AS report_row
                          WHERE (%(sums)s) IS DISTINCT FROM (%(zeros)s)
                     ),
                     written AS (
                         INSERT INTO %(table)s AS stored (%(columns)s)
                         SELECT %(columns)s FROM difference
                             ON CONFLICT (id) DO UPDATE SET %(updates)s
                      RETURNING stored.id
                     )
                SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM added),
                       ARRAY(SELECT id FROM written)
                """,
                query=self._sputnik_layer_query(keys),
                key=key,
                keys=keys,
                layer=layer,
                report=self._sputnik_from_layer(delta),
                columns=report_columns,
                sums=SQL(", ").join(SQL("report_row.%s", name) for name in sums),
                zeros=SQL(", ").join(SQL("0") for __ in sums),
                table=table,
                updates=SQL(", ").join(updates),
            )
        )
        deleted, inserted, written = cr.fetchone()
        if written:
            # the rows that count no layer row any more, and the rates of the
            # others from their new sums
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE id = ANY(%s) AND %s <= 0",
                    table,
                    written,
                    SQL.identifier(self._sputnik_layer_count),
                )
            )
            if self._sputnik_ratios:
                cr.execute(
                    SQL(
                        "UPDATE %s AS stored SET %s WHERE id = ANY(%s)",
                        table,
                        SQL(", ").join(
                            SQL(
                                "%s = %s",
                                SQL.identifier(fname),
                                self._sputnik_ratio_sql(
                                    fname,
                                    lambda name: SQL("stored.%s", SQL.identifier(name)),
                                ),
                            )
                            for fname in self._sputnik_ratios
                        ),
                        written,
                    )
                )
            self.invalidate_model()
        return deleted, inserted

    @api.model
    def _sputnik_refresh_queue(self):
        """Compute again the rows of the clients queued by the documents'
        changes (sputnik.report.queue) in every report kept by client, and
        remove the queue's rows read (only those: a change queued meanwhile
        waits for the next run). Two runs at once are safe: each report's
        rows are written under its advisory lock, and a client computed twice
        gives the same rows. A report being refreshed by another transaction
        is not waited for (this transaction's snapshot would miss what that
        one writes): the queue's rows stay for the next run, which computes
        those clients again. {report: (deleted, inserted) or None}."""
        cr = self.env.cr
        self.env.flush_all()
        queue = self.env["sputnik.report.queue"]
        if not queue._sputnik_queue_exists():
            return {}
        cr.execute(SQL("SELECT id, report, client_id FROM sputnik_report_queue"))
        rows = cr.fetchall()
        if not rows:
            return {}
        self._sputnik_analytic_session()
        everyone = {client for __, report, client in rows if report == queue.ALL}
        counts = {}
        for report in self._sputnik_stored_reports():
            if not report._sputnik_refresh_key:
                continue
            keys = everyone | {
                client for __, name, client in rows if name == report._name
            }
            if not keys:
                continue
            started = time.perf_counter()
            try:
                with cr.savepoint():
                    if len(keys) > REFRESH_WHOLE_ABOVE:
                        # a mass change (a classification run, an import):
                        # computing every client costs less than the queue
                        report._sputnik_refresh()
                        counts[report._name] = (len(keys), len(keys))
                        continue
                    counts[report._name] = report._sputnik_refresh_keys(
                        keys, wait=False
                    )
            except Exception:
                # logged, and the queue's rows kept: the next run computes
                # those clients again; the other reports are refreshed
                _logger.warning(
                    "Could not refresh %s for %s clients",
                    report._name,
                    len(keys),
                    exc_info=True,
                )
                counts[report._name] = None
                continue
            _logger.debug(
                "%s: %s clients refreshed in %.3f s",
                report._name,
                len(keys),
                time.perf_counter() - started,
            )
        if None in counts.values():
            _logger.info(
                "Reports not refreshed (being refreshed elsewhere, or failed): "
                "%s; their clients wait for the next run",
                ", ".join(name for name, done in counts.items() if done is None),
            )
            return counts
        cr.execute(
            SQL(
                "DELETE FROM sputnik_report_queue WHERE id = ANY(%s)",
                [row[0] for row in rows],
            )
        )
        return counts

    @api.model
    def _sputnik_money_changed(self):
        """An invoice was posted or reset to draft, a payment matched or
        unmatched, a booking confirmed or cancelled: its clients are already
        queued (sputnik.report.queue, by the database's triggers); the
        queue's cron is triggered to run at once after this commit.

        For an accountant's invoice or payment, the queue is run as well once
        this request has committed, in a transaction of its own (once per
        request, however many invoices and payments it touched), so that the
        accountant sees the change at once; its cost (the rows of the changed
        clients) is paid by the request. A booking's confirmation or
        cancellation leaves it to the cron (see
        sale.order._sputnik_money_within_a_minute)."""
        # sudo: the trigger of the addon's own cron, for any user who changes
        # a booking, an invoice or a payment; no value of the caller's is used
        cron = self.env.ref(
            "sputnik_crm.ir_cron_sputnik_report_money", raise_if_not_found=False
        )
        within_a_minute = self.env.cr.precommit.data.get(MONEY_WITHIN_A_MINUTE)
        if cron:
            # at once for a booking (the cron is its refresh); a minute later
            # for an accountant's change, refreshed after the commit already
            # (the cron catches up if that refresh could not run)
            later = fields.Datetime.now() + timedelta(minutes=1)
            cron.sudo()._trigger(None if within_a_minute else later)
        if within_a_minute:
            return
        postcommit = self.env.cr.postcommit
        if MONEY_REFRESH_AFTER_COMMIT in postcommit.data:
            return
        postcommit.data[MONEY_REFRESH_AFTER_COMMIT] = True
        registry = self.env.registry

        @postcommit.add
        def refresh():
            postcommit.data.pop(MONEY_REFRESH_AFTER_COMMIT, None)
            self._sputnik_refresh_money_committed(registry)

    @api.model
    def _sputnik_refresh_money_committed(self, registry):
        """Run the queue from the committed documents, in a short transaction
        of its own (the request has committed: its cursor's snapshot is
        done). A report being refreshed is not waited for longer than
        MONEY_REFRESH_LOCK_TIMEOUT: the cron triggered by
        _sputnik_money_changed catches up; a failure is logged, never shown
        to the user, whose request has succeeded."""
        try:
            self._sputnik_refresh_queue_apart(
                registry, lock_timeout=MONEY_REFRESH_LOCK_TIMEOUT
            )
        except Exception:
            # the cron triggered by _sputnik_money_changed catches up
            _logger.warning(
                "Could not refresh the reports after an invoice or a payment "
                "changed",
                exc_info=True,
            )

    @api.model
    def action_sputnik_refresh(self):
        """Managers' button: the stored reports computed again now."""
        if not self.env.user.has_group("sputnik_crm.group_sputnik_manager"):
            raise AccessError(self.env._("Only Sputnik managers refresh the reports."))
        # sudo: the stored report tables are rebuilt whole (SQL, ANALYZE);
        # the manager group is checked above, no user value is used
        self.env["sputnik.report.mixin"].sudo()._sputnik_refresh()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Reports refreshed"),
                "message": self.env._(
                    "The reports count everything recorded until now."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _sputnik_form_action(self, record, refusal=None, view_id=False):
        """The form of a row's ``record``; with ``refusal`` (the message), only
        if the user may read it."""
        if refusal is not None:
            try:
                record.check_access("read")
            except AccessError as error:
                raise AccessError(refusal) from error
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(view_id, "form")],
        }

    def _sputnik_row_bookings(self):
        """For a row with a company and a salesperson of its clients: the
        condition (on ``so``) of the bookings of that company whose client has
        that salesperson (or none, for a row without one)."""
        self.ensure_one()
        user = (
            SQL("partner.user_id = %s", self.user_id.id)
            if self.user_id
            else SQL("partner.user_id IS NULL")
        )
        return SQL(
            """so.company_id = %s AND so.sputnik_client_id IN (
                   SELECT partner.id FROM res_partner partner WHERE %s)""",
            self.company_id.id,
            user,
        )

    @api.model
    def _sputnik_clients_action(self, partners, name):
        """The list of ``partners`` (a row's clients), titled ``name``."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", partners.ids)],
            "context": {"create": False},
        }
