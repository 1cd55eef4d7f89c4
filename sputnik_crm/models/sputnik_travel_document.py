from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

from .sputnik_client_duplicate import DOCUMENT_KEY_FIELDS
from .sputnik_privacy_log import logged_read

EXPIRING_DAYS = 90
PERSONAL = "sputnik_crm.group_sputnik_user"
PASSPORT_FIELDS = ("sputnik_passport_number", "sputnik_passport_expiry")


class SputnikTravelDocument(models.Model):
    _name = "sputnik.travel.document"
    _description = "Travel Document"
    _inherit = ["mail.thread", "sputnik.system.fields.mixin"]
    _order = "partner_id, expiry_date desc"
    _rec_names_search = ["number", "partner_id"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Traveller",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    company_id = fields.Many2one(
        related="partner_id.company_id",
        store=True,
        index=True,
        string="Company",
        help="The client's company: the record is seen in that company only, or "
        "in every company for a client shared by all companies.",
    )
    document_type = fields.Selection(
        [
            ("internal_passport", "Internal Passport"),
            ("foreign_passport", "Foreign Passport"),
            ("visa", "Visa"),
            ("insurance", "Insurance"),
        ],
        string="Type",
        required=True,
        default="foreign_passport",
        tracking=True,
    )
    number = fields.Char(required=True, tracking=True)
    country_id = fields.Many2one("res.country", string="Issuing Country")
    issue_date = fields.Date()
    expiry_date = fields.Date(tracking=True)
    status = fields.Selection(
        [
            ("valid", "Valid"),
            ("expiring", "Expiring Soon"),
            ("expired", "Expired"),
        ],
        compute="_compute_status",
        search="_search_status",
        help=f"Expiring soon: expires within {EXPIRING_DAYS} days.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "number_type_uniq",
            "unique(document_type, country_id, number)",
            "A document of this type and number is already recorded.",
        ),
    ]

    @api.depends("expiry_date")
    def _compute_status(self):
        today = fields.Date.context_today(self)
        soon = today + relativedelta(days=EXPIRING_DAYS)
        for document in self:
            if document.expiry_date and document.expiry_date < today:
                document.status = "expired"
            elif document.expiry_date and document.expiry_date <= soon:
                document.status = "expiring"
            else:
                document.status = "valid"

    def _search_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(self.env._("Unsupported search on the status."))
        today = fields.Date.context_today(self)
        soon = today + relativedelta(days=EXPIRING_DAYS)
        domains = {
            "expired": [("expiry_date", "<", today)],
            "expiring": [("expiry_date", ">=", today), ("expiry_date", "<=", soon)],
            "valid": ["|", ("expiry_date", "=", False), ("expiry_date", ">", soon)],
        }
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not all(
            isinstance(status, str) and status in domains for status in values
        ):
            raise ValidationError(
                self.env._(
                    "Search the documents by status: %(statuses)s.",
                    statuses=", ".join(domains),
                )
            )
        if not values:
            return expression.FALSE_DOMAIN if operator == "in" else []
        domain = expression.OR([domains[status] for status in values])
        if operator in ("!=", "not in"):
            domain = ["!", *expression.normalize_domain(domain)]
        return domain

    @api.depends("document_type", "number")
    def _compute_display_name(self):
        types = dict(self._fields["document_type"]._description_selection(self.env))
        for document in self:
            document.display_name = f"{types[document.document_type]} {document.number}"

    @api.constrains("issue_date", "expiry_date")
    def _check_dates(self):
        for document in self:
            if (
                document.issue_date
                and document.expiry_date
                and document.expiry_date < document.issue_date
            ):
                raise ValidationError(
                    self.env._(
                        "Document %(number)s expires before it was issued.",
                        number=document.number,
                    )
                )

    def _is_valid_until(self, date):
        """Foreign passports among these documents valid through ``date``."""
        return self.filtered(
            lambda d: d.active
            and d.document_type == "foreign_passport"
            and d.expiry_date
            and d.expiry_date >= date
        )

    # === CRUD: the passports' match keys of the probable duplicates === #
    @api.model_create_multi
    def create(self, vals_list):
        documents = super().create(vals_list)
        self.env["sputnik.client.duplicate"]._sputnik_sync_keys(
            documents.partner_id.ids
        )
        return documents

    def write(self, vals):
        partners = self.partner_id
        result = super().write(vals)
        if not vals.keys().isdisjoint(DOCUMENT_KEY_FIELDS):
            self.env["sputnik.client.duplicate"]._sputnik_sync_keys(
                (partners | self.partner_id).ids
            )
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        self.env["sputnik.client.duplicate"]._sputnik_sync_keys(partners.exists().ids)
        return result

    # === ACCESS LOG === #
    @logged_read
    def read(self, fields=None, load="_classic_read"):
        """A user's read of travel documents (forms, lists, RPC: ``web_read``
        and ``web_search_read`` go through here) is logged per client."""
        result = super().read(fields, load)
        self._sputnik_log_read()
        return result

    @api.model
    @logged_read
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        result = super().search_read(
            domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
        )
        self.browse([values["id"] for values in result])._sputnik_log_read()
        return result

    @logged_read
    def web_read(self, specification):
        return super().web_read(specification)

    @api.model
    @logged_read
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return super().web_search_read(
            domain,
            specification,
            offset=offset,
            limit=limit,
            order=order,
            count_limit=count_limit,
        )

    def _sputnik_log_read(self):
        # the stored documents only: a line being edited in a form (an
        # onchange's new record) is not a read of what the database keeps
        documents = self._origin
        if not self.env.su and documents:
            # partner_id only, of records the user just read
            self.env["sputnik.privacy.log"]._sputnik_log_access(
                "document", documents.sudo().partner_id
            )


