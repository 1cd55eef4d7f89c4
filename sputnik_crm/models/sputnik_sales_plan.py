from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the planned figures: target_<measure>, actual_<measure>, percent_<measure>,
# forecast_<measure> on each plan line
MEASURES = ("bookings", "seats", "revenue", "margin", "new_clients")


def check_whole(model, field, value):
    """Refuse a fractional value for an integer field (Odoo would truncate it
    without a word): targets and planned seats are whole seats and bookings."""
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(
            model.env._(
                "%(field)s of %(model)s must be a whole number, not %(value)s.",
                field=field._description_string(model.env),
                model=model._sputnik_model_label(),
                value=value,
            )
        )


def quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


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
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    # === FIELDS === #
    name = fields.Char(required=True, tracking=True)
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter"), ("season", "Season")],
        string="Period",
        required=True,
        default="quarter",
        help="A month or a quarter fills the end date from the start date; a "
        "season has the dates you give it.",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        tracking=True,
        default=lambda self: quarter_start(fields.Date.context_today(self)),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        tracking=True,
        default=lambda self: quarter_start(fields.Date.context_today(self))
        + relativedelta(months=3, days=-1),
    )
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("closed", "Closed")],
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        help="Only the lines of active plans must not overlap and feed the "
        "purchase suggestions.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "sputnik.sales.plan.line", "plan_id", string="Targets", copy=True
    )
    note = fields.Html()

    # === CONSTRAINTS AND ONCHANGES === #
    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for plan in self:
            if plan.date_to < plan.date_from:
                raise ValidationError(
                    self.env._(
                        "Sales plan %(name)s ends before it starts.", name=plan.name
                    )
                )

    @api.constrains("state", "date_from", "date_to", "company_id")
    def _check_overlap(self):
        self.line_ids._check_overlap()

    @api.onchange("period_type", "date_from")
    def _onchange_period(self):
        months = {"month": 1, "quarter": 3}.get(self.period_type)
        if months and self.date_from:
            self.date_to = self.date_from + relativedelta(months=months, days=-1)

    # === ACTIONS === #
    def action_activate(self):
        self.write({"state": "active"})
        return True

    def action_close(self):
        self.write({"state": "closed"})
        return True

    def action_draft(self):
        self.write({"state": "draft"})
        return True

    def action_view_report(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_sales_plan_report_action"
        )
        action["domain"] = [("plan_id", "in", self.ids)]
        action["context"] = {}
        return action
