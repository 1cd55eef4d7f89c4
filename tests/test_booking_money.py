"""The booking's money in one place: its form, its contract, its printed
payment schedule; its deposit invoice; its secondary actions in the action
menu."""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_date, formatLang

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

SCHEDULE = "sputnik_crm.action_report_booking_payment_schedule"
CONTRACT = "sputnik_crm.action_report_booking_contract"


def amount(env, value, lang="en_US"):
    """An amount as the reports print it in ``lang``."""
    return formatLang(env(context=dict(env.context, lang=lang)), value)


class MoneyCase(SputnikCase):
    """A tour at 24 999.98 a seat, 30 % deposit, balance due 21 days before
    departure, passports valid 6 months after the return; a departure in 60
    days for 7 nights, 6 seats bought."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 21,
                "sputnik_passport_months": 6,
            }
        )
        cls.env.ref("base.lang_uk_UA").active = True
        cls.tour = make_tour(cls.env, name="Kemer: Club Hotel Sera", price=24999.98)
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=60)
        buy_seats(cls.env, cls.departure, 6)
        cls.client.lang = "en_US"
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )

    def book(self, customer=None, count=2, departure=None):
        travellers = make_travellers(self.env, count, prefix="Money Traveller")
        booking = make_booking(
            self.env, departure or self.departure, travellers, customer or self.client
        )
        booking.user_id = self.agent
        return booking


@tagged("post_install", "-at_install")
class TestPaymentSchedule(MoneyCase):
    def test_confirmed_booking_deposit_and_balance(self):
        """2 seats x 24 999.98 = 49 999.96. The deposit, 30 %:
        49 999.96 x 0.3 = 14 999.988, rounded 14 999.99, invoiced at the
        confirmation and due today (no payment terms); the balance
        49 999.96 - 14 999.99 = 34 999.97, due 60 - 21 = 39 days from today,
        not invoiced. 10 000 paid on the deposit: 4 999.99 of it left, and
        49 999.96 - 10 000 = 39 999.96 left to pay in all. The balance then
        invoiced (the final invoice less the deposit: 34 999.97) and paid:
        10 000 + 34 999.97 = 44 999.97 paid, 4 999.99 left (the deposit's)."""
        booking = self.book()
        confirm(booking)
        today = fields.Date.context_today(booking)
        self.assertEqual(booking.amount_total, 49999.96)
        deposit_invoice = booking.invoice_ids
        self.assertEqual(deposit_invoice.amount_total, 14999.99)

        register_payment(self.env, deposit_invoice, 10000.0, today, self.bank)
        booking.invalidate_recordset()
        deposit, balance = booking._sputnik_payment_schedule()[booking.id]
        self.assertEqual(deposit["kind"], "deposit")
        self.assertEqual(deposit["percent"], 30.0)
        self.assertEqual(deposit["amount"], 14999.99)
        self.assertEqual(deposit["date_due"], today)
        self.assertEqual(deposit["invoices"], deposit_invoice)
        self.assertEqual(deposit["paid"], 10000.0)
        self.assertEqual(deposit["remaining"], 4999.99)
        self.assertEqual(balance["kind"], "balance")
        self.assertEqual(balance["amount"], 34999.97)
        self.assertEqual(balance["date_due"], today + timedelta(days=39))
        self.assertFalse(balance["invoiced"])
        self.assertEqual(balance["paid"], 0.0)
        self.assertEqual(balance["remaining"], 34999.97)
        # the form shows the same rows
        self.assertEqual(booking.sputnik_deposit_amount, 14999.99)
        self.assertEqual(booking.sputnik_deposit_date, today)
        self.assertTrue(booking.sputnik_deposit_invoiced)
        self.assertEqual(booking.sputnik_deposit_paid, 10000.0)
        self.assertEqual(booking.sputnik_balance_amount, 34999.97)
        self.assertEqual(booking.sputnik_balance_due_date, today + timedelta(days=39))
        self.assertFalse(booking.sputnik_balance_invoiced)
        self.assertEqual(booking.sputnik_amount_paid, 10000.0)
        self.assertAlmostEqual(booking.sputnik_amount_to_pay, 39999.96, places=2)
        self.assertEqual(booking.sputnik_payment_status, "due")

        # the balance invoiced: the final invoice less the deposit, 34 999.97
        booking.with_user(self.agent).action_sputnik_invoice_balance()
        booking.invalidate_recordset()
        self.assertTrue(booking.sputnik_balance_invoiced)
        self.assertEqual(booking.sputnik_balance_amount, 34999.97)
        balance_invoice = booking.invoice_ids - deposit_invoice
        self.assertEqual(balance_invoice.amount_total, 34999.97)
        register_payment(self.env, balance_invoice, 34999.97, today, self.bank)
        booking.invalidate_recordset()
        self.assertEqual(booking.sputnik_balance_paid, 34999.97)
        self.assertEqual(booking.sputnik_amount_paid, 44999.97)
        self.assertAlmostEqual(booking.sputnik_amount_to_pay, 4999.99, places=2)

    def test_quotation_plans_the_deposit_on_signing(self):
        """A quotation of 3 seats: 74 999.94; the deposit planned at 30 %,
        22 499.982 rounded 22 499.98, due on signing (no date yet); the
        balance 52 499.96, on the balance date."""
        booking = self.book(count=3)
        deposit, balance = booking._sputnik_payment_schedule()[booking.id]
        self.assertEqual(deposit["amount"], 22499.98)
        self.assertFalse(deposit["date_due"])
        self.assertFalse(deposit["invoiced"])
        self.assertEqual(balance["amount"], 52499.96)
        self.assertEqual(balance["date_due"], booking.sputnik_balance_due_date)
        self.assertEqual(booking.sputnik_deposit_amount, 22499.98)
        self.assertEqual(booking.sputnik_amount_paid, 0.0)

    def test_inside_the_balance_window_one_instalment(self):
        """Departure in 10 days, balance due 21 days before: the whole price
        (2 x 24 999.98 = 49 999.96) is one instalment, due today, before the
        confirmation and after it (invoiced at once, no deposit)."""
        soon = make_departure(self.env, self.tour, start_in_days=10)
        buy_seats(self.env, soon, 2)
        booking = self.book(departure=soon)
        today = fields.Date.context_today(booking)
        (row,) = booking._sputnik_payment_schedule()[booking.id]
        self.assertEqual(
            (row["kind"], row["amount"], row["date_due"]), ("full", 49999.96, today)
        )
        confirm(booking)
        (row,) = booking._sputnik_payment_schedule()[booking.id]
        self.assertEqual(row["kind"], "full")
        self.assertEqual(row["invoices"], booking.invoice_ids)
        self.assertEqual(row["amount"], 49999.96)
        self.assertEqual(booking.sputnik_deposit_amount, 0.0)
        self.assertEqual(booking.sputnik_balance_amount, 49999.96)
        self.assertTrue(booking.sputnik_balance_invoiced)

    def test_deposit_invoice_names_the_tour_and_carries_the_departure(self):
        """The deposit line: "Deposit 30 % — <tour>, <start>–<end>" with the
        departure's dates as dd.mm.yyyy; the invoice carries the departure
        (its line is the booking's down payment, which books none)."""
        booking = self.book()
        confirm(booking)
        invoice = booking.invoice_ids
        start = self.departure.date_start.strftime("%d.%m.%Y")
        end = self.departure.date_end.strftime("%d.%m.%Y")
        self.assertEqual(
            invoice.invoice_line_ids.mapped("name"),
            [f"Deposit 30 % — Kemer: Club Hotel Sera, {start}–{end}"],
        )
        self.assertTrue(invoice.invoice_line_ids.sale_line_ids.is_downpayment)
        self.assertEqual(invoice.sputnik_booking_id, booking)
        self.assertEqual(invoice.sputnik_departure_id, self.departure)


@tagged("post_install", "-at_install")
class TestPaymentSchedulePrintout(MoneyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_uk = cls.env["res.partner"].create(
            {"name": "Клієнт Графіка Платежів", "lang": "uk_UA", "customer_rank": 1}
        )

    def render(self, report, records, user=None):
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(user or self.agent)
            ._render_qweb_html(report, records.ids)
        )
        return html.decode()

    def test_printout_states_the_booking_and_its_instalments(self):
        """The confirmed booking of 2 seats, 6 000 paid on its deposit: the
        deposit 14 999.99 (8 999.99 left), the balance 34 999.97 due 39 days
        from today, 6 000 paid to date and 49 999.96 - 6 000 = 43 999.96 left."""
        booking = self.book()
        confirm(booking)
        today = fields.Date.context_today(booking)
        register_payment(self.env, booking.invoice_ids, 6000.0, today, self.bank)
        html = self.render(SCHEDULE, booking)
        for expected in (
            "Payment Schedule",
            booking.name,
            self.client.name,
            "Kemer: Club Hotel Sera",
            format_date(self.env, self.departure.date_start, lang_code="en_US"),
            format_date(self.env, self.departure.date_end, lang_code="en_US"),
            "Deposit 30 %",
            amount(self.env, 14999.99),
            amount(self.env, 8999.99),
            "Balance",
            amount(self.env, 34999.97),
            format_date(self.env, today + timedelta(days=39), lang_code="en_US"),
            amount(self.env, 49999.96),
            amount(self.env, 6000.0),
            amount(self.env, 43999.96),
        ):
            self.assertIn(expected, html)
        # the contract prints the same rows
        contract = self.render(CONTRACT, booking)
        for expected in (
            amount(self.env, 8999.99),
            amount(self.env, 34999.97),
            amount(self.env, 43999.96),
        ):
            self.assertIn(expected, contract)

    def test_printout_in_the_client_language(self):
        """A Ukrainian-speaking client's schedule: the balance date as
        Ukrainian prints it, not as English does."""
        booking = self.book(customer=self.client_uk)
        due = booking.sputnik_balance_due_date
        html = self.render(SCHEDULE, booking)
        self.assertIn(format_date(self.env, due, lang_code="uk_UA"), html)
        self.assertNotIn(format_date(self.env, due, lang_code="en_US"), html)

    def test_printable_from_the_booking_and_refused_when_cancelled(self):
        report = self.env.ref(SCHEDULE)
        self.assertEqual(report.binding_model_id.model, "sale.order")
        self.assertEqual(report.binding_type, "report")
        booking = self.book()
        confirm(booking)
        booking._action_cancel()
        with self.assertRaises(UserError):
            self.render(SCHEDULE, booking)


@tagged("post_install", "-at_install")
class TestBookingHeader(MoneyCase):
    def arch(self, user):
        views = self.env["sale.order"].with_user(user).get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_secondary_actions_in_the_action_menu(self):
        """Log Interaction, Open a Complaint and Documents Issued left the
        header for the action menu of the booking, for the agents."""
        arch = self.arch(self.agent)
        header = arch.xpath("//header/button/@name")
        for name in (
            "action_sputnik_log_interaction",
            "action_sputnik_open_complaint",
            "action_sputnik_issue_documents",
        ):
            self.assertNotIn(name, header)
        self.assertIn("action_sputnik_invoice_balance", header)
        bound = self.env["ir.actions.server"].search(
            [("binding_model_id.model", "=", "sale.order")]
        )
        group = self.env.ref("sputnik_crm.group_sputnik_user")
        for code in (
            "record.action_sputnik_log_interaction()",
            "record.action_sputnik_open_complaint()",
            "records.action_sputnik_issue_documents()",
        ):
            action = bound.filtered(lambda a, c=code: c in a.code)
            self.assertEqual(len(action), 1, code)
            self.assertEqual(action.groups_id, group)
        booking = self.book()
        confirm(booking)
        complaint = bound.filtered(lambda a: "open_complaint" in a.code)
        result = (
            complaint.with_user(self.agent)
            .with_context(active_model="sale.order", active_id=booking.id)
            .run()
        )
        self.assertEqual(result["res_model"], "sputnik.complaint")
        self.assertEqual(result["context"]["default_order_id"], booking.id)
        issue = bound.filtered(lambda a: "issue_documents" in a.code)
        issue.with_user(self.agent).with_context(
            active_model="sale.order", active_ids=booking.ids
        ).run()
        self.assertTrue(booking.sputnik_documents_issued)

    def test_payments_on_the_form(self):
        """The Payments page, for the agent and for a salesman of no Sputnik
        group alike."""
        self.assertTrue(self.arch(self.agent).xpath("//page[@name='sputnik_payments']"))
        self.assertTrue(
            self.arch(self.salesman()).xpath("//page[@name='sputnik_payments']")
        )

    def salesman(self):
        return new_test_user(
            self.env,
            login="sputnik_money_salesman",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
        )
