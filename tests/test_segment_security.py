"""A segment's conditions are data, never code. Reproduced through the
external API as an outside client would."""

import importlib.util
from datetime import date
from pathlib import Path
from xmlrpc.client import Fault

from odoo import Command
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
