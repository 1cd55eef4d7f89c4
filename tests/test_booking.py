from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import (
    SputnikCase,
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
    run_booking_invoicing,
)


@tagged("post_install", "-at_install")
class TestBookingFlow(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 21,
                "sputnik_passport_months": 6,
            }
        )
        cls.tour = make_tour(cls.env)
        cls.departure = make_departure(cls.env, cls.tour)
        cls.allotment = buy_seats(cls.env, cls.departure, 5)
        cls.travellers = make_travellers(cls.env, 2)

    def seats(self, departure=None):
        return (departure or self.departure)._get_seat_figures()[
            (departure or self.departure).id
        ]

    @contextmanager
    def assertUserError(self, pattern):
        """assertRaises rolls back to a savepoint (assertRaisesRegex does not)."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def pay(self, invoice, date=None):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": date or fields.Date.today()})._create_payments()

    # --- catalogue and stock -------------------------------------------------
    def test_departure_is_a_storable_variant_of_its_tour(self):
        other = make_departure(self.env, self.tour, start_in_days=90)
        self.assertEqual(self.departure.product_id.product_tmpl_id, self.tour)
        self.assertNotEqual(other.product_id, self.departure.product_id)
        self.assertTrue(self.departure.product_id.is_storable)
        self.assertEqual(len(self.tour.product_variant_ids), 2)
        self.assertTrue(self.departure.is_abroad)
        self.assertEqual(self.departure.nights, 7)
        self.assertEqual(other.state, "planned")

    def test_allotment_receipt_puts_seats_on_hand_at_net_price(self):
        departure = make_departure(self.env, self.tour, start_in_days=120)
        order = buy_seats(self.env, departure, 8, net_price=18000.0, receive=False)
        self.assertEqual(self.seats(departure)["purchased"], 8)
        self.assertEqual(self.seats(departure)["on_hand"], 0)
        self.assertEqual(departure.state, "planned")
        receipt = order.picking_ids
        receipt.move_ids.quantity = 8
        receipt.button_validate()
        self.assertEqual(self.seats(departure)["on_hand"], 8)
        self.assertEqual(self.seats(departure)["free"], 8)
        self.assertEqual(departure.state, "open")
        self.assertEqual(departure.product_id.standard_price, 18000.0)
        self.assertEqual(departure.product_id.qty_available, 8)
        # the operator's bill comes from the allotment purchase order
        order.action_create_invoice()
        bill = order.invoice_ids
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.partner_id, self.tour.sputnik_operator_id)
        self.assertEqual(bill.amount_total, 8 * 18000.0)

    def test_buy_the_rest_of_the_allotment(self):
        self.assertEqual(self.departure.allotment_seats, 10)
        action = self.departure.action_buy_seats()
        order = self.env["purchase.order"].browse(action["res_id"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.tour.sputnik_operator_id)
        self.assertEqual(order.order_line.product_id, self.departure.product_id)
        self.assertEqual(order.order_line.product_qty, 5)
        order.button_confirm()
        with self.assertUserError("already bought"):
            self.departure.action_buy_seats()

    def test_invalid_departure_dates(self):
        today = fields.Date.today()
        with self.assertRaises(ValidationError):
            self.env["sputnik.departure"].create(
                {
                    "tour_id": self.tour.id,
                    "date_start": today + relativedelta(days=10),
                    "date_end": today + relativedelta(days=5),
                }
            )
        with self.assertRaises(ValidationError):
            self.departure.release_date = self.departure.date_start + relativedelta(
                days=1
            )

    # --- the whole flow ------------------------------------------------------
    def test_whole_flow(self):
        order = make_booking(self.env, self.departure, self.travellers)
        self.assertTrue(order.sputnik_is_booking)
        self.assertEqual(order.order_line.sputnik_departure_id, self.departure)
        self.assertFalse(order.sputnik_passport_issues)
        self.assertEqual(order.sputnik_status, "quotation")
        self.assertEqual(order.amount_total, 60000.0)

        confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.sputnik_status, "confirmed")
        self.assertEqual(self.seats()["reserved"], 2)
        self.assertEqual(self.seats()["free"], 3)
        self.assertEqual(order.picking_ids.move_ids.quantity, 2)
        # margin: sale price minus the operator's net cost of the seats
        self.assertEqual(order.order_line[0].purchase_price, 20000.0)
        self.assertEqual(order.margin, 20000.0)

        deposit = order.invoice_ids
        self.assertEqual(len(deposit), 1)
        self.assertEqual(deposit.state, "posted")
        self.assertAlmostEqual(deposit.amount_total, 18000.0)
        self.assertEqual(order.sputnik_payment_status, "due")
        self.pay(deposit)
        self.assertIn(deposit.payment_state, ("paid", "in_payment"))

        balance_due = self.departure.date_start - relativedelta(days=21)
        self.assertEqual(order.sputnik_balance_due_date, balance_due)
        order.action_sputnik_invoice_balance()
        balance = order.invoice_ids - deposit
        self.assertEqual(balance.state, "posted")
        self.assertAlmostEqual(balance.amount_total, 42000.0)
        self.assertEqual(balance.invoice_date_due, balance_due)
        self.pay(balance)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.sputnik_status, "paid")
        self.assertEqual(order.sputnik_payment_status, "paid")

        order.action_sputnik_issue_documents()
        self.assertEqual(order.sputnik_status, "documents")

        with freeze_time(self.departure.date_start + relativedelta(days=1)):
            self.env["sputnik.departure"]._cron_refresh_departures()
            self.env["sale.order"]._cron_sputnik_bookings()
            self.assertEqual(self.departure.state, "departed")
            self.assertEqual(order.sputnik_status, "travelling")

        with freeze_time(self.departure.date_end + relativedelta(days=1)):
            self.env["sputnik.departure"]._cron_refresh_departures()
            self.env["sale.order"]._cron_sputnik_bookings()
            self.assertEqual(self.departure.state, "done")
            self.assertEqual(order.sputnik_status, "completed")
            self.assertEqual(order.picking_ids.state, "done")
            self.assertEqual(self.seats()["on_hand"], 3)
            self.assertEqual(self.seats()["reserved"], 0)

    def test_balance_cron_invoices_what_falls_due(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        due = order.sputnik_balance_due_date
        with freeze_time(due - relativedelta(days=10)):
            self.env["sale.order"]._cron_sputnik_bookings()
            self.assertEqual(len(order.invoice_ids), 1, "not yet: due in 10 days")
        with freeze_time(due - relativedelta(days=5)):
            self.env["sale.order"]._cron_sputnik_bookings()
            self.assertEqual(len(order.invoice_ids), 2)
            self.assertEqual(order.invoice_status, "invoiced")
        with freeze_time(due + relativedelta(days=1)):
            self.assertEqual(order.sputnik_payment_status, "overdue")
            overdue = self.env["sale.order"].search(
                [("sputnik_payment_status", "=", "overdue")]
            )
            self.assertIn(order, overdue)
            self.assertEqual(order.partner_id.sputnik_overdue_booking_count, 1)
            self.departure.invalidate_recordset()
            self.assertEqual(self.departure.overdue_booking_count, 1)

    def test_booked_inside_the_balance_window_owes_it_now(self):
        """Departure in 20 days, balance due 21 days before it: the balance is
        due on the day of the booking, the whole price is invoiced at once
        (due today), and the booking is not overdue."""
        soon = make_departure(self.env, self.tour, start_in_days=20)
        buy_seats(self.env, soon, 2)
        order = make_booking(self.env, soon, self.travellers)
        confirm(order)
        today = fields.Date.context_today(order)
        self.assertEqual(order.sputnik_balance_due_date, today)
        self.assertEqual(len(order.invoice_ids), 1)
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_total, order.amount_total, places=2)
        self.assertEqual(invoice.invoice_date_due, today)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.sputnik_payment_status, "due")
        self.assertEqual(order.sputnik_amount_overdue, 0)
        with freeze_time(today + relativedelta(days=1)):
            order.invalidate_recordset(["sputnik_payment_status"])
            self.assertEqual(order.sputnik_payment_status, "overdue")

    def test_cancel_before_deposit_is_paid(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        deposit = order.invoice_ids
        order._action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.sputnik_status, "cancelled")
        self.assertEqual(self.seats()["reserved"], 0)
        self.assertEqual(self.seats()["free"], 5)
        self.assertEqual(deposit.payment_state, "reversed")
        credit = deposit.reversal_move_ids
        self.assertEqual(credit.move_type, "out_refund")
        self.assertEqual(credit.state, "posted")
        self.assertEqual(credit.amount_total, deposit.amount_total)

    def test_cancel_after_deposit_is_paid(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        deposit = order.invoice_ids
        self.pay(deposit)
        order._action_cancel()
        run_booking_invoicing(order)
        credit = deposit.reversal_move_ids
        self.assertEqual(credit.state, "posted")
        self.assertEqual(credit.move_type, "out_refund")
        # the paid deposit stays paid; the client holds a credit to be refunded
        self.assertIn(deposit.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(credit.amount_residual, deposit.amount_total)
        self.assertEqual(self.seats()["free"], 5)

    # --- seats ---------------------------------------------------------------
    def test_overbooking_refused(self):
        four = make_travellers(self.env, 4, prefix="Four")
        confirm(make_booking(self.env, self.departure, four))
        self.assertEqual(self.seats()["free"], 1)
        order = make_booking(self.env, self.departure, self.travellers)
        with self.assertUserError("has 1 free seats: 2 cannot be booked"):
            confirm(order)

    def test_raising_a_confirmed_quantity_takes_seats_too(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        line = order.order_line[0]
        more = make_travellers(self.env, 4, prefix="More")
        with self.assertUserError("has 3 free seats: 4 cannot be booked"):
            order.write(
                {
                    "sputnik_traveller_ids": [Command.link(t.id) for t in more],
                    "order_line": [Command.update(line.id, {"product_uom_qty": 6})],
                }
            )
        order.write(
            {
                "sputnik_traveller_ids": [Command.link(t.id) for t in more[:3]],
                "order_line": [Command.update(line.id, {"product_uom_qty": 5})],
            }
        )
        self.assertEqual(self.seats()["reserved"], 5)
        self.assertEqual(self.seats()["free"], 0)
        self.assertEqual(self.departure.state, "sold_out")
        # a confirmed booking keeps one traveller per seat
        with self.assertRaises(UserError):
            order.sputnik_traveller_ids = [Command.unlink(more[0].id)]

    def test_sold_out_then_freed(self):
        five = make_travellers(self.env, 5, prefix="Five")
        order = make_booking(self.env, self.departure, five)
        confirm(order)
        self.assertEqual(self.departure.state, "sold_out")
        order._action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(self.departure.state, "open")

    def test_closed_departure_takes_no_booking(self):
        self.departure.action_close()
        order = make_booking(self.env, self.departure, self.travellers)
        with self.assertUserError("takes no booking"):
            confirm(order)
        self.departure.action_open()
        confirm(order)
        with self.assertUserError("confirmed bookings"):
            self.departure.action_cancel()

    def test_waitlist_reoffers_freed_seats(self):
        five = make_travellers(self.env, 5, prefix="Five")
        order = make_booking(self.env, self.departure, five[:3])
        confirm(order)
        confirm(make_booking(self.env, self.departure, five[3:]))
        Waitlist = self.env["sputnik.waitlist"]
        first = Waitlist.create(
            {
                "departure_id": self.departure.id,
                "partner_id": self.client.id,
                "seats": 2,
            }
        )
        second = Waitlist.create(
            {
                "departure_id": self.departure.id,
                "partner_id": self.travellers[0].id,
                "seats": 1,
                "user_id": self.agent.id,
            }
        )
        self.assertEqual(self.departure.waitlist_count, 2)
        order._action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(first.state, "offered")
        self.assertEqual(second.state, "waiting")
        activity = first.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, first.user_id)
        self.assertIn(self.departure.name, activity.summary)
        self.assertFalse(second.activity_ids)

    def test_line_books_the_departure_of_its_product(self):
        other = make_departure(self.env, self.tour, start_in_days=90)
        order = make_booking(self.env, self.departure, self.travellers)
        with self.assertRaises(ValidationError):
            order.order_line.sputnik_departure_id = other
        with self.assertRaises(ValidationError):
            order.order_line.sputnik_departure_id = False
        with self.assertRaises(ValidationError):
            order.order_line.product_uom = self.env.ref("uom.product_uom_dozen")

    def test_unreserved_delivery_still_holds_its_seats(self):
        five = make_travellers(self.env, 5, prefix="Five")
        confirm(make_booking(self.env, self.departure, five))
        delivery = self.departure.booking_line_ids.order_id.picking_ids
        delivery.do_unreserve()
        self.assertEqual(self.seats()["free"], 0)
        self.assertEqual(self.seats()["stock_reserved"], 0)
        with self.assertUserError("has 0 free seats"):
            confirm(make_booking(self.env, self.departure, self.travellers))

    def test_started_trip_cannot_be_cancelled(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        with freeze_time(self.departure.date_start):
            with self.assertUserError("the trip has begun"):
                order._action_cancel()
        self.assertEqual(order.state, "sale")

    def test_shared_invoice_is_not_credited_whole(self):
        self.company.sputnik_deposit_percent = 0
        customer = self.env["res.partner"].create({"name": "Family Payer"})
        first = make_booking(self.env, self.departure, self.travellers[:1], customer)
        second = make_booking(self.env, self.departure, self.travellers[1:], customer)
        confirm(first | second)
        invoice = (first | second)._create_invoices()
        invoice.action_post()
        self.assertEqual(len(invoice), 1)
        first._action_cancel()
        run_booking_invoicing(first)
        self.assertFalse(invoice.reversal_move_ids)
        self.assertIn(invoice.name, first.message_ids[0].body)
        self.assertEqual(second.state, "sale")

    def test_closed_departure_completes_after_return(self):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        self.departure.action_close()
        with freeze_time(self.departure.date_end + relativedelta(days=1)):
            self.env["sputnik.departure"]._cron_refresh_departures()
            self.assertEqual(self.departure.state, "done")
            self.assertEqual(order.picking_ids.state, "done")

    def test_departure_dates_are_frozen_by_bookings(self):
        confirm(make_booking(self.env, self.departure, self.travellers))
        with self.assertUserError("cannot change its dates"):
            self.departure.with_user(self.manager).date_start -= relativedelta(days=1)

    def test_agent_cannot_force_a_departure(self):
        departure = self.departure.with_user(self.agent)
        with self.assertRaises(AccessError):
            departure.write({"state": "open"})
        with self.assertRaises(AccessError):
            departure.write({"product_id": self.product.id})
        with self.assertRaises(AccessError):
            departure.action_cancel()
        departure.action_close()
        self.assertEqual(self.departure.state, "closed")

    # --- travellers and passports ------------------------------------------
    def test_travellers_match_seats(self):
        order = make_booking(self.env, self.departure, self.travellers, seats=3)
        with self.assertUserError("2 travellers for 3 seats"):
            confirm(order)
        self.assertEqual(order.state, "draft")

    def test_passport_rule(self):
        today = fields.Date.today()
        late = make_travellers(self.env, 1, prefix="Late")
        # valid 3 months after the return: the rule asks 6
        late.sputnik_travel_document_ids.expiry_date = (
            self.departure.date_end + relativedelta(months=3)
        )
        nothing = self.env["res.partner"].create({"name": "No Passport"})
        order = make_booking(self.env, self.departure, late | nothing)
        issues = order.sputnik_passport_issues
        self.assertIn("Late 0", issues)
        self.assertIn("No Passport", issues)
        with self.assertUserError("cannot be confirmed"):
            confirm(order)
        self.assertEqual(order.state, "draft")

        # an agent may not override the rule
        wizard = (
            self.env["sputnik.passport.override"]
            .with_user(self.manager)
            .create({"order_id": order.id, "reason": "Urgent passport on its way"})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.agent).action_confirm_override()
        with self.assertRaises(AccessError):
            order.with_user(self.agent).write(
                {"sputnik_passport_override_reason": "I say so"}
            )
        # a manager overrides it with a reason, logged on the booking
        wizard.action_confirm_override()
        self.assertEqual(
            order.sputnik_passport_override_reason, "Urgent passport on its way"
        )
        self.assertEqual(order.sputnik_passport_override_uid, self.manager)
        self.assertIn("Urgent passport on its way", order.message_ids[0].body)
        confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertTrue(today)

    def test_override_is_the_managers_and_holds_for_its_travellers(self):
        nobody = self.env["res.partner"].create({"name": "No Passport Either"})
        with self.assertRaises(AccessError):
            self.env(user=self.agent)["sale.order"].create(
                {
                    "partner_id": nobody.id,
                    "sputnik_passport_override_reason": "self-granted",
                    "sputnik_passport_override_uid": self.manager.id,
                }
            )
        order = make_booking(self.env, self.departure, nobody)
        self.env["sputnik.passport.override"].with_user(self.manager).create(
            {"order_id": order.id, "reason": "Passport collected tomorrow"}
        ).action_confirm_override()
        self.assertTrue(order.sputnik_passport_override_reason)
        other = self.env["res.partner"].create({"name": "Swapped Traveller"})
        order.with_user(self.agent).sputnik_traveller_ids = [Command.set(other.ids)]
        self.assertFalse(order.sputnik_passport_override_reason)
        with self.assertUserError("cannot be confirmed"):
            confirm(order)

    def test_domestic_trip_needs_no_foreign_passport(self):
        tour = make_tour(self.env, name="Carpathians Test", country="base.us")
        departure = make_departure(self.env, tour)
        buy_seats(self.env, departure, 2)
        self.assertFalse(departure.is_abroad)
        nobody = self.env["res.partner"].create({"name": "Domestic Traveller"})
        order = make_booking(self.env, departure, nobody)
        self.assertFalse(order.sputnik_passport_issues)
        confirm(order)
        self.assertEqual(order.state, "sale")

    # --- access --------------------------------------------------------------
    def test_agent_books_and_invoices_the_deposit(self):
        env = self.env(user=self.agent)
        order = make_booking(
            env, self.departure.with_env(env), self.travellers.with_env(env)
        )
        confirm(order)
        self.assertEqual(order.user_id, self.agent)
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(self.seats()["reserved"], 2)
        # travel documents are personal data: agents see them, others do not
        self.assertTrue(env["sputnik.travel.document"].search_count([]))
        with self.assertRaises(AccessError):
            self.env(user=self.outsider)["sputnik.travel.document"].search([])
        # departures are catalogue: every employee reads them
        self.assertIn(
            self.departure, self.env(user=self.outsider)["sputnik.departure"].search([])
        )

    def test_settings_validation(self):
        with self.assertRaises(ValidationError):
            self.company.sputnik_deposit_percent = 120
        with self.assertRaises(ValidationError):
            self.company.sputnik_passport_months = -1


@tagged("post_install", "-at_install")
class TestFirstInvoiceAfterConfirmation(SputnikCase):
    """The first invoice of a booking is issued by the invoicing cron just
    after the confirmation's commit, and its credit notes and penalty just
    after its cancellation's, never twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"sputnik_deposit_percent": 30.0, "sputnik_balance_days": 21})
        cls.tour = make_tour(cls.env, price=30000.0)
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=90)
        buy_seats(cls.env, cls.departure, 6)
        cls.cron = cls.env.ref("sputnik_crm.ir_cron_sputnik_booking_invoicing")

    def book(self, count=2):
        env = self.env(user=self.agent)
        travellers = make_travellers(self.env, count, prefix=f"Queue {count}")
        return make_booking(env, self.departure.with_env(env), travellers.with_env(env))

    def triggered(self):
        return self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.cron.id)]
        )

    def test_confirmation_queues_the_deposit_for_the_cron(self):
        order = self.book()
        triggers = self.triggered()
        order.action_confirm()
        # confirmed, seats held, the deposit not invoiced yet, the cron
        # triggered once for the transaction
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.sputnik_invoicing_pending)
        self.assertFalse(order.invoice_ids)
        self.assertEqual(self.triggered(), triggers + 1)
        # the schedule already shows the deposit to come: 30 % of the total
        self.assertEqual(order.sputnik_deposit_amount, order.amount_total * 0.3)
        self.assertFalse(order.sputnik_deposit_invoiced)
        self.cron.method_direct_trigger()
        self.assertFalse(order.sputnik_invoicing_pending)
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(order.invoice_ids.amount_total, order.amount_total * 0.3)
        self.assertTrue(order.sputnik_deposit_invoiced)
        # a second run (a cron run twice, a trigger missed and the minutely
        # run) invoices nothing more
        self.cron.method_direct_trigger()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_inside_the_balance_window_the_whole_price_follows(self):
        soon = make_departure(self.env, self.tour, start_in_days=20)
        buy_seats(self.env, soon, 2)
        travellers = make_travellers(self.env, 1, prefix="Queue Soon")
        order = make_booking(self.env, soon, travellers)
        order.action_confirm()
        # the schedule shows one instalment while its invoice is issued
        self.assertFalse(order.sputnik_deposit_amount)
        self.assertEqual(order.sputnik_balance_amount, order.amount_total)
        self.cron.method_direct_trigger()
        self.assertEqual(order.invoice_ids.amount_total, order.amount_total)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_cancelled_before_the_cron_has_only_its_penalty_invoiced(self):
        self.company.sputnik_cancel_fee = 500.0
        order = self.book()
        order.action_confirm()
        order.with_user(self.agent).with_context(
            disable_cancel_warning=True
        ).action_cancel()
        # the penalty is recorded at once (90 days ahead: the bureau's fee)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.sputnik_penalty_amount, 500.0)
        self.assertTrue(order.sputnik_invoicing_pending)
        self.assertFalse(order.invoice_ids)
        self.cron.method_direct_trigger()
        # no deposit was issued, hence no credit note: the penalty alone
        self.assertFalse(order.sputnik_invoicing_pending)
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.sputnik_penalty_move_id.amount_total, 500.0)
        self.assertEqual(order.sputnik_penalty_move_id.state, "posted")

    def test_cancellation_credits_the_deposit_just_after(self):
        order = self.book()
        confirm(order.with_user(self.agent))
        deposit = order.invoice_ids
        self.assertEqual(deposit.state, "posted")
        order.with_user(self.agent).with_context(
            disable_cancel_warning=True
        ).action_cancel()
        # the unpaid deposit stays until the cron credits it
        self.assertFalse(deposit.reversal_move_ids)
        self.cron.method_direct_trigger()
        self.assertEqual(deposit.reversal_move_ids.state, "posted")
        self.assertEqual(deposit.reversal_move_ids.amount_total, deposit.amount_total)
        self.assertEqual(deposit.payment_state, "reversed")

    def test_reset_to_quotation_settles_the_cancellation_first(self):
        order = self.book()
        confirm(order.with_user(self.agent))
        deposit = order.invoice_ids
        order.with_user(self.agent).with_context(
            disable_cancel_warning=True
        ).action_cancel()
        order.with_user(self.agent).action_draft()
        # credited in the request that reset the booking, before any run
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.sputnik_invoicing_pending)
        self.assertEqual(deposit.payment_state, "reversed")
        # its next confirmation invoices a new deposit, the old one stays
        # credited
        confirm(order.with_user(self.agent))
        deposits = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and not m.reversal_move_ids
        )
        self.assertEqual(len(deposits), 1)
        self.assertNotEqual(deposits, deposit)

    def test_many_bookings_in_one_run_oldest_first(self):
        orders = self.book(1) | self.book(2) | self.book(3)
        for order in orders:
            order.action_confirm()
        done, left = self.env["sputnik.booking.invoicing"]._sputnik_invoice_pending(
            orders, limit=2
        )
        # a run takes at most its batch, the oldest first; the rest waits
        self.assertEqual((done, left), (2, 1))
        self.assertEqual(
            orders.mapped("sputnik_invoicing_pending"), [False, False, True]
        )
        self.cron.method_direct_trigger()
        self.assertEqual(
            [order.invoice_ids.amount_total for order in orders],
            [order.amount_total * 0.3 for order in orders],
        )

    def test_a_booking_that_cannot_be_invoiced_says_so_and_stops_no_other(self):
        failing, other = self.book(1), self.book(2)
        (failing | other).action_confirm()
        Invoicing = type(self.env["sputnik.booking.invoicing"])
        original = Invoicing._sputnik_invoice_deposit

        def deposit(invoicing, orders):
            if failing in orders:
                # as a journal or an account gone missing would
                raise UserError("No sales journal for this booking")
            return original(invoicing, orders)

        self.patch(Invoicing, "_sputnik_invoice_deposit", deposit)
        self.cron.method_direct_trigger()
        self.assertFalse(failing.invoice_ids)
        self.assertFalse(failing.sputnik_invoicing_pending)
        self.assertIn("No sales journal for this booking", failing.message_ids[0].body)
        self.assertEqual(other.invoice_ids.state, "posted")

    def test_the_flag_is_the_systems(self):
        order = self.book()
        with self.assertRaises(AccessError):
            order.with_user(self.agent).write({"sputnik_invoicing_pending": True})
