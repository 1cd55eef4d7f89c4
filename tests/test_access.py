from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SputnikCase


@tagged("post_install", "-at_install")
class TestAccess(SputnikCase):
    def test_agent_sells(self):
        """An agent records a client, quotes and confirms a booking."""
        env = self.env(user=self.agent)
        client = env["res.partner"].create(
            {"name": "Новий Клієнт", "phone": "+380 50 000 00 01"}
        )
        order = env["sale.order"].create(
            {
                "partner_id": client.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": 2})
                ],
            }
        )
        self.assertEqual(order.user_id, self.agent)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amount_untaxed, 2000.0)
        # the agent sees the bookings of the whole bureau (agents cover each other)
        other = self.env["sale.order"].create(
            {"partner_id": self.client.id, "user_id": self.manager.id}
        )
        self.assertIn(other, env["sale.order"].search([]))
        env["sale.report"].search_read([], ["price_total"], limit=1)

    def test_agent_is_not_manager(self):
        env = self.env(user=self.agent)
        with self.assertRaises(AccessError):
            env["res.config.settings"].create({})
        with self.assertRaises(AccessError):
            env["crm.team"].create({"name": "Agents may not create teams"})
        self.assertTrue(
            self.env(user=self.manager)["crm.team"].create({"name": "Managers may"})
        )

    def test_outsider_sees_no_bookings(self):
        env = self.env(user=self.outsider)
        with self.assertRaises(AccessError):
            env["sale.order"].search([])
        with self.assertRaises(AccessError):
            env["sale.report"].search([])
