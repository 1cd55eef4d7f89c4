from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import (
    SputnikCase,
    buy_seats,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)


@tagged("post_install", "-at_install")
class TestPurchasePlan(SputnikCase):
    """Operator O sells tour A (a resort of country X) and tour B (another
    country); operator O2 sells tour C. The plan covers the departures of
    the next 90 days.

    ==========  ======  =====  ======  ====================================
    departure   leaves  bought  sold   billed (company currency)
    ==========  ======  =====  ======  ====================================
    A1 (O)      +30     10     3       200,000 bill, 20,000 refund (1 seat)
    A2 (O)      +120    5      0       100,000 bill: out of the period
    B (O)       +45     6      2       1,000 EUR at 40 = 40,000;
                                       a draft bill of 90,000: not posted
    C (O2)      +60     4      0       nothing
    ==========  ======  =====  ======  ====================================

    Lines: O for all destinations (20 seats, 400,000), O for country X (12
    seats, 250,000), O2 for all destinations (5 seats, 100,000).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.tour_a = make_tour(env, name="Alanya Purchase Plan Test")
        cls.tour_b = make_tour(env, name="Burgas Purchase Plan Test", country="base.bg")
        cls.tour_c = make_tour(env, name="Corfu Purchase Plan Test", country="base.gr")
        cls.operator = cls.tour_a.sputnik_operator_id
        cls.operator2 = cls.tour_c.sputnik_operator_id
        cls.tour_b.sputnik_operator_id = cls.operator
        cls.country = env["sputnik.destination"].create(
            {"name": "Country of Alanya Plan Test", "country_id": env.ref("base.tr").id}
        )
        cls.tour_a.sputnik_destination_id.parent_id = cls.country
        cls.dep_a1 = make_departure(env, cls.tour_a, start_in_days=30)
        cls.dep_a2 = make_departure(env, cls.tour_a, start_in_days=120)
        cls.dep_b = make_departure(env, cls.tour_b, start_in_days=45)
        cls.dep_c = make_departure(env, cls.tour_c, start_in_days=60)
        buy_seats(env, cls.dep_a1, 10)
        buy_seats(env, cls.dep_a2, 5)
        buy_seats(env, cls.dep_b, 6, net_price=15000.0)
        buy_seats(env, cls.dep_c, 4)
        for departure, seats in ((cls.dep_a1, 3), (cls.dep_b, 2)):
            travellers = make_travellers(env, seats, prefix=f"PP{departure.id}")
            make_booking(
                env, departure, travellers, customer=cls.client
            ).action_confirm()
        # a foreign currency worth 40 of the company's
        cls.foreign = env.ref("base.EUR")
        if cls.foreign == cls.company.currency_id:
            cls.foreign = env.ref("base.USD")
        cls.foreign.active = True
        env["res.currency.rate"].create(
            {
                "currency_id": cls.foreign.id,
                "company_id": cls.company.id,
                "name": cls.today - timedelta(days=30),
                "rate": 1 / 40,
            }
        )
        cls.bill(cls.dep_a1, "in_invoice", 10, 20000.0)
        cls.bill(cls.dep_a1, "in_refund", 1, 20000.0)
        cls.bill(cls.dep_a2, "in_invoice", 5, 20000.0)
        cls.bill(cls.dep_b, "in_invoice", 1, 1000.0, currency=cls.foreign)
        cls.bill(cls.dep_b, "in_invoice", 6, 15000.0, post=False)
        cls.plan = env["sputnik.purchase.plan"].create(
            {
                "name": "Purchase Plan Test",
                "period_type": "season",
                "date_from": cls.today,
                "date_to": cls.today + timedelta(days=90),
                "state": "active",
                "line_ids": [
                    Command.create(
                        {
                            "operator_id": cls.operator.id,
                            "planned_seats": 20,
                            "planned_budget": 400000.0,
                        }
                    ),
                    Command.create(
                        {
                            "operator_id": cls.operator.id,
                            "destination_id": cls.country.id,
                            "planned_seats": 12,
                            "planned_budget": 250000.0,
                        }
                    ),
                    Command.create(
                        {
                            "operator_id": cls.operator2.id,
                            "planned_seats": 5,
                            "planned_budget": 100000.0,
                        }
                    ),
                ],
            }
        )
        cls.line_all, cls.line_country, cls.line_other = cls.plan.line_ids

    @classmethod
    def bill(cls, departure, move_type, seats, price, currency=None, post=True):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": departure.operator_id.id,
                "invoice_date": cls.today,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": departure.product_id.id,
                            "quantity": seats,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def figures(self, line):
        line.invalidate_recordset()
        return (line.seats_bought, line.seats_sold, line.billed_amount)

    def test_line_actuals(self):
        """O, all destinations: A1 and B (A2 leaves after the period): 10 + 6
        = 16 seats bought, 3 + 2 = 5 sold (31.25 %); billed 200,000 - 20,000
        + 40,000 = 220,000 (the draft bill does not count), 55 % of 400,000.
        O, country X: A1 only: 10 bought, 3 sold, 180,000 billed. O2: C's 4
        seats, none sold, nothing billed."""
        self.assertEqual(self.figures(self.line_all), (16, 5, 220000.0))
        self.assertAlmostEqual(self.line_all.sell_through, 31.25)
        self.assertAlmostEqual(self.line_all.seats_reached, 80.0)
        self.assertAlmostEqual(self.line_all.budget_used, 55.0)
        self.assertEqual(self.figures(self.line_country), (10, 3, 180000.0))
        self.assertAlmostEqual(self.line_country.sell_through, 30.0)
        self.assertEqual(self.figures(self.line_other), (4, 0, 0.0))
        self.assertEqual(self.line_other.sell_through, 0.0)
        # the plan's totals: O's line for all destinations, O2's line
        self.assertEqual(self.plan.planned_seats, 25)
        self.assertEqual(self.plan.planned_budget, 500000.0)

    def test_report_rows_and_totals(self):
        """Each row is its line; the plan's total counts O's line for all
        destinations and not again its breakdown for country X: 20 + 5 = 25
        planned, 16 + 4 = 20 bought, 5 sold (25 %, the ratio of the sums,
        not the average 20.4 of the rows' 31.25, 30 and 0), 220,000 billed
        of 500,000 (44 %)."""
        report = self.env["sputnik.purchase.plan.report"]
        domain = [("plan_id", "=", self.plan.id)]
        row = report.search([("line_id", "=", self.line_country.id)])
        self.assertEqual(
            (row.seats_bought, row.seats_sold, row.billed_amount, row.sell_through),
            (10, 3, 180000.0, 30.0),
        )
        self.assertEqual(row.destination_scope, self.country.name)
        [total] = report._read_group(
            domain,
            aggregates=[
                "planned_seats:sum",
                "seats_bought:sum",
                "seats_sold:sum",
                "billed_amount:sum",
                "planned_budget:sum",
                "sell_through:avg",
                "budget_used:avg",
            ],
        )
        self.assertEqual(total[:5], (25, 20, 5, 220000.0, 500000.0))
        self.assertAlmostEqual(total[5], 25.0)
        self.assertAlmostEqual(total[6], 44.0)
        rows = dict(
            (scope, (bought, rate))
            for scope, bought, rate in report._read_group(
                domain,
                groupby=["destination_scope"],
                aggregates=["seats_bought:sum", "sell_through:avg"],
            )
        )
        self.assertEqual(rows["All destinations"], (20, 25.0))
        self.assertEqual(rows[self.country.name], (10, 30.0))

    def test_whole_seats_and_validation(self):
        with self.assertRaisesRegex(ValidationError, "whole number"):
            self.line_all.write({"planned_seats": 2.5})
        with self.assertRaises(ValidationError):
            self.line_all.write({"planned_budget": -1.0})
        # the same operator and destination in another active plan, overlapping
        with self.assertRaisesRegex(ValidationError, "overlapping periods"):
            self.plan.copy({"name": "Copy", "state": "active"}).action_activate()
        # after the period: fine
        later = self.plan.copy(
            {
                "name": "Later",
                "date_from": self.today + timedelta(days=91),
                "date_to": self.today + timedelta(days=180),
            }
        )
        later.action_activate()
        self.assertEqual(later.state, "active")

    def test_access(self):
        """Managers edit, agents read (figures and report), others nothing."""
        plan = self.plan.with_user(self.agent)
        self.assertEqual(plan.line_ids.mapped("seats_bought"), [16, 10, 4])
        self.assertEqual(
            self.env["sputnik.purchase.plan.report"]
            .with_user(self.agent)
            .search_count([("plan_id", "=", self.plan.id)]),
            3,
        )
        with self.assertRaises(AccessError):
            plan.line_ids[0].planned_seats = 30
        with self.assertRaises(AccessError):
            plan.action_close()
        self.plan.with_user(self.manager).line_ids[0].planned_seats = 30
        self.assertEqual(self.line_all.planned_seats, 30)
        for model in (
            "sputnik.purchase.plan",
            "sputnik.purchase.plan.line",
            "sputnik.purchase.plan.report",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.outsider).search([])

    def test_other_company_never(self):
        company2 = self.env["res.company"].create({"name": "Sputnik Purchase West"})
        plan2 = (
            self.env["sputnik.purchase.plan"]
            .with_company(company2)
            .create({"name": "West", "company_id": company2.id})
        )
        self.assertFalse(
            self.env["sputnik.purchase.plan"]
            .with_user(self.manager)
            .search([("id", "=", plan2.id)])
        )


@tagged("post_install", "-at_install")
class TestPurchasePlanDemo(SputnikCase):
    """The demo bureau's purchase plan (loaded here if the database was made
    before it): the sea operator for all destinations (70 seats, 2,100,000)
    broken down into Turkey (50) and Bulgaria (20), the sky operator (36,
    of them Egypt 24) and the mountain operator (20): the plan's total is
    70 + 36 + 20 = 126 seats, 2,100,000 + 900,000 + 300,000 = 3,300,000;
    only the Turkish departures of the sea operator are billed."""

    def test_demo_purchase_plan(self):
        plans = self.env["sputnik.purchase.plan"].search(
            [("name", "=like", "Allotments %")]
        )
        if not plans:
            self.env["sputnik.demo"]._load_demo_purchase_plans()
            plans = self.env["sputnik.purchase.plan"].search(
                [("name", "=like", "Allotments %")]
            )
        self.assertEqual(len(plans), 1)
        self.assertEqual((plans.planned_seats, plans.planned_budget), (126, 3300000.0))
        report = self.env["sputnik.purchase.plan.report"]
        [total] = report._read_group(
            [("plan_id", "=", plans.id)],
            aggregates=["planned_seats:sum", "planned_budget:sum", "__count"],
        )
        self.assertEqual(total, (126, 3300000.0, 6))
        sea = self.env.ref("sputnik_crm.res_partner_op_sea_demo")
        turkey = self.env.ref("sputnik_crm.sputnik_destination_tr_demo")
        lines = plans.line_ids.filtered(lambda line: line.operator_id == sea)
        everywhere = lines.filtered(lambda line: not line.destination_id)
        in_turkey = lines.filtered(lambda line: line.destination_id == turkey)
        self.assertGreater(in_turkey.billed_amount, 0)
        self.assertEqual(everywhere.billed_amount, in_turkey.billed_amount)
        self.assertGreaterEqual(everywhere.seats_bought, in_turkey.seats_bought)
