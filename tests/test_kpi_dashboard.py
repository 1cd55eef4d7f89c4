"""The KPI dashboard, its printed report and its XLSX file: known figures of
a period, the period just before and the same period a year before; the same
figures as each report gives; an agent's own figures; the PDF's content and
layout; the XLSX file over HTTP and who may download it."""

import html
import io
import json
from datetime import datetime, timedelta

import openpyxl
from lxml import html as lxml_html
from werkzeug.urls import url_encode

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sputnik_crm.report.sputnik_kpi_dashboard import KPIS

from .test_classification import ClassificationCase


def kpis(dashboard):
    return {
        kpi["key"]: kpi for section in dashboard["sections"] for kpi in section["kpis"]
    }


class KpiDashboardCase(ClassificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dashboard = cls.env["sputnik.kpi.dashboard"]
        # the period: the 30 days up to today
        cls.date_from = cls.today - timedelta(days=29)

    def use_date_format(self, date_format):
        """Every language shows dates as ``date_format``."""
        self.env["res.lang"].search([]).date_format = date_format

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


@tagged("post_install", "-at_install")
class TestKpiDashboard(KpiDashboardCase):
    def test_periods(self):
        """The period just before ends the day before the period starts: as
        many whole months when the period is whole months (March: February;
        the second quarter: the first), else as many days (16 days from 5 to 20
        March: 16 days from 17 February to 4 March). A year before keeps the
        month's end (February 2029 ends on the 28th, February 2028 on the
        29th)."""

        def dates(start, end):
            return fields.Date.to_date(start), fields.Date.to_date(end)

        periods = self.Dashboard._periods("2026-03-01", "2026-03-31")
        self.assertEqual(periods["previous"], dates("2026-02-01", "2026-02-28"))
        self.assertEqual(periods["last_year"], dates("2025-03-01", "2025-03-31"))
        periods = self.Dashboard._periods("2026-04-01", "2026-06-30")
        self.assertEqual(periods["previous"], dates("2026-01-01", "2026-03-31"))
        periods = self.Dashboard._periods("2026-03-05", "2026-03-20")
        self.assertEqual(periods["previous"], dates("2026-02-17", "2026-03-04"))
        self.assertEqual(periods["last_year"], dates("2025-03-05", "2025-03-20"))
        periods = self.Dashboard._periods("2029-02-01", "2029-02-28")
        self.assertEqual(periods["previous"], dates("2029-01-01", "2029-01-31"))
        self.assertEqual(periods["last_year"], dates("2028-02-01", "2028-02-29"))
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
        previous_start = self.Dashboard._periods(self.date_from, self.today)[
            "previous"
        ][0]
        self.booking(second, (self.today - previous_start).days + 1, 99000.0, 9000.0)
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
        """The PDF names its periods in the user's date format (set here to
        day.month.year), its figures, and lays its tables out for print: the
        header row of each table repeats on every page (``thead`` displayed as
        a table header group) and no row is split across pages."""
        self.use_date_format("%d.%m.%Y")
        client = self.client_("Dashboard Printed")
        self.booking(client, 3, 45000.0, 5000.0)
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="en_US")
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
        page = lxml_html.fromstring(html).xpath(
            "//div[contains(@class, 'o_sputnik_kpi_report')]"
        )[0]
        # the periods in the table headers, in the user's format
        previous = self.Dashboard._periods(self.date_from, self.today)["previous"]
        headers = [" ".join(" ".join(th.itertext()).split()) for th in page.iter("th")]
        self.assertIn(
            f"Period Just Before {previous[0]:%d.%m.%Y} – {previous[1]:%d.%m.%Y}",
            headers,
        )
        self.assertNotIn(fields.Date.to_string(previous[0]), page.text_content())
        # the print style of the page's tables
        style = " ".join(" ".join(node.text for node in page.iter("style")).split())
        self.assertRegex(style, r"thead \{ display: table-header-group; \}")
        self.assertRegex(style, r"(^| )tr \{ page-break-inside: avoid; \}")
        # every table of figures (the sections', the months', the destinations'
        # and the agents') has its header row in a thead
        tables = [table for table in page.iter("table") if table.xpath(".//th")]
        self.assertEqual(len(tables), 6 + 3)
        for table in tables:
            self.assertTrue(table.xpath("./thead/tr/th"))
            self.assertFalse(table.xpath("./tbody//th | ./tr/th"))
        # the month of the bar chart in words, not digits
        month = self.today - timedelta(days=3)
        self.assertIn(f"{month:%B} {month:%Y}", page.text_content())
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


