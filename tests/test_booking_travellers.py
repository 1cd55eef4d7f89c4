"""The Travellers tab of a booking: the travellers' birth dates and
passports inline, a passport fixed from its row, the traveller picker that
suggests the client's household and companions first."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import make_booking, make_travellers
from .test_booking_money import MoneyCase


@tagged("post_install", "-at_install")
class TestTravellersColumns(MoneyCase):
    def arch(self, user):
        views = self.env["sale.order"].with_user(user).get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_personal_columns_for_the_sputnik_groups_only(self):
        """The agent sees the travellers' birth dates and passports; a
        salesman of no Sputnik group their names and phones only."""
        agent = self.arch(self.agent)
        columns = agent.xpath("//field[@name='sputnik_traveller_ids']/list/field/@name")
        for name in (
            "sputnik_birthdate",
            "sputnik_passport_number",
            "sputnik_passport_expiry",
        ):
            self.assertIn(name, columns)
        outsider = new_test_user(
            self.env,
            login="sputnik_travellers_salesman",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
        )
        arch = self.arch(outsider)
        columns = arch.xpath("//field[@name='sputnik_traveller_ids']/list/field/@name")
        self.assertIn("name", columns)
        for name in ("sputnik_birthdate", "sputnik_passport_number"):
            self.assertNotIn(name, columns)


@tagged("post_install", "-at_install")
class TestTravellersTab(MoneyCase):
    def test_passport_inline_and_fixable(self):
        """A traveller with an expired passport and a valid one: the valid one
        (expiring last) is shown; the trip asks for a passport valid until its
        return + 6 months; the row's action opens that passport, or a new one
        when the last is expired; the read is logged."""
        traveller = make_travellers(self.env, 1, prefix="Passport Inline")
        passport = traveller.sputnik_travel_document_ids
        today = fields.Date.context_today(passport)
        old = self.env["sputnik.travel.document"].create(
            {
                "partner_id": traveller.id,
                "number": "OLD0000001",
                "country_id": self.env.ref("base.ua").id,
                "expiry_date": today - timedelta(days=1),
            }
        )
        booking = make_booking(self.env, self.departure, traveller, self.client)
        self.assertEqual(
            booking.sputnik_passport_valid_until,
            self.departure.date_end + relativedelta(months=6),
        )
        as_agent = traveller.with_user(self.agent)
        values = as_agent.read(["sputnik_passport_number", "sputnik_passport_expiry"])
        self.assertEqual(values[0]["sputnik_passport_number"], passport.number)
        self.assertEqual(values[0]["sputnik_passport_expiry"], passport.expiry_date)
        logged = (
            self.env["sputnik.privacy.log"]
            .sudo()
            .search([("kind", "=", "document"), ("user_id", "=", self.agent.id)])
        )
        self.assertEqual(logged.partner_id, traveller)
        action = as_agent.action_sputnik_traveller_passport()
        self.assertEqual(action["res_model"], "sputnik.travel.document")
        self.assertEqual(action["res_id"], passport.id)
        self.assertEqual(action["target"], "new")
        # the valid passport archived: the expired one remains, a new one opens
        passport.active = False
        traveller.invalidate_recordset()
        self.assertEqual(as_agent.sputnik_passport_id, old)
        action = as_agent.action_sputnik_traveller_passport()
        self.assertFalse(action["res_id"])
        self.assertEqual(action["context"]["default_partner_id"], traveller.id)
        # the passport problem shows on the booking, then is fixed
        self.assertTrue(booking.sputnik_passport_issues)
        self.env["sputnik.travel.document"].with_user(self.agent).with_context(
            action["context"]
        ).create(
            {
                "number": "NEW0000001",
                "expiry_date": today + timedelta(days=3 * 365),
            }
        )
        booking.invalidate_recordset()
        self.assertFalse(booking.sputnik_passport_issues)

    def test_personal_data_stays_with_the_sputnik_groups(self):
        traveller = make_travellers(self.env, 1, prefix="Passport Hidden")
        with self.assertRaises(AccessError):
            traveller.with_user(self.outsider).read(["sputnik_passport_number"])
        with self.assertRaises(AccessError):
            traveller.with_user(self.outsider).action_sputnik_traveller_passport()

    def test_picker_suggests_household_and_companions_first(self):
        """Five people named "Picker ...": the client, their spouse (a relation
        the client holds), their daughter (a relation she holds to the
        client), a companion of a past confirmed trip, and a stranger whose
        name sorts first. With the booking's client in the context the picker
        lists client, household (by name), companion, stranger; without it,
        by name."""
        make = self.env["res.partner"].create
        client = make({"name": "Picker Client"})
        spouse = make({"name": "Picker Spouse"})
        daughter = make({"name": "Picker Daughter"})
        companion = make({"name": "Picker Companion"})
        stranger = make({"name": "Picker Aardvark Stranger"})
        relation = self.env["sputnik.client.relation"]
        relation.create({"partner_id": client.id, "related_partner_id": spouse.id})
        relation.create(
            {
                "partner_id": daughter.id,
                "related_partner_id": client.id,
                "relation": "parent",
            }
        )
        for person in (client, companion):
            self.env["sputnik.travel.document"].create(
                {
                    "partner_id": person.id,
                    "number": f"PK{person.id:07d}",
                    "country_id": self.env.ref("base.ua").id,
                    "expiry_date": fields.Date.add(fields.Date.today(), years=3),
                }
            )
        past = make_booking(self.env, self.departure, client | companion, client)
        past.action_confirm()

        partners = self.env["res.partner"].with_user(self.agent)
        picker = partners.with_context(sputnik_traveller_of=client.id)
        expected = [client, daughter, spouse, companion, stranger]
        self.assertEqual(
            [pid for pid, _name in picker.name_search("Picker", limit=10)],
            [p.id for p in expected],
        )
        # the dialog's list (default order) too, and its pages
        self.assertEqual(
            picker.search([("name", "=like", "Picker %")], limit=2).ids,
            [client.id, daughter.id],
        )
        self.assertEqual(
            picker.search([("name", "=like", "Picker %")], offset=3).ids,
            [companion.id, stranger.id],
        )
        # by name without the client, or when the user sorts
        self.assertEqual(
            [pid for pid, _name in partners.name_search("Picker", limit=10)],
            [stranger.id, client.id, companion.id, daughter.id, spouse.id],
        )
        self.assertEqual(
            picker.search([("name", "=like", "Picker %")], order="id").ids,
            [client.id, spouse.id, daughter.id, companion.id, stranger.id],
        )
