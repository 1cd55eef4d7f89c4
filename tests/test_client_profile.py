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


@tagged("post_install", "-at_install")
class TestPreferencesAndCompanions(SputnikCase):
    def test_preferences_keep_their_history(self):
        Preference = self.env["sputnik.client.preference"].with_user(self.agent)
        turkey = self.env["sputnik.destination"].create({"name": "Preferred Turkey"})
        beach = Preference.create(
            {"partner_id": self.client.id, "kind": "tour_type", "tour_type": "beach"}
        )
        Preference.create(
            {
                "partner_id": self.client.id,
                "kind": "destination",
                "destination_id": turkey.id,
            }
        )
        with self.assertRaises(ValidationError):
            Preference.create({"partner_id": self.client.id, "kind": "meal_plan"})
        with self.assertRaises(ValidationError):
            Preference.create(
                {
                    "partner_id": self.client.id,
                    "kind": "budget",
                    "budget_min": 50000,
                    "budget_max": 30000,
                }
            )
        # tastes change: the old preference ends, the new one starts
        beach.action_end()
        ski = Preference.create(
            {"partner_id": self.client.id, "kind": "tour_type", "tour_type": "ski"}
        )
        self.assertFalse(beach.is_current)
        self.assertEqual(beach.date_to, date.today())
        current = Preference.search(
            [("partner_id", "=", self.client.id), ("is_current", "=", True)]
        )
        self.assertEqual(current.mapped("kind"), ["destination", "tour_type"])
        self.assertIn(ski, current)
        self.assertEqual(len(self.client.sputnik_preference_ids), 3)
        self.assertIn("Ski", ski.display_name)
        with mute_logger("odoo.models"), self.assertRaises(AccessError):
            beach.with_user(self.agent).unlink()

    def test_travel_companions_suggested_from_bookings(self):
        friend = self.env["res.partner"].create({"name": "Travelled Along"})
        quoted = self.env["res.partner"].create({"name": "Only Quoted"})
        self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "sputnik_traveller_ids": [(6, 0, (self.client | friend).ids)],
                "state": "sale",
            }
        )
        self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "sputnik_traveller_ids": [(6, 0, (self.client | quoted).ids)],
            }
        )
        # read from the bookings when the card is opened, as a new request does
        (self.client | friend).invalidate_recordset(
            ["sputnik_companion_suggestion_ids"]
        )
        self.assertEqual(self.client.sputnik_companion_suggestion_ids, friend)
        self.assertEqual(friend.sputnik_companion_suggestion_ids, self.client)
        self.client.with_user(self.agent).action_sputnik_add_companions()
        relation = self.client.sputnik_relation_ids
        self.assertEqual(relation.related_partner_id, friend)
        self.assertEqual(relation.relation, "companion")
        self.client.invalidate_recordset(["sputnik_companion_suggestion_ids"])
        self.assertFalse(self.client.sputnik_companion_suggestion_ids)
