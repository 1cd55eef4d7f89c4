from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

KINDS = [
    ("document", "Travel Documents Read"),
    ("birthdate", "Birth Date Read"),
    ("export", "Personal Data Exported"),
    ("erasure", "Client Erased"),
]
# reads are logged once per user, client, kind and day
ACCESS_KINDS = ("document", "birthdate")
MANAGER = "sputnik_crm.group_sputnik_manager"
EXPORT_FORMAT = "sputnik_crm personal data export 1"
# fields of the card emptied by the erasure (those the database has)
ERASED_PARTNER_FIELDS = [
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "website",
    "function",
    "title",
    "comment",
    "image_1920",
    "company_name",
    "barcode",
    "additional_info",
    "peppol_endpoint",
    "invoice_warn_msg",
    "sale_warn_msg",
    "picking_warn_msg",
    "purchase_warn_msg",
    "sputnik_birthdate",
    "sputnik_gender",
    "sputnik_citizenship_id",
    "sputnik_consent_email",
    "sputnik_consent_email_date",
    "sputnik_consent_email_source",
    "sputnik_consent_sms",
    "sputnik_consent_sms_date",
    "sputnik_consent_sms_source",
    "sputnik_consent_phone",
    "sputnik_consent_phone_date",
    "sputnik_consent_phone_source",
    "sputnik_source_id",
    "sputnik_medium_id",
    "sputnik_birthday_year",
]
CARD_FIELDS = [
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "vat",
    "lang",
    "website",
    "function",
    "comment",
    "user_id",
    "company_id",
    "category_id",
    "create_date",
    "sputnik_birthdate",
    "sputnik_gender",
    "sputnik_citizenship_id",
    "sputnik_source_id",
    "sputnik_medium_id",
    "sputnik_birthday_year",
    "sputnik_lifecycle",
    "sputnik_rfm_segment",
    "sputnik_abc",
    "sputnik_xyz",
    "sputnik_tier_id",
    "sputnik_churn_risk",
    "sputnik_trip_count",
    "sputnik_first_trip_date",
    "sputnik_last_trip_date",
    "sputnik_revenue_total",
    "sputnik_margin_total",
    "sputnik_nps_last",
    "sputnik_last_survey_date",
]
CONSENT_FIELDS = [
    f"sputnik_consent_{channel}{suffix}"
    for channel in ("email", "sms", "phone")
    for suffix in ("", "_date", "_source")
]


class SputnikPrivacyLog(models.Model):
    """Who read a client's travel documents or birth date, exported a client's
    personal data or erased a client. Written by the system only, never the
    values read, exported or erased: the client is kept by id so that the log
    outlives the client."""

    _name = "sputnik.privacy.log"
    _description = "Personal Data Log"
    _order = "date desc, id desc"

    kind = fields.Selection(KINDS, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    day = fields.Date(
        required=True,
        readonly=True,
        default=fields.Date.today,
        help="Reads are logged once a day per user and client.",
    )
    user_id = fields.Many2one(
        "res.users", string="User", required=True, readonly=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    client_ref = fields.Integer(
        string="Client ID",
        required=True,
        readonly=True,
        index=True,
        help="The id of the client, kept if the client is deleted.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    detail = fields.Char(
        readonly=True, help="What was done, in figures: never a personal value."
    )
    attachment_id = fields.Many2one(
        "ir.attachment", string="Export File", readonly=True, ondelete="set null"
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS sputnik_privacy_log_access_uniq
                    ON sputnik_privacy_log (kind, user_id, client_ref, day)
                 WHERE kind IN %s
                """,
                ACCESS_KINDS,
            )
        )

    @api.depends("kind", "client_ref")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for log in self:
            log.display_name = f"{kinds.get(log.kind, '')} #{log.client_ref}"

    # === CRUD: the system writes, nobody changes === #
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("The personal data log is written by the system only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The personal data log cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise AccessError(self.env._("The personal data log cannot be deleted."))
        return super().unlink()

    # === LOGGING === #
    @api.model
    def _sputnik_company_of(self, partner):
        return partner.company_id or self.env.company

    @api.model
    def _sputnik_log_access(self, kind, partners):
        """Log that the current user read ``kind`` of ``partners``: one row per
        user, client and day, all in one INSERT (a read already logged today
        adds nothing). Called after the read, once Odoo checked the user's
        rights on the records read; the rows go in by SQL because no user may
        create log rows through the ORM."""
        if self.env.su or not partners:
            return
        partners = partners.sudo()  # only their company is read, for the log row
        rows = [
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                kind,
                self.env.uid,
                partner.id,
                partner.id,
                self._sputnik_company_of(partner).id,
                self.env.uid,
                self.env.uid,
                # a server-side timestamp, as Odoo's create_date
                SQL("(now() AT TIME ZONE 'UTC')"),
                SQL("(now() AT TIME ZONE 'UTC')"),
                SQL("(now() AT TIME ZONE 'UTC')"),
                SQL("(now() AT TIME ZONE 'UTC')::date"),
            )
            for partner in partners
        ]
        # The web client's reads that log are routed read/write (logged_read);
        # any other read-only request that gets here fails on this INSERT and
        # Odoo replays it read/write (odoo.http._transactioning).
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sputnik_privacy_log (kind, user_id, partner_id,
                       client_ref, company_id, create_uid, write_uid, create_date,
                       write_date, date, day)
                VALUES %s
                    ON CONFLICT (kind, user_id, client_ref, day) WHERE kind IN %s
                    DO NOTHING
                """,
                SQL(", ").join(rows),
                ACCESS_KINDS,
            )
        )

    @api.model
    def _sputnik_log(self, kind, partner, detail=False, attachment=False):
        """One row for an export or an erasure of ``partner``, by the current
        user: the caller checked that the user is a manager."""
        # sudo: nobody creates log rows; the caller checked the manager's rights
        return self.sudo().create(
            {
                "kind": kind,
                "user_id": self.env.uid,
                "partner_id": partner.id,
                "client_ref": partner.id,
                "company_id": self._sputnik_company_of(partner.sudo()).id,
                "detail": detail,
                "attachment_id": attachment and attachment.id,
            }
        )

    @api.model
    def _sputnik_check_manager(self):
        if not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._(
                    "Only a Sputnik manager may export or erase a client's "
                    "personal data."
                )
            )


def regex_escape(value):
    """``value`` matched literally in a PostgreSQL regular expression."""
    return "".join(f"\\{char}" if not char.isalnum() else char for char in value)


def logged_read(method):
    """Mark a read that writes the personal data log: the web client calls it
    in a read/write transaction, never on a read-only replica (see
    ``_call_kw_readonly`` in Odoo's web dataset controller), so that it is
    not first run, failed and replayed."""
    method._readonly = False
    return method
