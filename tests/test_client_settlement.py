from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import post_invoice, register_payment


@tagged("post_install", "-at_install")
class TestClientSettlement(TransactionCase):
    """Hand-made invoices of one client, with the settlement figures known.

    Relative to today (D), no taxes, company currency:

    ====  ===========  ======  ========  ==========================  =========
    inv   type         amount  due       payment                     residual
    ====  ===========  ======  ========  ==========================  =========
    A     invoice      1000    D-30      1000 on D-35 (on time)      0
    B     invoice      2000    D-20      2000 on D-10 (10 days late) 0
    C     invoice      3000    D-10      1000 on D-15 (partial)      2000 late
    D     invoice      4000    D+25      -                           4000
    E     credit note   500    -         - (open credit)             -500
    ====  ===========  ======  ========  ==========================  =========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.client = cls.env["res.partner"].create(
            {"name": "Settlement Client Ltd", "is_company": True, "customer_rank": 1}
        )
        # an invoice to a contact of the client counts for the client
        cls.contact = cls.env["res.partner"].create(
            {"name": "Olena Settlement", "parent_id": cls.client.id}
        )
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Another Settlement Client", "customer_rank": 1}
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(cls.company)]
            + [("type", "=", "bank")],
            limit=1,
        )

        cls.invoice_a = cls._invoice(cls.client, 1000, -60, -30)
        cls.invoice_b = cls._invoice(cls.contact, 2000, -50, -20)
        cls.invoice_c = cls._invoice(cls.client, 3000, -40, -10)
        cls.invoice_d = cls._invoice(cls.client, 4000, -5, 25)
        cls.refund_e = cls._invoice(cls.client, 500, -3, -3, move_type="out_refund")
        cls._invoice(cls.other_client, 700, -90, -60)

        cls._pay(cls.invoice_a, 1000, -35)
        cls._pay(cls.invoice_b, 2000, -10)
        cls._pay(cls.invoice_c, 1000, -15)

    @classmethod
    def _invoice(cls, partner, amount, invoice_days, due_days, move_type="out_invoice"):
        return post_invoice(
            cls.env,
            partner,
            amount,
            cls.today + timedelta(days=invoice_days),
            cls.today + timedelta(days=due_days),
            move_type=move_type,
            company_id=cls.company.id,
        )

    @classmethod
    def _pay(cls, invoice, amount, days):
        register_payment(
            cls.env, invoice, amount, cls.today + timedelta(days=days), cls.bank_journal
        )

    def _settlement(self, partner):
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        self.env.invalidate_all()
        return self.env["sputnik.client.settlement"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_set_up(self):
        """The hand-made invoices are what the figures below assume."""
        self.assertTrue(self.company.chart_template)
        self.assertEqual(self.invoice_b.commercial_partner_id, self.client)
        self.assertEqual(
            self.invoice_c.invoice_date_due, self.today - timedelta(days=10)
        )
        self.assertEqual(
            (self.invoice_a | self.invoice_b).mapped("payment_state"),
            ["paid", "paid"],
        )
        self.assertEqual(self.invoice_c.payment_state, "partial")
        self.assertEqual(self.invoice_c.amount_residual, 2000)
        self.assertEqual(self.refund_e.amount_residual, 500)

    def test_settlement_figures(self):
        row = self._settlement(self.client)
        self.assertEqual(len(row), 1, "one row per client and company")
        self.assertEqual(row.currency_id, self.company.currency_id)
        self.assertRecordValues(
            row,
            [
                {
                    "partner_id": self.client.id,
                    "company_id": self.company.id,
                    "invoice_count": 4,
                    "refund_count": 1,
                    "amount_invoiced": 10000.0,
                    "amount_refunded": 500.0,
                    # 10000 - 500 - (2000 + 4000 - 500)
                    "amount_paid": 4000.0,
                    # invoice D not yet due, less the open credit note
                    "amount_due": 3500.0,
                    # what is left of invoice C
                    "amount_overdue": 2000.0,
                    "overdue_invoice_count": 1,
                    "paid_invoice_count": 2,
                    # A on time, B late
                    "paid_on_time_rate": 50.0,
                    # (0 + 10) / 2
                    "avg_days_late": 5.0,
                }
            ],
        )
        self.assertEqual(
            row.amount_paid + row.amount_due + row.amount_overdue,
            row.amount_invoiced - row.amount_refunded,
        )

    def test_settlement_other_client(self):
        """Clients do not mix; an unpaid client has no payment statistics."""
        self.assertRecordValues(
            self._settlement(self.other_client),
            [
                {
                    "invoice_count": 1,
                    "amount_invoiced": 700.0,
                    "amount_paid": 0.0,
                    "amount_due": 0.0,
                    "amount_overdue": 700.0,
                    "overdue_invoice_count": 1,
                    "paid_invoice_count": 0,
                    "paid_on_time_rate": 0.0,
                    "avg_days_late": 0.0,
                }
            ],
        )

    def test_draft_and_cancelled_do_not_count(self):
        draft = self._invoice(self.client, 9999, -1, 10)
        draft.button_draft()
        cancelled = self._invoice(self.client, 8888, -1, -1)
        cancelled.button_cancel()
        row = self._settlement(self.client)
        self.assertEqual(row.invoice_count, 4)
        self.assertEqual(row.amount_invoiced, 10000.0)

    def test_reconciled_credit_note(self):
        """Matching the credit note with invoice D moves nothing but the due."""
        lines = (self.invoice_d | self.refund_e).line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        lines.reconcile()
        row = self._settlement(self.client)
        self.assertEqual(self.invoice_d.amount_residual, 3500)
        self.assertRecordValues(
            row,
            [{"amount_paid": 4000.0, "amount_due": 3500.0, "amount_overdue": 2000.0}],
        )

    def test_read_group(self):
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        groups = self.env["sputnik.client.settlement"]._read_group(
            [("partner_id", "in", (self.client | self.other_client).ids)],
            ["company_id"],
            ["amount_invoiced:sum", "amount_overdue:sum", "invoice_count:sum"],
        )
        self.assertEqual(groups, [(self.company, 10700.0, 2700.0, 5)])

    def test_unused_credit_covers_the_overdue_first(self):
        """An overdue invoice of 38,100 and an unused credit note of 38,100:
        the client owes nothing, neither due (-38,100) nor overdue (38,100)."""
        client = self.env["res.partner"].create(
            {"name": "Credit Client", "customer_rank": 1}
        )
        self._invoice(client, 38100, -30, -10)
        self._invoice(client, 38100, -5, -5, move_type="out_refund")
        row = self._settlement(client)
        self.assertRecordValues(
            row,
            [{"amount_due": 0.0, "amount_overdue": 0.0, "overdue_invoice_count": 1}],
        )
        # a credit larger than the overdue: the rest is the client's credit
        self._invoice(client, 1000, -2, -2, move_type="out_refund")
        row = self._settlement(client)
        self.assertRecordValues(row, [{"amount_due": -1000.0, "amount_overdue": 0.0}])

    def test_group_rates_are_rates_of_sums(self):
        """Client: 1 of 2 paid invoices on time, 10 days late in all; another
        client: 1 of 1 on time. Together: 2 of 3 on time (66.7 %, not the 75 %
        an average of the two rates gives), 10 / 3 days late on average."""
        punctual = self.env["res.partner"].create(
            {"name": "Punctual Client", "customer_rank": 1}
        )
        self._pay(self._invoice(punctual, 100, -20, -10), 100, -12)
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        groups = self.env["sputnik.client.settlement"]._read_group(
            [("partner_id", "in", (self.client | punctual).ids)],
            ["company_id"],
            ["paid_on_time_rate:avg", "avg_days_late:avg", "paid_invoice_count:sum"],
        )
        [(_company, on_time, days_late, paid)] = groups
        self.assertEqual(paid, 3)
        self.assertAlmostEqual(on_time, 200.0 / 3, places=6)
        self.assertAlmostEqual(days_late, 10.0 / 3, places=6)
        self.assertAlmostEqual(self._settlement(punctual).paid_on_time_rate, 100.0)

    def test_money_reports_follow_within_a_minute(self):
        """An invoice posted (or a payment matched) triggers the money
        reports' refresh a minute later, not at the next hourly run."""
        cron = self.env.ref("sputnik_crm.ir_cron_sputnik_report_money")
        Trigger = self.env["ir.cron.trigger"]
        Settlement = self.env["sputnik.client.settlement"]
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        before = Trigger.search([("cron_id", "=", cron.id)])
        posted_at = fields.Datetime.now()
        self._invoice(self.other_client, 300, -1, 5)
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertTrue(triggers)
        self.assertLessEqual(
            max(triggers.mapped("call_at")), posted_at + timedelta(minutes=1, seconds=5)
        )
        domain = [("partner_id", "=", self.other_client.id)]
        self.assertEqual(Settlement.search(domain).invoice_count, 1)
        # the cron's run, in the test's transaction (the cron makes it in one
        # of its own, which would not see the test's invoices)
        self.env["sputnik.report.mixin"]._sputnik_refresh_queue()
        self.env.invalidate_all()
        self.assertEqual(Settlement.search(domain).invoice_count, 2)
        self.assertEqual(Settlement.search(domain).amount_invoiced, 1000.0)

    def test_action_open_invoices(self):
        row = self._settlement(self.client)
        action = row.action_open_invoices()
        self.assertEqual(action["res_model"], "account.move")
        moves = self.env["account.move"].search(action["domain"])
        self.assertEqual(
            moves,
            self.invoice_a
            | self.invoice_b
            | self.invoice_c
            | self.invoice_d
            | self.refund_e,
        )

    def test_access(self):
        """Accountants and agents read the settlements; other users do not."""
        agent = new_test_user(
            self.env,
            login="settlement_agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        accountant = new_test_user(
            self.env,
            login="settlement_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        outsider = new_test_user(
            self.env, login="settlement_outsider", groups="base.group_user"
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Settlement = self.env["sputnik.client.settlement"]
        self.assertEqual(
            Settlement.with_user(accountant)
            .search([("partner_id", "=", self.client.id)])
            .amount_overdue,
            2000.0,
        )
        self.assertTrue(
            Settlement.with_user(agent).search([("partner_id", "=", self.client.id)])
        )
        with self.assertRaises(AccessError):
            Settlement.with_user(outsider).search([])
        with self.assertRaises(AccessError):
            Settlement.with_user(accountant).create({})


@tagged("post_install", "-at_install")
class TestInvoiceBooking(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.client = cls.env["res.partner"].create({"name": "Booking Invoice Client"})
        product = cls.env["product.product"].create(
            {
                "name": "Excursion Service",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1200.0,
            }
        )
        cls.booking = cls.env["sale.order"].create(
            {
                "partner_id": cls.client.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        cls.booking.action_confirm()
        cls.invoice = cls.booking._create_invoices()
        cls.invoice.action_post()

    def test_invoice_booking(self):
        self.assertEqual(self.invoice.sputnik_booking_id, self.booking)

    def test_credit_note_booking(self):
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"journal_id": self.invoice.journal_id.id, "reason": "Cancelled"})
        )
        credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.sputnik_booking_id, self.booking)

    def test_credit_note_without_sale_lines(self):
        """A credit note typed by hand takes the booking of the reversed invoice."""
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client.id,
                "reversed_entry_id": self.invoice.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goodwill", "price_unit": 100.0})
                ],
            }
        )
        self.assertFalse(credit_note.invoice_line_ids.sale_line_ids)
        self.assertEqual(credit_note.sputnik_booking_id, self.booking)

    def test_other_moves_have_no_booking(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.client.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"name": "Hotel", "price_unit": 100.0})
                ],
            }
        )
        self.assertFalse(bill.sputnik_booking_id)
        manual = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Visa fee", "price_unit": 50.0})
                ],
            }
        )
        self.assertFalse(manual.sputnik_booking_id)
