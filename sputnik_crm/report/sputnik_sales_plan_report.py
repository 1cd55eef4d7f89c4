from odoo import api, fields, models
from odoo.tools import SQL

from ..models.product_template import TOUR_TYPES


class SputnikSalesPlanReport(models.Model):
    """Plan versus actual, one row per sales plan line.

    Targets come from the line; actuals from the confirmed bookings ordered in
    the plan's period that match the line (see
    ``sputnik.sales.plan.line._actuals_query``); the forecast of the period's
    end is actual × total days / elapsed days as of today (0 before the
    period, the actual from its last day on). Percentages are not additive:
    divide the summed actual by the summed target.
    """

    _name = "sputnik.sales.plan.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Plan vs Actual"
    _auto = False
    _rec_name = "line_id"
    _order = "date_from desc, id"

    # === FIELDS === #
    line_id = fields.Many2one(
        "sputnik.sales.plan.line", string="Plan Line", readonly=True
    )
    plan_id = fields.Many2one("sputnik.sales.plan", string="Sales Plan", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("closed", "Closed")],
        readonly=True,
    )
    date_from = fields.Date(string="From", readonly=True)
    date_to = fields.Date(string="To", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Agent", readonly=True, help="Empty: all agents."
    )
    destination_id = fields.Many2one(
        "sputnik.destination", string="Destination", readonly=True
    )
    tour_type = fields.Selection(TOUR_TYPES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    target_bookings = fields.Integer(readonly=True)
    target_seats = fields.Integer(readonly=True)
    target_revenue = fields.Monetary(readonly=True)
    target_margin = fields.Monetary(readonly=True)
    target_new_clients = fields.Integer(readonly=True)
    actual_bookings = fields.Integer(string="Bookings", readonly=True)
    actual_seats = fields.Integer(string="Seats", readonly=True)
    actual_revenue = fields.Monetary(string="Revenue", readonly=True)
    actual_margin = fields.Monetary(string="Margin", readonly=True)
    actual_new_clients = fields.Integer(string="New Clients", readonly=True)
    forecast_bookings = fields.Float(readonly=True)
    forecast_seats = fields.Float(readonly=True)
    forecast_revenue = fields.Monetary(readonly=True)
    forecast_margin = fields.Monetary(readonly=True)
    forecast_new_clients = fields.Float(readonly=True)

    # === QUERY === #
    @property
    def _table_query(self):
        return SQL("%s %s", self._select(), self._from())

    @api.model
    def _select(self):
        today = fields.Date.context_today(self)
        factor = SQL(
            """
            CASE WHEN %(today)s < plan.date_from THEN 0.0
                 WHEN %(today)s >= plan.date_to THEN 1.0
                 ELSE (plan.date_to - plan.date_from + 1)::numeric
                      / (%(today)s::date - plan.date_from + 1)
            END
            """,
            today=today,
        )
        return SQL(
            """
            SELECT
                line.id AS id,
                line.id AS line_id,
                line.plan_id AS plan_id,
                plan.state AS state,
                plan.date_from AS date_from,
                plan.date_to AS date_to,
                line.user_id AS user_id,
                line.destination_id AS destination_id,
                line.tour_type AS tour_type,
                plan.company_id AS company_id,
                company.currency_id AS currency_id,
                line.target_bookings AS target_bookings,
                line.target_seats AS target_seats,
                line.target_revenue AS target_revenue,
                line.target_margin AS target_margin,
                line.target_new_clients AS target_new_clients,
                COALESCE(a.bookings, 0) AS actual_bookings,
                COALESCE(a.seats, 0) AS actual_seats,
                COALESCE(a.revenue, 0) AS actual_revenue,
                COALESCE(a.margin, 0) AS actual_margin,
                COALESCE(a.new_clients, 0) AS actual_new_clients,
                COALESCE(a.bookings, 0) * %(factor)s AS forecast_bookings,
                COALESCE(a.seats, 0) * %(factor)s AS forecast_seats,
                COALESCE(a.revenue, 0) * %(factor)s AS forecast_revenue,
                COALESCE(a.margin, 0) * %(factor)s AS forecast_margin,
                COALESCE(a.new_clients, 0) * %(factor)s AS forecast_new_clients
            """,
            factor=factor,
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM sputnik_sales_plan_line line
            JOIN sputnik_sales_plan plan ON plan.id = line.plan_id
            JOIN res_company company ON company.id = plan.company_id
            LEFT JOIN (%s) a ON a.line_id = line.id
            """,
            self.env["sputnik.sales.plan.line"]._actuals_query(),
        )
