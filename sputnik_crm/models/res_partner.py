import logging
import time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_amount

from .sputnik_client_classification import ABC, LIFECYCLE, RFM_SEGMENTS, XYZ
from .survey_user_input import NPS_CATEGORIES

GENDERS = [("female", "Female"), ("male", "Male"), ("other", "Other")]
CONSENT_SOURCES = [
    ("office", "In the Office"),
    ("phone", "By Phone"),
    ("email", "By E-mail"),
    ("website", "Website Form"),
    ("contract", "Tour Contract"),
    ("import", "Import"),
    ("mailing_list", "Mailing-List Subscription"),
]
PERSONAL = "sputnik_crm.group_sputnik_user"
_logger = logging.getLogger(__name__)

CLASS_GROUPS = "sputnik_crm.group_sputnik_user"
CHURN_RISK = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
# Advisory locks: one full run at a time; full runs and one-client updates
# exclude each other (one-client updates run side by side).
LOCK_FULL_RUN = 0x53504E4B01
LOCK_CLASSES = 0x53504E4B02
# Column written by the classification -> SQL expression over the `calc` row.
FIGURES = {
    "sputnik_trip_count": "calc.trip_count",
    "sputnik_first_trip_date": "calc.first_trip",
    "sputnik_last_trip_date": "calc.last_trip",
    "sputnik_last_return_date": "calc.last_return",
    "sputnik_revenue_total": "calc.revenue",
    "sputnik_margin_total": "calc.margin",
    "sputnik_avg_booking_value": "calc.avg_value",
    "sputnik_clv_predicted": "calc.clv_predicted",
    "sputnik_rfm_frequency": "calc.frequency",
    "sputnik_rfm_monetary": "calc.monetary",
    "sputnik_rfm_revenue": "calc.window_revenue",
    "sputnik_rfm_r": "calc.r",
    "sputnik_rfm_f": "calc.f",
    "sputnik_rfm_m": "calc.m",
    "sputnik_spend_cv": "calc.spend_cv",
    "sputnik_paid_invoice_count": "calc.invoice_count",
    "sputnik_paid_on_time_rate": "calc.on_time_rate",
    "sputnik_avg_days_late": "calc.days_late",
    "sputnik_churn_risk": "calc.churn_risk",
    "sputnik_next_trip_date": "calc.next_trip",
    "sputnik_next_trip_booked": "calc.next_booked IS NOT NULL",
    # the classes, possibly overridden
    "sputnik_lifecycle": "COALESCE(ov.lifecycle, calc.lifecycle)",
    "sputnik_rfm_segment": "COALESCE(ov.rfm_segment, calc.rfm_segment)",
    "sputnik_abc": "COALESCE(ov.abc, calc.abc)",
    "sputnik_xyz": "COALESCE(ov.xyz, calc.xyz)",
    "sputnik_tier_id": "COALESCE(ov.tier_id, calc.tier_id)",
}
SATISFACTION_FIELDS = {
    "sputnik_survey_count",
    "sputnik_csat_rate",
    "sputnik_nps_last",
    "sputnik_nps_category",
    "sputnik_last_survey_date",
}
CLASSES = {
    "lifecycle": "sputnik_lifecycle",
    "rfm_segment": "sputnik_rfm_segment",
    "abc": "sputnik_abc",
    "xyz": "sputnik_xyz",
    "tier": "sputnik_tier_id",
}


