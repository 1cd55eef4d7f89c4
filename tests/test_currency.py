"""Tours priced in a foreign currency, sold as the operator's agent.

The figures, by hand. The company's currency is worth 45.00 a euro today,
46.00 in 15 days and 47.00 in 20 days. A tour at 1 000.00 EUR a seat, sold
for a commission of 10 %, leaves in 40 days; its balance falls due 21 days
before (in 19 days). Two travellers book it today: 2 000.00 EUR.

- Today: the deposit of 30 %, 600.00 EUR, is invoiced at 45.00: 27 000.00,
  and paid; the operator bills the net 1 800.00 EUR at 45.00: 81 000.00. At
  the order's rate the booking is 90 000.00, its commission 9 000.00.
- In 15 days: the balance, 1 400.00 EUR, at 46.00: 64 400.00, paid. The
  client paid 91 400.00 in all.
- In 20 days (20 days before departure) the client cancels: the operator's
  schedule charges 25 %, 500.00 EUR, and the bureau adds its fee of 470.00,
  10.00 EUR at 47.00: a penalty of 510.00 EUR. The client's 2 000.00 EUR are
  credited, the penalty paid from the credit: 1 490.00 EUR to give back.
  The operator's bill is refunded, 1 800.00 EUR at 47.00: 84 600.00, and
  matched with the bill (Odoo posts the exchange difference); its charge,
  500.00 EUR at 47.00, 23 500.00, stays to pay. In the settlement: billed
  81 000.00 - 84 600.00 + 23 500.00 = 19 900.00, paid 81 000.00 - 84 600.00
  = -3 600.00 (the bill and its refund matched at two rates), still due
  19 900.00 + 3 600.00 = 23 500.00, the charge; collected 91 400.00.
"""

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import (
    SputnikCase,
    confirm,
    make_departure,
    make_tour,
    make_travellers,
    run_booking_invoicing,
)


