from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL


class SputnikReportMixin(models.AbstractModel):
    """What the SQL reports share: their view, and the settings of the queries
    that aggregate them."""

    _name = "sputnik.report.mixin"
    _description = "Sputnik Report"

    @api.model
    def _sputnik_analytic_session(self):
        """Aggregates over the large report views: PostgreSQL's JIT compilation
        costs them more (1-1.5 s a query on a large base) than it saves. For the
        rest of the transaction only."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    @api.model
    def _read_group(self, *args, **kwargs):
        self._sputnik_analytic_session()
        return super()._read_group(*args, **kwargs)

    def _sputnik_create_view(self, query):
        """(Re)create the report's view from ``query``."""
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                query,
            )
        )

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
