from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SputnikPenaltyRule(models.Model):
    """One line of a cancellation penalty schedule: what a client pays for
    cancelling a booking so many days before its departure. A tour operator
    has a schedule; a tour may override it with one of its own."""

    _name = "sputnik.penalty.rule"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Cancellation Penalty Rule"
    _order = "operator_id, tour_id, days_from desc, id"
    _check_company_auto = True
    # checked on every create and write (sputnik.values.mixin), with the
    # field's name in the message
    _sputnik_non_negative = ("amount",)
    _sputnik_bounds = {
        "days_from": (0, 3660),
        "days_to": (0, 3660),
        "percent": (0, 100),
    }

    # === FIELDS === #
    operator_id = fields.Many2one(
        "res.partner",
        string="Tour Operator",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        help="The tour operator whose schedule this line belongs to.",
    )
    tour_id = fields.Many2one(
        "product.template",
        string="Tour",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        domain=[("sputnik_is_tour", "=", True)],
        help="A tour whose own schedule replaces its operator's.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        index=True,
        help="Empty: the schedule of every company. A company's own schedule "
        "replaces the shared one.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="The company's currency, of the fixed amounts.",
    )
    days_from = fields.Integer(
        string="From (days)",
        help="The line applies from this many days before departure...",
    )
    days_to = fields.Integer(
        string="To (days)",
        help="...up to this many days before departure; 0 for no limit.",
    )
    penalty_type = fields.Selection(
        [("percent", "Percentage of the Booking"), ("fixed", "Fixed Amount")],
        required=True,
        default="percent",
    )
    percent = fields.Float(
        string="Penalty (%)", help="Share of the booking's total price."
    )
    amount = fields.Monetary(
        string="Penalty Amount", help="A fixed amount per booking."
    )

    # === COMPUTES === #
    @api.depends("company_id")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = (rule.company_id or self.env.company).currency_id

    @api.depends(
        "operator_id",
        "tour_id",
        "days_from",
        "days_to",
        "penalty_type",
        "percent",
        "amount",
    )
    def _compute_display_name(self):
        for rule in self:
            span = (
                self.env._(
                    "%(low)s–%(high)s days", low=rule.days_from, high=rule.days_to
                )
                if rule.days_to
                else self.env._("%(low)s days and more", low=rule.days_from)
            )
            value = (
                f"{rule.percent:g} %"
                if rule.penalty_type == "percent"
                else f"{rule.amount:.2f}"
            )
            owner = (rule.tour_id or rule.operator_id).display_name or ""
            rule.display_name = f"{owner}: {span}, {value}"

    # === CONSTRAINTS === #
    # the company, always given (its default), checks a line created with
    # neither owner too
    @api.constrains("operator_id", "tour_id", "company_id")
    def _check_owner(self):
        for rule in self:
            if bool(rule.operator_id) == bool(rule.tour_id):
                raise ValidationError(
                    self.env._(
                        "A penalty line belongs either to a tour operator or to "
                        "a tour, not both nor neither."
                    )
                )

    @api.constrains("days_from", "days_to")
    def _check_days(self):
        for rule in self:
            if rule.days_to and rule.days_to < rule.days_from:
                raise ValidationError(
                    self.env._(
                        "The penalty line from %(low)s to %(high)s days is "
                        "reversed: its end comes before its start.",
                        low=rule.days_from,
                        high=rule.days_to,
                    )
                )

    @api.constrains("operator_id", "tour_id", "company_id", "days_from", "days_to")
    def _check_overlap(self):
        for rule in self:
            siblings = self.search(
                [
                    ("id", "!=", rule.id),
                    ("operator_id", "=", rule.operator_id.id),
                    ("tour_id", "=", rule.tour_id.id),
                    ("company_id", "=", rule.company_id.id),
                ]
            )
            for other in siblings:
                if rule._overlaps(other):
                    raise ValidationError(
                        self.env._(
                            "The penalty lines %(one)s and %(other)s cover the "
                            "same days before departure.",
                            one=rule.display_name,
                            other=other.display_name,
                        )
                    )

    def _overlaps(self, other):
        self.ensure_one()
        infinity = float("inf")
        return max(self.days_from, other.days_from) <= min(
            self.days_to or infinity, other.days_to or infinity
        )

    # === BUSINESS === #
    @api.model
    def _sputnik_schedule(self, tour, company):
        """The schedule that applies to bookings of ``tour`` in ``company``:
        the tour's own, else its operator's; the company's own lines, else the
        shared ones."""
        if not tour:
            return self.browse()
        domain = [("company_id", "in", [company.id, False])]
        # sudo: the schedule is the bureau's price list of cancellations,
        # applied to whoever cancels a booking they may write (an agent, a
        # salesman); it is read, never shown beyond the penalty it gives
        rules = self.sudo().search(
            [*domain, ("tour_id", "=", tour.id)]
        ) or self.sudo().search(
            [
                *domain,
                ("tour_id", "=", False),
                ("operator_id", "=", tour.sputnik_operator_id.id or 0),
            ]
        )
        own = rules.filtered(lambda r: r.company_id == company)
        return own or rules

    @api.model
    def _sputnik_rule_for(self, tour, company, days):
        """The line of ``tour``'s schedule for a cancellation ``days`` before
        departure (empty when none covers that day)."""
        return self._sputnik_schedule(tour, company).filtered(
            lambda r: r.days_from <= days and (not r.days_to or days <= r.days_to)
        )[:1]

    def _sputnik_penalty(self, order, date):
        """The penalty of this line for cancelling ``order`` on ``date``, in
        the order's currency (0 without a line)."""
        if not self:
            return 0.0
        self.ensure_one()
        if self.penalty_type == "percent":
            return order.currency_id.round(order.amount_total * self.percent / 100)
        return self.currency_id._convert(
            self.amount, order.currency_id, order.company_id, date
        )
