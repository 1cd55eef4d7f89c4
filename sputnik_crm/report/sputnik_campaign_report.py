from odoo import api, fields, models
from odoo.tools import SQL

KINDS = [
    ("mailing", "Mailing"),
    ("opportunity", "Opportunity"),
    ("booking", "Confirmed Booking"),
    ("cost", "Campaign Cost"),
]
SOURCES = {
    "mailing": "mailing.trace",
    "opportunity": "crm.lead",
    "booking": "sale.order",
    "cost": "utm.campaign",
}
# e-mails that left the server: delivered or not
SENT_STATUSES = ("pending", "sent", "open", "reply", "bounce")


class SputnikCampaignReport(models.Model):
    """The funnel of each UTM campaign, as a list of events.

    One row per mailing e-mail of the campaign, opportunity of the campaign and
    confirmed booking of the campaign, dated, with 1 (or the amount) in the
    columns of its measures: summed over any campaign and period, the funnel
    stays right. A campaign's cost, once recorded, adds its own rows and
    measure to the union.
    """

    _name = "sputnik.campaign.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Campaign Effectiveness"
    _auto = False
    _rec_name = "campaign_id"
    _order = "date desc, id desc"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_indexes = ("date",)
    _sputnik_ratios = {"roi": (["margin", "-cost"], "cost", 100.0)}

    # the measure columns of every part of the union
    _event_measures = (
        "sent_count",
        "opened_count",
        "clicked_count",
        "replied_count",
        "opportunity_count",
        "booking_count",
        "revenue",
        "margin",
        "cost",
    )

    # === FIELDS === #
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    date = fields.Date(
        readonly=True,
        help="Sending date of a mailing e-mail (its creation while not sent), "
        "creation date of an opportunity, order date of a booking.",
    )
    kind = fields.Selection(KINDS, string="Event", readonly=True)
    mailing_id = fields.Many2one("mailing.mailing", string="Mailing", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        readonly=True,
        help="Responsible of the mailing, salesperson of the opportunity, agent of "
        "the booking.",
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        help="Company of the opportunity or booking; for a mailing, the company of "
        "its responsible.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    res_id = fields.Integer(string="Document ID", readonly=True)
    sent_count = fields.Integer(
        string="Recipients",
        readonly=True,
        help="Mailing e-mails sent: status sent, delivered, opened, replied or "
        "bounced.",
    )
    opened_count = fields.Integer(
        string="Opened",
        readonly=True,
        help="Mailing e-mails opened (or replied to). Open rate = Opened / "
        "Recipients.",
    )
    clicked_count = fields.Integer(
        string="Clicked",
        readonly=True,
        help="Mailing e-mails with a link clicked. Click rate = Clicked / "
        "Recipients.",
    )
    replied_count = fields.Integer(
        string="Replied",
        readonly=True,
        help="Mailing e-mails replied to. Reply rate = Replied / Recipients.",
    )
    opportunity_count = fields.Integer(
        string="Opportunities",
        readonly=True,
        help="Opportunities (and leads) of the campaign, lost ones included.",
    )
    booking_count = fields.Integer(
        string="Bookings",
        readonly=True,
        help="Confirmed bookings of the campaign. Conversion = Bookings / "
        "Opportunities.",
    )
    revenue = fields.Monetary(
        readonly=True,
        help="Untaxed amount of the departure lines of the campaign's confirmed "
        "bookings, in the company currency (as in the Bookings Analysis).",
    )
    margin = fields.Monetary(
        readonly=True,
        help="Margin of the campaign's confirmed bookings, in the company "
        "currency. Campaign ROI = (Margin - cost) / cost.",
    )

    cost = fields.Monetary(
        readonly=True,
        help="The campaign's actual cost, on its start date (or creation).",
    )
    roi = fields.Float(
        string="ROI (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Campaign ROI = (Margin - Cost) / Cost x 100, from the sums of the "
        "group.",
    )

    _depends = {
        "mailing.trace": [
            "campaign_id",
            "mass_mailing_id",
            "trace_status",
            "sent_datetime",
            "links_click_datetime",
            "model",
            "res_id",
        ],
        "mailing.mailing": ["user_id"],
        "crm.lead": [
            "campaign_id",
            "create_date",
            "user_id",
            "partner_id",
            "company_id",
        ],
        "sale.order": ["campaign_id", "date_order", "state", "user_id", "company_id"],
        "utm.campaign": [
            "sputnik_cost",
            "sputnik_date_from",
            "company_id",
            "user_id",
        ],
        "sale.order.line": ["price_subtotal", "margin", "sputnik_departure_id"],
        "res.company": ["currency_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT event.*, company.currency_id AS currency_id
              FROM (%s) event
              JOIN res_company company ON company.id = event.company_id
            """,
            SQL(" UNION ALL ").join(
                [
                    self._select_mailing_traces(),
                    self._select_opportunities(),
                    self._select_bookings(),
                    self._select_costs(),
                ]
            ),
        )

    @api.model
    def _row(self, key, kind, campaign, date, **columns):
        """One event's columns, in the order of every part of the union."""
        row = [
            SQL("%s * 4 + %s AS id", key, list(SOURCES).index(kind) + 1),
            SQL("%s AS campaign_id", campaign),
            SQL("(%s)::date AS date", date),
            SQL("%s AS kind", kind),
            SQL("%s AS res_id", key),
        ]
        for name in ("mailing_id", "user_id", "partner_id", "company_id"):
            row.append(
                SQL(
                    "%s AS %s",
                    columns.get(name, SQL("NULL::int")),
                    SQL.identifier(name),
                )
            )
        for name in self._event_measures:
            default = SQL("0.0") if name in ("revenue", "margin", "cost") else SQL("0")
            row.append(
                SQL("%s AS %s", columns.get(name, default), SQL.identifier(name))
            )
        # a ratio of the group's sums (see _read_group_select): none per row
        row.append(SQL("NULL::float AS roi"))
        return SQL(", ").join(row)

    @api.model
    def _select_mailing_traces(self):
        return SQL(
            """
            SELECT %s
              FROM mailing_trace trace
              JOIN mailing_mailing mailing ON mailing.id = trace.mass_mailing_id
         LEFT JOIN res_users responsible ON responsible.id = mailing.user_id
         LEFT JOIN res_users creator ON creator.id = mailing.create_uid
         LEFT JOIN res_partner partner
                ON trace.model = 'res.partner' AND partner.id = trace.res_id
             WHERE trace.campaign_id IS NOT NULL
            """,
            self._row(
                SQL("trace.id"),
                "mailing",
                SQL("trace.campaign_id"),
                SQL("COALESCE(trace.sent_datetime, trace.create_date)"),
                mailing_id=SQL("trace.mass_mailing_id"),
                user_id=SQL("mailing.user_id"),
                partner_id=SQL("partner.commercial_partner_id"),
                company_id=SQL("COALESCE(responsible.company_id, creator.company_id)"),
                sent_count=SQL(
                    "CASE WHEN trace.trace_status IN %s THEN 1 ELSE 0 END",
                    SENT_STATUSES,
                ),
                opened_count=SQL(
                    "CASE WHEN trace.trace_status IN ('open', 'reply') "
                    "THEN 1 ELSE 0 END"
                ),
                clicked_count=SQL(
                    "CASE WHEN trace.links_click_datetime IS NOT NULL THEN 1 ELSE 0 END"
                ),
                replied_count=SQL(
                    "CASE WHEN trace.trace_status = 'reply' THEN 1 ELSE 0 END"
                ),
            ),
        )

    @api.model
    def _select_opportunities(self):
        return SQL(
            """
            SELECT %s
              FROM crm_lead lead
         LEFT JOIN res_partner partner ON partner.id = lead.partner_id
         LEFT JOIN res_users salesperson ON salesperson.id = lead.user_id
             WHERE lead.campaign_id IS NOT NULL
            """,
            self._row(
                SQL("lead.id"),
                "opportunity",
                SQL("lead.campaign_id"),
                SQL("lead.create_date"),
                user_id=SQL("lead.user_id"),
                partner_id=SQL("partner.commercial_partner_id"),
                company_id=SQL("COALESCE(lead.company_id, salesperson.company_id)"),
                opportunity_count=SQL("1"),
            ),
        )

    @api.model
    def _select_bookings(self):
        return SQL(
            """
            SELECT %s
              FROM (
                SELECT line.order_id, line.campaign_id, line.date, line.user_id,
                       line.partner_id, line.company_id,
                       SUM(line.revenue) AS revenue, SUM(line.margin) AS margin
                  FROM (%s) line
                 WHERE line.campaign_id IS NOT NULL
              GROUP BY line.order_id, line.campaign_id, line.date, line.user_id,
                       line.partner_id, line.company_id
              ) booking
            """,
            self._row(
                SQL("booking.order_id"),
                "booking",
                SQL("booking.campaign_id"),
                SQL("booking.date"),
                user_id=SQL("booking.user_id"),
                partner_id=SQL("booking.partner_id"),
                company_id=SQL("booking.company_id"),
                booking_count=SQL("1"),
                revenue=SQL("booking.revenue"),
                margin=SQL("booking.margin"),
            ),
            self.env["sputnik.booking.report"]._query(),
        )

    @api.model
    def _select_costs(self):
        return SQL(
            """
            SELECT %s
              FROM utm_campaign campaign
             WHERE campaign.sputnik_cost > 0
               AND campaign.company_id IS NOT NULL
            """,
            self._row(
                SQL("campaign.id"),
                "cost",
                SQL("campaign.id"),
                SQL("COALESCE(campaign.sputnik_date_from, campaign.create_date)"),
                user_id=SQL("campaign.user_id"),
                company_id=SQL("campaign.company_id"),
                cost=SQL("campaign.sputnik_cost"),
            ),
        )

    # === ACTIONS === #
    def action_open_document(self):
        """Open the row's mailing, opportunity or booking, if the user may read
        it."""
        self.ensure_one()
        if self.kind == "mailing":
            record = self.mailing_id
        else:
            record = self.env[SOURCES[self.kind]].browse(self.res_id)
        refusal = self.env._(
            "You may not open this document of the campaign %(campaign)s.",
            # sudo: the name the row already shows (Odoo reads a many2one's
            # display name with sudo), to say which document is refused
            campaign=self.campaign_id.sudo().display_name,
        )
        return self._sputnik_form_action(record, refusal)
