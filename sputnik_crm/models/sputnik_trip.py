from odoo import api, fields, models, tools
from odoo.tools import SQL


class SputnikTrip(models.Model):
    """A trip: a confirmed booking of a client on one or more departures, the
    one definition the classification and the reports that count trips read.

    One row per confirmed booking order (``sputnik_is_booking``) with a
    departure date and a client (the commercial entity of its customer). It
    counts from the day it was booked (its order date, or its departure when
    recorded after that), departs on its first departure and returns on its
    last one (its departure, for a day trip). Revenue and margin are the
    order's untaxed amount and margin in the currency of its company.

    The queries that aggregate trips over the whole base read
    :meth:`_sputnik_trip_sql` inline rather than this view: the planner sees
    the orders' tables and indexes, and the stored reports built on it do
    not depend on this view (dropped and created again at each upgrade).
    """

    _name = "sputnik.trip"
    _description = "Trip"
    _auto = False
    _rec_name = "order_id"
    _order = "date_start desc, id desc"

    # === FIELDS === #
    order_id = fields.Many2one("sale.order", string="Booking", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        help="The commercial entity of the booking's customer.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Agent", readonly=True, help="Salesperson of the booking."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_booked = fields.Date(
        string="Booked On",
        readonly=True,
        help="Order date of the booking, or its departure when recorded after it.",
    )
    date_start = fields.Date(string="Departs", readonly=True)
    date_end = fields.Date(
        string="Returns",
        readonly=True,
        help="Return of the last departure (its departure date for a day trip).",
    )
    revenue = fields.Monetary(
        readonly=True, help="Untaxed amount of the booking, in company currency."
    )
    margin = fields.Monetary(
        readonly=True, help="Margin of the booking, in company currency."
    )
    seats = fields.Integer(readonly=True, help="Seats booked on its departures.")

    _depends = {
        "sale.order": [
            "state",
            "sputnik_is_booking",
            "sputnik_client_id",
            "company_id",
            "user_id",
            "date_order",
            "sputnik_date_start",
            "sputnik_date_end",
            "amount_untaxed",
            "margin",
            "currency_rate",
        ],
        "sale.order.line": ["sputnik_departure_id", "product_uom_qty", "display_type"],
    }

    # === QUERY === #
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._sputnik_trip_sql(),
            )
        )

    @api.model
    def _sputnik_trip_sql(self, where=None):
        """The trips as a query (the columns of this model), for the trips of
        the orders that ``where`` (an ``SQL`` condition on ``so``, the order)
        selects; to read inline as ``FROM (%s) trip``."""
        return SQL(
            "%s %s %s",
            self._select(),
            self._from(),
            self._where(where),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.sputnik_client_id AS partner_id,
                   so.company_id,
                   so.user_id,
                   LEAST(so.date_order::date, so.sputnik_date_start) AS date_booked,
                   so.sputnik_date_start AS date_start,
                   COALESCE(so.sputnik_date_end, so.sputnik_date_start) AS date_end,
                   %(revenue)s AS revenue,
                   %(margin)s AS margin,
                   (SELECT COALESCE(SUM(ROUND(line.product_uom_qty)), 0)::int
                      FROM sale_order_line line
                     WHERE line.order_id = so.id
                       AND line.sputnik_departure_id IS NOT NULL
                       AND line.display_type IS NULL) AS seats
            """,
            revenue=self._company_currency_sql(SQL("so.amount_untaxed")),
            margin=self._company_currency_sql(SQL("COALESCE(so.margin, 0)")),
        )

    @api.model
    def _company_currency_sql(self, amount):
        """An amount of the order in the currency of its company: an order
        without a rate (or at 1) is in it already, and is not divided (a
        division of each of a million orders costs the classification)."""
        return SQL(
            """CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1) THEN %(amount)s
                    ELSE %(amount)s / so.currency_rate END""",
            amount=amount,
        )

    @api.model
    def _from(self):
        return SQL("FROM sale_order so")

    @api.model
    def _where(self, where=None):
        return SQL(
            """
            WHERE so.state = 'sale'
              AND so.sputnik_is_booking
              AND so.sputnik_date_start IS NOT NULL
              AND so.sputnik_client_id IS NOT NULL
              AND %s
            """,
            where or SQL("TRUE"),
        )
