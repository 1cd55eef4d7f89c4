"""The effectiveness reports on hand-made clients with known answers.

The trips are those of ``ClassificationCase`` (confirmed bookings written
straight to the confirmed state, the demo bookings cancelled in each test), with
a dormancy of 12 months and a loss at 24 months. ``m0`` is the first day of the
month three months before today's, ``end0`` its last day.
"""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_classification import ClassificationCase


class ReportCase(ClassificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.m0 = cls.today.replace(day=1) - relativedelta(months=3)
        cls.end0 = cls.m0 + relativedelta(months=1, days=-1)

    def trip_on(self, client, start, nights=0, **kwargs):
        return self.trip(client, (self.today - start).days, nights=nights, **kwargs)

    def rows(self, model, clients, **domain):
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        return self.env[model].search(
            [("partner_id", "in", clients.ids)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def group(self, model, clients, measures, domain=()):
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        return self.env[model]._read_group(
            [("partner_id", "in", clients.ids), *domain], [], measures
        )[0]

    def stored(self, model, domain=()):
        """The rows of a stored report, computed now (the other clients' trips
        are cancelled: only the test's clients count)."""
        Report = self.env[model]
        Report._sputnik_refresh()
        return Report.search(list(domain))

    def by_status(self, date):
        """Client Base Dynamics rows of a month by (status at start, at end),
        with the clients of each."""
        rows = self.stored("sputnik.client.dynamics.report", [("date", "=", date)])
        return {
            (row.status_start, row.status_end): (row, row._clients()) for row in rows
        }


@tagged("post_install", "-at_install")
class TestClientDynamics(ReportCase):
    def make_base(self):
        """Seven clients around month m0:

        - A left and came back on the last day of the month before m0: new then;
        - B left on the first day of m0: new in m0;
        - C came back exactly 12 months before end0: still active at its end;
        - C2 a day earlier: dormant at the end of m0;
        - D came back 24 months and a day before end0: lost in m0;
        - D2 a day later: still dormant at the end of m0;
        - E, dormant, travels again in m0: returning and reactivated.
        """
        m0, end0 = self.m0, self.end0
        base = {}
        for name in ("A", "B", "C", "C2", "D", "D2", "E"):
            base[name] = self.client_(f"Dynamics {name}")
        self.trip_on(base["A"], m0 - timedelta(days=1))
        self.trip_on(base["B"], m0)
        self.trip_on(base["C"], end0 - relativedelta(months=12))
        self.trip_on(base["C2"], end0 - relativedelta(months=12) - timedelta(days=1))
        self.trip_on(base["D"], end0 - relativedelta(months=24) - timedelta(days=1))
        self.trip_on(base["D2"], end0 - relativedelta(months=24))
        self.trip_on(base["E"], m0 - timedelta(days=400), nights=7)
        self.trip_on(base["E"], m0 + timedelta(days=9), nights=7)
        return base

    def test_month_flags(self):
        base = self.make_base()
        rows = self.by_status(self.m0)
        flags = (
            "active_start",
            "active_end",
            "new_client",
            "returning_client",
            "reactivated",
            "became_dormant",
            "became_lost",
        )
        expected = {
            ("active", "active"): (("A", "C"), (2, 2, 0, 0, 0, 0, 0)),
            ("none", "active"): (("B",), (0, 1, 1, 0, 0, 0, 0)),
            ("active", "dormant"): (("C2",), (1, 0, 0, 0, 0, 1, 0)),
            ("dormant", "lost"): (("D",), (0, 0, 0, 0, 0, 0, 1)),
            ("dormant", "dormant"): (("D2",), (0, 0, 0, 0, 0, 0, 0)),
            ("dormant", "active"): (("E",), (0, 1, 0, 1, 1, 0, 0)),
        }
        self.assertEqual(set(rows), set(expected))
        for statuses, (names, values) in expected.items():
            row, clients = rows[statuses]
            self.assertEqual(
                clients,
                self.env["res.partner"].concat(*(base[name] for name in names)),
                statuses,
            )
            self.assertEqual(tuple(row[flag] for flag in flags), values, f"{statuses}")
            self.assertEqual(row.client_count, len(names))
            self.assertEqual(row.user_id, self.agent)
            self.assertEqual(row.company_id, self.company)
        # the clients of a row open as a list
        action = rows[("dormant", "active")][0].action_open_clients()
        self.assertEqual(action["res_model"], "res.partner")
        self.assertEqual(action["domain"], [("id", "in", base["E"].ids)])
        # the trip on the last day of the month before made A new then
        before = self.by_status(self.m0 - relativedelta(months=1))
        row, clients = before[("none", "active")]
        self.assertEqual(clients, base["A"])
        self.assertEqual(row.new_client, 1)
        # C crosses the dormancy threshold in the next month
        row, clients = self.by_status(self.m0 + relativedelta(months=1))[
            ("active", "dormant")
        ]
        self.assertEqual(clients, base["C"])
        self.assertEqual(row.became_dormant, 1)
        # one row a month from the first trip to the current month
        months = self.env["sputnik.client.dynamics.report"].search(
            [("date", ">=", self.m0)]
        )
        self.assertEqual(
            sorted(set(months.mapped("date"))),
            [self.m0 + relativedelta(months=n) for n in range(4)],
        )
        self.assertEqual(max(months.mapped("date")), self.today.replace(day=1))
        self.assertEqual(
            sum(
                months.filtered(lambda r: r.date == self.today.replace(day=1)).mapped(
                    "client_count"
                )
            ),
            7,
        )

    def test_figures_wait_for_the_refresh(self):
        """The stored report counts the bookings confirmed until its last
        computation; a refresh counts the new ones."""
        Dynamics = self.env["sputnik.client.dynamics.report"]
        Dynamics._sputnik_refresh()
        month = self.today.replace(day=1)
        self.assertFalse(Dynamics.search([("date", "=", month)]))
        newcomer = self.client_("Dynamics Newcomer")
        self.trip(newcomer, 1)
        self.env.flush_all()
        self.assertFalse(Dynamics.search([("date", "=", month)]))
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        row = Dynamics.search([("date", "=", month)])
        self.assertEqual(
            (row.status_start, row.status_end, row.new_client), ("none", "active", 1)
        )
        self.assertTrue(row.computed_on)
        # managers refresh from the menu; agents may not
        with self.assertRaises(AccessError):
            self.env["sputnik.report.mixin"].with_user(
                self.agent
            ).action_sputnik_refresh()
        action = (
            self.env["sputnik.report.mixin"]
            .with_user(self.manager)
            .action_sputnik_refresh()
        )
        self.assertEqual(action["tag"], "display_notification")
        # the menu shows to managers, through the action it opens
        menu = self.env.ref("sputnik_crm.sputnik_report_refresh_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.agent)._visible_menu_ids())
        result = menu.action.with_user(self.manager).run()
        self.assertEqual(result["tag"], "display_notification")

    def test_rates_per_month_and_kpis(self):
        self.make_base()
        self.stored("sputnik.client.dynamics.report")
        totals = self.env["sputnik.client.dynamics.report"]._read_group(
            [("date", "=", self.m0)],
            [],
            [
                "active_start:sum",
                "active_end:sum",
                "new_client:sum",
                "became_lost:sum",
                "client_count:sum",
                "repeat_client:sum",
                "retention_rate:avg",
                "churn_rate:avg",
                "repeat_rate:avg",
            ],
        )[0]
        self.assertEqual(totals[:6], (3, 4, 1, 1, 7, 1))
        # S = A, C, C2; A and C still active at the end (B is new, E
        # reactivated: neither was in S); C2 fell asleep
        self.assertAlmostEqual(totals[6], 100.0 * 2 / 3)
        self.assertAlmostEqual(totals[7], 100.0 / 3)
        self.assertAlmostEqual(totals[8], 100.0 / 7)
        self.assertAlmostEqual(totals[6] + totals[7], 100.0)

        kpis = self.env["sputnik.client.dynamics.report"]._sputnik_kpis(
            self.m0, self.end0, self.company
        )
        self.assertEqual(
            {
                key: kpis[key]
                for key in (
                    "active_start",
                    "active_end",
                    "new",
                    "lost",
                    "clients",
                    "repeat_clients",
                )
            },
            {
                "active_start": 3,
                "active_end": 4,
                "new": 1,
                "lost": 1,
                "clients": 7,
                "repeat_clients": 1,
            },
        )
        self.assertEqual(kpis["retained"], 2)
        self.assertAlmostEqual(kpis["retention_rate"], 100.0 * 2 / 3)
        self.assertAlmostEqual(kpis["churn_rate"], 100.0 / 3)
        self.assertAlmostEqual(kpis["repeat_rate"], 100.0 / 7)

        # over the quarter up to today: the booked-ahead client counts as new
        ahead = self.client_("Dynamics F")
        self.trip(ahead, -30)
        kpis = self.env["sputnik.client.dynamics.report"]._sputnik_kpis(
            self.m0, self.today + timedelta(days=90), self.company.id
        )
        self.assertEqual(kpis["active_start"], 3)
        self.assertEqual(kpis["new"], 2)
        self.assertEqual(kpis["clients"], 8)
        # C fell asleep the month after m0, C2 in m0: A, B, E and F are left;
        # D and D2 were lost
        self.assertEqual(kpis["active_end"], 4)
        self.assertEqual(kpis["lost"], 2)
        # of S (A, C, C2) only A is still active: E and F do not count
        self.assertEqual(kpis["retained"], 1)
        self.assertAlmostEqual(kpis["retention_rate"], 100.0 / 3)
        self.assertAlmostEqual(kpis["churn_rate"], 100.0 * 2 / 3)

    def test_kpis_empty_period_and_other_company(self):
        other = self.env["res.company"].create({"name": "Dynamics Other Company"})
        kpis = self.env["sputnik.client.dynamics.report"]._sputnik_kpis(
            self.m0, self.end0, self.company
        )
        self.assertEqual(kpis["active_start"], 0)
        self.assertIsNone(kpis["retention_rate"])
        self.assertIsNone(kpis["churn_rate"])
        with self.assertRaises(AccessError):
            self.env["sputnik.client.dynamics.report"].with_user(
                self.agent
            )._sputnik_kpis(self.m0, self.end0, other)

    def test_stocks_of_several_months_are_not_summed(self):
        """A stock (active at the start / at the end, clients with a trip) of
        several months is the stock at the start of the first month or at the
        end of the last one; a flow (new, became dormant) is their sum.

        Months m0 and m1 (the month after it), dormancy 12 months:

        - P leaves on m0's third day: new in m0, active at both ends;
        - R came back 12 months before m1's sixth day: active at the start of
          m0 and at its end, dormant at the end of m1 (its return is then
          more than 12 months old): active at the start of m1 too;
        - Q and T leave in m1: new in m1.

        So m0: active at start 1 (R), at end 2 (P, R), clients 2, new 1;
        m1: active at start 2 (P, R), at end 3 (P, Q, T), clients 4, new 2,
        became dormant 1 (R). Over both months: active at start 1 (m0's,
        not 1 + 2), active at end 3 (m1's, not 2 + 3), clients 4 (not 2 + 4),
        new 1 + 2 = 3, became dormant 0 + 1 = 1."""
        m0 = self.m0
        m1 = m0 + relativedelta(months=1)
        clients = {name: self.client_(f"Stock {name}") for name in "PRQT"}
        self.trip_on(clients["P"], m0 + timedelta(days=2))
        self.trip_on(clients["R"], m1 + timedelta(days=5) - relativedelta(months=12))
        self.trip_on(clients["Q"], m1 + timedelta(days=3))
        self.trip_on(clients["T"], m1 + timedelta(days=10))
        Dynamics = self.env["sputnik.client.dynamics.report"]
        Dynamics._sputnik_refresh()
        domain = [("date", "in", [m0, m1])]
        measures = [
            "active_start:sum",
            "active_end:sum",
            "client_count:sum",
            "new_client:sum",
            "became_dormant:sum",
        ]
        # each month alone: its own sums
        months = Dynamics._read_group(domain, ["date:month"], measures)
        self.assertEqual(months, [(m0, 1, 2, 2, 1, 0), (m1, 2, 3, 4, 2, 1)])
        # the total of the two months (a pivot's Total row)
        self.assertEqual(Dynamics._read_group(domain, [], measures)[0], (1, 3, 4, 3, 1))
        # the pivot reads it the same way
        total = Dynamics.read_group(domain, ["active_end:sum"], [], lazy=False)[0]
        self.assertEqual(total["active_end"], 3)
        # grouped by the status at the start of the month, over both months:
        # "none" is P in m0, Q and T in m1 (at the end of m1: Q and T active);
        # "active" is R in m0, P and R in m1 (at the end of m1: P only; at the
        # start of m0: R). The groups add up to the total.
        groups = Dynamics._read_group(
            domain, ["status_start"], ["active_start:sum", "active_end:sum"]
        )
        self.assertEqual(
            {status: (start, end) for status, start, end in groups},
            {"none": (0, 2), "active": (1, 1)},
        )
        # a group without a row in m0 holds none of the stock at m0's start:
        # (active, active) is R in m0 and P in m1, (active, dormant) R in m1
        # only, (none, active) P in m0, Q and T in m1
        groups = Dynamics._read_group(
            domain, ["status_start", "status_end"], ["active_start:sum"]
        )
        self.assertEqual(
            {(start, end): value for start, end, value in groups},
            {("none", "active"): 0, ("active", "active"): 1, ("active", "dormant"): 0},
        )


@tagged("post_install", "-at_install")
class TestCohorts(ReportCase):
    def test_cohort_shares(self):
        m0 = self.m0
        x, y, z = (self.client_(f"Cohort {name}") for name in "XYZ")
        self.trip_on(x, m0 + timedelta(days=2), nights=7)
        self.trip_on(x, m0 + relativedelta(months=2, days=5), nights=7)
        self.trip_on(y, m0 + timedelta(days=20), nights=7)
        self.trip_on(z, m0 + timedelta(days=27), nights=7)
        self.trip_on(z, m0 + relativedelta(months=1), nights=7)
        self.stored("sputnik.cohort.report")
        groups = self.env["sputnik.cohort.report"]._read_group(
            [],
            ["cohort_date:month", "months_since"],
            ["cohort_size:sum", "retained:sum", "retention_rate:avg"],
        )
        self.assertEqual(
            [(g[1], g[2], g[3], round(g[4], 1)) for g in groups],
            [
                (0, 3, 3, 100.0),
                (1, 3, 1, 33.3),
                (2, 3, 1, 33.3),
                (3, 3, 0, 0.0),
            ],
        )
        self.assertEqual({g[0] for g in groups}, {m0})
        # the clients of a cohort, and those who travelled in a month
        row = self.env["sputnik.cohort.report"].search([("months_since", "=", 1)])
        self.assertEqual((row.cohort_size, row.retained), (3, 1))
        self.assertEqual(row._clients(), x | y | z)
        self.assertEqual(row._clients(travelled=True), z)
        action = row.action_open_travelled()
        self.assertEqual(action["domain"], [("id", "in", z.ids)])
        self.assertEqual(
            row.with_user(self.agent).action_open_cohort()["domain"],
            [("id", "in", (x | y | z).ids)],
        )


@tagged("post_install", "-at_install")
class TestServiceQuality(ReportCase):
    def test_complaints_per_trips_resolution_and_csat(self):
        good, bad = self.client_("Quality Good"), self.client_("Quality Bad")
        start = self.m0 + timedelta(days=3)
        for client in (good, good, good):
            self.trip_on(client, start, nights=7)
        order = self.trip_on(bad, start, nights=7)
        opened = datetime.combine(start + timedelta(days=2), datetime.min.time())
        complaint = self.env["sputnik.complaint"].create(
            {
                "subject": "Cold pool",
                "partner_id": bad.id,
                "order_id": order.id,
                "category": "hotel",
                "date_open": opened,
                "compensation_amount": 1500.0,
                "recovered_amount": 1000.0,
            }
        )
        complaint.write({"date_resolved": opened + timedelta(hours=60)})
        complaint.with_user(self.manager).action_grant_compensation()
        complaint.with_user(self.manager).action_record_recovery()
        for satisfaction in ("5", "4", "2"):
            self.env["sputnik.interaction"].create(
                {
                    "name": "After the trip",
                    "interaction_type": "feedback",
                    "partner_id": good.id,
                    "order_id": order.id,
                    "satisfaction": satisfaction,
                }
            )
        operator = self.tour.sputnik_operator_id
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        groups = self.env["sputnik.quality.report"]._read_group(
            [("partner_id", "in", (good | bad).ids)],
            ["operator_id", "date:month"],
            [
                "trip_count:sum",
                "complaint_count:sum",
                "complaint_rate:avg",
                "resolution_days:avg",
                "compensation_amount:sum",
                "recovered_amount:sum",
                "compensation_cost:sum",
            ],
            having=[("trip_count:sum", ">", 0)],
        )
        self.assertEqual(len(groups), 1)
        group = groups[0]
        self.assertEqual((group[0], group[1]), (operator, self.m0))
        self.assertEqual(group[2:4], (4, 1))
        self.assertAlmostEqual(group[4], 25.0)
        self.assertAlmostEqual(group[5], 2.5)
        self.assertEqual(group[6:], (1500.0, 1000.0, 500.0))
        by_category = dict(
            self.env["sputnik.quality.report"]._read_group(
                [("partner_id", "in", (good | bad).ids), ("kind", "=", "complaint")],
                ["category"],
                ["complaint_count:sum"],
            )
        )
        self.assertEqual(by_category, {"hotel": 1})
        csat = self.group(
            "sputnik.quality.report", good | bad, ["answer_count:sum", "csat:avg"]
        )
        self.assertEqual(csat[0], 3)
        self.assertAlmostEqual(csat[1], 200.0 / 3)
        # the row opens its complaint
        row = self.rows("sputnik.quality.report", bad, kind="complaint")
        action = row.action_open_record()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sputnik.complaint", complaint.id)
        )


@tagged("post_install", "-at_install")
class TestSalesEffectiveness(ReportCase):
    def test_offer_and_request_conversion_and_first_response(self):
        now = fields.Datetime.now()
        client = self.client_("Effectiveness Client")
        Interaction = self.env["sputnik.interaction"]
        for days, reaction in ((10, "accepted"), (100, "declined")):
            Interaction.create(
                {
                    "name": "Offer",
                    "interaction_type": "offer",
                    "partner_id": client.id,
                    "user_id": self.agent.id,
                    "date": now - timedelta(days=days),
                    "reaction": reaction,
                }
            )
        source = self.env["utm.source"].create({"name": "Effectiveness Source"})
        answered, silent = self.env["crm.lead"].create(
            [
                {
                    "name": "Winter in the Carpathians",
                    "partner_id": client.id,
                    "source_id": source.id,
                    "user_id": self.agent.id,
                },
                {"name": "A call back", "source_id": source.id},
            ]
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id IN %s",
            (now - timedelta(hours=5), (answered.id, silent.id)),
        )
        Interaction.create(
            {
                "name": "Called back",
                "interaction_type": "call",
                "direction": "outbound",
                "partner_id": client.id,
                "lead_id": answered.id,
                "user_id": self.agent.id,
                "date": now - timedelta(hours=2),
            }
        )
        # the booking, confirmed today: 10 days after the accepted offer
        self.trip(client, -20).opportunity_id = answered
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Report = self.env["sputnik.interaction.report"]
        offers = Report._read_group(
            [("partner_id", "=", client.id), ("kind", "=", "interaction")],
            ["user_id"],
            [
                "interaction_count:sum",
                "offer_count:sum",
                "offer_accepted_count:sum",
                "offer_booked_count:sum",
                "offer_acceptance_rate:avg",
                "offer_conversion_rate:avg",
            ],
        )
        self.assertEqual(offers[0][:5], (self.agent, 3, 2, 1, 1))
        self.assertAlmostEqual(offers[0][5], 50.0)
        self.assertAlmostEqual(offers[0][6], 50.0)
        leads = Report._read_group(
            [("lead_id", "in", (answered | silent).ids), ("kind", "=", "lead")],
            ["source_id"],
            [
                "lead_count:sum",
                "lead_booked_count:sum",
                "lead_conversion_rate:avg",
                "responded_count:sum",
                "first_response_hours:avg",
            ],
        )
        self.assertEqual(leads[0][:3], (source, 2, 1))
        self.assertAlmostEqual(leads[0][3], 50.0)
        self.assertEqual(leads[0][4], 1)
        self.assertAlmostEqual(leads[0][5], 3.0, places=2)


@tagged("post_install", "-at_install")
class TestReportAccess(ReportCase):
    def test_agent_manager_and_companies(self):
        agent2 = new_test_user(
            self.env,
            login="sputnik_agent2_report_test",
            name="Second Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        mine = self.client_("Access Mine")
        theirs = self.client_("Access Theirs", user_id=agent2.id)
        elsewhere = self.client_("Access Elsewhere")
        for client in (mine, theirs, elsewhere):
            self.trip_on(client, self.m0, nights=7)
        other = self.env["res.company"].create({"name": "Report Other Company"})
        order = self.trip_on(elsewhere, self.m0 + timedelta(days=1))
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        # a booking of the other company, written straight: its own warehouse and
        # pricelist do not matter to the reports
        self.env.cr.execute(
            "UPDATE sale_order SET company_id = %s WHERE id = %s", (other.id, order.id)
        )
        order.invalidate_recordset(["company_id"])
        self.env["sputnik.complaint"].create(
            {
                "subject": "Seen by its responsible",
                "partner_id": theirs.id,
                "user_id": self.agent.id,
                "category": "agency",
            }
        )
        clients = mine | theirs | elsewhere
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        # the stored reports: rows by salesperson and company
        for model in ("sputnik.client.dynamics.report", "sputnik.cohort.report"):
            every = self.stored(model)
            self.assertEqual(every.company_id, self.company | other, model)
            self.assertEqual(every.user_id, self.agent | agent2, model)
            Report = self.env[model]
            manager_rows = Report.with_user(self.manager).search([])
            self.assertEqual(manager_rows.company_id, self.company, model)
            self.assertEqual(manager_rows.user_id, self.agent | agent2, model)
            agent_rows = Report.with_user(self.agent).search([])
            self.assertEqual(agent_rows.user_id, self.agent, model)
            self.assertEqual(agent_rows.company_id, self.company, model)
            with self.assertRaises(AccessError):
                Report.with_user(self.outsider).search([])
        for model in ("sputnik.quality.report",):
            Report = self.env[model]
            domain = [("partner_id", "in", clients.ids)]
            every = Report.search(domain)
            self.assertIn(other, every.company_id, model)
            agent_rows = Report.with_user(self.agent).search(domain)
            manager_rows = Report.with_user(self.manager).search(domain)
            self.assertNotIn(other, manager_rows.company_id, model)
            self.assertNotIn(other, agent_rows.company_id, model)
            self.assertEqual(set(manager_rows.partner_id.ids), set(clients.ids), model)
            if model == "sputnik.quality.report":
                # the agent's own complaint about another agent's client
                theirs_rows = agent_rows.filtered(lambda r: r.partner_id == theirs)
                self.assertEqual(theirs_rows.mapped("kind"), ["complaint"])
                agent_rows -= theirs_rows
            self.assertEqual(
                set(agent_rows.partner_id.ids), {mine.id, elsewhere.id}, model
            )
            with self.assertRaises(AccessError):
                Report.with_user(self.outsider).search(domain)
        # the company's figures count its own trips only
        self.assertEqual(
            self.env["sputnik.client.dynamics.report"]._sputnik_kpis(
                self.m0, self.end0, self.company
            )["new"],
            3,
        )
