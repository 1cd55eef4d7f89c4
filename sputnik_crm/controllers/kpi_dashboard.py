import json

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import content_disposition, request
from odoo.tools import html_escape

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SputnikKpiDashboardController(http.Controller):
    @http.route(
        "/sputnik_crm/kpi_dashboard/xlsx",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        readonly=True,
    )
    def kpi_dashboard_xlsx(self, date_from, date_to, compare="previous", **kwargs):
        """The KPI dashboard of the period (ISO dates) against the period
        ``compare`` ("previous": the period just before, "last_year": the same
        period a year before) as an XLSX file. For the bureau's agents and
        managers, under the reports' record rules as on the dashboard (an
        agent's own figures): anyone else is answered 403."""
        Dashboard = request.env["sputnik.kpi.dashboard"]
        try:
            Dashboard._check_dashboard_user()
            name, content = Dashboard._sputnik_xlsx(date_from, date_to, compare)
        except UserError as error:  # AccessError included
            status = 403 if isinstance(error, AccessError) else 400
            # the error as Odoo's download service reads it (as the stock
            # traceability report answers): its message shown in a dialog
            body = {
                "code": status,
                "message": error.args[0],
                "data": http.serialize_exception(error),
            }
            return request.make_response(
                html_escape(json.dumps(body)),
                headers=[("Content-Type", "text/html; charset=utf-8")],
                status=status,
            )
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(name)),
                ("Content-Length", len(content)),
            ],
        )
