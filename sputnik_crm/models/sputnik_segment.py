from ast import literal_eval

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

# conditions nest ('any' on a relation, dotted paths) at most this deep
MAX_DEPTH = 5
# a segment's conditions are short: a bound on what is parsed and searched
MAX_DOMAIN_LENGTH = 10000
SCALARS = (str, int, float, bool, type(None))
# what a segment holds once the migration has neutralised an expression
MATCH_NOBODY = "[('id', 'in', [])]"


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

    name = fields.Char(required=True, tracking=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
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
        "preferences, household, consents... A list of conditions on the "
        "client's fields, never an expression: the dates relative to today are "
        "set with Not Travelled For and Age.",
    )
    domain_legacy = fields.Text(
        string="Former Conditions",
        readonly=True,
        copy=False,
        help="The conditions this segment held as an expression, which segments "
        "no longer accept: the segment was archived and matches nobody until "
        "its conditions are written again from these.",
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
            domain = segment._get_domain()
            # values of a wrong type (a text for a date...) only fail in the
            # database: try the filter, with the writer's rights, and say so
            # without echoing the database's message
            try:
                with self.env.cr.savepoint():
                    self.env["res.partner"].search_count(domain, limit=1)
            except AccessError:
                raise
            except Exception as error:  # noqa: BLE001 - any wrong value
                raise ValidationError(
                    self.env._(
                        "The conditions of segment %(name)s are not a valid filter "
                        "of clients: check the values they compare with.",
                        name=segment.name,
                    )
                ) from error

    # === CRUD === #
    def write(self, vals):
        if vals.get("domain_legacy") and not self.env.su:
            raise ValidationError(
                self.env._(
                    "The former conditions of a segment are kept by the system: "
                    "they cannot be written."
                )
            )
        if "domain" in vals and "domain_legacy" not in vals:
            # conditions written again: the former expression is dealt with
            vals = dict(vals, domain_legacy=False)
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("domain_legacy") for vals in vals_list):
            raise ValidationError(
                self.env._(
                    "The former conditions of a segment are kept by the system: "
                    "they cannot be written."
                )
            )
        return super().create(vals_list)

    # === CONDITIONS === #
    def _parse_conditions(self):
        """The segment's conditions as a domain: data parsed as a literal, as
        Odoo's mailings parse theirs, never evaluated; checked against the
        fields of a contact the current user may read."""
        self.ensure_one()
        text = self.domain or "[]"
        not_data = ValidationError(
            self.env._(
                "The conditions of segment %(name)s must be a list of conditions "
                "written as data, such as [('sputnik_lifecycle', '=', 'vip')], "
                "never an expression. Dates relative to today are set with "
                "Not Travelled For and Age.",
                name=self.name,
            )
        )
        if len(text) > MAX_DOMAIN_LENGTH:
            raise ValidationError(
                self.env._(
                    "The conditions of segment %(name)s are too long: at most "
                    "%(max)s characters.",
                    name=self.name,
                    max=MAX_DOMAIN_LENGTH,
                )
            )
        try:
            domain = literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise not_data from None
        if not isinstance(domain, list | tuple):
            raise not_data
        self._check_conditions(self.env["res.partner"], domain, 0)
        return list(domain)

    def _check_conditions(self, model, domain, depth):
        """Refuse a domain that is not well formed, or that names a field the
        current user may not read or that does not exist."""
        malformed = ValidationError(
            self.env._(
                "The conditions of segment %(name)s are not a well-formed filter: "
                "each condition is (field, operator, value), combined with "
                "'&', '|' and '!'.",
                name=self.name,
            )
        )
        if depth > MAX_DEPTH or not isinstance(domain, list | tuple):
            raise malformed
        try:
            expression.normalize_domain(domain)
        except (ValueError, AssertionError, TypeError):
            raise malformed from None
        for element in domain:
            if isinstance(element, str):
                if element not in expression.DOMAIN_OPERATORS:
                    raise malformed
                continue
            if not isinstance(element, list | tuple) or len(element) != 3:
                raise malformed
            if tuple(element) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                continue
            path, operator, value = element
            if not isinstance(path, str) or operator not in expression.TERM_OPERATORS:
                raise malformed
            field = self._check_condition_path(model, path)
            if operator in ("any", "not any"):
                if field.type not in ("many2one", "one2many", "many2many"):
                    raise malformed
                self._check_conditions(self.env[field.comodel_name], value, depth + 1)
            elif isinstance(value, list | tuple):
                if not all(isinstance(item, SCALARS) for item in value):
                    raise malformed
            elif not isinstance(value, SCALARS):
                raise malformed

    def _check_condition_path(self, model, path):
        """The last field of ``path`` (``parent_id.city``), each step existing,
        searchable and readable by the current user."""
        names = path.split(".")
        if len(names) > MAX_DEPTH:
            raise ValidationError(
                self.env._(
                    "Segment %(name)s: the condition on “%(field)s” goes through "
                    "too many relations.",
                    name=self.name,
                    field=path,
                )
            )
        field = None
        for index, name in enumerate(names):
            field = model._fields.get(name)
            if field is None or (index < len(names) - 1 and not field.relational):
                raise ValidationError(
                    self.env._(
                        "Segment %(name)s: contacts have no field “%(field)s”.",
                        name=self.name,
                        field=path,
                    )
                )
            if not field.is_accessible(self.env) or not model.has_access("read"):
                raise ValidationError(
                    self.env._(
                        "Segment %(name)s: you may not filter on “%(field)s”, a "
                        "field you are not allowed to read.",
                        name=self.name,
                        field=path,
                    )
                )
            if not field._description_searchable:
                raise ValidationError(
                    self.env._(
                        "Segment %(name)s: clients cannot be filtered on "
                        "“%(field)s”.",
                        name=self.name,
                        field=path,
                    )
                )
            if field.relational:
                model = self.env[field.comodel_name]
                if not model.has_access("read"):
                    raise ValidationError(
                        self.env._(
                            "Segment %(name)s: you may not filter on “%(field)s”, "
                            "a field you are not allowed to read.",
                            name=self.name,
                            field=path,
                        )
                    )
        return field

    def _get_domain(self):
        """The segment's filter of res.partner, as of today, for the current
        user: to be searched with their rights, never under sudo()."""
        self.ensure_one()
        domain = self._parse_conditions()
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
            except (ValidationError, AccessError):
                # conditions this reader may not use: nothing to count for them
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
