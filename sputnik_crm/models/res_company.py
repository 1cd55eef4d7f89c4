from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("sputnik_cancel_fee",)
    # the dates of trips, deadlines and reminders follow from these: a decade of
    # days, a century of months or years keeps every computed date a date
    _sputnik_bounds = {
        **dict.fromkeys(
            (
                "sputnik_balance_days",
                "sputnik_next_trip_days",
                "sputnik_care_passport_days",
                "sputnik_care_balance_days",
                "sputnik_care_survey_days",
                "sputnik_release_days",
                "sputnik_complaint_days_normal",
                "sputnik_complaint_days_high",
                "sputnik_complaint_days_urgent",
            ),
            (0, 3660),
        ),
        **dict.fromkeys(
            (
                "sputnik_passport_months",
                "sputnik_dormant_months",
                "sputnik_lost_months",
                "sputnik_rfm_months",
            ),
            (0, 1200),
        ),
        **dict.fromkeys(("sputnik_xyz_years", "sputnik_clv_years"), (0, 100)),
        **dict.fromkeys(("sputnik_regular_trips", "sputnik_vip_trips"), (0, 100000)),
        **dict.fromkeys(
            (
                "sputnik_deposit_percent",
                "sputnik_abc_a",
                "sputnik_abc_b",
            ),
            (0, 100),
        ),
        **dict.fromkeys(("sputnik_xyz_x", "sputnik_xyz_y"), (0, 1000)),
    }

    def write(self, vals):
        result = super().write(vals)
        self.env["sputnik.report.mixin"]._sputnik_company_settings_changed(vals)
        return result

    sputnik_deposit_percent = fields.Float(
        string="Booking Deposit (%)",
        default=30.0,
        help="Share of a booking invoiced as a down payment when it is confirmed.",
    )
    sputnik_balance_days = fields.Integer(
        string="Balance Due Before Departure (days)",
        default=21,
        help="The balance of a booking is due this many days before its departure.",
    )
    sputnik_passport_months = fields.Integer(
        string="Passport Validity After Return (months)",
        default=6,
        help="For a trip abroad, every traveller's foreign passport must be valid "
        "at least this many months after the return date.",
    )
    sputnik_cancel_fee = fields.Monetary(
        string="Cancellation Fee",
        currency_field="currency_id",
        help="The bureau's own fee for cancelling a confirmed booking, added to "
        "the tour operator's penalty (a tour operator may have its own).",
    )

    # === CLIENT CLASSIFICATION === #
    sputnik_regular_trips = fields.Integer(
        string="Regular Client From (trips)",
        default=2,
        help="A client with at least this many trips is a regular client.",
    )
    sputnik_vip_trips = fields.Integer(
        string="VIP From (trips)",
        default=5,
        help="A client with at least this many trips is a VIP.",
    )
    sputnik_vip_margin = fields.Monetary(
        string="VIP From (margin)",
        currency_field="currency_id",
        default=60000.0,
        help="A client who brought at least this margin over all trips is a VIP, "
        "whatever the number of trips. 0 disables the rule.",
    )
    sputnik_dormant_months = fields.Integer(
        string="Dormant After (months)",
        default=12,
        help="A client whose last return is older than this is dormant.",
    )
    sputnik_lost_months = fields.Integer(
        string="Lost After (months)",
        default=24,
        help="A client whose last return is older than this is lost.",
    )
    sputnik_rfm_months = fields.Integer(
        string="RFM Window (months)",
        default=24,
        help="Frequency and monetary value count the trips returning within this "
        "many months before today (and the trips booked ahead).",
    )
    sputnik_abc_a = fields.Float(
        string="Class A Share (%)",
        default=80.0,
        help="Clients ranked by margin: the first ones making this share of the "
        "margin are class A.",
    )
    sputnik_abc_b = fields.Float(
        string="Class B Share (%)",
        default=15.0,
        help="The next clients making this share of the margin are class B; the rest "
        "are class C.",
    )
    sputnik_xyz_x = fields.Float(
        string="Class X Up To (CV %)",
        default=10.0,
        help="Coefficient of variation of the yearly spend up to which a client is "
        "class X (steady).",
    )
    sputnik_xyz_y = fields.Float(
        string="Class Y Up To (CV %)",
        default=25.0,
        help="Coefficient of variation up to which a client is class Y; above it, Z.",
    )
    sputnik_xyz_years = fields.Integer(
        string="XYZ Years",
        default=3,
        help="Number of past years (of 12 months back from today) whose spend is "
        "compared.",
    )
    sputnik_clv_years = fields.Integer(
        string="Expected Remaining Years",
        default=5,
        help="Years a client is expected to keep travelling, for the predicted "
        "lifetime value.",
    )
    sputnik_next_trip_days = fields.Integer(
        string="Call Before Expected Trip (days)",
        default=60,
        help="A call activity is planned for the client's agent this many days "
        "before the expected next trip. 0 disables the calls.",
    )

    # === MARKETING === #
    sputnik_consent_all_mailings = fields.Boolean(
        string="Require Marketing Consent for All Contact Mailings",
        help="Every e-mail mailing to contacts reaches only those who agreed to "
        "e-mail marketing. Off: only mailings to a client segment require it, "
        "and the other mailings (newsletters) reach their contacts as usual.",
    )

    # === CLIENT CARE === #
    sputnik_care_birthday = fields.Boolean(
        string="Birthday Greetings",
        default=True,
        help="On their birthday, clients who agreed to e-mail marketing receive "
        "the bureau's greetings, once a year.",
    )
    sputnik_care_reactivation = fields.Boolean(
        string="Reactivation of Dormant Clients",
        default=True,
        help="When a client turns dormant, their agent gets an activity to bring "
        "them back.",
    )

    sputnik_care_passport = fields.Boolean(
        string="Passport Reminders",
        default=True,
        help="Clients who agreed to e-mail marketing are told when a foreign "
        "passport expires soon; the customer of an upcoming booking is told when "
        "a traveller's passport will not be valid long enough after the return.",
    )
    sputnik_care_passport_days = fields.Integer(
        string="Passport Expiring Within (days)",
        default=90,
        help="Holders of a foreign passport expiring within this many days are "
        "reminded, once per expiry date.",
    )
    sputnik_care_departure = fields.Boolean(
        string="Before-Departure Messages",
        default=True,
        help="The customer of a booking is told when the travel documents are "
        "ready, and reminded of an unpaid balance before its due date.",
    )
    sputnik_care_balance_days = fields.Integer(
        string="Balance Reminder Before Due (days)",
        default=3,
        help="The reminder of an unpaid balance is sent this many days before the "
        "balance falls due (or at once if the due date is nearer).",
    )
    sputnik_care_survey = fields.Boolean(
        string="After-Return Survey",
        default=True,
        help="Some days after the return, the customer is invited to the "
        "satisfaction survey (e-mail consent required) and the agent gets a "
        "follow-up call.",
    )
    sputnik_care_survey_days = fields.Integer(
        string="Survey After Return (days)",
        default=2,
    )
    sputnik_care_survey_id = fields.Many2one(
        "survey.survey",
        string="Satisfaction Survey",
        default=lambda self: self.env.ref(
            "sputnik_crm.survey_trip_satisfaction", raise_if_not_found=False
        ),
        help="The survey sent after each trip (empty: the bureau's trip satisfaction "
        "survey); its CSAT and NPS questions feed the clients' satisfaction figures.",
    )

    # === PLANNING === #
    sputnik_release_days = fields.Integer(
        string="Release Reminder (days)",
        default=7,
        help="The responsible of a departure gets a To-Do when its allotment is "
        "released within this many days and seats are unsold.",
    )

    # === COMPLAINTS === #
    sputnik_complaint_days_normal = fields.Integer(
        string="Complaint Deadline, Normal (days)", default=7
    )
    sputnik_complaint_days_high = fields.Integer(
        string="Complaint Deadline, High (days)", default=3
    )
    sputnik_complaint_days_urgent = fields.Integer(
        string="Complaint Deadline, Urgent (days)", default=1
    )

    @api.constrains(
        "sputnik_complaint_days_normal",
        "sputnik_complaint_days_high",
        "sputnik_complaint_days_urgent",
    )
    def _check_sputnik_complaint_days(self):
        for company in self:
            days = (
                company.sputnik_complaint_days_urgent,
                company.sputnik_complaint_days_high,
                company.sputnik_complaint_days_normal,
            )
            if min(days) < 0 or list(days) != sorted(days):
                raise ValidationError(
                    self.env._(
                        "The complaint deadlines cannot be negative, and a more "
                        "urgent complaint cannot have a longer deadline."
                    )
                )

    def _sputnik_care_survey(self):
        """The satisfaction survey of the company: its own, or the bureau's."""
        self.ensure_one()
        return self.sputnik_care_survey_id or self.env.ref(
            "sputnik_crm.survey_trip_satisfaction", raise_if_not_found=False
        )

    @api.constrains(
        "sputnik_care_passport_days",
        "sputnik_care_balance_days",
        "sputnik_care_survey_days",
        "sputnik_release_days",
    )
    def _check_sputnik_care_days(self):
        for company in self:
            if (
                min(
                    company.sputnik_care_passport_days,
                    company.sputnik_care_balance_days,
                    company.sputnik_care_survey_days,
                    company.sputnik_release_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The days of the client-care messages and of the "
                        "release reminder cannot be negative."
                    )
                )

    @api.constrains("sputnik_care_survey_id")
    def _check_sputnik_care_survey(self):
        for company in self.filtered("sputnik_care_survey_id"):
            if company.sputnik_care_survey_id.access_mode != "token":
                raise ValidationError(
                    self.env._(
                        "The satisfaction survey %(survey)s must be open to invited "
                        "people only (access mode: invited people only).",
                        survey=company.sputnik_care_survey_id.title,
                    )
                )

    @api.constrains(
        "sputnik_regular_trips",
        "sputnik_vip_trips",
        "sputnik_vip_margin",
        "sputnik_dormant_months",
        "sputnik_lost_months",
        "sputnik_rfm_months",
        "sputnik_abc_a",
        "sputnik_abc_b",
        "sputnik_xyz_x",
        "sputnik_xyz_y",
        "sputnik_xyz_years",
        "sputnik_clv_years",
        "sputnik_next_trip_days",
    )
    def _check_sputnik_classification_settings(self):
        for company in self:
            if not 1 <= company.sputnik_regular_trips <= company.sputnik_vip_trips:
                raise ValidationError(
                    self.env._(
                        "A regular client needs at least one trip, and a VIP at "
                        "least as many trips as a regular client."
                    )
                )
            if not 1 <= company.sputnik_dormant_months < company.sputnik_lost_months:
                raise ValidationError(
                    self.env._(
                        "A client turns dormant after at least one month, and is "
                        "lost later than dormant."
                    )
                )
            abc_a, abc_b = company.sputnik_abc_a, company.sputnik_abc_b
            if abc_a <= 0 or abc_b < 0 or abc_a + abc_b > 100:
                raise ValidationError(
                    self.env._(
                        "The shares of classes A and B must be positive and add up "
                        "to 100 % at most."
                    )
                )
            if not 0 <= company.sputnik_xyz_x <= company.sputnik_xyz_y:
                raise ValidationError(
                    self.env._(
                        "The X limit must be positive and not above the Y limit."
                    )
                )
            if (
                company.sputnik_vip_margin < 0
                or company.sputnik_rfm_months < 1
                or not 2 <= company.sputnik_xyz_years <= 10
                or company.sputnik_clv_years < 0
                or company.sputnik_next_trip_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Check the classification settings: the RFM window is at "
                        "least one month, XYZ compares 2 to 10 years, and no "
                        "threshold is negative."
                    )
                )

    @api.constrains(
        "sputnik_deposit_percent", "sputnik_balance_days", "sputnik_passport_months"
    )
    def _check_sputnik_booking_settings(self):
        for company in self:
            if not 0 <= company.sputnik_deposit_percent <= 100:
                raise ValidationError(
                    self.env._("The booking deposit must be between 0 and 100 %.")
                )
            if company.sputnik_balance_days < 0 or company.sputnik_passport_months < 0:
                raise ValidationError(
                    self.env._(
                        "The balance delay and the passport validity cannot be "
                        "negative."
                    )
                )
