"""Acceptance: what the bureau's users see, as they see it.

``TestMoneyReportsAfterCommit`` needs real, separately committed transactions
(the money reports are refreshed after the request's commit, in a transaction
of its own), so it does not use TransactionCase's shared test cursor: it
commits its own data with a cursor per request, as the seat concurrency tests
do, and cancels its invoice and payment at the end so that the reports no
longer count them.
"""

import time
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .common import post_invoice, register_payment


@tagged("post_install", "-at_install")
class TestMoneyReportsAfterCommit(BaseCase):
    """An invoice of 1000 due in 30 days, then a payment of 400 registered:
    right after each request's commit, without the cron, the client's
    settlement row and the invoice's payment discipline row count it (due
    1000, then paid 400 and due 1000 - 400 = 600)."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            today = fields.Date.context_today(env["res.partner"])
            client = env["res.partner"].create(
                {"name": f"Settlement After Commit {tag}", "customer_rank": 1}
            )
            invoice = post_invoice(
                env, client, 1000.0, today, today + timedelta(days=30)
            )
            self.client_id, self.invoice_id = client.id, invoice.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            invoice = env["account.move"].browse(self.invoice_id)
            payments = invoice._get_reconciled_payments()
            payments.action_draft()
            payments.action_cancel()
            invoice.button_draft()
            invoice.button_cancel()
            env["res.partner"].browse(self.client_id).active = False
        # (the refresh after that commit takes them out of the reports)

    def _rows(self):
        """The client's settlement row and the invoice's payment row, read in
        a transaction of their own."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            settlement = env["sputnik.client.settlement"].search(
                [("partner_id", "=", self.client_id)]
            )
            payment = env["sputnik.payment.report"].search(
                [("move_id", "=", self.invoice_id)]
            )
            return (
                settlement.read(["amount_invoiced", "amount_paid", "amount_due"]),
                payment.read(["amount_residual", "computed_on"]),
                settlement.computed_on,
            )

    def test_payment_counted_right_after_its_commit(self):
        settlement, payment, __ = self._rows()
        self.assertEqual(len(settlement), 1, "the posted invoice is counted at once")
        self.assertEqual(settlement[0]["amount_invoiced"], 1000.0)
        self.assertEqual(settlement[0]["amount_paid"], 0.0)
        self.assertEqual(settlement[0]["amount_due"], 1000.0)
        self.assertEqual(payment[0]["amount_residual"], 1000.0)

        # the database's clock, second precision, before the payment's request
        with self.registry.cursor() as cr:
            cr.execute("SELECT date_trunc('second', now() AT TIME ZONE 'UTC')")
            before_payment = cr.fetchone()[0]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            invoice = env["account.move"].browse(self.invoice_id)
            journal = env["account.journal"].search(
                [
                    *env["account.journal"]._check_company_domain(invoice.company_id),
                    ("type", "=", "bank"),
                ],
                limit=1,
            )
            register_payment(env, invoice, 400.0, invoice.invoice_date, journal)

        settlement, payment, computed_on = self._rows()
        self.assertEqual(settlement[0]["amount_paid"], 400.0)
        self.assertEqual(settlement[0]["amount_due"], 600.0)
        self.assertEqual(payment[0]["amount_residual"], 600.0)
        # computed after the payment, not by an earlier run
        self.assertGreaterEqual(computed_on, before_payment)

    def test_running_refresh_is_not_waited_for(self):
        """While another transaction refreshes the settlements (it holds their
        refresh lock), the payment's request does not wait for it: it
        commits, the settlements keep their rows (due 1000) until the cron,
        triggered a minute later, counts the payment (due 600)."""
        with self.registry.cursor() as busy:
            busy_env = api.Environment(busy, SUPERUSER_ID, {})
            Settlement = busy_env["sputnik.client.settlement"]
            self.assertTrue(Settlement._sputnik_refresh_lock(wait=False))
            started = time.perf_counter()
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                invoice = env["account.move"].browse(self.invoice_id)
                journal = env["account.journal"].search(
                    [
                        *env["account.journal"]._check_company_domain(
                            invoice.company_id
                        ),
                        ("type", "=", "bank"),
                    ],
                    limit=1,
                )
                register_payment(env, invoice, 400.0, invoice.invoice_date, journal)
            # far below the lock timeout of a refresh after a commit (2 s)
            self.assertLess(time.perf_counter() - started, 2.0)
            busy.rollback()

        settlement, payment, __ = self._rows()
        self.assertEqual(settlement[0]["amount_due"], 1000.0)
        # the other money report was not locked: refreshed at once
        self.assertEqual(payment[0]["amount_residual"], 600.0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env.ref("sputnik_crm.ir_cron_sputnik_report_money")
            self.assertTrue(
                env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
            )
            env["sputnik.report.mixin"]._cron_sputnik_refresh_money()
        settlement, __, __ = self._rows()
        self.assertEqual(settlement[0]["amount_due"], 600.0)