class ResPartner(models.Model):
    """A traveller's foreign passport at a glance: in the travellers of a
    booking, beside their birth date (personal data: Sputnik groups only)."""

    # the passport of a traveller belongs with the travel documents
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    sputnik_passport_id = fields.Many2one(
        "sputnik.travel.document",
        string="Foreign Passport",
        compute="_compute_sputnik_passport",
        groups=PERSONAL,
        help="The traveller's active foreign passport that expires last.",
    )
    sputnik_passport_number = fields.Char(
        string="Passport Number", compute="_compute_sputnik_passport", groups=PERSONAL
    )
    sputnik_passport_expiry = fields.Date(
        string="Passport Expiry", compute="_compute_sputnik_passport", groups=PERSONAL
    )

    @api.depends(
        "sputnik_travel_document_ids.document_type",
        "sputnik_travel_document_ids.number",
        "sputnik_travel_document_ids.expiry_date",
        "sputnik_travel_document_ids.active",
    )
    def _compute_sputnik_passport(self):
        # one search for all the travellers, with the user's rights; the last
        # to expire first (no expiry date: last of all)
        passports = self.env["sputnik.travel.document"].search(
            [
                ("partner_id", "in", self._origin.ids),
                ("document_type", "=", "foreign_passport"),
            ],
            order="expiry_date DESC NULLS LAST, id DESC",
        )
        best = {}
        for passport in passports:
            best.setdefault(passport.partner_id.id, passport)
        for partner in self:
            passport = best.get(partner._origin.id, passports.browse())
            partner.sputnik_passport_id = passport
            partner.sputnik_passport_number = passport.number
            partner.sputnik_passport_expiry = passport.expiry_date

    def read(self, fields=None, load="_classic_read"):
        """A user's read of the passports (the travellers of a booking) is
        logged per client, as any read of travel documents."""
        result = super().read(fields, load)
        if not self.env.su:
            ids = [
                values["id"]
                for values in result
                if isinstance(values.get("id"), int)
                and any(values.get(name) for name in PASSPORT_FIELDS)
            ]
            if ids:
                self.env["sputnik.privacy.log"]._sputnik_log_access(
                    "document", self.browse(ids)
                )
        return result

    def action_sputnik_traveller_passport(self):
        """The traveller's foreign passport in a dialog, to correct it (the one
        that expires last), or a new one to record (none yet, or expired)."""
        self.ensure_one()
        if not self.env.user.has_group(PERSONAL):
            raise AccessError(
                self.env._("Only travel agents may see the travellers' passports.")
            )
        self.check_access("read")
        passport = self.sputnik_passport_id
        today = fields.Date.context_today(self)
        if passport.expiry_date and passport.expiry_date < today:
            passport = passport.browse()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Passport of %(name)s", name=self.name),
            "res_model": "sputnik.travel.document",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": passport.id,
            "target": "new",
            "context": {
                "default_partner_id": self.id,
                "default_document_type": "foreign_passport",
            },
        }
