"""Seats stay exact on every path: the seat engine, its invariant check, and
the confirmation rules that no request can walk around."""

import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    DepartureCase,
    buy_seats,
    make_booking,
    make_departure,
    make_travellers,
)


class SeatCase(DepartureCase):
    _sputnik_tour = "Seat Integrity Tour"


@tagged("post_install", "-at_install")
class TestSeatEngine(SeatCase):
    def test_free_seats_come_from_the_bookings(self):
        """10 on hand; 3 + 2 confirmed, then the 3 cancelled: 2 held, 8 free,
        and a reservation left behind in stock changes nothing of it."""
        first = make_booking(self.env, self.departure, make_travellers(self.env, 3))
        second = make_booking(
            self.env, self.departure, make_travellers(self.env, 2, prefix="Two")
        )
        (first | second).action_confirm()
        self.assertEqual(
            (self.seats()["reserved"], self.seats()["free"]), (5, 5), self.seats()
        )
        first._action_cancel()
        seats = self.seats()
        self.assertEqual((seats["sold"], seats["reserved"], seats["free"]), (2, 2, 8))
        # the bookings hold their seats without reserving them in stock
        self.assertEqual(seats["stock_reserved"], 0)
        self.assertEqual(first.picking_ids.state, "cancel")
        self.assertEqual(second.picking_ids.state, "assigned")
        self.assertFalse(self.departure._sputnik_seat_problems())

        # a reservation that no booking needs (made by hand in stock)
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.departure.product_id.id),
                ("location_id.usage", "=", "internal"),
            ]
        )
        quant.reserved_quantity += 3
        seats = self.seats()
        self.assertEqual((seats["free"], seats["stock_reserved"]), (8, 3))
        problems = self.departure._sputnik_seat_problems()[self.departure]
        self.assertIn("3 seats are reserved in stock", " ".join(problems))

    def test_check_repairs_and_reports(self):
        """The manager's check puts a leaked reservation right, says nothing on
        a healthy departure, and is refused to agents."""
        booking = make_booking(self.env, self.departure, make_travellers(self.env, 2))
        booking.action_confirm()
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.departure.product_id.id),
                ("location_id.usage", "=", "internal"),
            ]
        )
        quant.reserved_quantity += 4
        self.departure.state = "sold_out"  # a state the seats no longer give
        with self.assertRaises(AccessError):
            self.departure.with_user(self.agent).action_check_seats()
        result = self.departure.with_user(self.manager).action_check_seats()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("reservations of 1 were released", result["params"]["message"])
        seats = self.seats()
        self.assertEqual((seats["stock_reserved"], seats["reserved"]), (0, 2))
        self.assertEqual(self.departure.state, "open")
        # what was found and repaired is told on the departure
        note = self.departure.message_ids[0].body
        self.assertIn("4 seats are reserved in stock", note)
        self.assertIn("were released", note)
        # checked again, the healthy departure says nothing more
        messages = len(self.departure.message_ids)
        result = self.departure.with_user(self.manager).action_check_seats()
        self.assertEqual(
            result["params"]["message"], "The seats of 1 departures add up."
        )
        self.assertEqual(len(self.departure.message_ids), messages)

    def test_an_unrepairable_difference_is_posted(self):
        """More seats held than on hand (seats returned to the operator after
        the sale) cannot be repaired: the check says so on the departure."""
        booking = make_booking(self.env, self.departure, make_travellers(self.env, 2))
        booking.action_confirm()
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.departure.product_id.id),
                ("location_id.usage", "=", "internal"),
            ]
        )
        quant.quantity = 1
        result = self.departure.with_user(self.manager).action_check_seats()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn(
            "2 seats are held by confirmed bookings but only 1 are on hand",
            self.departure.message_ids[0].body,
        )

    def _return_to_operator(self, seats):
        """Send ``seats`` of the departure back to the tour operator (Odoo's
        return of the allotment's receipt)."""
        receipt = self.env["stock.picking"].search(
            [
                ("picking_type_code", "=", "incoming"),
                ("move_ids.product_id", "=", self.departure.product_id.id),
            ],
            limit=1,
        )
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=receipt.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = seats
        returned = wizard._create_return()
        returned.move_ids.quantity = seats
        returned.move_ids.picked = True
        returned.button_validate()
        return returned

    def test_seats_go_back_to_the_operator_only_if_no_booking_holds_them(self):
        """10 on hand, 8 booked: 3 cannot go back to the operator (the seat
        engine refuses, nothing is returned); 2 can, and the departure is
        sold out."""
        booking = make_booking(self.env, self.departure, make_travellers(self.env, 8))
        booking.action_confirm()
        with self.assertRaisesRegex(
            UserError, "has 2 seats that no booking holds: 3 cannot go back"
        ):
            with self.env.cr.savepoint():
                self._return_to_operator(3)
        self.assertEqual(self.seats()["on_hand"], 10)
        self._return_to_operator(2)
        seats = self.seats()
        self.assertEqual(
            (seats["on_hand"], seats["reserved"], seats["free"]), (8, 8, 0)
        )
        self.assertEqual(self.departure.state, "sold_out")

    def test_finished_claims_are_purged_daily(self):
        """The daily seat check deletes the claims of requests finished more
        than an hour ago, keeps those of a request still running and the
        recent ones."""
        cr = self.env.cr
        cr.execute("SELECT pg_current_xact_id()::text")
        running = cr.fetchone()[0]
        old = "now() AT TIME ZONE 'UTC' - interval '2 hours'"
        cr.execute(
            "INSERT INTO sputnik_seat_claim (departure_id, seats, xact, create_date) "
            f"VALUES (-1, 1, '3'::xid8, {old}), (-2, 1, %s::xid8, {old}), "
            "(-3, 1, '3'::xid8, now() AT TIME ZONE 'UTC')",
            [running],
        )
        self.env["sputnik.departure"]._cron_check_seats()
        cr.execute(
            "SELECT departure_id FROM sputnik_seat_claim WHERE departure_id < 0 "
            "ORDER BY departure_id"
        )
        self.assertEqual([row[0] for row in cr.fetchall()], [-3, -2])

    def test_whole_seats_never_negative(self):
        booking = make_booking(self.env, self.departure, make_travellers(self.env, 1))
        for qty in (-5, 1.5):
            with self.assertRaises(ValidationError):
                booking.order_line.product_uom_qty = qty

    def test_a_line_added_to_a_confirmed_booking_takes_seats(self):
        other = make_departure(self.env, self.tour, start_in_days=61)
        buy_seats(self.env, other, 1)
        booking = make_booking(self.env, self.departure, make_travellers(self.env, 2))
        booking.action_confirm()
        with self.assertRaises(UserError) as caught:
            booking.order_line = [
                Command.create(
                    {"product_id": other.product_id.id, "product_uom_qty": 2}
                )
            ]
        self.assertIn("has 1 free seats: 2 cannot be booked", str(caught.exception))

    def test_confirmed_bookings_name_a_traveller_per_seat(self):
        """Demo included: no confirmed booking has fewer (or more) travellers
        than the seats it holds on a departure."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT so.name, l.seats, COUNT(t.partner_id)
              FROM sale_order so
              JOIN (SELECT order_id, sputnik_departure_id, SUM(product_uom_qty) seats
                      FROM sale_order_line
                     WHERE sputnik_departure_id IS NOT NULL
                     GROUP BY order_id, sputnik_departure_id) l
                ON l.order_id = so.id
              LEFT JOIN sale_order_sputnik_traveller_rel t ON t.order_id = so.id
             WHERE so.state = 'sale'
             GROUP BY so.id, so.name, l.sputnik_departure_id, l.seats
            HAVING COUNT(t.partner_id) != l.seats
            """
        )
        self.assertEqual(self.env.cr.fetchall(), [])
        self.assertTrue(
            self.env["sale.order"].search_count(
                [("state", "=", "sale"), ("sputnik_is_booking", "=", True)]
            )
        )
        # and the rule holds when the system itself confirms
        order = make_booking(
            self.env, self.departure, make_travellers(self.env, 1), seats=2
        )
        with self.assertRaises(UserError):
            order.write({"state": "sale"})

    def test_the_healthy_demo_base_reports_nothing(self):
        departures = self.env["sputnik.departure"].search(
            [("state", "in", ("planned", "open", "sold_out", "closed"))]
        )
        self.assertTrue(departures)
        self.assertEqual(departures._sputnik_seat_problems(), {})


