from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .sputnik_plan_mixin import check_whole

# what a purchase plan line compares: planned, then actual
ACTUALS = ("seats_bought", "seats_sold", "billed_amount")


class SputnikPurchasePlan(models.Model):
    """The seats to buy from the tour operators over a period, and the money
    to spend on them, next to the sales plan of the same period."""

    _name = "sputnik.purchase.plan"
    _description = "Purchase Plan"
    _inherit = ["sputnik.plan.mixin"]
    _sputnik_plan_report = "sputnik_crm.sputnik_purchase_plan_report_action"

    # === FIELDS === #
    date_from = fields.Date(
        help="The departures leaving from this date on are planned."
    )
    date_to = fields.Date(help="The departures leaving until this date are planned.")
    line_ids = fields.One2many(
        "sputnik.purchase.plan.line", "plan_id", string="Purchases", copy=True
    )
    planned_seats = fields.Integer(
        compute="_compute_totals", help="Seats of the lines for all destinations."
    )
    planned_budget = fields.Monetary(
        string="Budget",
        compute="_compute_totals",
        help="Budget of the lines for all destinations.",
    )

    # === COMPUTES === #
    @api.depends(
        "line_ids.planned_seats",
        "line_ids.planned_budget",
        "line_ids.destination_id",
        "line_ids.operator_id",
    )
    def _compute_totals(self):
        for plan in self:
            # an operator's line for all destinations holds its destination
            # lines: the plan counts the most general lines of each operator
            seats = budget = 0
            for operator in plan.line_ids.operator_id:
                lines = plan.line_ids.filtered(
                    lambda line, o=operator: line.operator_id == o
                )
                lines = lines.filtered(lambda line: not line.destination_id) or lines
                seats += sum(lines.mapped("planned_seats"))
                budget += sum(lines.mapped("planned_budget"))
            plan.planned_seats = seats
            plan.planned_budget = budget


