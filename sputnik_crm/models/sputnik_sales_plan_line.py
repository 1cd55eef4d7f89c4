from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .product_template import TOUR_TYPES
from .sputnik_plan_mixin import check_whole
from .sputnik_sales_plan import MEASURES, pace_factor


class SputnikSalesPlanLine(models.Model):
    """A target of a sales plan for an agent, a destination and a tour type,
    each empty for all, with its actuals from the confirmed bookings."""

    _name = "sputnik.sales.plan.line"
    _inherit = ["sputnik.system.fields.mixin"]
    _sputnik_non_negative = (
        "target_bookings",
        "target_seats",
        "target_revenue",
        "target_margin",
        "target_new_clients",
    )
    _description = "Sales Plan Line"
    _order = "plan_id, id"
    _check_company_auto = True

    # === FIELDS === #
    plan_id = fields.Many2one(
        "sputnik.sales.plan",
        string="Sales Plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="plan_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date_from = fields.Date(related="plan_id.date_from", store=True)
    date_to = fields.Date(related="plan_id.date_to", store=True)
    state = fields.Selection(related="plan_id.state", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        domain=[("share", "=", False)],
        help="Empty: the bookings of all agents.",
    )
    destination_id = fields.Many2one(
        "sputnik.destination",
        string="Destination",
        index=True,
        help="With its regions and resorts. Empty: all destinations.",
    )
    tour_type = fields.Selection(TOUR_TYPES, help="Empty: all tour types.")
    target_bookings = fields.Integer()
    target_seats = fields.Integer()
    target_revenue = fields.Monetary()
    target_margin = fields.Monetary()
    target_new_clients = fields.Integer()
    actual_bookings = fields.Integer(
        string="Bookings",
        compute="_compute_actuals",
        help="Confirmed bookings ordered in the period that match the line.",
    )
    actual_seats = fields.Integer(
        string="Seats", compute="_compute_actuals", help="Seats of these bookings."
    )
    actual_revenue = fields.Monetary(
        string="Revenue",
        compute="_compute_actuals",
        help="Untaxed amount of these bookings' departure lines.",
    )
    actual_margin = fields.Monetary(
        string="Margin", compute="_compute_actuals", help="Margin of these lines."
    )
    actual_new_clients = fields.Integer(
        string="New Clients",
        compute="_compute_actuals",
        help="Clients whose first confirmed booking ever is one of these.",
    )
    percent_bookings = fields.Float(
        string="Bookings Reached (%)", compute="_compute_actuals"
    )
    percent_seats = fields.Float(string="Seats Reached (%)", compute="_compute_actuals")
    percent_revenue = fields.Float(
        string="Revenue Reached (%)", compute="_compute_actuals"
    )
    percent_margin = fields.Float(
        string="Margin Reached (%)", compute="_compute_actuals"
    )
    percent_new_clients = fields.Float(
        string="New Clients Reached (%)", compute="_compute_actuals"
    )
    forecast_bookings = fields.Float(
        compute="_compute_actuals",
        help="Bookings expected by the end of the period at today's pace: actual / "
        "elapsed days × days of the period (0 before the period, the actual "
        "after it).",
    )
    forecast_seats = fields.Float(compute="_compute_actuals")
    forecast_revenue = fields.Monetary(compute="_compute_actuals")
    forecast_margin = fields.Monetary(compute="_compute_actuals")
    forecast_new_clients = fields.Float(compute="_compute_actuals")

    # === COMPUTES === #
    @api.depends("plan_id.name", "user_id", "destination_id", "tour_type")
    def _compute_display_name(self):
        types = dict(self._fields["tour_type"]._description_selection(self.env))
        for line in self:
            line.display_name = " / ".join(
                (
                    line.plan_id.name or "",
                    line.user_id.name or self.env._("All agents"),
                    line.destination_id.display_name or self.env._("All destinations"),
                    types.get(line.tour_type) or self.env._("All tour types"),
                )
            )

    @api.depends(
        "plan_id.date_from",
        "plan_id.date_to",
        "plan_id.company_id",
        "user_id",
        "destination_id",
        "tour_type",
        *(f"target_{measure}" for measure in MEASURES),
    )
    @api.depends_context("tz")
    def _compute_actuals(self):
        actuals = self._get_actuals()
        today = fields.Date.context_today(self)
        for line in self:
            figures = actuals.get(line._origin.id, dict.fromkeys(MEASURES, 0))
            factor = (
                pace_factor(line.plan_id.date_from, line.plan_id.date_to, today)
                if line.plan_id.date_from and line.plan_id.date_to
                else 0.0
            )
            for measure in MEASURES:
                actual = figures[measure]
                target = line[f"target_{measure}"]
                line[f"actual_{measure}"] = actual
                line[f"percent_{measure}"] = actual / target * 100 if target else 0.0
                line[f"forecast_{measure}"] = actual * factor

    # === CONSTRAINTS === #
    @api.constrains(*(f"target_{measure}" for measure in MEASURES))
    def _check_targets(self):
        for line in self:
            if any(line[f"target_{measure}"] < 0 for measure in MEASURES):
                raise ValidationError(
                    self.env._(
                        "The targets of %(line)s cannot be negative.",
                        line=line.display_name,
                    )
                )

    @api.constrains("plan_id", "user_id", "destination_id", "tour_type")
    def _check_overlap(self):
        """Two lines of active plans of a company may not target the same agent,
        destination and tour type over overlapping periods."""
        if not self.ids:
            return
        self.env["sputnik.sales.plan"].flush_model(
            ["state", "date_from", "date_to", "company_id"]
        )
        self.flush_model(["plan_id", "user_id", "destination_id", "tour_type"])
        self.env.cr.execute(
            SQL(
                """
                SELECT line.id, other.id
                  FROM sputnik_sales_plan_line line
                  JOIN sputnik_sales_plan plan ON plan.id = line.plan_id
                  JOIN sputnik_sales_plan_line other
                    ON other.id != line.id
                   AND other.user_id IS NOT DISTINCT FROM line.user_id
                   AND other.destination_id IS NOT DISTINCT FROM line.destination_id
                   AND other.tour_type IS NOT DISTINCT FROM line.tour_type
                  JOIN sputnik_sales_plan other_plan
                    ON other_plan.id = other.plan_id
                   AND other_plan.company_id = plan.company_id
                   AND other_plan.state = 'active'
                   AND other_plan.date_from <= plan.date_to
                   AND plan.date_from <= other_plan.date_to
                 WHERE line.id IN %s
                   AND plan.state = 'active'
                 LIMIT 1
                """,
                tuple(self.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            # sudo: the message names the other plan even when the user may
            # not read it (an agent's lines); the conflict must be explained
            line, other = self.browse(row).sudo()
            raise ValidationError(
                self.env._(
                    "The active sales plans %(plan)s and %(other)s both have a "
                    "target for the same agent, destination and tour type "
                    "(%(line)s) over overlapping periods: change a line or the "
                    "dates, or close one of the plans.",
                    plan=line.plan_id.name,
                    other=other.plan_id.name,
                    line=line.display_name,
                )
            )

    # === CRUD === #
    def _sputnik_check_integer(self, field, value):
        check_whole(self, field, value)
        return super()._sputnik_check_integer(field, value)

    # === BUSINESS === #
    @api.model
    def _actuals_query(self, line_ids=None):
        """One row per plan line (of ``line_ids``, or all) with its actuals.

        A line's bookings are the rows of the Bookings Analysis (confirmed
        bookings) of the plan's company ordered within the plan's period (order
        date in the user's time zone), of the line's agent, of its destination
        or one of its regions and resorts, and of its tour type, each when set.
        A new client is counted on the line matching their first confirmed
        booking ever, when that booking is ordered within the period.
        """
        booking = self.env["sputnik.booking.report"]
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        where = SQL("line.id IN %s", tuple(line_ids)) if line_ids else SQL("TRUE")
        return SQL(
            """
            WITH booking AS (
                SELECT b.*,
                       (b.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
                  FROM (%(booking)s) b
            ),
            first_order AS (
                SELECT DISTINCT ON (partner_id, company_id) order_id
                  FROM booking
                 ORDER BY partner_id, company_id, date, order_id
            )
            SELECT line.id AS line_id,
                   COUNT(DISTINCT b.order_id) AS bookings,
                   COALESCE(SUM(b.seats), 0) AS seats,
                   COALESCE(SUM(b.revenue), 0) AS revenue,
                   COALESCE(SUM(b.margin), 0) AS margin,
                   COUNT(DISTINCT b.partner_id)
                       FILTER (WHERE fo.order_id IS NOT NULL) AS new_clients
              FROM sputnik_sales_plan_line line
              JOIN sputnik_sales_plan plan ON plan.id = line.plan_id
              LEFT JOIN sputnik_destination line_dest
                ON line_dest.id = line.destination_id
              LEFT JOIN booking b
                ON b.company_id = plan.company_id
               AND b.day BETWEEN plan.date_from AND plan.date_to
               AND (line.user_id IS NULL OR b.user_id = line.user_id)
               AND (line.tour_type IS NULL OR b.tour_type = line.tour_type)
               AND (line.destination_id IS NULL OR EXISTS (
                       SELECT 1 FROM sputnik_destination dest
                        WHERE dest.id = b.destination_id
                          AND starts_with(dest.parent_path, line_dest.parent_path)))
              LEFT JOIN first_order fo ON fo.order_id = b.order_id
             WHERE %(where)s
             GROUP BY line.id
            """,
            tz=tz,
            booking=booking._query(),
            where=where,
        )

    def _get_actuals(self):
        """{line id: {measure: actual}} for the saved lines of ``self``, in one
        query whoever reads them (record rules restrict the lines, not the
        bookings behind a line)."""
        ids = [line_id for line_id in self.ids if line_id]
        if not ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(self._actuals_query(ids))
        return {
            line_id: dict(zip(MEASURES, values, strict=True))
            for line_id, *values in self.env.cr.fetchall()
        }
