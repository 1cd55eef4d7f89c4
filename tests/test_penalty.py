"""Cancellation penalties: the operator's schedule by days before departure,
the bureau's fee, and what a cancelled booking leaves invoiced.

The figures, by hand: two travellers at 24 999.98 make a booking of
49 999.96; its 30 % deposit is 14 999.99 (14 999.988 rounded). Twenty days
before departure the operator's schedule says 25 %: 12 499.99, plus the
bureau's fee of 333.33 for this operator: a penalty of 12 833.32. The paid
deposit is credited in full (14 999.99) and the penalty invoiced; the credit
pays the penalty, and 14 999.99 − 12 833.32 = 2 166.67 goes back to the client.
"""

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

# the operator's schedule: (from, to (0: no limit), percent)
SCHEDULE = ((31, 0, 10.0), (15, 30, 25.0), (7, 14, 50.0), (0, 6, 100.0))


@tagged("post_install", "-at_install")
class TestPenalty(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a deposit only, twenty days ahead: the balance falls due on the day
        # of departure
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 0,
                "sputnik_passport_months": 6,
                "sputnik_cancel_fee": 99.0,
            }
        )
        cls.tour = make_tour(cls.env, "Penalty Beach Test", price=24999.98)
        cls.operator = cls.tour.sputnik_operator_id
        cls.operator.with_company(cls.company).sputnik_cancel_fee = 333.33
        cls.Rule = cls.env["sputnik.penalty.rule"]
        cls.schedule = cls.Rule.create(
            [
                {
                    "operator_id": cls.operator.id,
                    "days_from": low,
                    "days_to": high,
                    "percent": percent,
                }
                for low, high, percent in SCHEDULE
            ]
        )
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=20)
        buy_seats(cls.env, cls.departure, 5)
        cls.travellers = make_travellers(cls.env, 2, prefix="Penalty")

    def pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def booking(self, paid=True):
        order = make_booking(self.env, self.departure, self.travellers)
        confirm(order)
        self.assertAlmostEqual(order.amount_total, 49999.96, places=2)
        deposit = order.invoice_ids
        self.assertAlmostEqual(deposit.amount_total, 14999.99, places=2)
        if paid:
            self.pay(deposit)
        return order, deposit

    def wizard(self, order, user, **values):
        return (
            self.env(user=user)["sale.order.cancel"]
            .create({"order_id": order.id, **values})
            .with_user(user)
        )

    def interaction(self, order):
        return self.env["sputnik.interaction"].search(
            [("event_key", "=", f"booking_cancelled:{order.id}")]
        )

    # --- the schedule --------------------------------------------------------
    def test_schedule_at_each_boundary(self):
        for days, percent in ((400, 10), (31, 10), (30, 25), (15, 25), (14, 50)):
            rule = self.Rule._sputnik_rule_for(self.tour, self.company, days)
            self.assertEqual(rule.percent, percent, f"{days} days")
        for days, percent in ((7, 50), (6, 100), (0, 100)):
            rule = self.Rule._sputnik_rule_for(self.tour, self.company, days)
            self.assertEqual(rule.percent, percent, f"{days} days")

    def test_tour_schedule_replaces_the_operators(self):
        self.Rule.create(
            [
                {"tour_id": self.tour.id, "days_from": 30, "percent": 20.0},
                {
                    "tour_id": self.tour.id,
                    "days_from": 0,
                    "days_to": 29,
                    "penalty_type": "fixed",
                    "amount": 5000.0,
                },
            ]
        )
        self.assertEqual(
            self.Rule._sputnik_rule_for(self.tour, self.company, 31).percent, 20.0
        )
        order, _deposit = self.booking(paid=False)
        terms = order._sputnik_penalty_terms()
        # 5 000.00 of the tour's line and the operator's fee of 333.33
        self.assertEqual(terms["days"], 20)
        self.assertAlmostEqual(terms["penalty"], 5000.0, places=2)
        self.assertAlmostEqual(terms["amount"], 5333.33, places=2)

    def test_no_line_leaves_the_fee(self):
        self.schedule.filtered(lambda r: r.days_from == 15).unlink()
        order, _deposit = self.booking(paid=False)
        terms = order._sputnik_penalty_terms()
        self.assertFalse(terms["rule"])
        self.assertAlmostEqual(terms["amount"], 333.33, places=2)
        # without a fee of its own, the operator's bookings pay the company's
        self.operator.with_company(self.company).sputnik_cancel_fee = 0.0
        self.assertAlmostEqual(order._sputnik_penalty_terms()["amount"], 99.0, places=2)

    # --- cancelling ----------------------------------------------------------
    def test_cancel_20_days_ahead_with_a_paid_deposit(self):
        order, deposit = self.booking()
        wizard = self.wizard(order, self.agent, sputnik_cancel_reason="Illness")
        self.assertTrue(wizard.sputnik_has_penalty)
        self.assertEqual(wizard.sputnik_days, 20)
        self.assertEqual(wizard.sputnik_rule_id.percent, 25.0)
        self.assertAlmostEqual(wizard.sputnik_fee, 333.33, places=2)
        self.assertAlmostEqual(wizard.sputnik_penalty_due, 12833.32, places=2)
        self.assertAlmostEqual(wizard.sputnik_penalty, 12833.32, places=2)
        self.assertAlmostEqual(wizard.sputnik_paid, 14999.99, places=2)
        self.assertAlmostEqual(wizard.sputnik_refund, 2166.67, places=2)
        self.assertEqual(wizard.sputnik_to_pay, 0.0)
        wizard.action_cancel()
        run_booking_invoicing(order)

        self.assertEqual(order.state, "cancel")
        credit = deposit.reversal_move_ids
        self.assertEqual(credit.move_type, "out_refund")
        self.assertEqual(credit.state, "posted")
        self.assertAlmostEqual(credit.amount_total, 14999.99, places=2)
        penalty = order.sputnik_penalty_move_id
        self.assertEqual(penalty.move_type, "out_invoice")
        self.assertEqual(penalty.state, "posted")
        self.assertEqual(penalty.partner_id, order.partner_invoice_id)
        self.assertEqual(penalty.invoice_origin, order.name)
        self.assertAlmostEqual(penalty.amount_total, 12833.32, places=2)
        self.assertFalse(penalty.invoice_line_ids.tax_ids)
        # the credit paid the penalty; the rest is the client's to get back
        self.assertAlmostEqual(penalty.amount_residual, 0.0, places=2)
        self.assertAlmostEqual(credit.amount_residual, 2166.67, places=2)
        self.assertAlmostEqual(order.sputnik_penalty_amount, 12833.32, places=2)
        self.assertEqual(order.sputnik_cancel_reason, "Illness")
        note = self.interaction(order).note
        self.assertIn("Illness", note)
        self.assertIn("12", note)
        self.assertIn("833", note)

    def test_unpaid_deposit_leaves_the_penalty_to_pay(self):
        """A schedule of 50 % at twenty days: 24 999.98 and the fee, 25 333.31,
        more than the unpaid deposit, which its credit note closes."""
        order, deposit = self.booking(paid=False)
        self.schedule.filtered(lambda r: r.days_from == 15).percent = 50.0
        order._action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(deposit.payment_state, "reversed")
        penalty = order.sputnik_penalty_move_id
        self.assertAlmostEqual(penalty.amount_total, 25333.31, places=2)
        self.assertAlmostEqual(penalty.amount_residual, 25333.31, places=2)
        # without the wizard, no reason: the interaction says the penalty
        self.assertIn("25", self.interaction(order).note)

    def test_manager_reduces_the_penalty_with_a_reason(self):
        order, deposit = self.booking()
        wizard = self.wizard(
            order,
            self.manager,
            sputnik_penalty=1000.0,
            sputnik_cancel_reason="Visa refused",
            sputnik_waiver_reason="Loyal client",
        )
        self.assertAlmostEqual(wizard.sputnik_refund, 13999.99, places=2)
        wizard.action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(order.state, "cancel")
        self.assertAlmostEqual(order.sputnik_penalty_amount, 1000.0, places=2)
        self.assertAlmostEqual(
            order.sputnik_penalty_move_id.amount_total, 1000.0, places=2
        )
        self.assertAlmostEqual(
            deposit.reversal_move_ids.amount_residual, 13999.99, places=2
        )
        logged = order.message_ids.filtered(lambda m: "Loyal client" in m.body)
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged.author_id, self.manager.partner_id)
        self.assertIn("Visa refused", self.interaction(order).note)

    def test_manager_waives_the_penalty(self):
        order, deposit = self.booking()
        self.wizard(
            order, self.manager, sputnik_penalty=0.0, sputnik_waiver_reason="Our error"
        ).action_cancel()
        run_booking_invoicing(order)
        self.assertEqual(order.sputnik_penalty_amount, 0.0)
        self.assertFalse(order.sputnik_penalty_move_id)
        self.assertAlmostEqual(
            deposit.reversal_move_ids.amount_residual, 14999.99, places=2
        )

    def test_waiver_refused_to_an_agent_and_without_a_reason(self):
        order, _deposit = self.booking()
        wizard = self.wizard(
            order, self.agent, sputnik_penalty=0.0, sputnik_waiver_reason="Friend"
        )
        with self.assertRaises(AccessError):
            wizard.action_cancel()
        self.assertEqual(order.state, "sale")
        wizard = self.wizard(order, self.manager, sputnik_penalty=10.0)
        with self.assertRaises(UserError):
            wizard.action_cancel()
        wizard = self.wizard(
            order, self.manager, sputnik_penalty=60000.0, sputnik_waiver_reason="x"
        )
        with self.assertRaises(UserError):
            wizard.action_cancel()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.sputnik_penalty_move_id)

    def test_penalty_fields_are_the_systems(self):
        order, _deposit = self.booking()
        with self.assertRaises(AccessError):
            order.with_user(self.manager).write({"sputnik_penalty_amount": 1.0})

    # --- validation ----------------------------------------------------------
    def test_validation(self):
        operator = {"operator_id": self.operator.id}
        cases = [
            {**operator, "days_from": 20, "days_to": 40},  # overlaps 15–30, 31+
            {**operator, "days_from": 100},  # overlaps 31 and more
            {**operator, "days_from": 50, "days_to": 40},  # reversed
            {"days_from": 100},  # neither an operator's nor a tour's
            {**operator, "tour_id": self.tour.id, "days_from": 100},  # both
        ]
        for values in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.Rule.create({"percent": 5.0, **values})
        other = make_tour(self.env, "Penalty Other Test").sputnik_operator_id
        for values in (
            {"percent": 100.5},
            {"percent": -1.0},
            {"penalty_type": "fixed", "amount": -0.01},
            {"days_from": -1},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.Rule.create({"operator_id": other.id, **values})
        # touching ranges do not overlap; a shared schedule beside a company's
        self.Rule.create(
            [
                {"operator_id": other.id, "days_from": 0, "days_to": 9},
                {"operator_id": other.id, "days_from": 10, "percent": 100.0},
                {"operator_id": other.id, "days_from": 0, "company_id": False},
            ]
        )

    def test_agents_read_the_schedule_managers_keep_it(self):
        self.assertEqual(
            self.Rule.with_user(self.agent).search(
                [("operator_id", "=", self.operator.id)]
            ),
            self.schedule,
        )
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.agent).create(
                {"operator_id": self.operator.id, "days_from": 500}
            )
        with self.assertRaises(AccessError):
            self.schedule[:1].with_user(self.agent).percent = 1.0
        rule = self.Rule.with_user(self.manager).create(
            {
                "tour_id": self.tour.id,
                "days_from": 500,
                "penalty_type": "fixed",
                "amount": 10.0,
            }
        )
        rule.write({"penalty_type": "percent", "percent": 0.5})
        rule.unlink()
        self.assertEqual(self.operator.sputnik_cancel_fee, 333.33)


