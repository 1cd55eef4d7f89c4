from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


class SputnikPlanMixin(models.AbstractModel):
    """What the sales and the purchase plans share: a period (a month, a
    quarter or a season), a state (draft, active, closed) and lines that must
    not overlap while the plan is active. A plan names the action of its
    report in ``_sputnik_plan_report``."""

    _name = "sputnik.plan.mixin"
    _description = "Plan of a Period"
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    _sputnik_plan_report = None

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
        help="Only the lines of active plans must not overlap.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Html()

    # === CONSTRAINTS AND ONCHANGES === #
    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for plan in self:
            if plan.date_to < plan.date_from:
                raise ValidationError(
                    self.env._(
                        "%(plan)s %(name)s ends before it starts.",
                        plan=plan._sputnik_model_label(),
                        name=plan.name,
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
            self._sputnik_plan_report
        )
        action["domain"] = [("plan_id", "in", self.ids)]
        action["context"] = {}
        return action


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
