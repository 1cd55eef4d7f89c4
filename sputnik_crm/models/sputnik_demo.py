from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models


class SputnikDemo(models.AbstractModel):
    """Builds the demo bureau's season: allotments bought and received, and
    bookings in every status with their invoices and payments. Called from
    demo/sputnik_booking_demo.xml only."""

    _name = "sputnik.demo"
    _description = "Sputnik CRM Demo Season"

    @api.model
    def _load_demo_season(self):
        company = self.env.ref("base.demo_company_ua")
        self = self.with_company(company).with_context(
            tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        ref = self.env.ref
        today = fields.Date.context_today(self)

        def client(number):
            return ref(f"sputnik_crm.res_partner_client_{number:02d}_demo")

        # foreign passports: valid five years, but client 3's expires soon
        for number in range(1, 31):
            self.env["sputnik.travel.document"].create(
                {
                    "partner_id": client(number).id,
                    "document_type": "foreign_passport",
                    "number": f"FX{100200 + number * 7:06d}",
                    "country_id": ref("base.ua").id,
                    "issue_date": today - relativedelta(years=2, days=number),
                    "expiry_date": today
                    + (
                        relativedelta(months=2)
                        if number == 3
                        else relativedelta(years=5, days=number)
                    ),
                }
            )

        def departure(tour, days, seats, receive=True, nights=None):
            tour = ref(f"sputnik_crm.product_template_tour_{tour}_demo")
            nights = nights or tour.sputnik_nights
            dep = self.env["sputnik.departure"].create(
                {
                    "tour_id": tour.id,
                    "company_id": company.id,
                    "date_start": today + relativedelta(days=days),
                    "date_end": today + relativedelta(days=days + nights),
                    "release_date": today + relativedelta(days=max(days - 14, 1)),
                    "allotment_seats": seats,
                }
            )
            order = dep._sputnik_purchase_order(seats, tour.standard_price)
            order.button_confirm()
            if receive:
                receipt = order.picking_ids
                receipt.move_ids.quantity = seats
                receipt.move_ids.picked = True
                receipt.button_validate()
            return dep

        def book(dep, numbers, agent="agent", confirm=True):
            travellers = self.env["res.partner"].concat(*map(client, numbers))
            order = self.env["sale.order"].create(
                {
                    "partner_id": travellers[0].id,
                    "company_id": company.id,
                    "user_id": ref(f"sputnik_crm.user_{agent}_demo").id,
                    "sputnik_traveller_ids": [Command.set(travellers.ids)],
                    "sputnik_operator_ref": f"OP-{dep.id:04d}-{numbers[0]:02d}",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": dep.product_id.id,
                                "product_uom_qty": len(numbers),
                            }
                        )
                    ],
                }
            )
            if confirm:
                order.action_confirm()
            return order

        def pay(order, balance=False):
            if balance:
                order._sputnik_create_balance_invoices()
            invoices = order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.payment_state == "not_paid"
            )
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids
            ).create({})._create_payments()

        kemer_1 = departure("kemer", 20, 10)
        kemer_2 = departure("kemer", 34, 10)
        departure("kemer", 48, 10)
        side = departure("side", 27, 8)
        departure("side", 55, 8)
        hurghada_1 = departure("hurghada", 12, 10)
        hurghada_2 = departure("hurghada", 40, 10)
        sunny = departure("sunny", 60, 12)
        departure("budva", 45, 6)
        krakow = departure("krakow", 9, 8)
        departure("bukovel", 75, 10, receive=False)
        dubai = departure("dubai", 33, 4)

        # quotations, one of them held by the passport rule
        book(kemer_1, [1, 2], confirm=False)
        book(side, [3, 20], agent="agent2", confirm=False)
        # confirmed: the deposit is invoiced and waits for its payment
        book(kemer_2, [4, 5])
        # paid in full
        pay(book(hurghada_2, [6], agent="agent2"), balance=True)
        # paid and documents issued
        issued = book(hurghada_1, [7, 8])
        pay(issued, balance=True)
        issued.action_sputnik_issue_documents()
        # cancelled after its deposit was paid: seats back, a credit note
        cancelled = book(sunny, [12], agent="agent2")
        pay(cancelled)
        cancelled._action_cancel()
        # overdue: the balance fell due before the departure in 9 days
        pay(book(krakow, [13, 21]))
        # sold out, with clients waiting for a seat
        book(dubai, [14, 15, 16, 17], agent="agent2")
        for number, agent in ((18, "agent"), (19, "agent2")):
            self.env["sputnik.waitlist"].create(
                {
                    "departure_id": dubai.id,
                    "partner_id": client(number).id,
                    "seats": 1,
                    "user_id": ref(f"sputnik_crm.user_{agent}_demo").id,
                }
            )

        # trips under way and behind us: booked while ahead, then the calendar moved
        travelling_dep = departure("hurghada", 90, 6)
        pay(book(travelling_dep, [9]), balance=True)
        completed_dep = departure("kemer", 100, 6)
        completed = book(completed_dep, [10, 11])
        pay(completed, balance=True)
        travelling_dep.write(
            {
                "release_date": today - relativedelta(days=20),
                "date_start": today - relativedelta(days=3),
                "date_end": today + relativedelta(days=4),
            }
        )
        completed_dep.write(
            {
                "release_date": today - relativedelta(days=40),
                "date_start": today - relativedelta(days=27),
                "date_end": today - relativedelta(days=20),
            }
        )
        completed_dep.action_complete()
