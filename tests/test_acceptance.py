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
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, new_test_user, tagged

from .common import (
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    post_invoice,
    register_payment,
)


@tagged("post_install", "-at_install")
class TestMoneyReportsAfterCommit(BaseCase):
    """An invoice of 1000 due in 30 days, then a payment of 400 registered:
    right after each request's commit, without the cron, the client's
    settlement row and the invoice's payment discipline row count it (due
    1000, then paid 400 and due 1000 - 400 = 600); the payment taken back,
    due 1000 again; the invoice reset to draft, no row."""

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
            payments = env["account.payment"].search(
                [("partner_id", "=", self.client_id)]
            )
            payments.filtered(lambda p: p.state != "draft").action_draft()
            payments.action_cancel()
            if invoice.state == "posted":
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

        # the payment taken back (reset to draft, unmatched): due 1000 again
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            invoice = env["account.move"].browse(self.invoice_id)
            invoice._get_reconciled_payments().action_draft()
        settlement, payment, __ = self._rows()
        self.assertEqual(settlement[0]["amount_paid"], 0.0)
        self.assertEqual(settlement[0]["amount_due"], 1000.0)
        self.assertEqual(payment[0]["amount_residual"], 1000.0)

        # the invoice reset to draft: no longer counted
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            env["account.move"].browse(self.invoice_id).button_draft()
        settlement, payment, __ = self._rows()
        self.assertEqual((settlement, payment), ([], []))

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

    def test_failed_refresh_is_not_the_users_concern(self):
        """A refresh after the commit that fails (here: made to fail) leaves
        the payment's request successful and the reports as they were (due
        1000), logged as a warning; the cron, triggered a minute later,
        counts the payment (due 600)."""
        with self.registry.cursor() as cr:
            Settlement = api.Environment(cr, SUPERUSER_ID, {})[
                "sputnik.client.settlement"
            ]
            settlement_class = type(Settlement)
        with (
            patch.object(
                settlement_class,
                "_sputnik_refresh_keys",
                side_effect=RuntimeError("the refresh failed"),
                autospec=True,
            ),
            self.assertLogs(
                "odoo.addons.sputnik_crm.report.sputnik_report_mixin", "WARNING"
            ) as logs,
        ):
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
        self.assertIn("Could not refresh sputnik.client.settlement", logs.output[0])
        settlement, payment, __ = self._rows()
        self.assertEqual(settlement[0]["amount_due"], 1000.0)
        self.assertEqual(payment[0]["amount_residual"], 600.0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sputnik.report.mixin"]._cron_sputnik_refresh_money()
        settlement, __, __ = self._rows()
        self.assertEqual(settlement[0]["amount_due"], 600.0)


def add_passport(env, partner, number, expiry):
    return env["sputnik.travel.document"].create(
        {
            "partner_id": partner.id,
            "document_type": "foreign_passport",
            "number": number,
            "country_id": env.ref("base.ua").id,
            "expiry_date": expiry,
        }
    )


@tagged("post_install", "-at_install")
class TestAcceptanceTours(HttpCase):
    """The bureau's users at work in the browser, each tour from its own data."""

    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, tracking_disable=True))
        self.today = fields.Date.context_today(self.env["res.partner"])
        # a Ukrainian bureau: a trip to Turkey or Portugal is abroad
        self.env.company.country_id = self.env.ref("base.ua")
        self.env["res.lang"]._activate_lang("uk_UA")

    def _agent(self, login, lang):
        return new_test_user(
            self.env,
            login=login,
            name=f"Acceptance {login}",
            lang=lang,
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )

    def test_agent_books_a_departure_found_by_its_ukrainian_name(self):
        """The departure of «Кемер Приймальний» (the tour Kemer Acceptance in
        Ukrainian) is found and booked for two travellers; the companion's
        passport expires in two months, before the trip's end (in 67 days)
        plus the company's months of validity: the rule warns, the agent adds
        a passport valid five years, confirms and logs a call."""
        agent = self._agent("sputnik_acceptance_agent", "uk_UA")
        tour = make_tour(self.env, name="Kemer Acceptance")
        tour.with_context(lang="uk_UA").name = "Кемер Приймальний"
        departure = make_departure(self.env, tour)
        buy_seats(self.env, departure, 4)
        client, companion = self.env["res.partner"].create(
            [
                {"name": name, "customer_rank": 1, "user_id": agent.id}
                for name in ("Приймальна Клієнтка", "Приймальний Супутник")
            ]
        )
        add_passport(self.env, client, "FP5550000", self.today + relativedelta(years=3))
        add_passport(
            self.env, companion, "FP5559999", self.today + relativedelta(months=2)
        )

        self.start_tour("/odoo", "sputnik_acceptance_agent_tour", login=agent.login)

        booking = self.env["sale.order"].search([("partner_id", "=", client.id)])
        self.assertEqual(booking.state, "sale")
        self.assertEqual(booking.user_id, agent)
        # (besides the deposit's down payment lines)
        line = booking.order_line.filtered("sputnik_departure_id")
        self.assertEqual(line.sputnik_departure_id, departure)
        self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(booking.sputnik_traveller_ids, client | companion)
        self.assertFalse(booking.sputnik_passport_override_reason)
        passport = companion.sputnik_travel_document_ids.filtered(
            lambda document: document.number == "FP5550001"
        )
        self.assertEqual(passport.document_type, "foreign_passport")
        self.assertEqual(passport.expiry_date, self.today + relativedelta(years=5))
        call = self.env["sputnik.interaction"].search(
            [("order_id", "=", booking.id), ("automatic", "=", False)]
        )
        self.assertEqual(call.name, "Підтвердили бронювання по телефону")
        self.assertEqual((call.partner_id, call.user_id), (client, agent))

    def test_accountant_sees_the_deposit_paid_at_once(self):
        """A booking of one seat of a 30,000 tour, 30 % deposit (9,000)
        invoiced at confirmation, the balance not yet (due 30 days before the
        departure, in 60 days). The accountant registers the deposit's payment;
        Client Settlements, refreshed when the request commits (here: when the
        test cursor commits, which runs the post-commit hooks as a real
        commit does), shows 9,000 paid right after, not the 0 computed
        before."""
        accountant = new_test_user(
            self.env,
            login="sputnik_acceptance_accountant",
            name="Acceptance Accountant",
            lang="en_US",
            groups="base.group_user,account.group_account_invoice",
        )
        self.env.company.write(
            {"sputnik_deposit_percent": 30.0, "sputnik_balance_days": 30}
        )
        departure = make_departure(self.env, make_tour(self.env, name="Settled Tour"))
        buy_seats(self.env, departure, 2)
        client = self.env["res.partner"].create(
            {"name": "Settled Client", "customer_rank": 1}
        )
        add_passport(self.env, client, "FP7770000", self.today + relativedelta(years=3))
        booking = make_booking(self.env, departure, client)
        confirm(booking)
        deposit = booking.invoice_ids
        self.assertEqual(deposit.mapped("amount_total"), [9000.0])
        Settlement = self.env["sputnik.client.settlement"]
        Settlement._sputnik_refresh()
        row = Settlement.search([("partner_id", "=", client.id)])
        self.assertEqual((row.amount_paid, row.amount_due), (0.0, 9000.0))

        # TestCursor drops the post-commit hooks (the test's transaction never
        # commits): run the money reports' refresh after each commit of a
        # request, as a real commit does
        commit = sql_db.TestCursor.commit

        def commit_and_refresh(cursor):
            hooks = [
                hook
                for hook in cursor.postcommit._funcs
                if "_sputnik_money_changed" in hook.__qualname__
            ]
            commit(cursor)
            for hook in hooks:
                hook()

        with patch.object(sql_db.TestCursor, "commit", commit_and_refresh):
            self.start_tour(
                f"/odoo/account.move/{deposit.id}",
                "sputnik_acceptance_accountant_tour",
                login=accountant.login,
            )
        self.assertIn(deposit.payment_state, ("paid", "in_payment"))

    def test_manager_drills_the_revenue_down_and_downloads_the_workbook(self):
        """The demo manager's dashboard (demo data): the revenue card's figure
        is the grand total of the Bookings Analysis it opens (the same report
        on the same period); the XLSX button's request answers 200."""
        self.start_tour(
            "/odoo/action-sputnik_crm.sputnik_kpi_dashboard_action",
            "sputnik_acceptance_manager_tour",
            login="manager",
        )

    def test_english_agent_books_in_english(self):
        """An agent who reads English books the one departure of the Lisbon
        Acceptance tour from the catalogue for a client with a valid
        passport, and confirms it."""
        agent = self._agent("sputnik_acceptance_english", "en_US")
        tour = make_tour(self.env, name="Lisbon Acceptance", country="base.pt")
        tour.with_context(lang="uk_UA").name = "Лісабон Приймальний"
        departure = make_departure(self.env, tour)
        buy_seats(self.env, departure, 2)
        client = self.env["res.partner"].create(
            {
                "name": "English Acceptance Client",
                "customer_rank": 1,
                "user_id": agent.id,
            }
        )
        add_passport(self.env, client, "FP8880000", self.today + relativedelta(years=3))

        self.start_tour("/odoo", "sputnik_acceptance_english_tour", login=agent.login)

        booking = self.env["sale.order"].search([("partner_id", "=", client.id)])
        self.assertEqual(booking.state, "sale")
        self.assertEqual(booking.sputnik_traveller_ids, client)
        self.assertEqual(booking.order_line.sputnik_departure_id, departure)
