"""A segment's conditions are data, never code; segment mailings stay in
their company; consent protects the bureau's clients without emptying the
database's other newsletters. Reproduced through the external API as an
outside client would."""

import importlib.util
from datetime import date
from pathlib import Path
from xmlrpc.client import Fault

from odoo import Command, fields
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSegmentSecurity(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Segment Company B"})
        cls.manager = new_test_user(
            cls.env,
            login="seg_manager_a",
            name="Segment Manager A",
            groups="base.group_user,sputnik_crm.group_sputnik_manager,"
            "mass_mailing.group_mass_mailing_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.agent_b = new_test_user(
            cls.env,
            login="seg_agent_b",
            name="Segment Agent B",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        Partner = cls.env["res.partner"]

        def client(name, company, consent):
            return Partner.create(
                {
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@seg-test.example",
                    "company_id": company.id if company else False,
                    "sputnik_consent_email": consent,
                    "sputnik_birthdate": date(1984, 3, 17),
                    "customer_rank": 1,
                }
            )

        cls.a_yes = client("Seg A Consenting", cls.company_a, True)
        cls.a_no = client("Seg A Silent", cls.company_a, False)
        cls.b_yes = client("Seg B Consenting", cls.company_b, True)
        cls.b_no = client("Seg B Silent", cls.company_b, False)
        cls.shared = client("Seg Shared Consenting", False, True)
        cls.b_yes.sputnik_birthdate = date(1971, 11, 29)
        cls.domain = "[('email', 'ilike', '@seg-test.example')]"

    def rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def assertRefused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(Fault) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        # 2: a UserError or ValidationError, a message and not a server error
        self.assertEqual(caught.exception.faultCode, 2, caught.exception.faultString)
        return caught.exception.faultString

    # --- finding 1: the conditions are data ----------------------------------
    def test_code_in_conditions_is_refused_and_runs_nowhere(self):
        system = self.env.ref("base.group_system")
        attacks = [
            f"[('id', 'in', user.sudo().write({{'groups_id': [(4, {system.id})]}}) "
            "and [])]",
            "[('id', 'in', user.env['ir.config_parameter'].sudo()"
            ".set_param('sputnik.seg_pwned', '1') and [])]",
            # another company's client's birth date through the error message
            "[('id', '=', str(user.env['res.partner'].sudo()"
            f".browse({self.b_yes.id}).sputnik_birthdate))]",
        ]
        segment = self.env["sputnik.segment"].create(
            {"name": "Seg Harmless", "domain": self.domain}
        )
        for attack in attacks:
            message = self.assertRefused(
                self.manager,
                "sputnik.segment",
                "create",
                {"name": "Seg Attack", "domain": attack},
            )
            self.assertNotIn("1971-11-29", message)
            self.assertRefused(
                self.manager,
                "sputnik.segment",
                "write",
                [segment.id],
                {"domain": attack},
            )
        self.assertFalse(self.manager.has_group("base.group_system"))
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param("sputnik.seg_pwned")
        )
        self.assertFalse(
            self.env["sputnik.segment"].search([("name", "=", "Seg Attack")])
        )
        segment.invalidate_recordset()
        self.assertEqual(segment.domain, self.domain)

    def test_conditions_on_hidden_or_unknown_fields_are_refused(self):
        segment = self.env["sputnik.segment"].create(
            {"name": "Seg Fields", "domain": self.domain}
        )
        for domain, field in [
            # restricted to the access-rights administrators
            ("[('signup_type', '=', 'signup')]", "signup_type"),
            ("[('user_ids', 'any', [('signup_type', '!=', False)])]", "signup_type"),
            ("[('user_ids.password', '!=', False)]", "user_ids.password"),
            ("[('no_such_field', '=', 1)]", "no_such_field"),
            ("[('parent_id.no_such_field', '=', 1)]", "parent_id.no_such_field"),
        ]:
            message = self.assertRefused(
                self.manager,
                "sputnik.segment",
                "write",
                [segment.id],
                {"domain": domain},
            )
            self.assertIn(f"“{field}”", message)
        for malformed in ["[('name', '=',", "['|', ('name', '=', 'x')]", "{'a': 1}"]:
            self.assertRefused(
                self.manager,
                "sputnik.segment",
                "write",
                [segment.id],
                {"domain": malformed},
            )
        segment.invalidate_recordset()
        self.assertEqual(segment.domain, self.domain)

    def test_literal_conditions_count_with_the_readers_rights(self):
        [segment_id] = self.rpc(
            self.manager,
            "sputnik.segment",
            "create",
            [{"name": "Seg Literal", "domain": self.domain}],
        )
        segment = self.env["sputnik.segment"].browse(segment_id)
        counts = ["partner_count", "consent_count", "no_consent_count"]
        [as_manager] = self.rpc(
            self.manager, "sputnik.segment", "read", [segment_id], counts
        )
        # company A's two clients and the shared one
        self.assertEqual(
            [as_manager[name] for name in counts],
            [3, 2, 1],
        )
        # company B's two clients, one more without consent, and the shared one
        self.env["res.partner"].create(
            {
                "name": "Seg B Extra",
                "email": "extra@seg-test.example",
                "company_id": self.company_b.id,
            }
        )
        [as_agent_b] = self.rpc(
            self.agent_b, "sputnik.segment", "read", [segment_id], counts
        )
        self.assertEqual([as_agent_b[name] for name in counts], [4, 2, 2])
        # an expression stored by a former version never runs for a reader
        self.env.cr.execute(
            "UPDATE sputnik_segment SET domain = %s WHERE id = %s",
            [
                "[('id', 'in', user.env['ir.config_parameter'].sudo()"
                ".set_param('sputnik.seg_read_pwned', '1') and [])]",
                segment.id,
            ],
        )
        segment.invalidate_recordset()
        [as_agent_b] = self.rpc(
            self.agent_b, "sputnik.segment", "read", [segment_id], counts
        )
        self.assertEqual([as_agent_b[name] for name in counts], [0, 0, 0])
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param("sputnik.seg_read_pwned")
        )

    def test_migration_neutralises_stored_expressions(self):
        literal = self.env["sputnik.segment"].create(
            {"name": "Seg Kept", "domain": self.domain}
        )
        coded = self.env["sputnik.segment"].create({"name": "Seg Coded"})
        expression = "[('sputnik_last_return_date', '<=', context_today())]"
        self.env.cr.execute(
            "UPDATE sputnik_segment SET domain = %s WHERE id = %s",
            [expression, coded.id],
        )
        path = Path(get_module_path("sputnik_crm"), "migrations/18.0.1.3.0/post-seg.py")
        spec = importlib.util.spec_from_file_location("sputnik_post_seg", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertFalse(coded.active)
        self.assertEqual(coded.domain_legacy, expression)
        self.assertEqual(coded.partner_count, 0)
        self.assertIn("context_today()", coded.message_ids[:1].body)
        self.assertTrue(literal.active)
        self.assertEqual(literal.domain, self.domain)
        self.assertFalse(literal.domain_legacy)
        # written again as data, the segment is no longer flagged
        coded.write({"domain": self.domain, "active": True})
        self.assertFalse(coded.domain_legacy)
        self.assertEqual(coded.partner_count, literal.partner_count)

    # --- finding 5: a segment mailing stays in its company ------------------
    def test_segment_mailing_reaches_only_its_company(self):
        segment = self.env["sputnik.segment"].create(
            {"name": "Seg Mailing", "domain": self.domain}
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        [mailing_id] = self.rpc(
            self.manager,
            "mailing.mailing",
            "create",
            [
                {
                    "subject": "Seg offer",
                    "body_html": "<p>Offer</p>",
                    "mailing_model_id": model_id,
                    "sputnik_segment_id": segment.id,
                }
            ],
        )
        [figures] = self.rpc(
            self.manager,
            "mailing.mailing",
            "read",
            [mailing_id],
            ["total", "sputnik_no_consent_count", "sputnik_company_id"],
        )
        self.assertEqual(figures["total"], 3)
        self.assertEqual(figures["sputnik_no_consent_count"], 1)
        self.assertEqual(figures["sputnik_company_id"][0], self.company_a.id)
        self.rpc(self.manager, "mailing.mailing", "action_send_mail", [mailing_id])
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing_id)]
        )
        self.assertEqual(
            sorted(traces.mapped("res_id")), sorted((self.a_yes | self.shared).ids)
        )
        # records given explicitly follow the same rules
        [again_id] = self.rpc(
            self.manager,
            "mailing.mailing",
            "copy",
            [mailing_id],
        )
        self.assertRefused(
            self.manager,
            "mailing.mailing",
            "action_send_mail",
            [again_id],
            [self.b_yes.id],
        )
        self.rpc(
            self.manager,
            "mailing.mailing",
            "action_send_mail",
            [again_id],
            (self.a_yes | self.a_no | self.b_yes).ids,
        )
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", again_id)])
        self.assertEqual(traces.mapped("res_id"), self.a_yes.ids)
        # a user of both companies mailing for company B reaches only B
        self.manager.write({"company_ids": [Command.link(self.company_b.id)]})
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.company_a.id, self.company_b.id])
            .create(
                {
                    "subject": "Seg offer B",
                    "body_html": "<p>Offer</p>",
                    "mailing_model_id": model_id,
                    "sputnik_segment_id": segment.id,
                    "sputnik_company_id": self.company_b.id,
                }
            )
        )
        self.assertEqual(
            sorted(mailing._get_recipients()), sorted((self.b_yes | self.shared).ids)
        )
        self.assertEqual(mailing.sputnik_no_consent_count, 1)

    # --- finding 9: Odoo's newsletters keep their recipients ----------------
    def contacts_mailing(self, partners, **vals):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Newsletter",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", partners.ids)]),
                **vals,
            }
        )

    def test_newsletter_to_contacts_reaches_as_without_the_addon(self):
        contacts = self.env["res.partner"].create(
            [
                {"name": f"Seg Reader {i}", "email": f"reader{i}@seg-news.example"}
                for i in range(3)
            ]
        )
        contacts[0].sputnik_consent_email = True
        mailing = self.contacts_mailing(contacts)
        # what mass_mailing itself targets: its domain and its default filters
        base = self.env["res.partner"].search(mailing._get_recipients_domain())
        self.assertEqual(base, contacts)
        self.assertEqual(sorted(mailing._get_recipients()), sorted(contacts.ids))
        self.assertEqual(mailing.sputnik_no_consent_count, 0)
        # the same people as a Sputnik segment: only who agreed
        segment = self.env["sputnik.segment"].create(
            {"name": "Seg Readers", "domain": repr([("id", "in", contacts.ids)])}
        )
        to_segment = self.contacts_mailing(contacts, sputnik_segment_id=segment.id)
        self.assertEqual(to_segment._get_recipients(), contacts[0].ids)
        self.assertEqual(to_segment.sputnik_no_consent_count, 2)
        # the bureau may require consent for every mailing to contacts
        self.company_a.sputnik_consent_all_mailings = True
        mailing.invalidate_recordset()
        self.assertEqual(mailing._get_recipients(), contacts[0].ids)
        self.assertEqual(mailing.sputnik_no_consent_count, 2)

    def test_record_consent_from_mailing_list_subscriptions(self):
        today = fields.Date.context_today(self.env["res.partner"])
        subscribed, opted_out, other = self.env["res.partner"].create(
            [
                {"name": f"Seg Subscriber {i}", "email": f"sub{i}@seg-list.example"}
                for i in range(3)
            ]
        )
        already = self.a_no
        already.write(
            {
                "sputnik_consent_email": True,
                "sputnik_consent_email_date": date(2020, 1, 1),
                "sputnik_consent_email_source": "office",
            }
        )
        mailing_list = self.env["mailing.list"].create(
            {
                "name": "Seg Newsletter",
                "contact_ids": [
                    Command.create({"name": p.name, "email": p.email})
                    for p in (subscribed, opted_out, already)
                ],
            }
        )
        mailing_list.subscription_ids.filtered(
            lambda s: s.contact_id.email == opted_out.email
        ).opt_out = True
        self.rpc(
            self.manager,
            "mailing.list",
            "action_sputnik_record_email_consent",
            [mailing_list.id],
        )
        self.env.invalidate_all()
        self.assertTrue(subscribed.sputnik_consent_email)
        self.assertEqual(subscribed.sputnik_consent_email_date, today)
        self.assertEqual(subscribed.sputnik_consent_email_source, "mailing_list")
        self.assertEqual(
            subscribed.sputnik_consent_email_origin, "Mailing list Seg Newsletter"
        )
        self.assertFalse(opted_out.sputnik_consent_email)
        self.assertFalse(other.sputnik_consent_email)
        # a consent already recorded keeps its own date and source
        self.assertEqual(already.sputnik_consent_email_date, date(2020, 1, 1))
        self.assertEqual(already.sputnik_consent_email_source, "office")
        # an agent may not record consents in bulk
        with self.assertRaises(Fault):
            self.rpc(
                self.agent_b,
                "mailing.list",
                "action_sputnik_record_email_consent",
                [mailing_list.id],
            )
