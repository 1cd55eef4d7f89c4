from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.sputnik_crm.models.sputnik_client_duplicate import CROWDED

from .common import SputnikCase


@tagged("post_install", "-at_install")
class TestClientDuplicates(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]

        def client(name, **values):
            return Partner.create({"name": name, "customer_rank": 1, **values})

        cls.phone_a = client("Dup Phone A", phone="+380 67 913 57 24")
        cls.phone_b = client("Dup Phone B", mobile="067-913-57-24")
        # near misses: another last digit, too few digits
        cls.phone_other = client("Dup Phone Other", phone="+380 67 913 57 25")
        cls.short_a = client("Dup Short A", phone="91-35-72")
        cls.short_b = client("Dup Short B", mobile="913572")

        cls.email_a = client("Dup Mail A", email=" Olena.Dup@Example.COM ")
        cls.email_b = client("Dup Mail B", email="olena.dup@example.com")
        # archived partners and companies never match
        cls.email_archived = client(
            "Dup Mail Archived", email="olena.dup@example.com", active=False
        )
        cls.email_company = client(
            "Dup Mail Company", email="olena.dup@example.com", is_company=True
        )

        cls.passport_a = client("Dup Passport A")
        cls.passport_b = client("Dup Passport B")
        cls.passport_internal = client("Dup Passport Internal")
        cls._document(cls.passport_a, "FX 713 579", "base.ua")
        cls._document(cls.passport_b, "fx713579", "base.pl")
        # same number, other document type: no match
        cls._document(cls.passport_internal, "FX713579", "base.ua", "internal_passport")

        cls.name_a = client("Ivanna  Dupchenko", sputnik_birthdate="1990-05-01")
        cls.name_b = client(" ivanna dupchenko", sputnik_birthdate="1990-05-01")
        cls.name_other = client("Ivanna Dupchenko", sputnik_birthdate="1990-05-02")

        # a pair matching on three rules gives one row, the strongest reason
        cls.multi_a = client(
            "Dup Multi A", email="multi.dup@example.com", phone="+380 50 777 31 19"
        )
        cls.multi_b = client(
            "Dup Multi B", email="multi.dup@example.com", mobile="0507773119"
        )
        cls._document(cls.multi_a, "MD 998877", "base.ua")
        cls._document(cls.multi_b, "MD998877", "base.md")

        cls.test_partners = (
            cls.phone_a
            | cls.phone_b
            | cls.phone_other
            | cls.short_a
            | cls.short_b
            | cls.email_a
            | cls.email_b
            | cls.email_archived
            | cls.email_company
            | cls.passport_a
            | cls.passport_b
            | cls.passport_internal
            | cls.name_a
            | cls.name_b
            | cls.name_other
            | cls.multi_a
            | cls.multi_b
        )

    @classmethod
    def _document(cls, partner, number, country, document_type="foreign_passport"):
        return cls.env["sputnik.travel.document"].create(
            {
                "partner_id": partner.id,
                "document_type": document_type,
                "number": number,
                "country_id": cls.env.ref(country).id,
            }
        )

    def _duplicates(self, env=None):
        env = env or self.env
        env.flush_all()
        ids = self.test_partners.ids
        return env["sputnik.client.duplicate"].search(
            ["|", ("partner_id", "in", ids), ("other_partner_id", "in", ids)]
        )

    def test_pairs_and_reasons(self):
        rows = self._duplicates()
        found = {(row.partner_id, row.other_partner_id): row.reason for row in rows}
        self.assertEqual(
            found,
            {
                (self.phone_a, self.phone_b): "phone",
                (self.email_a, self.email_b): "email",
                (self.passport_a, self.passport_b): "passport",
                (self.name_a, self.name_b): "name_birthdate",
                (self.multi_a, self.multi_b): "passport",
            },
        )
        multi = rows.filtered(lambda r: r.partner_id == self.multi_a)
        self.assertRecordValues(
            multi,
            [
                {
                    "partner_name": "Dup Multi A",
                    "other_partner_name": "Dup Multi B",
                    "matched_value": "MD998877 (foreign_passport)",
                    "match_passport": True,
                    "match_name_birthdate": False,
                    "match_email": True,
                    "match_phone": True,
                }
            ],
        )
        values = {row.reason: row.matched_value for row in rows - multi}
        self.assertEqual(
            values,
            {
                "phone": "679135724",
                "email": "olena.dup@example.com",
                "passport": "FX713579 (foreign_passport)",
                "name_birthdate": "ivanna dupchenko, 1990-05-01",
            },
        )

    def test_row_id_is_stable(self):
        """The row id encodes the pair, so it survives other changes."""
        row = self._duplicates().filtered(lambda r: r.partner_id == self.email_a)
        self.email_b.email = False
        self.env["res.partner"].create(
            {"name": "Dup Mail C", "email": "olena.dup@example.com"}
        )
        self.email_b.email = "olena.dup@example.com"
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(row.other_partner_id, self.email_b)
        self.assertEqual(row.reason, "email")

    def test_rows_read_by_id(self):
        """The ORM reads the rows it found by their id, which encodes the pair."""
        rows = self._duplicates()
        fnames = ["partner_id", "other_partner_id", "reason", "matched_value"]
        expected = rows.read(fnames)
        self.env.invalidate_all()
        Duplicate = self.env["sputnik.client.duplicate"]
        self.assertEqual(Duplicate.browse(rows.ids).read(fnames), expected)
        self.assertEqual(Duplicate.search([("id", "in", rows.ids)]), rows)
        # the id of a pair that shares nothing: no row
        partner, other = sorted((self.phone_a.id, self.phone_other.id))
        self.assertFalse(
            Duplicate.search([("id", "in", [other * (other - 1) // 2 + partner])])
        )

    def test_group_by_reason(self):
        self.env.flush_all()
        groups = self.env["sputnik.client.duplicate"]._read_group(
            [("partner_id", "in", self.test_partners.ids)], ["reason"], ["__count"]
        )
        counts = dict(groups)
        self.assertEqual(counts["passport"], 2)
        self.assertEqual(counts["phone"], 1)

    def test_agent_reads_duplicates(self):
        """Needs the report's access rows in security/ir.model.access.csv."""
        rows = self._duplicates(self.env(user=self.agent))
        self.assertEqual(len(rows), 5)
        self.assertTrue(all(rows.mapped("partner_name")))

    def test_merge_needs_manager(self):
        row = self._duplicates().filtered(lambda r: r.partner_id == self.phone_a)
        with self.assertRaises(AccessError):
            row.with_user(self.agent).action_merge()
        with self.assertRaises(AccessError):
            row.with_user(self.outsider).action_merge()
        self.assertTrue(self.phone_b.exists())

    def _history(self, partner):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        document = self.env["sputnik.travel.document"].create(
            {
                "partner_id": partner.id,
                "document_type": "internal_passport",
                "number": f"DUP{partner.id:07d}",
                "country_id": self.env.ref("base.ua").id,
            }
        )
        message = partner.message_post(body="Called about the visa to Egypt")
        return order, document, message

    def _assert_merged(self, survivor, merged, order, document, message):
        self.assertFalse(merged.exists(), "Odoo's merge deletes the merged partner")
        self.assertEqual(order.partner_id, survivor)
        self.assertIn(order, survivor.sale_order_ids)
        self.assertEqual(document.partner_id, survivor)
        self.assertEqual((message.model, message.res_id), ("res.partner", survivor.id))
        self.assertIn(message, survivor.message_ids)
        self.env.flush_all()
        self.assertFalse(
            self._duplicates().filtered(
                lambda r: survivor in (r.partner_id | r.other_partner_id)
            )
        )

    def test_merge_as_manager(self):
        """A manager without "Contact Creation" merges through the wizard in sudo."""
        self.assertFalse(self.manager.has_group("base.group_partner_manager"))
        order, document, message = self._history(self.phone_b)
        row = self._duplicates().filtered(lambda r: r.partner_id == self.phone_a)
        action = row.with_user(self.manager).action_merge()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", self.phone_a.id)
        )
        self._assert_merged(self.phone_a, self.phone_b, order, document, message)
        self.assertEqual(self.phone_a.mobile, "067-913-57-24")

    def test_merge_with_wizard(self):
        """A contact manager gets Odoo's merge wizard, prefilled with the pair."""
        self.manager.groups_id = [Command.link(self.ref("base.group_partner_manager"))]
        order, document, message = self._history(self.name_b)
        row = self._duplicates().filtered(lambda r: r.partner_id == self.name_a)
        action = row.with_user(self.manager).action_merge()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        wizard = self.env[action["res_model"]].with_user(self.manager)
        wizard = wizard.browse(action["res_id"])
        self.assertEqual(wizard.partner_ids, self.name_a | self.name_b)
        self.assertEqual(wizard.dst_partner_id, self.name_a, "the older one survives")
        wizard.action_merge()
        self._assert_merged(self.name_a, self.name_b, order, document, message)

    def test_wizard_keeps_odoo_email_check(self):
        """In the wizard a non-admin cannot merge clients with other e-mails."""
        self.manager.groups_id = [Command.link(self.ref("base.group_partner_manager"))]
        row = self._duplicates().filtered(lambda r: r.partner_id == self.email_a)
        action = row.with_user(self.manager).action_merge()
        wizard = self.env[action["res_model"]].with_user(self.manager)
        with self.assertRaises(UserError):
            wizard.browse(action["res_id"]).action_merge()


@tagged("post_install", "-at_install")
class TestClientDuplicateKeys(SputnikCase):
    """The match keys behind the duplicates follow the partners and their
    passports on create, write, archive, unlink and merge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create(
            {"name": "Anna Keytest", "phone": "+380 63 111 22 33", "customer_rank": 1}
        )
        cls.anna_again = Partner.create(
            {"name": "Anna Keytest 2", "mobile": "063-111-22-33", "customer_rank": 1}
        )
        cls.other = Partner.create(
            {"name": "Other Keytest", "phone": "+380 63 999 88 77", "customer_rank": 1}
        )

    def _keys(self, partner):
        self.env.cr.execute(
            """SELECT reason, value, holders FROM sputnik_client_duplicate_key
                WHERE partner_id = %s ORDER BY reason, value""",
            (partner.id,),
        )
        return self.env.cr.fetchall()

    def _pairs(self, *partners):
        self.env.flush_all()
        ids = [p.id for p in partners]
        rows = self.env["sputnik.client.duplicate"].search(
            ["|", ("partner_id", "in", ids), ("other_partner_id", "in", ids)]
        )
        return {(r.partner_id, r.other_partner_id): r.reason for r in rows}

    def test_keys_of_a_new_client(self):
        self.assertEqual(self._keys(self.anna), [("phone", "631112233", 2)])
        self.assertEqual(self._keys(self.other), [("phone", "639998877", 1)])
        self.assertEqual(
            self._pairs(self.anna), {(self.anna, self.anna_again): "phone"}
        )

    def test_changed_phone_moves_the_key(self):
        self.anna.phone = "+380 (63) 999-88-77"
        self.assertEqual(self._keys(self.anna), [("phone", "639998877", 2)])
        # the client left behind holds its value alone, the new one is shared
        self.assertEqual(self._keys(self.anna_again), [("phone", "631112233", 1)])
        self.assertEqual(self._keys(self.other), [("phone", "639998877", 2)])
        self.assertEqual(
            self._pairs(self.anna, self.anna_again),
            {(self.anna, self.other): "phone"},
        )

    def test_archived_client_leaves(self):
        self.anna_again.active = False
        self.assertEqual(self._keys(self.anna_again), [])
        self.assertEqual(self._keys(self.anna), [("phone", "631112233", 1)])
        self.assertEqual(self._pairs(self.anna), {})
        self.anna_again.active = True
        self.assertEqual(
            self._pairs(self.anna), {(self.anna, self.anna_again): "phone"}
        )

    def test_company_and_deleted_client_leave(self):
        self.anna_again.is_company = True
        self.assertEqual(self._keys(self.anna_again), [])
        self.assertEqual(self._pairs(self.anna), {})
        self.anna_again.is_company = False
        self.assertEqual(self._keys(self.anna), [("phone", "631112233", 2)])
        self.anna_again.unlink()
        self.assertEqual(self._keys(self.anna), [("phone", "631112233", 1)])

    def test_crowded_value_pairs_nobody(self):
        Partner = self.env["res.partner"]
        crowd = Partner.create(
            [
                {"name": f"Crowd Keytest {i}", "phone": "+380 44 200 00 00"}
                for i in range(CROWDED + 1)
            ]
        )
        self.assertEqual(self._keys(crowd[0]), [("phone", "442000000", CROWDED + 1)])
        self.assertEqual(self._pairs(*crowd), {})
        # one archived: CROWDED holders, every two of them a pair
        crowd[-1].action_archive()
        self.assertEqual(self._keys(crowd[0]), [("phone", "442000000", CROWDED)])
        self.assertEqual(len(self._pairs(*crowd)), CROWDED * (CROWDED - 1) // 2)

    def test_passport_keys(self):
        Document = self.env["sputnik.travel.document"]
        first = Document.create(
            {
                "partner_id": self.other.id,
                "document_type": "foreign_passport",
                "number": "KT 123456",
                "country_id": self.env.ref("base.ua").id,
            }
        )
        second = Document.create(
            {
                "partner_id": self.anna.id,
                "document_type": "foreign_passport",
                "number": "kt123456",
                "country_id": self.env.ref("base.pl").id,
            }
        )
        self.assertIn(
            ("passport", "KT123456 (foreign_passport)", 2), self._keys(self.anna)
        )
        self.assertEqual(
            self._pairs(self.other),
            {(self.anna, self.other): "passport"},
        )
        second.number = "KT 654321"
        self.assertEqual(self._pairs(self.other), {})
        second.partner_id = self.anna_again
        self.assertNotIn("passport", [key[0] for key in self._keys(self.anna)])
        self.assertIn(
            ("passport", "KT654321 (foreign_passport)", 1), self._keys(self.anna_again)
        )
        first.unlink()
        self.assertEqual(self._keys(self.other), [("phone", "639998877", 1)])

    def test_merge_computes_the_survivor_keys(self):
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.anna | self.anna_again).ids, self.anna
        )
        self.assertFalse(self.anna_again.exists())
        self.assertEqual(self._keys(self.anna), [("phone", "631112233", 1)])
        self.assertEqual(self._pairs(self.anna), {})

    def test_rebuild_gives_the_same_keys(self):
        """The set-based computation of installation and upgrade and the
        keys kept by every change agree."""
        self.anna.write({"email": "Anna.Keytest@Example.com", "phone": False})
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT partner_id, reason, value, holders
                 FROM sputnik_client_duplicate_key ORDER BY 1, 2, 3"""
        )
        kept = self.env.cr.fetchall()
        self.env["sputnik.client.duplicate"]._sputnik_rebuild_keys()
        self.env.cr.execute(
            """SELECT partner_id, reason, value, holders
                 FROM sputnik_client_duplicate_key ORDER BY 1, 2, 3"""
        )
        self.assertEqual(self.env.cr.fetchall(), kept)
        self.assertIn(("email", "anna.keytest@example.com", 1), self._keys(self.anna))

    def test_nightly_count_pairs_a_race(self):
        """Two partners given the same value by transactions running at the
        same moment each counted one holder; the night's count pairs them and
        writes nothing more the next night."""
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE sputnik_client_duplicate_key SET holders = 1
                WHERE partner_id IN %s AND reason = 'phone'""",
            [(self.anna.id, self.anna_again.id)],
        )
        self.assertEqual(self._pairs(self.anna), {})
        Duplicate = self.env["sputnik.client.duplicate"]
        self.assertEqual(Duplicate._cron_sputnik_count_holders(), 2)
        self.assertEqual(
            self._pairs(self.anna), {(self.anna, self.anna_again): "phone"}
        )
        self.assertEqual(Duplicate._cron_sputnik_count_holders(), 0)
