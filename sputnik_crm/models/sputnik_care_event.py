import calendar
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

OCCASIONS = [
    ("birthday", "Birthday"),
    ("passport_expiring", "Passport Expiring"),
    ("passport_trip", "Passport Not Valid for a Trip"),
    ("documents_ready", "Documents Ready"),
    ("balance_due", "Balance Due"),
    ("trip_survey", "Satisfaction Survey"),
    ("unhappy_answer", "Unhappy Survey Answer"),
    ("dormant_reactivation", "Dormant Client"),
    ("next_trip_call", "Next Trip Call"),
]
CHANNELS = [
    ("email", "E-mail Sent"),
    ("activity", "Agent Asked to Tell the Client"),
    ("task", "Task for the Agent"),
    ("none", "No E-mail (No Consent)"),
]
# how far back a daily run catches up on what a missed run left
CATCH_UP_DAYS = 30
# a survey answer the agent calls back about: a detractor (NPS 0-6) or
# dissatisfied (CSAT 1-2)
UNHAPPY_DOMAIN = [
    "|",
    ("sputnik_nps_category", "=", "detractor"),
    "&",
    ("sputnik_csat", ">", 0),
    ("sputnik_csat", "<=", 2),
]


class Occasion(NamedTuple):
    """An occasion of client care. ``method(company, today, records=None)``
    returns the items due (``_care_item``); ``switch`` names the company
    setting that turns it on (none: always on). With a ``template`` the client
    is written to (``marketing``: only with their e-mail consent; otherwise,
    for a service message, their agent is asked to tell them); without one the
    occasion is a task for the agent (the item's ``activity``). ``summary``
    names the e-mail in the client's interactions."""

    method: str
    switch: str = ""
    template: str = ""
    marketing: bool = False
    summary: object = None
    stage: str = "service"
    layout: str = "mail.mail_notification_light"


# the occasions, in the order the daily run handles them
REGISTRY = {
    "birthday": Occasion(
        "_care_birthday",
        "sputnik_care_birthday",
        "mail_template_sputnik_birthday",
        marketing=True,
        summary=_lt("Birthday greetings sent"),
        layout="",
    ),
    "passport_expiring": Occasion(
        "_care_passport_expiring",
        "sputnik_care_passport",
        "mail_template_sputnik_passport_expiring",
        marketing=True,
        summary=_lt("Passport expiry reminder"),
    ),
    "passport_trip": Occasion(
        "_care_passport_trip",
        "sputnik_care_passport",
        "mail_template_sputnik_passport_trip",
        summary=_lt("Passport not valid for the trip"),
    ),
    "documents_ready": Occasion(
        "_care_documents_ready",
        "sputnik_care_departure",
        "mail_template_sputnik_documents_ready",
        summary=_lt("Travel documents ready"),
    ),
    "balance_due": Occasion(
        "_care_balance_due",
        "sputnik_care_departure",
        "mail_template_sputnik_balance_due",
        summary=_lt("Balance due reminder"),
    ),
    "trip_survey": Occasion(
        "_care_trip_survey",
        "sputnik_care_survey",
        "mail_template_sputnik_trip_survey",
        marketing=True,
        summary=_lt("Satisfaction survey sent"),
        stage="after_sale",
    ),
    "unhappy_answer": Occasion("_care_unhappy_answer"),
    "dormant_reactivation": Occasion(
        "_care_dormant_reactivation", "sputnik_care_reactivation"
    ),
    "next_trip_call": Occasion("_care_next_trip_call", "sputnik_next_trip_days"),
}


