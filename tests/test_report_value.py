"""Survey answers in the service quality report, the client value report and the
segment migrations, on hand-made clients with known answers.

The trips are those of ``ClassificationCase`` (the demo bookings cancelled in
each test); the survey is the after-trip satisfaction survey, answered as a
client would, its CSAT (1-5) and NPS (0-10) questions found by their KPI.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import make_tour
from .test_classification import ClassificationCase


@tagged("post_install", "-at_install")
class TestQualitySurveys(ClassificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env.ref("sputnik_crm.survey_trip_satisfaction")
        cls.questions = {
            question.sputnik_kpi: question
            for question in cls.survey.question_ids
            if question.sputnik_kpi
        }

    def answer(self, order, csat=None, nps=None, test_entry=False, done=True):
        user_input = self.survey._create_answer(
            partner=order.partner_id,
            check_attempts=False,
            test_entry=test_entry,
            sputnik_order_id=order.id,
        )
        for kpi, value in (("csat", csat), ("nps", nps)):
            if value is not None:
                user_input._save_lines(self.questions[kpi], value)
        if done:
            user_input._mark_done()
        return user_input

    def test_csat_and_nps_by_operator_destination_and_month(self):
        client = self.client_("Survey Client")
        other_tour = make_tour(self.env, name="Survey Other Tour", country="base.eg")
        orders = [self.trip(client, 40) for _i in range(5)]
        for order, (csat, nps) in zip(
            orders, ((5, 10), (4, 9), (3, 7), (1, 3), (5, None)), strict=True
        ):
            self.answer(order, csat=csat, nps=nps)
        # last month's answer, a test entry and an unfinished answer do not count
        # in this month
        last_month = self.answer(self.trip(client, 60), csat=2, nps=2)
        last_month.end_datetime = fields.Datetime.now() - relativedelta(months=1)
        self.answer(orders[0], csat=1, nps=0, test_entry=True)
        self.answer(orders[1], csat=1, nps=0, done=False)
        # a trip with another operator, and only its NPS answered
        other_order = self.trip(client, 40)
        other_order.order_line.product_id = (
            self.env["sputnik.departure"]
            .create(
                {
                    "tour_id": other_tour.product_variant_id.product_tmpl_id.id,
                    "date_start": self.today - timedelta(days=40),
                    "date_end": self.today - timedelta(days=33),
                    "allotment_seats": 10,
                }
            )
            .product_id
        )
        self.answer(other_order, nps=10)
        # a satisfaction logged by an agent still counts in CSAT
        self.env["sputnik.interaction"].create(
            {
                "name": "Called after the trip",
                "interaction_type": "feedback",
                "partner_id": client.id,
                "order_id": orders[0].id,
                "satisfaction": "2",
            }
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Report = self.env["sputnik.quality.report"]
        domain = [("partner_id", "=", client.id), ("kind", "in", ("survey", "answer"))]
        measures = [
            "answer_count:sum",
            "satisfied_count:sum",
            "csat:avg",
            "nps_answer_count:sum",
            "promoter_count:sum",
            "detractor_count:sum",
            "nps:avg",
        ]
        this_month = fields.Date.context_today(Report).replace(day=1)
        groups = {
            (operator, month, kind): values
            for operator, month, kind, *values in Report._read_group(
                domain, ["operator_id", "date:month", "kind"], measures
            )
        }
        operator = self.tour.sputnik_operator_id
        other_operator = other_tour.sputnik_operator_id
        previous = this_month - relativedelta(months=1)
        # the answers of the month: 5 CSAT answers, 3 satisfied; NPS 10, 9, 7, 3
        survey = groups[operator, this_month, "survey"]
        self.assertEqual(survey[:2], [5, 3])
        self.assertAlmostEqual(survey[2], 60.0)
        self.assertEqual(survey[3:6], [4, 2, 1])
        self.assertAlmostEqual(survey[6], 25.0)
        # last month: one detractor, one dissatisfied
        survey = groups[operator, previous, "survey"]
        self.assertEqual(survey[:2], [1, 0])
        self.assertAlmostEqual(survey[2], 0.0)
        self.assertEqual(survey[3:6], [1, 0, 1])
        self.assertAlmostEqual(survey[6], -100.0)
        # NPS only: no CSAT answer, no CSAT
        survey = groups[other_operator, this_month, "survey"]
        self.assertEqual(survey[:2], [0, 0])
        self.assertFalse(survey[2])
        self.assertAlmostEqual(survey[6], 100.0)
        # the interactions the surveys recorded are not counted twice: the one
        # logged by hand is
        logged = groups[operator, this_month, "answer"]
        self.assertEqual(logged[:2], [1, 0])
        self.assertEqual(
            set(groups),
            {
                (operator, this_month, "survey"),
                (operator, previous, "survey"),
                (other_operator, this_month, "survey"),
                (operator, this_month, "answer"),
            },
        )
        # pooled over operators and kinds, from the sums: CSAT 3 / 7, NPS 1 / 6
        total = Report._read_group(domain, [], measures)[0]
        self.assertEqual(total[0], 7)
        self.assertAlmostEqual(total[2], 300.0 / 7)
        self.assertEqual(total[3:6], (6, 3, 2))
        self.assertAlmostEqual(total[6], 100.0 / 6)
        # by destination
        by_destination = dict(
            Report._read_group(
                domain + [("kind", "=", "survey")], ["destination_id"], ["nps:avg"]
            )
        )
        self.assertAlmostEqual(by_destination[self.tour.sputnik_destination_id], 0.0)
        self.assertAlmostEqual(by_destination[other_tour.sputnik_destination_id], 100.0)
        # a survey row opens its answer for a manager, the booking for an agent
        row = Report.search(
            [("order_id", "=", other_order.id), ("kind", "=", "survey")]
        )
        self.assertEqual(len(row), 1)
        action = row.action_open_record()
        self.assertEqual(action["res_model"], "survey.user_input")
        action = row.with_user(self.agent).action_open_record()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", other_order.id)
        )


@tagged("post_install", "-at_install")
class TestClientValue(ClassificationCase):
    def make_base(self):
        margins = (700.0, 200.0, 60.0, 40.0)
        clients = [self.client_(f"Value {m}") for m in margins]
        for client, margin in zip(clients, margins, strict=True):
            self.trip(client, 30, revenue=10000.0, margin=margin)
        prospect = self.client_("Value prospect")
        return clients, prospect

    def test_distribution_by_abc(self):
        clients, prospect = self.make_base()
        self.classify()
        everyone = self.env["res.partner"].concat(*clients, prospect)
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Report = self.env["sputnik.value.report"]
        groups = {
            abc: values
            for abc, *values in Report._read_group(
                [("partner_id", "in", everyone.ids)],
                ["abc"],
                [
                    "client_count:sum",
                    "trip_count:sum",
                    "revenue:sum",
                    "clv_historic:sum",
                    "clv_historic_avg:avg",
                    "clv_predicted:sum",
                ],
            )
        }
        # 700 and 200 make A (the client crossing 80 % is A), 60 B, 40 C
        self.assertEqual(set(groups), {"a", "b", "c", False})
        self.assertEqual(groups["a"][:5], [2, 2, 20000.0, 900.0, 450.0])
        self.assertEqual(groups["b"][:4], [1, 1, 10000.0, 60.0])
        self.assertEqual(groups["c"][:4], [1, 1, 10000.0, 40.0])
        self.assertEqual(groups[False][:4], [1, 0, 0.0, 0.0])
        self.assertAlmostEqual(
            groups["a"][5], sum(c.sputnik_clv_predicted for c in clients[:2])
        )
        row = Report.search([("partner_id", "=", clients[0].id)])
        self.assertEqual(
            (row.lifecycle, row.rfm_segment, row.tier_id, row.churn_risk),
            (
                clients[0].sputnik_lifecycle,
                clients[0].sputnik_rfm_segment,
                clients[0].sputnik_tier_id,
                clients[0].sputnik_churn_risk,
            ),
        )
        self.assertEqual(row.user_id, self.agent)
        self.assertEqual(row.currency_id, self.company.currency_id)
        action = row.action_open_record()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", clients[0].id)
        )
        self.assertEqual(
            Report.search([("partner_id", "=", prospect.id)]).lifecycle, "prospect"
        )

    def test_abc_migrations_of_a_period(self):
        clients, prospect = self.make_base()
        self.classify()
        # the first classification, a month and more ago
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        self.env.cr.execute(
            "UPDATE sputnik_client_class_history SET date = date - interval '40 days'"
            " WHERE partner_id IN %s",
            (tuple(c.id for c in clients),),
        )
        History = self.env["sputnik.client.class.history"]
        History.invalidate_model(["date"])
        # the 40 client books a big trip: 2040, 700 A; 200 B; 60 C
        self.trip(clients[3], 20, revenue=20000.0, margin=2000.0)
        self.classify()
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        now = fields.Datetime.now()
        period = [
            ("partner_id", "in", [c.id for c in clients] + [prospect.id]),
            ("date", ">=", now - timedelta(days=1)),
            ("date", "<=", now + timedelta(days=1)),
        ]
        moves = {
            (old, new): count
            for old, new, count in History._read_group(
                [*period, ("abc_changed", "=", True)],
                ["abc_old", "abc_new"],
                ["__count"],
            )
        }
        self.assertEqual(moves, {("a", "b"): 1, ("b", "c"): 1, ("c", "a"): 1})
        line = History.search([*period, ("partner_id", "=", clients[3].id)])
        self.assertTrue(line.abc_changed)
        self.assertFalse(line.xyz_changed or line.tier_changed)
        # before the period: the first classification, from nothing to a class
        before = History._read_group(
            [
                ("partner_id", "in", [c.id for c in clients]),
                ("date", "<", now - timedelta(days=1)),
                ("abc_changed", "=", True),
            ],
            ["abc_old", "abc_new"],
            ["__count"],
        )
        self.assertEqual(
            sorted(before), [(False, "a", 2), (False, "b", 1), (False, "c", 1)]
        )
        # one client moving: counted once among the clients
        clients_moved = History._read_group(
            [*period, ("abc_changed", "=", True)], [], ["partner_id:count_distinct"]
        )[0][0]
        self.assertEqual(clients_moved, 3)

    def test_agent_manager_and_companies(self):
        agent2 = new_test_user(
            self.env,
            login="sputnik_agent2_value_test",
            name="Second Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        other = self.env["res.company"].create({"name": "Value Other Company"})
        mine = self.client_("Value Mine")
        theirs = self.client_("Value Theirs", user_id=agent2.id)
        unassigned = self.client_("Value Unassigned", user_id=False)
        elsewhere = self.client_("Value Elsewhere")
        clients = mine | theirs | unassigned | elsewhere
        for client in clients:
            self.trip(client, 30)
        self.classify()
        self.env.flush_all()
        # a client of the other company, written straight: its booking stays
        self.env.cr.execute(
            "UPDATE res_partner SET company_id = %s WHERE id = %s",
            (other.id, elsewhere.id),
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Report = self.env["sputnik.value.report"]
        domain = [("partner_id", "in", clients.ids)]
        self.assertEqual(Report.search(domain).partner_id, clients)
        self.assertEqual(
            Report.with_user(self.agent).search(domain).partner_id, mine | unassigned
        )
        self.assertEqual(
            Report.with_user(self.manager).search(domain).partner_id,
            mine | theirs | unassigned,
        )
        with self.assertRaises(AccessError):
            Report.with_user(self.outsider).search(domain)