def label_dimension(override):
    return dict(override._fields["dimension"]._description_selection(override.env)).get(
        override.dimension
    )


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "sputnik.system.fields.mixin"]
    # nobody writes a class directly: the classification, the satisfaction
    # surveys and the care engine keep these (a manager overrides a class with a
    # reason instead)
    _sputnik_system_fields = (
        *FIGURES,
        *SATISFACTION_FIELDS,
        "sputnik_next_trip_call_date",
        "sputnik_birthday_year",
    )

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
    sputnik_consent_email_origin = fields.Char(
        groups=PERSONAL,
        string="E-mail Consent Origin",
        help="Where the consent was given, in detail: the mailing list, the "
        "form, the contract...",
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
    sputnik_birthday_year = fields.Integer(
        string="Greeted for the Birthday In",
        readonly=True,
        copy=False,
        groups=PERSONAL,
        help="The last year the client received the birthday greetings.",
    )
    # === INTERACTIONS === #
    sputnik_interaction_count = fields.Integer(
        string="Interactions",
        compute="_compute_sputnik_interactions",
        groups=PERSONAL,
    )
    sputnik_last_contact = fields.Datetime(
        string="Last Contact",
        compute="_compute_sputnik_interactions",
        groups=PERSONAL,
        help="The latest interaction with the client or their contacts.",
    )
    # === TOURISM BUSINESS (stated in the contracts on tourist services) === #
    sputnik_tourism_licence = fields.Char(
        string="Tourism Licence",
        help="Number and date of the licence for tour operator activity, stated "
        "in the contract on tourist services as the Law of Ukraine "
        '"On Tourism" requires.',
    )
    sputnik_financial_guarantee = fields.Char(
        string="Financial Guarantee",
        help="The tour operator's financial security of its civil liability "
        "(bank guarantee or insurance: issuer, number, amount), stated in the "
        "contract on tourist services.",
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
        # sudo: a compute; which suggested companions are already related,
        # whoever may read the relations (used to filter the suggestions only)
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
        return True

    def _compute_sputnik_interactions(self):
        partners = self.commercial_partner_id.filtered("id")
        stats = {
            partner: (count, last)
            for partner, count, last in self.env["sputnik.interaction"]._read_group(
                [("partner_id", "in", partners.ids)],
                ["partner_id"],
                ["__count", "date:max"],
            )
        }
        for partner in self:
            count, last = stats.get(partner.commercial_partner_id, (0, False))
            partner.sputnik_interaction_count = count
            partner.sputnik_last_contact = last

    def action_sputnik_log_interaction(self):
        self.ensure_one()
        return self.env["sputnik.interaction"]._log_action(self)

    def action_sputnik_history(self):
        self.ensure_one()
        return self.env["sputnik.client.timeline"]._sputnik_for_client(self)

    def action_sputnik_interactions(self):
        self.ensure_one()
        client = self.commercial_partner_id
        return self.env["sputnik.interaction"]._list_action(
            [("partner_id", "=", client.id)], {"default_partner_id": client.id}
        )

    def _compute_sputnik_overdue_booking_count(self):
        # sudo: a count on the client card for agents and accountants, who may
        # not read every booking; only a number comes out (the button opens
        # the bookings with the user's own rights)
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
        # sudo: a constraint on partners just written; the birth date may be
        # hidden by its field's groups from the user writing another field
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

    # === CLASSES (written by the classification, see _sputnik_classify) === #
    sputnik_lifecycle = fields.Selection(
        LIFECYCLE,
        string="Client Status",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Prospect: no trip yet. New: one trip. Regular and VIP: from the "
        "numbers of trips (or margin) set in Settings. Dormant and lost: no return "
        "for the months set in Settings.",
    )
    sputnik_rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="RFM Segment",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Named from the recency score and the mean of the frequency and "
        "monetary scores.",
    )
    sputnik_abc = fields.Selection(
        ABC,
        string="ABC Class",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Clients ranked by margin in the RFM window: A make the first 80 % of "
        "it, B the next 15 %, C the rest (Settings).",
    )
    sputnik_xyz = fields.Selection(
        XYZ,
        string="XYZ Class",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Steadiness of the yearly spend: X up to 10 % of variation, Y up to "
        "25 %, Z above (Settings).",
    )
    sputnik_tier_id = fields.Many2one(
        "sputnik.loyalty.tier",
        string="Loyalty Tier",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
    )
    sputnik_churn_risk = fields.Selection(
        CHURN_RISK,
        string="Churn Risk",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Time since the last return against the client's usual time between "
        "trips (a year for one-trip clients): low below it, medium up to 1.5 "
        "times it, high beyond or when lost. Low while a trip is booked.",
    )
    # === FIGURES BEHIND THE CLASSES === #
    sputnik_trip_count = fields.Integer(
        string="Trips",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Confirmed bookings, booked ahead included.",
    )
    sputnik_first_trip_date = fields.Date(
        string="First Trip", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_last_trip_date = fields.Date(
        string="Last Trip",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Departure of the latest trip, booked ahead included.",
    )
    sputnik_last_return_date = fields.Date(
        string="Last Return", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_recency_days = fields.Integer(
        string="Days Since Return",
        compute="_compute_sputnik_recency",
        groups=CLASS_GROUPS,
        help="0 while a trip is booked ahead.",
    )
    sputnik_churn_score = fields.Integer(
        string="Churn Score",
        compute="_compute_sputnik_recency",
        groups=CLASS_GROUPS,
        help="0-100: 50 when the client's usual time between trips has passed "
        "since the last return, 100 at twice that time or when lost.",
    )
    sputnik_revenue_total = fields.Monetary(
        string="Revenue", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_margin_total = fields.Monetary(
        string="Historic CLV",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Margin of all the client's trips.",
    )
    sputnik_avg_booking_value = fields.Monetary(
        string="Average Booking", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_clv_predicted = fields.Monetary(
        string="Predicted CLV",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Average margin per trip x trips per year x expected remaining years "
        "(Settings); 0 for lost clients.",
    )
    sputnik_rfm_frequency = fields.Integer(
        string="Trips in Window", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_rfm_monetary = fields.Monetary(
        string="Margin in Window", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_rfm_revenue = fields.Monetary(
        string="Revenue in Window", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_rfm_r = fields.Integer(
        string="R Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Recency 1-5 by quintile of the days since the last return.",
    )
    sputnik_rfm_f = fields.Integer(
        string="F Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Frequency 1-5 by quintile of the trips in the window.",
    )
    sputnik_rfm_m = fields.Integer(
        string="M Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Monetary 1-5 by quintile of the margin in the window.",
    )
    sputnik_spend_cv = fields.Float(
        string="Spend Variation (%)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        groups=CLASS_GROUPS,
        help="Coefficient of variation of the client's yearly spend.",
    )
    sputnik_paid_invoice_count = fields.Integer(
        string="Invoices Rated",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Paid invoices and overdue open invoices, behind the payment figures: "
        "an open overdue invoice counts as not paid on time.",
    )
    sputnik_paid_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        groups=CLASS_GROUPS,
    )
    sputnik_avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        copy=False,
        digits=(16, 1),
        groups=CLASS_GROUPS,
        help="Average over the paid invoices of the days between their due date "
        "and their payment; an invoice paid on time counts 0.",
    )
    # === SATISFACTION (from the survey answers) === #
    sputnik_survey_count = fields.Integer(
        string="Surveys Answered",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Satisfaction surveys the client completed.",
    )
    sputnik_csat_rate = fields.Float(
        string="CSAT (%)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        groups=CLASS_GROUPS,
        help="Share of the client's CSAT answers that are satisfied (4 or 5 of 5).",
    )
    sputnik_nps_last = fields.Integer(
        string="Last NPS Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="The client's latest answer (0-10) to the recommendation question.",
    )
    sputnik_nps_category = fields.Selection(
        NPS_CATEGORIES,
        string="NPS Category",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=CLASS_GROUPS,
        help="From the latest answer: promoters 9-10, passives 7-8, detractors 0-6.",
    )
    sputnik_last_survey_date = fields.Date(
        string="Last Survey Answered",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
    )
    sputnik_next_trip_date = fields.Date(
        string="Expected Next Trip",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=CLASS_GROUPS,
        help="The next booked departure, or the last trip plus the client's usual "
        "time between trips (a year for one-trip clients), moved by whole years "
        "into the future.",
    )
    sputnik_next_trip_booked = fields.Boolean(
        string="Next Trip Booked", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    sputnik_next_trip_call_date = fields.Date(
        string="Call Planned For",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Expected trip for which a call was last planned.",
    )
    sputnik_class_override_ids = fields.One2many(
        "sputnik.client.class.override",
        "partner_id",
        string="Overrides",
        groups=CLASS_GROUPS,
    )
    sputnik_class_history_ids = fields.One2many(
        "sputnik.client.class.history",
        "partner_id",
        string="Class History",
        groups=CLASS_GROUPS,
    )

    sputnik_class_explanation = fields.Text(
        string="Why These Classes",
        compute="_compute_sputnik_class_explanation",
        groups=CLASS_GROUPS,
    )

    @api.depends_context("today", "lang")
    def _compute_sputnik_class_explanation(self):
        company = self.env.company
        for partner in self:
            partner.sputnik_class_explanation = (
                "\n".join(partner._sputnik_class_reasons(company))
                if partner.sputnik_lifecycle
                else False
            )

    def _sputnik_class_reasons(self, company):
        _ = self.env._

        def amount(value):
            return format_amount(self.env, value, company.currency_id)

        def label(name):
            return dict(self._fields[name]._description_selection(self.env)).get(
                self[name]
            )

        reasons = []
        status = self.sputnik_lifecycle
        trips = self.sputnik_trip_count
        if status == "prospect":
            reasons.append(_("Status Prospect: no confirmed trip yet."))
        elif status in ("lost", "dormant"):
            reasons.append(
                _(
                    "Status %(status)s: last return on %(date)s, %(days)s days ago "
                    "(dormant after %(dormant)s months, lost after %(lost)s).",
                    status=label("sputnik_lifecycle"),
                    date=self.sputnik_last_return_date,
                    days=self.sputnik_recency_days,
                    dormant=company.sputnik_dormant_months,
                    lost=company.sputnik_lost_months,
                )
            )
        else:
            reasons.append(
                _(
                    "Status %(status)s: trips %(trips)s, margin %(margin)s (regular "
                    "from %(regular)s trips, VIP from %(vip)s trips or %(vip_margin)s "
                    "margin).",
                    status=label("sputnik_lifecycle"),
                    trips=trips,
                    margin=amount(self.sputnik_margin_total),
                    regular=company.sputnik_regular_trips,
                    vip=company.sputnik_vip_trips,
                    vip_margin=amount(company.sputnik_vip_margin),
                )
            )
        if trips:
            reasons.append(
                _(
                    "RFM %(r)s-%(f)s-%(m)s, %(segment)s: %(days)s days since the last "
                    "return; in the last %(months)s months, trips %(freq)s and margin "
                    "%(monetary)s; each scored 1-5 by quintile of the base.",
                    r=self.sputnik_rfm_r,
                    f=self.sputnik_rfm_f,
                    m=self.sputnik_rfm_m,
                    segment=label("sputnik_rfm_segment"),
                    days=self.sputnik_recency_days,
                    freq=self.sputnik_rfm_frequency,
                    monetary=amount(self.sputnik_rfm_monetary),
                    months=company.sputnik_rfm_months,
                )
            )
            reasons.append(
                _(
                    "Class %(abc)s: ranked by that margin, class A clients make the "
                    "first %(a)s %% of the base's margin, class B the next %(b)s %%.",
                    abc=label("sputnik_abc"),
                    a=company.sputnik_abc_a,
                    b=company.sputnik_abc_b,
                )
            )
        if self.sputnik_xyz:
            reasons.append(
                _(
                    "Class %(xyz)s: the yearly spend of the last %(years)s years "
                    "varies by %(cv)s %% (X up to %(x)s %%, Y up to %(y)s %%).",
                    xyz=label("sputnik_xyz"),
                    years=company.sputnik_xyz_years,
                    cv=self.sputnik_spend_cv,
                    x=company.sputnik_xyz_x,
                    y=company.sputnik_xyz_y,
                )
            )
        if self.sputnik_tier_id:
            tier = self.sputnik_tier_id
            reasons.append(
                _(
                    "Tier %(tier)s: from %(trips)s trips and %(margin)s margin.",
                    tier=tier.name,
                    trips=tier.min_trips,
                    margin=amount(tier.min_margin),
                )
            )
        for override in self.sputnik_class_override_ids:
            reasons.append(
                _(
                    "%(dimension)s set to %(value)s by %(user)s: %(reason)s",
                    dimension=label_dimension(override),
                    value=override.value_display,
                    user=override.user_id.name,
                    reason=override.reason,
                )
            )
        return reasons

    def action_sputnik_override_class(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override a Class"),
            "res_model": "sputnik.client.class.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    @api.depends_context("today")
    def _compute_sputnik_recency(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.sputnik_recency_days = (
                max((today - partner.sputnik_last_return_date).days, 0)
                if partner.sputnik_last_return_date
                else 0
            )
            partner.sputnik_churn_score = partner._sputnik_churn_score(today)

    def _sputnik_churn_score(self, today):
        """The score behind the churn risk (same formula as the SQL)."""
        if not self.sputnik_trip_count or self.sputnik_next_trip_booked:
            return 0
        if self.sputnik_lifecycle == "lost":
            return 100
        gap = self._sputnik_trip_gap()
        ratio = self.sputnik_recency_days / max(gap, 90)
        return min(100, round(50 * ratio))

    def _sputnik_trip_gap(self):
        if self.sputnik_trip_count >= 2:
            days = (self.sputnik_last_trip_date - self.sputnik_first_trip_date).days
            return max(days / (self.sputnik_trip_count - 1), 1)
        return 365

    def _sputnik_update_satisfaction(self):
        """The satisfaction figures of these clients from all their completed
        surveys, in one statement."""
        if not self:
            return
        self.env["survey.user_input"].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                WITH answers AS (
                    SELECT p.commercial_partner_id AS client_id, a.sputnik_csat,
                           a.sputnik_nps, a.sputnik_nps_category,
                           COALESCE(a.end_datetime, a.write_date) AS done, a.id
                      FROM survey_user_input a
                      JOIN res_partner p ON p.id = a.partner_id
                     WHERE a.state = 'done' AND NOT a.test_entry
                       AND p.commercial_partner_id IN %(ids)s
                       AND (a.sputnik_csat > 0 OR a.sputnik_nps_category IS NOT NULL)
                )
                SELECT c.id,
                       count(a.client_id),
                       COALESCE(round(100.0 * count(*) FILTER (
                           WHERE a.sputnik_csat >= 4) / NULLIF(count(*) FILTER (
                           WHERE a.sputnik_csat > 0), 0), 1), 0),
                       (array_agg(a.sputnik_nps ORDER BY a.done DESC, a.id DESC)
                           FILTER (WHERE a.sputnik_nps_category IS NOT NULL))[1],
                       (array_agg(a.sputnik_nps_category
                                  ORDER BY a.done DESC, a.id DESC)
                           FILTER (WHERE a.sputnik_nps_category IS NOT NULL))[1],
                       max(a.done)::date
                  FROM res_partner c
                  LEFT JOIN answers a ON a.client_id = c.id
                 WHERE c.id IN %(ids)s
                 GROUP BY c.id
                """,
                ids=tuple(self.ids),
            )
        )
        for client_id, count, csat, nps, category, done in self.env.cr.fetchall():
            # sudo: satisfaction figures are system fields (see
            # _sputnik_check_class_write); private, after a survey is done
            self.browse(client_id).sudo().write(
                {
                    "sputnik_survey_count": count,
                    "sputnik_csat_rate": csat,
                    "sputnik_nps_last": nps or 0,
                    "sputnik_nps_category": category,
                    "sputnik_last_survey_date": done,
                }
            )

    # === CLASSIFICATION === #
    @api.model
    def _cron_sputnik_classify(self):
        run = self._sputnik_classify_all(source="cron")
        if run is None:
            _logger.info("Client classification already running: this run skipped.")

    @api.model
    def action_sputnik_classify(self):
        if not self.env.su and not self.env.user.has_group(
            "sputnik_crm.group_sputnik_manager"
        ):
            raise AccessError(
                self.env._("Only Sputnik managers run the classification.")
            )
        run = self._sputnik_classify_all(source="manual")
        if run is None:
            raise UserError(
                self.env._(
                    "The classification is running already (nightly or started by "
                    "another manager). Try again in a moment."
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Clients classified"),
                "message": self.env._(
                    "%(clients)s clients classified in %(seconds)s s: %(changed)s "
                    "changed, %(history)s class changes recorded.",
                    clients=run.client_count,
                    seconds=round(run.duration, 2),
                    changed=run.changed_count,
                    history=run.history_count,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _sputnik_classify_all(self, source="cron"):
        """Classify the whole client base; None when a full run holds the lock."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", LOCK_FULL_RUN))
        if not cr.fetchone()[0]:
            return None
        started = time.perf_counter()
        stats = self._sputnik_classify_sql(None, source)
        # sudo: the run log is written by the system only (managers read it);
        # private, reached from the cron or after the manager check of
        # action_sputnik_classify
        return (
            self.env["sputnik.classification.run"]
            .sudo()
            .create(
                {
                    "date": fields.Datetime.now(),
                    "source": source,
                    "user_id": self.env.uid,
                    "company_id": self.env.company.id,
                    "duration": time.perf_counter() - started,
                    **stats,
                }
            )
        )

    def _sputnik_classify(self, source="booking"):
        """Classify these clients now, against the base as last classified."""
        partners = self.commercial_partner_id
        if partners:
            partners._sputnik_classify_sql(partners.ids, source)
        return True

    @api.model
    def _sputnik_classify_sql(self, partner_ids, source):
        """Compute every figure and class of the given clients (None: all) in SQL
        and write the rows that changed, with a history line per class change.

        Scores and ABC class are placed against the whole base: for a full run,
        the base just computed; for some clients, the other clients as stored.
        """
        cr = self.env.cr
        self.env.flush_all()
        if partner_ids is None:
            # one pass over the base: big hash aggregates, no JIT compilation
            cr.execute(SQL("SET LOCAL work_mem = '256MB'"))
            cr.execute(SQL("SET LOCAL jit = off"))
            lock = "pg_advisory_xact_lock"
        else:
            lock = "pg_advisory_xact_lock_shared"
        cr.execute(SQL("SELECT %s(%s)", SQL(lock), LOCK_CLASSES))
        params = self._sputnik_classify_params()
        full = partner_ids is None
        client_count = self._sputnik_fill(
            "sputnik_classify_figures",
            self._sputnik_figures_query(partner_ids, params),
            full,
        )
        cr.execute(self._sputnik_cuts_query(partner_ids, params))
        cuts = cr.dictfetchone()
        self._sputnik_fill(
            "sputnik_classify_changes", self._sputnik_changes_query(params, cuts), full
        )
        if full:
            cr.execute(SQL("ANALYZE sputnik_classify_changes"))
        cr.execute(self._sputnik_apply_query(source))
        changed_count, history_count = cr.fetchone()
        self.invalidate_model(list(FIGURES) + ["write_date", "write_uid"])
        self.env["sputnik.client.class.history"].invalidate_model()
        if full:
            cr.execute(
                SQL("DROP TABLE sputnik_classify_figures, sputnik_classify_changes")
            )
            cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
            cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        self.invalidate_model(["sputnik_next_trip_call_date"])
        return {
            "client_count": client_count,
            "changed_count": changed_count,
            "history_count": history_count,
        }

    @api.model
    def _sputnik_fill(self, table, query, full):
        """Put the rows of ``query`` in the temporary ``table``; return their count.

        A full run creates the table from the query (a plan that may run in
        parallel) and drops it at the end. One-client updates, many of which may
        follow each other in one transaction (a batch of confirmations), reuse
        one table for the transaction instead of creating one each time, which
        would hold a lock per table until the commit.
        """
        cr = self.env.cr
        name = SQL.identifier(table)
        if full:
            cr.execute(SQL("DROP TABLE IF EXISTS %s", name))
            cr.execute(SQL("CREATE TEMP TABLE %s ON COMMIT DROP AS %s", name, query))
            return cr.rowcount
        cr.execute(SQL("SELECT to_regclass(%s)", f"pg_temp.{table}"))
        if cr.fetchone()[0]:
            cr.execute(SQL("DELETE FROM %s", name))
        else:
            cr.execute(
                SQL(
                    "CREATE TEMP TABLE %s ON COMMIT DROP AS %s WITH NO DATA",
                    name,
                    query,
                )
            )
        cr.execute(SQL("INSERT INTO %s %s", name, query))
        return cr.rowcount

    @api.model
    def _sputnik_classify_params(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        return {
            "company": company,
            "today": today,
            "window": today - relativedelta(months=company.sputnik_rfm_months),
            "dormant": today - relativedelta(months=company.sputnik_dormant_months),
            "lost": today - relativedelta(months=company.sputnik_lost_months),
            "xyz_years": company.sputnik_xyz_years,
        }

    @api.model
    def _sputnik_figures_query(self, partner_ids, params):
        today = params["today"]
        years = params["xyz_years"]
        if partner_ids is None:
            client_filter = trip_filter = move_filter = line_filter = SQL("TRUE")
        else:
            ids = list(partner_ids)
            client_filter = SQL("p.id = ANY(%s)", ids)
            trip_filter = SQL("so.sputnik_client_id = ANY(%s)", ids)
            move_filter = SQL("invoice.commercial_partner_id = ANY(%s)", ids)
            line_filter = SQL(
                "term_line.move_id IN (SELECT id FROM account_move"
                " WHERE commercial_partner_id = ANY(%s))",
                ids,
            )
        return SQL(
            """
            WITH client AS (
                SELECT p.id
                  FROM res_partner p
                 WHERE p.commercial_partner_id = p.id
                   AND p.active
                   AND p.partner_share
                   AND (COALESCE(p.customer_rank, 0) > 0
                        OR COALESCE(p.supplier_rank, 0) = 0)
                   AND NOT EXISTS (
                       SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
                   AND %(client_filter)s
            ),
            trip_agg AS (
                SELECT so.sputnik_client_id AS partner_id,
                       COUNT(*) AS trip_count,
                       MIN(so.sputnik_date_start) AS first_trip,
                       MAX(so.sputnik_date_start) AS last_trip,
                       MAX(v.date_end) AS last_return,
                       MIN(so.sputnik_date_start)
                           FILTER (WHERE so.sputnik_date_start > %(today)s)
                           AS next_booked,
                       SUM(v.revenue) AS revenue,
                       SUM(v.margin) AS margin,
                       COUNT(*) FILTER (WHERE v.date_end >= %(window)s) AS frequency,
                       COALESCE(SUM(v.margin)
                           FILTER (WHERE v.date_end >= %(window)s), 0) AS monetary,
                       COALESCE(SUM(v.revenue)
                           FILTER (WHERE v.date_end >= %(window)s), 0)
                           AS window_revenue,
                       %(year_columns)s
                  FROM sale_order so
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(so.sputnik_date_end, so.sputnik_date_start)
                                  AS date_end,
                              CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1)
                                   THEN so.amount_untaxed
                                   ELSE so.amount_untaxed / so.currency_rate
                              END AS revenue,
                              CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1)
                                   THEN COALESCE(so.margin, 0)
                                   ELSE COALESCE(so.margin, 0) / so.currency_rate
                              END AS margin,
                              CASE WHEN so.sputnik_date_start <= %(today)s
                                   THEN (%(today)s - so.sputnik_date_start) * 4 / 1461
                              END AS year_back
                   ) v
                 WHERE so.state = 'sale'
                   AND so.sputnik_is_booking
                   AND so.sputnik_date_start IS NOT NULL
                   AND %(trip_filter)s
              GROUP BY so.sputnik_client_id
            ),
            invoice_payment AS (
                SELECT term_line.move_id, MAX(part.max_date) AS payment_date
                  FROM account_partial_reconcile part
                  JOIN account_move_line term_line
                       ON term_line.id = part.debit_move_id
                 WHERE term_line.display_type = 'payment_term'
                   AND %(line_filter)s
              GROUP BY term_line.move_id
            ),
            payment AS (
                SELECT invoice.commercial_partner_id AS partner_id,
                       COUNT(*) AS invoice_count,
                       COUNT(*) FILTER (
                           WHERE paid.payment_date <= invoice.invoice_date_due
                       ) AS on_time_count,
                       AVG(GREATEST(paid.payment_date - invoice.invoice_date_due, 0))
                           FILTER (WHERE paid.payment_date IS NOT NULL)
                           AS days_late
                  FROM account_move invoice
             LEFT JOIN invoice_payment paid
                       ON paid.move_id = invoice.id
                      AND invoice.payment_state IN ('paid', 'in_payment')
                 WHERE invoice.move_type = 'out_invoice'
                   AND invoice.state = 'posted'
                   AND invoice.invoice_date_due IS NOT NULL
                   AND %(move_filter)s
                   AND (paid.payment_date IS NOT NULL
                        OR (invoice.amount_residual_signed != 0
                            AND invoice.payment_state NOT IN ('paid', 'in_payment',
                                                              'reversed')
                            AND invoice.invoice_date_due < %(today)s))
              GROUP BY invoice.commercial_partner_id
            )
            SELECT client.id AS partner_id,
                   COALESCE(t.trip_count, 0) AS trip_count,
                   t.first_trip, t.last_trip, t.last_return, t.next_booked,
                   ROUND(COALESCE(t.revenue, 0), 2) AS revenue,
                   ROUND(COALESCE(t.margin, 0), 2) AS margin,
                   COALESCE(t.frequency, 0) AS frequency,
                   ROUND(COALESCE(t.monetary, 0), 2) AS monetary,
                   ROUND(COALESCE(t.window_revenue, 0), 2) AS window_revenue,
                   CASE WHEN spend.mean >= 0.005 THEN ROUND((100 * SQRT(GREATEST(
                       spend.mean_square - spend.mean * spend.mean, 0))
                       / spend.mean)::numeric, 1)
                   END AS spend_cv,
                   COALESCE(pay.invoice_count, 0) AS invoice_count,
                   ROUND(100.0 * pay.on_time_count / NULLIF(pay.invoice_count, 0), 1)
                       AS on_time_rate,
                   ROUND(pay.days_late, 1) AS days_late
              FROM client
         LEFT JOIN trip_agg t ON t.partner_id = client.id
         CROSS JOIN LATERAL (
               SELECT %(spend_mean)s AS mean, %(spend_mean_square)s AS mean_square
         ) spend
         LEFT JOIN payment pay ON pay.partner_id = client.id
            """,
            client_filter=client_filter,
            trip_filter=trip_filter,
            move_filter=move_filter,
            line_filter=line_filter,
            year_columns=SQL(", ").join(
                SQL(
                    "SUM(v.revenue::float8) FILTER (WHERE v.year_back = %s) AS %s",
                    year,
                    SQL.identifier(f"spend_{year}"),
                )
                for year in range(years)
            ),
            spend_mean=SQL(
                "((%s) / %s)",
                SQL(" + ").join(
                    SQL("COALESCE(t.%s, 0)::float8", SQL.identifier(f"spend_{year}"))
                    for year in range(years)
                ),
                years,
            ),
            spend_mean_square=SQL(
                "((%s) / %s)",
                SQL(" + ").join(
                    SQL(
                        "COALESCE(t.%s, 0)::float8 ^ 2",
                        SQL.identifier(f"spend_{year}"),
                    )
                    for year in range(years)
                ),
                years,
            ),
            today=today,
            window=params["window"],
        )

    @api.model
    def _sputnik_cuts_query(self, partner_ids, params):
        """Quintile breakpoints of R, F and M and the margin cuts of A and B."""
        company = params["company"]
        today = params["today"]
        others = SQL("")
        if partner_ids is not None:
            others = SQL(
                """
                UNION ALL
                SELECT GREATEST(%(today)s - p.sputnik_last_return_date, 0),
                       p.sputnik_rfm_frequency, p.sputnik_rfm_monetary
                  FROM res_partner p
                 WHERE p.sputnik_trip_count > 0
                   AND p.id != ALL(%(ids)s)
                """,
                today=today,
                ids=list(partner_ids),
            )
        return SQL(
            """
            WITH base AS (
                SELECT GREATEST(%(today)s - last_return, 0) AS recency,
                       frequency, monetary
                  FROM sputnik_classify_figures
                 WHERE trip_count > 0
                %(others)s
            ),
            ranked AS (
                SELECT monetary,
                       SUM(monetary) OVER (ORDER BY monetary DESC
                                           ROWS UNBOUNDED PRECEDING)
                           - monetary AS before,
                       SUM(monetary) OVER () AS total
                  FROM base
                 WHERE monetary > 0
            ),
            abc AS (
                SELECT MIN(monetary) FILTER (WHERE before < total * %(a)s)
                           AS cut_a,
                       MIN(monetary) FILTER (WHERE before < total * %(ab)s)
                           AS cut_b
                  FROM ranked
            )
            SELECT (SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY recency) FROM base) AS r,
                   (SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY frequency) FROM base) AS f,
                   (SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY monetary) FROM base) AS m,
                   abc.cut_a, abc.cut_b
              FROM abc
            """,
            today=today,
            others=others,
            a=company.sputnik_abc_a / 100.0,
            ab=(company.sputnik_abc_a + company.sputnik_abc_b) / 100.0,
        )

    @api.model
    def _sputnik_changes_query(self, params, cuts):
        company = params["company"]
        today = params["today"]
        r, f, m = cuts["r"] or [0] * 4, cuts["f"] or [0] * 4, cuts["m"] or [0] * 4
        score_r = SQL(
            "5 - (%s)",
            SQL(" + ").join(SQL("(recency > %s)::int", cut) for cut in r),
        )
        score_f = SQL(
            "1 + %s", SQL(" + ").join(SQL("(frequency > %s)::int", cut) for cut in f)
        )
        score_m = SQL(
            "1 + %s", SQL(" + ").join(SQL("(monetary > %s)::int", cut) for cut in m)
        )
        values = SQL(", ").join(
            SQL("%s AS %s", SQL(expr), SQL.identifier(name))
            for name, expr in FIGURES.items()
        )
        target_values = SQL(", ").join(
            SQL("target.%s", SQL.identifier(name)) for name in FIGURES
        )
        old_values = SQL(", ").join(
            SQL("p.%s", SQL.identifier(name)) for name in FIGURES
        )
        # sudo: every tier counts in the classification, whatever the user
        # triggering it may read (private; figures written in SQL)
        tiers = (
            self.env["sputnik.loyalty.tier"]
            .sudo()
            .search([], order="sequence desc, id desc")
        )
        tier = (
            SQL(
                "CASE %s END",
                SQL(" ").join(
                    SQL(
                        "WHEN trip_count >= %s AND margin >= %s THEN %s",
                        t.min_trips,
                        t.min_margin,
                        t.id,
                    )
                    for t in tiers
                ),
            )
            if tiers
            else SQL("NULL::int")
        )
        return SQL(
            """
            WITH scored AS (
                SELECT fig.*,
                       GREATEST(%(today)s - fig.last_return, 0) AS recency
                  FROM sputnik_classify_figures fig
            ),
            rfm AS (
                SELECT scored.*,
                       CASE WHEN trip_count > 0 THEN %(score_r)s END AS r,
                       CASE WHEN trip_count > 0 THEN %(score_f)s END AS f,
                       CASE WHEN trip_count > 0 THEN %(score_m)s END AS m,
                       CASE WHEN trip_count >= 2
                            THEN GREATEST((last_trip - first_trip)::numeric
                                          / (trip_count - 1), 1)
                            ELSE 365 END AS gap
                  FROM scored
            ),
            classed AS (
                SELECT rfm.*,
                       CASE
                           WHEN trip_count = 0 THEN 'prospect'
                           WHEN last_return < %(lost)s THEN 'lost'
                           WHEN last_return < %(dormant)s THEN 'dormant'
                           WHEN trip_count >= %(vip_trips)s
                                OR (%(vip_margin)s > 0 AND margin >= %(vip_margin)s)
                               THEN 'vip'
                           WHEN trip_count >= %(regular_trips)s THEN 'regular'
                           ELSE 'new'
                       END AS lifecycle,
                       (f + m + 1) / 2 AS fm,
                       last_trip + ROUND(gap)::int AS next_base,
                       GREATEST(CEIL(
                           (%(today)s - (last_trip + ROUND(gap)::int)) / 365.25
                       ), 0)::int AS years_on
                  FROM rfm
            ),
            calc AS (
                SELECT classed.*,
                       CASE
                           WHEN trip_count = 0 THEN NULL
                           WHEN r >= 4 AND fm >= 4 THEN 'champions'
                           WHEN r >= 4 AND fm >= 2 THEN 'potential'
                           WHEN r >= 4 THEN 'promising'
                           WHEN r = 3 AND fm >= 4 THEN 'loyal'
                           WHEN r = 3 AND fm >= 2 THEN 'attention'
                           WHEN r = 3 THEN 'about_to_sleep'
                           WHEN r = 2 AND fm >= 3 THEN 'at_risk'
                           WHEN r = 2 THEN 'hibernating'
                           WHEN fm >= 4 THEN 'cannot_lose'
                           WHEN fm = 3 THEN 'at_risk'
                           ELSE 'lost'
                       END AS rfm_segment,
                       CASE
                           WHEN trip_count = 0 THEN NULL
                           WHEN monetary > 0 AND monetary >= %(cut_a)s THEN 'a'
                           WHEN monetary > 0 AND monetary >= %(cut_b)s THEN 'b'
                           ELSE 'c'
                       END AS abc,
                       CASE
                           WHEN spend_cv IS NULL THEN NULL
                           WHEN spend_cv <= %(xyz_x)s THEN 'x'
                           WHEN spend_cv <= %(xyz_y)s THEN 'y'
                           ELSE 'z'
                       END AS xyz,
                       CASE
                           WHEN trip_count = 0 THEN NULL
                           WHEN next_booked IS NOT NULL THEN 'low'
                           WHEN lifecycle = 'lost' THEN 'high'
                           WHEN recency < GREATEST(gap, 90) THEN 'low'
                           WHEN recency < 1.5 * GREATEST(gap, 90) THEN 'medium'
                           ELSE 'high'
                       END AS churn_risk,
                       CASE
                           WHEN trip_count = 0 THEN NULL
                           WHEN next_booked IS NOT NULL THEN next_booked
                           WHEN lifecycle = 'lost' THEN NULL
                           WHEN next_base + make_interval(years => years_on)
                                >= %(today)s
                               THEN (next_base
                                     + make_interval(years => years_on))::date
                           ELSE (next_base
                                 + make_interval(years => years_on + 1))::date
                       END AS next_trip,
                       CASE WHEN trip_count > 0
                            THEN ROUND(revenue / trip_count, 2) END AS avg_value,
                       CASE
                           WHEN trip_count = 0 OR lifecycle = 'lost' THEN 0
                           ELSE ROUND(margin / GREATEST(
                               (EXTRACT(YEAR FROM AGE(%(today)s, first_trip)) * 12
                                + EXTRACT(MONTH FROM AGE(%(today)s, first_trip)))
                               / 12.0, 1) * %(clv_years)s, 2)
                       END AS clv_predicted,
                       CASE WHEN trip_count > 0 THEN %(tier)s END AS tier_id
                  FROM classed
            ),
            ov AS (
                SELECT partner_id,
                       MAX(lifecycle) FILTER (WHERE dimension = 'lifecycle')
                           AS lifecycle,
                       MAX(rfm_segment) FILTER (WHERE dimension = 'rfm_segment')
                           AS rfm_segment,
                       MAX(abc) FILTER (WHERE dimension = 'abc') AS abc,
                       MAX(xyz) FILTER (WHERE dimension = 'xyz') AS xyz,
                       MAX(tier_id) FILTER (WHERE dimension = 'tier') AS tier_id
                  FROM sputnik_client_class_override
                 WHERE active
              GROUP BY partner_id
            ),
            target AS (
                SELECT calc.partner_id, %(values)s
                  FROM calc
             LEFT JOIN ov ON ov.partner_id = calc.partner_id
            )
            SELECT target.*, %(class_old_select)s
              FROM target
              JOIN res_partner p ON p.id = target.partner_id
             WHERE ROW(%(old_values)s) IS DISTINCT FROM ROW(%(target_values)s)
            """,
            today=today,
            score_r=score_r,
            score_f=score_f,
            score_m=score_m,
            lost=params["lost"],
            dormant=params["dormant"],
            vip_trips=company.sputnik_vip_trips,
            vip_margin=company.sputnik_vip_margin,
            regular_trips=company.sputnik_regular_trips,
            cut_a=cuts["cut_a"],
            cut_b=cuts["cut_b"],
            xyz_x=company.sputnik_xyz_x,
            xyz_y=company.sputnik_xyz_y,
            clv_years=company.sputnik_clv_years,
            tier=tier,
            values=values,
            target_values=target_values,
            old_values=old_values,
            class_old_select=SQL(", ").join(
                SQL(
                    "p.%s AS %s",
                    SQL.identifier(column),
                    SQL.identifier(f"old_{column}"),
                )
                for column in CLASSES.values()
            ),
        )

    @api.model
    def _sputnik_apply_query(self, source):
        """Write the changed rows, and a history line where a class changed."""
        classes = list(CLASSES.values())
        return SQL(
            """
            WITH upd AS (
                UPDATE res_partner p
                   SET %(assign)s,
                       write_date = (now() AT TIME ZONE 'UTC'),
                       write_uid = %(uid)s
                  FROM sputnik_classify_changes c
                 WHERE p.id = c.partner_id
             RETURNING p.id
            ),
            history AS (
                INSERT INTO sputnik_client_class_history (
                    partner_id, date, source,
                    lifecycle_old, lifecycle_new, rfm_segment_old, rfm_segment_new,
                    abc_old, abc_new, xyz_old, xyz_new, tier_old_id, tier_new_id,
                    lifecycle_changed, segment_changed,
                    abc_changed, xyz_changed, tier_changed,
                    create_uid, create_date, write_uid, write_date)
                SELECT c.partner_id, now() AT TIME ZONE 'UTC', %(source)s,
                       c.old_sputnik_lifecycle, c.sputnik_lifecycle,
                       c.old_sputnik_rfm_segment, c.sputnik_rfm_segment,
                       c.old_sputnik_abc, c.sputnik_abc,
                       c.old_sputnik_xyz, c.sputnik_xyz,
                       c.old_sputnik_tier_id, c.sputnik_tier_id,
                       c.old_sputnik_lifecycle IS DISTINCT FROM c.sputnik_lifecycle,
                       c.old_sputnik_rfm_segment
                           IS DISTINCT FROM c.sputnik_rfm_segment,
                       c.old_sputnik_abc IS DISTINCT FROM c.sputnik_abc,
                       c.old_sputnik_xyz IS DISTINCT FROM c.sputnik_xyz,
                       c.old_sputnik_tier_id IS DISTINCT FROM c.sputnik_tier_id,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM sputnik_classify_changes c
                 WHERE ROW(%(old)s) IS DISTINCT FROM ROW(%(new)s)
             RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM history)
            """,
            assign=SQL(", ").join(
                SQL("%s = c.%s", SQL.identifier(name), SQL.identifier(name))
                for name in FIGURES
            ),
            old=SQL(", ").join(
                SQL("c.%s", SQL.identifier(f"old_{column}")) for column in classes
            ),
            new=SQL(", ").join(
                SQL("c.%s", SQL.identifier(column)) for column in classes
            ),
            uid=self.env.uid,
            source=source,
        )
