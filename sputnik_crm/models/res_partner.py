import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .sputnik_classification import FIGURES
from .sputnik_classification_classes import FREQUENCY_BANDS
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
SATISFACTION_FIELDS = {
    "sputnik_survey_count",
    "sputnik_csat_rate",
    "sputnik_nps_last",
    "sputnik_nps_category",
    "sputnik_last_survey_date",
}


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("sputnik_cancel_fee", "sputnik_commission_fixed")
    _sputnik_bounds = {"sputnik_commission_percent": (0, 100)}
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
    sputnik_cancel_fee = fields.Float(
        string="Bureau's Cancellation Fee",
        company_dependent=True,
        digits="Product Price",
        help="The bureau's own fee, in the company's currency, for cancelling a "
        "booking of this tour operator's tours, added to the operator's "
        "penalty. 0: the company's fee (Settings).",
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
        help="Steadiness of the yearly spend over the last years (3, Settings), "
        "each of 12 calendar months back from today: X up to 10 % of variation, Y "
        "up to 25 %, Z above (Settings).",
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
        "trips (a year for one-trip clients, at least 90 days): low below it, "
        "medium from it up to 1.5 times it included, high beyond or when lost. "
        "Low while a trip is booked.",
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
        help="Recency 1-5 by the rank of the days since the last return among the "
        "clients with a trip (5: the most recent fifth); equal days share a score "
        "(the middle of their ranks).",
    )
    sputnik_rfm_f = fields.Integer(
        string="F Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Frequency 1-5 by the trips in the window: 1 (or none), 2, 3-4, 5-7, "
        "8 and more.",
    )
    sputnik_rfm_m = fields.Integer(
        string="M Score",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="Monetary 1-5 by the rank of the margin in the window among the "
        "clients with a trip (5: the highest fifth); equal margins share a score "
        "(the middle of their ranks).",
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
        help="Average over the invoices rated (paid, and open after their due "
        "date) of the days between the due date and the payment, or today while "
        "open, at least 0, as the payment discipline report counts them.",
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
        help="The next booked departure; else the last trip plus the client's usual "
        "time between trips (at least 90 days; a year for one-trip clients), moved "
        "by whole years to today or later. None for lost clients.",
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
                "\n".join(self.env["sputnik.classification"]._reasons(partner, company))
                if partner.sputnik_lifecycle
                else False
            )

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

    @api.model
    @api.readonly
    def sputnik_rfm_grid(self):
        """The RFM grid of the clients with a trip that the user may read, in
        one grouped read: rows by recency score (5 first), columns by
        frequency score with its band of trips, each cell with its count and
        the count of each segment in it, each row with the range of its last
        returns. Axis titles and labels come translated."""
        _ = self.env._
        domain = [("sputnik_trip_count", ">", 0), ("sputnik_rfm_r", ">", 0)]
        groups = self._read_group(
            domain,
            ["sputnik_rfm_r", "sputnik_rfm_f", "sputnik_rfm_segment"],
            [
                "__count",
                "sputnik_last_return_date:min",
                "sputnik_last_return_date:max",
            ],
        )
        segment_labels = dict(
            self._fields["sputnik_rfm_segment"]._description_selection(self.env)
        )
        order = [key for key, _label in RFM_SEGMENTS]
        hints = {
            5: _("most recent"),
            4: _("recent"),
            3: _("middle"),
            2: _("long ago"),
            1: _("longest ago"),
        }
        cells = {}
        returns = {}
        for r, f, segment, count, first_return, last_return in groups:
            cell = cells.setdefault((r, f), {"count": 0, "segments": {}})
            cell["count"] += count
            cell["segments"][segment] = cell["segments"].get(segment, 0) + count
            known = [day for day in (*returns.get(r, ()), first_return, last_return)]
            known = [day for day in known if day]
            if known:
                returns[r] = (min(known), max(known))
        columns = [
            {"score": score, "label": label}
            for score, label in enumerate(self._sputnik_frequency_band_labels(), 1)
        ]
        rows = []
        for r in range(5, 0, -1):
            row_cells = []
            for column in columns:
                cell = cells.get((r, column["score"]), {"count": 0, "segments": {}})
                row_cells.append(
                    {
                        "f": column["score"],
                        "count": cell["count"],
                        "segments": [
                            {
                                "key": key,
                                "label": segment_labels[key],
                                "count": cell["segments"][key],
                            }
                            for key in order
                            if key in cell["segments"]
                        ],
                    }
                )
            first_return, last_return = returns.get(r, (False, False))
            rows.append(
                {
                    "score": r,
                    "label": hints[r],
                    "count": sum(cell["count"] for cell in row_cells),
                    "first_return": fields.Date.to_string(first_return),
                    "last_return": fields.Date.to_string(last_return),
                    "cells": row_cells,
                }
            )
        for column in columns:
            column["count"] = sum(
                row["cells"][column["score"] - 1]["count"] for row in rows
            )
        return {
            "row_title": _("Recency score: days since the last return"),
            "column_title": _(
                "Frequency score: trips in the last %(months)s months",
                months=self.env.company.sputnik_rfm_months,
            ),
            "rows": rows,
            "columns": columns,
            "total": sum(row["count"] for row in rows),
            "domain": domain,
        }

    @api.model
    def _sputnik_frequency_band_labels(self):
        """The trips of each frequency score, 1 to 5, from the bands of the
        classification: "up to 1", "2", "3-4", "5-7", "8 or more"."""
        _ = self.env._
        lows = (0, *FREQUENCY_BANDS)
        labels = [_("up to %(high)s", high=FREQUENCY_BANDS[0] - 1)]
        for low, next_low in zip(lows[1:-1], lows[2:], strict=True):
            high = next_low - 1
            labels.append(
                str(low) if low == high else _("%(low)s-%(high)s", low=low, high=high)
            )
        labels.append(_("%(low)s or more", low=FREQUENCY_BANDS[-1]))
        return labels

    @api.depends_context("today")
    def _compute_sputnik_recency(self):
        figures = self.env["sputnik.classification"]._recency_and_churn(
            self, fields.Date.context_today(self)
        )
        for partner in self:
            partner.sputnik_recency_days, partner.sputnik_churn_score = figures[partner]

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

    # === CLASSIFICATION (the engine: sputnik.classification) === #
    @api.model
    def _cron_sputnik_classify(self):
        """Nightly cron: the whole base."""
        run = self._sputnik_classify_all(source="cron")
        if run is None:
            _logger.info("Client classification already running: this run skipped.")

    @api.model
    def action_sputnik_classify(self):
        """Managers' button (Settings, classification runs): the whole base."""
        return self.env["sputnik.classification"]._action_classify()

    @api.model
    def _sputnik_classify_all(self, source="cron"):
        """Classify the whole client base; its run log, or None when a full run
        holds the lock."""
        return self.env["sputnik.classification"]._classify(source=source)

    def _sputnik_classify(self, source="booking"):
        """Classify these clients (their commercial entities) now, against the
        base as last classified: after a booking, an invoice, an override."""
        self.env["sputnik.classification"]._classify(self, source=source)
        return True
