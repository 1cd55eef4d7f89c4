from odoo import api, models
from odoo.tools import SQL, sql

# The documents the reports kept by client read, and how a changed row of
# each names its client (the commercial partner): a query over ``changed``,
# the rows a statement inserted, updated or deleted. ``watched``: the table
# changes often for reasons no report reads (a departure's free seats at each
# booking, a client's counters) or one row stands for many clients (a
# departure): an update queues its clients only when a column one of those
# reports reads (their ``_depends``) changed.
CLIENT = "(SELECT p.commercial_partner_id FROM res_partner p WHERE p.id = %s)"
SOURCES = {
    "sale.order": {"clients": ["SELECT changed.sputnik_client_id FROM {rows} changed"]},
    "sale.order.line": {
        "clients": [
            """SELECT so.sputnik_client_id FROM {rows} changed
                 JOIN sale_order so ON so.id = changed.order_id"""
        ]
    },
    "account.move": {
        "clients": ["SELECT changed.commercial_partner_id FROM {rows} changed"]
    },
    "account.partial.reconcile": {
        "clients": [
            f"""SELECT move.commercial_partner_id FROM {{rows}} changed
                  JOIN account_move_line line ON line.id = changed.{column}
                  JOIN account_move move ON move.id = line.move_id"""
            for column in ("debit_move_id", "credit_move_id")
        ]
    },
    "crm.lead": {
        "clients": ["SELECT %s FROM {rows} changed" % (CLIENT % "changed.partner_id")]
    },
    "sputnik.interaction": {
        "clients": ["SELECT %s FROM {rows} changed" % (CLIENT % "changed.partner_id")]
    },
    "sputnik.complaint": {
        "clients": ["SELECT %s FROM {rows} changed" % (CLIENT % "changed.partner_id")]
    },
    "survey.user_input": {
        "clients": [
            "SELECT %s FROM {rows} changed" % (CLIENT % "changed.partner_id"),
            """SELECT so.sputnik_client_id FROM {rows} changed
                 JOIN sale_order so ON so.id = changed.sputnik_order_id""",
        ]
    },
    "mailing.trace": {
        "clients": [
            """SELECT p.commercial_partner_id FROM {rows} changed
                 JOIN res_partner p
                      ON changed.model = 'res.partner' AND p.id = changed.res_id"""
        ]
    },
    "res.partner": {
        "clients": ["SELECT changed.commercial_partner_id FROM {rows} changed"],
        "watched": True,
    },
    "sputnik.departure": {
        "clients": [
            """SELECT so.sputnik_client_id FROM {rows} changed
                 JOIN sale_order_line line ON line.sputnik_departure_id = changed.id
                 JOIN sale_order so ON so.id = line.order_id"""
        ],
        "watched": True,
    },
}
# The indexes by which the SQL of the reports kept by client, restricted to a
# few clients, reads those clients' documents only (measured on the
# 100,000-client base: a client's settlement rows 52 ms without the first,
# its mailing traces 44 ms without the second): (name, table, columns, where)
KEY_INDEXES = [
    (
        "account_move_sputnik_customer_move_index",
        "account_move",
        ["commercial_partner_id"],
        "state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
    ),
    (
        "mailing_trace_sputnik_partner_index",
        "mailing_trace",
        ["res_id"],
        "model = 'res.partner'",
    ),
]
# the columns of res.partner every report kept by client reads besides its
# ``_depends`` (the client's identity in the rows)
ALWAYS_WATCHED = {"res.partner": ["active", "commercial_partner_id", "company_id"]}


