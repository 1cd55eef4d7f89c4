"""The client's history read by row id, as the web client reads the rows it
found: the same rows and values, under the same rules."""

from odoo import fields
from odoo.tests import tagged

from .common import (
    SputnikCase,
    buy_seats,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)


@tagged("post_install", "-at_install")
class TestClientHistoryById(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        departure = make_departure(cls.env, make_tour(cls.env, name="History By Id"))
        buy_seats(cls.env, departure, 2)
        cls.traveller = make_travellers(cls.env, 1, prefix="History By Id")
        cls.traveller.user_id = cls.agent
        Interaction = cls.env["sputnik.interaction"]
        cls.call = Interaction.create(
            {
                "name": "Asked about Egypt",
                "partner_id": cls.traveller.id,
                "user_id": cls.agent.id,
                "date": fields.Datetime.now(),
            }
        )
        cls.booking = make_booking(cls.env, departure, cls.traveller)
        cls.booking.action_confirm()
        cls.client.user_id = cls.manager
        cls.other_call = Interaction.create(
            {
                "name": "The manager's own client",
                "partner_id": cls.client.id,
                "user_id": cls.manager.id,
            }
        )
        cls.env.flush_all()

    def _rows(self, env, partner):
        return env["sputnik.client.timeline"].search([("partner_id", "=", partner.id)])

    def test_rows_read_by_id_are_the_rows_found(self):
        Timeline = self.env["sputnik.client.timeline"]
        found = self._rows(self.env, self.traveller)
        expected = found.read(["kind", "name", "res_id", "partner_id", "amount"])
        # the call, and the confirmation the booking recorded as an interaction
        interactions = self.env["sputnik.interaction"].search(
            [("partner_id", "=", self.traveller.id)]
        )
        self.assertIn(self.call, interactions)
        self.assertEqual(
            {(row["kind"], row["res_id"]) for row in expected},
            {
                *(("interaction", call.id) for call in interactions),
                ("booking", self.booking.id),
                *(("invoice", move.id) for move in self.booking.invoice_ids),
            },
        )
        self.env.invalidate_all()
        by_id = Timeline.browse(found.ids)
        self.assertEqual(
            by_id.read(["kind", "name", "res_id", "partner_id", "amount"]), expected
        )
        self.assertEqual(Timeline.search([("id", "in", found.ids)]), found)
        # an id of no kind (9): no row
        self.assertFalse(Timeline.search([("id", "in", [self.booking.id * 10 + 9])]))
        self.assertEqual(
            Timeline.search([("id", "in", [self.booking.id * 10 + 2])]).res_id,
            self.booking.id,
        )

    def test_agent_reads_by_id_only_what_the_rules_allow(self):
        agent_env = self.env(user=self.agent)
        mine = self._rows(agent_env, self.traveller)
        self.assertIn(
            self.call.id,
            mine.filtered(lambda r: r.kind == "interaction").mapped("res_id"),
        )
        other_row = self._rows(self.env, self.client).filtered(
            lambda r: r.kind == "interaction" and r.res_id == self.other_call.id
        )
        self.assertTrue(other_row, "the manager's call is in the client's history")
        Timeline = agent_env["sputnik.client.timeline"]
        self.assertFalse(Timeline.search([("id", "in", other_row.ids)]))
        self.assertEqual(Timeline.search([("id", "in", mine.ids)]), mine)
