"""The stored reports kept by client: a document's change queues its client,
the queue's run computes that client's rows again, and they are the rows a
full refresh gives; nothing else is written."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import (
    DepartureCase,
    make_booking,
    make_travellers,
    post_invoice,
    register_payment,
)


@tagged("post_install", "-at_install")
class TestReportFresh(DepartureCase):
    _sputnik_tour = "Fresh Reports Tour"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Mixin = cls.env["sputnik.report.mixin"]
        cls.reports = [
            report
            for report in cls.Mixin._sputnik_stored_reports()
            if report._sputnik_refresh_key
        ]
        cls.travellers = make_travellers(cls.env, 2, prefix="Fresh Reports Client")
        cls.travellers.user_id = cls.agent
        cls.booked, cls.other = cls.travellers
        # the other client has a booking of their own before the reports are
        # computed: rows that a change of the first client must leave alone
        cls.other_booking = make_booking(cls.env, cls.departure, cls.other)
        cls.other_booking.action_confirm()
        cls.env["sputnik.interaction"].create(
            {"name": "Call before", "partner_id": cls.other.id}
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")], limit=1
        )

    def setUp(self):
        super().setUp()
        # every stored report computed from the documents as they are, and
        # nothing queued: what follows is the test's own changes only
        self.Mixin._sputnik_refresh()
        self.env.cr.execute("DELETE FROM sputnik_report_queue")

    # === HELPERS === #
    def table(self, report):
        """Every row of ``report``'s table (and of its layer, for a layered
        report), as tuples ordered by id."""
        rows = []
        for table in self.tables(report):
            self.env.cr.execute(f'SELECT * FROM "{table}" ORDER BY id')
            rows.append(self.env.cr.fetchall())
        return rows

    def tables(self, report):
        if report._sputnik_layer_sums:
            return [report._table, report._sputnik_layer_table()]
        return [report._table]

    def versions(self, report, client):
        """The physical versions of the rows of ``report`` not of ``client``
        (of its layer's rows, for a layered report, whose rows are sums of
        several clients): a row rewritten has a new one."""
        table = self.tables(report)[-1]
        self.env.cr.execute(
            f"""SELECT id, ctid::text, xmin::text FROM "{table}"
                 WHERE partner_id IS DISTINCT FROM %s ORDER BY id""",
            [client.id or None],
        )
        return self.env.cr.fetchall()

    def queued(self):
        self.env.cr.execute("SELECT report, client_id FROM sputnik_report_queue")
        return set(self.env.cr.fetchall())

    def change_client(self):
        """A booking confirmed, its invoice paid in part, an interaction and a
        complaint: every kind of document of ``self.booked``."""
        booking = make_booking(self.env, self.departure, self.booked)
        booking.user_id = self.agent
        booking.action_confirm()
        today = fields.Date.today()
        invoice = post_invoice(self.env, self.booked, 500.0, today, today)
        register_payment(
            self.env, invoice, 200.0, today - timedelta(days=1), self.bank_journal
        )
        self.env["sputnik.interaction"].create(
            {"name": "Fresh call", "partner_id": self.booked.id}
        )
        self.env["sputnik.complaint"].create(
            {"subject": "Fresh complaint", "partner_id": self.booked.id}
        )
        self.env.flush_all()
        return booking

    def past_trip(self, client, days_ago=75):
        """A trip of ``client`` that left ``days_ago`` days ago, recorded as
        confirmed (the cohorts count the months from a departure on)."""
        start = fields.Date.today() - timedelta(days=days_ago)
        departure = self.env["sputnik.departure"].create(
            {
                "tour_id": self.tour.id,
                "date_start": start,
                "date_end": start + timedelta(days=7),
                "allotment_seats": 5,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": client.id,
                "sputnik_traveller_ids": [Command.set(client.ids)],
                "order_line": [
                    Command.create(
                        {"product_id": departure.product_id.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.write({"state": "sale"})
        self.env.flush_all()
        return order

    # === TESTS === #
    def test_changes_queue_their_client(self):
        self.change_client()
        self.assertIn(("*", self.booked.id), self.queued())
        self.assertNotIn(("*", self.other.id), self.queued())

    def test_queue_run_equals_full_refresh(self):
        booking = self.change_client()
        before = {report._name: self.table(report) for report in self.reports}
        counts = self.Mixin._sputnik_refresh_queue()
        self.assertFalse(self.queued(), "the run removes the rows it processed")
        after_queue = {report._name: self.table(report) for report in self.reports}
        # the client's documents reached the reports that read them
        for name in (
            "sputnik.booking.report",
            "sputnik.client.settlement",
            "sputnik.payment.report",
            "sputnik.interaction.report",
            "sputnik.quality.report",
            "sputnik.client.dynamics.report",
            "sputnik.agent.report",
        ):
            self.assertTrue(counts[name][1], f"{name}: rows of the client written")
            self.assertNotEqual(before[name], after_queue[name], name)
        booking_rows = self.env["sputnik.booking.report"].search(
            [("order_id", "=", booking.id)]
        )
        self.assertEqual(booking_rows.partner_id, self.booked)
        self.assertEqual(sum(booking_rows.mapped("booking_count")), 1)
        settlement = self.env["sputnik.client.settlement"].search(
            [("partner_id", "=", self.booked.id)]
        )
        self.assertEqual(len(settlement), 1)
        # the rows of the client are those of a full refresh, and so is every
        # other row of each table
        self.Mixin._sputnik_refresh()
        for report in self.reports:
            self.assertEqual(
                after_queue[report._name], self.table(report), report._name
            )

    def test_empty_queue_writes_nothing(self):
        self.change_client()
        self.Mixin._sputnik_refresh_queue()
        versions = {
            report._name: self.versions(report, self.env["res.partner"])
            for report in self.reports
        }
        self.assertEqual(self.Mixin._sputnik_refresh_queue(), {})
        # the client queued again without a change: computed, nothing written
        self.env.cr.execute(
            "INSERT INTO sputnik_report_queue (report, client_id) VALUES ('*', %s)",
            [self.booked.id],
        )
        counts = self.Mixin._sputnik_refresh_queue()
        self.assertEqual(set(counts.values()), {(0, 0)})
        for report in self.reports:
            self.assertEqual(
                versions[report._name],
                self.versions(report, self.env["res.partner"]),
                report._name,
            )

    def test_other_clients_untouched(self):
        versions = {
            report._name: self.versions(report, self.booked) for report in self.reports
        }
        self.assertTrue(versions["sputnik.booking.report"], "rows of other clients")
        self.change_client()
        self.Mixin._sputnik_refresh_queue()
        for report in self.reports:
            self.assertEqual(
                versions[report._name], self.versions(report, self.booked), report._name
            )

    def test_report_queue_only_its_report(self):
        """A row queued for one report refreshes that report only."""
        self.change_client()
        self.env.cr.execute("DELETE FROM sputnik_report_queue")
        self.env.cr.execute(
            """INSERT INTO sputnik_report_queue (report, client_id)
               VALUES ('sputnik.booking.report', %s)""",
            [self.booked.id],
        )
        counts = self.Mixin._sputnik_refresh_queue()
        self.assertEqual(list(counts), ["sputnik.booking.report"])
        self.assertTrue(counts["sputnik.booking.report"][1])

    def test_client_queued_by_what_the_reports_read(self):
        """A client's phone (no report reads it) queues nothing; their
        salesperson (the interactions' rows carry it) queues them, and the
        queue's run shows the new salesperson on their interaction."""
        self.other.phone = "+380 44 000 00 00"
        self.env.flush_all()
        self.assertFalse(self.queued())
        self.other.user_id = self.manager
        self.env.flush_all()
        self.assertEqual(self.queued(), {("*", self.other.id)})
        Interactions = self.env["sputnik.interaction.report"]
        domain = [("partner_id", "=", self.other.id), ("kind", "=", "interaction")]
        self.assertEqual(Interactions.search(domain).client_user_id, self.agent)
        counts = self.Mixin._sputnik_refresh_queue()
        self.assertTrue(counts["sputnik.interaction.report"][1])
        self.assertEqual(Interactions.search(domain).client_user_id, self.manager)

    def test_layered_reports_move_rows_with_the_client(self):
        """The reports whose rows add up clients (the dynamics, the cohorts):
        a client handed to another salesperson leaves the rows of the first
        (a row that counts nobody any more goes) and adds to the other's,
        exactly as a full refresh counts them; untouched when nothing
        changed."""
        layered = [report for report in self.reports if report._sputnik_layer_sums]
        self.assertEqual(
            {report._name for report in layered},
            {
                "sputnik.client.dynamics.report",
                "sputnik.cohort.report",
                "sputnik.agent.report",
            },
        )
        self.change_client()
        self.past_trip(self.booked)
        self.Mixin._sputnik_refresh_queue()
        # the salesperson of the client (the agent report's rows are the
        # agents of the documents: it stays as it is below)
        layered = [
            report for report in layered if report._name != "sputnik.agent.report"
        ]
        for report in layered:
            count = report._sputnik_layer_count
            manager_rows = report.search([("user_id", "=", self.manager.id)])
            self.assertFalse(manager_rows, report._name)
            agent_total = sum(
                report.search([("user_id", "=", self.agent.id)]).mapped(count)
            )
            self.assertTrue(agent_total, report._name)
        # the booked client alone goes to the manager
        self.booked.user_id = self.manager
        self.env.flush_all()
        self.Mixin._sputnik_refresh_queue()
        moved = {}
        for report in layered:
            count = report._sputnik_layer_count
            self.env.cr.execute(
                f'SELECT COUNT(*) FROM "{report._sputnik_layer_table()}" '
                "WHERE partner_id = %s",
                [self.booked.id],
            )
            client_rows = self.env.cr.fetchone()[0]
            self.assertTrue(client_rows, report._name)
            manager_rows = report.search([("user_id", "=", self.manager.id)])
            self.assertEqual(sum(manager_rows.mapped(count)), client_rows, report._name)
            moved[report._name] = self.table(report)
        self.Mixin._sputnik_refresh()
        for report in layered:
            self.assertEqual(moved[report._name], self.table(report), report._name)
        # and back: the manager's rows count nobody and are gone
        self.booked.user_id = self.agent
        self.env.flush_all()
        self.Mixin._sputnik_refresh_queue()
        for report in layered:
            self.assertFalse(
                report.search([("user_id", "=", self.manager.id)]), report._name
            )
        back = {report._name: self.table(report) for report in layered}
        self.Mixin._sputnik_refresh()
        for report in layered:
            self.assertEqual(back[report._name], self.table(report), report._name)
            self.env.cr.execute(
                f'SELECT id, ctid::text FROM "{report._table}" ORDER BY id'
            )
            versions = self.env.cr.fetchall()
            self.env.cr.execute(
                "INSERT INTO sputnik_report_queue (report, client_id) "
                "VALUES (%s, %s)",
                [report._name, self.booked.id],
            )
            self.assertEqual(self.Mixin._sputnik_refresh_queue()[report._name], (0, 0))
            self.env.cr.execute(
                f'SELECT id, ctid::text FROM "{report._table}" ORDER BY id'
            )
            self.assertEqual(self.env.cr.fetchall(), versions, report._name)

    def test_layered_reports_computed_whole_daily(self):
        """The hourly computation leaves the layered reports to their daily
        one, which a change of the company's dormancy months triggers at
        once (no trigger of the queue sees a company)."""
        layered_cron = self.env.ref(
            "sputnik_crm.ir_cron_sputnik_report_refresh_layered"
        )
        Triggers = self.env["ir.cron.trigger"]
        self.assertFalse(Triggers.search([("cron_id", "=", layered_cron.id)]))
        self.company.sputnik_rfm_months = self.company.sputnik_rfm_months + 1
        self.assertFalse(
            Triggers.search([("cron_id", "=", layered_cron.id)]),
            "a setting no layered report reads",
        )
        self.company.sputnik_dormant_months = self.company.sputnik_dormant_months + 1
        self.assertTrue(Triggers.search([("cron_id", "=", layered_cron.id)]))
        # what each cron computes: a trip no queue saw reaches the bookings
        # at the hourly run, the dynamics at the daily one only
        Dynamics = self.env["sputnik.client.dynamics.report"]
        Bookings = self.env["sputnik.booking.report"]
        trip = self.past_trip(self.booked, days_ago=400)
        self.env.cr.execute("DELETE FROM sputnik_report_queue")

        def dynamics_rows():
            self.env.cr.execute(f'SELECT * FROM "{Dynamics._table}" ORDER BY id')
            return self.env.cr.fetchall()

        before = dynamics_rows()
        self.assertFalse(Bookings.search([("order_id", "=", trip.id)]))
        self.registry.enter_test_mode(self.env.cr)
        try:
            self.Mixin._cron_sputnik_refresh()
            self.assertTrue(Bookings.search([("order_id", "=", trip.id)]))
            self.assertEqual(dynamics_rows(), before)
            self.Mixin._cron_sputnik_refresh(layered=True)
        finally:
            self.registry.leave_test_mode()
        after = dynamics_rows()
        self.assertNotEqual(after, before)
        Dynamics._sputnik_refresh()
        self.assertEqual(dynamics_rows(), after, "as a full computation")
