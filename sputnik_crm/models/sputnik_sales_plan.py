from odoo import fields, models

# the planned figures: target_<measure>, actual_<measure>, percent_<measure>,
# forecast_<measure> on each plan line
MEASURES = ("bookings", "seats", "revenue", "margin", "new_clients")


def pace_factor(date_from, date_to, today):
    """Forecast of a period's end from the pace so far: actual × factor.

    0 before the period starts, 1 from its last day on (the actual is final),
    else total days / elapsed days (today counted as elapsed)."""
    if today < date_from:
        return 0.0
    if today >= date_to:
        return 1.0
    return ((date_to - date_from).days + 1) / ((today - date_from).days + 1)


class SputnikSalesPlan(models.Model):
    _name = "sputnik.sales.plan"
    _description = "Sales Plan"
    _inherit = ["sputnik.plan.mixin"]
    _sputnik_plan_report = "sputnik_crm.sputnik_sales_plan_report_action"

    # === FIELDS === #
    state = fields.Selection(
        help="Only the lines of active plans must not overlap and feed the "
        "purchase suggestions."
    )
    line_ids = fields.One2many(
        "sputnik.sales.plan.line", "plan_id", string="Targets", copy=True
    )