class SputnikCareEvent(models.Model):
    """One occasion of client care handled once: a message sent, or, without an
    e-mail address or consent, the agent asked to take care of it, or a task
    for the agent. The unique key makes every occasion happen at most once,
    even if two runs overlap: it is the one "do it once" of client care.

    The care engine: ``REGISTRY`` lists the occasions, each a method returning
    what is due; ``_cron_sputnik_care`` runs them all daily and
    ``_sputnik_care_run`` runs some for given records when an event calls for
    them (documents issued, a survey answered)."""

    _name = "sputnik.care.event"
    _inherit = ["sputnik.system.fields.mixin"]
    _description = "Client Care Occasion"
    _order = "date desc, id desc"
    _rec_name = "key"
    # an occasion is recorded by the care engine only (_claim)
    _sputnik_system_fields = (
        "key",
        "occasion",
        "channel",
        "date",
        "partner_id",
        "order_id",
        "document_id",
        "user_id",
        "company_id",
    )

    key = fields.Char(required=True, readonly=True, index=True)
    occasion = fields.Selection(OCCASIONS, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        "sale.order", string="Booking", readonly=True, ondelete="cascade"
    )
    document_id = fields.Many2one(
        "sputnik.travel.document",
        string="Travel Document",
        readonly=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        ("key_uniq", "UNIQUE(key)", "This client-care occasion is already handled."),
    ]

    # === ENGINE === #
    @api.model
    def _claim(self, occasions):
        """Record ``occasions`` (value dicts with a ``key``) and return the keys
        that were not recorded before: only those are to be handled now. One
        INSERT ... ON CONFLICT: a concurrent run claims each key at most once."""
        occasions = list({vals["key"]: vals for vals in occasions}.values())
        if not occasions:
            return set()
        columns = [
            "key",
            "occasion",
            "channel",
            "partner_id",
            "order_id",
            "document_id",
            "user_id",
            "company_id",
        ]
        now = fields.Datetime.now()
        rows = [
            SQL(
                "(%s, %s, %s, %s, %s, %s)",
                self.env.uid,
                now,
                self.env.uid,
                now,
                now,
                SQL(", ").join(
                    SQL("%s", vals.get(column) or None) for column in columns
                ),
            )
            for vals in occasions
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sputnik_care_event (create_uid, create_date, write_uid,
                       write_date, date, %s)
                VALUES %s
                    ON CONFLICT (key) DO NOTHING
             RETURNING key
                """,
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(rows),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _cron_sputnik_care(self):
        """Daily: every occasion of client care whose day has come, each once."""
        return self._sputnik_care_run()

    @api.model
    def _sputnik_care_run(self, names=None, records=None):
        """Handle the occasions ``names`` (all by default) for every company
        that has them on in its Settings; with ``records``, only for those
        (the documents of these bookings, these survey answers). Returns the
        keys handled, by occasion."""
        today = fields.Date.context_today(self)
        # sudo: private, reached from the daily cron or from an event whose
        # caller's rights were checked (documents issued on bookings the user
        # may write, a survey answered): the care log, its messages and the
        # agents' activities are the system's, over every client of a company
        care = self.sudo()
        if records is not None:
            records = records.with_env(care.env)
        handled = {}
        for company in care.env["res.company"].search([]):
            company_care = care.with_company(company)
            for name in names or REGISTRY:
                occasion = REGISTRY[name]
                if occasion.switch and not company[occasion.switch]:
                    continue
                items = getattr(company_care, occasion.method)(company, today, records)
                handled.setdefault(name, []).extend(
                    company_care._care_handle(company, name, items)
                )
        return handled

    def _care_template(self, xmlid):
        return self.env.ref(f"sputnik_crm.{xmlid}", raise_if_not_found=False)

    @api.model
    def _can_email(self, partner, marketing=False):
        """Whether ``partner`` may receive this e-mail: an address not on the
        blacklist, and for messages the client did not ask for (``marketing``)
        their e-mail consent."""
        if not partner.email or partner.is_blacklisted:
            return False
        return not marketing or partner.commercial_partner_id.sputnik_consent_email

    def _care_item(self, key, client, agent, **values):
        """What an occasion returns for each thing due: its ``key`` (claimed
        once), the ``client`` and their ``agent``, and as the occasion needs:
        the ``order`` and ``document`` concerned, the ``recipient`` written to
        and the ``record`` the template renders (or a function making it once
        claimed), the agent's ``activity`` (values of ``_care_schedule``) and
        ``client_vals`` written on the client once handled."""
        return {
            "key": key,
            "client": client,
            "agent": agent,
            "order": self.env["sale.order"],
            "document": self.env["sputnik.travel.document"],
            "recipient": False,
            "record": False,
            "activity": False,
            "client_vals": False,
            **values,
        }

    def _care_client_domain(self, company, path=""):
        """The clients cared for under ``company``'s Settings (``path`` leads
        to the client): the company's own, and those shared by all companies
        whose agent works for it (or who have no agent)."""
        return [
            "|",
            (f"{path}company_id", "=", company.id),
            "&",
            (f"{path}company_id", "=", False),
            "|",
            (f"{path}user_id", "=", False),
            (f"{path}user_id.company_id", "=", company.id),
        ]

    def _care_handle(self, company, name, items):
        """Claim and handle the ``items`` due for the occasion ``name``. Those
        that may be e-mailed get the template and an interaction; for the others
        the agent is asked to tell the client (service messages), or nothing
        happens yet (a message the client did not ask for, without their
        consent: it goes once they give it). The item's own activity, if any,
        is scheduled in every case."""
        occasion = REGISTRY[name]
        template = occasion.template and self._care_template(occasion.template)
        items = {item["key"]: item for item in items}
        claims = []
        for item in items.values():
            if template and item["recipient"]:
                can_email = self._can_email(item["recipient"], occasion.marketing)
            else:
                can_email = False
            if can_email:
                item["channel"] = "email"
            elif not occasion.template:
                item["channel"] = "task"
            elif occasion.marketing:
                if not item["activity"]:
                    continue  # no consent: nothing to do, until the client gives it
                item["channel"] = "none"
            else:
                item["channel"] = "activity"
                item["activity"] = self._care_tell_client(item, occasion)
            claims.append(
                {
                    "key": item["key"],
                    "occasion": name,
                    "channel": item["channel"],
                    "partner_id": item["client"].id,
                    "order_id": item["order"].id,
                    "document_id": item["document"].id,
                    "user_id": item["agent"].id,
                    "company_id": company.id,
                }
            )
        claimed = sorted(self._claim(claims))
        for key in claimed:
            item = items[key]
            if item["activity"]:
                self._care_schedule(item)
            if item["channel"] == "email":
                self._care_send(company, item, occasion, template)
            if item["client_vals"]:
                item["client"].write(item["client_vals"])
        return claimed

    def _care_send(self, company, item, occasion, template):
        record = item["record"]
        if callable(record):
            record = record()
        template.send_mail(record.id, email_layout_xmlid=occasion.layout or False)
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"care:{item['key']}",
                    "name": self.env._(occasion.summary),
                    "interaction_type": "email",
                    "direction": "outbound",
                    "partner_id": item["client"].id,
                    "user_id": item["agent"].id,
                    "order_id": item["order"].id,
                    "company_id": company.id,
                    "stage": occasion.stage,
                }
            ]
        )

    def _care_tell_client(self, item, occasion):
        return {
            "summary": self.env._(
                "Tell the client: %(what)s",
                what=self.env._(occasion.summary),
            ),
            "note": self.env._(
                "%(client)s has no e-mail address the bureau may write to: "
                "tell them by phone or messenger.",
                client=item["recipient"].display_name,
            ),
        }

    def _care_schedule(self, item):
        """The agent's activity of ``item``: ``summary`` and ``note``, its
        ``type`` (a to-do by default), ``deadline`` (today by default), on the
        ``target`` record (the booking, else the client); ``quiet``: no
        "assigned to you" e-mail (the agent's activities show it)."""
        activity = item["activity"]
        activity_type = self.env.ref(
            activity.get("type", "mail.mail_activity_data_todo"),
            raise_if_not_found=False,
        )
        target = activity.get("target") or item["order"] or item["client"]
        target.with_context(
            mail_activity_quick_update=activity.get("quiet", False)
        ).activity_schedule(
            activity_type_id=activity_type.id if activity_type else False,
            summary=activity["summary"],
            note=activity.get("note", ""),
            user_id=item["agent"].id or self.env.uid,
            date_deadline=activity.get("deadline") or fields.Date.context_today(self),
        )

    # === OCCASIONS === #
    def _care_birthday(self, company, today, records=None):
        """Clients born on this day (on the 28th of February in other years for
        those born on the 29th): greeted once a year, with their consent."""
        days = [(today.month, today.day)]
        if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
            days.append((2, 29))
        # the day and month matched in SQL, not by loading every client
        self.env["res.partner"].flush_model(["sputnik_birthdate"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM res_partner
                 WHERE (EXTRACT(MONTH FROM sputnik_birthdate)::int,
                        EXTRACT(DAY FROM sputnik_birthdate)::int) IN %s
                """,
                tuple(days),
            )
        )
        clients = (
            self.env["res.partner"]
            .browse([row[0] for row in self.env.cr.fetchall()])
            .filtered_domain(
                [
                    ("active", "=", True),
                    ("sputnik_consent_email", "=", True),
                    ("email", "!=", False),
                    *self._care_client_domain(company),
                ]
            )
        )
        return [
            self._care_item(
                f"birthday:{client.id}:{today.year}",
                client,
                client.user_id,
                recipient=client,
                record=client,
                client_vals={"sputnik_birthday_year": today.year},
            )
            for client in clients
        ]

    def _care_passport_expiring(self, company, today, records=None):
        """Foreign passports expiring within the days of the Settings: their
        holders are told once per expiry date (e-mail consent required)."""
        limit = today + relativedelta(days=company.sputnik_care_passport_days)
        documents = self.env["sputnik.travel.document"].search(
            [
                ("document_type", "=", "foreign_passport"),
                ("expiry_date", ">=", today),
                ("expiry_date", "<=", limit),
                ("partner_id.active", "=", True),
                *self._care_client_domain(company, "partner_id."),
            ]
        )
        return [
            self._care_item(
                f"passport_expiring:{document.id}:{document.expiry_date}",
                document.partner_id.commercial_partner_id,
                document.partner_id.commercial_partner_id.user_id,
                document=document,
                recipient=document.partner_id,
                record=document,
            )
            for document in documents
        ]

    def _care_upcoming_bookings(self, company, today, domain):
        return self.env["sale.order"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("sputnik_is_booking", "=", True),
                ("sputnik_date_start", ">", today),
                *domain,
            ]
        )

    def _care_booking_item(self, key, order, **values):
        return self._care_item(
            key,
            order.partner_id.commercial_partner_id,
            order.user_id,
            **{
                "order": order,
                "recipient": order.partner_id,
                "record": order,
                **values,
            },
        )

    def _care_passport_trip(self, company, today, records=None):
        """Upcoming bookings with a traveller whose passport will not be valid
        the required months after the return (a manager let the booking through,
        or a document changed since): the customer is told once per set of
        travellers concerned (a service message: no marketing consent needed)."""
        orders = self._care_upcoming_bookings(company, today, [])
        documents = orders._sputnik_travel_documents()
        return [
            self._care_booking_item(
                f"passport_trip:{order.id}:{order.sputnik_date_end}", order
            )
            for order in orders
            if order._sputnik_passport_problems(documents)
        ]

    def _care_documents_ready(self, company, today, records=None):
        """Bookings whose travel documents are issued (``records``: those just
        issued): the customer is told once."""
        if records is None:
            orders = self._care_upcoming_bookings(
                company, today, [("sputnik_documents_issued", "=", True)]
            )
        else:
            orders = records.filtered_domain(
                [
                    ("company_id", "=", company.id),
                    ("sputnik_is_booking", "=", True),
                    "|",
                    ("sputnik_date_start", "=", False),
                    ("sputnik_date_start", ">", today),
                ]
            )
        return [
            self._care_booking_item(f"documents_ready:{order.id}", order)
            for order in orders
        ]

    def _care_balance_due(self, company, today, records=None):
        """Bookings whose balance falls due within the days of the Settings and
        is not paid: the customer is reminded once per due date."""
        limit = today + relativedelta(days=company.sputnik_care_balance_days)
        orders = self._care_upcoming_bookings(
            company,
            today,
            [
                ("sputnik_balance_due_date", ">=", today),
                ("sputnik_balance_due_date", "<=", limit),
            ],
        )
        return [
            self._care_booking_item(
                f"balance_due:{order.id}:{order.sputnik_balance_due_date}", order
            )
            for order in orders
            if order.currency_id.compare_amounts(order.sputnik_amount_to_pay, 0) > 0
        ]

    def _care_trip_survey(self, company, today, records=None):
        """Bookings whose travellers came back the days of the Settings ago (or
        earlier, within a month, if a run was missed): the customer is invited
        to the satisfaction survey (e-mail consent required) and the agent gets
        a follow-up call, once per booking."""
        survey = company._sputnik_care_survey()
        days = company.sputnik_care_survey_days
        orders = self.env["sale.order"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("sputnik_is_booking", "=", True),
                ("sputnik_date_end", "<=", today - relativedelta(days=days)),
                (
                    "sputnik_date_end",
                    ">",
                    today - relativedelta(days=days + CATCH_UP_DAYS),
                ),
            ]
        )
        return [
            self._care_booking_item(
                f"trip_survey:{order.id}",
                order,
                recipient=survey and order.partner_id,
                record=lambda order=order: survey._create_answer(
                    partner=order.partner_id,
                    check_attempts=False,
                    sputnik_order_id=order.id,
                ),
                activity={
                    "type": "mail.mail_activity_data_call",
                    "summary": self.env._("Ask how the trip went"),
                    "note": self.env._(
                        "The travellers of %(booking)s came back on %(date)s: call "
                        "the client, thank them and offer the next trip.",
                        booking=order.name,
                        date=order.sputnik_date_end,
                    ),
                },
            )
            for order in orders
        ]

    def _care_unhappy_answer(self, company, today, records=None):
        """Survey answers of unhappy clients (``records``: those just answered;
        else the answers of the last month not handled yet): their agent calls
        them back."""
        if records is None:
            since = fields.Datetime.to_datetime(
                today - relativedelta(days=CATCH_UP_DAYS)
            )
            records = self.env["survey.user_input"].search(
                [("state", "=", "done"), ("end_datetime", ">=", since)]
            )
        answers = records.filtered_domain(
            [
                ("partner_id", "!=", False),
                *UNHAPPY_DOMAIN,
                "|",
                ("sputnik_order_id.company_id", "=", company.id),
                "&",
                ("sputnik_order_id", "=", False),
                *self._care_client_domain(company, "partner_id.commercial_partner_id."),
            ]
        )
        items = []
        for answer in answers:
            client = answer.partner_id.commercial_partner_id
            order = answer.sputnik_order_id
            nps = answer.sputnik_nps if answer.sputnik_nps_category else "-"
            items.append(
                self._care_item(
                    f"unhappy_answer:{answer.id}",
                    client,
                    order.user_id or client.user_id or self.env.user,
                    order=order,
                    activity={
                        "type": "mail.mail_activity_data_call",
                        "summary": self.env._("Unhappy client: call them back"),
                        "note": self.env._(
                            "%(client)s answered the survey with CSAT %(csat)s and "
                            "NPS %(nps)s.",
                            client=client.display_name,
                            csat=answer.sputnik_csat or "-",
                            nps=nps,
                        ),
                    },
                )
            )
        return items

    def _care_dormant_reactivation(self, company, today, records=None):
        """Clients whose status turned dormant (as the classification recorded
        in their history, within the last month): their agent gets an activity
        to bring them back, once per change."""
        since = fields.Datetime.to_datetime(today - relativedelta(days=CATCH_UP_DAYS))
        changes = self.env["sputnik.client.class.history"].search(
            [
                ("lifecycle_new", "=", "dormant"),
                ("lifecycle_old", "!=", False),
                ("lifecycle_old", "!=", "dormant"),
                ("date", ">=", since),
                *self._care_client_domain(company, "partner_id."),
            ]
        )
        return [
            self._care_item(
                f"dormant_reactivation:{change.id}",
                change.partner_id,
                change.partner_id.user_id,
                activity={
                    "summary": self.env._("Bring back a dormant client"),
                    "note": self.env._(
                        "No trip since %(date)s: offer them something new.",
                        date=change.partner_id.sputnik_last_return_date,
                    ),
                    "quiet": True,
                },
            )
            for change in changes
        ]

    def _care_next_trip_call(self, company, today, records=None):
        """Clients whose expected next trip, not booked, falls within the days
        of the Settings: a call with their agent ahead of it, once per expected
        trip."""
        days = company.sputnik_next_trip_days
        clients = self.env["res.partner"].search(
            [
                ("sputnik_next_trip_booked", "=", False),
                ("sputnik_next_trip_date", ">=", today),
                ("sputnik_next_trip_date", "<=", today + relativedelta(days=days)),
                *self._care_client_domain(company),
            ]
        )
        return [
            self._care_item(
                f"next_trip_call:{client.id}:{client.sputnik_next_trip_date}",
                client,
                client.user_id,
                activity={
                    "type": "mail.mail_activity_data_call",
                    "summary": self.env._(
                        "Offer the next trip (expected around %(date)s)",
                        date=client.sputnik_next_trip_date,
                    ),
                    "deadline": max(
                        today,
                        client.sputnik_next_trip_date - relativedelta(days=days),
                    ),
                    "target": client,
                    "quiet": True,
                },
                client_vals={
                    "sputnik_next_trip_call_date": client.sputnik_next_trip_date
                },
            )
            for client in clients
        ]
