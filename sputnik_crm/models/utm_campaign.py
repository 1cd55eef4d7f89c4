from odoo import api, fields, models
from odoo.exceptions import ValidationError

GOALS = [
    ("reactivation", "Reactivate Dormant Clients"),
    ("early_booking", "Early Booking"),
    ("season", "A Destination's Season"),
    ("cross_sale", "Cross-Sale"),
    ("feedback", "Feedback"),
    ("other", "Other"),
]
# the campaign report's measures shown on the campaign
FIGURES = {
    "sputnik_recipients": "sent_count",
    "sputnik_opened": "opened_count",
    "sputnik_clicked": "clicked_count",
    "sputnik_replied": "replied_count",
    "sputnik_opportunities": "opportunity_count",
    "sputnik_bookings": "booking_count",
    "sputnik_revenue": "revenue",
    "sputnik_margin": "margin",
}


class UtmCampaign(models.Model):
    _name = "utm.campaign"
    _inherit = ["utm.campaign", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("sputnik_budget", "sputnik_cost")

    sputnik_goal = fields.Selection(GOALS, string="Goal")
    sputnik_segment_id = fields.Many2one(
        "sputnik.segment",
        string="Target Segment",
        help="The clients the campaign addresses; its mailings go to those who "
        "agreed to e-mail marketing, once each.",
    )
    sputnik_date_from = fields.Date(string="Campaign Start")
    sputnik_date_to = fields.Date(string="Campaign End")
    sputnik_budget = fields.Monetary(string="Budget", currency_field="currency_id")
    sputnik_cost = fields.Monetary(
        string="Actual Cost",
        currency_field="currency_id",
        help="What the campaign actually cost: advertising, printing, the team's "
        "time... It counts on the campaign's start date in the reports.",
    )
    sputnik_recipients = fields.Integer(
        string="Recipients", compute="_compute_sputnik_figures"
    )
    sputnik_opened = fields.Integer(string="Opened", compute="_compute_sputnik_figures")
    sputnik_clicked = fields.Integer(
        string="Clicked", compute="_compute_sputnik_figures"
    )
    sputnik_replied = fields.Integer(
        string="Replied", compute="_compute_sputnik_figures"
    )
    sputnik_opportunities = fields.Integer(
        string="Opportunities", compute="_compute_sputnik_figures"
    )
    sputnik_bookings = fields.Integer(
        string="Bookings", compute="_compute_sputnik_figures"
    )
    sputnik_revenue = fields.Monetary(
        string="Revenue",
        currency_field="currency_id",
        compute="_compute_sputnik_figures",
    )
    sputnik_margin = fields.Monetary(
        string="Margin",
        currency_field="currency_id",
        compute="_compute_sputnik_figures",
    )
    sputnik_roi = fields.Float(
        string="ROI (%)",
        compute="_compute_sputnik_figures",
        digits=(16, 1),
        help="(Margin of the campaign's bookings - actual cost) / actual cost x 100.",
    )

    @api.constrains(
        "sputnik_date_from", "sputnik_date_to", "sputnik_budget", "sputnik_cost"
    )
    def _check_sputnik_campaign(self):
        for campaign in self:
            if (
                campaign.sputnik_date_from
                and campaign.sputnik_date_to
                and campaign.sputnik_date_to < campaign.sputnik_date_from
            ):
                raise ValidationError(
                    self.env._(
                        "Campaign %(name)s ends before it starts.", name=campaign.title
                    )
                )
            if campaign.sputnik_budget < 0 or campaign.sputnik_cost < 0:
                raise ValidationError(
                    self.env._(
                        "The budget and the cost of campaign %(name)s cannot be "
                        "negative.",
                        name=campaign.title,
                    )
                )

    @api.depends("mailing_mail_ids")
    def _compute_mailing_mail_count(self):
        # mass_mailing counts the campaign's mailings with the reader's rights,
        # and every campaign form reads its A/B count, a field of no group:
        # whoever may not read mailings (travel agents, Sputnik managers
        # without email marketing rights) sees none of them, and the form opens
        if self.env["mailing.mailing"].has_access("read"):
            return super()._compute_mailing_mail_count()
        for campaign in self:
            campaign.mailing_mail_count = 0
            campaign.ab_testing_mailings_count = 0

    @api.depends("sputnik_cost")
    def _compute_sputnik_figures(self):
        """Every campaign's funnel from the campaign report, in one query."""
        campaigns = self.filtered("id")
        groups = {}
        if campaigns:
            campaigns.check_access("read")
            # sudo: the campaign's funnel is shown to whoever may read the
            # campaign (checked above; marketing users read no Sputnik report,
            # an agent's report shows their own figures only); only sums of
            # the user's companies come out
            Report = self.env["sputnik.campaign.report"].sudo()
            groups = {
                campaign.id: values
                for campaign, *values in Report._read_group(
                    [
                        ("campaign_id", "in", campaigns.ids),
                        ("company_id", "in", self.env.companies.ids),
                    ],
                    ["campaign_id"],
                    [f"{measure}:sum" for measure in FIGURES.values()],
                )
            }
        for campaign in self:
            values = groups.get(campaign.id, [0] * len(FIGURES))
            for name, value in zip(FIGURES, values, strict=True):
                campaign[name] = value or 0
            campaign.sputnik_roi = (
                100.0
                * (campaign.sputnik_margin - campaign.sputnik_cost)
                / campaign.sputnik_cost
                if campaign.sputnik_cost
                else 0.0
            )

    def action_sputnik_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_campaign_report_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_by_kind": 1}
        return action

    def action_sputnik_mailing(self):
        """A mailing of this campaign to its target segment."""
        self.ensure_one()
        if not self.sputnik_segment_id:
            raise ValidationError(
                self.env._("Choose the target segment of the campaign first.")
            )
        return self.sputnik_segment_id.with_context(
            default_campaign_id=self.id
        ).action_create_mailing()
