import base64
import json
import xmlrpc.client

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

import odoo
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

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

NAME = "Olena Zakhystenko-Privatna"
EMAIL = "olena.zakhystenko@example.org"
PHONE = "+380 50 765 43 21"
PASSPORT = "FZ7781234"
IBAN = "UA213223130000026007233566001"
SECRETS = (NAME, EMAIL, PHONE, PASSPORT, IBAN)


def personal_columns(cr):
    """Every text column of the addon's tables and of the tables that hold a
    client's card and chatter."""
    cr.execute(
        """
        SELECT c.table_name, c.column_name
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('text', 'character varying', 'jsonb')
           AND (c.table_name LIKE 'sputnik\\_%%'
                OR c.table_name IN ('res_partner', 'mail_message',
                                    'mail_tracking_value', 'mail_mail',
                                    'mail_activity', 'ir_attachment', 'crm_lead',
                                    'survey_user_input', 'survey_user_input_line',
                                    'sale_order', 'account_move',
                                    'res_partner_bank'))
         ORDER BY 1, 2
        """
    )
    return cr.fetchall()


def find_values(cr, values):
    """(table, column, value) of every occurrence of ``values``."""
    found = []
    for table, column in personal_columns(cr):
        for value in values:
            cr.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{value}%"],
            )
            if cr.fetchone()[0]:
                found.append((table, column, value))
    return found


