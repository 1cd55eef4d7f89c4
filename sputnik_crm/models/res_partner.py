from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

GENDERS = [("female", "Female"), ("male", "Male"), ("other", "Other")]
CONSENT_SOURCES = [
    ("office", "In the Office"),
    ("phone", "By Phone"),
    ("email", "By E-mail"),
    ("website", "Website Form"),
    ("contract", "Tour Contract"),
    ("import", "Import"),
]
PERSONAL = "sputnik_crm.group_sputnik_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # === TRAVEL PROFILE (personal data: Sputnik groups only) === #
    sputnik_birthdate = fields.Date(string="Birth Date", groups=PERSONAL, tracking=True)
    sputnik_age = fields.Integer(
        string="Age", compute="_compute_sputnik_age", groups=PERSONAL
    )
    sputnik_gender = fields.Selection(GENDERS, string="Gender", groups=PERSONAL)
    sputnik_citizenship_id = fields.Many2one(
        "res.country", string="Citizenship", groups=PERSONAL
    )
    sputnik_travel_document_ids = fields.One2many(
        "sputnik.travel.document",
        "partner_id",
        string="Travel Documents",
        groups=PERSONAL,
    )
    sputnik_relation_ids = fields.One2many(
        "sputnik.client.relation",
        "partner_id",
        string="Household and Companions",
        groups=PERSONAL,
    )
    sputnik_preference_ids = fields.One2many(
        "sputnik.client.preference",
        "partner_id",
        string="Preferences",
        groups=PERSONAL,
    )
    sputnik_companion_suggestion_ids = fields.Many2many(
        "res.partner",
        string="Suggested Companions",
        compute="_compute_sputnik_companion_suggestions",
        groups=PERSONAL,
        help="People who travelled with the client on confirmed bookings and are "
        "not yet in their household or party.",
    )
    # === CONSENTS AND ACQUISITION === #
    sputnik_consent_email = fields.Boolean(
        groups=PERSONAL, string="E-mail Marketing", tracking=True
    )
    sputnik_consent_email_date = fields.Date(
        groups=PERSONAL, string="E-mail Consent Date"
    )
    sputnik_consent_email_source = fields.Selection(
        CONSENT_SOURCES, groups=PERSONAL, string="E-mail Consent Source"
    )
    sputnik_consent_sms = fields.Boolean(
        groups=PERSONAL, string="SMS Marketing", tracking=True
    )
    sputnik_consent_sms_date = fields.Date(groups=PERSONAL, string="SMS Consent Date")
    sputnik_consent_sms_source = fields.Selection(
        CONSENT_SOURCES, groups=PERSONAL, string="SMS Consent Source"
    )
    sputnik_consent_phone = fields.Boolean(
        groups=PERSONAL, string="Phone Marketing", tracking=True
    )
    sputnik_consent_phone_date = fields.Date(
        groups=PERSONAL, string="Phone Consent Date"
    )
    sputnik_consent_phone_source = fields.Selection(
        CONSENT_SOURCES, groups=PERSONAL, string="Phone Consent Source"
    )
    sputnik_source_id = fields.Many2one(
        "utm.source",
        groups=PERSONAL,
        string="Acquisition Source",
        help="How the client found the bureau.",
    )
    sputnik_medium_id = fields.Many2one(
        "utm.medium", string="Acquisition Medium", groups=PERSONAL
    )
    # === MONEY === #
    sputnik_overdue_booking_count = fields.Integer(
        string="Overdue Bookings",
        compute="_compute_sputnik_overdue_booking_count",
        groups="sputnik_crm.group_sputnik_user,account.group_account_invoice",
    )

    @api.depends("sputnik_birthdate")
    def _compute_sputnik_age(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthdate = partner.sputnik_birthdate
            partner.sputnik_age = (
                relativedelta(today, birthdate).years if birthdate else 0
            )

    @api.depends("sputnik_relation_ids")
    def _compute_sputnik_companion_suggestions(self):
        # keyed by the saved record's id: in a form, ``partner`` is a NewId
        together = {partner._origin.id: set() for partner in self}
        if self._origin.ids:
            self.env["sale.order"].flush_model(["state", "sputnik_traveller_ids"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT me.partner_id, other.partner_id
                      FROM sale_order_sputnik_traveller_rel me
                      JOIN sale_order so ON so.id = me.order_id AND so.state = 'sale'
                      JOIN sale_order_sputnik_traveller_rel other
                        ON other.order_id = me.order_id
                       AND other.partner_id != me.partner_id
                     WHERE me.partner_id IN %s
                     GROUP BY me.partner_id, other.partner_id
                    """,
                    tuple(self._origin.ids),
                )
            )
            for partner_id, other_id in self.env.cr.fetchall():
                together[partner_id].add(other_id)
        known = (
            self.env["sputnik.client.relation"]
            .sudo()
            .search([("partner_id", "in", self._origin.ids)])
        )
        for relation in known:
            together[relation.partner_id.id].discard(relation.related_partner_id.id)
        for partner in self:
            partner.sputnik_companion_suggestion_ids = self.browse(
                sorted(together.get(partner._origin.id, ()))
            )

    def action_sputnik_add_companions(self):
        """Record the suggested companions as the client's travel companions."""
        self.env["sputnik.client.relation"].create(
            [
                {
                    "partner_id": partner.id,
                    "related_partner_id": companion.id,
                    "relation": "companion",
                }
                for partner in self
                for companion in partner.sputnik_companion_suggestion_ids
            ]
        )

    def _compute_sputnik_overdue_booking_count(self):
        counts = dict(
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", self.commercial_partner_id.ids),
                    ("sputnik_payment_status", "=", "overdue"),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.sputnik_overdue_booking_count = sum(
                count
                for booked, count in counts.items()
                if booked.commercial_partner_id == partner.commercial_partner_id
            )

    @api.constrains("sputnik_birthdate")
    def _check_sputnik_birthdate(self):
        today = fields.Date.context_today(self)
        for partner in self.sudo():
            if partner.sputnik_birthdate and partner.sputnik_birthdate > today:
                raise ValidationError(
                    self.env._(
                        "The birth date of %(client)s is in the future.",
                        client=partner.name,
                    )
                )

    @api.onchange(
        "sputnik_consent_email", "sputnik_consent_sms", "sputnik_consent_phone"
    )
    def _onchange_sputnik_consent(self):
        today = fields.Date.context_today(self)
        for channel in ("email", "sms", "phone"):
            if (
                self[f"sputnik_consent_{channel}"]
                and not self[f"sputnik_consent_{channel}_date"]
            ):
                self[f"sputnik_consent_{channel}_date"] = today

    def action_sputnik_overdue_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sale_order_action_bookings"
        )
        action["domain"] = [
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("sputnik_payment_status", "=", "overdue"),
        ]
        action["context"] = {}
        return action