class SputnikPurchasePlanLine(models.Model):
    """The seats and the budget planned with a tour operator for a
    destination (or all of them) over the plan's period, with what was
    bought and billed."""

    _name = "sputnik.purchase.plan.line"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Purchase Plan Line"
    _order = "plan_id, operator_id, id"
    _check_company_auto = True
    _sputnik_non_negative = ("planned_seats", "planned_budget")

    # === FIELDS === #
    plan_id = fields.Many2one(
        "sputnik.purchase.plan",
        string="Purchase Plan",
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
    operator_id = fields.Many2one(
        "res.partner",
        string="Tour Operator",
        required=True,
        index=True,
        check_company=True,
        domain=[("supplier_rank", ">", 0)],
    )
    destination_id = fields.Many2one(
        "sputnik.destination",
        string="Destination",
        index=True,
        help="With its regions and resorts. Empty: all destinations of the "
        "operator (the plan's total for it; its destination lines are the "
        "breakdown).",
    )
    planned_seats = fields.Integer()
    planned_budget = fields.Monetary(
        string="Budget", help="In the company's currency, taxes excluded."
    )
    seats_bought = fields.Integer(
        compute="_compute_actuals",
        help="Seats of the confirmed purchase orders to the operator for the "
        "departures of the period (and of the destination).",
    )
    seats_sold = fields.Integer(
        compute="_compute_actuals",
        help="Seats of the confirmed bookings of these departures.",
    )
    billed_amount = fields.Monetary(
        string="Billed",
        compute="_compute_actuals",
        help="The operator's posted bills for these seats less its posted "
        "refunds, untaxed, in the company's currency.",
    )
    seats_reached = fields.Float(
        string="Seats Bought (%)",
        compute="_compute_actuals",
        help="Seats bought / planned seats.",
    )
    budget_used = fields.Float(
        string="Budget Used (%)", compute="_compute_actuals", help="Billed / budget."
    )
    sell_through = fields.Float(
        string="Sell-Through (%)",
        compute="_compute_actuals",
        help="Seats sold / seats bought.",
    )

    # === COMPUTES === #
    @api.depends("plan_id.name", "operator_id", "destination_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = " / ".join(
                (
                    line.plan_id.name or "",
                    line.operator_id.name or "",
                    line.destination_id.display_name or self.env._("All destinations"),
                )
            )

    @api.depends(
        "plan_id.date_from",
        "plan_id.date_to",
        "plan_id.company_id",
        "operator_id",
        "destination_id",
        "planned_seats",
        "planned_budget",
    )
    def _compute_actuals(self):
        actuals = self._get_actuals()
        for line in self:
            bought, sold, billed = actuals.get(line._origin.id, (0, 0, 0.0))
            line.seats_bought = bought
            line.seats_sold = sold
            line.billed_amount = billed
            line.seats_reached = (
                bought / line.planned_seats * 100 if line.planned_seats else 0.0
            )
            line.budget_used = (
                billed / line.planned_budget * 100 if line.planned_budget else 0.0
            )
            line.sell_through = sold / bought * 100 if bought else 0.0

    # === CONSTRAINTS === #
    @api.constrains("plan_id", "operator_id", "destination_id")
    def _check_overlap(self):
        """Two lines of active purchase plans of a company may not plan the
        same operator and destination over overlapping periods."""
        if not self.ids:
            return
        self.env["sputnik.purchase.plan"].flush_model(
            ["state", "date_from", "date_to", "company_id"]
        )
        self.flush_model(["plan_id", "operator_id", "destination_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT line.id, other.id
                  FROM sputnik_purchase_plan_line line
                  JOIN sputnik_purchase_plan plan ON plan.id = line.plan_id
                  JOIN sputnik_purchase_plan_line other
                    ON other.id != line.id
                   AND other.operator_id = line.operator_id
                   AND other.destination_id IS NOT DISTINCT FROM line.destination_id
                  JOIN sputnik_purchase_plan other_plan
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
            line, other = self.browse(row)
            raise ValidationError(
                self.env._(
                    "The active purchase plans %(plan)s and %(other)s both plan "
                    "the same operator and destination (%(line)s) over "
                    "overlapping periods: change a line or the dates, or close "
                    "one of the plans.",
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
        """One row per purchase plan line (of ``line_ids``, or all): line_id,
        seats_bought, seats_sold, billed_amount.

        A line's departures are those of the plan's company leaving within
        the plan's period, of the line's destination or one of its regions
        and resorts when it has one. Of them:

        - seats bought: the quantities of the confirmed purchase order lines
          (purchase or done) of their seats, ordered from the line's operator;
        - seats sold: the seats of the confirmed bookings of the departures
          bought from it;
        - billed: the balance, in the company's currency, of the product
          lines of the operator's posted vendor bills for their seats, less
          its posted refunds.
        """
        where = SQL("line.id IN %s", tuple(line_ids)) if line_ids else SQL("TRUE")
        return SQL(
            """
            WITH departure AS (
                SELECT dep.id, dep.product_id, dep.company_id, dep.date_start,
                       dest.parent_path
                  FROM sputnik_departure dep
                  JOIN sputnik_destination dest ON dest.id = dep.destination_id
                 WHERE dep.product_id IS NOT NULL
            ),
            bought AS (
                SELECT pol.product_id, pol.company_id,
                       partner.commercial_partner_id AS operator_id,
                       SUM(pol.product_qty) AS seats
                  FROM purchase_order_line pol
                  JOIN purchase_order po ON po.id = pol.order_id
                  JOIN res_partner partner ON partner.id = po.partner_id
                 WHERE pol.state IN ('purchase', 'done')
                   AND pol.product_id IN (SELECT product_id FROM departure)
                 GROUP BY 1, 2, 3
            ),
            billed AS (
                SELECT aml.product_id, aml.company_id,
                       move.commercial_partner_id AS operator_id,
                       SUM(aml.balance) AS amount
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE move.state = 'posted'
                   AND move.move_type IN ('in_invoice', 'in_refund')
                   AND aml.display_type = 'product'
                   AND aml.product_id IN (SELECT product_id FROM departure)
                 GROUP BY 1, 2, 3
            ),
            sold AS (
                SELECT sol.sputnik_departure_id AS departure_id,
                       SUM(sol.product_uom_qty) AS seats
                  FROM sale_order_line sol
                 WHERE sol.state = 'sale'
                   AND sol.sputnik_departure_id IS NOT NULL
                 GROUP BY 1
            ),
            supply AS (
                SELECT product_id, company_id, operator_id FROM bought
                 UNION
                SELECT product_id, company_id, operator_id FROM billed
            ),
            figures AS (
                SELECT dep.id AS departure_id, dep.company_id, dep.date_start,
                       dep.parent_path, supply.operator_id,
                       COALESCE(b.seats, 0) AS bought,
                       CASE WHEN b.seats > 0 THEN COALESCE(s.seats, 0) ELSE 0 END
                           AS sold,
                       COALESCE(bill.amount, 0) AS billed
                  FROM departure dep
                  JOIN supply
                    ON supply.product_id = dep.product_id
                   AND supply.company_id = dep.company_id
                  LEFT JOIN bought b
                    ON b.product_id = supply.product_id
                   AND b.company_id = supply.company_id
                   AND b.operator_id = supply.operator_id
                  LEFT JOIN billed bill
                    ON bill.product_id = supply.product_id
                   AND bill.company_id = supply.company_id
                   AND bill.operator_id = supply.operator_id
                  LEFT JOIN sold s ON s.departure_id = dep.id
            )
            SELECT line.id AS line_id,
                   COALESCE(SUM(f.bought), 0) AS seats_bought,
                   COALESCE(SUM(f.sold), 0) AS seats_sold,
                   COALESCE(SUM(f.billed), 0) AS billed_amount
              FROM sputnik_purchase_plan_line line
              JOIN sputnik_purchase_plan plan ON plan.id = line.plan_id
              JOIN res_partner operator ON operator.id = line.operator_id
              LEFT JOIN sputnik_destination line_dest
                ON line_dest.id = line.destination_id
              LEFT JOIN figures f
                ON f.company_id = plan.company_id
               AND f.operator_id = operator.commercial_partner_id
               AND f.date_start BETWEEN plan.date_from AND plan.date_to
               AND (line.destination_id IS NULL
                    OR starts_with(f.parent_path, line_dest.parent_path))
             WHERE %s
             GROUP BY line.id
            """,
            where,
        )

    def _get_actuals(self):
        """{line id: (seats bought, seats sold, billed)} for the saved lines of
        ``self``, in one query. The purchases, bookings and bills behind the
        figures are read in SQL whoever reads the plan (an agent may not
        read purchases): only totals per line come out."""
        ids = [line_id for line_id in self.ids if line_id]
        if not ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(self._actuals_query(ids))
        return {
            line_id: (int(bought), int(sold), float(billed))
            for line_id, bought, sold, billed in self.env.cr.fetchall()
        }
