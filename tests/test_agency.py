"""Agency sales: a tour sold as the tour operator's agent, for a commission.

The figures, by hand. The operator pays 10 % and 150.00 per traveller; its
schedule charges 25 % of the price 15 to 30 days before departure, and the
bureau adds its fee of 200.00. Two travellers at 24 000.00 book 48 000.00:

- commission 10 % x 48 000.00 + 2 x 150.00 = 5 100.00, the line's margin;
- net to the operator 48 000.00 - 5 100.00 = 42 900.00, billed by the
  operator at the confirmation (a cost of 21 450.00 a seat);
- the client's 30 % deposit, 14 400.00, paid.

The bureau pays the operator 10 000.00, then the client cancels twenty days
before departure: the client's penalty is 25 % x 48 000.00 + 200.00 =
12 200.00, the operator's charge 12 000.00 (its schedule, without the
bureau's fee). The operator's 42 900.00 are refunded and its 12 000.00
charge billed: due to it 12 000.00, paid 10 000.00, still due 2 000.00. The
client paid 14 400.00: its credit note (14 400.00) pays the penalty
(12 200.00) and leaves 2 200.00 to give back.
"""

import re

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sputnik_crm.report.sputnik_kpi_dashboard import evaluate

from .common import (
    SputnikCase,
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)


