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
# how long a refresh after a commit waits for a lock on the report's view
# (a refresh that does not take the advisory lock, a schema change)
MONEY_REFRESH_LOCK_TIMEOUT = "2s"


class SputnikReportMixin(models.AbstractModel):
    """What the SQL reports share: their view, and the settings of the queries
    that aggregate them."""

    _name = "sputnik.report.mixin"
    _description = "Sputnik Report"

    # Stored reports keep their rows in a materialized view, computed by
    # _sputnik_refresh (every hour, on demand, at install and upgrade) instead
    # of at each reading: for the reports too large to compute from the
    # documents while a user waits (a grid of every client and month, every
    # booked seat, interaction or trip of the years read).
    _sputnik_stored = False
    # A stored report that accountants act on: computed again as soon as the
    # request that posts an invoice or matches a payment has committed, or
    # within a minute when that is not possible (see _sputnik_money_changed),
    # besides the hourly run.
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
        materialized view, computed now, with a unique index on ``id`` (which
        a refresh that leaves readers alone needs) and one on each column of
        ``_sputnik_indexes``."""
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
        cr.execute(
            SQL(
                "CREATE MATERIALIZED VIEW %s AS (%s)",
                SQL.identifier(self._table),
                query,
            )
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        for column in ("id", *self._sputnik_indexes):
            cr.execute(
                SQL(
                    "CREATE %s INDEX %s ON %s (%s)",
                    SQL("UNIQUE") if column == "id" else SQL(),
                    SQL.identifier(f"{self._table}_{column}_index"),
                    SQL.identifier(self._table),
                    SQL.identifier(column),
                )
            )

    _sputnik_indexes = ()

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

        PostgreSQL's concurrent refresh: readers keep the previous rows until
        the transaction commits, and two refreshes at once wait for each other
        instead of mixing their rows."""
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
            if sql.table_kind(self.env.cr, report._table) != sql.TableKind.Materialized:
                # code newer than the database (not upgraded yet): create it
                report.init()
            else:
                self.env.cr.execute(
                    SQL(
                        "REFRESH MATERIALIZED VIEW CONCURRENTLY %s",
                        SQL.identifier(report._table),
                    )
                )
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
    def _cron_sputnik_refresh(self):
        return self.env["sputnik.report.mixin"]._sputnik_refresh()

    @api.model
    def _cron_sputnik_refresh_money(self):
        """The money reports computed again (triggered a minute after an
        invoice or a payment changed, see _sputnik_money_changed)."""
        for report in self._sputnik_stored_reports():
            if report._sputnik_money:
                report._sputnik_refresh()
        return True

    @api.model
    def _sputnik_money_changed(self):
        """An invoice was posted or reset to draft, a payment matched or
        unmatched: the money reports are computed again once this request has
        committed, in a transaction of its own (once per request, however many
        invoices and payments it touched), so that the accountant sees the
        change at once. The cost of that refresh is paid by the request (see
        README, Reports).

        Odoo's cron is triggered a minute later as well: it catches up what
        the refresh after the commit could not count (another refresh of the
        report was running, the refresh failed, the server stopped between
        the commit and the refresh), once for all the changes of that
        minute."""
        # sudo: the trigger of the addon's own cron, for any user who posts
        # an invoice or a payment; no value of the caller's is used
        cron = self.env.ref(
            "sputnik_crm.ir_cron_sputnik_report_money", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=1))
        if self.env.cr.precommit.data.get(MONEY_WITHIN_A_MINUTE):
            # a booking confirmed or cancelled: its invoices reach the money
            # reports with the cron, within the minute, instead of costing the
            # agent's request a refresh (the accountants' own payments and
            # invoices still refresh at once)
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
        """Refresh each money report from the committed documents, in a short
        transaction of its own (the request has committed: its cursor's
        snapshot is done). A report whose refresh is already running is left
        to the cron triggered by _sputnik_money_changed rather than waited
        for; a failure is logged, never shown to the user, whose request has
        succeeded."""
        names = [
            report._name
            for report in self._sputnik_stored_reports()
            if report._sputnik_money
        ]
        for name in names:
            try:
                with registry.cursor() as cr:
                    cr.execute(
                        SQL("SET LOCAL lock_timeout = %s", MONEY_REFRESH_LOCK_TIMEOUT)
                    )
                    report = api.Environment(cr, SUPERUSER_ID, {})[name]
                    if not report._sputnik_refresh_lock(wait=False):
                        _logger.info(
                            "%s is being refreshed: the next refresh counts the "
                            "latest invoices and payments",
                            name,
                        )
                        continue
                    report._sputnik_refresh()
            except Exception:
                # the cron triggered by _sputnik_money_changed catches up
                _logger.warning(
                    "Could not refresh %s after an invoice or a payment changed",
                    name,
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