@tagged("post_install", "-at_install")
class TestPenaltyDemo(SputnikCase):
    def test_demo_cancelled_booking_pays_its_penalty(self):
        """The demo's cancelled booking (one traveller at 32 000.00, two months
        ahead, its deposit of 9 600.00 paid): the operator's 10 % and the
        bureau's fee of 300.00 make 3 500.00, paid from the credit of 9 600.00,
        which leaves 6 100.00 to refund."""
        order = self.env["sale.order"].search(
            [
                ("company_id", "=", self.env.ref("base.demo_company_ua").id),
                ("sputnik_status", "=", "cancelled"),
                ("sputnik_penalty_move_id", "!=", False),
                ("sputnik_is_agency", "=", False),
            ]
        )
        self.assertEqual(len(order), 1)
        self.assertAlmostEqual(order.sputnik_penalty_amount, 3500.0, places=2)
        self.assertTrue(order.sputnik_cancel_reason)
        penalty = order.sputnik_penalty_move_id
        self.assertAlmostEqual(penalty.amount_total, 3500.0, places=2)
        self.assertAlmostEqual(penalty.amount_residual, 0.0, places=2)
        credit = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertAlmostEqual(credit.amount_total, 9600.0, places=2)
        self.assertAlmostEqual(credit.amount_residual, 6100.0, places=2)
        schedule = self.env["sputnik.penalty.rule"].search(
            [
                (
                    "operator_id",
                    "=",
                    self.env.ref("sputnik_crm.res_partner_op_sea_demo").id,
                )
            ]
        )
        self.assertEqual(len(schedule), 4)
