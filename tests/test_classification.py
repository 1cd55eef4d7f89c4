"""The classification engine on hand-made clients with known answers.

Trips are confirmed bookings written straight to the confirmed state (the
seats and invoices of a real confirmation are covered by test_booking); the
demo bookings are cancelled inside each test so that the quintiles and the ABC
shares are those of the clients made here.
"""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .common import (
    SputnikCase,
    buy_seats,
    confirm,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
    register_payment,
)

# the classes and figures a client gets, compared between a full run and the
# update of one client
CLASSES = [
    "sputnik_lifecycle",
    "sputnik_rfm_segment",
    "sputnik_abc",
    "sputnik_xyz",
    "sputnik_tier_id",
    "sputnik_trip_count",
    "sputnik_margin_total",
    "sputnik_rfm_r",
    "sputnik_rfm_f",
    "sputnik_rfm_m",
    "sputnik_rfm_frequency",
    "sputnik_rfm_monetary",
    "sputnik_churn_risk",
    "sputnik_next_trip_date",
    "sputnik_clv_predicted",
]


class ClassificationCase(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.tour = make_tour(cls.env, name="Classification Tour")
        cls.company.write(
            {
                "sputnik_regular_trips": 2,
                "sputnik_vip_trips": 5,
                "sputnik_vip_margin": 60000.0,
                "sputnik_dormant_months": 12,
                "sputnik_lost_months": 24,
                "sputnik_rfm_months": 24,
                "sputnik_abc_a": 80.0,
                "sputnik_abc_b": 15.0,
                "sputnik_xyz_x": 10.0,
                "sputnik_xyz_y": 25.0,
                "sputnik_xyz_years": 3,
                "sputnik_clv_years": 5,
                "sputnik_next_trip_days": 60,
            }
        )
        cls.env["sputnik.loyalty.tier"].search([]).active = False

    def setUp(self):
        super().setUp()
        self.departures = {}
        # only this test's trips make the base
        self.env.cr.execute(
            "UPDATE sale_order SET state = 'cancel' WHERE state = 'sale'"
        )
        self.env["sale.order"].invalidate_model(["state"])

    def client_(self, name, **vals):
        return self.env["res.partner"].create(
            {"name": name, "customer_rank": 1, "user_id": self.agent.id, **vals}
        )

    def trip(self, client, days_ago, revenue=30000.0, margin=3000.0, nights=7):
        """A confirmed booking of ``client`` that left ``days_ago`` days ago (a
        negative number books ahead) and returned ``nights`` later."""
        start = self.today - relativedelta(days=days_ago)
        departure = self.departures.get(start)
        if not departure:
            departure = self.departures[start] = self.env["sputnik.departure"].create(
                {
                    "tour_id": self.tour.id,
                    "date_start": start,
                    "date_end": start + relativedelta(days=nights),
                    "allotment_seats": 50,
                }
            )
            if start > self.today:
                # a trip ahead takes seats of the departure's allotment
                buy_seats(self.env, departure, 50)
        order = self.env["sale.order"].create(
            {
                "partner_id": client.id,
                "sputnik_traveller_ids": [Command.set(client.ids)],
                "order_line": [
                    Command.create(
                        {
                            "product_id": departure.product_id.id,
                            "product_uom_qty": 1,
                            "price_unit": revenue,
                            "purchase_price": revenue - margin,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.write({"state": "sale"})
        return order

    def classify(self):
        return self.env["res.partner"]._sputnik_classify_all(source="manual")

    def classify_queued(self):
        """What the queue's cron does just after a request: classify the
        clients its bookings and paid invoices queued."""
        return self.env["sputnik.classification"]._classify_queued()

    def queued(self, client=None):
        """The (client, source) rows of the classification queue."""
        self.env.cr.execute(
            "SELECT partner_id, source FROM sputnik_classification_queue"
            " ORDER BY partner_id, source"
        )
        rows = self.env.cr.fetchall()
        return [row for row in rows if client is None or row[0] == client.id]

    def plan_calls(self):
        """The care engine's next-trip calls, as its daily run plans them."""
        handled = self.env["sputnik.care.event"]._sputnik_care_run(["next_trip_call"])
        return len(handled.get("next_trip_call", []))


@tagged("post_install", "-at_install")
class TestLifecycle(ClassificationCase):
    def test_statuses_and_boundaries(self):
        prospect = self.client_("Prospect")
        new = self.client_("New")
        self.trip(new, 40)
        regular = self.client_("Regular")
        self.trip(regular, 400)
        self.trip(regular, 40)
        vip_trips = self.client_("VIP by trips")
        for days in (700, 500, 300, 200, 40):
            self.trip(vip_trips, days)
        vip_margin = self.client_("VIP by margin")
        self.trip(vip_margin, 40, revenue=500000.0, margin=60000.0)
        almost_vip = self.client_("Almost VIP")
        self.trip(almost_vip, 40, revenue=500000.0, margin=59999.0)
        # the last return exactly 12 months ago: not dormant yet; a day more is
        dormant_edge = self.client_("Dormant edge")
        edge = self.today - relativedelta(months=12)
        self.trip(dormant_edge, (self.today - edge).days, nights=0)
        dormant = self.client_("Dormant")
        start = self.today - relativedelta(months=12, days=8)
        self.trip(dormant, (self.today - start).days)
        lost = self.client_("Lost")
        start = self.today - relativedelta(months=24, days=8)
        self.trip(lost, (self.today - start).days)
        cancelled = self.client_("Cancelled only")
        self.trip(cancelled, 40).write({"state": "cancel"})
        company = self.client_("Travel Company", is_company=True)
        employee = self.client_("Employee", parent_id=company.id)
        self.trip(employee, 40)
        self.trip(employee, 30)

        self.classify()

        expected = {
            prospect: "prospect",
            new: "new",
            regular: "regular",
            vip_trips: "vip",
            vip_margin: "vip",
            almost_vip: "new",
            dormant_edge: "new",
            dormant: "dormant",
            lost: "lost",
            cancelled: "prospect",
            company: "regular",
        }
        for client, status in expected.items():
            self.assertEqual(client.sputnik_lifecycle, status, client.name)
        self.assertFalse(employee.sputnik_lifecycle, "contacts count for the company")
        self.assertEqual(company.sputnik_trip_count, 2)
        self.assertEqual(cancelled.sputnik_trip_count, 0)
        self.assertEqual(vip_trips.sputnik_trip_count, 5)

    def test_value_figures(self):
        client = self.client_("Value")
        start = self.today - relativedelta(months=24, days=10)
        self.trip(client, (self.today - start).days, revenue=40000.0, margin=4000.0)
        self.trip(client, 100, revenue=20000.0, margin=6000.0, nights=10)
        self.classify()
        self.assertEqual(client.sputnik_trip_count, 2)
        self.assertEqual(client.sputnik_first_trip_date, start)
        self.assertEqual(
            client.sputnik_last_trip_date, self.today - relativedelta(days=100)
        )
        self.assertEqual(
            client.sputnik_last_return_date, self.today - relativedelta(days=90)
        )
        self.assertEqual(client.sputnik_recency_days, 90)
        self.assertEqual(client.sputnik_revenue_total, 60000.0)
        self.assertEqual(client.sputnik_margin_total, 10000.0)
        self.assertEqual(client.sputnik_avg_booking_value, 30000.0)
        # 10,000 over 2 years = 5,000 a year, for 5 more years
        self.assertEqual(client.sputnik_clv_predicted, 25000.0)
        # the first trip returned 24 months ago: out of the 24-month window
        self.assertEqual(client.sputnik_rfm_frequency, 1)
        self.assertEqual(client.sputnik_rfm_monetary, 6000.0)
        self.assertEqual(client.sputnik_rfm_revenue, 20000.0)


@tagged("post_install", "-at_install")
class TestScores(ClassificationCase):
    def test_rfm_scores_and_segments(self):
        """Five clients, recency 10/100/200/300/400 days, 5 to 1 trips and
        margin 25,000 to 1,000 falling with recency. Five distinct values: the
        i-th lowest has the share (2 i + 1) / 10 (0.1 ... 0.9), so R 5 to 1 and
        M 5 to 1; F by band: 5 trips 4, 4 and 3 trips 3, 2 trips 2, 1 trip 1.
        fm = (F + M + 1) // 2: 5, 4, 3, 2, 1."""
        clients = []
        for i, days in enumerate((10, 100, 200, 300, 400)):
            client = self.client_(f"RFM {i}")
            trips = 5 - i
            for k in range(trips):
                self.trip(client, days + 1 + 7 * k, nights=1, margin=1000.0 * (5 - i))
            clients.append(client)
        self.classify()
        self.assertEqual(
            [c.sputnik_recency_days for c in clients], [10, 100, 200, 300, 400]
        )
        self.assertEqual([c.sputnik_rfm_r for c in clients], [5, 4, 3, 2, 1])
        self.assertEqual([c.sputnik_rfm_f for c in clients], [4, 3, 3, 2, 1])
        self.assertEqual([c.sputnik_rfm_m for c in clients], [5, 4, 3, 2, 1])
        self.assertEqual(
            [c.sputnik_rfm_segment for c in clients],
            ["champions", "champions", "attention", "hibernating", "lost"],
        )

    def test_ties_share_a_score(self):
        """Four clients alike: each has the share (0 + 4 / 2) / 4 = 0.5 of R and
        M, so R = 5 - 2 = 3 and M = 1 + 2 = 3 for all (the middle, not one end);
        one trip: F 1; fm = (1 + 3 + 1) // 2 = 2: Need Attention."""
        same = [self.client_(f"Same {i}") for i in range(4)]
        for client in same:
            self.trip(client, 50)
        self.classify()
        self.assertEqual({c.sputnik_rfm_r for c in same}, {3})
        self.assertEqual({c.sputnik_rfm_f for c in same}, {1})
        self.assertEqual({c.sputnik_rfm_m for c in same}, {3})
        self.assertEqual({c.sputnik_rfm_segment for c in same}, {"attention"})

    def test_abc_shares(self):
        margins = (700.0, 200.0, 60.0, 40.0)
        clients = [self.client_(f"ABC {m}") for m in margins]
        for client, margin in zip(clients, margins, strict=True):
            self.trip(client, 30, revenue=10000.0, margin=margin)
        nothing = self.client_("ABC nothing")
        self.trip(nothing, 30, revenue=10000.0, margin=0.0)
        self.classify()
        # 700 and 200 reach 90 %: the client crossing 80 % is still A
        self.assertEqual(
            [c.sputnik_abc for c in clients + [nothing]], ["a", "a", "b", "c", "c"]
        )

    def test_xyz_yearly_spend(self):
        steady = self.client_("Steady")
        varying = self.client_("Varying")
        once = self.client_("Once")
        for days, revenue in ((30, 100000.0), (395, 100000.0), (760, 100000.0)):
            self.trip(steady, days, revenue=revenue)
        for days, revenue in ((30, 100000.0), (395, 120000.0), (760, 80000.0)):
            self.trip(varying, days, revenue=revenue)
        self.trip(once, 30)
        ahead = self.client_("Only ahead")
        self.trip(ahead, -30)
        self.classify()
        self.assertEqual((steady.sputnik_xyz, steady.sputnik_spend_cv), ("x", 0.0))
        self.assertEqual((varying.sputnik_xyz, varying.sputnik_spend_cv), ("y", 16.3))
        self.assertEqual((once.sputnik_xyz, once.sputnik_spend_cv), ("z", 141.4))
        self.assertFalse(ahead.sputnik_xyz, "no spend in the past years yet")


@tagged("post_install", "-at_install")
class TestChurnAndNextTrip(ClassificationCase):
    def test_churn_risk(self):
        booked = self.client_("Booked ahead")
        self.trip(booked, 500)
        self.trip(booked, -20)
        low = self.client_("Low")
        self.trip(low, 207)  # returned 200 days ago, a year is usual
        medium = self.client_("Medium")
        self.trip(medium, 407)
        high = self.client_("High")
        self.trip(high, 557)
        self.classify()
        self.assertEqual(booked.sputnik_churn_risk, "low")
        self.assertEqual(booked.sputnik_churn_score, 0)
        self.assertEqual(low.sputnik_churn_risk, "low")
        self.assertEqual(low.sputnik_churn_score, 27)  # 200 / 365 x 50
        self.assertEqual(medium.sputnik_churn_risk, "medium")
        self.assertEqual(high.sputnik_churn_risk, "high")

    def test_expected_next_trip_and_call(self):
        yearly = self.client_("Every summer")
        self.trip(yearly, 730 + 55)
        self.trip(yearly, 365 + 55)
        self.trip(yearly, 55)
        booked = self.client_("Booked")
        self.trip(booked, -40)
        far = self.client_("Far")
        self.trip(far, 200)
        Activity = self.env["mail.activity"]
        before = Activity.search_count([("res_model", "=", "res.partner")])

        self.classify()
        calls_planned = self.plan_calls()

        # last trip 55 days ago, a trip every 365 days: the next in 310 days
        self.assertEqual(
            yearly.sputnik_next_trip_date,
            self.today - relativedelta(days=55) + relativedelta(days=365),
        )
        self.assertEqual(
            booked.sputnik_next_trip_date, self.today + relativedelta(days=40)
        )
        self.assertTrue(booked.sputnik_next_trip_booked)
        # one trip: its anniversary (a calendar year on), 165 days ahead
        # unless a 29 February lies between
        self.assertEqual(
            far.sputnik_next_trip_date,
            self.today - relativedelta(days=200) + relativedelta(years=1),
        )
        self.assertEqual(calls_planned, 0)

        soon = self.client_("Soon")
        self.trip(soon, 320)  # expected in 45 days: a call now
        self.classify()
        self.assertEqual(self.plan_calls(), 1)
        calls = Activity.search(
            [("res_model", "=", "res.partner"), ("res_id", "=", soon.id)]
        )
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.user_id, self.agent)
        self.assertEqual(calls.date_deadline, self.today)
        self.assertEqual(soon.sputnik_next_trip_call_date, soon.sputnik_next_trip_date)
        # once per expected trip, however often it runs
        self.classify()
        self.assertEqual(self.plan_calls(), 0)
        self.assertEqual(
            Activity.search_count([("res_model", "=", "res.partner")]), before + 1
        )


@tagged("post_install", "-at_install")
class TestRunsAndHistory(ClassificationCase):
    def test_second_run_writes_nothing(self):
        client = self.client_("Twice")
        self.trip(client, 30)
        first = self.classify()
        self.assertGreaterEqual(first.changed_count, 1)
        history = client.sputnik_class_history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.lifecycle_old, history.lifecycle_new, history.source),
            (False, "new", "manual"),
        )
        write_date = client.write_date
        second = self.classify()
        self.assertEqual((second.changed_count, second.history_count), (0, 0))
        self.assertEqual(client.write_date, write_date)
        self.assertEqual(len(client.sputnik_class_history_ids), 1)

    def test_history_records_only_class_changes(self):
        client = self.client_("Changes")
        self.trip(client, 30, margin=1000.0)
        self.classify()
        # a figure changes (margin), no class does: no history line
        order = self.trip(client, 25, margin=1000.0)
        order.write({"state": "cancel"})
        client.sale_order_ids.filtered(lambda o: o.state == "sale").order_line.write(
            {"purchase_price": 28500.0}
        )
        run = self.classify()
        self.assertEqual(client.sputnik_margin_total, 1500.0)
        self.assertEqual(run.history_count, 0)
        self.assertEqual(len(client.sputnik_class_history_ids), 1)
        # a second trip: new -> regular is recorded
        self.trip(client, 10)
        self.classify()
        last = client.sputnik_class_history_ids[0]
        self.assertEqual((last.lifecycle_old, last.lifecycle_new), ("new", "regular"))
        self.assertTrue(last.lifecycle_changed)

    def test_incremental_agrees_with_full(self):
        clients = [self.client_(f"Base {i}") for i in range(6)]
        for i, client in enumerate(clients):
            for k in range(i + 1):
                self.trip(client, 30 + 60 * i + 5 * k, margin=1000.0 * (i + 1))
        self.classify()
        client = clients[2]
        self.trip(client, 5, margin=8000.0)
        client._sputnik_classify(source="booking")
        fields_ = CLASSES
        incremental = client.read(fields_)[0]
        self.assertEqual(incremental["sputnik_trip_count"], 4)
        self.assertEqual(client.sputnik_class_history_ids[0].source, "booking")
        self.classify()
        client.invalidate_recordset()
        self.assertEqual(client.read(fields_)[0], incremental)

    def test_confirmation_and_cancellation_update_the_client(self):
        self.company.sputnik_deposit_percent = 0.0
        departure = make_departure(self.env, self.tour, start_in_days=60)
        buy_seats(self.env, departure, 2)
        traveller = make_travellers(self.env, 1, prefix="Classified")
        traveller.customer_rank = 1
        self.classify()
        self.assertEqual(traveller.sputnik_lifecycle, "prospect")
        booking = make_booking(self.env, departure, traveller)
        confirm(booking.with_user(self.agent))
        self.classify_queued()
        self.assertEqual(traveller.sputnik_lifecycle, "new")
        self.assertEqual(traveller.sputnik_trip_count, 1)
        self.assertTrue(traveller.sputnik_next_trip_booked)
        self.assertEqual(traveller.sputnik_class_history_ids[0].source, "booking")
        booking.with_user(self.agent)._action_cancel()
        self.classify_queued()
        self.assertEqual(traveller.sputnik_lifecycle, "prospect")
        self.assertEqual(traveller.sputnik_trip_count, 0)

    def test_many_updates_in_one_transaction(self):
        """A batch of confirmations in one transaction re-classifies client after
        client without piling up a lock per update (the lock table is small)."""
        client = self.client_("Batch")
        self.trip(client, 30)
        self.classify()

        def locks():
            self.env.cr.execute(
                "SELECT COUNT(*) FROM pg_locks WHERE pid = pg_backend_pid()"
            )
            return self.env.cr.fetchone()[0]

        client._sputnik_classify(source="booking")
        before = locks()
        for _i in range(40):
            client._sputnik_classify(source="booking")
        self.assertLessEqual(locks() - before, 2)
        self.assertEqual(client.sputnik_lifecycle, "new")

    def test_write_guard_and_access(self):
        client = self.client_("Guarded")
        self.trip(client, 30)
        self.classify()
        for user in (self.agent, self.manager):
            with self.assertRaises(UserError):
                client.with_user(user).write({"sputnik_lifecycle": "vip"})
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.manager).create(
                {"name": "Imported VIP", "sputnik_lifecycle": "vip"}
            )
        # agents read the classes; users outside Sputnik do not see them
        self.assertEqual(client.with_user(self.agent).sputnik_lifecycle, "new")
        with self.assertRaises(AccessError):
            client.with_user(self.outsider).read(["sputnik_lifecycle"])
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.agent).action_sputnik_classify()

    def test_classify_now_from_the_runs_list(self):
        """The runs list's header button, as the web client calls it (with the
        selected ids, here none): a manager's run is logged."""
        Run = self.env["sputnik.classification.run"].with_user(self.manager)
        before = Run.search_count([])
        action = call_kw(Run, "action_sputnik_classify_now", [[]], {})
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(Run.search_count([]), before + 1)


@tagged("post_install", "-at_install")
class TestStoredCuts(ClassificationCase):
    """Above the scan limit (here 0), a booking places its client against the
    cuts the last full run stored, without reading the base."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "sputnik_crm.classification_scan_limit", "0"
        )
        # ten clients; the fifth (3 trips, margin 3000) is the most recent
        trips = (1, 1, 2, 2, 3, 5, 6, 6, 7, 7)
        margins = (500, 1500, 1000, 1250, 1000, 1000, 1000, 1200, 1200, 1500)
        self.clients = [self.client_(f"Cut {i}") for i in range(10)]
        for i, client in enumerate(self.clients):
            first = 20 if i == 4 else 60 + 10 * i
            for k in range(trips[i]):
                self.trip(client, first + 30 * k, margin=float(margins[i]))
        self.client = self.clients[4]

    def test_booking_agrees_with_the_next_full_run(self):
        run = self.classify()
        self.assertEqual(run.cuts["base_count"], 10)
        # ten distinct recencies (13, 53, 63, ... 143 days) and margins (500,
        # 1500, 2000, 2500, 3000, 5000, 6000, 7200, 8400, 10500): the i-th has
        # the share (2 i + 1) / 20, so scores 5 5 4 4 3 3 2 2 1 1 (R) and
        # 1 1 2 2 3 3 4 4 5 5 (M); the cuts are where they change
        self.assertEqual(run.cuts["r"], [53, 73, 103, 123])
        self.assertEqual(run.cuts["m"], [2000, 3000, 6000, 8400])
        self.assertNotIn("f", run.cuts, "F is a band of trips, no cut")
        # a booking ahead: the most recent still, in the middle of F and M
        self.trip(self.client, -30, margin=1000.0)
        self.client._sputnik_classify(source="booking")
        booked = self.client.read(CLASSES)[0]
        self.assertEqual(
            [booked[name] for name in CLASSES[:4]] + [booked["sputnik_rfm_m"]],
            ["regular", "potential", "a", "z", 3],
        )
        self.assertEqual(booked["sputnik_trip_count"], 4)
        self.classify()
        self.client.invalidate_recordset()
        self.assertEqual(self.client.read(CLASSES)[0], booked)

    def test_stored_cuts_place_the_client(self):
        run = self.classify()
        self.assertEqual(self.client.sputnik_rfm_m, 3)
        # the cuts of the run, not those of the base, place a booked client
        # sudo: the run log is written by the system only
        run.sudo().cuts = dict(run.cuts, m=[0, 0, 0, 0], cut_a=100000)
        self.trip(self.client, -30, margin=1000.0)
        self.client._sputnik_classify(source="booking")
        self.assertEqual((self.client.sputnik_rfm_m, self.client.sputnik_abc), (5, "b"))
        # a day later, a recency cut counts that day too (0 stays 0)
        Classification = self.env["sputnik.classification"]
        params = Classification._params()
        # (None: no client had that score, and none has it a day later)
        run.sudo().cuts = dict(
            run.cuts,
            r=[None, 0, 73, 123],
            date=fields.Date.to_string(params["today"] - relativedelta(days=1)),
        )
        run.flush_recordset()
        self.assertEqual(Classification._stored_cuts(params)["r"], [None, 0, 74, 124])
        # cuts taken with other settings are not used: the base is read
        self.company.sputnik_abc_b = 10.0
        self.assertIsNone(Classification._stored_cuts(Classification._params()))
        self.client._sputnik_classify(source="booking")
        self.assertEqual((self.client.sputnik_rfm_m, self.client.sputnik_abc), (3, "a"))


@tagged("post_install", "-at_install")
class TestOverridesAndTiers(ClassificationCase):
    def test_override_kept_until_lifted(self):
        client = self.client_("Overridden")
        self.trip(client, 30)
        self.classify()
        self.assertEqual(client.sputnik_lifecycle, "new")
        Override = self.env["sputnik.client.class.override"]
        with self.assertRaises(AccessError):
            Override.with_user(self.agent).create(
                {
                    "partner_id": client.id,
                    "dimension": "lifecycle",
                    "lifecycle": "vip",
                    "reason": "Agent's wish",
                }
            )
        with self.assertRaises(UserError):
            Override.with_user(self.manager).create(
                {"partner_id": client.id, "dimension": "lifecycle", "reason": "?"}
            )
        override = Override.with_user(self.manager).create(
            {
                "partner_id": client.id,
                "dimension": "lifecycle",
                "lifecycle": "vip",
                "reason": "Owner of our partner hotel",
            }
        )
        self.assertEqual(client.sputnik_lifecycle, "vip")
        self.assertEqual(client.sputnik_class_history_ids[0].source, "override")
        self.assertEqual(self.classify().changed_count, 0)
        self.assertEqual(client.sputnik_lifecycle, "vip")
        self.assertIn("Owner of our partner hotel", client.sputnik_class_explanation)
        with self.assertRaises(UserError):
            override.with_user(self.manager).write({"lifecycle": "lost"})
        # a new override on the same class replaces the old one
        second = Override.with_user(self.manager).create(
            {
                "partner_id": client.id,
                "dimension": "lifecycle",
                "lifecycle": "regular",
                "reason": "Travels with the family every year",
            }
        )
        self.assertFalse(override.active)
        self.assertEqual(client.sputnik_lifecycle, "regular")
        second.with_user(self.manager).action_lift()
        self.assertEqual(client.sputnik_lifecycle, "new")
        self.assertEqual(second.lifted_uid, self.manager)

    def test_tier_and_pricelist(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Gold 5 %",
                "item_ids": [
                    Command.create(
                        {
                            "compute_price": "percentage",
                            "percent_price": 5.0,
                            "applied_on": "3_global",
                        }
                    )
                ],
            }
        )
        Tier = self.env["sputnik.loyalty.tier"]
        silver = Tier.create({"name": "Silver", "sequence": 1, "min_trips": 2})
        gold = Tier.create(
            {
                "name": "Gold",
                "sequence": 2,
                "min_trips": 3,
                "min_margin": 9000.0,
                "pricelist_id": pricelist.id,
            }
        )
        one, two, three, rich = (self.client_(n) for n in ("1", "2", "3", "rich"))
        self.trip(one, 30)
        for client, trips in ((two, 2), (three, 3), (rich, 3)):
            for k in range(trips):
                self.trip(client, 30 + k, margin=2999.0 if client == three else 3000.0)
        self.classify()
        self.assertFalse(one.sputnik_tier_id)
        self.assertEqual(two.sputnik_tier_id, silver)
        self.assertEqual(three.sputnik_tier_id, silver, "8,997 margin: not gold")
        self.assertEqual(rich.sputnik_tier_id, gold)
        self.assertEqual(gold.partner_count, 1)
        quotation = self.env["sale.order"].create({"partner_id": rich.id})
        self.assertEqual(quotation.pricelist_id, pricelist)


@tagged("post_install", "-at_install")
class TestPaymentDiscipline(ClassificationCase):
    def test_paid_on_time_and_days_late(self):
        client = self.client_("Payer")
        self.trip(client, 30)
        due = self.today - relativedelta(days=40)

        def invoice(amount):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": client.id,
                    "invoice_date": due - relativedelta(days=10),
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.invoice_payment_term_id = False
            move.invoice_date_due = due
            move.action_post()
            return move

        def pay(move, date):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"payment_date": date})._create_payments()

        on_time, late, open_ = invoice(1000.0), invoice(2000.0), invoice(3000.0)
        self.classify()
        # three open invoices, 40 days overdue: none paid on time, each late
        # until today (40 days)
        self.assertEqual(client.sputnik_paid_invoice_count, 3)
        self.assertEqual(client.sputnik_paid_on_time_rate, 0.0)
        self.assertEqual(client.sputnik_avg_days_late, 40.0)
        # a paid invoice queues the client, classified just after the
        # payment's request: (0 + 40 + 40) / 3
        pay(on_time, due - relativedelta(days=1))
        self.assertEqual(self.queued(client), [(client.id, "invoice")])
        self.assertEqual(client.sputnik_paid_on_time_rate, 0.0)
        self.classify_queued()
        self.assertEqual(self.queued(client), [])
        self.assertEqual(client.sputnik_paid_on_time_rate, 33.3)
        self.assertEqual(client.sputnik_avg_days_late, 26.7)
        # paid 10 days late: (0 + 10 + 40) / 3
        pay(late, due + relativedelta(days=10))
        self.classify_queued()
        self.assertEqual(client.sputnik_paid_invoice_count, 3)
        self.assertEqual(client.sputnik_paid_on_time_rate, 33.3)
        self.assertEqual(client.sputnik_avg_days_late, 16.7)
        # a run with nothing new changes nothing
        self.assertEqual(self.classify().changed_count, 0)
        self.assertEqual(
            client.sputnik_class_history_ids.mapped("source")[:1], ["manual"]
        )
        self.assertEqual(open_.payment_state, "not_paid")


@tagged("post_install", "-at_install")
class TestClassificationQueue(ClassificationCase):
    """A confirmation, a cancellation or a paid invoice queues its client; the
    queue's cron classifies the queued clients just after the request, as a
    full run would."""

    def setUp(self):
        super().setUp()
        self.company.sputnik_deposit_percent = 30.0
        self.departure = make_departure(self.env, self.tour, start_in_days=60)
        buy_seats(self.env, self.departure, 4)
        self.bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        # a base of a few clients with trips, so that the classes mean something
        for i in range(4):
            client = self.client_(f"Queue Base {i}")
            for k in range(i + 1):
                self.trip(client, 40 + 90 * k + 10 * i, margin=1000.0 * (i + 1))
        self.traveller = make_travellers(self.env, 1, prefix="Queued")
        self.traveller.customer_rank = 1
        self.classify()
        self.classify_queued()
        self.assertEqual(self.queued(), [])

    def test_confirmation_queues_the_client(self):
        client = self.traveller
        self.assertEqual(client.sputnik_lifecycle, "prospect")
        history = client.sputnik_class_history_ids
        booking = make_booking(self.env, self.departure, client)
        confirm(booking.with_user(self.agent))
        self.assertEqual(booking.state, "sale")
        # queued, not classified yet: nothing written on the client
        self.assertEqual(self.queued(), [(client.id, "booking")])
        client.invalidate_recordset()
        self.assertEqual(client.sputnik_lifecycle, "prospect")
        self.assertEqual(client.sputnik_trip_count, 0)
        self.assertEqual(client.sputnik_class_history_ids, history)
        # the cron classifies it: the queue is empty, the client new, the
        # change recorded as the booking's
        results = self.classify_queued()
        self.assertEqual(
            results[self.company.id, "booking"],
            {"client_count": 1, "changed_count": 1, "history_count": 1},
        )
        self.assertEqual(self.queued(), [])
        self.assertEqual(client.sputnik_lifecycle, "new")
        self.assertEqual(client.sputnik_trip_count, 1)
        self.assertTrue(client.sputnik_next_trip_booked)
        self.assertEqual(client.sputnik_class_history_ids[0].source, "booking")
        queued = client.read(CLASSES)[0]
        # a second processing finds nothing to do; the client queued again
        # without any change is read and written nowhere
        self.assertEqual(self.classify_queued(), {})
        self.env["sputnik.classification"]._queue(client)
        written = client.write_date
        self.assertEqual(
            self.classify_queued()[self.company.id, "booking"],
            {"client_count": 1, "changed_count": 0, "history_count": 0},
        )
        client.invalidate_recordset()
        self.assertEqual(client.write_date, written)
        # the same classes as a full run of the base gives it
        self.classify()
        client.invalidate_recordset()
        self.assertEqual(client.read(CLASSES)[0], queued)

    def test_cancellation_and_payment_queue_the_client(self):
        client = self.traveller
        booking = make_booking(self.env, self.departure, client)
        confirm(booking.with_user(self.agent))
        self.classify_queued()
        self.assertEqual(client.sputnik_trip_count, 1)
        # the deposit paid: the client is queued by the invoice
        deposit = booking.invoice_ids
        self.assertEqual(len(deposit), 1)
        register_payment(self.env, deposit, deposit.amount_total, self.today, self.bank)
        self.assertEqual(deposit.payment_state, "paid")
        self.assertEqual(self.queued(), [(client.id, "invoice")])
        self.assertEqual(client.sputnik_paid_invoice_count, 0)
        self.classify_queued()
        self.assertEqual(client.sputnik_paid_invoice_count, 1)
        self.assertEqual(client.sputnik_paid_on_time_rate, 100.0)
        # cancelled: queued again, and no trip once classified
        booking.with_user(self.agent)._action_cancel()
        self.assertEqual(self.queued(), [(client.id, "booking")])
        self.assertEqual(client.sputnik_trip_count, 1)
        self.classify_queued()
        self.assertEqual(self.queued(), [])
        self.assertEqual(client.sputnik_trip_count, 0)
        self.assertEqual(client.sputnik_lifecycle, "prospect")

    def test_one_run_for_many_clients(self):
        """The bookings of several clients, confirmed in several requests,
        are classified in one set-based run (one statement for them all)."""
        clients = make_travellers(self.env, 3, prefix="Batch Queued")
        clients.customer_rank = 1
        for client in clients:
            make_booking(self.env, self.departure, client).with_user(
                self.agent
            ).action_confirm()
        self.assertEqual(self.queued(), [(client.id, "booking") for client in clients])
        results = self.classify_queued()
        self.assertEqual(list(results), [(self.company.id, "booking")])
        self.assertEqual(results[self.company.id, "booking"]["client_count"], 3)
        self.assertEqual(clients.mapped("sputnik_trip_count"), [1, 1, 1])
        self.assertEqual(self.queued(), [])

    def test_full_run_empties_the_queue(self):
        client = self.traveller
        make_booking(self.env, self.departure, client).with_user(
            self.agent
        ).action_confirm()
        self.assertEqual(self.queued(), [(client.id, "booking")])
        self.classify()
        self.assertEqual(client.sputnik_trip_count, 1)
        self.assertEqual(self.queued(), [])


@tagged("post_install", "-at_install")
class TestClassificationLock(BaseCase):
    """A run holds its lock until its transaction ends: a second run at the same
    moment (the cron twice, or a manager during the cron) does not run."""

    def test_second_run_refused_while_one_runs(self):
        registry = Registry(get_db_name())
        with registry.cursor() as cr_first, registry.cursor() as cr_second:
            from odoo import SUPERUSER_ID, api

            first = api.Environment(cr_first, SUPERUSER_ID, {})
            second = api.Environment(cr_second, SUPERUSER_ID, {})
            self.assertTrue(first["res.partner"]._sputnik_classify_all("manual"))
            runs = second["sputnik.classification.run"].search_count([])
            self.assertIsNone(second["res.partner"]._sputnik_classify_all("cron"))
            second["res.partner"]._cron_sputnik_classify()
            self.assertEqual(
                second["sputnik.classification.run"].search_count([]), runs
            )
            manager = second.ref("base.user_admin")
            with self.assertRaises(UserError) as error:
                second["res.partner"].with_user(manager).action_sputnik_classify()
            self.assertIn("running already", str(error.exception))
            cr_first.rollback()
            cr_second.rollback()
            # once the first run is over, the next one runs
            self.assertTrue(second["res.partner"]._sputnik_classify_all("cron"))
            cr_second.rollback()


@tagged("post_install", "-at_install")
class TestClassificationQueueConcurrency(BaseCase):
    """The queue's run takes the rows committed before it started and deletes
    only those; a second run at the same moment leaves the queue to the
    first."""

    def test_runs_and_requests_at_the_same_moment(self):
        from odoo import SUPERUSER_ID, api

        registry = Registry(get_db_name())
        with registry.cursor() as cr_request, registry.cursor() as cr_run:
            request = api.Environment(cr_request, SUPERUSER_ID, {})
            run = api.Environment(cr_run, SUPERUSER_ID, {})
            client = request["res.partner"].create({"name": "Queued Meanwhile"})
            # a request queues the client and has not committed yet
            request["sputnik.classification"]._queue(client)
            # the run does not see that row, and leaves it
            self.assertIsNotNone(run["sputnik.classification"]._classify_queued())
            request.cr.execute(
                "SELECT COUNT(*) FROM sputnik_classification_queue"
                " WHERE partner_id = %s",
                [client.id],
            )
            self.assertEqual(request.cr.fetchone()[0], 1)
            cr_run.rollback()
            # while a run holds the queue, a second one does not run
            self.assertIsNotNone(request["sputnik.classification"]._classify_queued())
            self.assertIsNone(run["sputnik.classification"]._classify_queued())
            cr_request.rollback()
            cr_run.rollback()
