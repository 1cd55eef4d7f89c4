"""Departures named and found in the reader's language: the tour's name
translated, the departure's date, in the pickers and the searches of the
departures and the bookings."""

from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import (
    SputnikCase,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
)

TOUR_EN = "Kemer Names Beach"
TOUR_UK = "Кемер Пляж Назв"


def search_domain(env, model, field_name, value, view_xmlid=None):
    """The domain the search view of ``model`` (as ``env``'s user gets it)
    builds when ``value`` is typed and its field ``field_name`` picked."""
    view = env.ref(view_xmlid) if view_xmlid else None
    views = env[model].get_views([(view and view.id, "search")])
    arch = etree.fromstring(views["views"]["search"]["arch"])
    nodes = arch.xpath(f"//field[@name='{field_name}']")
    assert nodes, f"no field {field_name} in the search view of {model}"
    filter_domain = nodes[0].get("filter_domain")
    if filter_domain:
        return safe_eval(filter_domain, {"self": value})
    return [(field_name, "ilike", value)]


@tagged("post_install", "-at_install")
class TestDepartureNames(SputnikCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.agent_uk = new_test_user(
            cls.env,
            login="sputnik_agent_uk_names",
            name="Agent UK Names",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            lang="uk_UA",
        )
        cls.agent_en = new_test_user(
            cls.env,
            login="sputnik_agent_en_names",
            name="Agent EN Names",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
            lang="en_US",
        )
        env_en = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.tour = make_tour(env_en, name=TOUR_EN)
        cls.tour.update_field_translations("name", {"uk_UA": TOUR_UK})
        cls.departure = make_departure(env_en, cls.tour)
        cls.date = cls.departure.date_start.strftime("%d.%m.%Y")
        cls.other = make_departure(
            env_en, make_tour(env_en, name="Side Names Other"), start_in_days=70
        )

    def user_env(self, user):
        """The environment of ``user`` as the web client gives it: their
        language in the context."""
        return self.env(user=user, context=dict(self.env.context, lang=user.lang))

    def as_user(self, user):
        return self.user_env(user)["sputnik.departure"]

    def test_display_name_in_the_users_language(self):
        """The tour's name in the user's language, then the date."""
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_uk)).display_name,
            f"{TOUR_UK} {self.date}",
        )
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_en)).display_name,
            f"{TOUR_EN} {self.date}",
        )
        # the picker of a booking line adds the free seats, in the language too
        picked = self.departure.with_env(self.user_env(self.agent_uk)).with_context(
            sputnik_show_seats=True
        )
        self.assertEqual(
            picked.display_name, f"{TOUR_UK} {self.date} · 0 вільних місць"
        )

    def test_name_search_in_the_users_language(self):
        """A Ukrainian agent finds the departure by the Ukrainian tour name
        and by the whole name shown; an English agent by the English name.
        The other departure (another tour) is never found."""
        for user, typed, shown in (
            (self.agent_uk, "Кемер Пляж", f"{TOUR_UK} {self.date}"),
            (self.agent_uk, f"{TOUR_UK} {self.date}", f"{TOUR_UK} {self.date}"),
            (self.agent_en, "Kemer Names", f"{TOUR_EN} {self.date}"),
        ):
            found = self.as_user(user).name_search(typed)
            self.assertEqual(found, [(self.departure.id, shown)], (user.lang, typed))
        # the English name is not what a Ukrainian reads, and vice versa
        self.assertFalse(self.as_user(self.agent_en).name_search("Кемер Пляж"))
        # the booking line's picker: its domain, its seats in the label
        picker = self.as_user(self.agent_uk).with_context(sputnik_show_seats=True)
        found = picker.name_search(
            "Кемер", [("state", "in", ("open", "planned"))], limit=8
        )
        self.assertIn(
            (self.departure.id, f"{TOUR_UK} {self.date} · 0 вільних місць"), found
        )

    def test_departures_search_view(self):
        """The departures list's search by name, as the view builds it."""
        for user, typed in ((self.agent_uk, "Кемер Пляж"), (self.agent_en, "Kemer")):
            domain = search_domain(
                self.user_env(user), "sputnik.departure", "name", typed
            )
            found = self.as_user(user).search(domain)
            self.assertIn(self.departure, found, user.lang)
            self.assertNotIn(self.other, found, user.lang)

    def test_bookings_search_by_departure_and_tour(self):
        """The bookings' search by departure and by tour, as the view builds
        them (the search view of the Bookings menu), finds the booking of
        the departure only."""
        travellers = make_travellers(self.env, 1, prefix="Names Traveller")
        booking = make_booking(self.env, self.departure, travellers)
        other = make_booking(self.env, self.other, travellers)
        for user, typed in (
            (self.agent_uk, "Кемер Пляж"),
            (self.agent_en, "Kemer Names"),
        ):
            env = self.user_env(user)
            for field_name in ("order_line", "sputnik_tour_id"):
                domain = search_domain(
                    env,
                    "sale.order",
                    field_name,
                    typed,
                    "sale.sale_order_view_search_inherit_quotation",
                )
                found = env["sale.order"].search(domain)
                self.assertIn(booking, found, (user.lang, field_name))
                self.assertNotIn(other, found, (user.lang, field_name))

    def test_seat_product_found_in_the_users_language(self):
        """The departure's seat variant, which the booking line shows, is
        found by the tour's name in the user's language too."""
        Product = self.user_env(self.agent_uk)["product.product"]
        found = dict(Product.name_search("Кемер Пляж"))
        self.assertIn(self.departure.product_id.id, found)
        self.assertIn(TOUR_UK, found[self.departure.product_id.id])

    def test_name_follows_the_tour_and_the_date(self):
        """A renamed tour (in Ukrainian only) and a moved departure: the names
        of every language follow."""
        self.tour.with_context(lang="uk_UA").name = "Кемер Новий"
        self.departure.date_start = self.departure.date_start.replace(day=1)
        date = self.departure.date_start.strftime("%d.%m.%Y")
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_uk)).display_name,
            f"Кемер Новий {date}",
        )
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_en)).display_name,
            f"{TOUR_EN} {date}",
        )
        self.assertEqual(
            self.as_user(self.agent_uk).name_search("Кемер Новий"),
            [(self.departure.id, f"Кемер Новий {date}")],
        )

    def test_names_follow_translations_loaded_in_sql(self):
        """Translations loaded from the module's files are written in SQL,
        out of the ORM's sight: loading them recomputes the departures'
        names. The tour's Ukrainian name is changed the way the loader
        writes it, then the module's terms are loaded."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE product_template SET name = name || %s::jsonb WHERE id = %s",
            ['{"uk_UA": "Кемер Завантажений"}', self.tour.id],
        )
        self.env.invalidate_all()
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_uk)).display_name,
            f"{TOUR_UK} {self.date}",
        )
        self.env["ir.module.module"]._load_module_terms(["sputnik_crm"], ["uk_UA"])
        self.env.invalidate_all()
        self.assertEqual(
            self.departure.with_env(self.user_env(self.agent_uk)).display_name,
            f"Кемер Завантажений {self.date}",
        )
        self.assertEqual(
            self.as_user(self.agent_uk).name_search("Завантажений"),
            [(self.departure.id, f"Кемер Завантажений {self.date}")],
        )

    def test_demo_tours_have_ukrainian_names(self):
        """Every tour of the demo (nine of them) has a Ukrainian name of its
        own, and the Ukrainian names of its departures start with it."""
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "sputnik_crm"),
                ("model", "=", "product.template"),
                ("name", "=like", "product_template_tour_%_demo"),
            ]
        )
        tours = self.env["product.template"].browse(data.mapped("res_id"))
        self.assertEqual(len(tours), 9)
        for tour in tours:
            name_en = tour.with_context(lang="en_US").name
            name_uk = tour.with_context(lang="uk_UA").name
            self.assertNotEqual(name_uk, name_en)
            departures = tour.sputnik_departure_ids.with_context(lang="uk_UA")
            for departure in departures:
                self.assertTrue(departure.name.startswith(name_uk), departure.name)


@tagged("post_install", "-at_install")
class TestDemoNames(TransactionCase):
    """The demo's segments and campaigns read in English and in Ukrainian."""

    def test_segments_in_both_languages(self):
        """The four demo segments: their English source names and the
        Ukrainian translations the demo gives them."""
        expected = {
            "sputnik_segment_beach_vip_demo": (
                "VIP and regular beach lovers who have not travelled for 6 months",
                "VIP і постійні любителі пляжу, що не їздили 6 місяців",
            ),
            "sputnik_segment_dormant_demo": ("Dormant clients", "Сплячі клієнти"),
            "sputnik_segment_champions_demo": (
                "Champions and loyal clients",
                "Чемпіони та лояльні клієнти",
            ),
            "sputnik_segment_young_demo": (
                "Young travellers (18-30) who agreed to e-mails",
                "Молоді мандрівники (18-30), згодні на листи",
            ),
        }
        for xmlid, (name_en, name_uk) in expected.items():
            segment = self.env.ref(f"sputnik_crm.{xmlid}")
            self.assertEqual(segment.with_context(lang="en_US").name, name_en)
            self.assertEqual(segment.with_context(lang="uk_UA").name, name_uk)
        dormant = self.env.ref("sputnik_crm.sputnik_segment_dormant_demo")
        self.assertEqual(
            dormant.with_context(lang="uk_UA").description,
            "Клієнти, які не подорожували рік: повернути їх.",
        )

    def test_campaigns_in_both_languages(self):
        """The spring campaign, in English and Ukrainian, got the plan the
        demo writes on it (goal, segment, budget 30,000, cost 25,000); the
        reactivation campaign is named in both languages too."""
        Campaign = self.env["utm.campaign"]
        spring = Campaign.search([("name", "=", "Spring at the Sea")])
        self.assertEqual(len(spring), 1)
        self.assertEqual(spring.with_context(lang="uk_UA").title, "Весна на морі")
        self.assertEqual(spring.sputnik_goal, "early_booking")
        self.assertEqual(
            spring.sputnik_segment_id,
            self.env.ref("sputnik_crm.sputnik_segment_beach_vip_demo"),
        )
        self.assertEqual(
            (spring.sputnik_budget, spring.sputnik_cost), (30000.0, 25000.0)
        )
        welcome = Campaign.search([("name", "=", "Welcome Back")])
        self.assertEqual(welcome.with_context(lang="uk_UA").title, "З поверненням")
        self.assertEqual(welcome.with_context(lang="en_US").title, "Welcome Back")
