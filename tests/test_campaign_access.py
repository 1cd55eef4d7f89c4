"""Campaigns opened by the bureau's staff: the form reads without mailing
rights, each user sees the campaigns and figures of their companies, and every
screen of the Sputnik menu opens for an agent and a manager."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import SputnikCase


def view_spec(arch):
    """The fields the web client reads for a view: those of its arch, outside
    the sub-views of its one2many and many2many fields."""
    tree = etree.fromstring(arch)
    return {
        node.get("name"): {}
        for node in tree.iter("field")
        if not any(parent.tag == "field" for parent in node.iterancestors())
    }


def open_form(env, record):
    """Read ``record`` as its form view does for ``env``'s user."""
    views = env[record._name].get_views([(False, "form")])
    spec = view_spec(views["views"]["form"]["arch"])
    return record.with_env(env).web_read(spec)[0]


@tagged("post_install", "-at_install")
class TestCampaignAccess(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Second Bureau Camp"})
        cls.agent_b = new_test_user(
            cls.env,
            login="sputnik_agent_b_campaign",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.marketer = new_test_user(
            cls.env,
            login="sputnik_marketer_campaign",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        Campaign = cls.env["utm.campaign"]
        cls.campaign_a = Campaign.create(
            {"title": "Campaign of A", "company_id": cls.company.id}
        )
        cls.campaign_b = Campaign.create(
            {"title": "Campaign of B", "company_id": cls.company_b.id}
        )
        cls.campaign_shared = Campaign.create(
            {"title": "Campaign of All", "company_id": False}
        )
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Spring offers",
                "body_html": "<p>Offers</p>",
                "campaign_id": cls.campaign_a.id,
                "mailing_model_id": cls.env.ref("base.model_res_partner").id,
            }
        )

    def user_env(self, user):
        return self.env(
            user=user,
            context=dict(
                self.env.context,
                lang=user.lang,
                allowed_company_ids=user.company_ids.ids,
            ),
        )

    def test_form_opens_without_mailing_rights(self):
        """The agent and the manager have no right on mailings: the campaign's
        form (its invisible A/B count included) opens and counts none of
        them; a marketing user counts the one mailing of the campaign."""
        for user in (self.agent, self.manager):
            env = self.user_env(user)
            self.assertFalse(env["mailing.mailing"].has_access("read"))
            values = open_form(env, self.campaign_a)
            self.assertEqual(values["title"], "Campaign of A")
            self.assertEqual(values["ab_testing_mailings_count"], 0)
            self.assertNotIn("mailing_mail_count", values)
            with self.assertRaises(AccessError):
                env["mailing.mailing"].browse(self.mailing.id).read(["subject"])
        values = open_form(self.user_env(self.marketer), self.campaign_a)
        self.assertEqual(values["mailing_mail_count"], 1)
        self.assertEqual(values["ab_testing_mailings_count"], 0)

    def test_campaigns_of_the_users_companies(self):
        """An agent or manager of A sees the campaigns of A and the shared
        one, not those of B; the agent of B the reverse. A marketing user
        outside the Sputnik groups keeps Odoo's rule: every campaign."""
        ours = self.campaign_a | self.campaign_b | self.campaign_shared
        for user, seen in (
            (self.agent, self.campaign_a | self.campaign_shared),
            (self.manager, self.campaign_a | self.campaign_shared),
            (self.agent_b, self.campaign_b | self.campaign_shared),
            (self.marketer, ours),
        ):
            env = self.user_env(user)
            found = env["utm.campaign"].search([("id", "in", ours.ids)])
            self.assertEqual(found, seen, user.login)
        for user, hidden in (
            (self.agent, self.campaign_b),
            (self.agent_b, self.campaign_a),
        ):
            with self.assertRaises(AccessError):
                open_form(self.user_env(user), hidden)

    def test_figures_of_the_users_companies(self):
        """The shared campaign brought one opportunity in A and two in B:
        its form shows 1 to the agent of A, 2 to the agent of B."""
        Lead = self.env["crm.lead"]
        for company, count in ((self.company, 1), (self.company_b, 2)):
            Lead.create(
                [
                    {
                        "name": f"Request {company.name} {index}",
                        "type": "opportunity",
                        "company_id": company.id,
                        "user_id": False,
                        "campaign_id": self.campaign_shared.id,
                    }
                    for index in range(count)
                ]
            )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        for user, expected in ((self.agent, 1), (self.agent_b, 2)):
            self.env.invalidate_all()
            values = open_form(self.user_env(user), self.campaign_shared)
            self.assertEqual(values["sputnik_opportunities"], expected, user.login)

    def test_every_sputnik_screen_opens(self):
        """Each menu of the Sputnik app that opens a window: its views as the
        web client loads them (get_views), then its records read with the
        fields of its first view, and of its form, as an agent and a
        manager."""
        root = self.env.ref("sputnik_crm.sputnik_crm_menu_root")
        for user in (self.agent, self.manager):
            env = self.user_env(user)
            Menu = env["ir.ui.menu"]
            visible = Menu._visible_menu_ids()
            menus = Menu.search([("id", "child_of", root.id), ("action", "!=", False)])
            opened = 0
            for menu in menus.filtered(lambda m, visible=visible: m.id in visible):
                action = menu.sudo().action
                if action._name != "ir.actions.act_window":
                    continue
                with self.subTest(user=user.login, menu=menu.complete_name):
                    self._open_action(env, user, action)
                    opened += 1
            # the Sputnik menu opens tens of windows: the loop ran over them
            self.assertGreater(opened, 20)

    def _open_action(self, env, user, action):
        evaluation = {
            "uid": user.id,
            "context_today": safe_datetime.date.today,
            "datetime": safe_datetime,
            "allowed_company_ids": user.company_ids.ids,
        }
        context = dict(env.context, **safe_eval(action.context or "{}", evaluation))
        domain = safe_eval(action.domain or "[]", evaluation)
        Model = env(context=context)[action.res_model]
        modes = action.view_mode.split(",")
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
        views += [
            (action.view_id.id if mode == modes[0] else False, mode)
            for mode in modes
            if mode not in {mode for __, mode in views}
        ]
        result = Model.get_views(views, {"search_view_id": action.search_view_id.id})
        self.env.invalidate_all()
        first = modes[0]
        arch = result["views"][first]["arch"]
        if first in ("list", "kanban", "calendar"):
            Model.web_search_read(domain, view_spec(arch), limit=20)
        elif first in ("pivot", "graph"):
            Model.read_group(domain, [], [])
        if "form" in modes:
            records = Model.search(domain, limit=3)
            spec = view_spec(result["views"]["form"]["arch"])
            self.env.invalidate_all()
            records.web_read(spec)