@tagged("post_install", "-at_install")
class TestAgencySale(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 0,
                "sputnik_cancel_fee": 0.0,
            }
        )
        cls.tour = make_tour(cls.env, "Agency Beach Test", price=24000.0)
        cls.operator = cls.tour.sputnik_operator_id
        cls.operator.with_company(cls.company).write(
            {
                "sputnik_sale_mode": "agent",
                "sputnik_commission_percent": 10.0,
                "sputnik_commission_fixed": 150.0,
                "sputnik_operator_bill_mode": "booking",
                "sputnik_cancel_fee": 200.0,
            }
        )
        cls.env["sputnik.penalty.rule"].create(
            [
                {
                    "operator_id": cls.operator.id,
                    "days_from": low,
                    "days_to": high,
                    "percent": percent,
                }
                for low, high, percent in (
                    (31, 0, 10.0),
                    (15, 30, 25.0),
                    (0, 14, 100.0),
                )
            ]
        )
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=20)
        cls.departure.allotment_seats = 6
        cls.today = fields.Date.context_today(cls.departure)
        cls.travellers = make_travellers(cls.env, 2, prefix="Agency")
        cls.accountant = new_test_user(
            cls.env,
            login="sputnik_agency_accountant",
            name="Agency Accountant",
            groups="base.group_user,account.group_account_invoice",
        )

    def book(self, travellers=None, departure=None):
        order = make_booking(
            self.env, departure or self.departure, travellers or self.travellers
        )
        confirm(order.with_user(self.agent))
        return order

    def pay(self, move, amount=None):
        values = {"amount": amount} if amount is not None else {}
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(values)._create_payments()

    def settlement(self, order):
        return self.env["sputnik.operator.settlement"].search(
            [("booking_id", "=", order.id)]
        )

    def test_departure_takes_the_operators_terms(self):
        self.assertEqual(self.departure.sale_mode, "agent")
        self.assertEqual(self.departure.commission_percent, 10.0)
        self.assertEqual(self.departure.commission_fixed, 150.0)
        # a tour's own commission replaces the operator's for new departures
        self.tour.sputnik_commission_percent = 12.0
        other = make_departure(self.env, self.tour, start_in_days=40)
        self.assertEqual(other.commission_percent, 12.0)
        self.assertEqual(other.commission_fixed, 0.0)
        self.assertEqual(self.departure.commission_percent, 10.0)

    def test_quota_is_the_allotment_and_nothing_is_bought(self):
        """6 seats of quota, 2 booked: 4 free; nothing purchased or received."""
        self.assertEqual(self.departure.state, "open")
        order = self.book()
        figures = self.departure._get_seat_figures()[self.departure.id]
        self.assertEqual(
            (
                figures["purchased"],
                figures["on_hand"],
                figures["sold"],
                figures["free"],
            ),
            (0, 6, 2, 4),
        )
        self.assertEqual(self.departure.product_id.qty_available, 0)
        self.assertFalse(
            self.env["purchase.order.line"].search(
                [("product_id", "=", self.departure.product_id.id)]
            )
        )
        self.assertEqual(order.sputnik_status, "confirmed")
        # nothing to buy: sell-through of the quota, 2 of 6 seats
        self.departure.invalidate_recordset()
        self.assertEqual(self.departure.suggested_seats, 0)
        self.assertAlmostEqual(self.departure.sell_through, 100.0 * 2 / 6, places=1)
        with self.assertRaisesRegex(UserError, "agent"):
            buy_seats(self.env, self.departure, 2)
        with self.assertRaisesRegex(UserError, "keeps how it is sold"):
            self.departure.sale_mode = "principal"
        with self.assertRaisesRegex(UserError, "cannot be less"):
            self.departure.allotment_seats = 1
        # five more travellers than the four seats left are refused
        more = make_travellers(self.env, 5, prefix="Agency More")
        with self.assertRaisesRegex(UserError, "4 free seats"):
            self.book(more)

    def test_booking_commission_net_margin_and_operator_bill(self):
        order = self.book()
        line = order.order_line.filtered("sputnik_departure_id")
        self.assertEqual(line.sputnik_sale_mode, "agent")
        self.assertAlmostEqual(order.amount_total, 48000.0, places=2)
        self.assertAlmostEqual(line.sputnik_commission, 5100.0, places=2)
        self.assertAlmostEqual(line.sputnik_operator_net, 42900.0, places=2)
        self.assertAlmostEqual(order.sputnik_commission_total, 5100.0, places=2)
        self.assertAlmostEqual(line.purchase_price, 21450.0, places=2)
        self.assertAlmostEqual(line.margin, 5100.0, places=2)
        bill = line.sputnik_operator_bill_id
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.partner_id, self.operator)
        self.assertAlmostEqual(bill.amount_total, 42900.0, places=2)
        self.assertEqual(bill.invoice_line_ids.sputnik_booking_line_id, line)
        deposit = order.invoice_ids
        self.assertAlmostEqual(deposit.amount_total, 14400.0, places=2)
        self.pay(deposit)
        row = self.settlement(order)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.operator_id, self.operator)
        self.assertEqual(
            [
                round(row[name], 2)
                for name in (
                    "gross",
                    "commission",
                    "net",
                    "collected",
                    "billed",
                    "unbilled",
                    "amount_due",
                    "paid",
                    "amount_open",
                    "amount_overdue",
                )
            ],
            [
                48000.0,
                5100.0,
                42900.0,
                14400.0,
                42900.0,
                0.0,
                42900.0,
                0.0,
                42900.0,
                0.0,
            ],
        )
        self.assertAlmostEqual(row.commission_rate, 10.625, places=3)
        # the bill is not made twice: the line is billed
        billing = self.env["sputnik.operator.billing"]
        self.assertFalse(billing._sputnik_bill_bookings(order))
        self.assertFalse(billing._sputnik_bill_period(operators=self.operator))

    def test_cancellation_refunds_the_operator_less_its_charge(self):
        order = self.book()
        self.pay(order.invoice_ids)
        bill = order.order_line.sputnik_operator_bill_id
        self.pay(bill, 10000.0)
        self.env["sale.order.cancel"].with_user(self.agent).create(
            {"order_id": order.id, "sputnik_cancel_reason": "Illness"}
        ).with_user(self.agent).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertAlmostEqual(order.sputnik_penalty_amount, 12200.0, places=2)
        moves = (
            self.env["account.move.line"]
            .search([("sputnik_booking_line_id.order_id", "=", order.id)])
            .move_id
        )
        refund = moves.filtered(lambda m: m.move_type == "in_refund")
        charge = moves.filtered(lambda m: m.move_type == "in_invoice") - bill
        self.assertAlmostEqual(refund.amount_total, 42900.0, places=2)
        self.assertAlmostEqual(charge.amount_total, 12000.0, places=2)
        # the refund settles the bill's open 32 900.00 and 10 000.00 of the charge
        self.assertEqual(bill.payment_state, "paid")
        self.assertAlmostEqual(refund.amount_residual, 0.0, places=2)
        self.assertAlmostEqual(charge.amount_residual, 2000.0, places=2)
        row = self.settlement(order)
        self.assertEqual(row.booking_state, "cancel")
        self.assertEqual(
            [
                round(row[name], 2)
                for name in (
                    "gross",
                    "commission",
                    "collected",
                    "billed",
                    "amount_due",
                    "paid",
                    "amount_open",
                )
            ],
            [0.0, 0.0, 14400.0, 12000.0, 12000.0, 10000.0, 2000.0],
        )

    def test_period_operator_is_billed_once_for_the_period(self):
        """An operator billing per period: two bookings, one bill of both nets
        (2 x 42 900.00 for two travellers each), made once."""
        self.operator.with_company(self.company).sputnik_operator_bill_mode = "period"
        first = self.book()
        second = self.book(make_travellers(self.env, 2, prefix="Agency Second"))
        self.assertFalse(first.order_line.sputnik_operator_bill_id)
        self.assertAlmostEqual(self.settlement(first).unbilled, 42900.0, places=2)
        with self.assertRaises(AccessError):
            self.operator.with_user(self.agent).action_sputnik_bill_operator()
        action = self.operator.with_user(self.accountant).action_sputnik_bill_operator()
        bill = self.env["account.move"].browse(action["domain"][0][2])
        self.assertEqual(len(bill), 1)
        self.assertAlmostEqual(bill.amount_total, 85800.0, places=2)
        self.assertEqual((first | second).order_line.sputnik_operator_bill_id, bill)
        self.assertAlmostEqual(self.settlement(second).unbilled, 0.0, places=2)
        with self.assertRaisesRegex(UserError, "waits for a bill"):
            self.operator.with_user(self.accountant).action_sputnik_bill_operator()

    def test_principal_booking_beside_it(self):
        """A principal tour: seats bought at 20 000.00 and resold at 30 000.00:
        no commission, no operator bill, not in the operator settlement."""
        tour = make_tour(self.env, "Principal Beach Test")
        departure = make_departure(self.env, tour, start_in_days=60)
        self.assertEqual(departure.sale_mode, "principal")
        buy_seats(self.env, departure, 2)
        order = self.book(make_travellers(self.env, 1, prefix="Principal"), departure)
        line = order.order_line.filtered("sputnik_departure_id")
        self.assertEqual(line.sputnik_sale_mode, "principal")
        self.assertEqual(line.sputnik_commission, 0.0)
        self.assertFalse(line.sputnik_operator_bill_id)
        self.assertFalse(order.sputnik_is_agency)
        self.assertFalse(self.settlement(order))

    def test_access_and_values(self):
        order = self.book()
        with self.assertRaises(AccessError):
            self.env["sputnik.operator.settlement"].with_user(self.agent).search([])
        rows = (
            self.env["sputnik.operator.settlement"]
            .with_user(self.accountant)
            .search([("booking_id", "=", order.id)])
        )
        self.assertEqual(len(rows), 1)
        line = order.order_line.filtered("sputnik_departure_id")
        with self.assertRaises(AccessError):
            line.with_user(self.agent).write({"sputnik_operator_bill_id": False})
        with self.assertRaises(AccessError):
            line.with_user(self.agent).write({"sputnik_commission": 0.0})
        with self.assertRaisesRegex(Exception, "between 0 and 100"):
            self.operator.with_company(self.company).sputnik_commission_percent = 120.0
        with self.assertRaisesRegex(Exception, "cannot be negative"):
            self.departure.commission_fixed = -1.0

    def test_reports_count_the_commission_and_the_cancellations(self):
        """One agency booking kept (48 000.00, commission 5 100.00) and one
        cancelled twenty days ahead (penalty 25 % x 48 000.00 + 200.00 =
        12 200.00): the Bookings Analysis and the dashboard's sales count a
        revenue of 48 000.00, a margin and a commission of 5 100.00, one
        booking, one cancellation (a rate of 1 / 2 = 50 %) and 12 200.00 of
        penalties; the client's classification counts the margin 5 100.00."""
        kept = self.book()
        dropped = self.book(make_travellers(self.env, 2, prefix="Dropped"))
        self.env["sale.order.cancel"].create(
            {"order_id": dropped.id, "sputnik_cancel_reason": "Illness"}
        ).action_cancel()
        self.env["sputnik.booking.report"]._sputnik_refresh()
        dashboard = self.env["sputnik.kpi.dashboard"]
        measures = [
            "revenue",
            "margin",
            "commission",
            "booking_count",
            "cancelled_count",
            "penalty",
        ]
        sums = dashboard._period_sums(
            "sputnik.booking.report",
            "date",
            measures,
            {"current": (self.today - relativedelta(days=1), self.today)},
            domain=[("order_id", "in", (kept | dropped).ids)],
        )["current"]
        self.assertEqual(
            [round(sums[name], 2) for name in measures],
            [48000.0, 5100.0, 5100.0, 1, 1, 12200.0],
        )
        self.assertEqual(
            evaluate(
                ("cancelled_count", ["booking_count", "cancelled_count"], 100.0), sums
            ),
            50.0,
        )
        client = kept.partner_id
        client._sputnik_classify(source="booking")
        self.assertEqual(client.sputnik_margin_total, 5100.0)

    def test_contract_states_the_penalty_schedule(self):
        """The contract of an agency booking prints its operator's schedule
        (31 days and more 10 %, 15 - 30 days 25 %, 0 - 14 days 100 %) and the
        bureau's fee of 200.00."""
        order = self.book()
        order.partner_id.lang = "en_US"
        html, __ = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            ._render_qweb_html("sputnik_crm.report_booking_contract", order.ids)
        )
        schedule = html.decode().split("o_sputnik_penalty_schedule", 1)[1]
        schedule = " ".join(re.sub(r"<[^>]+>", " ", schedule).split())
        for text in (
            "31 and more",
            "10 % of the price",
            "15 – 30",
            "25 % of the price",
        ):
            self.assertIn(text, schedule)
        self.assertIn("cancellation fee of", schedule)
        self.assertIn("200,00", schedule.replace(".", ","))

    def test_statement_states_the_open_bookings(self):
        """Two bookings of 48 000.00 each (commission 5 100.00, net 42 900.00,
        billed); 10 000.00 paid to the operator on the first: the statement
        totals 96 000.00 gross, 85 800.00 billed, 10 000.00 paid and 75 800.00
        still due to the operator."""
        first = self.book()
        second = self.book(make_travellers(self.env, 2, prefix="Statement"))
        self.pay(first.order_line.sputnik_operator_bill_id, 10000.0)
        # the statement is printed in the operator's language: English here
        self.operator.lang = "en_US"
        report = self.env["ir.actions.report"].with_user(self.accountant)
        html, __ = report._render_qweb_html(
            "sputnik_crm.report_operator_statement", self.operator.ids
        )
        html = html.decode()
        for name in (first.name, second.name):
            self.assertIn(name, html)
        for amount in ("96", "85", "75"):
            self.assertIn(amount, html)
        values = (
            self.env["report.sputnik_crm.report_operator_statement"]
            .with_user(self.accountant)
            ._get_report_values(self.operator.ids)
        )
        totals = values["statements"][self.operator.id]["totals"]
        self.assertEqual(
            [
                round(totals[name], 2)
                for name in ("gross", "billed", "paid", "amount_open")
            ],
            [96000.0, 85800.0, 10000.0, 75800.0],
        )
        self.assertIn("owes the tour operator", html)
        with self.assertRaises(AccessError):
            report.with_user(self.agent)._render_qweb_html(
                "sputnik_crm.report_operator_statement", self.operator.ids
            )


