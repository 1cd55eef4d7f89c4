from odoo import api, fields, models
from odoo.tools import SQL

from ..models.product_template import TOUR_TYPES

# the planned figures of a line, added up in a group as the plan report
# mixin says
FIGURES = tuple(
    f"{kind}_{measure}"
    for kind in ("target", "actual", "forecast")
    for measure in ("bookings", "seats", "revenue", "margin", "new_clients")
)


class SputnikPlanReportMixin(models.AbstractModel):
    """A plan report: one row per plan line, where lines overlap.

    A plan line left empty on a dimension (all destinations, all agents, all
    tour types) is the plan of everything on that dimension; the lines that
    set it are its breakdown, never added to it again. Each row has a
    ``scope_rank``, 0 for the most general line, higher for the narrower
    ones. A group's figure (a pivot's cell or total, a grouped list's row)
    is, within each part of ``_sputnik_scope_partition`` (a plan; a plan and
    an operator), the sum over its lines of the lowest rank present, added
    over the parts: a total never counts a booking, a seat or a bill twice
    through a line and its breakdown. The rates (``_sputnik_ratios``) are
    the ratios of these figures."""

    _name = "sputnik.plan.report.mixin"
    _inherit = ["sputnik.report.mixin"]
    _description = "Plan Report"

    _sputnik_scope_figures = ()
    _sputnik_scope_partition = ("plan_id",)

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
        rows = super()._read_group(
            domain, groupby, aggregates, having, offset, limit, order
        )
        folded = {
            index: fname
            for index, spec in enumerate(aggregates)
            for fname, __, func in [spec.partition(":")]
            if (fname in self._sputnik_scope_figures and func == "sum")
            or fname in self._sputnik_ratios
        }
        if not rows or not folded:
            return rows
        groupby = tuple(groupby)
        figures = sorted(
            {
                name.lstrip("-")
                for fname in folded.values()
                for name in self._sputnik_ratio_names(fname)
            }
        )
        # one more query: the figures of every group by part and rank
        parts = self._sputnik_scope_partition
        detail = super()._read_group(
            domain,
            groupby + parts + ("scope_rank",),
            [f"{name}:sum" for name in figures],
        )
        best = {}
        for row in detail:
            key, part = row[: len(groupby)], row[len(groupby) : -len(figures) - 1]
            rank, values = row[-len(figures) - 1], row[-len(figures) :]
            if (key, part) not in best or rank < best[key, part][0]:
                best[key, part] = (rank, values)
        totals = {}
        for (key, __), (__, values) in best.items():
            total = totals.setdefault(key, dict.fromkeys(figures, 0))
            for name, value in zip(figures, values, strict=True):
                total[name] += value or 0
        result = []
        for row in rows:
            total = totals.get(tuple(row[: len(groupby)]))
            if total is None:
                result.append(row)
                continue
            row = list(row)
            for index, fname in folded.items():
                row[len(groupby) + index] = self._sputnik_scope_value(fname, total)
            result.append(tuple(row))
        return result

    @api.model
    def _sputnik_ratio_names(self, fname):
        """The figures that ``fname`` reads: itself, or a rate's terms."""
        if fname not in self._sputnik_ratios:
            return [fname]
        numerator, denominator, __ = self._sputnik_ratios[fname]
        return [
            name
            for names in (numerator, denominator)
            for name in ([names] if isinstance(names, str) else names)
        ]

    @api.model
    def _sputnik_scope_value(self, fname, total):
        if fname not in self._sputnik_ratios:
            return total[fname]
        numerator, denominator, factor = self._sputnik_ratios[fname]

        def add(names):
            return sum(
                -total[name[1:]] if name.startswith("-") else total[name]
                for name in ([names] if isinstance(names, str) else names)
            )

        below = add(denominator)
        return factor * add(numerator) / below if below else None


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
    adds up its most general lines only (see ``sputnik.plan.report.mixin``):
    those without a destination if it has any (the destination lines are
    their breakdown), among them those for all agents, then those for all
    tour types.
    """

    _name = "sputnik.sales.plan.report"
    _inherit = ["sputnik.plan.report.mixin"]
    _description = "Plan vs Actual"
    _auto = False
    _rec_name = "line_id"
    _order = "date_from desc, id"
    _sputnik_scope_figures = FIGURES

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
