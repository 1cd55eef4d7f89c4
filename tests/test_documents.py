import os
from datetime import date, timedelta

import polib

from odoo import fields
from odoo.exceptions import AccessError
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
    post_invoice,
    register_payment,
)

UK_PO = os.path.join(
    os.path.dirname(__file__), os.pardir, "sputnik_crm", "i18n", "uk.po"
)
CONTRACT = "sputnik_crm.action_report_booking_contract"
VOUCHER = "sputnik_crm.action_report_booking_voucher"
MANIFEST = "sputnik_crm.action_report_departure_manifest"
STATEMENT = "sputnik_crm.action_report_client_statement"


def amount(env, value, lang="en_US"):
    """An amount as the reports print it in ``lang``."""
    return formatLang(env(context=dict(env.context, lang=lang)), value)


@tagged("post_install", "-at_install")
class TestDocuments(SputnikCase):
    """A tour of 2 travellers at 30 000 a seat, 30 % deposit, balance 21 days
    before departure; an English-speaking client's confirmed booking, a
    Ukrainian-speaking client's confirmed booking and a quotation on the same
    departure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sputnik_deposit_percent = 30.0
        cls.company.sputnik_balance_days = 21
        cls.env.ref("base.lang_uk_UA").active = True
        cls.tour = make_tour(cls.env, name="Antalya Documents Test")
        cls.tour.write(
            {
                "sputnik_hotel": "Sunrise Resort Documents",
                "sputnik_hotel_stars": "5",
                "sputnik_meal_plan": "ai",
                "sputnik_transport": "flight",
            }
        )
        cls.operator = cls.tour.sputnik_operator_id
        cls.operator.write(
            {
                "lang": "en_US",
                "company_registry": "38475612",
                "sputnik_tourism_licence": "Licence AE 561234 of 12.03.2019",
                "sputnik_financial_guarantee": "Bank guarantee No. 77-G/2026",
            }
        )
        cls.departure = make_departure(cls.env, cls.tour)
        buy_seats(cls.env, cls.departure, 6)
        cls.client.lang = "en_US"
        cls.client_uk = cls.env["res.partner"].create(
            {"name": "Клієнт Документів", "lang": "uk_UA", "customer_rank": 1}
        )
        cls.travellers = make_travellers(cls.env, 2, prefix="English Traveller")
        cls.travellers_uk = make_travellers(cls.env, 2, prefix="Mandrivnyk")
        cls.travellers_quote = make_travellers(cls.env, 1, prefix="Quote Only")
        cls.booking = make_booking(cls.env, cls.departure, cls.travellers, cls.client)
        cls.booking.sputnik_operator_ref = "OPR-DOC-4411"
        cls.booking_uk = make_booking(
            cls.env, cls.departure, cls.travellers_uk, cls.client_uk
        )
        cls.quotation = make_booking(cls.env, cls.departure, cls.travellers_quote)
        confirm(cls.booking | cls.booking_uk)
        cls.salesman = new_test_user(
            cls.env,
            login="sputnik_docs_salesman",
            name="Salesman Without Sputnik Groups",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
        )

    def render(self, report, records, user=None):
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(user or self.agent)
            ._render_qweb_html(report, records.ids)
        )
        return html.decode()

    def date(self, value, lang="en_US"):
        return format_date(self.env, value, lang_code=lang)

    # --- contract ------------------------------------------------------------
    def test_contract_states_the_parties_tour_travellers_and_payments(self):
        html = self.render(CONTRACT, self.booking)
        booking = self.booking
        total = 2 * 30000.0
        self.assertEqual(booking.amount_total, total)
        deposit = total * 30 / 100
        for expected in (
            "Contract on Tourist Services",
            booking.name,
            self.company.name,
            self.client.name,
            # the operator's details the Law "On Tourism" asks for
            self.operator.name,
            "38475612",
            "Licence AE 561234 of 12.03.2019",
            "Bank guarantee No. 77-G/2026",
            self.tour.name,
            self.tour.sputnik_destination_id.name,
            "Sunrise Resort Documents",
            "All Inclusive",
            "Flight",
            self.date(self.departure.date_start),
            self.date(self.departure.date_end),
            amount(self.env, total),
            amount(self.env, deposit),
            amount(self.env, total - deposit),
            self.date(self.departure.date_start - timedelta(days=21)),
            # the deposit invoice is not paid yet: all is left to pay
            amount(self.env, booking.sputnik_amount_to_pay),
            # the generic cancellation terms
            "written notice to the tour agent",
        ):
            self.assertIn(expected, html)
        documents = self.env["sputnik.travel.document"].search(
            [("partner_id", "in", self.travellers.ids)]
        )
        self.assertEqual(len(documents), 2)
        for document in documents:
            self.assertIn(document.partner_id.name, html)
            self.assertIn(document.number, html)
            self.assertIn(self.date(document.expiry_date), html)
        # nobody else's passports
        for traveller in self.travellers_uk | self.travellers_quote:
            self.assertNotIn(traveller.name, html)

    def test_contract_logs_the_read_of_the_passports(self):
        self.render(CONTRACT, self.booking)
        logged = (
            self.env["sputnik.privacy.log"]
            .sudo()
            .search([("kind", "=", "document"), ("user_id", "=", self.agent.id)])
        )
        self.assertEqual(logged.partner_id, self.travellers)

    def test_contract_in_the_client_language(self):
        translations = {e.msgid: e.msgstr for e in polib.pofile(UK_PO)}
        english = self.render(CONTRACT, self.booking)
        ukrainian = self.render(CONTRACT, self.booking_uk)
        self.assertIn("Contract on Tourist Services", english)
        self.assertNotIn("Contract on Tourist Services", ukrainian)
        self.assertIn("Договір на туристичне обслуговування", ukrainian)
        # the tour's meal plan and transport, and the dates, in Ukrainian
        for term in ("All Inclusive", "Flight"):
            self.assertNotIn(term, ukrainian)
            self.assertIn(translations[term], ukrainian)
        start = self.departure.date_start
        self.assertIn(self.date(start, "uk_UA"), ukrainian)

    def test_personal_data_printouts_refused_without_sputnik_groups(self):
        with self.assertRaises(AccessError):
            self.render(CONTRACT, self.booking, user=self.salesman)
        with self.assertRaises(AccessError):
            self.render(MANIFEST, self.departure, user=self.salesman)
        with self.assertRaises(AccessError):
            self.booking.with_user(self.salesman).action_sputnik_send_documents()
        # the voucher names the travellers, without their documents
        voucher = self.render(VOUCHER, self.booking, user=self.salesman)
        self.assertIn(self.travellers[0].name, voucher)
        self.assertNotIn(self.travellers[0].name[:2].upper() + "0", voucher)

    # --- voucher -------------------------------------------------------------
    def test_voucher(self):
        html = self.render(VOUCHER, self.booking)
        for expected in (
            "Tourist Voucher",
            self.booking.name,
            "OPR-DOC-4411",
            self.operator.name,
            "Sunrise Resort Documents",
            "All Inclusive",
            "Flight",
            self.date(self.departure.date_start),
            self.date(self.departure.date_end),
            *self.travellers.mapped("name"),
            self.company.name,
            self.agent.name,
        ):
            self.assertIn(expected, html)
        documents = self.env["sputnik.travel.document"].search(
            [("partner_id", "in", self.travellers.ids)]
        )
        for document in documents:
            self.assertNotIn(document.number, html)

    # --- rooming list --------------------------------------------------------
    def test_rooming_list_of_confirmed_bookings(self):
        html = self.render(MANIFEST, self.departure)
        confirmed = self.travellers | self.travellers_uk
        documents = self.env["sputnik.travel.document"].search(
            [("partner_id", "in", confirmed.ids)]
        )
        self.assertEqual(len(documents), 4)
        for expected in (
            self.booking.name,
            self.booking_uk.name,
            "OPR-DOC-4411",
            self.tour.name,
            *confirmed.mapped("name"),
            *documents.mapped("number"),
            *(self.date(d) for d in documents.mapped("expiry_date")),
        ):
            self.assertIn(expected, html)
        self.assertNotIn(self.quotation.name, html)
        self.assertNotIn(self.travellers_quote.name, html)
        self.assertIn("Seats: <strong>4</strong>", html)

    # --- e-mail --------------------------------------------------------------
    def test_send_attaches_contract_voucher_and_schedule(self):
        action = self.booking.with_user(self.agent).action_sputnik_send_documents()
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.agent)
            .with_context(action["context"])
            .create({})
        )
        self.assertEqual(composer.partner_ids, self.client)
        # (tests render the reports as HTML instead of PDF)
        self.assertEqual(
            sorted(os.path.splitext(a.name)[0] for a in composer.attachment_ids),
            [
                f"Contract - {self.booking.name}",
                f"Payment Schedule - {self.booking.name}",
                f"Voucher - {self.booking.name}",
            ],
        )

    def test_one_real_pdf(self):
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(VOUCHER, self.booking.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestClientStatement(SputnikCase):
    """Relative to today (D), no taxes, company currency; the period is
    D-30 .. D-1:

    before: invoice A 1000 on D-60, paid 400 on D-50    -> opening 600
    within: invoice B 2000 on D-20, credit note C 300 on D-10,
            payment of 1000 on B on D-5                 -> closing 1300
    after:  invoice E 500 on D (not in the statement)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.client.lang = "en_US"
        cls.bank = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "bank"),
            ],
            limit=1,
        )
        cls.invoice_a = cls._invoice(cls.client, 1000, -60)
        register_payment(cls.env, cls.invoice_a, 400, cls._day(-50), cls.bank)
        cls.invoice_b = cls._invoice(cls.client, 2000, -20)
        cls.refund_c = cls._invoice(cls.client, 300, -10, move_type="out_refund")
        register_payment(cls.env, cls.invoice_b, 1000, cls._day(-5), cls.bank)
        cls.invoice_e = cls._invoice(cls.client, 500, 0)
        other = cls.env["res.partner"].create({"name": "Another Statement Client"})
        cls._invoice(other, 700, -15)

    @classmethod
    def _day(cls, days):
        return cls.today + timedelta(days=days)

    @classmethod
    def _invoice(cls, partner, value, days, move_type="out_invoice"):
        day = cls._day(days)
        return post_invoice(cls.env, partner, value, day, day, move_type=move_type)

    def statement(self, user=None):
        return (
            self.env["sputnik.client.statement"]
            .with_user(user or self.agent)
            .create(
                {
                    "partner_id": self.client.id,
                    "date_from": self._day(-30),
                    "date_to": self._day(-1),
                }
            )
        )

    def test_defaults_to_this_year(self):
        wizard = (
            self.env["sputnik.client.statement"]
            .with_user(self.agent)
            .with_context(default_partner_id=self.client.id)
            .create({})
        )
        self.assertEqual(wizard.date_from, date(self.today.year, 1, 1))
        self.assertEqual(wizard.date_to, date(self.today.year, 12, 31))

    def test_balances_and_rows(self):
        wizard = self.statement()
        figures = wizard._sputnik_statement()
        self.assertEqual(figures["opening"], 1000 - 400)
        self.assertEqual(figures["debit"], 2000)
        self.assertEqual(figures["credit"], 300 + 1000)
        self.assertEqual(figures["closing"], 1000 - 400 + 2000 - 300 - 1000)
        rows = figures["rows"]
        self.assertEqual(
            [(r["kind"], r["debit"], r["credit"], r["balance"]) for r in rows],
            [
                ("out_invoice", 2000, 0, 2600),
                ("out_refund", 0, 300, 2300),
                ("payment", 0, 1000, 1300),
            ],
        )
        self.assertEqual(rows[0]["move"], self.invoice_b)
        self.assertEqual(rows[1]["move"], self.refund_c)

        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            ._render_qweb_html(STATEMENT, wizard.ids)
        )
        html = html.decode()
        for expected in (
            "Client Statement",
            self.client.name,
            self.invoice_b.name,
            self.refund_c.name,
            self.date(self._day(-30)),
            self.date(self._day(-1)),
            amount(self.env, 600),
            amount(self.env, 2600),
            amount(self.env, 2300),
            amount(self.env, 1300),
            "The client owes the tour bureau:",
        ):
            self.assertIn(expected, html)
        self.assertNotIn(self.invoice_a.name, html)
        self.assertNotIn(self.invoice_e.name, html)

    def date(self, value):
        return format_date(self.env, value, lang_code="en_US")

    def test_print_action_and_access(self):
        action = self.statement().action_print()
        self.assertEqual(action["report_name"], "sputnik_crm.report_client_statement")
        with self.assertRaises(AccessError):
            self.statement(user=self.outsider)
        # an accountant without the Sputnik groups prints it too
        accountant = new_test_user(
            self.env,
            login="sputnik_docs_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        self.assertEqual(
            self.statement(user=accountant)._sputnik_statement()["closing"], 1300
        )
