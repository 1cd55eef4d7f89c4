"""Odoo's own flows keep working with sputnik_crm installed, for users who have
no Sputnik group at all."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import SputnikCase, buy_seats, make_departure, make_tour


@tagged("post_install", "-at_install")
class TestOdooFlows(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="plain_salesman_test",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.storekeeper = new_test_user(
            cls.env,
            login="plain_storekeeper_test",
            groups="base.group_user,stock.group_stock_user",
        )
        cls.buyer = new_test_user(
            cls.env,
            login="plain_buyer_test",
            groups="base.group_user,purchase.group_purchase_user",
        )
        cls.goods = cls.env["product.product"].create(
            {"name": "Travel Bag", "is_storable": True, "list_price": 1500.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.goods, cls.env.ref("stock.stock_location_stock"), 10
        )

    def test_plain_sale_order(self):
        env = self.env(user=self.salesman)
        customer = env["res.partner"].create({"name": "Shop Customer"})
        order = env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": self.goods.id, "product_uom_qty": 3})
                ],
            }
        )
        self.assertFalse(order.sputnik_is_booking)
        self.assertFalse(order.order_line.sputnik_departure_id)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 3)
        # no deposit: only bookings get one
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.sputnik_status)
        order._create_invoices()
        self.assertEqual(order.invoice_ids.amount_untaxed, 4500.0)

    def test_storekeeper_and_buyer_handle_allotments(self):
        departure = make_departure(
            self.env, make_tour(self.env, name="Stock Flow Tour")
        )
        order = buy_seats(self.env(user=self.buyer), departure, 4, receive=False)
        self.assertEqual(order.user_id, self.buyer)
        self.assertEqual(departure.state, "planned")
        receipt = order.picking_ids.with_user(self.storekeeper)
        receipt.move_ids.quantity = 4
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(departure.state, "open")

    def test_salesman_books_a_departure(self):
        departure = make_departure(self.env, make_tour(self.env, name="Salesman Tour"))
        buy_seats(self.env, departure, 2)
        env = self.env(user=self.salesman)
        traveller = env["res.partner"].create({"name": "Domestic Salesman Client"})
        departure.destination_id.country_id = self.company.country_id
        order = env["sale.order"].create(
            {
                "partner_id": traveller.id,
                "sputnik_traveller_ids": [Command.set(traveller.ids)],
                "order_line": [
                    Command.create(
                        {"product_id": departure.product_id.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(departure._get_seat_figures()[departure.id]["free"], 1)
