from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class SputnikCase(TransactionCase):
    """Users of every Sputnik group and a client, made once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        # bookings committed by the concurrency tests (which run no cron)
        # still wait for their invoices: the invoicing cron run by a test
        # (in its batches, oldest first) is to see the class's own bookings
        # only (rolled back with the class)
        cls.env.cr.execute(
            "UPDATE sale_order SET sputnik_invoicing_pending = FALSE "
            "WHERE sputnik_invoicing_pending"
        )
        cls.agent = new_test_user(
            cls.env,
            login="sputnik_agent_test",
            name="Agent Test",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sputnik_manager_test",
            name="Manager Test",
            groups="base.group_user,sputnik_crm.group_sputnik_manager",
        )
        cls.outsider = new_test_user(
            cls.env,
            login="sputnik_outsider_test",
            name="Internal User Without Sputnik Groups",
            groups="base.group_user",
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Tour Client Sputnik",
                "email": "tour.client@example.com",
                "phone": "+380 67 111 22 33",
                "customer_rank": 1,
                "user_id": cls.agent.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Sputnik Test Service", "type": "service", "list_price": 1000.0}
        )


def make_tour(env, name="Antalya Beach Test", country="base.tr", price=30000.0):
    """A tour to a destination in ``country`` from a tour operator of its own."""
    operator = env["res.partner"].create(
        {"name": f"Operator of {name}", "supplier_rank": 1, "is_company": True}
    )
    destination = env["sputnik.destination"].create(
        {"name": f"Destination of {name}", "country_id": env.ref(country).id}
    )
    return env["product.template"].create(
        {
            "name": name,
            "sputnik_is_tour": True,
            "sputnik_tour_type": "beach",
            "sputnik_destination_id": destination.id,
            "sputnik_nights": 7,
            "sputnik_operator_id": operator.id,
            "list_price": price,
            "taxes_id": [Command.clear()],
            "supplier_taxes_id": [Command.clear()],
        }
    )


def make_departure(env, tour, start_in_days=60, nights=7):
    today = fields.Date.context_today(env["sputnik.departure"])
    return env["sputnik.departure"].create(
        {
            "tour_id": tour.id,
            "date_start": today + relativedelta(days=start_in_days),
            "date_end": today + relativedelta(days=start_in_days + nights),
            "release_date": today + relativedelta(days=start_in_days - 14),
            "allotment_seats": 10,
        }
    )


def buy_seats(env, departure, seats, net_price=20000.0, receive=True):
    """An allotment purchase order to the tour operator, received when asked."""
    order = departure.with_env(env)._sputnik_purchase_order(seats, net_price)
    order.order_line.taxes_id = [Command.clear()]
    order.button_confirm()
    if receive:
        receipt = order.picking_ids
        receipt.move_ids.quantity = seats
        receipt.move_ids.picked = True
        receipt.button_validate()
    return order


def make_travellers(env, count, passport_years=3, prefix="Traveller"):
    today = fields.Date.context_today(env["sputnik.travel.document"])
    travellers = env["res.partner"].create(
        [{"name": f"{prefix} {i}", "email": f"t{i}@example.com"} for i in range(count)]
    )
    for traveller in travellers:
        env["sputnik.travel.document"].create(
            {
                "partner_id": traveller.id,
                "document_type": "foreign_passport",
                "number": f"{prefix[:2].upper()}{traveller.id:07d}",
                "country_id": env.ref("base.ua").id,
                "expiry_date": today + relativedelta(years=passport_years),
            }
        )
    return travellers


def make_booking(env, departure, travellers, customer=None, seats=None):
    return env["sale.order"].create(
        {
            "partner_id": (customer or travellers[0]).id,
            "sputnik_traveller_ids": [Command.set(travellers.ids)],
            "order_line": [
                Command.create(
                    {
                        "product_id": departure.product_id.id,
                        "product_uom_qty": seats or len(travellers),
                    }
                )
            ],
        }
    )


def run_booking_invoicing(orders):
    """Issue the documents of ``orders`` just confirmed or cancelled, as the
    invoicing cron does just after the request's commit (its own method, for
    these orders: the first invoice of those confirmed, the credit notes and
    penalty invoice of those cancelled)."""
    orders.env["sputnik.booking.invoicing"]._sputnik_invoice_pending(orders)


def confirm(orders):
    """Confirm ``orders`` with Odoo's confirmation, as the Confirm button does
    (with the orders' user), then run what the server runs just after the
    request's commit: the cron issuing the bookings' first invoice."""
    orders.action_confirm()
    run_booking_invoicing(orders)


def post_invoice(env, partner, amount, invoice_date, due_date, **vals):
    """A posted customer invoice (or, with ``move_type``, credit note) of one
    untaxed line of ``amount``, due on ``due_date``."""
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": False,
            "invoice_date_due": due_date,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Tour services",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
            **vals,
        }
    )
    move.action_post()
    return move


def register_payment(env, invoice, amount, date, journal):
    """``amount`` of ``invoice`` paid on ``date`` into ``journal``."""
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoice.ids
    ).create(
        {"amount": amount, "payment_date": date, "journal_id": journal.id}
    )._create_payments()


class DepartureCase(SputnikCase):
    """A tour and a departure of it with ``_sputnik_seats`` seats bought from
    its operator and received; deposits off (a test of deposits sets its
    own)."""

    _sputnik_tour = "Departure Case Tour"
    _sputnik_seats = 10

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sputnik_deposit_percent = 0.0
        cls.tour = make_tour(cls.env, name=cls._sputnik_tour)
        cls.departure = make_departure(cls.env, cls.tour)
        buy_seats(cls.env, cls.departure, cls._sputnik_seats)

    def seats(self, departure=None):
        """The seat figures of the departure (or of ``departure``)."""
        departure = departure or self.departure
        return departure._get_seat_figures()[departure.id]


class BookedCase(DepartureCase):
    """... and a confirmed booking of one traveller, a client of the agent,
    made by the agent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.traveller = make_travellers(
            cls.env, 1, prefix=f"{cls._sputnik_tour} Traveller"
        )
        cls.traveller.user_id = cls.agent
        cls.booking = make_booking(cls.env, cls.departure, cls.traveller)
        cls.booking.user_id = cls.agent
        confirm(cls.booking)