@tagged("post_install", "-at_install")
class TestPrivacy(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the client's history is tracked, as in real use
        env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.tour = make_tour(env, name="Privacy Tour")
        cls.departure = make_departure(env, cls.tour, start_in_days=30)
        buy_seats(env, cls.departure, 4)
        cls.person = env["res.partner"].create(
            {
                "name": NAME,
                "email": "old.address@example.org",
                "phone": "+380 44 000 00 01",
                "customer_rank": 1,
                "user_id": cls.agent.id,
                "street": "Vulytsia Tykha 7",
                "city": "Lviv",
                "sputnik_birthdate": "1985-04-12",
                "sputnik_gender": "female",
                "sputnik_citizenship_id": env.ref("base.ua").id,
                "sputnik_consent_email": True,
                "sputnik_consent_email_date": cls.today,
                "sputnik_consent_email_source": "office",
            }
        )
        cls.passport = env["sputnik.travel.document"].create(
            {
                "partner_id": cls.person.id,
                "document_type": "foreign_passport",
                "number": "FZ7780000",
                "country_id": env.ref("base.ua").id,
                "expiry_date": cls.today + relativedelta(years=5),
            }
        )
        env["res.partner.bank"].create(
            {"partner_id": cls.person.id, "acc_number": IBAN, "acc_holder_name": NAME}
        )
        cls.spouse = make_travellers(env, 1, prefix="Spouse")
        cls.relation = env["sputnik.client.relation"].create(
            {
                "partner_id": cls.person.id,
                "related_partner_id": cls.spouse.id,
                "relation": "spouse",
                "note": f"Husband of {NAME}",
            }
        )
        cls.preference = env["sputnik.client.preference"].create(
            {
                "partner_id": cls.person.id,
                "kind": "destination",
                "destination_id": cls.tour.sputnik_destination_id.id,
            }
        )
        cls.interaction = env["sputnik.interaction"].create(
            {
                "name": f"Call with {NAME}",
                "partner_id": cls.spouse.id,
                "note": f"<p>{NAME} asked to call back on {PHONE}.</p>",
                "interaction_type": "call",
            }
        )
        cls.complaint = env["sputnik.complaint"].create(
            {
                "subject": f"Room of {NAME}",
                "partner_id": cls.person.id,
                "description": f"<p>Passport {PASSPORT} kept by the hotel.</p>",
            }
        )
        cls.booking = make_booking(
            env, cls.departure, cls.person | cls.spouse, customer=cls.spouse
        )
        cls.track(env)
        # changes tracked in the chatter: the values are copied there
        cls.person.write({"email": EMAIL, "phone": PHONE})
        cls.passport.number = PASSPORT
        cls.interaction.partner_id = cls.person
        cls.booking.partner_id = cls.person
        cls.person.message_post(body=f"Called {NAME} at {PHONE}, mail {EMAIL}")
        cls.track(env)
        confirm(cls.booking)
        # the client classified as the queue's cron does after the request
        env["sputnik.classification"]._classify_queued()
        cls.booking._create_invoices().action_post()
        cls.invoices = cls.booking.invoice_ids.sorted("id")
        cls.bank = env["account.journal"].search(
            [*env["account.journal"]._check_company_domain(cls.company)]
            + [("type", "=", "bank")],
            limit=1,
        )
        for invoice in cls.invoices:
            register_payment(env, invoice, invoice.amount_total, cls.today, cls.bank)
        cls.care = (
            env["sputnik.care.event"]
            .sudo()
            .create(
                {
                    "key": f"test_privacy:{cls.person.id}",
                    "occasion": "balance_due",
                    "channel": "activity",
                    "partner_id": cls.person.id,
                    "order_id": cls.booking.id,
                }
            )
        )
        survey = env.ref("sputnik_crm.survey_trip_satisfaction")
        cls.answer = (
            env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": survey.id,
                    "partner_id": cls.person.id,
                    "email": EMAIL,
                    "sputnik_order_id": cls.booking.id,
                    "user_input_line_ids": [
                        Command.create(
                            {
                                "question_id": env.ref(
                                    "sputnik_crm.survey_trip_question_comment"
                                ).id,
                                "survey_id": survey.id,
                                "answer_type": "text_box",
                                "value_text_box": f"{NAME}: great trip",
                            }
                        )
                    ],
                }
            )
        )
        cls.back = cls.departure.date_end + relativedelta(days=1)
        cls.track(env)

    @classmethod
    def track(cls, env):
        """Write the tracked values, as a commit does."""
        env.flush_all()
        env.cr.precommit.run()

    def erase(self, user=None):
        wizard = (
            self.env["sputnik.client.erase"]
            .with_user(user or self.manager)
            .create({"partner_id": self.person.id, "confirm": True})
        )
        return wizard.action_erase()

    # === EXPORT === #
    def test_export_holds_every_kind_of_record_and_is_logged(self):
        action = self.person.with_user(
            self.manager
        ).action_sputnik_export_personal_data()
        log = self.env["sputnik.privacy.log"].search(
            [("client_ref", "=", self.person.id), ("kind", "=", "export")]
        )
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.manager)
        self.assertEqual(log.partner_id, self.person)
        self.assertEqual(
            action["url"], f"/web/content/{log.attachment_id.id}?download=true"
        )
        data = json.loads(base64.b64decode(log.attachment_id.datas))
        self.assertEqual(data["export"]["client_id"], self.person.id)
        self.assertEqual(data["export"]["exported_by"], self.manager.name)

        def values(section, label):
            return [row[label] for row in data[section]]

        self.assertEqual(values("Client", "Name"), [NAME])
        self.assertEqual(values("Client", "Email"), [EMAIL])
        self.assertEqual(values("Client", "Birth Date"), ["1985-04-12"])
        self.assertEqual(values("Consents", "E-mail Marketing"), [True])
        self.assertEqual(values("Travel Documents", "Number"), [PASSPORT])
        self.assertEqual(
            values("Household and Companions", "Member / Companion"),
            [self.spouse.display_name],
        )
        self.assertEqual(
            values("Preferences", "Destination"),
            [self.tour.sputnik_destination_id.display_name],
        )
        self.assertIn(f"Call with {NAME}", values("Interactions", "Subject"))
        self.assertIn(
            f"Booking {self.booking.name} confirmed", values("Interactions", "Subject")
        )
        self.assertIn(PHONE, values("Interactions", "Notes")[0])
        self.assertEqual(values("Complaints", "Number"), [self.complaint.name])
        self.assertIn(PASSPORT, values("Complaints", "What Happened")[0])
        (booking,) = data["Bookings"]
        self.assertEqual(booking["Order Reference"], self.booking.name)
        self.assertEqual(
            sorted(booking["Travellers"]),
            sorted((self.person | self.spouse).mapped("display_name")),
        )
        self.assertEqual(booking["Departures"], [self.departure.display_name])
        self.assertEqual(len(self.invoices), 2, "deposit and balance")
        self.assertEqual(
            [
                (row["Number"], row["Total"], row["Amount Due"])
                for row in data["Invoices"]
            ],
            [(invoice.name, invoice.amount_total, 0.0) for invoice in self.invoices],
        )
        history = self.env["sputnik.client.class.history"].search(
            [("partner_id", "=", self.person.id)]
        )
        self.assertTrue(history, "the confirmed booking classified the client")
        self.assertEqual(len(data["Classification History"]), len(history))
        self.assertEqual(values("Client Care Log", "ID"), [self.care.id])
        (answer,) = data["Survey Answers"]
        self.assertEqual(
            answer["Answers"][0]["Free Text answer"], f"{NAME}: great trip"
        )
        self.assertTrue(
            any(PHONE in (row["Contents"] or "") for row in data["Messages"]),
            "the chatter of the client is exported",
        )
        # the export is logged on the client, naming who exported
        message = self.person.message_ids[0]
        self.assertIn("Personal data exported by Manager Test", str(message.body))

    def test_agents_may_not_export_nor_erase(self):
        partner = self.person.with_user(self.agent)
        with self.assertRaisesRegex(AccessError, "Only a Sputnik manager"):
            partner.action_sputnik_export_personal_data()
        with self.assertRaisesRegex(AccessError, "Only a Sputnik manager"):
            partner.action_sputnik_erase_personal_data()
        with self.assertRaises(AccessError):
            self.erase(self.agent)
        self.assertEqual(self.person.name, NAME)
        self.assertFalse(
            self.env["sputnik.privacy.log"].search(
                [
                    ("client_ref", "=", self.person.id),
                    ("kind", "in", ("export", "erasure")),
                ]
            )
        )

    # === ERASURE === #
    def test_erasure_refused_while_a_booking_is_open(self):
        with self.assertRaisesRegex(UserError, self.booking.name):
            self.erase()
        self.assertEqual(self.person.name, NAME)
        self.assertEqual(self.passport.number, PASSPORT)

    def test_erasure_refused_while_an_invoice_is_unpaid(self):
        with freeze_time(self.back):
            unpaid = post_invoice(
                self.env,
                self.person,
                500.0,
                self.back,
                self.back + relativedelta(days=10),
            )
            with self.assertRaisesRegex(UserError, unpaid.name):
                self.erase()
            self.assertEqual(self.person.name, NAME)
            register_payment(self.env, unpaid, 500.0, self.back, self.bank)
            self.erase()
            self.assertEqual(self.person.name, f"Erased client #{self.person.id}")

    def test_erasure_refused_for_a_client_with_a_user_account(self):
        with freeze_time(self.back):
            portal = new_test_user(
                self.env,
                login="privacy_portal_client",
                name=NAME,
                groups="base.group_portal",
                partner_id=self.person.id,
            )
            with self.assertRaisesRegex(UserError, portal.login):
                self.erase()
        self.assertEqual(self.person.name, NAME)

    def test_erasure_needs_the_confirmation(self):
        with freeze_time(self.back):
            wizard = (
                self.env["sputnik.client.erase"]
                .with_user(self.manager)
                .create({"partner_id": self.person.id})
            )
            with self.assertRaisesRegex(UserError, "cannot be undone"):
                wizard.action_erase()
        self.assertEqual(self.person.name, NAME)

    def test_erasure_leaves_no_personal_value_and_keeps_the_accounts(self):
        cr = self.env.cr
        # the old values are really there before
        before = find_values(cr, SECRETS)
        for table in (
            "res_partner",
            "res_partner_bank",
            "mail_message",
            "mail_tracking_value",
        ):
            self.assertIn(table, {found[0] for found in before})
        self.person.with_user(self.manager).action_sputnik_export_personal_data()
        account = self.person.property_account_receivable_id

        def receivable():
            self.env.flush_all()
            cr.execute(
                """
                SELECT COALESCE(SUM(balance), 0), COUNT(*) FROM account_move_line
                 WHERE partner_id = %s AND account_id = %s AND parent_state = 'posted'
                """,
                [self.person.id, account.id],
            )
            return cr.fetchone()

        figures = (
            self.invoices.mapped("amount_total"),
            self.invoices.mapped("amount_residual"),
            self.invoices.mapped("payment_state"),
            self.booking.amount_total,
            self.booking.state,
            receivable(),
        )
        client_id = self.person.id
        with freeze_time(self.back):
            self.erase()
        self.env.invalidate_all()

        self.assertEqual(find_values(cr, SECRETS), [])
        person = self.person.with_context(active_test=False)
        self.assertEqual(person.name, f"Erased client #{client_id}")
        self.assertTrue(person.active, "kept for the bookings it travelled on")
        self.assertFalse(person.sputnik_birthdate or person.sputnik_gender)
        self.assertFalse(person.sputnik_citizenship_id or person.sputnik_consent_email)
        self.assertFalse(self.passport.exists())
        self.assertFalse(self.relation.exists() or self.preference.exists())
        self.assertFalse(
            self.env["mail.followers"].search([("partner_id", "=", client_id)])
        )
        self.assertEqual(self.interaction.name, "Erased interaction")
        self.assertFalse(self.interaction.note)
        self.assertFalse(self.complaint.description)
        # accounting keeps what it must
        self.assertEqual(
            (
                self.invoices.mapped("amount_total"),
                self.invoices.mapped("amount_residual"),
                self.invoices.mapped("payment_state"),
                self.booking.amount_total,
                self.booking.state,
                receivable(),
            ),
            figures,
        )
        self.assertEqual(self.booking.partner_id, self.person)
        self.assertIn(self.person, self.booking.sputnik_traveller_ids)
        # logged, without the values
        log = self.env["sputnik.privacy.log"].search(
            [("client_ref", "=", client_id), ("kind", "=", "erasure")]
        )
        self.assertEqual(log.user_id, self.manager)
        self.assertIn("1 travel documents", log.detail)
        self.assertFalse(
            self.env["sputnik.privacy.log"]
            .search([("client_ref", "=", client_id), ("kind", "=", "export")])
            .attachment_id,
            "the export files are deleted",
        )
        self.assertIn(
            "Personal data erased by Manager Test", str(person.message_ids[0].body)
        )

    # === ACCESS LOG === #
    def test_reading_a_passport_is_logged_for_managers_only(self):
        Log = self.env["sputnik.privacy.log"]
        domain = [
            ("client_ref", "=", self.person.id),
            ("user_id", "=", self.agent.id),
            ("kind", "=", "document"),
        ]
        self.assertFalse(Log.search(domain))
        self.passport.with_user(self.agent).read(["number"])
        self.passport.with_user(self.agent).web_read({"number": {}})
        self.env["sputnik.travel.document"].with_user(self.agent).search_read(
            [("id", "=", self.passport.id)], ["number"]
        )
        log = Log.search(domain)
        self.assertEqual(len(log), 1, "one row per user, client and day")
        self.assertEqual(log.partner_id, self.person)
        self.assertEqual(log.day, fields.Date.today())
        self.assertEqual(log.company_id, self.env.company)
        # the birth date, through the client's form
        self.person.with_user(self.agent).web_read(
            {"name": {}, "sputnik_birthdate": {}}
        )
        self.assertTrue(Log.search([*domain[:2], ("kind", "=", "birthdate")]))
        # a read without the birth date is not logged
        self.spouse.with_user(self.agent).read(["name"])
        self.assertFalse(Log.search([("client_ref", "=", self.spouse.id)]))
        # managers read the log, agents do not, nobody writes it
        self.assertEqual(Log.with_user(self.manager).search(domain), log)
        with self.assertRaises(AccessError):
            Log.with_user(self.agent).search(domain)
        with self.assertRaises(AccessError):
            log.with_user(self.manager).write({"user_id": self.manager.id})
        with self.assertRaises(AccessError):
            log.with_user(self.manager).unlink()
        with self.assertRaises(AccessError):
            Log.with_user(self.manager).create(
                {
                    "kind": "export",
                    "user_id": self.manager.id,
                    "client_ref": self.person.id,
                    "company_id": self.env.company.id,
                }
            )


