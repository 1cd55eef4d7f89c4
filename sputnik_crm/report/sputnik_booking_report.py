from odoo import api, fields, models
from odoo.tools import SQL

from ..models.product_template import TOUR_TYPES
from ..models.sputnik_client_classification import ABC, LIFECYCLE, RFM_SEGMENTS


class SputnikBookingReport(models.Model):
    """Confirmed and cancelled bookings, one row per booked departure line.

    A line of a confirmed or cancelled sale order that books seats of a
    departure; a cancelled one counts its cancellation and its penalty, and
    none of its seats, revenue or margin. Amounts are converted from the
    order's currency into the company's with the order's rate, as in
    ``sale.report``. The first departure line of each order carries
    ``booking_count`` = 1 (``cancelled_count`` for a cancelled one) so that
    the bookings of any group add up without counting an order twice.
    """

    _name = "sputnik.booking.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Bookings Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc, id desc"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_indexes = ("date", "departure_date")

    # === FIELDS === #
    order_id = fields.Many2one("sale.order", string="Booking", readonly=True)
    date = fields.Datetime(
        string="Order Date", readonly=True, help="Order date of the booking."
    )
    departure_id = fields.Many2one(
        "sputnik.departure", string="Departure", readonly=True
    )
    departure_date = fields.Date(
        readonly=True,
        help="Departure date of the booked departure: group by month for the "
        "departure month.",
    )
    tour_id = fields.Many2one("product.template", string="Tour", readonly=True)
    destination_id = fields.Many2one(
        "sputnik.destination", string="Destination", readonly=True
    )
    tour_type = fields.Selection(TOUR_TYPES, readonly=True)
    operator_id = fields.Many2one("res.partner", string="Tour Operator", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        readonly=True,
        help="Salesperson of the booking.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        help="Commercial entity of the booking's customer.",
    )
    client_lifecycle = fields.Selection(
        LIFECYCLE,
        string="Client Status",
        readonly=True,
        help="The client's status today (not at the time of the booking).",
    )
    client_rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="Client RFM Segment",
        readonly=True,
        help="The client's RFM segment today.",
    )
    client_abc = fields.Selection(
        ABC,
        string="Client ABC Class",
        readonly=True,
        help="The client's ABC class today.",
    )
    client_source_id = fields.Many2one(
        "utm.source",
        string="Acquisition Source",
        readonly=True,
        help="How the client found the bureau (client card).",
    )
    client_medium_id = fields.Many2one(
        "utm.medium",
        string="Acquisition Medium",
        readonly=True,
        help="Acquisition channel of the client (client card).",
    )
    campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        readonly=True,
        help="Campaign of the booking.",
    )
    source_id = fields.Many2one(
        "utm.source",
        string="UTM Source",
        readonly=True,
        help="UTM source of the booking.",
    )
    medium_id = fields.Many2one(
        "utm.medium",
        string="UTM Medium",
        readonly=True,
        help="UTM medium of the booking.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    seats = fields.Integer(
        readonly=True, help="Seats booked: the quantity of the departure line."
    )
    revenue = fields.Monetary(
        readonly=True,
        help="Untaxed amount of the departure line, in the company currency "
        "(subtotal / the order's currency rate).",
    )
    margin = fields.Monetary(
        readonly=True,
        help="Revenue - the operator's net cost of the seats (the line's margin), "
        "in the company currency. Margin ratio = Margin / Revenue.",
    )
    booking_count = fields.Integer(
        string="Bookings",
        readonly=True,
        help="Confirmed orders: 1 on the first departure line of each order, 0 on "
        "the others. Average booking value = Revenue / Bookings.",
    )
    state = fields.Selection(
        [("sale", "Confirmed"), ("cancel", "Cancelled")],
        string="Status",
        readonly=True,
    )
    commission = fields.Monetary(
        readonly=True,
        help="Commission of the line sold as the tour operator's agent (its "
        "margin), in the company currency.",
    )
    cancelled_count = fields.Integer(
        string="Cancellations",
        readonly=True,
        help="Cancelled bookings: 1 on the first departure line of each "
        "cancelled order. Cancellation rate = Cancellations / (Bookings + "
        "Cancellations).",
    )
    penalty = fields.Monetary(
        string="Penalties",
        readonly=True,
        help="Cancellation penalty of the cancelled booking (on its first "
        "departure line), in the company currency.",
    )

    _depends = {
        "sale.order": [
            "state",
            "date_order",
            "user_id",
            "team_id",
            "sputnik_client_id",
            "campaign_id",
            "source_id",
            "medium_id",
            "company_id",
            "currency_rate",
            "sputnik_penalty_amount",
        ],
        "sale.order.line": [
            "order_id",
            "display_type",
            "sputnik_departure_id",
            "product_uom_qty",
            "price_subtotal",
            "margin",
            "sputnik_commission",
        ],
        "sputnik.departure": [
            "tour_id",
            "date_start",
            "destination_id",
            "tour_type",
            "operator_id",
        ],
        "res.partner": [
            "sputnik_lifecycle",
            "sputnik_rfm_segment",
            "sputnik_abc",
            "sputnik_source_id",
            "sputnik_medium_id",
        ],
        "res.company": ["currency_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        rate = SQL(
            "CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0 "
            "ELSE so.currency_rate END"
        )
        return SQL(
            """
            SELECT
                line.id AS id,
                line.order_id AS order_id,
                so.date_order AS date,
                line.sputnik_departure_id AS departure_id,
                departure.date_start AS departure_date,
                departure.tour_id AS tour_id,
                departure.destination_id AS destination_id,
                departure.tour_type AS tour_type,
                departure.operator_id AS operator_id,
                so.user_id AS user_id,
                so.team_id AS team_id,
                so.sputnik_client_id AS partner_id,
                client.sputnik_lifecycle AS client_lifecycle,
                client.sputnik_rfm_segment AS client_rfm_segment,
                client.sputnik_abc AS client_abc,
                client.sputnik_source_id AS client_source_id,
                client.sputnik_medium_id AS client_medium_id,
                so.campaign_id AS campaign_id,
                so.source_id AS source_id,
                so.medium_id AS medium_id,
                so.company_id AS company_id,
                company.currency_id AS currency_id,
                so.state AS state,
                CASE WHEN %(confirmed)s
                     THEN ROUND(line.product_uom_qty)::integer ELSE 0 END AS seats,
                CASE WHEN %(confirmed)s
                     THEN line.price_subtotal / %(rate)s ELSE 0 END AS revenue,
                CASE WHEN %(confirmed)s
                     THEN COALESCE(line.margin, 0) / %(rate)s ELSE 0 END AS margin,
                CASE WHEN %(confirmed)s
                     THEN COALESCE(line.sputnik_commission, 0) / %(rate)s ELSE 0
                END AS commission,
                (%(confirmed)s AND %(first)s)::int AS booking_count,
                (NOT %(confirmed)s AND %(first)s)::int AS cancelled_count,
                CASE WHEN NOT %(confirmed)s AND %(first)s
                     THEN COALESCE(so.sputnik_penalty_amount, 0) / %(rate)s ELSE 0
                END AS penalty
            """,
            rate=rate,
            confirmed=SQL("so.state = 'sale'"),
            # the first departure line counts the booking: a look-up rather
            # than a window over every line, so that a filter on the date
            # reaches the orders' index
            first=SQL(
                """NOT EXISTS (
                    SELECT 1
                      FROM sale_order_line earlier
                     WHERE earlier.order_id = line.order_id
                       AND earlier.sputnik_departure_id IS NOT NULL
                       AND earlier.display_type IS NULL
                       AND earlier.id < line.id
                )"""
            ),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM sale_order_line line
            JOIN sale_order so ON so.id = line.order_id
            JOIN sputnik_departure departure ON departure.id = line.sputnik_departure_id
            JOIN res_company company ON company.id = so.company_id
            LEFT JOIN res_partner client ON client.id = so.sputnik_client_id
            """
        )

    @api.model
    def _where(self):
        return SQL(
            """
            WHERE so.state IN ('sale', 'cancel')
              AND line.display_type IS NULL
            """
        )

    # === ACTIONS === #
    def action_open_document(self):
        """Open the row's booking, if the user may read it."""
        self.ensure_one()
        refusal = self.env._(
            "You may not open the booking %(name)s.",
            # sudo: the name the row already shows (Odoo reads a many2one's
            # display name with sudo), to say which document is refused
            name=self.order_id.sudo().name,
        )
        return self._sputnik_form_action(self.order_id, refusal)
