from odoo import api, fields, models
from odoo.tools import SQL

from ..models.sputnik_client_classification import ABC, LIFECYCLE, RFM_SEGMENTS


class SputnikPaymentReport(models.Model):
    """Payment discipline: one row per posted customer invoice.

    Invoices cancelled by a credit note (payment status *Reversed*) are left
    out: they were never to be paid. Amounts are in the company currency. An
    invoice is paid when its status is *Paid* or *In Payment*; its payment date
    is the latest date of the entries reconciled with it. Figures that depend
    on the date are computed for today.
    """

    _name = "sputnik.payment.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Payment Discipline"
    _auto = False
    _rec_name = "move_id"
    _order = "invoice_date desc, id desc"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_money = True
    _sputnik_indexes = ("invoice_date",)

    # === FIELDS === #
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        help="Commercial entity of the invoiced customer.",
    )
    user_id = fields.Many2one(
        "res.users", string="Agent", readonly=True, help="Salesperson of the invoice."
    )
    booking_id = fields.Many2one("sale.order", string="Booking", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    client_lifecycle = fields.Selection(
        LIFECYCLE,
        string="Client Status",
        readonly=True,
        help="The client's status today.",
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
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    payment_date = fields.Date(
        string="Paid On",
        readonly=True,
        help="For a paid invoice, the latest date of the payments and credit notes "
        "reconciled with it; empty while anything is open.",
    )
    invoice_count = fields.Integer(
        string="Invoices", readonly=True, help="Posted customer invoices: 1 per row."
    )
    amount_total = fields.Monetary(
        string="Sales",
        readonly=True,
        help="Total of the invoice, taxes included. DSO = Receivables / (Sales / "
        "days of the period), with the invoices of the period.",
    )
    amount_residual = fields.Monetary(
        string="Receivables",
        readonly=True,
        help="What the client still owes on the invoice. DSO = Receivables / "
        "(Sales / days of the period).",
    )
    amount_overdue = fields.Monetary(
        string="Overdue Amount",
        readonly=True,
        help="Receivables of the invoices whose due date is before today.",
    )
    paid_count = fields.Integer(
        string="Paid", readonly=True, help="1 for an invoice paid in full, else 0."
    )
    paid_on_time = fields.Integer(
        readonly=True,
        help="1 for an invoice paid in full on or before its due date, else 0. "
        "Summed: invoices paid on time.",
    )
    paid_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the invoices paid by their due date, 0-100, among the "
        "invoices paid or past due (an open invoice not yet due is left out).",
    )
    overdue = fields.Integer(
        string="Overdue Invoices",
        readonly=True,
        help="1 for an invoice still open after its due date, else 0. Summed: "
        "overdue invoices.",
    )
    overdue_rate = fields.Float(
        string="Overdue (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the invoices still open after their due date, 0-100: "
        "Overdue Invoices / Invoices.",
    )
    days_late = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="(Paid on, or today while open) - due date, in days, at least 0. "
        "Averaged over the invoices: average days late.",
    )
    days_to_pay = fields.Float(
        string="Days to Pay",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Paid on - invoice date, in days, for the paid invoices. Averaged: "
        "the average payment time, the second DSO figure.",
    )
    computed_on = fields.Datetime(
        readonly=True,
        help="When the figures were computed: the report counts the invoices and "
        "payments posted until then (as soon as an invoice is posted or a "
        "payment matched, within a minute when another computation was "
        "running, every hour, or Refresh Reports in the Reports menu).",
    )

    _depends = {
        "account.move": [
            "state",
            "move_type",
            "company_id",
            "commercial_partner_id",
            "invoice_user_id",
            "sputnik_booking_id",
            "invoice_date",
            "invoice_date_due",
            "payment_state",
            "amount_total_signed",
            "amount_residual_signed",
        ],
        "account.move.line": ["move_id", "display_type", "date"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id"],
        "res.company": ["currency_id"],
        "res.partner": ["sputnik_lifecycle", "sputnik_rfm_segment", "sputnik_abc"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL("%s %s %s", self._with(), self._select(), self._from())

    @api.model
    def _with(self):
        # the payment date of each paid customer invoice: the latest date of
        # the entries reconciled with its receivable lines (as the settlements),
        # looked up for the invoices read only (a period filter on the invoice
        # date reaches the invoices before any payment is looked up)
        return SQL(
            """
            WITH invoice AS (
                SELECT move.id, move.commercial_partner_id, move.invoice_user_id,
                       move.sputnik_booking_id, move.company_id, move.invoice_date,
                       move.amount_total_signed, move.amount_residual_signed,
                       COALESCE(move.invoice_date_due, move.invoice_date) AS date_due,
                       payment.payment_date AS paid_date
                  FROM account_move move
             LEFT JOIN LATERAL (%s) payment
                       ON move.payment_state IN ('paid', 'in_payment')
                 WHERE move.state = 'posted'
                   AND move.move_type = 'out_invoice'
                   AND move.payment_state != 'reversed'
            )
            """,
            self._sputnik_payment_date_sql(),
        )

    @api.model
    def _select(self):
        # stored: today is the day of the computation
        today = SQL("CURRENT_DATE")
        overdue = SQL(
            "(invoice.paid_date IS NULL AND invoice.amount_residual_signed != 0 "
            "AND invoice.date_due < %s)",
            today,
        )
        return SQL(
            """
            SELECT
                invoice.id AS id,
                invoice.id AS move_id,
                invoice.commercial_partner_id AS partner_id,
                invoice.invoice_user_id AS user_id,
                invoice.sputnik_booking_id AS booking_id,
                invoice.company_id AS company_id,
                company.currency_id AS currency_id,
                client.sputnik_lifecycle AS client_lifecycle,
                client.sputnik_rfm_segment AS client_rfm_segment,
                client.sputnik_abc AS client_abc,
                invoice.invoice_date AS invoice_date,
                invoice.date_due AS date_due,
                invoice.paid_date AS payment_date,
                1 AS invoice_count,
                invoice.amount_total_signed AS amount_total,
                invoice.amount_residual_signed AS amount_residual,
                CASE WHEN %(overdue)s THEN invoice.amount_residual_signed ELSE 0 END
                    AS amount_overdue,
                CASE WHEN invoice.paid_date IS NOT NULL THEN 1 ELSE 0 END
                    AS paid_count,
                CASE WHEN invoice.paid_date <= invoice.date_due THEN 1 ELSE 0 END
                    AS paid_on_time,
                CASE WHEN invoice.paid_date <= invoice.date_due THEN 100.0
                     WHEN invoice.paid_date IS NOT NULL
                       OR invoice.date_due < %(today)s THEN 0.0
                END AS paid_on_time_rate,
                CASE WHEN %(overdue)s THEN 1 ELSE 0 END AS overdue,
                CASE WHEN %(overdue)s THEN 100.0 ELSE 0.0 END AS overdue_rate,
                GREATEST(COALESCE(invoice.paid_date, %(today)s) - invoice.date_due, 0)
                    AS days_late,
                invoice.paid_date - invoice.invoice_date AS days_to_pay,
                now() AT TIME ZONE 'UTC' AS computed_on
            """,
            overdue=overdue,
            today=today,
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM invoice
            JOIN res_company company ON company.id = invoice.company_id
            LEFT JOIN res_partner client ON client.id = invoice.commercial_partner_id
            """
        )

    # === ACTIONS === #
    def action_open_document(self):
        """Open the row's invoice, if the user may read it."""
        self.ensure_one()
        refusal = self.env._(
            "You may not open the invoice %(name)s.",
            # sudo: the name the row already shows (Odoo reads a many2one's
            # display name with sudo), to say which document is refused
            name=self.move_id.sudo().name,
        )
        return self._sputnik_form_action(
            self.move_id, refusal, view_id=self.env.ref("account.view_move_form").id
        )
