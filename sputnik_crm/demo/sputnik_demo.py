from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..models.sputnik_care_event import REGISTRY


class SputnikDemo(models.AbstractModel):
    """Builds the demo bureau's season: allotments bought and received, and
    bookings in every status with their invoices and payments. Called from
    the demo data files (demo/*.xml) only: demo code, never called in
    production."""

    _name = "sputnik.demo"
    _description = "Sputnik CRM Demo Season"

    @api.model
    def _demo_env(self):
        """This model in the demo bureau's company, without chatter noise."""
        company = self.env.ref("base.demo_company_ua")
        demo = self.with_company(company).with_context(
            tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        return demo, company, fields.Date.context_today(demo)

    @api.model
    def _load_demo_season(self):
        self, company, today = self._demo_env()
        ref = self.env.ref
        # the bureau values seats at the operator's net price (average cost)
        ref("sputnik_crm.product_category_tours").with_company(
            company
        ).property_cost_method = "average"
        # the operator's net price of each tour, as in the catalogue
        main = ref("base.main_company")
        net = {
            tour: tour.with_company(main).standard_price
            for tour in self.env["product.template"].search(
                [("sputnik_is_tour", "=", True)]
            )
        }

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
            if dep.sale_mode == "agent":
                # the operator's quota: nothing to buy
                return dep
            order = dep._sputnik_purchase_order(seats, net[tour])
            order.button_confirm()
            if receive:
                receipt = order.picking_ids
                receipt.move_ids.quantity = seats
                receipt.move_ids.picked = True
                receipt.button_validate()
            return dep

        def book(dep, numbers, agent="agent", confirm=True):
            travellers = self.env["res.partner"].concat(*map(client, numbers))
            currency = dep.tour_id.sputnik_currency_id
            pricelist = {}
            if currency:
                pricelist["pricelist_id"] = (
                    self.env["product.pricelist"]
                    ._sputnik_currency_pricelist(currency, company)
                    .id
                )
            order = self.env["sale.order"].create(
                {
                    **pricelist,
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
                # its first invoice, which the invoicing cron issues just
                # after a confirmation's commit
                self.env["sputnik.booking.invoicing"]._sputnik_invoice_pending(order)
            return order

        def pay(order, balance=False):
            # a booking made inside the balance window was invoiced whole at
            # its confirmation
            if balance and order.invoice_status == "to invoice":
                self.env["sputnik.booking.invoicing"]._sputnik_invoice_balance(order)
            invoices = order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.payment_state == "not_paid"
            )
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids
            ).create({})._create_payments()

        # sold as the agent of this operator: 10 % and 450.00 per traveller,
        # billed per booking; its tour priced in euros, at 45.00 a euro today
        ref("sputnik_crm.res_partner_op_agency_demo").with_company(company).write(
            {
                "sputnik_sale_mode": "agent",
                "sputnik_commission_percent": 10.0,
                "sputnik_commission_fixed": 450.0,
                "sputnik_operator_bill_mode": "booking",
                "sputnik_cancel_fee": 500.0,
            }
        )
        euro = ref("base.EUR")
        euro.active = True
        self.env["res.currency.rate"].create(
            {
                "name": today,
                "currency_id": euro.id,
                "company_id": company.id,
                "inverse_company_rate": 45.0,
            }
        )
        ref("sputnik_crm.product_template_tour_sharm_demo").write(
            {"sputnik_currency_id": euro.id, "sputnik_price_currency": 1300.0}
        )
        kemer_1 = departure("kemer", 20, 10)
        kemer_2 = departure("kemer", 34, 10)
        departure("kemer", 48, 10)
        side = departure("side", 27, 8)
        departure("side", 55, 8)
        hurghada_1 = departure("hurghada", 12, 10)
        hurghada_2 = departure("hurghada", 40, 10)
        sunny = departure("sunny", 60, 12)
        departure("budva", 45, 6)
        # booked a month ago, when it left in 40 days: moved to 9 days below
        krakow = departure("krakow", 40, 8)
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
        # cancelled after its deposit was paid, through the cancel wizard: seats
        # back, the deposit credited, the penalty (the operator's 10 % two
        # months ahead and the bureau's fee) invoiced and paid from that credit
        ref("sputnik_crm.res_partner_op_sea_demo").with_company(
            company
        ).sputnik_cancel_fee = 300.0
        cancelled = book(sunny, [12], agent="agent2")
        pay(cancelled)
        self.env["sale.order.cancel"].create(
            {
                "order_id": cancelled.id,
                "sputnik_cancel_reason": "Клієнтка захворіла, поїздку перенесено "
                "на наступний сезон.",
            }
        ).action_cancel()
        # its credit note and penalty, which the invoicing cron issues just
        # after a cancellation's commit
        self.env["sputnik.booking.invoicing"]._sputnik_invoice_pending(cancelled)
        # overdue: booked a month ago and its deposit paid; the balance fell due
        # 12 days ago (21 days before the departure, now in 9 days), was
        # invoiced then and is still unpaid
        late = book(krakow, [13, 21])
        pay(late)
        krakow.write(
            {
                "release_date": today + relativedelta(days=1),
                "date_start": today + relativedelta(days=9),
                "date_end": today + relativedelta(days=9 + krakow.nights),
            }
        )
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = %s WHERE id = %s",
            (fields.Datetime.now() - relativedelta(days=31), late.id),
        )
        late.invalidate_recordset(["date_order"])
        late.modified(["date_order"])
        balance = late._create_invoices(final=True)
        balance.write(
            {
                "invoice_date": late.sputnik_balance_due_date,
                "invoice_payment_term_id": False,
                "invoice_date_due": late.sputnik_balance_due_date,
            }
        )
        balance.action_post()
        # sold as the operator's agent: a booking with its deposit paid and its
        # operator's bill, one cancelled 20 days ahead (the operator charges
        # its 25 %, refunded the rest of its bill)
        sharm = departure("sharm", 50, 12)
        pay(book(sharm, [22]))
        sharm_soon = departure("sharm", 20, 8)
        dropped = book(sharm_soon, [29])
        pay(dropped)
        self.env["sale.order.cancel"].create(
            {
                "order_id": dropped.id,
                "sputnik_cancel_reason": "Клієнт не отримав відпустку на роботі.",
            }
        ).action_cancel()
        self.env["sputnik.booking.invoicing"]._sputnik_invoice_pending(dropped)
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

    # (client number, agent, [(departure days ago, tour, seats, paid days late)])
    HISTORY = [
        # champions, VIP, platinum: every autumn and spring, growing trips
        (
            22,
            "agent",
            [
                (30, "dubai", 2, 0),
                (200, "dubai", 2, 0),
                (380, "kemer", 2, 0),
                (560, "dubai", 2, 0),
                (740, "kemer", 2, 0),
                (920, "dubai", 2, 0),
            ],
        ),
        # loyal regulars
        (
            23,
            "agent",
            [
                (90, "side", 2, 0),
                (300, "kemer", 2, 0),
                (480, "side", 2, 0),
                (840, "side", 2, 0),
                (1200, "side", 1, 0),
            ],
        ),
        # a steady family, with a dearer trip two years ago: class Y
        (1, "agent", [(75, "kemer", 2, 0), (440, "kemer", 2, 0), (800, "side", 2, 0)]),
        # a big spender who has not come back for more than a year: cannot lose
        (
            24,
            "agent2",
            [
                (420, "dubai", 3, 12),
                (600, "dubai", 3, 25),
                (780, "dubai", 2, 8),
                (960, "side", 3, 30),
            ],
        ),
        # one trip long ago: dormant, then lost
        (25, "agent2", [(500, "budva", 1, 0)]),
        (26, "agent", [(800, "krakow", 1, 0)]),
        (
            27,
            "agent2",
            [(770, "side", 2, 0), (1100, "kemer", 2, 0), (1400, "side", 2, 0)],
        ),
        # new clients: promising
        (28, "agent", [(45, "krakow", 1, 0)]),
        (2, "agent2", [(60, "dubai", 4, 0)]),
        # about to sleep, and in need of attention
        (29, "agent", [(95, "krakow", 1, 5)]),
        (30, "agent2", [(210, "hurghada", 2, 18), (570, "sunny", 1, 40)]),
        (19, "agent2", [(395, "hurghada", 2, 0)]),
        # irregular spend: class Z
        (20, "agent", [(100, "dubai", 4, 0), (1000, "krakow", 1, 0)]),
        (3, "agent", [(150, "kemer", 1, 0), (520, "side", 2, 0)]),
        (18, "agent2", [(300, "budva", 2, 3), (660, "budva", 2, 0)]),
    ]

    COMPANIONS = ("Ірина", "Максим", "Софія", "Артем")

    @api.model
    def _demo_companions(self, client, count):
        """The first ``count`` companions the client travels with (made once,
        kept on the client's card as its travel companions): one traveller
        per seat."""
        Relation = self.env["sputnik.client.relation"]
        known = Relation.search(
            [("partner_id", "=", client.id), ("relation", "=", "companion")],
            order="id",
        ).related_partner_id
        surname = client.name.split()[-1]
        for first in self.COMPANIONS[len(known) : count]:
            companion = self.env["res.partner"].create(
                {"name": f"{first} {surname}", "company_id": client.company_id.id}
            )
            Relation.create(
                {
                    "partner_id": client.id,
                    "related_partner_id": companion.id,
                    "relation": "companion",
                }
            )
            known |= companion
        return known[:count]

    @api.model
    def _load_demo_history(self):
        self, company, today = self._demo_env()
        ref = self.env.ref
        departures = {}
        to_pay = []
        for number, agent, trips in self.HISTORY:
            partner = ref(f"sputnik_crm.res_partner_client_{number:02d}_demo")
            for days, tour_name, seats, late in trips:
                tour = ref(f"sputnik_crm.product_template_tour_{tour_name}_demo")
                start = today - relativedelta(days=days)
                key = (tour_name, start)
                if key not in departures:
                    departures[key] = self.env["sputnik.departure"].create(
                        {
                            "tour_id": tour.id,
                            "company_id": company.id,
                            "date_start": start,
                            "date_end": start + relativedelta(days=tour.sputnik_nights),
                            "allotment_seats": 0,
                        }
                    )
                departure = departures[key]
                travellers = partner | self._demo_companions(partner, seats - 1)
                order = self.env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "user_id": ref(f"sputnik_crm.user_{agent}_demo").id,
                        "date_order": start - relativedelta(days=45),
                        "sputnik_traveller_ids": [Command.set(travellers.ids)],
                        "sputnik_operator_ref": f"ARCH-{start:%y%m%d}-{number:02d}",
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": departure.product_id.id,
                                    "product_uom_qty": seats,
                                }
                            )
                        ],
                    }
                )
                # taken over as confirmed and travelled: no seat is taken again
                order.write(
                    {
                        "state": "sale",
                        "date_order": start - relativedelta(days=45),
                        "sputnik_documents_issued": True,
                    }
                )
                # the operator's net price, as paid for this season's seats
                order.order_line.purchase_price = (
                    self.env["purchase.order.line"]
                    .search([("product_id.product_tmpl_id", "=", tour.id)], limit=1)
                    .price_unit
                )
                to_pay.append((order, start, late))
        for order, start, late in to_pay:
            invoice = order._create_invoices()
            invoice.write(
                {
                    "invoice_date": start - relativedelta(days=40),
                    "invoice_payment_term_id": False,
                }
            )
            invoice.invoice_date_due = order.sputnik_balance_due_date
            invoice.action_post()
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {
                    "payment_date": invoice.invoice_date_due
                    + relativedelta(days=late or -3)
                }
            )._create_payments()
        for departure in departures.values():
            # sudo: the protected state of a past demo departure (private demo
            # loader, run from the demo data at install)
            departure.sudo().write({"state": "done"})
        # the first classification of the base, then a manager's decision
        self.env["res.partner"]._sputnik_classify_all(source="manual")
        self.env["sputnik.client.class.override"].with_user(
            ref("sputnik_crm.user_manager_demo")
        ).create(
            {
                "partner_id": ref("sputnik_crm.res_partner_client_19_demo").id,
                "dimension": "lifecycle",
                "lifecycle": "vip",
                "reason": "Director of a partner company: sends us corporate groups.",
            }
        )

    @api.model
    def _load_demo_complaints(self):
        self, company, today = self._demo_env()
        ref = self.env.ref
        Complaint = self.env["sputnik.complaint"]

        def booking_of(number):
            client = ref(f"sputnik_crm.res_partner_client_{number:02d}_demo")
            return self.env["sale.order"].search(
                [("partner_id", "=", client.id), ("state", "=", "sale")],
                order="sputnik_date_start desc",
                limit=1,
            )

        # resolved: a compensation credited to the client, recovered from the
        # tour operator
        completed = booking_of(10)
        resolved = Complaint.create(
            {
                "subject": "Noisy room next to the hotel disco",
                "partner_id": completed.partner_id.id,
                "order_id": completed.id,
                "category": "hotel",
                "priority": "1",
                "user_id": ref("sputnik_crm.user_agent_demo").id,
                "company_id": company.id,
                "date_open": fields.Datetime.now() - relativedelta(days=15),
                "description": "<p>Three nights without sleep; the hotel refused to "
                "move the family.</p>",
                "root_cause": "The hotel overbooked its quiet wing.",
                "resolution": "Apology and a partial refund of two nights.",
                "satisfaction": "4",
                "compensation_amount": 4000.0,
                "recovered_amount": 4000.0,
            }
        )
        resolved.action_start()
        resolved.action_wait_operator()
        resolved.action_resolve()
        manager = ref("sputnik_crm.user_manager_demo")
        resolved.with_user(manager).action_grant_compensation()
        resolved.with_user(manager).action_record_recovery()
        # overdue, waiting for the operator
        travelling = booking_of(9)
        overdue = Complaint.create(
            {
                "subject": "No transfer at the airport",
                "partner_id": travelling.partner_id.id,
                "order_id": travelling.id,
                "category": "transfer",
                "priority": "2",
                "user_id": ref("sputnik_crm.user_agent2_demo").id,
                "company_id": company.id,
                "date_open": fields.Datetime.now() - relativedelta(days=3),
            }
        )
        overdue.action_start()
        overdue.action_wait_operator()
        # new, about the agency itself
        Complaint.create(
            {
                "subject": "The documents were sent late",
                "partner_id": ref("sputnik_crm.res_partner_client_07_demo").id,
                "order_id": booking_of(7).id,
                "category": "agency",
                "user_id": ref("sputnik_crm.user_agent_demo").id,
                "company_id": company.id,
            }
        )

    # answers of the demo clients to the trip survey: (CSAT, NPS)
    SURVEY_SCORES = [(5, 10), (4, 9), (5, 9), (3, 7), (4, 8), (2, 4), (5, 10), (4, 6)]

    @api.model
    def _load_demo_care(self):
        """Satisfaction surveys answered after the past trips, then the first
        run of the client-care messages."""
        self, company, today = self._demo_env()
        survey = self.env.ref("sputnik_crm.survey_trip_satisfaction")
        questions = {q.sputnik_kpi: q for q in survey.question_ids if q.sputnik_kpi}
        orders = self.env["sale.order"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("sputnik_is_booking", "=", True),
                ("sputnik_date_end", "<", today - relativedelta(days=7)),
            ],
            order="sputnik_date_end desc, id",
            limit=24,
        )
        for index, order in enumerate(orders):
            csat, nps = self.SURVEY_SCORES[index % len(self.SURVEY_SCORES)]
            answer = survey._create_answer(
                partner=order.partner_id,
                check_attempts=False,
                sputnik_order_id=order.id,
            )
            answer._save_lines(questions["csat"], csat)
            answer._save_lines(questions["nps"], nps)
            answer._mark_done()
            answer.end_datetime = fields.Datetime.to_datetime(
                order.sputnik_date_end + relativedelta(days=3)
            )
        orders.partner_id.commercial_partner_id._sputnik_update_satisfaction()
        # the first daily run of client care; not the birthday greetings, so
        # that the demo does not depend on the day it is installed
        self.env["sputnik.care.event"]._sputnik_care_run(
            [name for name in REGISTRY if name != "birthday"]
        )

    @api.model
    def _load_demo_campaign(self):
        """A spring campaign: its mailing to the clients, the opportunities it
        and the agents' calls brought, and two bookings made from it."""
        self, company, today = self._demo_env()
        ref = self.env.ref

        def client(number):
            return ref(f"sputnik_crm.res_partner_client_{number:02d}_demo")

        agent = ref("sputnik_crm.user_agent_demo")
        agent2 = ref("sputnik_crm.user_agent2_demo")
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Spring at the Sea",
                "user_id": ref("sputnik_crm.user_manager_demo").id,
            }
        )
        campaign.update_field_translations("title", {"uk_UA": "Весна на морі"})
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Весна на морі: бронюйте раніше, платіть менше",
                "body_html": "<p>Ціни раннього бронювання на травень і червень.</p>",
                "campaign_id": campaign.id,
                "mailing_model_id": ref("base.model_res_partner").id,
                "user_id": ref("sputnik_crm.user_manager_demo").id,
            }
        )
        sent = fields.Datetime.now() - relativedelta(days=20)
        # (client, status, clicked): twelve e-mails, one bounced
        traces = [
            (1, "open", True),
            (2, "sent", False),
            (4, "open", True),
            (5, "open", False),
            (6, "reply", True),
            (7, "open", False),
            (8, "sent", False),
            (9, "sent", False),
            (10, "open", False),
            (11, "sent", False),
            (12, "bounce", False),
            (13, "reply", False),
        ]
        self.env["mailing.trace"].create(
            [
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": client(number).id,
                    "email": client(number).email,
                    "trace_status": status,
                    "sent_datetime": sent,
                    "open_datetime": sent + relativedelta(hours=3)
                    if status in ("open", "reply")
                    else False,
                    "links_click_datetime": sent + relativedelta(hours=3, minutes=2)
                    if clicked
                    else False,
                }
                for number, status, clicked in traces
            ]
        )
        # requests: from the campaign and from the agents' calls
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": client(number).id,
                    "user_id": user.id,
                    "company_id": company.id,
                    "campaign_id": campaign.id if from_campaign else False,
                    "expected_revenue": revenue,
                }
                for name, number, user, from_campaign, revenue in [
                    ("Сімейний пляжний відпочинок у червні", 1, agent, True, 120000.0),
                    ("Єгипет або Туреччина в травні", 6, agent2, True, 80000.0),
                    ("Весняна пропозиція: тиждень у Сіде", 13, agent, True, 60000.0),
                    ("Гірськолижна поїздка на Новий рік", 24, agent2, False, 150000.0),
                    ("Вихідні у Кракові на двох", 28, agent, False, 30000.0),
                ]
            ]
        )
        # the requests came in over the last weeks; the agents called back
        # hours later (the first response time of the reports)
        for index, lead in enumerate(leads):
            came = fields.Datetime.now() - relativedelta(days=18 - 3 * index)
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s WHERE id = %s", (came, lead.id)
            )
            self.env["sputnik.interaction"].create(
                {
                    "name": f"Передзвонити: {lead.name}",
                    "interaction_type": "call",
                    "direction": "outbound",
                    "date": came + relativedelta(hours=2 + 5 * index),
                    "partner_id": lead.partner_id.id,
                    "user_id": lead.user_id.id,
                    "lead_id": lead.id,
                    "company_id": company.id,
                    "stage": "pre_sale",
                    "reaction": "interested",
                }
            )
        leads.invalidate_recordset(["create_date"])
        # two of this season's bookings came from the mailing
        bookings = self.env["sale.order"].search(
            [
                ("partner_id", "in", (client(4) | client(7)).ids),
                ("state", "=", "sale"),
                ("sputnik_date_start", ">=", today),
            ]
        )
        bookings.write(
            {"campaign_id": campaign.id, "medium_id": ref("utm.utm_medium_email").id}
        )

    @api.model
    def _load_demo_campaign_plans(self):
        self, company, today = self._demo_env()
        ref = self.env.ref
        spring = self.env["utm.campaign"].search(
            [("name", "=", "Spring at the Sea")], limit=1
        )
        spring.write(
            {
                "sputnik_goal": "early_booking",
                "sputnik_segment_id": ref(
                    "sputnik_crm.sputnik_segment_beach_vip_demo"
                ).id,
                "sputnik_date_from": today - relativedelta(days=30),
                "sputnik_date_to": today + relativedelta(days=30),
                "sputnik_budget": 30000.0,
                "sputnik_cost": 25000.0,
                "company_id": company.id,
            }
        )
        welcome = self.env["utm.campaign"].create(
            {
                "title": "Welcome Back",
                "user_id": ref("sputnik_crm.user_manager_demo").id,
                "sputnik_goal": "reactivation",
                "sputnik_segment_id": ref(
                    "sputnik_crm.sputnik_segment_dormant_demo"
                ).id,
                "sputnik_date_from": today + relativedelta(days=7),
                "sputnik_date_to": today + relativedelta(days=60),
                "sputnik_budget": 15000.0,
                "company_id": company.id,
            }
        )
        welcome.update_field_translations("title", {"uk_UA": "З поверненням"})

    @api.model
    def _load_demo_plans(self):
        """Sales plans of this quarter and the next, active, with targets by
        agent and by destination: the coming departures get purchase
        suggestions from them."""
        self, company, today = self._demo_env()
        ref = self.env.ref
        agent = ref("sputnik_crm.user_agent_demo")
        agent2 = ref("sputnik_crm.user_agent2_demo")
        turkey = ref("sputnik_crm.sputnik_destination_tr_demo")
        egypt = ref("sputnik_crm.sputnik_destination_eg_demo")
        bulgaria = ref("sputnik_crm.sputnik_destination_bg_demo")
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        for quarter_start, scale in (
            (start, 1.0),
            (start + relativedelta(months=3), 1.5),
        ):
            quarter_end = quarter_start + relativedelta(months=3, days=-1)
            lines = [
                (agent, False, False, 8, 20, 700000.0, 140000.0, 3),
                (agent2, False, False, 6, 14, 500000.0, 100000.0, 2),
                (False, turkey, "beach", 10, 40, 1200000.0, 240000.0, 3),
                (False, egypt, "beach", 6, 24, 700000.0, 140000.0, 2),
                (False, bulgaria, False, 3, 12, 300000.0, 60000.0, 1),
            ]
            self.env["sputnik.sales.plan"].create(
                {
                    "name": f"Q{(quarter_start.month - 1) // 3 + 1} "
                    f"{quarter_start.year}",
                    "period_type": "quarter",
                    "date_from": quarter_start,
                    "date_to": quarter_end,
                    "company_id": company.id,
                    "state": "active",
                    "line_ids": [
                        Command.create(
                            {
                                "user_id": line[0].id if line[0] else False,
                                "destination_id": line[1].id if line[1] else False,
                                "tour_type": line[2],
                                "target_bookings": round(line[3] * scale),
                                "target_seats": round(line[4] * scale),
                                "target_revenue": line[5] * scale,
                                "target_margin": line[6] * scale,
                                "target_new_clients": round(line[7] * scale),
                            }
                        )
                        for line in lines
                    ],
                }
            )

    @api.model
    def _load_demo_purchase_plans(self):
        """A purchase plan of this quarter and the next, next to the sales
        plans: seats and budget by tour operator, for all destinations and
        broken down by country; the allotments of the Turkish departures of
        the sea operator billed, one seat refunded."""
        self, company, today = self._demo_env()
        ref = self.env.ref
        sea = ref("sputnik_crm.res_partner_op_sea_demo")
        sky = ref("sputnik_crm.res_partner_op_sky_demo")
        mountain = ref("sputnik_crm.res_partner_op_mountain_demo")
        turkey = ref("sputnik_crm.sputnik_destination_tr_demo")
        egypt = ref("sputnik_crm.sputnik_destination_eg_demo")
        bulgaria = ref("sputnik_crm.sputnik_destination_bg_demo")
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        end = start + relativedelta(months=6, days=-1)
        lines = [
            (sea, False, 70, 2100000.0),
            (sea, turkey, 50, 1600000.0),
            (sea, bulgaria, 20, 400000.0),
            (sky, False, 36, 900000.0),
            (sky, egypt, 24, 560000.0),
            (mountain, False, 20, 300000.0),
        ]
        self.env["sputnik.purchase.plan"].create(
            {
                "name": f"Allotments {start:%m.%Y}-{end:%m.%Y}",
                "period_type": "season",
                "date_from": start,
                "date_to": end,
                "company_id": company.id,
                "state": "active",
                "line_ids": [
                    Command.create(
                        {
                            "operator_id": operator.id,
                            "destination_id": destination and destination.id,
                            "planned_seats": seats,
                            "planned_budget": budget,
                        }
                    )
                    for operator, destination, seats, budget in lines
                ],
            }
        )
        departures = self.env["sputnik.departure"].search(
            [
                ("company_id", "=", company.id),
                (
                    "tour_id",
                    "=",
                    ref("sputnik_crm.product_template_tour_kemer_demo").id,
                ),
                ("date_start", ">=", start),
                ("date_start", "<=", end),
            ]
        )
        orders = (
            self.env["purchase.order.line"]
            .search(
                [
                    ("product_id", "in", departures.product_id.ids),
                    ("state", "in", ("purchase", "done")),
                ]
            )
            .order_id
        )
        orders.action_create_invoice()
        bills = orders.invoice_ids.filtered(lambda move: move.state == "draft")
        bills.write({"invoice_date": today - relativedelta(days=5)})
        bills.action_post()
        # one seat given back to the operator: its refund
        line = bills[:1].invoice_line_ids[:1]
        refund = self.env["account.move"].create(
            {
                "move_type": "in_refund",
                "partner_id": sea.id,
                "company_id": company.id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "quantity": 1,
                            "price_unit": line.price_unit,
                            "tax_ids": [Command.set(line.tax_ids.ids)],
                        }
                    )
                ],
            }
        )
        refund.action_post()
