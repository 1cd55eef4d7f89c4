from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo of a Ukrainian tour bureau that `make run` shows."""

    def test_company_in_hryvnias(self):
        company = self.env.ref("base.demo_company_ua")
        self.assertEqual(company.name, "Турбюро «Супутник»")
        self.assertEqual(company.currency_id, self.env.ref("base.UAH"))
        self.assertEqual(company.country_id, self.env.ref("base.ua"))
        # the bureau can invoice: it has a chart of accounts and a sales journal
        self.assertEqual(company.chart_template, "ua_psbo")
        self.assertTrue(
            self.env["account.journal"].search_count(
                [("company_id", "=", company.id), ("type", "=", "sale")]
            )
        )

    def test_team_logins(self):
        company = self.env.ref("base.demo_company_ua")
        manager = self.env.ref("sputnik_crm.user_manager_demo")
        agent = self.env.ref("sputnik_crm.user_agent_demo")
        agent2 = self.env.ref("sputnik_crm.user_agent2_demo")
        self.assertEqual(
            (manager | agent | agent2).mapped("login"), ["manager", "agent", "agent2"]
        )
        self.assertTrue(manager.has_group("sputnik_crm.group_sputnik_manager"))
        for user in agent | agent2:
            self.assertTrue(user.has_group("sputnik_crm.group_sputnik_user"))
            self.assertFalse(user.has_group("sputnik_crm.group_sputnik_manager"))
        self.assertEqual((manager | agent | agent2).company_id, company)
        self.assertEqual(agent.lang, "uk_UA")
        self.assertTrue(self.env["res.lang"]._lang_get("uk_UA").active)
        # the team lands in the Sputnik app after logging in
        self.assertEqual(
            (manager | agent | agent2).action_id.ids,
            self.env.ref("sputnik_crm.res_partner_action_clients").ids,
        )
        # the English-speaking agent works in English, which is active
        self.assertEqual(agent2.lang, "en_US")
        self.assertTrue(self.env["res.lang"]._lang_get("en_US").active)
        self.assertEqual(
            self.env["res.lang"].with_user(agent2)._lang_get(agent2.lang).code,
            "en_US",
        )
        # the demo passwords printed by `make run` work
        for user in manager | agent | agent2:
            user.with_user(user)._check_credentials(
                {"type": "password", "password": user.login}, {"interactive": True}
            )

    def test_clients(self):
        clients = self.env["res.partner"].search(
            [
                (
                    "id",
                    "in",
                    [
                        self.env.ref(f"sputnik_crm.res_partner_client_{i:02d}_demo").id
                        for i in range(1, 31)
                    ],
                )
            ]
        )
        self.assertEqual(len(clients), 30)
        agents = self.env.ref("sputnik_crm.user_agent_demo") | self.env.ref(
            "sputnik_crm.user_agent2_demo"
        )
        for client in clients:
            self.assertTrue(client.phone.startswith("+380"), client.phone)
            self.assertTrue(client.email)
            self.assertIn(client.user_id, agents)
            self.assertGreater(client.customer_rank, 0)
        self.assertEqual(len(set(clients.mapped("email"))), 30)


@tagged("post_install", "-at_install")
class TestDemoSeason(TransactionCase):
    """`make run` shows a lively bureau: a season of departures and bookings."""

    def test_bookings_in_every_status(self):
        company = self.env.ref("base.demo_company_ua")
        orders = self.env["sale.order"].search(
            [("company_id", "=", company.id), ("sputnik_is_booking", "=", True)]
        )
        statuses = set(orders.mapped("sputnik_status"))
        self.assertEqual(
            statuses,
            {
                "quotation",
                "confirmed",
                "paid",
                "documents",
                "travelling",
                "completed",
                "cancelled",
            },
        )
        self.assertTrue(any(o.sputnik_passport_issues for o in orders))
        self.assertIn("overdue", orders.mapped("sputnik_payment_status"))
        # overdue means an invoice past its due date, never a booking made
        # inside its balance window
        overdue = orders.filtered(lambda o: o.sputnik_payment_status == "overdue")
        for order in overdue:
            self.assertGreater(order.sputnik_amount_overdue, 0, order.name)
            self.assertLess(
                order.sputnik_balance_due_date, fields.Date.context_today(order)
            )
        # the demo's bookings have their invoices issued as the invoicing cron
        # issues them: none waits
        agents = self.env.ref("sputnik_crm.user_agent_demo") | self.env.ref(
            "sputnik_crm.user_agent2_demo"
        )
        self.assertFalse(
            orders.filtered(
                lambda o: o.sputnik_invoicing_pending and o.user_id in agents
            )
        )
        invoices = orders.invoice_ids
        self.assertIn("out_refund", invoices.mapped("move_type"))
        self.assertIn("paid", invoices.mapped("payment_state"))
        self.assertIn("not_paid", invoices.mapped("payment_state"))

    def test_departures_and_waitlist(self):
        departures = self.env["sputnik.departure"].search(
            [("company_id", "=", self.env.ref("base.demo_company_ua").id)]
        )
        self.assertGreaterEqual(len(departures), 12)
        states = set(departures.mapped("state"))
        self.assertTrue({"open", "sold_out", "planned", "departed", "done"} <= states)
        sold_out = departures.filtered(lambda d: d.state == "sold_out")
        self.assertEqual(sold_out.waitlist_count, 2)
        for departure in departures:
            self.assertEqual(departure.product_id.product_tmpl_id, departure.tour_id)


@tagged("post_install", "-at_install")
class TestDemoClassification(TransactionCase):
    """The demo base is classified: every class has clients to show."""

    def test_every_class_has_clients(self):
        clients = self.env["res.partner"].search([("sputnik_lifecycle", "!=", False)])
        Partner = self.env["res.partner"]

        def values(name):
            return {key for key, _label in Partner._fields[name].selection}

        self.assertEqual(
            set(clients.mapped("sputnik_lifecycle")), values("sputnik_lifecycle")
        )
        self.assertEqual(
            set(clients.mapped("sputnik_rfm_segment")) - {False},
            values("sputnik_rfm_segment"),
        )
        for name in ("sputnik_abc", "sputnik_xyz", "sputnik_churn_risk"):
            self.assertEqual(set(clients.mapped(name)) - {False}, values(name), name)
        tiers = self.env["sputnik.loyalty.tier"].search([])
        self.assertEqual(clients.sputnik_tier_id, tiers)
        self.assertTrue(tiers.pricelist_id)
        override = self.env["sputnik.client.class.override"].search([])
        self.assertEqual(override.partner_id.sputnik_lifecycle, "vip")
        self.assertTrue(self.env["sputnik.client.class.history"].search_count([]))
        self.assertTrue(self.env["sputnik.classification.run"].search_count([]))


@tagged("post_install", "-at_install")
class TestDemoInteractions(TransactionCase):
    def test_interactions_typed_and_captured(self):
        interactions = self.env["sputnik.interaction"].search([])
        self.assertGreaterEqual(len(interactions.filtered("automatic")), 5)
        typed = interactions - interactions.filtered("automatic")
        self.assertGreaterEqual(len(typed), 8)
        self.assertTrue(
            {"call", "offer", "visit", "meeting"}
            <= set(typed.mapped("interaction_type"))
        )
        self.assertTrue(typed.next_activity_id)


@tagged("post_install", "-at_install")
class TestDemoComplaints(TransactionCase):
    def test_complaints_in_every_state(self):
        complaints = self.env["sputnik.complaint"].search([])
        self.assertTrue(
            {"new", "waiting_operator", "resolved"} <= set(complaints.mapped("stage"))
        )
        self.assertTrue(complaints.filtered("is_overdue"))
        compensated = complaints.filtered("compensation_move_id")
        self.assertEqual(compensated.compensation_move_id.move_type, "out_refund")
        self.assertEqual(compensated.recovered_move_id.move_type, "in_refund")


@tagged("post_install", "-at_install")
class TestDemoPlanning(TransactionCase):
    """The demo plans this quarter and the next, and suggests seats to buy."""

    def test_plans_and_suggestions(self):
        company = self.env.ref("base.demo_company_ua")
        today = fields.Date.context_today(self.env["sputnik.sales.plan"])
        plans = self.env["sputnik.sales.plan"].search(
            [("company_id", "=", company.id), ("state", "=", "active")]
        )
        self.assertTrue(
            plans.filtered(lambda p: p.date_from <= today <= p.date_to).line_ids
        )
        agents = plans.line_ids.user_id
        self.assertIn(self.env.ref("sputnik_crm.user_agent_demo"), agents)
        departures = (
            self.env["sputnik.departure"]
            .with_company(company)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", ("planned", "open")),
                    ("date_start", ">", today),
                ]
            )
        )
        self.assertTrue(departures.filtered("suggested_seats"))
