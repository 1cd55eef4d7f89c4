from odoo.tests import HttpCase, new_test_user, tagged

from .common import buy_seats, make_departure, make_tour


@tagged("post_install", "-at_install")
class TestMenuTour(HttpCase):
    def test_agent_walks_the_menu(self):
        agent = new_test_user(
            self.env,
            login="sputnik_tour_agent",
            name="Tour Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        client = self.env["res.partner"].create(
            {"name": "Tour Client Sputnik", "customer_rank": 1, "user_id": agent.id}
        )
        self.env["sale.order"].create({"partner_id": client.id, "user_id": agent.id})
        departure = make_departure(
            self.env, make_tour(self.env, name="Tour Test Antalya")
        )
        buy_seats(self.env, departure, 3)
        self.env["res.partner"]._sputnik_classify_all(source="manual")
        self.assertEqual(client.sputnik_lifecycle, "prospect")
        self.start_tour("/odoo", "sputnik_crm_menu_tour", login=agent.login)
        call = self.env["sputnik.interaction"].search([("partner_id", "=", client.id)])
        self.assertEqual(call.name, "Asked about Antalya in May")
        self.assertEqual((call.user_id, call.interaction_type), (agent, "call"))
