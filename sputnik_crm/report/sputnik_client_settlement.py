from odoo import api, fields, models
from odoo.tools import SQL


class SputnikClientSettlement(models.Model):
    """What each client was invoiced, has paid and still owes, per company.

    One row per commercial partner, company and company currency, built in one
    SQL statement over the posted customer invoices and credit notes; stored,
    computed every hour and on demand (a large base has a row for every client
    ever invoiced). Amounts are
    in the company currency and signed as in accounting (the ``*_signed`` columns
    of ``account_move``), so that credit notes reduce what the client owes.
    """

    _name = "sputnik.client.settlement"
    _inherit = ["sputnik.report.mixin"]
    _description = "Client Settlement"
    _auto = False
    _rec_name = "partner_id"
    _order = "amount_overdue desc, amount_due desc, partner_id"
    _sputnik_stored = True
    _sputnik_refresh_key = "partner_id"
    _sputnik_money = True
    _sputnik_indexes = ("partner_id", "user_id")
    _sputnik_ratios = {
        "paid_on_time_rate": ("paid_on_time_count", "paid_invoice_count", 100.0),
        "avg_days_late": ("days_late", "paid_invoice_count", 1.0),
    }

    # === FIELDS === #
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        readonly=True,
        help="Commercial entity of the invoiced customers: a company and its "
        "contacts make one row.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the client.",
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    invoice_count = fields.Integer(
        string="Invoices", readonly=True, help="Posted customer invoices."
    )
    refund_count = fields.Integer(
        string="Credit Notes", readonly=True, help="Posted customer credit notes."
    )
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        readonly=True,
        help="Total, taxes included, of the posted customer invoices.",
    )
    amount_refunded = fields.Monetary(
        string="Refunded",
        readonly=True,
        help="Total, taxes included, of the posted customer credit notes.",
    )
    amount_paid = fields.Monetary(
        string="Paid",
        readonly=True,
        help="Invoiced - Refunded - what is still open on the invoices and credit "
        "notes. Payments entered but not yet reconciled with an invoice do not "
        "count.",
    )
    amount_due = fields.Monetary(
        string="Due",
        readonly=True,
        help="What the client owes that is not overdue: the open amount less the "
        "overdue one; negative when the client has a credit (credit notes or "
        "payments not yet used).",
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="Open amount of the invoices whose due date is before today, less "
        "the client's credits not yet used (at most what the client owes). "
        "Paid + Due + Overdue = Invoiced - Refunded.",
    )
    overdue_invoice_count = fields.Integer(
        string="Overdue Invoices",
        readonly=True,
        help="Invoices with an open amount whose due date is before today.",
    )
    paid_invoice_count = fields.Integer(
        string="Paid Invoices",
        readonly=True,
        help="Invoices paid in full (status Paid or In Payment); invoices cancelled "
        "by a credit note are left out.",
    )
    paid_on_time_count = fields.Integer(
        string="Paid on Time",
        readonly=True,
        help="Paid invoices whose payment date is on or before their due date.",
    )
    days_late = fields.Integer(
        readonly=True,
        help="Days between the due date and the payment date, added over the paid "
        "invoices (0 for an invoice paid on time).",
    )
    paid_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Paid on time / paid invoices x 100 (of a group: of its sums); empty "
        "without a paid invoice. The payment date of an invoice is the latest "
        "date of the entries reconciled with it.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days late / paid invoices (of a group: of its sums): an invoice "
        "paid on time counts as 0.",
    )

    computed_on = fields.Datetime(
        readonly=True,
        help="When the figures were computed: the report counts the invoices and "
        "payments posted until then (as soon as an invoice is posted or a "
        "payment matched, within a minute when another computation was "
        "running, every hour, or Refresh Reports in the Reports menu); the "
        "Invoices button shows them as they are now.",
    )

    _depends = {
        "account.move": [
            "state",
            "move_type",
            "company_id",
            "commercial_partner_id",
            "invoice_date_due",
            "payment_state",
            "amount_total_signed",
            "amount_residual_signed",
        ],
        "account.move.line": ["move_id", "display_type", "date"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id"],
        "res.company": ["currency_id"],
        "res.partner": ["user_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _query(self):
        return SQL(
            "%s %s %s %s %s",
            self._with(),
            self._select(),
            self._from(),
            self._where(),
            self._group_by(),
        )

    @api.model
    def _with(self):
        return SQL()

    @api.model
    def _select(self):
        # stored: today is the day of the computation
        today = SQL("CURRENT_DATE")
        overdue = SQL(
            """move.move_type = 'out_invoice'
               AND COALESCE(move.invoice_date_due < %s, FALSE)
               AND move.amount_residual_signed != 0""",
            today,
        )
        paid = SQL(
            """move.move_type = 'out_invoice'
               AND move.payment_state IN ('paid', 'in_payment')
               AND payment.payment_date IS NOT NULL"""
        )
        return SQL(
            """
            SELECT
                MIN(move.id) AS id,
                move.commercial_partner_id AS partner_id,
                partner.user_id AS user_id,
                move.company_id AS company_id,
                company.currency_id AS currency_id,
                COUNT(*) FILTER (WHERE move.move_type = 'out_invoice')
                    AS invoice_count,
                COUNT(*) FILTER (WHERE move.move_type = 'out_refund')
                    AS refund_count,
                COALESCE(SUM(move.amount_total_signed)
                    FILTER (WHERE move.move_type = 'out_invoice'), 0)
                    AS amount_invoiced,
                COALESCE(-SUM(move.amount_total_signed)
                    FILTER (WHERE move.move_type = 'out_refund'), 0)
                    AS amount_refunded,
                SUM(move.amount_total_signed - move.amount_residual_signed)
                    AS amount_paid,
                SUM(move.amount_residual_signed) - %(net_overdue)s AS amount_due,
                %(net_overdue)s AS amount_overdue,
                COUNT(*) FILTER (WHERE %(overdue)s) AS overdue_invoice_count,
                COUNT(*) FILTER (WHERE %(paid)s) AS paid_invoice_count,
                COUNT(*) FILTER (
                    WHERE %(paid)s AND payment.payment_date <= move.invoice_date_due
                ) AS paid_on_time_count,
                COALESCE(SUM(GREATEST(payment.payment_date - move.invoice_date_due, 0))
                    FILTER (WHERE %(paid)s), 0) AS days_late,
                100.0 * COUNT(*) FILTER (
                    WHERE %(paid)s AND payment.payment_date <= move.invoice_date_due
                ) / NULLIF(COUNT(*) FILTER (WHERE %(paid)s), 0) AS paid_on_time_rate,
                AVG(GREATEST(payment.payment_date - move.invoice_date_due, 0))
                    FILTER (WHERE %(paid)s) AS avg_days_late,
                now() AT TIME ZONE 'UTC' AS computed_on
            """,
            overdue=overdue,
            paid=paid,
            # the overdue invoices less the client's unused credits, within
            # what the client owes in all
            net_overdue=SQL(
                """GREATEST(LEAST(
                       COALESCE(SUM(move.amount_residual_signed)
                           FILTER (WHERE %(overdue)s), 0),
                       SUM(move.amount_residual_signed)), 0)""",
                overdue=overdue,
            ),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM account_move move
            JOIN res_company company ON company.id = move.company_id
            JOIN res_partner partner ON partner.id = move.commercial_partner_id
            -- the payment date of a posted customer invoice
            LEFT JOIN LATERAL (%s) payment ON move.move_type = 'out_invoice'
            """,
            self._sputnik_payment_date_sql(),
        )

    @api.model
    def _where(self):
        return SQL(
            """
            WHERE move.state = 'posted'
              AND move.move_type IN ('out_invoice', 'out_refund')
            """
        )

    @api.model
    def _group_by(self):
        return SQL(
            """
            GROUP BY move.commercial_partner_id,
                     partner.user_id,
                     move.company_id,
                     company.currency_id
            """
        )

    # === ACTIONS === #
    def action_open_invoices(self):
        """The posted invoices and credit notes of the row's client and company."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Invoices of %(client)s", client=self.partner_id.display_name
            ),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("account.view_out_invoice_tree").id, "list"),
                (self.env.ref("account.view_move_form").id, "form"),
            ],
            "search_view_id": [self.env.ref("account.view_account_invoice_filter").id],
            "domain": [
                ("partner_id", "child_of", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            "context": {
                "default_move_type": "out_invoice",
                "default_partner_id": self.partner_id.id,
                "create": False,
            },
        }