@tagged("post_install", "-at_install")
class TestPrivacyRpc(HttpCase):
    """The personal-data actions as an outside client calls them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="privacy_rpc_agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="privacy_rpc_manager",
            groups="base.group_user,sputnik_crm.group_sputnik_manager",
        )
        cls.client_partner = cls.env["res.partner"].create(
            {"name": "Rpc Privacy Client", "customer_rank": 1, "user_id": cls.agent.id}
        )
        cls.document = cls.env["sputnik.travel.document"].create(
            {
                "partner_id": cls.client_partner.id,
                "number": "RPC0042",
                "country_id": cls.env.ref("base.ua").id,
            }
        )

    def call(self, user, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{odoo.tools.config['http_port']}/xmlrpc/2/object",
            allow_none=True,
        )
        return proxy.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def test_agent_refused_over_rpc_and_passport_read_logged(self):
        partner_ids = [self.client_partner.id]
        for method in (
            "action_sputnik_export_personal_data",
            "action_sputnik_erase_personal_data",
        ):
            with self.assertRaisesRegex(xmlrpc.client.Fault, "Only a Sputnik manager"):
                self.call(self.agent, "res.partner", method, partner_ids)
        with self.assertRaises(xmlrpc.client.Fault):
            self.call(
                self.agent,
                "sputnik.client.erase",
                "create",
                {"partner_id": self.client_partner.id, "confirm": True},
            )
        self.assertEqual(self.client_partner.name, "Rpc Privacy Client")

        values = self.call(
            self.agent,
            "sputnik.travel.document",
            "read",
            [self.document.id],
            ["number"],
        )
        self.assertEqual(values[0]["number"], "RPC0042")
        domain = [
            ("client_ref", "=", self.client_partner.id),
            ("user_id", "=", self.agent.id),
            ("kind", "=", "document"),
        ]
        with self.assertRaises(xmlrpc.client.Fault):
            self.call(
                self.agent, "sputnik.privacy.log", "search_read", domain, ["kind"]
            )
        rows = self.call(
            self.manager, "sputnik.privacy.log", "search_read", domain, ["kind", "date"]
        )
        self.assertEqual([row["kind"] for row in rows], ["document"])

    def test_web_client_read_of_the_client_form_is_logged(self):
        """The web client's reads that log go to a read/write transaction at
        once, rather than failing on a read-only one and being replayed."""
        self.client_partner.sputnik_birthdate = "1990-01-02"
        self.authenticate(self.agent.login, self.agent.login)
        with self.assertNoLogs("odoo.http", "WARNING"):
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw/res.partner/web_read",
                {
                    "model": "res.partner",
                    "method": "web_read",
                    "args": [[self.client_partner.id]],
                    "kwargs": {
                        "specification": {
                            "name": {},
                            "sputnik_birthdate": {},
                            "sputnik_travel_document_ids": {"fields": {"number": {}}},
                        }
                    },
                },
            )
        self.assertEqual(
            result[0]["sputnik_travel_document_ids"][0]["number"], "RPC0042"
        )
        logs = self.env["sputnik.privacy.log"].search(
            [
                ("client_ref", "=", self.client_partner.id),
                ("user_id", "=", self.agent.id),
            ]
        )
        self.assertEqual(sorted(logs.mapped("kind")), ["birthdate", "document"])
