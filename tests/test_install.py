from odoo.modules.module import get_manifest
from odoo.tests import tagged

from .common import SputnikCase

DEPENDENCIES = {
    "sale_management",
    "sale_stock",
    "purchase_stock",
    "sale_margin",
    "crm",
    "account",
    "l10n_ua",
    "mass_mailing_sale",
    "survey",
}


@tagged("post_install", "-at_install")
class TestInstall(SputnikCase):
    def test_module_and_dependencies_installed(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", list(DEPENDENCIES | {"sputnik_crm"}))]
        )
        self.assertEqual(
            {m.name: m.state for m in modules},
            dict.fromkeys(DEPENDENCIES | {"sputnik_crm"}, "installed"),
        )
        sputnik = modules.filtered(lambda m: m.name == "sputnik_crm")
        # the version installed is the manifest's (an upgrade ran its scripts)
        self.assertEqual(sputnik.latest_version, get_manifest("sputnik_crm")["version"])
        self.assertTrue(sputnik.latest_version.startswith("18.0."))
        self.assertEqual(sputnik.license, "LGPL-3")
        self.assertTrue(sputnik.application)

    def test_groups_chain(self):
        agent_group = self.env.ref("sputnik_crm.group_sputnik_user")
        manager_group = self.env.ref("sputnik_crm.group_sputnik_manager")
        category = self.env.ref("sputnik_crm.module_category_sputnik_crm")
        self.assertEqual(agent_group.category_id, category)
        self.assertEqual(manager_group.category_id, category)
        self.assertIn(agent_group, manager_group.implied_ids)
        # agents get the sales user rights they need, managers the sales manager's
        self.assertTrue(
            self.agent.has_group("sales_team.group_sale_salesman_all_leads")
        )
        self.assertFalse(self.agent.has_group("sales_team.group_sale_manager"))
        self.assertFalse(self.agent.has_group("sputnik_crm.group_sputnik_manager"))
        self.assertTrue(self.manager.has_group("sputnik_crm.group_sputnik_user"))
        self.assertTrue(self.manager.has_group("sales_team.group_sale_manager"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "sputnik_crm.group_sputnik_manager"
            )
        )

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_by_group(self):
        ref = self.env.ref
        root = ref("sputnik_crm.sputnik_crm_menu_root").id
        working = {
            ref("sputnik_crm.res_partner_menu_clients").id,
            ref("sputnik_crm.sale_order_menu_bookings").id,
            ref("sputnik_crm.sale_report_menu_bookings").id,
            ref("sputnik_crm.sputnik_client_settlement_menu").id,
            ref("sputnik_crm.sputnik_travel_document_menu").id,
            ref("sputnik_crm.sputnik_waitlist_menu").id,
            ref("sputnik_crm.product_template_menu_tours").id,
            ref("sputnik_crm.sputnik_departure_menu").id,
            ref("sputnik_crm.sputnik_departure_menu_calendar").id,
            ref("sputnik_crm.sputnik_interaction_menu").id,
            ref("sputnik_crm.res_partner_menu_rfm_grid").id,
            ref("sputnik_crm.sputnik_client_class_history_menu").id,
        }
        config = ref("sputnik_crm.sputnik_crm_menu_config").id
        settings = ref("sputnik_crm.res_config_settings_menu").id

        agent_menus = self._visible_menus(self.agent)
        self.assertIn(root, agent_menus)
        self.assertTrue(working <= agent_menus)
        self.assertNotIn(config, agent_menus)

        admin_menus = self._visible_menus(self.env.ref("base.user_admin"))
        self.assertIn(settings, admin_menus)
        self.assertIn(config, admin_menus)
        self.assertIn(ref("sputnik_crm.sputnik_destination_menu").id, admin_menus)
        duplicates = ref("sputnik_crm.sputnik_client_duplicate_menu").id
        self.assertIn(duplicates, self._visible_menus(self.manager))
        self.assertNotIn(duplicates, agent_menus)

        # without a Sputnik group the app is not on the home screen at all
        self.assertNotIn(root, self._visible_menus(self.outsider))

    def test_actions_open(self):
        for xmlid in (
            "sputnik_crm.res_partner_action_clients",
            "sputnik_crm.sale_order_action_bookings",
            "sputnik_crm.sale_report_action_bookings",
            "sputnik_crm.product_template_action_tours",
            "sputnik_crm.sputnik_departure_action",
            "sputnik_crm.sputnik_departure_action_calendar",
            "sputnik_crm.sputnik_waitlist_action",
            "sputnik_crm.sputnik_travel_document_action",
            "sputnik_crm.sputnik_client_settlement_action",
            "sputnik_crm.sputnik_client_duplicate_action",
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            model = self.env[action["res_model"]].with_user(self.agent)
            # every view mode of the action has a view the agent can load
            for mode in action["view_mode"].split(","):
                arch = model.get_view(view_type=mode)["arch"]
                self.assertTrue(arch, f"{xmlid} has no {mode} view")
            model.search_read([], ["display_name"], limit=5)

    def test_settings_team_counts(self):
        settings = self.env["res.config.settings"].create({})
        users = self.env["res.users"].with_context(active_test=True)
        agents = users.search_count(
            [
                ("share", "=", False),
                ("groups_id", "in", self.env.ref("sputnik_crm.group_sputnik_user").id),
            ]
        )
        managers = users.search_count(
            [
                ("share", "=", False),
                (
                    "groups_id",
                    "in",
                    self.env.ref("sputnik_crm.group_sputnik_manager").id,
                ),
            ]
        )
        self.assertEqual(settings.sputnik_agent_count, agents)
        self.assertEqual(settings.sputnik_manager_count, managers)
        self.assertGreaterEqual(
            agents, 2
        )  # at least the agent and the manager of this class
        action = settings.action_sputnik_open_managers()
        self.assertEqual(action["res_model"], "res.users")
        self.assertIn(self.manager, self.env["res.users"].search(action["domain"]))
        self.assertNotIn(self.agent, self.env["res.users"].search(action["domain"]))
