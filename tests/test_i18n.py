import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = os.path.join(os.path.dirname(__file__), os.pardir, "sputnik_crm", "i18n")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pot = polib.pofile(os.path.join(I18N, "sputnik_crm.pot"))
        cls.po = polib.pofile(os.path.join(I18N, "uk.po"))

    def test_pot_is_current(self):
        """The committed .pot holds exactly the terms the addon has (`make pot`)."""
        terms = {
            row[4]
            for row in TranslationModuleReader(self.env.cr, modules=["sputnik_crm"])
            if row[0] == "sputnik_crm"
        }
        committed = {entry.msgid for entry in self.pot if not entry.obsolete}
        self.assertFalse(
            terms - committed, "terms missing from sputnik_crm.pot: run make pot"
        )
        self.assertFalse(
            committed - terms, "stale terms in sputnik_crm.pot: run make pot"
        )

    def test_ukrainian_complete(self):
        translated = {
            e.msgid: e.msgstr for e in self.po if e.translated() and not e.obsolete
        }
        missing = [e.msgid for e in self.pot if e.msgid not in translated]
        self.assertFalse(missing, "terms without a Ukrainian translation in uk.po")

    def test_ukrainian_loaded(self):
        """The Ukrainian-speaking agent sees the addon in Ukrainian."""
        menu = self.env.ref("sputnik_crm.res_partner_menu_clients")
        group = self.env.ref("sputnik_crm.group_sputnik_user")
        expected = {e.msgid: e.msgstr for e in self.po}
        self.assertEqual(menu.with_context(lang="uk_UA").name, expected["Clients"])
        self.assertEqual(
            group.with_context(lang="uk_UA").name, expected["Travel agent"]
        )
        self.assertNotEqual(expected["Clients"], "Clients")
        # and Odoo itself speaks Ukrainian to them too
        sale_menu = self.env.ref("sale.sale_menu_root")
        self.assertNotEqual(sale_menu.with_context(lang="uk_UA").name, sale_menu.name)
