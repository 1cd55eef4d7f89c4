from odoo import api, fields, models
from odoo.tools import SQL

from ..models.product_template import TOUR_TYPES

# the planned figures of a line, added up in a group as scope_sum says
FIGURES = tuple(
    f"{kind}_{measure}"
    for kind in ("target", "actual", "forecast")
    for measure in ("bookings", "seats", "revenue", "margin", "new_clients")
)


def scope_sum(column, rank, ranks):
    """SQL: the sum of ``column`` over the most general lines of a group.

    A plan line left empty on a dimension (all destinations, all agents, all
    tour types) is the plan of everything on that dimension; the lines that
    set it are its breakdown, never added to it again. ``rank`` orders the
    lines from the most general one (0); a group's figure is the sum over
    its lines of the lowest rank present, so that a total never counts a
    booking or a target twice through a line and its breakdown.
    """
    return SQL(
        "CASE %s END",
        SQL(" ").join(
            SQL(
                "WHEN bool_or(%(rank)s = %(value)s) "
                "THEN SUM(%(column)s) FILTER (WHERE %(rank)s = %(value)s)",
                rank=rank,
                value=value,
                column=column,
            )
            for value in ranks
        ),
    )


class SputnikSalesPlanReport(models.Model):
    """Plan versus actual, one row per sales plan line.

    Targets come from the line; actuals from the confirmed bookings ordered in
    the plan's period that match the line (see
    ``sputnik.sales.plan.line._actuals_query``); the forecast of the period's
    end is actual × total days / elapsed days as of today (0 before the
    period, the actual from its last day on). Percentages are not additive:
    divide the summed actual by the summed target.

    Lines overlap: a line for all destinations holds the bookings of the
    destination lines of the same plan. A group (a plan, a pivot's total)
    adds up its most general lines only (see ``scope_sum``): those without a
    destination if it has any (the destination lines are their breakdown),
    among them those for all agents, then those for all tour types.
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
    agent_scope = fields.Char(
        string="Agents", readonly=True, help="The line's agent, or All agents."
    )
    tour_type = fields.Selection(
        [*TOUR_TYPES, ("all", "All tour types")], readonly=True
    )
    scope_rank = fields.Integer(
        readonly=True,
        aggregator=None,
        help="0 for a line of all destinations, agents and tour types; +4 with "
        "a destination, +2 with an agent, +1 with a tour type.",
    )
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

    # === GROUPS === #
    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if fname not in FIGURES or func != "sum":
            return super()._read_group_select(aggregate_spec, query)
        return scope_sum(
            self._field_to_sql(self._table, fname, query),
            self._field_to_sql(self._table, "scope_rank", query),
            range(8),
        )

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
                COALESCE(
                    (SELECT string_agg(
                                COALESCE(part.name->>%(lang)s, part.name->>'en_US'),
                                ' / ' ORDER BY part.parent_path)
                       FROM sputnik_destination part
                      WHERE starts_with(line_dest.parent_path, part.parent_path)),
                    %(all_destinations)s
                ) AS destination_scope,
                COALESCE(agent.name, %(all_agents)s) AS agent_scope,
                COALESCE(line.tour_type, 'all') AS tour_type,
                (CASE WHEN line.destination_id IS NULL THEN 0 ELSE 4 END
                 + CASE WHEN line.user_id IS NULL THEN 0 ELSE 2 END
                 + CASE WHEN line.tour_type IS NULL THEN 0 ELSE 1 END
                ) AS scope_rank,
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
            lang=self.env.lang or "en_US",
            all_destinations=self.env._("All destinations"),
            all_agents=self.env._("All agents"),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM sputnik_sales_plan_line line
            JOIN sputnik_sales_plan plan ON plan.id = line.plan_id
            JOIN res_company company ON company.id = plan.company_id
            LEFT JOIN sputnik_destination line_dest
                ON line_dest.id = line.destination_id
            LEFT JOIN res_users agent_user ON agent_user.id = line.user_id
            LEFT JOIN res_partner agent ON agent.id = agent_user.partner_id
            LEFT JOIN (%s) a ON a.line_id = line.id
            """,
            self.env["sputnik.sales.plan.line"]._actuals_query(),
        )
