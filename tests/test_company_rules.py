import xmlrpc.client

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SputnikCase, make_departure, make_tour

RPC_ACCESS_ERROR = 4  # the XML-RPC fault code of an AccessError


@tagged("post_install", "-at_install")
class TestCompanyRulesRpc(HttpCase):
    """A client's passports are not seen nor changed from another company,
    through the external API as an outside client would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = env.company
        cls.company_b = env["res.company"].create({"name": "Second Bureau RPC"})
        cls.agent_a = new_test_user(
            env,
            login="rpc_agent_a",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.agent_b = new_test_user(
            env,
            login="rpc_agent_b",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        expiry = fields.Date.today() + relativedelta(years=5)
        cls.client_a, cls.client_shared = env["res.partner"].create(
            [
                {"name": "Client of Company A", "company_id": cls.company_a.id},
                {"name": "Client of All Companies", "company_id": False},
            ]
        )
        cls.passport_a, cls.passport_shared = env["sputnik.travel.document"].create(
            [
                {
                    "partner_id": partner.id,
                    "document_type": "foreign_passport",
                    "number": number,
                    "country_id": env.ref("base.ua").id,
                    "expiry_date": expiry,
                }
                for partner, number in (
                    (cls.client_a, "FA1234567"),
                    (cls.client_shared, "FS7654321"),
                )
            ]
        )

    def _call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def _assert_refused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as refusal:
            self._call(user, model, method, *args, **kwargs)
        self.assertEqual(refusal.exception.faultCode, RPC_ACCESS_ERROR)

    def test_passport_of_another_company(self):
        documents = "sputnik.travel.document"
        # the agent of company A works the passports of their clients
        found = self._call(
            self.agent_a, documents, "search_read", [], fields=["number"]
        )
        self.assertIn(
            {"id": self.passport_a.id, "number": "FA1234567"},
            found,
        )
        # the agent of company B sees the shared client's passport only
        found = self._call(
            self.agent_b,
            documents,
            "search_read",
            [("id", "in", [self.passport_a.id, self.passport_shared.id])],
            fields=["number", "partner_id"],
        )
        self.assertEqual([row["id"] for row in found], [self.passport_shared.id])
        found = self._call(
            self.agent_b,
            documents,
            "search_read",
            [("number", "=", "FA1234567")],
            fields=["number"],
        )
        self.assertEqual(found, [])
        self._assert_refused(
            self.agent_b, documents, "read", [self.passport_a.id], fields=["number"]
        )
        self._assert_refused(
            self.agent_b, documents, "write", [self.passport_a.id], {"number": "X1"}
        )
        self._assert_refused(
            self.agent_b,
            documents,
            "create",
            {"partner_id": self.client_a.id, "document_type": "visa", "number": "V9"},
        )
        self.passport_a.invalidate_recordset()
        self.assertEqual(self.passport_a.number, "FA1234567")
        self.assertEqual(
            self.env[documents].search_count([("partner_id", "=", self.client_a.id)]),
            1,
        )


@tagged("post_install", "-at_install")
class TestFormsOpen(SputnikCase):
    """Every user who may read a departure or a loyalty tier opens its form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="forms_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="forms_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.departure = make_departure(cls.env, make_tour(cls.env))
        cls.env["sputnik.waitlist"].create(
            {"departure_id": cls.departure.id, "partner_id": cls.client.id}
        )
        cls.tier = cls.env["sputnik.loyalty.tier"].create({"name": "Forms Tier"})

    def _open_form(self, record, user):
        """Load the form view as ``user`` and read what it shows, as the web
        client does; the fields it shows."""
        model = record.with_user(user)
        views = model.get_views([(False, "form")])
        shown = views["models"][record._name]["fields"]
        specification = {
            name: {"fields": {"display_name": {}}}
            if model._fields[name].relational
            else {}
            for name in shown
        }
        values = model.web_read(specification)
        self.assertEqual(values[0]["id"], record.id)
        return shown

    def test_departure_form(self):
        for user in (self.outsider, self.accountant, self.salesman, self.agent):
            with self.subTest(user=user.login):
                shown = self._open_form(self.departure, user)
                self.assertIn("seats_free", shown)
                self.assertEqual(
                    "waitlist_count" in shown, user == self.agent, user.login
                )
        self.assertEqual(self.departure.with_user(self.agent).waitlist_count, 1)
        self.assertIn("booking_count", self._open_form(self.departure, self.accountant))
        self.assertNotIn(
            "booking_count", self._open_form(self.departure, self.outsider)
        )

    def test_loyalty_tier_form(self):
        self.client.sudo().sputnik_tier_id = self.tier
        for user in (self.salesman, self.agent):
            with self.subTest(user=user.login):
                shown = self._open_form(self.tier, user)
                self.assertIn("min_trips", shown)
                self.assertEqual("partner_count" in shown, user == self.agent)
        self.assertEqual(self.tier.with_user(self.agent).partner_count, 1)
