from odoo import api, fields, models
from odoo.tools import SQL


class SputnikPurchasePlanReport(models.Model):
    """Purchase plan versus actual, one row per purchase plan line.

    Planned seats and budget come from the line; the seats bought, sold and
    billed from the confirmed purchase orders, the confirmed bookings and
    the posted vendor bills and refunds of the departures of the plan's
    period (see ``sputnik.purchase.plan.line._actuals_query``). A line for
    all destinations of an operator is the plan of that operator; its
    destination lines are the breakdown, never added to it again (see
    ``sputnik.plan.report.mixin``). The rates are ratios of the sums.
    """

    _name = "sputnik.purchase.plan.report"
    _inherit = ["sputnik.plan.report.mixin"]
    _description = "Purchase Plan vs Actual"
    _auto = False
    _rec_name = "line_id"
    _order = "date_from desc, id"
    _sputnik_scope_figures = (
        "planned_seats",
        "seats_bought",
        "seats_sold",
        "planned_budget",
        "billed_amount",
    )
    _sputnik_scope_partition = ("plan_id", "operator_id")
    _sputnik_ratios = {
        "seats_reached": ("seats_bought", "planned_seats", 100.0),
        "budget_used": ("billed_amount", "planned_budget", 100.0),
        "sell_through": ("seats_sold", "seats_bought", 100.0),
    }

    # === FIELDS === #
    line_id = fields.Many2one(
        "sputnik.purchase.plan.line", string="Plan Line", readonly=True
    )
    plan_id = fields.Many2one(
        "sputnik.purchase.plan", string="Purchase Plan", readonly=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("closed", "Closed")],
        readonly=True,
    )
    date_from = fields.Date(string="From", readonly=True)
    date_to = fields.Date(string="To", readonly=True)
    operator_id = fields.Many2one("res.partner", string="Tour Operator", readonly=True)
    destination_id = fields.Many2one(
        "sputnik.destination",
        string="Destination",
        readonly=True,
        help="Empty: all destinations.",
    )
    destination_scope = fields.Char(
        string="Destinations",
        readonly=True,
        help="The line's destination with its parents, or All destinations.",
    )
    scope_rank = fields.Integer(
        readonly=True,
        aggregator=None,
        help="0 for a line of all destinations, 1 for a destination's.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    planned_seats = fields.Integer(readonly=True)
    seats_bought = fields.Integer(readonly=True)
    seats_sold = fields.Integer(readonly=True)
    planned_budget = fields.Monetary(string="Budget", readonly=True)
    billed_amount = fields.Monetary(string="Billed", readonly=True)
    # rates: a group's is the ratio of its sums (_sputnik_ratios)
    seats_reached = fields.Float(
        string="Seats Bought (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Seats bought / planned seats.",
    )
    budget_used = fields.Float(
        string="Budget Used (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Billed / budget.",
    )
    sell_through = fields.Float(
        string="Sell-Through (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Seats sold / seats bought.",
    )

    # === QUERY === #
    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        row = SQL(
            """
            SELECT
                line.id AS id,
                line.id AS line_id,
                line.plan_id AS plan_id,
                plan.state AS state,
                plan.date_from AS date_from,
                plan.date_to AS date_to,
                line.operator_id AS operator_id,
                line.destination_id AS destination_id,
                COALESCE(
                    (SELECT string_agg(
                                COALESCE(part.name->>%(lang)s, part.name->>'en_US'),
                                ' / ' ORDER BY part.parent_path)
                       FROM sputnik_destination part
                      WHERE starts_with(line_dest.parent_path, part.parent_path)),
                    %(all_destinations)s
                ) AS destination_scope,
                CASE WHEN line.destination_id IS NULL THEN 0 ELSE 1 END
                    AS scope_rank,
                plan.company_id AS company_id,
                company.currency_id AS currency_id,
                COALESCE(line.planned_seats, 0) AS planned_seats,
                COALESCE(a.seats_bought, 0) AS seats_bought,
                COALESCE(a.seats_sold, 0) AS seats_sold,
                COALESCE(line.planned_budget, 0) AS planned_budget,
                COALESCE(a.billed_amount, 0) AS billed_amount
            FROM sputnik_purchase_plan_line line
            JOIN sputnik_purchase_plan plan ON plan.id = line.plan_id
            JOIN res_company company ON company.id = plan.company_id
            LEFT JOIN sputnik_destination line_dest
                ON line_dest.id = line.destination_id
            LEFT JOIN (%(actuals)s) a ON a.line_id = line.id
            """,
            lang=self.env.lang or "en_US",
            all_destinations=self.env._("All destinations"),
            actuals=self.env["sputnik.purchase.plan.line"]._actuals_query(),
        )
        # each row's rates from its own figures
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
            "SELECT report_row.*, %s FROM (%s) AS report_row",
            SQL(", ").join(ratios),
            row,
        )