@tagged("post_install", "-at_install")
class TestAgencyDemo(SputnikCase):
    def test_demo_agency_bookings(self):
        """The demo's agency operator pays 10 % and 450.00 a traveller (10.00
        EUR at the demo's 45.00 a euro); its tour costs 1 300.00 EUR. Its
        booking of one traveller: commission 130.00 + 10.00 = 140.00 EUR, net
        1 160.00 EUR billed; in the company's currency 58 500.00, 6 300.00 and
        52 200.00. Its booking cancelled twenty days ahead, paid in full: the
        operator charges 25 % (325.00 EUR, 14 625.00) and the bureau adds its
        fee of 500.00 (11.11 EUR), a penalty of 336.11 EUR."""
        operator = self.env.ref("sputnik_crm.res_partner_op_agency_demo")
        rows = self.env["sputnik.operator.settlement"].search(
            [("operator_id", "=", operator.id)]
        )
        confirmed = rows.filtered(lambda r: r.booking_state == "sale")
        cancelled = rows.filtered(lambda r: r.booking_state == "cancel")
        self.assertEqual((len(confirmed), len(cancelled)), (1, 1))
        self.assertEqual(confirmed.booking_id.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(confirmed.booking_id.margin, 140.0)
        self.assertEqual(
            [confirmed.gross, confirmed.commission, confirmed.billed],
            [58500.0, 6300.0, 52200.0],
        )
        self.assertEqual(cancelled.booking_id.sputnik_penalty_amount, 336.11)
        self.assertEqual(
            [cancelled.collected, cancelled.billed, cancelled.amount_open],
            [58500.0, 14625.0, 14625.0],
        )
