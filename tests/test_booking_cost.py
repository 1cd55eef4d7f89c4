from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import (
    SputnikCase,
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    run_booking_invoicing,
)
from .common import make_travellers as travellers_with_passports


@tagged("post_install", "-at_install")
class TestBookingCost(SputnikCase):
    """What a confirmation and a cancellation do, done without the work they
    do not need: no search of the orders when an invoice changes, a deposit
    dated when created, one client classified without temporary tables."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"sputnik_deposit_percent": 30.0, "sputnik_balance_days": 21})
        cls.tour = make_tour(cls.env, name="Cost Test Tour")
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=60)
        buy_seats(cls.env, cls.departure, 6)

    def booking(self, seats=2):
        travellers = travellers_with_passports(self.env, seats, prefix="Cost")
        return make_booking(self.env, self.departure, travellers)

    def pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": fields.Date.today()})._create_payments()

    def test_deposit_dated_when_created_and_status_follows_it(self):
        """Two seats at the tour's 30,000 are 60,000; the deposit is 30 % of
        it, 18,000, invoiced and posted at the confirmation, dated the day of
        the confirmation as its posting would date it. The booking's status
        follows the deposit's state (confirmed, then cancelled with it) while
        the orders are never searched by their invoices."""
        order = self.booking()
        searched = []
        search = type(order)._search_invoice_ids

        def spy(records, operator, value):
            searched.append(value)
            return search(records, operator, value)

        with patch.object(type(order), "_search_invoice_ids", spy):
            confirm(order.with_user(self.agent))
            deposit = order.invoice_ids
            self.assertEqual(deposit.state, "posted")
            self.assertAlmostEqual(deposit.amount_total, 18000.0)
            today = fields.Date.context_today(order)
            self.assertEqual(deposit.invoice_date, today)
            self.assertEqual(deposit.date, today)
            self.assertNotEqual(deposit.name, "/")
            self.assertEqual(order.sputnik_status, "confirmed")
            self.assertEqual(order.sputnik_payment_status, "due")
            order.with_user(self.agent).with_context(
                disable_cancel_warning=True
            ).action_cancel()
            run_booking_invoicing(order)
            # the unpaid deposit is closed by its credit note
            self.assertEqual(deposit.payment_state, "reversed")
            self.assertEqual(order.sputnik_status, "cancelled")
        self.assertEqual(searched, [])

    def test_status_paid_follows_the_payment(self):
        """A booking whose balance falls due within the week is invoiced whole
        at confirmation (60,000 for two seats): paying that one invoice makes
        the booking paid, through the invoice's payment state alone."""
        self.company.sputnik_balance_days = 58
        order = self.booking()
        confirm(order.with_user(self.agent))
        invoice = order.invoice_ids
        self.assertAlmostEqual(invoice.amount_total, 60000.0)
        self.assertEqual(order.sputnik_status, "confirmed")
        self.pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.sputnik_status, "paid")

    def test_one_client_classified_without_temporary_table(self):
        """A confirmation queues its client, classified by the queue's cron
        just after the request: one trip, booked ahead, in one statement; no
        temporary table of the full run is left in the transaction (nor
        created: none existed before)."""
        order = self.booking(seats=1)
        client = order.partner_id
        client.customer_rank = 1
        confirm(order.with_user(self.agent))
        self.env["sputnik.classification"]._classify_queued()
        self.assertEqual(client.sputnik_trip_count, 1)
        self.assertTrue(client.sputnik_next_trip_booked)
        self.assertEqual(client.sputnik_class_history_ids[:1].source, "booking")
        for table in ("sputnik_classify_figures", "sputnik_classify_changes"):
            self.env.cr.execute("SELECT to_regclass(%s)", [f"pg_temp.{table}"])
            self.assertIsNone(self.env.cr.fetchone()[0], table)

    def test_money_reports_of_a_booking_within_a_minute(self):
        """A confirmation and the invoicing cron that posts the booking's
        deposit after it: the money reports take it with their cron within
        the minute (a trigger), and neither refreshes anything after its
        commit; a payment an accountant registers in another transaction
        still refreshes them at once."""
        cron = self.env.ref("sputnik_crm.ir_cron_sputnik_report_money")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order = self.booking()
        # observe the confirmation alone (the fixtures' invoices asked before)
        self.env.cr.postcommit.data.pop("sputnik_money_refresh", None)
        confirm(order)
        self.assertTrue(order.invoice_ids)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
        )
        self.assertNotIn("sputnik_money_refresh", self.env.cr.postcommit.data)
        # the accountant's payment comes in a transaction of its own, without
        # the mark of the confirmation (the invoicing run's savepoints have
        # already run the pre-commit hooks, which drop the marks)
        self.env.cr.precommit.data.pop("sputnik_money_within_a_minute", None)
        self.pay(order.invoice_ids)
        self.assertIn("sputnik_money_refresh", self.env.cr.postcommit.data)