@tagged("post_install", "-at_install")
class TestForeignCurrencyTour(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["sale.order"])
        cls.currency = cls.env.ref("base.EUR")
        if cls.currency == cls.company.currency_id:
            cls.currency = cls.env.ref("base.USD")
        cls.currency.active = True
        cls.env["res.currency.rate"].search(
            [("currency_id", "=", cls.currency.id)]
        ).unlink()
        cls.env["res.currency.rate"].create(
            [
                {
                    "name": cls.today + relativedelta(days=days),
                    "currency_id": cls.currency.id,
                    "company_id": cls.company.id,
                    "inverse_company_rate": rate,
                }
                for days, rate in ((0, 45.0), (15, 46.0), (20, 47.0))
            ]
        )
        cls.company.write(
            {
                "sputnik_deposit_percent": 30.0,
                "sputnik_balance_days": 21,
                "sputnik_cancel_fee": 0.0,
            }
        )
        cls.tour = make_tour(cls.env, "Currency Beach Test", price=1.0)
        cls.tour.write(
            {"sputnik_currency_id": cls.currency.id, "sputnik_price_currency": 1000.0}
        )
        cls.operator = cls.tour.sputnik_operator_id
        cls.operator.with_company(cls.company).write(
            {
                "sputnik_sale_mode": "agent",
                "sputnik_commission_percent": 10.0,
                "sputnik_operator_bill_mode": "booking",
                "sputnik_cancel_fee": 470.0,
            }
        )
        cls.env["sputnik.penalty.rule"].create(
            {
                "operator_id": cls.operator.id,
                "days_from": 15,
                "days_to": 30,
                "percent": 25,
            }
        )
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=40)
        cls.travellers = make_travellers(cls.env, 2, prefix="Currency")
        cls.pricelist = cls.env["product.pricelist"]._sputnik_currency_pricelist(
            cls.currency, cls.company
        )
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )

    def order(self, pricelist):
        return self.env["sale.order"].create(
            {
                "partner_id": self.travellers[0].id,
                "pricelist_id": pricelist.id,
                "sputnik_traveller_ids": [Command.set(self.travellers.ids)],
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.departure.product_id.id,
                            "product_uom_qty": 2,
                        }
                    )
                ],
            }
        )

    def pay(self, invoice, amount, date):
        """``amount`` in the company's currency, paid on ``date``."""
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {
                "amount": amount,
                "currency_id": self.company.currency_id.id,
                "payment_date": date,
                "journal_id": self.bank.id,
            }
        )._create_payments()

    def row(self, order):
        return self.env["sputnik.operator.settlement"].search(
            [("booking_id", "=", order.id)]
        )

    def test_booked_in_the_tours_currency_only(self):
        action = self.departure.action_sputnik_book()
        self.assertEqual(action["context"]["default_pricelist_id"], self.pricelist.id)
        self.assertEqual(self.pricelist.currency_id, self.currency)
        company_list = self.env["product.pricelist"].create(
            {
                "name": "Company Currency Test",
                "currency_id": self.company.currency_id.id,
            }
        )
        with self.assertRaisesRegex(ValidationError, "is priced in"):
            self.order(company_list)

    def test_agency_booking_in_currency_at_three_rates(self):
        order = self.order(self.pricelist)
        self.assertEqual(order.currency_id, self.currency)
        self.assertAlmostEqual(order.amount_total, 2000.0, places=2)
        self.assertAlmostEqual(order.sputnik_amount_company, 90000.0, places=2)
        confirm(order)
        deposit = order.invoice_ids
        self.assertEqual(deposit.currency_id, self.currency)
        self.assertAlmostEqual(deposit.amount_total, 600.0, places=2)
        self.assertAlmostEqual(deposit.amount_total_signed, 27000.0, places=2)
        self.pay(deposit, 27000.0, self.today)
        self.assertEqual(deposit.payment_state, "paid")
        bill = order.order_line.sputnik_operator_bill_id
        self.assertEqual(bill.currency_id, self.currency)
        self.assertAlmostEqual(bill.amount_total, 1800.0, places=2)
        self.assertAlmostEqual(bill.amount_total_signed, -81000.0, places=2)

        day15 = self.today + relativedelta(days=15)
        with freeze_time(day15):
            balance = self.env["sputnik.booking.invoicing"]._sputnik_invoice_balance(
                order
            )
            self.assertAlmostEqual(balance.amount_total, 1400.0, places=2)
            self.assertAlmostEqual(balance.amount_total_signed, 64400.0, places=2)
            self.pay(balance, 64400.0, day15)
        self.assertEqual(balance.payment_state, "paid")
        row = self.row(order)
        self.assertEqual(
            [
                round(row[f], 2)
                for f in ("gross", "commission", "net", "billed", "collected")
            ],
            [90000.0, 9000.0, 81000.0, 81000.0, 91400.0],
        )

        with freeze_time(self.today + relativedelta(days=20)):
            self.env["sale.order.cancel"].with_user(self.agent).create(
                {"order_id": order.id, "sputnik_cancel_reason": "Visa refused"}
            ).with_user(self.agent).action_cancel()
            run_booking_invoicing(order)
        self.assertAlmostEqual(order.sputnik_penalty_amount, 510.0, places=2)
        credits = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertAlmostEqual(sum(credits.mapped("amount_total")), 2000.0, places=2)
        self.assertAlmostEqual(sum(credits.mapped("amount_residual")), 1490.0, places=2)
        operator_moves = (
            self.env["account.move.line"]
            .search([("sputnik_booking_line_id.order_id", "=", order.id)])
            .move_id
        )
        refund = operator_moves.filtered(lambda m: m.move_type == "in_refund")
        charge = operator_moves.filtered(lambda m: m.move_type == "in_invoice") - bill
        self.assertAlmostEqual(refund.amount_total_signed, 84600.0, places=2)
        self.assertAlmostEqual(charge.amount_total, 500.0, places=2)
        self.assertAlmostEqual(charge.amount_total_signed, -23500.0, places=2)
        self.assertAlmostEqual(bill.amount_residual, 0.0, places=2)
        self.assertAlmostEqual(refund.amount_residual, 0.0, places=2)
        self.assertAlmostEqual(charge.amount_residual, 500.0, places=2)
        row = self.row(order)
        self.assertEqual(
            [
                round(row[f], 2)
                for f in (
                    "gross",
                    "billed",
                    "paid",
                    "amount_due",
                    "amount_open",
                    "collected",
                )
            ],
            [0.0, 19900.0, -3600.0, 19900.0, 23500.0, 91400.0],
        )