@tagged("post_install", "-at_install")
class TestSeatRulesOverRpc(HttpCase, SeatCase):
    """An agent tries, through the external API, every way around the rules
    found in the field: each is refused with a clear error, nothing changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_agent = new_test_user(
            cls.env,
            login="seat_rpc_agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.order = make_booking(
            cls.env, cls.departure, make_travellers(cls.env, 11, prefix="Eleven")
        )
        cls.order.user_id = cls.rpc_agent

    def call(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.rpc_agent.id,
            "seat_rpc_agent",
            model,
            method,
            list(args),
            kwargs,
        )

    def assertRefused(self, pattern, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(model, method, *args, **kwargs)
        # the user's clear message, not a server error with its traceback
        self.assertIn(pattern, caught.exception.faultString)
        self.assertNotIn("Traceback", caught.exception.faultString)

    def test_eleven_seats_of_ten_by_any_path(self):
        order = self.order.id
        self.assertRefused(
            "has 10 free seats: 11 cannot be booked",
            "sale.order",
            "action_confirm",
            [order],
            context={"skip_procurement": True},
        )
        self.assertRefused(
            "confirmed with its Confirm button",
            "sale.order",
            "write",
            [order],
            {"state": "sale"},
        )
        self.assertRefused(
            "kept by the system",
            "sale.order",
            "write",
            [order],
            {"sputnik_is_booking": False},
        )
        for field, value in (
            ("sputnik_status", "paid"),
            ("sputnik_balance_due_date", "2030-01-01"),
        ):
            self.assertRefused(
                "kept by the system", "sale.order", "write", [order], {field: value}
            )
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "draft")
        self.assertTrue(self.order.sputnik_is_booking)
        seats = self.seats()
        self.assertEqual((seats["sold"], seats["free"]), (0, 10))

    def test_no_travellers_no_confirmation(self):
        """Two seats, no traveller: the flag toggle no longer hides the rule."""
        order = make_booking(
            self.env, self.departure, make_travellers(self.env, 1), seats=2
        )
        order.user_id = self.rpc_agent
        self.assertRefused(
            "has 1 travellers for 2 seats", "sale.order", "action_confirm", [order.id]
        )

    def test_negative_seats(self):
        line = self.order.order_line.id
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call("sale.order.line", "write", [line], {"product_uom_qty": -5})
        self.assertIn("whole seats", caught.exception.faultString)
        self.assertNotIn("Traceback", caught.exception.faultString)
        self.order.order_line.invalidate_recordset()
        self.assertEqual(self.order.order_line.product_uom_qty, 11)
