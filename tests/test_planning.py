from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import (
    SputnikCase,
    buy_seats,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)


def noon(day):
    return datetime.combine(day, time(12, 0))


class PlanningCase(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.agent2 = new_test_user(
            cls.env,
            login="planning_agent2_test",
            name="Second Planning Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )

    @classmethod
    def book(cls, departure, seats, agent, day, customer=None, prefix="Plan"):
        """A confirmed booking of ``seats`` seats by ``agent``, ordered on ``day``."""
        travellers = make_travellers(cls.env, seats, prefix=prefix)
        order = make_booking(cls.env, departure, travellers, customer=customer)
        order.user_id = agent
        order.action_confirm()
        order.date_order = noon(day)
        return order

    @classmethod
    def make_plan(cls, date_from, date_to, lines, state="active", name="Plan Test"):
        return cls.env["sputnik.sales.plan"].create(
            {
                "name": name,
                "period_type": "season",
                "date_from": date_from,
                "date_to": date_to,
                "state": state,
                "line_ids": [Command.create(line) for line in lines],
            }
        )

    @contextmanager
    def assertUserError(self, pattern):
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)


@tagged("post_install", "-at_install")
class TestSalesPlan(PlanningCase):
    """April 2026 (30 days) is planned. Tour K (beach, resort K under country
    C) sells at 30,000 a seat bought at 20,000; tour W (excursion) at 10,000
    bought at 6,000.

    ======  ======  ========  =====  ===============  =========================
    order   agent   client    seats  order date       counted in April
    ======  ======  ========  =====  ===============  =========================
    old     agent   client2   1 K    31 March         no (client2 not new)
    b1      agent   client    2 K    1 April          yes, client new
    b2      agent   client    1 K    30 April         yes, client counted once
    b3      agent2  client2   1 W    15 April         yes, client2 not new
    late    agent2  client3   2 W    1 May            no
    ======  ======  ========  =====  ===============  =========================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.date_from, cls.date_to = date(2026, 4, 1), date(2026, 4, 30)
        cls.tour_k = make_tour(env, name="Kemer Plan Test")
        cls.tour_w = make_tour(
            env, name="Warsaw Plan Test", country="base.pl", price=10000.0
        )
        cls.tour_w.sputnik_tour_type = "excursion"
        cls.resort = cls.tour_k.sputnik_destination_id
        cls.country = env["sputnik.destination"].create(
            {"name": "Country of Kemer Plan Test", "country_id": env.ref("base.tr").id}
        )
        cls.resort.parent_id = cls.country
        cls.dep_k = make_departure(env, cls.tour_k, start_in_days=60)
        cls.dep_w = make_departure(env, cls.tour_w, start_in_days=60)
        buy_seats(env, cls.dep_k, 6)
        buy_seats(env, cls.dep_w, 6, net_price=6000.0)
        cls.client2 = env["res.partner"].create({"name": "Second Plan Client"})
        cls.client3 = env["res.partner"].create({"name": "Third Plan Client"})
        cls.book(cls.dep_k, 1, cls.agent, date(2026, 3, 31), cls.client2, "Old")
        cls.book(cls.dep_k, 2, cls.agent, cls.date_from, cls.client, "First")
        cls.book(cls.dep_k, 1, cls.agent, cls.date_to, cls.client, "Last")
        cls.book(cls.dep_w, 1, cls.agent2, date(2026, 4, 15), cls.client2, "Mid")
        cls.book(cls.dep_w, 2, cls.agent2, date(2026, 5, 1), cls.client3, "Late")
        targets = {
            "target_bookings": 6,
            "target_seats": 8,
            "target_revenue": 150000.0,
            "target_margin": 50000.0,
            "target_new_clients": 4,
        }
        cls.plan = cls.make_plan(
            cls.date_from,
            cls.date_to,
            [
                dict(targets),
                dict(targets, user_id=cls.agent.id),
                dict(targets, user_id=cls.agent2.id),
                dict(targets, destination_id=cls.country.id),
                dict(targets, destination_id=cls.resort.id, tour_type="excursion"),
                dict(targets, tour_type="excursion"),
            ],
        )
        (
            cls.line_all,
            cls.line_agent,
            cls.line_agent2,
            cls.line_country,
            cls.line_none,
            cls.line_excursion,
        ) = cls.plan.line_ids

    def figures(self, line, kind="actual"):
        line.invalidate_recordset()
        return tuple(
            line[f"{kind}_{measure}"]
            for measure in ("bookings", "seats", "revenue", "margin", "new_clients")
        )

    def test_actuals_at_the_period_boundaries(self):
        """The booking of the last day counts, the day before the start and the
        day after the end do not; percentages against the targets."""
        self.assertEqual(self.figures(self.line_all), (3, 4, 100000.0, 34000.0, 1))
        self.assertAlmostEqual(self.line_all.percent_revenue, 100000.0 / 1500.0)
        self.assertEqual(self.line_all.percent_bookings, 50.0)
        self.assertEqual(self.line_all.percent_new_clients, 25.0)
        self.assertEqual(self.line_all.percent_seats, 50.0)

    def test_lines_filtered_by_agent_destination_tour_type(self):
        self.assertEqual(self.figures(self.line_agent), (2, 3, 90000.0, 30000.0, 1))
        self.assertEqual(self.figures(self.line_agent2), (1, 1, 10000.0, 4000.0, 0))
        # a country takes the bookings of its resorts
        self.assertEqual(self.figures(self.line_country), (2, 3, 90000.0, 30000.0, 1))
        self.assertEqual(self.figures(self.line_none), (0, 0, 0.0, 0.0, 0))
        self.assertEqual(self.figures(self.line_excursion), (1, 1, 10000.0, 4000.0, 0))

    def test_new_clients_counted_once(self):
        """client has two bookings in April: one new client; client2's first
        booking was in March: not new, on no line."""
        self.assertEqual(self.line_all.actual_new_clients, 1)
        self.assertEqual(self.line_agent2.actual_new_clients, 0)
        # client3 is new in May
        may = self.make_plan(
            date(2026, 5, 1), date(2026, 5, 31), [{"target_seats": 1}], name="May"
        )
        self.assertEqual(may.line_ids.actual_new_clients, 1)
        self.assertEqual(may.line_ids.actual_seats, 2)

    def test_forecast_from_the_pace(self):
        actual = self.figures(self.line_all)
        report = self.env["sputnik.sales.plan.report"]
        for today, factor in (
            ("2026-03-31", 0.0),  # before the start
            ("2026-04-15", 2.0),  # 15 of 30 days elapsed
            ("2026-04-30", 1.0),  # the last day: the actual
            ("2026-05-20", 1.0),  # after the end
        ):
            with self.subTest(today=today), freeze_time(today):
                forecast = self.figures(self.line_all, "forecast")
                for value, expected in zip(forecast, actual, strict=True):
                    self.assertAlmostEqual(value, expected * factor, places=2)
                report.invalidate_model()
                row = report.search([("line_id", "=", self.line_all.id)])
                self.assertAlmostEqual(row.forecast_revenue, 100000.0 * factor, 2)
                self.assertEqual(row.actual_revenue, 100000.0)
                self.assertEqual(row.target_revenue, 150000.0)

    def test_report_groups_lines(self):
        rows = self.env["sputnik.sales.plan.report"]._read_group(
            [("plan_id", "=", self.plan.id), ("user_id", "!=", False)],
            groupby=["plan_id"],
            aggregates=["actual_revenue:sum", "target_revenue:sum"],
        )
        self.assertEqual(rows, [(self.plan, 100000.0, 300000.0)])

    def test_report_totals_count_the_general_lines_once(self):
        """The plan's lines overlap: line_all (all agents, destinations and
        tour types) holds every booking of April (revenue 100,000, target
        150,000); the agents' lines, the country's and the excursions' are
        its breakdowns. The plan's total is line_all's, not the sum of the
        six lines (340,000 of actual revenue). Grouped by destination, "All
        destinations" stands for line_all (the lines of the agents and of
        the excursions are its breakdown), the country for its line (90,000),
        the resort for its excursion line (0). Without line_all, the lines
        for all destinations and all agents are the excursions' (10,000 of
        the 1 W seat). Two plans' total adds each plan's own."""
        report = self.env["sputnik.sales.plan.report"]
        domain = [("plan_id", "=", self.plan.id)]
        rows = report._read_group(
            domain,
            groupby=["plan_id"],
            aggregates=["actual_revenue:sum", "target_revenue:sum", "__count"],
        )
        self.assertEqual(rows, [(self.plan, 100000.0, 150000.0, 6)])
        rows = report._read_group(
            domain,
            groupby=["destination_scope"],
            aggregates=["actual_revenue:sum", "actual_seats:sum"],
        )
        country = self.country.name
        self.assertEqual(
            sorted(rows),
            sorted(
                [
                    ("All destinations", 100000.0, 4),
                    (country, 90000.0, 3),
                    (f"{country} / {self.resort.name}", 0.0, 0),
                ]
            ),
        )
        rows = report._read_group(
            [*domain, ("line_id", "!=", self.line_all.id)],
            groupby=["plan_id"],
            aggregates=["actual_revenue:sum"],
        )
        self.assertEqual(rows, [(self.plan, 10000.0)])
        # two plans in one total: each plan's most general line, added
        may = self.make_plan(
            date(2026, 5, 1), date(2026, 5, 31), [{"target_seats": 1}], name="May"
        )
        [total] = report._read_group(
            [("plan_id", "in", (self.plan | may).ids)],
            aggregates=["target_seats:sum", "actual_seats:sum", "__count"],
        )
        # April: line_all's 8 target seats and 4 seats; May: 1 and 2 seats
        self.assertEqual(total, (9, 6, 7))

    def test_report_labels_of_the_empty_dimensions(self):
        """A line without destination, agent or tour type reads "All
        destinations", "All agents", "All tour types", in the user's
        language, never an empty value."""
        report = self.env["sputnik.sales.plan.report"]
        row = report.search([("line_id", "=", self.line_all.id)])
        self.assertEqual(
            (row.destination_scope, row.agent_scope, row.tour_type),
            ("All destinations", "All agents", "all"),
        )
        row = report.search([("line_id", "=", self.line_agent.id)])
        self.assertEqual(row.agent_scope, self.agent.name)
        # the rows are computed again for another language
        report.invalidate_model()
        row = report.with_context(lang="uk_UA").search(
            [("line_id", "=", self.line_all.id)]
        )
        self.assertEqual(
            (row.destination_scope, row.agent_scope), ("Усі напрямки", "Усі агенти")
        )

    def test_whole_numbers(self):
        """Targets of seats, bookings and clients are whole numbers: 2.5 is
        refused (Odoo would keep 2 without a word), 3.0 is 3, as a client
        writes them (a form or RPC)."""
        line = self.plan.line_ids[0]
        with self.assertRaisesRegex(ValidationError, "whole number"):
            line.write({"target_seats": 2.5})
        line.write({"target_seats": 3.0})
        self.assertEqual(line.target_seats, 3)

    def test_validation(self):
        with self.assertRaises(ValidationError):
            self.make_plan(date(2026, 4, 30), date(2026, 4, 1), [], state="draft")
        with self.assertRaises(ValidationError):
            self.make_plan(date(2026, 7, 1), date(2026, 7, 31), [{"target_seats": -1}])
        # the same agent over an overlapping period, in another active plan
        overlap = self.make_plan(
            date(2026, 4, 20),
            date(2026, 5, 20),
            [{"user_id": self.agent.id, "target_seats": 3}],
            state="draft",
            name="Overlap",
        )
        with self.assertRaisesRegex(ValidationError, "overlapping periods"):
            overlap.action_activate()
        # another agent, or after the period: fine
        overlap.line_ids.user_id = self.manager
        overlap.action_activate()
        self.make_plan(
            date(2026, 5, 1), date(2026, 5, 31), [{"user_id": self.agent.id}]
        )
        with self.assertRaisesRegex(ValidationError, "overlapping periods"):
            self.plan.line_ids[0].copy({"plan_id": self.plan.id})


@tagged("post_install", "-at_install")
class TestPlanAccess(PlanningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Sputnik Plan West"})
        cls.plan = cls.make_plan(
            date(2026, 4, 1),
            date(2026, 4, 30),
            [
                {"user_id": cls.agent.id, "target_seats": 5},
                {"user_id": cls.agent2.id, "target_seats": 5},
                {"target_seats": 10},
            ],
        )
        cls.plan2 = (
            cls.env["sputnik.sales.plan"]
            .with_company(cls.company2)
            .create(
                {
                    "name": "West",
                    "company_id": cls.company2.id,
                    "date_from": date(2026, 4, 1),
                    "date_to": date(2026, 4, 30),
                    "line_ids": [Command.create({"user_id": cls.agent.id})],
                }
            )
        )

    def lines(self, user, model="sputnik.sales.plan.line"):
        return (
            self.env[model]
            .with_user(user)
            .search([("plan_id", "in", (self.plan | self.plan2).ids)])
        )

    def test_agent_reads_own_lines(self):
        agent_line = self.plan.line_ids[0]
        self.assertEqual(self.lines(self.agent), agent_line)
        self.assertEqual(
            self.lines(self.agent, "sputnik.sales.plan.report").line_id, agent_line
        )
        self.assertEqual(
            self.env["sputnik.sales.plan"].with_user(self.agent).search([])
            & (self.plan | self.plan2),
            self.plan,
        )
        with self.assertRaises(AccessError):
            agent_line.with_user(self.agent).target_seats = 50
        with self.assertRaises(AccessError):
            self.plan.with_user(self.agent).action_close()

    def test_manager_reads_all_of_the_company(self):
        self.assertEqual(self.lines(self.manager), self.plan.line_ids)
        self.assertEqual(
            self.lines(self.manager, "sputnik.sales.plan.report").line_id,
            self.plan.line_ids,
        )
        self.plan.with_user(self.manager).action_close()
        self.assertEqual(self.plan.state, "closed")

    def test_other_company_never(self):
        self.assertNotIn(self.plan2.line_ids, self.lines(self.manager))
        self.assertNotIn(self.plan2.line_ids, self.lines(self.agent))
        # members of the other company, working in the first one
        (self.agent | self.manager).company_ids = [Command.link(self.company2.id)]
        for user in (self.agent, self.manager):
            lines = (
                self.env["sputnik.sales.plan.line"]
                .with_user(user)
                .with_context(allowed_company_ids=self.company.ids)
                .search([("plan_id", "in", (self.plan | self.plan2).ids)])
            )
            self.assertNotIn(self.plan2.line_ids, lines)

    def test_outsider_none(self):
        for model in (
            "sputnik.sales.plan",
            "sputnik.sales.plan.line",
            "sputnik.sales.plan.report",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.outsider).search([])


@tagged("post_install", "-at_install")
class TestPurchasePlanning(PlanningCase):
    """Tour T: departure D in 60 days (6 seats bought, 4 sold) and D2 in 61
    days, both covered by a plan line of 20 seats for T's destination and
    beach tours; a year before D, T's departure L sold 8 of its 10 seats."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.tour = make_tour(env, name="Side Purchase Test")
        cls.dep = make_departure(env, cls.tour, start_in_days=60)
        cls.dep2 = make_departure(env, cls.tour, start_in_days=61)
        buy_seats(env, cls.dep, 6)
        cls.book(cls.dep, 4, cls.agent, cls.today)
        # last year's departure of the same tour in the same month
        year_ago = cls.dep.date_start - relativedelta(years=1)
        cls.dep_last = make_departure(
            env, cls.tour, start_in_days=(year_ago - cls.today).days
        )
        buy_seats(env, cls.dep_last, 10, receive=False)
        order = make_booking(
            env, cls.dep_last, make_travellers(env, 8, prefix="L"), customer=cls.client
        )
        order.write({"state": "sale", "date_order": noon(year_ago - timedelta(60))})
        cls.plan = cls.make_plan(
            cls.today - timedelta(days=10),
            cls.today + timedelta(days=80),
            [
                {
                    "destination_id": cls.tour.sputnik_destination_id.id,
                    "tour_type": "beach",
                    "target_seats": 20,
                }
            ],
        )

    def test_suggestion_figures(self):
        """Remaining 20 - 4 = 16 seats over D (60 days left) and D2 (61), in
        proportion to the days left: 16 × 60/121 = 7.93 and 16 × 61/121 = 8.07,
        rounded down 7 and 8, the seat left to the largest remainder (D's .93):
        8 and 8. D sold 4 of its 6 seats (66.7 %) but was created today: none
        of its selling time has elapsed, last year's 80 % counts: 4 + 8 × 0.8
        = 10.4, 11 seats needed, 6 bought: 5 to buy. D2 has bought nothing:
        8 × 0.8 = 6.4: 7."""
        self.assertEqual(self.plan.line_ids.actual_seats, 4)
        self.assertEqual(self.dep.plan_seats, 8)
        # shown with one decimal
        self.assertEqual(self.dep.sell_through, 66.7)
        self.assertAlmostEqual(self.dep.expected_sell_through, 80.0)
        self.assertEqual(self.dep.sell_through_basis, "tour")
        self.assertEqual(self.dep.suggested_seats, 5)
        self.assertEqual(self.dep.purchase_advice, "buy")
        self.assertFalse(self.dep.has_draft_purchase)
        self.assertEqual(self.dep2.plan_seats, 8)
        self.assertEqual(self.dep2.sell_through, 0.0)
        self.assertAlmostEqual(self.dep2.expected_sell_through, 80.0)
        self.assertEqual(self.dep2.suggested_seats, 7)
        # a past departure gets no suggestion, but its own sell-through: 8/10
        self.assertEqual(self.dep_last.suggested_seats, 0)
        self.assertAlmostEqual(self.dep_last.sell_through, 80.0)

    def test_own_sell_through_weighs_with_time(self):
        """D on sale for 40 days, 60 days before it leaves: 40 % of its selling
        time elapsed, its own 4/6 weighs 40 %, last year's 80 % the rest:
        0.8 × 0.6 + 4/6 × 0.4 = 0.7467; 4 + 8 × 0.7467 = 9.97, 10 seats
        needed, 6 bought: 4 to buy."""
        self.env.cr.execute(
            "UPDATE sputnik_departure SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=40), self.dep.id),
        )
        self.dep.invalidate_recordset()
        self.assertAlmostEqual(self.dep.expected_sell_through, 74.7)
        self.assertEqual(self.dep.suggested_seats, 4)

    def test_no_purchase_when_release_is_due(self):
        """A departure in 20 days, released in 6 (make_departure: 14 days
        before), with 8 of its 10 seats unsold, inside the company's 7
        reminder days: no purchase is advised whatever the plan says. With
        a 3-day reminder the release is not due: the plan line's remaining
        20 - 4 - 2 = 14 seats go 20/141, 60/141 and 61/141 to it, D and D2:
        1.99, 5.96, 6.06 → 1, 5, 6 and the two left to the largest remainders
        (1.99 and 5.96): 2, 6, 6; 2 sold + 2 × 0.8 (just created: last
        year's rate) = 3.6, 4 seats needed, 10 bought: none to buy, the seats
        are enough."""
        self.company.sputnik_release_days = 7
        soon = make_departure(self.env, self.tour, start_in_days=20)
        buy_seats(self.env, soon, 10)
        self.book(soon, 2, self.agent, self.today, prefix="Soon")
        self.assertEqual(soon.suggested_seats, 0)
        self.assertEqual(soon.purchase_advice, "release")
        self.assertAlmostEqual(soon.sell_through, 20.0)
        with self.assertUserError("No seats to buy"):
            soon.action_create_purchase_order()
        self.company.sputnik_release_days = 3
        soon.invalidate_recordset()
        self.assertEqual(soon.plan_seats, 2)
        self.assertEqual(soon.suggested_seats, 0)
        self.assertEqual(soon.purchase_advice, "enough")
        (self.dep | self.dep2).invalidate_recordset()
        self.assertEqual((self.dep.plan_seats, self.dep2.plan_seats), (6, 6))

    def test_create_purchase_order(self):
        action = self.dep.with_user(self.manager).action_create_purchase_order()
        order = self.env["purchase.order"].browse(action["res_id"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.tour.sputnik_operator_id)
        self.assertEqual(order.order_line.product_id, self.dep.product_id)
        self.assertEqual(order.order_line.product_qty, 5)
        self.assertTrue(self.dep.has_draft_purchase)
        with self.assertUserError("draft purchase order"):
            self.dep.action_create_purchase_order()
        # confirmed, the seats are bought: nothing left to suggest
        order.button_confirm()
        self.dep.invalidate_recordset()
        self.assertEqual(self.dep.suggested_seats, 0)
        with self.assertUserError("No seats to buy"):
            self.dep.action_create_purchase_order()

    def test_no_plan_no_suggestion(self):
        self.plan.action_close()
        self.dep.invalidate_recordset()
        self.assertEqual(self.dep.plan_seats, 0)
        # 4 sold, 6 bought
        self.assertEqual(self.dep.suggested_seats, 0)
        with self.assertUserError("No seats to buy"):
            self.dep.action_create_purchase_order()

    def test_release_reminder_once(self):
        self.company.sputnik_release_days = 7
        soon = make_departure(self.env, self.tour, start_in_days=19)  # release +5
        later = make_departure(self.env, self.tour, start_in_days=40)  # +26
        soon.user_id = self.manager
        departures = self.env["sputnik.departure"]
        departures._cron_release_reminders()
        departures._cron_release_reminders()
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(soon.activity_ids.user_id, self.manager)
        self.assertEqual(
            soon.activity_ids.activity_type_id,
            self.env.ref("mail.mail_activity_data_todo"),
        )
        self.assertEqual(
            soon.activity_ids.date_deadline, soon.release_date - timedelta(days=1)
        )
        self.assertEqual(soon.release_notified_date, soon.release_date)
        self.assertFalse(later.activity_ids)
        # a new release date is a new occasion
        soon.release_date -= timedelta(days=1)
        departures._cron_release_reminders()
        self.assertEqual(len(soon.activity_ids), 2)

    def test_release_reminder_not_when_sold(self):
        soon = make_departure(self.env, self.tour, start_in_days=19)
        soon.allotment_seats = 2
        buy_seats(self.env, soon, 2)
        self.book(soon, 2, self.agent, self.today, prefix="Sold")
        self.env["sputnik.departure"]._cron_release_reminders()
        self.assertFalse(soon.activity_ids)
