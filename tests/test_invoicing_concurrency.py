"""The first invoices of bookings under concurrency: two runs of the invoicing
cron at the same moment, and a cancellation while the cron invoices.

Like test_seat_concurrency, these tests need real, separately committed
transactions: they commit their own data and run threads with a cursor each.
"""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .common import buy_seats, make_booking, make_departure, make_tour, make_travellers
from .test_seat_concurrency import _retrying, in_threads

DEPOSIT_PERCENT = 30.0


@tagged("post_install", "-at_install")
class TestInvoicingConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.company
            percent = company.sputnik_deposit_percent
            company.sputnik_deposit_percent = DEPOSIT_PERCENT
            self.addCleanup(self._set_deposit, company.id, percent)
            tour = make_tour(env, name=f"Invoicing {tag}", price=10000.0)
            departure = make_departure(env, tour, start_in_days=120)
            buy_seats(env, departure, 6)
            orders = env["sale.order"]
            for index in range(3):
                orders |= make_booking(
                    env, departure, make_travellers(env, 1, prefix=f"I{index} {tag}")
                )
            orders.action_confirm()
            self.assertEqual(
                orders.mapped("sputnik_invoicing_pending"), [True, True, True]
            )
            self.order_ids = orders.ids

    def _set_deposit(self, company_id, percent):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(company_id).sputnik_deposit_percent = percent

    def _cron_run(self):
        """One run of the cron, in a cursor of its own, committing each
        booking as the cron does."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids)
            done, _left = env["sputnik.booking.invoicing"]._sputnik_invoice_pending(
                orders, auto_commit=True
            )
            cr.commit()
            return done

    def _deposits(self, env, order):
        """The order's posted deposit invoices not cancelled by a credit note."""
        return order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "posted"
            and not m.reversal_move_ids
        )

    def test_two_runs_at_once_invoice_each_booking_once(self):
        done = in_threads(self, [self._cron_run, self._cron_run])
        # between them, the two runs issued the three invoices, none twice
        self.assertEqual(sum(done), len(self.order_ids), done)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for order in env["sale.order"].browse(self.order_ids):
                self.assertFalse(order.sputnik_invoicing_pending)
                deposits = self._deposits(env, order)
                self.assertEqual(len(deposits), 1, order.name)
                self.assertEqual(
                    deposits.amount_total, order.amount_total * DEPOSIT_PERCENT / 100
                )
        # and a later run finds nothing left
        self.assertEqual(self._cron_run(), 0)

    def test_cancellation_while_the_cron_invoices(self):
        cancelled = self.order_ids[1]

        def cancel():
            # replayed on a conflict, as Odoo replays a request
            return _retrying(
                self.registry,
                lambda env: env["sale.order"]
                .browse(cancelled)
                .with_context(disable_cancel_warning=True)
                .action_cancel(),
            )

        _done, outcome = in_threads(self, [self._cron_run, cancel])
        self.assertEqual(outcome, "done")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids)
            self.assertEqual(orders.mapped("sputnik_invoicing_pending"), [False] * 3)
            order = orders.browse(cancelled)
            self.assertEqual(order.state, "cancel")
            # invoiced before the cancellation (then credited) or not at all:
            # never a deposit left to pay on a cancelled booking
            self.assertFalse(self._deposits(env, order))
            for other in orders - order:
                self.assertEqual(len(self._deposits(env, other)), 1, other.name)
