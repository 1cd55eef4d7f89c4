from odoo import api, fields, models
from odoo.tools import SQL

from ..models.res_partner import CHURN_RISK
from ..models.sputnik_client_classification import ABC, LIFECYCLE, RFM_SEGMENTS, XYZ
from ..models.survey_user_input import NPS_CATEGORIES


class SputnikValueReport(models.Model):
    """Client value: one row per classified client, with the figures and classes
    the classification wrote on it, so that a pivot shows how the value of the
    base is spread over ABC classes, RFM segments, statuses and agents.

    The classification is one for the whole base (the settings of the company
    that runs it): a client shared between the companies (no company) has one
    row, seen in every company; a client of one company is seen in it only.
    Stored with the other reports (its rows copied from the clients every
    hour): a narrow table reads faster than the clients' wide one.
    """

    _name = "sputnik.value.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Client Value"
    _auto = False
    _rec_name = "partner_id"
    _order = "clv_historic desc, id"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_indexes = ("partner_id",)

    # === FIELDS === #
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Client", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the client.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        readonly=True,
        help="Company of the client; empty for a client shared by the companies.",
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_currency_id"
    )
    lifecycle = fields.Selection(LIFECYCLE, string="Client Status", readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    abc = fields.Selection(ABC, string="ABC Class", readonly=True)
    xyz = fields.Selection(XYZ, string="XYZ Class", readonly=True)
    tier_id = fields.Many2one(
        comodel_name="sputnik.loyalty.tier", string="Loyalty Tier", readonly=True
    )
    churn_risk = fields.Selection(CHURN_RISK, readonly=True)
    nps_category = fields.Selection(
        NPS_CATEGORIES,
        string="NPS Category",
        readonly=True,
        help="From the client's latest survey answer.",
    )
    first_trip_date = fields.Date(string="First Trip", readonly=True)
    last_return_date = fields.Date(string="Last Return", readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True)
    trip_count = fields.Integer(
        string="Trips", readonly=True, help="Confirmed bookings, booked ahead included."
    )
    revenue = fields.Monetary(
        readonly=True, help="Untaxed amount of all the client's trips."
    )
    clv_historic = fields.Monetary(
        string="Historic CLV",
        readonly=True,
        help="Margin of all the client's trips.",
    )
    clv_predicted = fields.Monetary(
        string="Predicted CLV",
        readonly=True,
        help="Average margin per trip x trips per year x expected remaining years "
        "(Settings); 0 for lost clients.",
    )
    clv_historic_avg = fields.Monetary(
        string="Average Historic CLV",
        readonly=True,
        aggregator="avg",
        help="Historic CLV per client.",
    )
    clv_predicted_avg = fields.Monetary(
        string="Average Predicted CLV",
        readonly=True,
        aggregator="avg",
        help="Predicted CLV per client.",
    )

    _depends = {
        "res.partner": [
            "active",
            "commercial_partner_id",
            "company_id",
            "user_id",
            "sputnik_lifecycle",
            "sputnik_rfm_segment",
            "sputnik_abc",
            "sputnik_xyz",
            "sputnik_tier_id",
            "sputnik_churn_risk",
            "sputnik_nps_category",
            "sputnik_first_trip_date",
            "sputnik_last_return_date",
            "sputnik_trip_count",
            "sputnik_revenue_total",
            "sputnik_margin_total",
            "sputnik_clv_predicted",
        ],
    }

    # === COMPUTES === #
    @api.depends("company_id")
    def _compute_currency_id(self):
        # as on the client: the figures are in the currency of the company
        for row in self:
            row.currency_id = row.company_id.currency_id or self.env.company.currency_id

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT p.id, p.id AS partner_id, p.user_id, p.company_id,
                   p.sputnik_lifecycle AS lifecycle,
                   p.sputnik_rfm_segment AS rfm_segment,
                   p.sputnik_abc AS abc, p.sputnik_xyz AS xyz,
                   p.sputnik_tier_id AS tier_id,
                   p.sputnik_churn_risk AS churn_risk,
                   p.sputnik_nps_category AS nps_category,
                   p.sputnik_first_trip_date AS first_trip_date,
                   p.sputnik_last_return_date AS last_return_date,
                   1 AS client_count,
                   COALESCE(p.sputnik_trip_count, 0) AS trip_count,
                   COALESCE(p.sputnik_revenue_total, 0) AS revenue,
                   COALESCE(p.sputnik_margin_total, 0) AS clv_historic,
                   COALESCE(p.sputnik_clv_predicted, 0) AS clv_predicted,
                   COALESCE(p.sputnik_margin_total, 0) AS clv_historic_avg,
                   COALESCE(p.sputnik_clv_predicted, 0) AS clv_predicted_avg
              FROM res_partner p
             WHERE p.sputnik_lifecycle IS NOT NULL
               AND p.active
               AND p.commercial_partner_id = p.id
            """
        )

    # === ACTIONS === #
    def action_open_record(self):
        """The client of the row."""
        self.ensure_one()
        return self._sputnik_form_action(self.partner_id)