@tagged("post_install", "-at_install")
class TestKpiDashboardXlsx(HttpCase, KpiDashboardCase):
    """The XLSX file of the dashboard, downloaded over HTTP."""

    URL = "/sputnik_crm/kpi_dashboard/xlsx"

    def setUp(self):
        super().setUp()
        # the file speaks its reader's language: English for the manager,
        # Ukrainian for the agent
        self.manager.lang = "en_US"
        self.env["res.lang"]._activate_lang("uk_UA")
        self.agent.lang = "uk_UA"

    def download(self, user, **params):
        """The response to ``user`` (a login, None for nobody) asking for the
        file of the test's period."""
        if user:
            self.authenticate(user, user)
        params = {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.today),
            **params,
        }
        return self.url_open(f"{self.URL}?{url_encode(params)}", allow_redirects=False)

    def workbook_rows(self, response):
        """The file's sheet: its cells by row, and the rows of the
        indicators by label."""
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows())
        return rows, {row[0].value: row for row in rows if row[0].value}

    def test_manager_downloads_the_figures(self):
        """The manager's file holds every indicator of the dashboard with the
        value of the period, of the period compared with, the change and, for
        amounts and counts, the change in percent.

        The test's bookings: 45 000 (margin 5 000) three days ago, in the
        period; 10 000 (margin 1 000) thirty days ago, the last day of the
        period just before; 20 000 (margin 4 000) a year and ten days ago, in
        the same period a year before. So revenue 45 000 against 10 000: +35 000,
        +350 %; margin ratio 11.1 % against 10 %: a rate, held as the fraction
        0.111 (Excel's percent format), its change in points (+1.1 points:
        0.011). Against a year before: 45 000 against 20 000, margin ratio
        20 %. Every other figure is the dashboard's own (get_dashboard) for the
        manager and the same period."""
        self.use_date_format("%d.%m.%Y")
        client = self.client_("Dashboard Spreadsheet")
        self.booking(client, 3, 45000.0, 5000.0)
        self.booking(client, 30, 10000.0, 1000.0)
        self.booking(client, 365 + 10, 20000.0, 4000.0)
        dashboard = kpis(self.dashboard(self.manager))
        periods = self.Dashboard._periods(self.date_from, self.today)

        def label(period):
            start, end = periods[period]
            return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"

        rows, by_label = self.workbook_rows(self.download("sputnik_manager_test"))
        cells = [cell.value for row in rows for cell in row if cell.value]
        self.assertIn(label("current"), cells)
        self.assertIn(f"Period Just Before: {label('previous')}", cells)
        revenue = by_label["Revenue"]
        self.assertEqual(
            [cell.value for cell in revenue[1:5]], [45000.0, 10000.0, 35000.0, 3.5]
        )
        self.assertIn(self.company.currency_id.symbol, revenue[1].number_format)
        self.assertIn("%", revenue[4].number_format)
        ratio = by_label["Margin Ratio"]
        self.assertAlmostEqual(ratio[1].value, 5000 / 45000)
        self.assertAlmostEqual(ratio[2].value, 0.1)
        self.assertAlmostEqual(ratio[3].value, 5000 / 45000 - 0.1)
        self.assertEqual(ratio[1].number_format, "0.0%")
        self.assertIsNone(ratio[4].value)  # no percent of a percent
        # every indicator, as the dashboard gives it
        for kpi in dashboard.values():
            row = by_label[kpi["label"]]
            for column, period in ((1, "current"), (2, "previous")):
                value = kpi["values"][period]
                if value is None:
                    self.assertIsNone(row[column].value, kpi["key"])
                    continue
                if kpi["format"] == "percent":
                    value /= 100.0
                self.assertAlmostEqual(row[column].value, value, msg=kpi["key"])
        # against the same period a year before
        rows, by_label = self.workbook_rows(
            self.download("sputnik_manager_test", compare="last_year")
        )
        cells = [cell.value for row in rows for cell in row if cell.value]
        self.assertIn(f"Same Period a Year Before: {label('last_year')}", cells)
        self.assertEqual(
            [cell.value for cell in by_label["Revenue"][1:5]],
            [45000.0, 20000.0, 25000.0, 1.25],
        )
        self.assertAlmostEqual(by_label["Margin Ratio"][2].value, 0.2)
        # a comparison the dashboard does not offer
        self.assertEqual(self.download(None, compare="1999").status_code, 400)

    def test_agent_downloads_own_figures(self):
        """An agent's file holds the agent's own bookings only (the reports'
        record rules, as on the dashboard): 30 000 of theirs, not the
        manager's 70 000; its labels in the agent's language (Ukrainian)."""
        client = self.client_("Dashboard Agent's Spreadsheet")
        self.booking(client, 3, 30000.0, 3000.0)
        self.booking(client, 4, 70000.0, 7000.0, agent=self.manager)
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        __, by_label = self.workbook_rows(self.download("sputnik_agent_test"))
        labels = {kpi[0]: kpi[2]._translate("uk_UA") for kpi in KPIS}
        self.assertNotEqual(labels["revenue"], "Revenue")
        self.assertEqual(by_label[labels["revenue"]][1].value, 30000.0)
        self.assertEqual(by_label[labels["bookings"]][1].value, 1)

    def test_others_are_refused(self):
        """The file is for the bureau's agents and managers, like the
        dashboard: an internal user without a Sputnik group and a portal user
        are refused (403), nobody signed in is sent to the login page."""
        new_test_user(
            self.env,
            login="sputnik_portal_xlsx",
            name="Portal Client",
            groups="base.group_portal",
        )
        for login in ("sputnik_outsider_test", "sputnik_portal_xlsx"):
            response = self.download(login)
            self.assertEqual(response.status_code, 403, login)
            self.assertNotIn("spreadsheetml", response.headers["Content-Type"])
            error = json.loads(html.unescape(response.text))
            self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        self.logout()
        response = self.download(None)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
