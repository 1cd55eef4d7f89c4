from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
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


@tagged("post_install", "-at_install")
class TestProfileSurvivesMerge(SputnikCase):
    def _merge(self, user, partners, survivor):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, partners.ids)],
                    "dst_partner_id": survivor.id,
                    "state": "selection",
                }
            )
        )
        wizard.action_merge()

    def test_household_moves_without_duplicates_or_self_relations(self):
        Partner = self.env["res.partner"]
        first, second, third, fourth = Partner.create(
            [{"name": f"Merge {n}"} for n in "ABCD"]
        )
        Relation = self.env["sputnik.client.relation"]
        Relation.create(
            [
                {"partner_id": first.id, "related_partner_id": third.id},
                {"partner_id": second.id, "related_partner_id": third.id},
                {
                    "partner_id": second.id,
                    "related_partner_id": fourth.id,
                    "relation": "friend",
                    "note": "keep me",
                },
                {"partner_id": first.id, "related_partner_id": second.id},
            ]
        )
        self._merge(self.env.user, first | second, first)
        rows = Relation.search([("partner_id", "=", first.id)])
        self.assertEqual(rows.related_partner_id, third | fourth)
        self.assertEqual(
            rows.filtered(lambda r: r.note == "keep me").relation, "friend"
        )
        self.assertFalse(Relation.search([("related_partner_id", "=", first.id)]))

    def test_personal_data_survives_a_merge_by_anyone(self):
        contact_manager = new_test_user(
            self.env,
            login="contact_manager_test",
            groups="base.group_user,base.group_partner_manager",
        )
        keeper, merged = self.env["res.partner"].create(
            [{"name": "Keeper"}, {"name": "Merged Away"}]
        )
        merged.write(
            {"sputnik_birthdate": date(1980, 5, 5), "sputnik_consent_sms": True}
        )
        self._merge(contact_manager, keeper | merged, keeper)
        self.assertEqual(keeper.sputnik_birthdate, date(1980, 5, 5))
        self.assertTrue(keeper.sputnik_consent_sms)

    def test_consents_are_personal_data(self):
        self.client.sputnik_consent_email = True
        with mute_logger("odoo.models"), self.assertRaises(AccessError):
            self.client.with_user(self.outsider).sputnik_consent_email  # noqa: B018
        with self.assertRaises(ValidationError):
            self.env["sputnik.client.preference"].create(
                {"partner_id": self.client.id, "kind": "budget"}
            )

    def test_household_edited_in_the_form_of_a_travelled_client(self):
        friend = self.env["res.partner"].create({"name": "Form Companion"})
        self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "sputnik_traveller_ids": [(6, 0, (self.client | friend).ids)],
                "state": "sale",
            }
        )
        spouse = self.env["res.partner"].create({"name": "Form Spouse"})
        with Form(self.client.with_user(self.agent)) as form:
            with form.sputnik_relation_ids.new() as row:
                row.related_partner_id = spouse
                row.relation = "spouse"
        self.assertEqual(self.client.sputnik_relation_ids.related_partner_id, spouse)
