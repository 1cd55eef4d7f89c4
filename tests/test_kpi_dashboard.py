"""The KPI dashboard and its printed report: known figures of a period, the
previous period and the same period a year before; the same figures as each
report gives; an agent's own figures; the PDF's content."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .test_classification import ClassificationCase


def kpis(dashboard):
    return {
        kpi["key"]: kpi for section in dashboard["sections"] for kpi in section["kpis"]
    }


@tagged("post_install", "-at_install")
class TestKpiDashboard(ClassificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dashboard = cls.env["sputnik.kpi.dashboard"]
        # the period: the 30 days up to today
        cls.date_from = cls.today - timedelta(days=29)

    def booking(self, client, ordered_days_ago, revenue, margin, agent=None):
        """A confirmed trip of ``client`` ordered ``ordered_days_ago`` days ago."""
        order = self.trip(client, ordered_days_ago - 20, revenue, margin)
        order.write(
            {
                "date_order": datetime.combine(
                    self.today - timedelta(days=ordered_days_ago),
                    datetime.min.time(),
                )
                + timedelta(hours=12),
                "user_id": (agent or self.agent).id,
            }
        )
        return order

    def dashboard(self, user=None):
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Dashboard = self.Dashboard.with_user(user) if user else self.Dashboard
        # the figures as computed, a figure without a value being None (the
        # public get_dashboard leaves those out for XML-RPC)
        return Dashboard._sputnik_dashboard(
            fields.Date.to_string(self.date_from), fields.Date.to_string(self.today)
        )

    def test_periods(self):
        periods = self.Dashboard._periods("2026-03-01", "2026-03-31")
        self.assertEqual(
            periods["previous"],
            (fields.Date.to_date("2026-01-29"), fields.Date.to_date("2026-02-28")),
        )
        self.assertEqual(
            periods["last_year"],
            (fields.Date.to_date("2025-03-01"), fields.Date.to_date("2025-03-31")),
        )
        with self.assertRaises(UserError):
            self.Dashboard._periods("2026-03-31", "2026-03-01")
        with self.assertRaises(UserError):
            self.Dashboard._periods("not a date", "2026-03-01")

    def test_sales_figures_of_three_periods(self):
        first = self.client_("Dashboard First")
        second = self.client_("Dashboard Second")
        # this period: 3 bookings; the first on its first day
        self.booking(first, 29, 40000.0, 6000.0)
        self.booking(first, 5, 20000.0, 2000.0)
        self.booking(second, 0, 30000.0, 4000.0, agent=self.manager)
        # the previous period: one, on its last day; one a day before it starts
        self.booking(second, 30, 10000.0, 1000.0)
        self.booking(second, 60, 99000.0, 9000.0)
        # a year before: one
        self.booking(first, 365 + 10, 50000.0, 5000.0)
        figures = kpis(self.dashboard())
        self.assertEqual(
            figures["revenue"]["values"],
            {"current": 90000.0, "previous": 10000.0, "last_year": 50000.0},
        )
        self.assertEqual(figures["margin"]["values"]["current"], 12000.0)
        self.assertEqual(figures["bookings"]["values"]["current"], 3)
        self.assertEqual(figures["seats"]["values"]["current"], 3)
        self.assertAlmostEqual(figures["avg_booking"]["values"]["current"], 30000.0)
        self.assertAlmostEqual(
            figures["margin_ratio"]["values"]["current"], 100 * 12000 / 90000
        )
        self.assertAlmostEqual(figures["margin_ratio"]["values"]["previous"], 10.0)
        # each figure opens its report on the period
        action = figures["revenue"]["action"]
        self.assertEqual(action["res_model"], "sputnik.booking.report")
        self.assertIn(
            ("date", ">=", fields.Date.to_string(self.date_from)), action["domain"]
        )
        # an agent sees their own bookings only
        own = kpis(self.dashboard(self.agent))
        self.assertEqual(own["revenue"]["values"]["current"], 60000.0)
        self.assertEqual(own["bookings"]["values"]["current"], 2)

    def test_client_base_figures_are_the_reports(self):
        returning = self.client_("Dashboard Returning")
        self.trip(returning, 200)
        self.trip(returning, 10)
        newcomer = self.client_("Dashboard Newcomer")
        self.trip(newcomer, 15)
        figures = kpis(self.dashboard())
        Dynamics = self.env["sputnik.client.dynamics.report"]
        for name, (date_from, date_to) in self.Dashboard._periods(
            self.date_from, self.today
        ).items():
            expected = Dynamics._sputnik_kpis(date_from, date_to, self.company)
            self.assertEqual(figures["active"]["values"][name], expected["active_end"])
            self.assertEqual(figures["new"]["values"][name], expected["new"])
            self.assertEqual(
                figures["retention"]["values"][name], expected["retention_rate"]
            )
            self.assertEqual(figures["churn"]["values"][name], expected["churn_rate"])
        # the newcomer's first trip is in the period; both are active at its end
        self.assertEqual(figures["new"]["values"]["current"], 1)
        self.assertEqual(figures["active"]["values"]["current"], 2)
        self.assertEqual(figures["repeat"]["values"]["current"], 50.0)
        # a client of another agent counts for the manager, not for this agent
        other = self.client_("Dashboard Other Agent's", user_id=self.manager.id)
        self.trip(other, 12)
        self.assertEqual(kpis(self.dashboard())["new"]["values"]["current"], 2)
        own = kpis(self.dashboard(self.agent))
        self.assertEqual(own["new"]["values"]["current"], 1)
        self.assertEqual(own["active"]["values"]["current"], 2)

    def test_other_figures_are_their_reports_sums(self):
        """Each ratio of the dashboard is the ratio of its report's sums over the
        period (the reports' own figures are tested on known fixtures)."""
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        dashboard = kpis(self.dashboard())
        start = fields.Date.to_string(self.date_from)
        end = fields.Date.to_string(self.today)

        def sums(model, date_field, measures):
            Report = self.env[model]
            upper = (
                (date_field, "<", fields.Date.to_string(self.today + timedelta(days=1)))
                if Report._fields[date_field].type == "datetime"
                else (date_field, "<=", end)
            )
            return Report._read_group(
                [(date_field, ">=", start), upper],
                [],
                [f"{measure}:sum" for measure in measures],
            )[0]

        complaints, trips = sums(
            "sputnik.quality.report", "date", ["complaint_count", "trip_count"]
        )
        expected = 100.0 * complaints / trips if trips else None
        self.assertEqual(dashboard["complaint_rate"]["values"]["current"], expected)
        invoices, overdue = sums(
            "sputnik.payment.report", "invoice_date", ["invoice_count", "overdue"]
        )
        expected = 100.0 * overdue / invoices if invoices else None
        self.assertEqual(dashboard["overdue"]["values"]["current"], expected)
        leads, booked = sums(
            "sputnik.interaction.report", "date", ["lead_count", "lead_booked_count"]
        )
        self.assertEqual(dashboard["requests"]["values"]["current"], leads)
        sent, opened = sums(
            "sputnik.campaign.report", "date", ["sent_count", "opened_count"]
        )
        self.assertEqual(dashboard["recipients"]["values"]["current"], sent)

    def test_printed_report(self):
        client = self.client_("Dashboard Printed")
        self.booking(client, 3, 45000.0, 5000.0)
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sputnik_crm.action_report_sputnik_kpi",
                None,
                data={
                    "date_from": fields.Date.to_string(self.date_from),
                    "date_to": fields.Date.to_string(self.today),
                },
            )[0]
            .decode()
        )
        self.assertIn("Client Base Effectiveness", html)
        self.assertIn("Retention Rate", html)
        self.assertIn("Destination of Classification Tour", html)
        self.assertIn(self.today.strftime("%d.%m.%Y"), html)
        action = self.Dashboard.action_print(
            fields.Date.to_string(self.date_from), fields.Date.to_string(self.today)
        )
        # (Odoo asks for the document layout first while none is chosen)
        report = action.get("context", {}).get("report_action") or action
        self.assertEqual(report["report_name"], "sputnik_crm.report_sputnik_kpi")
        self.assertEqual(report["data"]["date_to"], fields.Date.to_string(self.today))

    def test_only_the_bureau_sees_the_dashboard(self):
        with self.assertRaises(UserError):
            self.dashboard(self.outsider)


@tagged("post_install", "-at_install")
class TestKpiDashboardTour(HttpCase):
    def test_manager_opens_the_dashboard_and_a_report(self):
        self.start_tour(
            "/odoo/action-sputnik_crm.sputnik_kpi_dashboard_action",
            "sputnik_crm_kpi_dashboard_tour",
            login="manager",
        )
