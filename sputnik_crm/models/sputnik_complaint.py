from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

STAGES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("waiting_operator", "Waiting for the Operator"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
]
OPEN_STAGES = ("new", "in_progress", "waiting_operator")
CATEGORIES = [
    ("hotel", "Hotel"),
    ("transfer", "Transfer"),
    ("flight", "Flight"),
    ("guide", "Guide"),
    ("agency", "Agency Service"),
    ("other", "Other"),
]
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
# stage -> stages it may move to
MOVES = {
    "new": {"in_progress", "rejected"},
    "in_progress": {"waiting_operator", "resolved", "rejected"},
    "waiting_operator": {"in_progress", "resolved", "rejected"},
    "resolved": {"closed", "in_progress"},
    "closed": set(),
    "rejected": {"in_progress"},
}


class SputnikComplaint(models.Model):
    """A client's complaint about a trip or the bureau, from its registration
    to its resolution, with the compensation granted and recovered."""

    _name = "sputnik.complaint"
    _description = "Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True
    _sputnik_non_negative = ("compensation_amount", "recovered_amount")
    _sputnik_system_fields = (
        "name",
        "date_resolved",
        "escalated",
        "compensation_move_id",
        "recovered_move_id",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    subject = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Booking",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('sputnik_is_booking', '=', True), "
        "('partner_id', 'child_of', partner_id)]",
    )
    departure_id = fields.Many2one(
        "sputnik.departure",
        string="Departure",
        compute="_compute_departure",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    operator_id = fields.Many2one(
        "res.partner",
        string="Tour Operator",
        compute="_compute_operator",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    category = fields.Selection(CATEGORIES, required=True, default="hotel")
    priority = fields.Selection(PRIORITIES, default="0", required=True, tracking=True)
    stage = fields.Selection(
        STAGES,
        default="new",
        required=True,
        tracking=True,
        group_expand="_group_expand_stage",
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_open = fields.Datetime(
        string="Opened On", default=fields.Datetime.now, required=True, copy=False
    )
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        readonly=False,
        tracking=True,
        help="From the priority: the days set in Settings after the opening.",
    )
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    escalated = fields.Boolean(readonly=True, copy=False)
    description = fields.Html(string="What Happened")
    root_cause = fields.Text()
    resolution = fields.Text()
    satisfaction = fields.Selection(
        [(str(n), str(n)) for n in range(1, 6)],
        string="Satisfaction with the Resolution",
    )
    compensation_amount = fields.Monetary(
        string="Compensation Granted",
        help="Granted to the client: a customer credit note for the accountants.",
    )
    compensation_move_id = fields.Many2one(
        "account.move", string="Client Credit Note", readonly=True, copy=False
    )
    recovered_amount = fields.Monetary(
        string="Recovered from the Operator",
        help="Paid back by the tour operator: a vendor refund.",
    )
    recovered_move_id = fields.Many2one(
        "account.move", string="Operator Refund", readonly=True, copy=False
    )

    @api.model
    def _group_expand_stage(self, stages, domain):
        return [key for key, _label in STAGES]

    @api.depends("order_id")
    def _compute_departure(self):
        for complaint in self:
            departures = complaint.order_id.order_line.sputnik_departure_id
            complaint.departure_id = departures[:1] or complaint.departure_id

    @api.depends("departure_id")
    def _compute_operator(self):
        for complaint in self:
            complaint.operator_id = (
                complaint.departure_id.operator_id or complaint.operator_id
            )

    @api.depends("priority", "date_open", "company_id")
    def _compute_deadline(self):
        for complaint in self:
            company = complaint.company_id or self.env.company
            days = {
                "0": company.sputnik_complaint_days_normal,
                "1": company.sputnik_complaint_days_high,
                "2": company.sputnik_complaint_days_urgent,
            }[complaint.priority or "0"]
            opened = fields.Datetime.to_datetime(
                complaint.date_open or fields.Datetime.now()
            )
            complaint.deadline = (opened + relativedelta(days=days)).date()

    @api.depends("deadline", "stage")
    @api.depends_context("today")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for complaint in self:
            complaint.is_overdue = bool(
                complaint.stage in OPEN_STAGES
                and complaint.deadline
                and complaint.deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search the overdue complaints with = or !=."))
        domain = [
            ("stage", "in", OPEN_STAGES),
            ("deadline", "<", fields.Date.context_today(self)),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    @api.constrains("compensation_amount", "recovered_amount", "partner_id", "order_id")
    def _check_complaint(self):
        for complaint in self:
            if complaint.compensation_amount < 0 or complaint.recovered_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The amounts of complaint %(name)s cannot be negative.",
                        name=complaint.name,
                    )
                )
            booking = complaint.order_id
            if booking and (
                booking.partner_id.commercial_partner_id
                != complaint.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Booking %(booking)s is not a booking of %(client)s.",
                        booking=booking.name,
                        client=complaint.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("stage", "new") != "new" for vals in vals_list
        ):
            # a complaint moves along its stages from the first one, so that
            # its resolution is stamped and recorded
            raise UserError(self.env._("A complaint is registered as new."))
        complaints = super().create(vals_list)
        for complaint in complaints:
            # the number is the system's: the caller has just created the
            # complaint (its rights checked by create), sudo only numbers it
            complaint.sudo().name = (
                self.env["ir.sequence"].next_by_code("sputnik.complaint") or "/"
            )
        complaints._capture("opened")
        return complaints

    def write(self, vals):
        # the stage is read below, before Odoo would check it
        self._sputnik_check_values(vals)
        if "stage" in vals and vals["stage"] not in dict(STAGES):
            raise ValidationError(self.env._("Choose the stage of the complaint."))
        if "stage" in vals:
            for complaint in self:
                if (
                    vals["stage"] != complaint.stage
                    and vals["stage"] not in MOVES[complaint.stage]
                ):
                    labels = dict(STAGES)
                    raise UserError(
                        self.env._(
                            "Complaint %(name)s cannot go from %(from)s to %(to)s.",
                            name=complaint.name,
                            **{
                                "from": labels[complaint.stage],
                                "to": labels[vals["stage"]],
                            },
                        )
                    )
        res = super().write(vals)
        if vals.get("stage") == "resolved":
            # the resolution date is stamped by the system: the caller has just
            # written the stage (its rights checked by write), sudo only stamps it
            self.sudo().write({"date_resolved": fields.Datetime.now()})
            self._capture("resolved")
        return res

    # === STAGES === #
    def _move(self, stage):
        self.write({"stage": stage})
        return True

    def action_start(self):
        return self._move("in_progress")

    def action_wait_operator(self):
        return self._move("waiting_operator")

    def action_resolve(self):
        for complaint in self:
            if not complaint.resolution:
                raise UserError(
                    self.env._(
                        "Write the resolution of complaint %(name)s first.",
                        name=complaint.name,
                    )
                )
        return self._move("resolved")

    def action_close(self):
        return self._move("closed")

    def action_reject(self):
        return self._move("rejected")

    def action_reopen(self):
        return self._move("in_progress")

    # === MONEY === #
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "sputnik_crm.group_sputnik_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only Sputnik managers issue the documents of a compensation."
                )
            )
        self.check_access("write")

    def action_grant_compensation(self):
        """A customer credit note of the compensation, posted, for the client."""
        self._check_manager()
        self.check_access("write")
        for complaint in self:
            if complaint.compensation_move_id:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s already has its credit note %(move)s.",
                        name=complaint.name,
                        move=complaint.compensation_move_id.name,
                    )
                )
            if complaint.compensation_amount <= 0:
                raise UserError(
                    self.env._(
                        "Set the compensation granted on complaint %(name)s first.",
                        name=complaint.name,
                    )
                )
            move = complaint._compensation_move(
                "out_refund", complaint.partner_id, complaint.compensation_amount
            )
            # the link to the posted entry is the system's: a manager (checked
            # above) who may write the complaint makes it, sudo only links it
            complaint.sudo().compensation_move_id = move
        return True

    def action_record_recovery(self):
        """A vendor refund of what the tour operator pays back, posted."""
        self._check_manager()
        self.check_access("write")
        for complaint in self:
            if complaint.recovered_move_id:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s already has its operator refund %(move)s.",
                        name=complaint.name,
                        move=complaint.recovered_move_id.name,
                    )
                )
            if complaint.recovered_amount <= 0 or not complaint.operator_id:
                raise UserError(
                    self.env._(
                        "Set the tour operator and the amount recovered on complaint "
                        "%(name)s first.",
                        name=complaint.name,
                    )
                )
            move = complaint._compensation_move(
                "in_refund", complaint.operator_id, complaint.recovered_amount
            )
            # the link to the posted entry is the system's: a manager (checked
            # above) who may write the complaint makes it, sudo only links it
            complaint.sudo().recovered_move_id = move
        return True

    def _compensation_move(self, move_type, partner, amount):
        self.ensure_one()
        # sudo: a Sputnik manager issues the credit note or the operator's
        # refund without accounting rights; called by the two actions above
        # only, after _check_manager (group and write access on the complaint)
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": self.env._(
                        "Complaint %(name)s: %(subject)s",
                        name=self.name,
                        subject=self.subject,
                    ),
                    "invoice_origin": self.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Compensation, complaint %(name)s", name=self.name
                                ),
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    # === ESCALATION AND HISTORY === #
    @api.model
    def _cron_escalate(self):
        """An activity for a manager on each overdue complaint, once."""
        # sudo: run by ir.cron (private), over every company's complaints
        overdue = self.sudo().search(
            [("is_overdue", "=", True), ("escalated", "=", False)]
        )
        managers = self.env.ref("sputnik_crm.group_sputnik_manager").users.filtered(
            lambda u: not u.share
        )
        for complaint in overdue:
            manager = managers.filtered(
                lambda u, c=complaint: c.company_id in u.company_ids
            )[:1] or self.env.ref("base.user_admin")
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Overdue complaint: %(name)s", name=complaint.name),
                note=self.env._(
                    "The deadline was %(deadline)s; responsible: %(user)s.",
                    deadline=complaint.deadline,
                    user=complaint.user_id.name or "-",
                ),
            )
        overdue.write({"escalated": True})
        return len(overdue)

    def _capture(self, event):
        subjects = {
            "opened": self.env._("Complaint %(name)s opened: %(subject)s"),
            "resolved": self.env._("Complaint %(name)s resolved: %(subject)s"),
        }
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"complaint_{event}:{complaint.id}",
                    "name": subjects[event]
                    % {"name": complaint.name, "subject": complaint.subject},
                    "interaction_type": "complaint",
                    "partner_id": complaint.partner_id.commercial_partner_id.id,
                    "user_id": complaint.user_id.id,
                    "order_id": complaint.order_id.id,
                    "company_id": complaint.company_id.id,
                    "stage": "service",
                }
                for complaint in self
            ]
        )
