from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields, models
from odoo.tests import new_test_user, tagged

from .common import (
    SputnikCase,
    buy_seats,
    make_booking,
    make_departure,
    make_tour,
    make_travellers,
    post_invoice,
    register_payment,
)


def noon(day):
    return datetime.combine(day, time(12, 0))


@tagged("post_install", "-at_install")
class TestSalesReports(SputnikCase):
    """Hand-made bookings with the figures of the reports known.

    M is the month three months ahead, P the month before the current one.
    Tour K sells at 30,000 a seat bought at 20,000 (margin 10,000), tour W at
    10,000 bought at 6,000 (margin 4,000).

    ======  ======  ===============  ===========  ==============  ========
    order   agent   client           departures   order date      campaign
    ======  ======  ===============  ===========  ==============  ========
    H       agent2  client           K, 100 days  ago (history)   -
    B1      agent   client           K on M-1d    last day of P-1 -
    B2      agent2  client2          K on M 1st   1st of P        -
    B3      agent   client           K, W on M    1st of P        spring
    Q       agent2  client2          K on M-1d    quotation       -
    X       agent   client           K, company 2 1st of P        -
    ======  ======  ===============  ===========  ==============  ========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.agent2 = new_test_user(
            env,
            login="report_agent2_test",
            name="Second Report Agent",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.company2 = env["res.company"].create({"name": "Sputnik West Test"})
        (cls.agent | cls.manager).company_ids = [Command.link(cls.company2.id)]
        cls.client2 = env["res.partner"].create(
            {"name": "Second Report Client", "user_id": cls.agent2.id}
        )
        cls.campaign = env["utm.campaign"].create({"name": "Spring Report Test"})

        cls.month = cls.today.replace(day=1) + relativedelta(months=3)
        cls.month_eve = cls.month - timedelta(days=1)
        cls.p_first = cls.today.replace(day=1) - relativedelta(months=1)

        cls.tour_k = make_tour(env, name="Kemer Report Test")
        cls.tour_w = make_tour(
            env, name="Warsaw Report Test", country="base.pl", price=10000.0
        )

        def departure(tour, day):
            return make_departure(env, tour, start_in_days=(day - cls.today).days)

        cls.dep_k1 = departure(cls.tour_k, cls.month_eve)
        cls.dep_k2 = departure(cls.tour_k, cls.month)
        cls.dep_w = departure(cls.tour_w, cls.month)
        buy_seats(env, cls.dep_k1, 6)
        buy_seats(env, cls.dep_k2, 6)
        buy_seats(env, cls.dep_w, 6, net_price=6000.0)

        # a trip of the client 100 days ago, taken over as confirmed
        cls.dep_h = make_departure(env, cls.tour_k, start_in_days=-100)
        cls.order_h = make_booking(env, cls.dep_h, cls.client, seats=1)
        cls.order_h.write(
            {
                "user_id": cls.agent2.id,
                "state": "sale",
                "date_order": noon(cls.today - timedelta(days=145)),
            }
        )
        cls.order_h.order_line.purchase_price = 20000.0

        pair = make_travellers(env, 2, prefix="Report")
        single = make_travellers(env, 1, prefix="Solo")
        cls.order_b1 = make_booking(env, cls.dep_k1, pair, customer=cls.client)
        cls.order_b2 = make_booking(env, cls.dep_k2, single, customer=cls.client2)
        cls.order_b3 = make_booking(env, cls.dep_k2, pair, customer=cls.client)
        cls.order_b3.write(
            {
                "campaign_id": cls.campaign.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.dep_w.product_id.id, "product_uom_qty": 2}
                    )
                ],
            }
        )
        cls.order_q = make_booking(env, cls.dep_k1, single, customer=cls.client2)
        (cls.order_b1 | cls.order_b3).user_id = cls.agent
        (cls.order_b2 | cls.order_q).user_id = cls.agent2
        (cls.order_b1 | cls.order_b2 | cls.order_b3).action_confirm()
        # their clients classified, as the queue's cron does after the request
        env["sputnik.classification"]._classify_queued()
        cls.order_b1.date_order = noon(cls.p_first - timedelta(days=1))
        (cls.order_b2 | cls.order_b3).date_order = noon(cls.p_first)

        # a booking of the agent in the other company
        cls.dep_x = (
            env["sputnik.departure"]
            .with_company(cls.company2)
            .create(
                {
                    "tour_id": cls.tour_k.id,
                    "company_id": cls.company2.id,
                    "date_start": cls.month,
                    "date_end": cls.month + timedelta(days=7),
                }
            )
        )
        cls.order_x = (
            env["sale.order"]
            .with_company(cls.company2)
            .create(
                {
                    "partner_id": cls.client.id,
                    "company_id": cls.company2.id,
                    "user_id": cls.agent.id,
                    "sputnik_traveller_ids": [Command.set(pair.ids)],
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.dep_x.product_id.id,
                                "product_uom_qty": 2,
                            }
                        )
                    ],
                }
            )
        )
        buy_seats(cls.dep_x.with_company(cls.company2).env, cls.dep_x, 2)
        cls.order_x.write({"state": "sale", "date_order": noon(cls.p_first)})

        cls.orders = (
            cls.order_h
            | cls.order_b1
            | cls.order_b2
            | cls.order_b3
            | cls.order_q
            | cls.order_x
        )
        cls.users = cls.agent | cls.agent2

        # requests, complaints and contacts
        Lead = env["crm.lead"]
        cls.leads = Lead.create(
            [
                {
                    "name": "Family in June",
                    "type": "opportunity",
                    "user_id": cls.agent.id,
                },
                {"name": "Honeymoon", "type": "opportunity", "user_id": cls.agent.id},
                {
                    "name": "Spring offer answer",
                    "type": "opportunity",
                    "user_id": cls.agent2.id,
                    "campaign_id": cls.campaign.id,
                },
            ]
        )
        Complaint = env["sputnik.complaint"]
        cls.complaint_b1 = Complaint.create(
            {
                "subject": "Room not as booked",
                "partner_id": cls.client.id,
                "order_id": cls.order_b1.id,
                "user_id": cls.agent2.id,
            }
        )
        cls.complaint_free = Complaint.create(
            {
                "subject": "Rude on the phone",
                "partner_id": cls.client2.id,
                "user_id": cls.agent2.id,
            }
        )
        Interaction = env["sputnik.interaction"]
        for user, partner in (
            (cls.agent, cls.client),
            (cls.agent, cls.client),
            (cls.agent2, cls.client2),
        ):
            Interaction.create(
                {"name": "Call", "partner_id": partner.id, "user_id": user.id}
            )

        # the spring mailing: traces in every status
        cls.mailing = env["mailing.mailing"].create(
            {
                "subject": "Spring offers",
                "body_html": "<p>Spring</p>",
                "campaign_id": cls.campaign.id,
                "mailing_model_id": env.ref("base.model_res_partner").id,
                "user_id": cls.manager.id,
            }
        )
        sent_on = noon(cls.today - timedelta(days=3))
        env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": cls.mailing.id,
                    "model": "res.partner",
                    "res_id": cls.client.id,
                    "email": f"r{index}@example.com",
                    "trace_status": status,
                    "sent_datetime": sent_on
                    if status not in ("error", "cancel")
                    else False,
                    "links_click_datetime": sent_on if clicked else False,
                }
                for index, (status, clicked) in enumerate(
                    [
                        ("sent", False),
                        ("open", False),
                        ("open", True),
                        ("reply", False),
                        ("bounce", False),
                        ("error", False),
                        ("cancel", False),
                    ]
                )
            ]
        )
        env["sputnik.report.mixin"]._sputnik_refresh()

    def _group(self, model, domain, groupby, aggregates):
        """Figures of the first company, whatever the record rules."""
        return self.env[model]._read_group(
            [*domain, ("company_id", "=", self.company.id)], groupby, aggregates
        )

    # === BOOKINGS === #
    def test_booking_set_up(self):
        """The hand-made bookings are what the figures below assume."""
        line_k, line_w = self.order_b3.order_line.filtered(
            "sputnik_departure_id"
        ).sorted("id")
        self.assertEqual(line_k.sputnik_departure_id, self.dep_k2)
        self.assertEqual(line_w.sputnik_departure_id, self.dep_w)
        self.assertEqual((line_k.price_subtotal, line_k.margin), (60000.0, 20000.0))
        self.assertEqual((line_w.price_subtotal, line_w.margin), (20000.0, 8000.0))
        self.assertEqual(
            self.order_b1.order_line.filtered("sputnik_departure_id").margin, 20000.0
        )
        self.assertEqual(self.order_x.order_line.sputnik_departure_id, self.dep_x)

    def test_bookings_by_destination(self):
        booked = self.order_b1 | self.order_b2 | self.order_b3
        groups = self._group(
            "sputnik.booking.report",
            [("order_id", "in", booked.ids)],
            ["destination_id"],
            ["revenue:sum", "margin:sum", "seats:sum", "booking_count:sum"],
        )
        self.assertEqual(
            groups,
            [
                # an order counts once, on its first departure line
                (self.tour_k.sputnik_destination_id, 150000.0, 50000.0, 5, 3),
                (self.tour_w.sputnik_destination_id, 20000.0, 8000.0, 2, 0),
            ],
        )

    def test_bookings_by_departure_month(self):
        """A departure on the last day of a month and one on the first of the
        next fall in their own months."""
        groups = self._group(
            "sputnik.booking.report",
            [("order_id", "in", self.orders.ids)],
            ["departure_date:month"],
            ["revenue:sum", "margin:sum", "seats:sum", "booking_count:sum"],
        )
        self.assertEqual(
            groups,
            [
                (
                    (self.today - timedelta(days=100)).replace(day=1),
                    30000.0,
                    10000.0,
                    1,
                    1,
                ),
                (self.month_eve.replace(day=1), 60000.0, 20000.0, 2, 1),
                (self.month, 110000.0, 38000.0, 5, 2),
            ],
        )

    def test_bookings_by_order_month_and_agent(self):
        booked = self.order_b1 | self.order_b2 | self.order_b3
        groups = self._group(
            "sputnik.booking.report",
            [("order_id", "in", booked.ids)],
            ["date:month", "user_id"],
            ["revenue:sum", "booking_count:sum"],
        )
        self.assertEqual(
            [
                (month.date(), user, revenue, count)
                for month, user, revenue, count in groups
            ],
            [
                (
                    (self.p_first - timedelta(days=1)).replace(day=1),
                    self.agent,
                    60000.0,
                    1,
                ),
                (self.p_first, self.agent, 80000.0, 1),
                (self.p_first, self.agent2, 30000.0, 1),
            ],
        )

    def test_bookings_campaign_and_segments(self):
        groups = self._group(
            "sputnik.booking.report",
            [("campaign_id", "=", self.campaign.id)],
            ["order_id"],
            ["revenue:sum", "margin:sum", "booking_count:sum"],
        )
        self.assertEqual(groups, [(self.order_b3, 80000.0, 28000.0, 1)])
        rows = self.env["sputnik.booking.report"].search(
            [("order_id", "=", self.order_b1.id)]
        )
        client = self.client.sudo()
        self.assertRecordValues(
            rows,
            [
                {
                    "partner_id": self.client.id,
                    "user_id": self.agent.id,
                    "departure_id": self.dep_k1.id,
                    "departure_date": self.month_eve,
                    "tour_id": self.tour_k.id,
                    "tour_type": "beach",
                    "operator_id": self.tour_k.sputnik_operator_id.id,
                    "client_lifecycle": client.sputnik_lifecycle,
                    "client_rfm_segment": client.sputnik_rfm_segment,
                    "client_abc": client.sputnik_abc,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                }
            ],
        )
        self.assertTrue(client.sputnik_lifecycle, "confirmations classify the client")

    def test_quotations_and_other_companies_left_out(self):
        Report = (
            self.env["sputnik.booking.report"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=self.company.ids)
        )
        self.assertFalse(Report.search([("order_id", "=", self.order_q.id)]))
        self.assertFalse(Report.search([("order_id", "=", self.order_x.id)]))

    def test_booking_rules(self):
        """An agent reads their own bookings, a manager all, of their companies
        only."""
        domain = [("order_id", "in", self.orders.ids)]

        def orders(user, companies):
            return (
                self.env["sputnik.booking.report"]
                .with_user(user)
                .with_context(allowed_company_ids=companies.ids)
                .search(domain)
                .order_id
            )

        self.assertEqual(
            orders(self.agent, self.company), self.order_b1 | self.order_b3
        )
        self.assertEqual(
            orders(self.agent, self.company | self.company2),
            self.order_b1 | self.order_b3 | self.order_x,
        )
        self.assertEqual(
            orders(self.manager, self.company),
            self.order_h | self.order_b1 | self.order_b2 | self.order_b3,
        )
        self.assertEqual(orders(self.manager, self.company2), self.order_x)
        self.assertEqual(
            orders(self.agent2, self.company), self.order_h | self.order_b2
        )

    def test_booking_drill_down(self):
        row = self.env["sputnik.booking.report"].search(
            [("order_id", "=", self.order_b1.id)]
        )
        action = row.with_user(self.agent).action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", self.order_b1.id)
        )

    # === AGENTS === #
    def test_agent_figures(self):
        groups = self._group(
            "sputnik.agent.report",
            [("user_id", "in", self.users.ids)],
            ["user_id"],
            [
                "revenue:sum",
                "margin:sum",
                "booking_count:sum",
                "request_count:sum",
                "retained_count:sum",
                "complaint_count:sum",
                "interaction_count:sum",
            ],
        )
        self.assertEqual(
            groups,
            [
                # B1 and B3; requests: 2 opportunities, B1 and B3 quoted;
                # the client travelled (H) before the months of B1 and B3;
                # the complaint about B1 counts for B1's agent
                (self.agent, 140000.0, 48000.0, 2, 4, 2, 1, 2),
                # H and B2; requests: 1 opportunity, H, B2 and Q quoted
                (self.agent2, 60000.0, 20000.0, 2, 4, 0, 1, 1),
            ],
        )

    def test_agent_months(self):
        groups = self._group(
            "sputnik.agent.report",
            [("user_id", "=", self.agent.id), ("kind", "in", ("booking", "retained"))],
            ["date:month"],
            ["revenue:sum", "booking_count:sum", "retained_count:sum"],
        )
        self.assertEqual(
            groups,
            [
                ((self.p_first - timedelta(days=1)).replace(day=1), 60000.0, 1, 0),
                (self.p_first, 80000.0, 1, 0),
                # the retained client, in the months of the departures
                (self.month_eve.replace(day=1), 0.0, 0, 1),
                (self.month, 0.0, 0, 1),
            ],
        )

    def test_agent_rules_and_drill_down(self):
        Report = self.env["sputnik.agent.report"].with_user(self.agent)
        rows = Report.with_context(allowed_company_ids=self.company.ids).search(
            [("user_id", "in", self.users.ids)]
        )
        self.assertEqual(rows.user_id, self.agent)
        self.assertNotIn(self.company2, rows.company_id)
        both = Report.with_context(
            allowed_company_ids=(self.company | self.company2).ids
        ).search([("kind", "=", "booking"), ("user_id", "=", self.agent.id)])
        self.assertIn(self.company2, both.company_id)
        complaint = rows.filtered(lambda r: r.kind == "complaint")
        action = complaint.action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("sputnik.complaint", self.complaint_b1.id),
        )
        # two calls of a day make one row, which lists both
        day = datetime(2020, 3, 2, 10, 0)
        calls = self.env["sputnik.interaction"].create(
            [
                {
                    "name": f"Call {n}",
                    "partner_id": self.client.id,
                    "user_id": self.agent.id,
                    "date": day,
                }
                for n in (1, 2)
            ]
        )
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        row = Report.with_context(allowed_company_ids=self.company.ids).search(
            [("kind", "=", "interaction"), ("date", "=", day.date())]
        )
        self.assertEqual((row.event_count, row.interaction_count), (2, 2))
        action = row.action_open_document()
        self.assertEqual(action["res_model"], "sputnik.interaction")
        self.assertEqual(action["domain"], [("id", "in", sorted(calls.ids))])
        manager_rows = (
            self.env["sputnik.agent.report"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=self.company.ids)
            .search([("user_id", "in", self.users.ids)])
        )
        self.assertEqual(manager_rows.user_id, self.users)

    def test_groups_in_odoo_order(self):
        """The groups of a many2one come in Odoo's order (the agents by name),
        though grouped by the key alone."""
        (self.agent | self.agent2).invalidate_recordset()
        last = max(self.agent, self.agent2, key=lambda user: user.id)
        last.partner_id.name = "Aaa First by Name"
        self.env["sputnik.report.mixin"]._sputnik_refresh()
        Report = self.env["sputnik.agent.report"]
        domain = [("company_id", "=", self.company.id)]
        for groupby in (["user_id"], ["user_id", "date:month"], ["kind", "user_id"]):
            order = ",".join(groupby)
            groups = Report._read_group(domain, groupby, ["revenue:sum"], order=order)
            odoo = models.BaseModel._read_group(
                Report, domain, groupby, ["revenue:sum"], order=order
            )
            self.assertEqual(groups, odoo, groupby)
        users = [
            user
            for user, _revenue in Report._read_group(
                domain, ["user_id"], ["revenue:sum"], order="user_id"
            )
            if user
        ]
        self.assertEqual(users[0], last)
        self.assertEqual(users, sorted(users, key=lambda u: (u.name, u.login)))

    # === CAMPAIGNS === #
    def test_campaign_funnel(self):
        groups = self._group(
            "sputnik.campaign.report",
            [("campaign_id", "=", self.campaign.id)],
            ["campaign_id"],
            [
                "sent_count:sum",
                "opened_count:sum",
                "clicked_count:sum",
                "replied_count:sum",
                "opportunity_count:sum",
                "booking_count:sum",
                "revenue:sum",
                "margin:sum",
            ],
        )
        self.assertEqual(groups, [(self.campaign, 5, 3, 1, 1, 1, 1, 80000.0, 28000.0)])
        booking = self.env["sputnik.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id), ("kind", "=", "booking")]
        )
        self.assertEqual(booking.date, self.p_first)
        self.assertEqual(booking.action_open_document()["res_id"], self.order_b3.id)

    def test_campaign_rules(self):
        """An agent sees the campaign's bookings they made, a manager the whole
        funnel."""

        def kinds(user):
            return sorted(
                self.env["sputnik.campaign.report"]
                .with_user(user)
                .with_context(allowed_company_ids=self.company.ids)
                .search([("campaign_id", "=", self.campaign.id)])
                .mapped("kind")
            )

        self.assertEqual(kinds(self.agent), ["booking"])
        self.assertEqual(kinds(self.agent2), ["opportunity"])
        self.assertEqual(
            kinds(self.manager), ["booking"] + ["mailing"] * 7 + ["opportunity"]
        )

    def test_actions_open(self):
        for xmlid, model in (
            ("sputnik_crm.sale_report_action_bookings", "sputnik.booking.report"),
            ("sputnik_crm.sputnik_payment_report_action", "sputnik.payment.report"),
            ("sputnik_crm.sputnik_agent_report_action", "sputnik.agent.report"),
            ("sputnik_crm.sputnik_campaign_report_action", "sputnik.campaign.report"),
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            self.assertEqual(action["res_model"], model)
            Report = self.env[model].with_user(self.agent)
            for mode in action["view_mode"].split(","):
                self.assertTrue(Report.get_view(view_type=mode)["arch"])
            Report.search_read([], ["display_name"], limit=5)
            self.assertFalse(
                self.env[model].with_user(self.outsider).has_access("read")
            )


@tagged("post_install", "-at_install")
class TestPaymentReport(SputnikCase):
    """Invoices of one client, with their payment discipline known.

    Relative to today (D), no taxes, company currency:

    ====  ======  ========  ========  ==========================  ========
    inv   amount  invoiced  due       payment                     agent
    ====  ======  ========  ========  ==========================  ========
    A     1000    D-60      D-30      1000 on D-35 (on time)      agent
    B     2000    D-50      D-20      2000 on D-10 (10 days late) agent
    C     3000    D-40      D-10      1000 on D-15 (open, overdue) agent
    D     4000    D-5       D+25      -                           agent2
    E      500    D-3       D-3       reversed by a credit note   agent
    ====  ======  ========  ========  ==========================  ========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.agent2 = new_test_user(
            cls.env,
            login="payment_agent2_test",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.payer = cls.env["res.partner"].create(
            {"name": "Payment Report Client", "is_company": True, "customer_rank": 1}
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(cls.company)]
            + [("type", "=", "bank")],
            limit=1,
        )
        cls.invoice_a = cls._invoice(1000, -60, -30, cls.agent)
        cls.invoice_b = cls._invoice(2000, -50, -20, cls.agent)
        cls.invoice_c = cls._invoice(3000, -40, -10, cls.agent)
        cls.invoice_d = cls._invoice(4000, -5, 25, cls.agent2)
        cls.invoice_e = cls._invoice(500, -3, -3, cls.agent)
        cls._pay(cls.invoice_a, 1000, -35)
        cls._pay(cls.invoice_b, 2000, -10)
        cls._pay(cls.invoice_c, 1000, -15)
        # cancelled by a credit note: never to be paid
        cls.invoice_e._reverse_moves(cancel=True)
        cls.env["sputnik.report.mixin"]._sputnik_refresh()

    @classmethod
    def _invoice(cls, amount, invoice_days, due_days, user):
        return post_invoice(
            cls.env,
            cls.payer,
            amount,
            cls.today + timedelta(days=invoice_days),
            cls.today + timedelta(days=due_days),
            invoice_user_id=user.id,
        )

    @classmethod
    def _pay(cls, invoice, amount, days):
        register_payment(
            cls.env, invoice, amount, cls.today + timedelta(days=days), cls.bank_journal
        )

    def _rows(self, user=None):
        Report = self.env["sputnik.payment.report"]
        if user:
            Report = Report.with_user(user)
        return Report.search([("partner_id", "=", self.payer.id)], order="id")

    def test_set_up(self):
        self.assertEqual(
            (self.invoice_a | self.invoice_b).mapped("payment_state"), ["paid", "paid"]
        )
        self.assertEqual(self.invoice_c.payment_state, "partial")
        self.assertEqual(self.invoice_e.payment_state, "reversed")

    def test_invoice_rows(self):
        days = lambda n: self.today + timedelta(days=n)  # noqa: E731
        self.assertRecordValues(
            self._rows(),
            [
                {
                    "move_id": self.invoice_a.id,
                    "user_id": self.agent.id,
                    "invoice_date": days(-60),
                    "date_due": days(-30),
                    "payment_date": days(-35),
                    "amount_total": 1000.0,
                    "amount_residual": 0.0,
                    "paid_on_time": 1,
                    "overdue": 0,
                    "days_late": 0.0,
                    "days_to_pay": 25.0,
                },
                {
                    "move_id": self.invoice_b.id,
                    "user_id": self.agent.id,
                    "invoice_date": days(-50),
                    "date_due": days(-20),
                    "payment_date": days(-10),
                    "amount_total": 2000.0,
                    "amount_residual": 0.0,
                    "paid_on_time": 0,
                    "overdue": 0,
                    "days_late": 10.0,
                    "days_to_pay": 40.0,
                },
                {
                    "move_id": self.invoice_c.id,
                    "user_id": self.agent.id,
                    "invoice_date": days(-40),
                    "date_due": days(-10),
                    "payment_date": False,
                    "amount_total": 3000.0,
                    "amount_residual": 2000.0,
                    "paid_on_time": 0,
                    "overdue": 1,
                    "days_late": 10.0,
                    "days_to_pay": 0.0,
                },
                {
                    "move_id": self.invoice_d.id,
                    "user_id": self.agent2.id,
                    "invoice_date": days(-5),
                    "date_due": days(25),
                    "payment_date": False,
                    "amount_total": 4000.0,
                    "amount_residual": 4000.0,
                    "paid_on_time": 0,
                    "overdue": 0,
                    "days_late": 0.0,
                    "days_to_pay": 0.0,
                },
            ],
        )

    def test_payment_figures(self):
        [figures] = self.env["sputnik.payment.report"]._read_group(
            [("partner_id", "=", self.payer.id)],
            [],
            [
                "invoice_count:sum",
                "amount_total:sum",
                "amount_residual:sum",
                "amount_overdue:sum",
                "paid_count:sum",
                "paid_on_time:sum",
                "overdue:sum",
                "paid_on_time_rate:avg",
                "overdue_rate:avg",
                "days_late:avg",
                "days_to_pay:avg",
            ],
        )
        (
            invoices,
            sales,
            receivables,
            overdue_amount,
            paid,
            on_time,
            overdue,
            on_time_rate,
            overdue_rate,
            days_late,
            days_to_pay,
        ) = figures
        self.assertEqual(
            (invoices, sales, receivables, overdue_amount, paid, on_time, overdue),
            (4, 10000.0, 6000.0, 2000.0, 2, 1, 1),
        )
        # A on time; B paid late and C past due; D not yet due: left out
        self.assertAlmostEqual(on_time_rate, 100 / 3)
        self.assertEqual(overdue_rate, 25.0)
        # (0 + 10 + 10 + 0) / 4
        self.assertEqual(days_late, 5.0)
        # (25 + 40) / 2
        self.assertEqual(days_to_pay, 32.5)
        # DSO over the 60 days of the invoices: 6000 / (10000 / 60)
        self.assertEqual(receivables / (sales / 60), 36.0)

    def test_payment_rules_and_drill_down(self):
        self.assertEqual(
            self._rows(self.agent).move_id,
            self.invoice_a | self.invoice_b | self.invoice_c,
        )
        self.assertEqual(self._rows(self.agent2).move_id, self.invoice_d)
        self.assertEqual(len(self._rows(self.manager)), 4)
        # a manager of two companies reads the other one: nothing there
        company2 = self.env["res.company"].create({"name": "Payment West Test"})
        self.manager.company_ids = [Command.link(company2.id)]
        self.assertFalse(
            self.env["sputnik.payment.report"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=company2.ids)
            .search([("partner_id", "=", self.payer.id)])
        )
        action = self._rows(self.agent)[0].action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("account.move", self.invoice_a.id)
        )
