from odoo import api, fields, models
from odoo.tools import SQL


class SputnikOperatorSettlement(models.Model):
    """Settlement with the tour operators of the bookings sold as their agent:
    one row per booking and operator, read from the documents as they are now
    (a view, never a snapshot). Amounts are in the company currency.

    - Gross: the price of the booking's agency lines, taxes included (nothing
      for a cancelled booking); Commission: the bureau's; Net: gross less
      commission, what the operator is to be paid for the tour.
    - Collected: what the client paid on the booking's invoices and its
      cancellation penalty, net of what its credit notes paid back or settled.
    - Billed: the operator's bills less its refunds (a cancellation is refunded
      and its cancellation charge billed); Not Billed: the net of confirmed
      lines no bill charges yet (operators billing per period).
    - Due to Operator = Billed + Not Billed; Paid to Operator: the paid part of
      its bills less the settled part of its refunds; Still Due = Due to
      Operator - Paid; Overdue: the open part of its bills past their due date.
    """

    _name = "sputnik.operator.settlement"
    _inherit = ["sputnik.report.mixin"]
    _description = "Settlement with Tour Operators"
    _auto = False
    _rec_name = "booking_id"
    _order = "date_start desc, id desc"
    _sputnik_ratios = {"commission_rate": ("commission", "gross", 100.0)}

    # === FIELDS === #
    operator_id = fields.Many2one("res.partner", string="Tour Operator", readonly=True)
    booking_id = fields.Many2one("sale.order", string="Booking", readonly=True)
    client_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    tour_id = fields.Many2one("product.template", string="Tour", readonly=True)
    date_start = fields.Date(string="Departure Date", readonly=True)
    date_order = fields.Date(string="Booked On", readonly=True)
    booking_state = fields.Selection(
        [("sale", "Confirmed"), ("cancel", "Cancelled")],
        string="Status",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    gross = fields.Monetary(
        readonly=True,
        help="Price of the booking's lines sold as the operator's agent, taxes "
        "included; nothing for a cancelled booking.",
    )
    commission = fields.Monetary(
        readonly=True, help="The bureau's commission on these lines."
    )
    commission_rate = fields.Float(
        string="Commission (%)",
        readonly=True,
        digits=(16, 1),
        help="Commission / Gross x 100; of a group, of its sums.",
    )
    net = fields.Monetary(
        readonly=True, help="Gross - Commission: the operator's price."
    )
    collected = fields.Monetary(
        string="Collected from Client",
        readonly=True,
        help="Paid by the client on the booking's invoices and its cancellation "
        "penalty, net of what its credit notes paid back or settled.",
    )
    billed = fields.Monetary(
        string="Billed by Operator",
        readonly=True,
        help="The operator's posted bills of the booking less its refunds, "
        "cancellation charges included.",
    )
    unbilled = fields.Monetary(
        string="Not Billed Yet",
        readonly=True,
        help="Net of the confirmed lines that no operator bill charges yet.",
    )
    amount_due = fields.Monetary(
        string="Due to Operator",
        readonly=True,
        help="Billed by the operator + not billed yet.",
    )
    paid = fields.Monetary(
        string="Paid to Operator",
        readonly=True,
        help="The paid part of the operator's bills less the settled part of its "
        "refunds.",
    )
    amount_open = fields.Monetary(
        string="Still Due", readonly=True, help="Due to Operator - Paid to Operator."
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="The open part of the operator's bills past their due date.",
    )

    _depends = {
        "sale.order": [
            "state",
            "company_id",
            "currency_rate",
            "sputnik_client_id",
            "user_id",
            "sputnik_tour_id",
            "sputnik_date_start",
            "date_order",
            "sputnik_penalty_move_id",
        ],
        "sale.order.line": [
            "order_id",
            "state",
            "sputnik_departure_id",
            "sputnik_sale_mode",
            "price_total",
            "sputnik_commission",
            "sputnik_operator_net",
            "sputnik_operator_bill_id",
        ],
        "sputnik.departure": ["operator_id"],
        "account.move": [
            "state",
            "move_type",
            "sputnik_booking_id",
            "amount_total",
            "amount_residual",
            "amount_total_signed",
            "amount_residual_signed",
            "invoice_date_due",
        ],
        "account.move.line": ["move_id", "balance", "sputnik_booking_line_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        rate = SQL("COALESCE(NULLIF(so.currency_rate, 0), 1.0)")
        return SQL(
            """
            WITH agency_line AS (
                SELECT line.id, line.order_id, departure.operator_id, so.state,
                       line.price_total / %(rate)s AS gross,
                       line.sputnik_commission / %(rate)s AS commission,
                       line.sputnik_operator_net / %(rate)s AS net,
                       line.sputnik_operator_bill_id IS NULL AS unbilled
                  FROM sale_order_line line
                  JOIN sale_order so ON so.id = line.order_id
                  JOIN sputnik_departure departure
                       ON departure.id = line.sputnik_departure_id
                 WHERE line.sputnik_sale_mode = 'agent'
                   AND so.state IN ('sale', 'cancel')
            ),
            booking AS (
                SELECT MIN(id) AS id, order_id, operator_id,
                       SUM(CASE WHEN state = 'sale' THEN gross ELSE 0 END) AS gross,
                       SUM(CASE WHEN state = 'sale' THEN commission ELSE 0 END)
                           AS commission,
                       SUM(CASE WHEN state = 'sale' AND unbilled THEN net ELSE 0 END)
                           AS unbilled
                  FROM agency_line
                 GROUP BY order_id, operator_id
            ),
            operator_document AS (
                SELECT agency_line.order_id, agency_line.operator_id,
                       SUM(item.balance) AS billed,
                       SUM(item.balance * (1 - open.share)) AS paid,
                       SUM(CASE WHEN COALESCE(move.invoice_date_due, move.invoice_date)
                                     < CURRENT_DATE
                                 AND move.move_type = 'in_invoice'
                                THEN item.balance * open.share ELSE 0 END) AS overdue
                  FROM account_move_line item
                  JOIN account_move move
                       ON move.id = item.move_id AND move.state = 'posted'
                  JOIN agency_line ON agency_line.id = item.sputnik_booking_line_id
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN move.amount_total != 0
                                   THEN move.amount_residual / move.amount_total
                                   ELSE 0 END AS share
                       ) open
                 GROUP BY agency_line.order_id, agency_line.operator_id
            ),
            client_payment AS (
                SELECT so.id AS order_id,
                       SUM(move.amount_total_signed - move.amount_residual_signed)
                           AS collected
                  FROM sale_order so
                  JOIN account_move move
                       ON (move.sputnik_booking_id = so.id
                           AND move.move_type IN ('out_invoice', 'out_refund'))
                       OR move.id = so.sputnik_penalty_move_id
                 WHERE move.state = 'posted'
                   AND so.id IN (SELECT order_id FROM booking)
                 GROUP BY so.id
            )
            SELECT booking.id AS id,
                   booking.operator_id,
                   booking.order_id AS booking_id,
                   so.sputnik_client_id AS client_id,
                   so.user_id,
                   so.sputnik_tour_id AS tour_id,
                   so.sputnik_date_start AS date_start,
                   so.date_order::date AS date_order,
                   so.state AS booking_state,
                   so.company_id,
                   company.currency_id,
                   booking.gross,
                   booking.commission,
                   booking.gross - booking.commission AS net,
                   COALESCE(client_payment.collected, 0) AS collected,
                   COALESCE(document.billed, 0) AS billed,
                   booking.unbilled,
                   COALESCE(document.billed, 0) + booking.unbilled AS amount_due,
                   COALESCE(document.paid, 0) AS paid,
                   COALESCE(document.billed, 0) + booking.unbilled
                       - COALESCE(document.paid, 0) AS amount_open,
                   COALESCE(document.overdue, 0) AS amount_overdue
              FROM booking
              JOIN sale_order so ON so.id = booking.order_id
              JOIN res_company company ON company.id = so.company_id
         LEFT JOIN operator_document document
                   ON document.order_id = booking.order_id
                  AND document.operator_id IS NOT DISTINCT FROM booking.operator_id
         LEFT JOIN client_payment ON client_payment.order_id = booking.order_id
            """,
            rate=rate,
        )

    # === ACTIONS === #
    def action_open_document(self):
        """Open the row's booking, if the user may read it."""
        self.ensure_one()
        return self._sputnik_form_action(
            self.booking_id,
            refusal=self.env._(
                "You may not read booking %(name)s.", name=self.booking_id.display_name
            ),
        )
