"""What an agent sees: the bookings list, booking from the catalogue and from a
departure, counts in words, the client card."""

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.sputnik_crm.models.sputnik_plural import choose_form

from .common import SputnikCase, buy_seats, make_booking, make_departure, make_tour

SEATS_UK = "%(count)s вільне місце|%(count)s вільних місця|%(count)s вільних місць"
DEPARTURES_UK = "%(count)s виїзд|%(count)s виїзди|%(count)s виїздів"
NIGHTS_UK = "%(count)s ніч|%(count)s ночі|%(count)s ночей"
SEATS_EN = "%(count)s free seat|%(count)s free seats"


def arch_of(env, model, view_type, view=None):
    """The arch of a view as ``env``'s user gets it (their groups applied)."""
    views = env[model].get_views([(view and view.id, view_type)])
    return etree.fromstring(views["views"][view_type]["arch"])


@tagged("post_install", "-at_install")
class TestBookingsList(SputnikCase):
    def test_bookings_action_lists_with_the_addons_list(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sale_order_action_bookings"
        )
        bookings_list = self.env.ref("sputnik_crm.sale_order_view_list_bookings")
        self.assertEqual(action["views"][0], (bookings_list.id, "list"))
        arch = arch_of(
            self.env(user=self.agent), "sale.order", "list", view=bookings_list
        )
        columns = arch.xpath("/list/field[not(@column_invisible)]/@name")
        for name in ("partner_id", "sputnik_tour_id", "sputnik_date_start"):
            self.assertIn(name, columns)
        self.assertEqual(columns[-1], "sputnik_status")
        # quotations in blue, cancelled bookings greyed
        self.assertEqual(
            arch.get("decoration-info"), "state in ('draft', 'sent')", "quotations"
        )

    def test_tour_of_a_booking_is_that_of_its_first_departure(self):
        """Booking of the Alanya departure in 90 days: Alanya; a line of the
        Kemer departure in 30 days added: Kemer, which leaves first."""
        alanya = make_tour(self.env, name="Alanya Screens")
        kemer = make_tour(self.env, name="Kemer Screens")
        later = make_departure(self.env, alanya, start_in_days=90)
        sooner = make_departure(self.env, kemer, start_in_days=30)
        booking = make_booking(self.env, later, self.client, seats=1)
        self.assertEqual(booking.sputnik_tour_id, alanya)
        booking.order_line = [
            (0, 0, {"product_id": sooner.product_id.id, "product_uom_qty": 1})
        ]
        self.assertEqual(booking.sputnik_tour_id, kemer)
        self.assertIn(
            booking,
            self.env["sale.order"].search([("sputnik_tour_id", "=", kemer.id)]),
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        self.assertFalse(order.sputnik_tour_id)


@tagged("post_install", "-at_install")
class TestBook(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour = make_tour(cls.env, name="Bukovel Screens")
        cls.departure = make_departure(cls.env, cls.tour, start_in_days=45)

    def test_book_a_departure(self):
        """The agent books the departure: a new booking form whose line is
        one seat of it; saved with a client, a quotation of that tour."""
        action = self.departure.with_user(self.agent).action_sputnik_book()
        self.assertEqual(
            (action["res_model"], action["views"]), ("sale.order", [(False, "form")])
        )
        self.assertEqual(
            action["context"]["default_order_line"],
            [
                (
                    0,
                    0,
                    {"product_id": self.departure.product_id.id, "product_uom_qty": 1},
                )
            ],
        )
        orders = self.env["sale.order"].with_user(self.agent)
        with Form(orders.with_context(**action["context"])) as form:
            form.partner_id = self.client
        booking = form.record
        self.assertEqual(booking.state, "draft")
        self.assertEqual(booking.order_line.sputnik_departure_id, self.departure)
        self.assertEqual(booking.order_line.product_uom_qty, 1)
        self.assertEqual(booking.sputnik_tour_id, self.tour)

    def test_book_a_tour_with_one_departure_open(self):
        """A past departure and a closed one are not offered: the open one is
        booked at once."""
        make_departure(self.env, self.tour, start_in_days=-10)
        make_departure(self.env, self.tour, start_in_days=70).action_close()
        action = self.tour.with_user(self.agent).action_sputnik_book()
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(
            action["context"]["default_order_line"][0][2]["product_id"],
            self.departure.product_id.id,
        )

    def test_book_a_tour_with_several_departures_open(self):
        """Two departures open for sale: the agent picks one of them."""
        second = make_departure(self.env, self.tour, start_in_days=75)
        action = self.tour.with_user(self.agent).action_sputnik_book()
        self.assertEqual(action["res_model"], "sputnik.departure")
        self.assertEqual(
            self.env["sputnik.departure"].search(action["domain"]),
            self.departure | second,
        )

    def test_book_refused(self):
        other = make_tour(self.env, name="Tour Without Departures Screens")
        with self.assertRaisesRegex(UserError, "no departure open for sale"):
            other.with_user(self.agent).action_sputnik_book()
        self.departure.action_close()
        with self.assertRaisesRegex(UserError, "not open for sale"):
            self.departure.with_user(self.agent).action_sputnik_book()
        # an employee who may not make bookings
        with self.assertRaises(AccessError):
            self.tour.with_user(self.outsider).action_sputnik_book()
        self.departure.action_open()
        with self.assertRaises(AccessError):
            self.departure.with_user(self.outsider).action_sputnik_book()


@tagged("post_install", "-at_install")
class TestCountsInWords(SputnikCase):
    def test_ukrainian_forms(self):
        cases = {
            1: ("1 вільне місце", "1 виїзд", "1 ніч"),
            2: ("2 вільних місця", "2 виїзди", "2 ночі"),
            4: ("4 вільних місця", "4 виїзди", "4 ночі"),
            5: ("5 вільних місць", "5 виїздів", "5 ночей"),
            11: ("11 вільних місць", "11 виїздів", "11 ночей"),
            12: ("12 вільних місць", "12 виїздів", "12 ночей"),
            21: ("21 вільне місце", "21 виїзд", "21 ніч"),
            22: ("22 вільних місця", "22 виїзди", "22 ночі"),
            0: ("0 вільних місць", "0 виїздів", "0 ночей"),
            111: ("111 вільних місць", "111 виїздів", "111 ночей"),
        }
        for count, expected in cases.items():
            got = tuple(
                choose_form("uk_UA", forms, count)
                for forms in (SEATS_UK, DEPARTURES_UK, NIGHTS_UK)
            )
            self.assertEqual(got, expected, count)

    def test_english_forms_and_untranslated_terms(self):
        for lang in ("en_US", "uk_UA"):
            # a Ukrainian user of a term not translated yet: the English rule
            got = [choose_form(lang, SEATS_EN, n) for n in (1, 2, 5, 21)]
            self.assertEqual(
                got, ["1 free seat", "2 free seats", "5 free seats", "21 free seats"]
            )

    def test_catalogue_and_picker_in_english(self):
        """A tour of 1, 2, 5, then 21 nights; its departure with 1 seat
        bought, then 1, 3 and 16 more: 1, 2, 5 and 21 free seats."""
        env = self.env(context=dict(self.env.context, lang="en_US"))
        tour = make_tour(env, name="Carpathians Screens")
        departure = make_departure(env, tour)
        departure.allotment_seats = 21
        self.assertEqual(tour.sputnik_departure_count_display, "1 departure")
        self.assertEqual(tour.sputnik_seats_free_display, "0 free seats")
        date = departure.date_start.strftime("%d.%m.%Y")
        for nights, bought, seats in ((1, 1, 1), (2, 1, 2), (5, 3, 5), (21, 16, 21)):
            tour.sputnik_nights = nights
            buy_seats(env, departure, bought)
            env.invalidate_all()
            self.assertEqual(
                tour.sputnik_nights_display, f"{nights} night" + "s" * (nights > 1)
            )
            label = f"{seats} free seat" + "s" * (seats > 1)
            self.assertEqual(tour.sputnik_seats_free_display, label)
            self.assertEqual(departure.seats_free_display, label)
            picked = departure.with_context(sputnik_show_seats=True)
            self.assertEqual(
                picked.display_name, f"Carpathians Screens {date} · {label}"
            )
        # elsewhere the name stays the tour and the date
        self.assertEqual(departure.display_name, f"Carpathians Screens {date}")
        make_departure(env, tour, start_in_days=80)
        env.invalidate_all()
        self.assertEqual(tour.sputnik_departure_count_display, "2 departures")
        # the picker finds the departure by name and shows its seats
        found = (
            env["sputnik.departure"]
            .with_context(sputnik_show_seats=True)
            .name_search("Carpathians Screens")
        )
        self.assertIn(
            (departure.id, f"Carpathians Screens {date} · 21 free seats"), found
        )


@tagged("post_install", "-at_install")
class TestClientCard(SputnikCase):
    def test_agents_buttons_first_and_no_lots(self):
        lots = self.env.ref("stock.group_production_lot")
        self.agent.groups_id = [(4, lots.id)]
        arch = arch_of(self.env(user=self.agent), "res.partner", "form")
        buttons = arch.xpath("//div[@name='button_box']/button/@name")
        self.assertEqual(
            buttons[:3],
            [
                "action_sputnik_overdue_bookings",
                "action_sputnik_history",
                "action_sputnik_interactions",
            ],
        )
        self.assertNotIn("action_view_stock_lots", buttons)
        # a storekeeper who tracks lots still has them
        storekeeper = new_test_user(
            self.env,
            login="sputnik_storekeeper_screens",
            groups="base.group_user,stock.group_stock_user,stock.group_production_lot",
        )
        arch = arch_of(self.env(user=storekeeper), "res.partner", "form")
        self.assertIn(
            "action_view_stock_lots",
            arch.xpath("//div[@name='button_box']/button/@name"),
        )

    def test_consent_rows_keep_their_channel(self):
        """Each channel is one row: its consent, then its date and source,
        shown when the consent is given."""
        arch = arch_of(self.env(user=self.agent), "res.partner", "form")
        for channel in ("email", "sms", "phone"):
            row = arch.xpath(f"//div[@name='sputnik_consent_{channel}_row']")
            self.assertEqual(len(row), 1, channel)
            fields = row[0].xpath("./field")
            self.assertEqual(fields[0].get("name"), f"sputnik_consent_{channel}")
            self.assertFalse(fields[0].get("invisible"))
            for field in fields[1:]:
                self.assertEqual(
                    field.get("invisible"), f"not sputnik_consent_{channel}"
                )
