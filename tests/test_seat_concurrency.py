"""Two agents confirm the last seat at the same moment: exactly one succeeds.

This test needs real, separately committed transactions (Odoo runs them at
REPEATABLE READ), so it does not use TransactionCase's shared test cursor: it
commits its own data, runs two threads with a cursor each, and cleans up the
records that can be removed.
"""

import random
import threading
import time
import uuid

from psycopg2 import IntegrityError, errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .common import buy_seats, make_booking, make_departure, make_tour, make_travellers


@tagged("post_install", "-at_install")
class TestSeatConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            tour = make_tour(env, name=f"Last Seat {tag}")
            departure = make_departure(env, tour)
            buy_seats(env, departure, 3)
            # two seats already sold: one is left
            make_booking(
                env, departure, make_travellers(env, 2, prefix=f"Sold {tag}")
            ).action_confirm()
            first = make_booking(
                env, departure, make_travellers(env, 1, prefix=f"A {tag}")
            )
            second = make_booking(
                env, departure, make_travellers(env, 1, prefix=f"B {tag}")
            )
            self.departure_id = departure.id
            self.order_ids = [first.id, second.id]

    def _confirm(self, order_id, barrier, results):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            order = env["sale.order"].browse(order_id)
            order.name  # noqa: B018 - take the transaction's snapshot now
            barrier.wait(timeout=30)
            try:
                order.action_confirm()
                cr.commit()
                results[order_id] = "confirmed"
            except (UserError, errors.SerializationFailure) as exc:
                cr.rollback()
                results[order_id] = type(exc).__name__

    def test_two_agents_on_the_last_seat(self):
        barrier = threading.Barrier(2)
        results = {}
        threads = [
            threading.Thread(target=self._confirm, args=(oid, barrier, results))
            for oid in self.order_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(any(t.is_alive() for t in threads), "a confirmation hung")

        self.assertEqual(sorted(results), sorted(self.order_ids))
        confirmed = [oid for oid, outcome in results.items() if outcome == "confirmed"]
        self.assertEqual(len(confirmed), 1, results)
        loser = next(oid for oid in self.order_ids if oid not in confirmed)
        # the loser either saw the seat gone, or collided and is retried: as Odoo
        # retries a request that hit a serialization failure, retry it here
        self.assertIn(results[loser], ("UserError", "SerializationFailure"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            with self.assertRaises(UserError) as caught:
                env["sale.order"].browse(loser).action_confirm()
            cr.rollback()
            self.assertIn("has 0 free seats", str(caught.exception))

            departure = env["sputnik.departure"].browse(self.departure_id)
            seats = departure._get_seat_figures()[departure.id]
            self.assertEqual(seats["sold"], 3)
            self.assertEqual(seats["reserved"], 3)
            self.assertEqual(seats["free"], 0)
            self.assertEqual(departure.state, "sold_out")
            orders = env["sale.order"].browse(self.order_ids)
            self.assertEqual(sorted(orders.mapped("state")), ["draft", "sale"])


def _retrying(registry, func, tries=30):
    """Run ``func(env)`` in a cursor of its own and commit, replaying it on a
    serialization failure as Odoo replays a request; return the outcome."""
    for _attempt in range(tries):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            try:
                func(env)
                cr.commit()
                return "done"
            except UserError:
                cr.rollback()
                return "UserError"
            except IntegrityError:
                # two requests on the same record (both subscribe the client to
                # the booking): Odoo answers the second with a ValidationError
                cr.rollback()
                return "IntegrityError"
            except (
                errors.SerializationFailure,
                errors.DeadlockDetected,
                errors.LockNotAvailable,
            ):
                # replayed by Odoo (odoo.service.model.retrying)
                cr.rollback()
        time.sleep(random.uniform(0.05, 0.3))
    return "SerializationFailure"


def in_threads(test, jobs, timeout=600):
    """Run the callables ``jobs`` in threads of their own, started at the
    same moment (a barrier); return their results, in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def work(index, job):
        barrier.wait(timeout=60)
        results[index] = job()

    threads = [
        threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    test.assertFalse(any(t.is_alive() for t in threads), "a request hung")
    return results


@tagged("post_install", "-at_install")
class TestSeatChurn(BaseCase):
    """Many agents at once on one departure: the seats add up afterwards."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]

    def _departure(self, env, seats):
        tour = make_tour(env, name=f"Churn {self.tag}")
        departure = make_departure(env, tour)
        buy_seats(env, departure, seats)
        return departure

    def _run(self, jobs):
        return in_threads(
            self, [lambda func=func: _retrying(self.registry, func) for func in jobs]
        )

    def _assert_seats_add_up(self, departure_id, sold):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            departure = env["sputnik.departure"].browse(departure_id)
            seats = departure._get_seat_figures()[departure_id]
            self.assertEqual(seats["sold"], sold, seats)
            self.assertEqual(seats["reserved"], sold, seats)
            self.assertEqual(seats["stock_reserved"], 0, seats)
            self.assertEqual(seats["free"], seats["on_hand"] - sold, seats)
            self.assertEqual(departure._sputnik_seat_problems(), {})

    def test_twenty_agents_on_five_seats(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            departure = self._departure(env, 5)
            order_ids = [
                make_booking(
                    env, departure, make_travellers(env, 1, prefix=f"R{i} {self.tag}")
                ).id
                for i in range(20)
            ]
            departure_id = departure.id

        def confirm(order_id):
            return lambda env: env["sale.order"].browse(order_id).action_confirm()

        results = self._run([confirm(order_id) for order_id in order_ids])
        self.assertEqual(results.count("done"), 5, results)
        self.assertEqual(results.count("UserError"), 15, results)
        self._assert_seats_add_up(departure_id, 5)

    def test_cancellations_while_others_confirm(self):
        """10 of 20 seats sold; their 10 bookings are cancelled while 10 other
        clients confirm a seat each: 10 sold, held and reserved, 10 free."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            departure = self._departure(env, 20)
            sold = [
                make_booking(
                    env, departure, make_travellers(env, 1, prefix=f"S{i} {self.tag}")
                )
                for i in range(10)
            ]
            for order in sold:
                order.action_confirm()
            new = [
                make_booking(
                    env, departure, make_travellers(env, 1, prefix=f"N{i} {self.tag}")
                ).id
                for i in range(10)
            ]
            sold_ids = [order.id for order in sold]
            departure_id = departure.id

        def cancel(order_id):
            return lambda env: env["sale.order"].browse(order_id)._action_cancel()

        def confirm(order_id):
            return lambda env: env["sale.order"].browse(order_id).action_confirm()

        jobs = [cancel(i) for i in sold_ids] + [confirm(i) for i in new]
        results = self._run(jobs)
        self.assertEqual(results, ["done"] * 20)
        self._assert_seats_add_up(departure_id, 10)

    def test_random_churn_on_two_departures(self):
        """Four agents at once, 40 operations seeded at random on two
        departures of 8 seats: confirm, cancel, change the seats of a
        confirmed booking with its travellers, each its own request.
        Afterwards the seats of both add up to what the confirmed bookings
        hold, and no request ended in a database error."""
        rng = random.Random(1509)
        companions = {}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            departure_ids = [self._departure(env, 8).id for _ in range(2)]
            for i in range(12):
                departure = env["sputnik.departure"].browse(departure_ids[i % 2])
                travellers = make_travellers(env, 3, prefix=f"C{i} {self.tag}")
                order = make_booking(env, departure, travellers[:1], seats=1)
                companions[order.id] = travellers[1:].ids

        def operation(kind, order_id, seats):
            def run(env):
                order = env["sale.order"].browse(order_id)
                if kind == "confirm" and order.state == "draft":
                    order.action_confirm()
                elif kind == "cancel" and order.state == "sale":
                    order._action_cancel()
                elif kind == "seats" and order.state == "sale":
                    travellers = order.sputnik_traveller_ids[:1].ids
                    travellers += companions[order_id][: seats - 1]
                    order.write(
                        {
                            "sputnik_traveller_ids": [Command.set(travellers)],
                            "order_line": [
                                Command.update(
                                    order.order_line[:1].id,
                                    {"product_uom_qty": seats},
                                )
                            ],
                        }
                    )

            return run

        jobs = [
            operation(
                rng.choice(("confirm", "confirm", "cancel", "seats")),
                rng.choice(sorted(companions)),
                rng.randint(1, 3),
            )
            for _ in range(40)
        ]

        def agent(share):
            # an agent's requests, one after the other, each its own transaction
            def run(env):
                outcomes = [_retrying(self.registry, job) for job in share]
                if "SerializationFailure" in outcomes:
                    raise AssertionError(outcomes)

            return run

        results = self._run([agent(jobs[i::4]) for i in range(4)])
        self.assertEqual(results, ["done"] * 4, results)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for departure_id in departure_ids:
                departure = env["sputnik.departure"].browse(departure_id)
                seats = departure._get_seat_figures()[departure_id]
                held = sum(
                    env["sale.order.line"]
                    .search(
                        [
                            ("sputnik_departure_id", "=", departure_id),
                            ("state", "=", "sale"),
                        ]
                    )
                    .mapped("product_uom_qty")
                )
                self.assertGreater(held, 0)
                self.assertEqual(seats["reserved"], held, seats)
                self.assertLessEqual(held, seats["on_hand"], seats)
                self.assertEqual(seats["free"], seats["on_hand"] - held, seats)
                self.assertEqual(departure._sputnik_seat_problems(), {})

    def _two_requests(self, seats):
        """A departure of ``seats`` seats committed, and two bookings of one
        seat each on it: {order ids}."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            departure = self._departure(env, seats)
            orders = [
                make_booking(
                    env, departure, make_travellers(env, 1, prefix=f"{n} {self.tag}")
                ).id
                for n in ("First", "Second")
            ]
            return departure.id, orders

    def _confirm_committed(self, order_id):
        """Confirm the booking in a request of its own, committed."""
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["sale.order"].browse(
                order_id
            ).action_confirm()

    def _departure_now(self, departure_id):
        """The departure's state and free seats as committed now."""
        with self.registry.cursor() as cr:
            departure = api.Environment(cr, SUPERUSER_ID, {})[
                "sputnik.departure"
            ].browse(departure_id)
            return departure.state, departure.seats_free

    def test_a_running_confirmation_holds_its_seat(self):
        """One seat: while the first request's confirmation is still running
        (not committed), the second is refused at once with the clear
        message, without waiting for the first one; after the first rolls
        back, the seat is free for the second."""
        departure_id, (first_id, second_id) = self._two_requests(1)
        with self.registry.cursor() as first, self.registry.cursor() as second:
            first_env = api.Environment(first, SUPERUSER_ID, {})
            second_env = api.Environment(second, SUPERUSER_ID, {})
            second_env["sale.order"].browse(second_id).name  # noqa: B018
            first_env["sale.order"].browse(first_id).action_confirm()
            started = time.monotonic()
            with self.assertRaisesRegex(UserError, "has 0 free seats: 1 cannot"):
                second_env["sale.order"].browse(second_id).action_confirm()
            self.assertLess(time.monotonic() - started, 5)
            second.rollback()
            first.rollback()
            # the first request gave up: its seat is free again
            second_env["sale.order"].browse(second_id).action_confirm()
            second.commit()
        self._assert_seats_add_up(departure_id, 1)

    def test_a_confirmation_committed_after_my_snapshot_counts(self):
        """One seat: the second request took its snapshot before the first
        confirmed and committed; it cannot see that booking, but the seat
        decision does and refuses."""
        departure_id, (first_id, second_id) = self._two_requests(1)
        with self.registry.cursor() as second:
            second_env = api.Environment(second, SUPERUSER_ID, {})
            order = second_env["sale.order"].browse(second_id)
            order.name  # noqa: B018 - the request's snapshot
            self._confirm_committed(first_id)
            with self.assertRaisesRegex(UserError, "has 0 free seats: 1 cannot"):
                order.action_confirm()
            second.rollback()
        self._assert_seats_add_up(departure_id, 1)

    def test_the_state_follows_the_committed_seats(self):
        """Two seats, one sold. A request that took its snapshot earlier
        cancels that booking while another one confirms the last seat and
        commits first: neither sees the other's change, yet once both have
        committed the departure is open with one seat free, not sold out."""
        departure_id, (first_id, second_id) = self._two_requests(2)
        self._confirm_committed(first_id)
        with self.registry.cursor() as cancelling:
            env = api.Environment(cancelling, SUPERUSER_ID, {})
            order = env["sale.order"].browse(first_id)
            order.name  # noqa: B018 - the request's snapshot
            self._confirm_committed(second_id)
            self.assertEqual(self._departure_now(departure_id), ("sold_out", 0))
            order._action_cancel()
            cancelling.commit()
        self.assertEqual(self._departure_now(departure_id), ("open", 1))
        self._assert_seats_add_up(departure_id, 1)
