from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import buy_seats, make_booking, make_departure, make_tour


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
        self.env["sputnik.travel.document"].create(
            {
                "partner_id": client.id,
                "document_type": "foreign_passport",
                "number": "TT7654321",
                "country_id": self.env.ref("base.ua").id,
                "expiry_date": fields.Date.today() + relativedelta(years=3),
            }
        )
        departure = make_departure(
            self.env, make_tour(self.env, name="Tour Test Antalya")
        )
        buy_seats(self.env, departure, 4)
        booking = make_booking(self.env, departure, client)
        booking.user_id = agent
        booking.action_confirm()
        self.env["res.partner"]._sputnik_classify_all(source="manual")
        self.assertEqual(client.sputnik_lifecycle, "new")
        self.start_tour("/odoo", "sputnik_crm_menu_tour", login=agent.login)
        call = self.env["sputnik.interaction"].search(
            [("partner_id", "=", client.id), ("automatic", "=", False)]
        )
        self.assertEqual(call.name, "Asked about Antalya in May")
        self.assertEqual((call.user_id, call.interaction_type), (agent, "call"))
        complaint = self.env["sputnik.complaint"].search(
            [("order_id", "=", booking.id)]
        )
        self.assertEqual(complaint.subject, "Room without sea view")
        self.assertEqual((complaint.partner_id, complaint.user_id), (client, agent))
        self.assertEqual(complaint.departure_id, departure)
        # the quotation booked from the catalogue
        quotation = self.env["sale.order"].search(
            [("partner_id", "=", client.id), ("state", "=", "draft")]
        )
        self.assertEqual(quotation.order_line.sputnik_departure_id, departure)
        self.assertEqual(quotation.order_line.product_uom_qty, 1)
        self.assertEqual(quotation.sputnik_tour_id, departure.tour_id)
