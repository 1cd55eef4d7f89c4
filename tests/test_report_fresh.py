"""The stored reports kept by client: a document's change queues its client,
the queue's run computes that client's rows again, and they are the rows a
full refresh gives; nothing else is written."""

from datetime import timedelta

from odoo import fields
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
        """Every row of ``report``'s table, as tuples ordered by id."""
        self.env.cr.execute(f'SELECT * FROM "{report._table}" ORDER BY id')
        return self.env.cr.fetchall()

    def versions(self, report, client):
        """The physical versions of the rows of ``report`` not of ``client``:
        a row rewritten has a new one."""
        self.env.cr.execute(
            f"""SELECT id, ctid::text, xmin::text FROM "{report._table}"
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
