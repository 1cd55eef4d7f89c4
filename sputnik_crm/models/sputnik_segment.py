from ast import literal_eval

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval


class SputnikSegment(models.Model):
    """A saved, reusable filter of clients: on their classification and profile
    (the domain), plus the criteria that move with the calendar (months since
    the last trip, age), evaluated each time the segment is used, so that its
    clients are always today's."""

    _name = "sputnik.segment"
    _description = "Client Segment"
    _inherit = ["mail.thread", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("no_trip_months", "age_min", "age_max")
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company",
        help="Only clients of this company (and those shared by all companies); "
        "empty: every client the user may see.",
    )
    domain = fields.Char(
        string="Clients Matching",
        default="[]",
        required=True,
        tracking=True,
        help="The conditions on the client's status, segment, classes, tier, "
        "preferences, household, consents...",
    )
    no_trip_months = fields.Integer(
        string="Not Travelled For (months)",
        tracking=True,
        help="Only clients back from their last trip at least this many months "
        "ago, with no trip booked ahead. 0: no condition.",
    )
    age_min = fields.Integer(string="Age From", tracking=True)
    age_max = fields.Integer(string="Age To", tracking=True, help="0: no limit.")
    partner_count = fields.Integer(string="Clients", compute="_compute_counts")
    consent_count = fields.Integer(
        string="With E-mail Consent",
        compute="_compute_counts",
        help="Clients of the segment who agreed to e-mail marketing and have an "
        "e-mail address: the recipients of a mailing to the segment.",
    )
    no_consent_count = fields.Integer(
        string="Without E-mail Consent",
        compute="_compute_counts",
        help="Clients of the segment a mailing will not reach: no e-mail "
        "consent, or no e-mail address.",
    )
    campaign_ids = fields.One2many(
        "utm.campaign", "sputnik_segment_id", string="Campaigns"
    )

    @api.constrains("domain", "no_trip_months", "age_min", "age_max")
    def _check_domain(self):
        for segment in self:
            if segment.no_trip_months < 0 or segment.age_min < 0 or segment.age_max < 0:
                raise ValidationError(
                    self.env._("The months and ages of a segment cannot be negative.")
                )
            if segment.age_max and segment.age_max < segment.age_min:
                raise ValidationError(
                    self.env._(
                        "The age range of segment %(name)s is empty.", name=segment.name
                    )
                )
            try:
                with self.env.cr.savepoint():
                    self.env["res.partner"].search_count(segment._get_domain())
            except Exception as error:  # noqa: BLE001 - any wrong domain
                raise ValidationError(
                    self.env._(
                        "The conditions of segment %(name)s are not a valid filter "
                        "of clients: %(error)s",
                        name=segment.name,
                        error=error,
                    )
                ) from error

    def _eval_context(self):
        today = fields.Date.context_today(self)
        return {
            "context_today": lambda: today,
            "relativedelta": relativedelta,
            "datetime": fields.datetime,
            "uid": self.env.uid,
            "user": self.env.user,
        }

    def _get_domain(self):
        """The segment's filter of res.partner, as of today."""
        self.ensure_one()
        domain = safe_eval(self.domain or "[]", self._eval_context())
        if not isinstance(domain, list | tuple):
            raise UserError(self.env._("The conditions of a segment must be a list."))
        today = fields.Date.context_today(self)
        extra = [("active", "=", True)]
        if self.company_id:
            extra += [("company_id", "in", [self.company_id.id, False])]
        if self.no_trip_months:
            extra += [
                (
                    "sputnik_last_return_date",
                    "<=",
                    today - relativedelta(months=self.no_trip_months),
                ),
                ("sputnik_next_trip_booked", "=", False),
            ]
        if self.age_min:
            extra += [
                ("sputnik_birthdate", "<=", today - relativedelta(years=self.age_min))
            ]
        if self.age_max:
            extra += [
                (
                    "sputnik_birthdate",
                    ">",
                    today - relativedelta(years=self.age_max + 1),
                )
            ]
        return expression.AND([list(domain), extra])

    def _static_domain(self):
        """The segment's conditions as a literal domain, for Odoo's mailing form
        (the criteria moving with the calendar apply when the mailing is sent)."""
        self.ensure_one()
        try:
            return repr(list(literal_eval(self.domain or "[]")))
        except (ValueError, SyntaxError):
            return "[]"

    def _consent_domain(self):
        return [("sputnik_consent_email", "=", True), ("email", "!=", False)]

    @api.depends("domain", "no_trip_months", "age_min", "age_max", "company_id")
    def _compute_counts(self):
        Partner = self.env["res.partner"]
        for segment in self:
            try:
                domain = segment._get_domain()
            except (UserError, ValueError, SyntaxError, NameError):
                segment.partner_count = segment.consent_count = 0
                segment.no_consent_count = 0
                continue
            segment.partner_count = Partner.search_count(domain)
            segment.consent_count = Partner.search_count(
                expression.AND([domain, self._consent_domain()])
            )
            segment.no_consent_count = segment.partner_count - segment.consent_count

    # === ACTIONS === #
    def _clients_action(self, domain, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "res.partner",
            "view_mode": "list,kanban,form",
            "domain": domain,
            "context": {"create": False},
        }

    def action_view_clients(self):
        self.ensure_one()
        return self._clients_action(
            self._get_domain(),
            self.env._("Clients of %(segment)s", segment=self.name),
        )

    def action_view_no_consent(self):
        self.ensure_one()
        domain = expression.AND(
            [
                self._get_domain(),
                ["!", *expression.normalize_domain(self._consent_domain())],
            ]
        )
        return self._clients_action(
            domain,
            self.env._("%(segment)s: without e-mail consent", segment=self.name),
        )

    def action_create_mailing(self):
        """A mailing to the segment's clients, in a campaign of the segment if
        there is one."""
        self.ensure_one()
        campaign = self.env.context.get("default_campaign_id") or (
            self.campaign_ids[:1].id
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mailing to %(segment)s", segment=self.name),
            "res_model": "mailing.mailing",
            "view_mode": "form",
            "context": {
                "default_sputnik_segment_id": self.id,
                "default_mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "default_mailing_domain": self._static_domain(),
                "default_campaign_id": campaign,
                "default_mailing_type": "mail",
            },
        }
