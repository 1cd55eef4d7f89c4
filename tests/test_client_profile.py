from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SputnikCase


@tagged("post_install", "-at_install")
class TestClientProfile(SputnikCase):
    @freeze_time("2026-11-28")
    def test_age_from_birth_date(self):
        self.client.sputnik_birthdate = date(1990, 11, 29)
        self.assertEqual(self.client.sputnik_age, 35)
        self.client.sputnik_birthdate = date(1990, 11, 28)
        self.assertEqual(self.client.sputnik_age, 36)
        with self.assertRaises(ValidationError):
            self.client.sputnik_birthdate = date(2027, 1, 1)

    def test_personal_data_for_sputnik_groups_only(self):
        self.client.sputnik_birthdate = date(1985, 5, 17)
        agent_view = self.client.with_user(self.agent)
        self.assertEqual(agent_view.sputnik_birthdate, date(1985, 5, 17))
        outsider_view = self.client.with_user(self.outsider)
        self.assertEqual(outsider_view.name, "Tour Client Sputnik")
        with mute_logger("odoo.models"), self.assertRaises(AccessError):
            outsider_view.sputnik_birthdate  # noqa: B018
        with mute_logger("odoo.models"), self.assertRaises(AccessError):
            outsider_view.sputnik_travel_document_ids  # noqa: B018

    def test_household(self):
        spouse = self.env["res.partner"].create({"name": "Spouse Test"})
        child = self.env["res.partner"].create({"name": "Child Test"})
        Relation = self.env["sputnik.client.relation"].with_user(self.agent)
        Relation.create(
            {
                "partner_id": self.client.id,
                "related_partner_id": spouse.id,
                "relation": "spouse",
            }
        )
        Relation.create(
            {
                "partner_id": self.client.id,
                "related_partner_id": child.id,
                "relation": "child",
                "pays_for": True,
            }
        )
        relations = self.client.sputnik_relation_ids
        self.assertEqual(relations.related_partner_id, spouse | child)
        self.assertEqual(relations.filtered("pays_for").related_partner_id, child)
        with self.assertRaises(ValidationError):
            Relation.create(
                {"partner_id": self.client.id, "related_partner_id": self.client.id}
            )

    def test_consent_is_dated(self):
        with Form(self.client.with_user(self.agent)) as form:
            form.sputnik_consent_email = True
            self.assertEqual(form.sputnik_consent_email_date, date.today())
            form.sputnik_consent_email_source = "office"
        self.assertTrue(self.client.sputnik_consent_email)
        self.assertEqual(self.client.sputnik_consent_email_date, date.today())
        self.assertEqual(self.client.sputnik_consent_email_source, "office")