class SputnikReportQueue(models.AbstractModel):
    """The clients whose documents changed since the reports kept by client
    (``_sputnik_refresh_key``) last computed their rows: a table
    ``sputnik_report_queue`` of (report, client) rows, ``report`` being a
    report's model or ALL, fed by the database and emptied by
    sputnik.report.mixin._sputnik_refresh_queue (every minute, and at once
    after an invoice, a payment or a booking changed).

    Fed by PostgreSQL triggers on the documents' tables rather than by
    overrides of ``create``/``write``/``unlink``: most of what the reports
    read is written by the ORM's flush without a ``write`` (stored computed
    fields: an invoice's residual and payment state at reconciliation, a
    line's subtotal and margin, a client's classification) or by SQL
    (the classification's mass updates), which no override sees. The
    triggers are statement-level, with transition tables: one INSERT into the
    queue per statement, whatever its number of rows.

    A row is unique per (report, client, transaction): a transaction queues
    its client once however many statements touch it (ON CONFLICT DO
    NOTHING), and never waits for another transaction queueing the same
    client (the rows differ by transaction), nor for a refresh running."""

    _name = "sputnik.report.queue"
    _description = "Sputnik Report Refresh Queue"

    # the report of a queue row that stands for every report kept by client
    ALL = "*"

    def init(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS sputnik_report_queue (
                    id bigserial PRIMARY KEY,
                    report varchar NOT NULL,
                    client_id integer NOT NULL,
                    xact bigint NOT NULL DEFAULT txid_current(),
                    queued_at timestamp NOT NULL
                        DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
                    UNIQUE (report, client_id, xact)
                )
                """
            )
        )
        self._sputnik_create_triggers()
        for name, table, columns, where in KEY_INDEXES:
            if sql.table_kind(cr, table):
                sql.create_index(cr, name, table, columns, where=where)

    @api.model
    def _sputnik_queue_exists(self):
        return bool(sql.table_kind(self.env.cr, "sputnik_report_queue"))

    @api.model
    def _sputnik_watched_columns(self, model_name):
        """The columns of ``model_name`` the reports kept by client read."""
        names = set(ALWAYS_WATCHED.get(model_name, ()))
        for report in self.env["sputnik.report.mixin"]._sputnik_stored_reports():
            if report._sputnik_refresh_key:
                names.update(report._depends.get(model_name, ()))
        model = self.env[model_name]
        return sorted(
            name
            for name in names
            if name in model._fields and model._fields[name].column_type
        )

    @api.model
    def _sputnik_trigger_function(self, model_name, source):
        """The body of the trigger function of ``model_name``'s table."""

        def queue(rows):
            clients = SQL(" UNION ").join(
                SQL(query.format(rows=rows)) for query in source["clients"]
            )
            return SQL(
                """INSERT INTO sputnik_report_queue (report, client_id)
                   SELECT %s, client.id FROM (%s) AS client(id)
                    WHERE client.id IS NOT NULL
                   ON CONFLICT DO NOTHING;""",
                self.ALL,
                clients,
            )

        if source.get("watched"):
            columns = self._sputnik_watched_columns(model_name)
            changed = SQL(
                "(%s) IS DISTINCT FROM (%s)",
                SQL(", ").join(SQL("o.%s", SQL.identifier(c)) for c in columns),
                SQL(", ").join(SQL("n.%s", SQL.identifier(c)) for c in columns),
            )
            updated_new = (
                "(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id "
                "WHERE %s)"
            )
            updated_old = (
                "(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
                "WHERE %s)"
            )
            # the condition is the module's own SQL (column names checked
            # against the model's fields), with no value
            condition = self.env.cr.mogrify(changed).decode()
            on_update = SQL(
                "%s %s",
                queue(updated_new % condition),
                queue(updated_old % condition),
            )
        else:
            on_update = SQL("%s %s", queue("new_rows"), queue("old_rows"))
        return SQL(
            """
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    %s
                ELSIF TG_OP = 'UPDATE' THEN
                    %s
                ELSE
                    %s
                END IF;
                RETURN NULL;
            END
            """,
            queue("new_rows"),
            on_update,
            queue("old_rows"),
        )

    @api.model
    def _sputnik_create_triggers(self):
        """(Re)create the triggers that queue the clients of the documents
        changed, on every table of SOURCES."""
        cr = self.env.cr
        for model_name, source in SOURCES.items():
            if model_name not in self.env:
                continue
            table = self.env[model_name]._table
            function = SQL.identifier(f"sputnik_report_queue_{table}")
            body = self.env.cr.mogrify(
                self._sputnik_trigger_function(model_name, source)
            ).decode()
            cr.execute(
                SQL(
                    "CREATE OR REPLACE FUNCTION %s() RETURNS trigger "
                    "LANGUAGE plpgsql AS %s",
                    function,
                    body,
                )
            )
            for event, referencing in (
                ("INSERT", "NEW TABLE AS new_rows"),
                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                ("DELETE", "OLD TABLE AS old_rows"),
            ):
                cr.execute(
                    SQL(
                        """CREATE OR REPLACE TRIGGER %s AFTER %s ON %s
                           REFERENCING %s FOR EACH STATEMENT
                           EXECUTE FUNCTION %s()""",
                        SQL.identifier(f"sputnik_report_queue_{event.lower()}"),
                        SQL(event),
                        SQL.identifier(table),
                        SQL(referencing),
                        function,
                    )
                )
