import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OCCASIONS = [
    ("passport_expiring", "Passport Expiring"),
    ("passport_trip", "Passport Not Valid for a Trip"),
    ("documents_ready", "Documents Ready"),
    ("balance_due", "Balance Due"),
    ("trip_survey", "Satisfaction Survey"),
]
CHANNELS = [
    ("email", "E-mail Sent"),
    ("activity", "Agent Asked to Tell the Client"),
    ("none", "No E-mail (No Consent)"),
]


class SputnikCareEvent(models.Model):
    """One occasion of client care handled once: a message sent, or, without an
    e-mail address or consent, the agent asked to take care of it. The unique
    key makes every occasion happen at most once, even if two runs overlap."""

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
        """Daily: every client-care message whose day has come, each once."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            # sudo: run by ir.cron (private): the care log and its messages are
            # the system's, over every client of the company
            care = self.with_company(company).sudo()
            if company.sputnik_care_passport:
                care._care_passport_expiring(company, today)
                care._care_passport_trip(company, today)
            if company.sputnik_care_departure:
                care._care_documents_ready(company, today)
                care._care_balance_due(company, today)
            if company.sputnik_care_survey:
                care._care_trip_survey(company, today)

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

    def _care_handle(self, company, occasion, items, template, marketing, summary):
        """Claim and handle ``items``: (key, record to render, partner to write to,
        client, agent, booking, document). Those that may be e-mailed get the
        template and an interaction; for the others the agent gets an activity
        (service messages), or nothing happens yet (a message the client did not
        ask for, without their consent: it goes once they give it)."""
        handled = []
        items = {item[0]: item for item in items}
        claims = []
        for key, _record, recipient, client, agent, order, document in items.values():
            can_email = template and self._can_email(recipient, marketing)
            if marketing and not can_email:
                continue  # no consent: nothing to do, until the client gives it
            channel = "email" if can_email else "activity"
            claims.append(
                {
                    "key": key,
                    "occasion": occasion,
                    "channel": channel,
                    "partner_id": client.id,
                    "order_id": order.id,
                    "document_id": document.id,
                    "user_id": agent.id,
                    "company_id": company.id,
                }
            )
        claimed = self._claim(claims)
        channels = {vals["key"]: vals["channel"] for vals in claims}
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for key in sorted(claimed):
            _key, record, recipient, client, agent, order, document = items[key]
            if channels[key] == "email":
                template.send_mail(
                    record.id, email_layout_xmlid="mail.mail_notification_light"
                )
                self.env["sputnik.interaction"]._capture(
                    [
                        {
                            "event_key": f"care:{key}",
                            "name": summary,
                            "interaction_type": "email",
                            "direction": "outbound",
                            "partner_id": client.id,
                            "user_id": agent.id,
                            "order_id": order.id,
                            "company_id": company.id,
                            "stage": "service",
                        }
                    ]
                )
            elif channels[key] == "activity":
                target = order or client
                target.activity_schedule(
                    activity_type_id=todo.id if todo else False,
                    summary=self.env._("Tell the client: %(what)s", what=summary),
                    note=self.env._(
                        "%(client)s has no e-mail address the bureau may write to: "
                        "tell them by phone or messenger.",
                        client=recipient.display_name,
                    ),
                    user_id=agent.id or self.env.uid,
                    date_deadline=fields.Date.context_today(self),
                )
            handled.append(key)
        return handled

    # === OCCASIONS === #
    def _care_passport_expiring(self, company, today):
        """Foreign passports expiring within the days of the Settings: their
        holders are told once per expiry date (e-mail consent required)."""
        limit = today + relativedelta(days=company.sputnik_care_passport_days)
        documents = self.env["sputnik.travel.document"].search(
            [
                ("document_type", "=", "foreign_passport"),
                ("expiry_date", ">=", today),
                ("expiry_date", "<=", limit),
                ("partner_id.active", "=", True),
                "|",
                ("partner_id.company_id", "=", False),
                ("partner_id.company_id", "=", company.id),
            ]
        )
        items = [
            (
                f"passport_expiring:{document.id}:{document.expiry_date}",
                document,
                document.partner_id,
                document.partner_id.commercial_partner_id,
                document.partner_id.commercial_partner_id.user_id,
                self.env["sale.order"],
                document,
            )
            for document in documents
        ]
        return self._care_handle(
            company,
            "passport_expiring",
            items,
            self._care_template("mail_template_sputnik_passport_expiring"),
            True,
            self.env._("Passport expiry reminder"),
        )

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

    def _booking_item(self, key, order, document=None):
        return (
            key,
            order,
            order.partner_id,
            order.partner_id.commercial_partner_id,
            order.user_id,
            order,
            document or self.env["sputnik.travel.document"],
        )

    def _care_passport_trip(self, company, today):
        """Upcoming bookings with a traveller whose passport will not be valid
        the required months after the return (a manager let the booking through,
        or a document changed since): the customer is told once per set of
        travellers concerned (a service message: no marketing consent needed)."""
        orders = self._care_upcoming_bookings(company, today, [])
        documents = orders._sputnik_travel_documents()
        items = []
        for order in orders:
            if order._sputnik_passport_problems(documents):
                items.append(
                    self._booking_item(
                        f"passport_trip:{order.id}:{order.sputnik_date_end}", order
                    )
                )
        return self._care_handle(
            company,
            "passport_trip",
            items,
            self._care_template("mail_template_sputnik_passport_trip"),
            False,
            self.env._("Passport not valid for the trip"),
        )

    def _care_documents_ready(self, company, today, orders=None):
        """Bookings whose travel documents are issued: the customer is told once."""
        if orders is None:
            orders = self._care_upcoming_bookings(
                company, today, [("sputnik_documents_issued", "=", True)]
            )
        items = [
            self._booking_item(f"documents_ready:{order.id}", order) for order in orders
        ]
        return self._care_handle(
            company,
            "documents_ready",
            items,
            self._care_template("mail_template_sputnik_documents_ready"),
            False,
            self.env._("Travel documents ready"),
        )

    def _care_balance_due(self, company, today):
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
        items = [
            self._booking_item(
                f"balance_due:{order.id}:{order.sputnik_balance_due_date}", order
            )
            for order in orders
            if order.currency_id.compare_amounts(order.sputnik_amount_to_pay, 0) > 0
        ]
        return self._care_handle(
            company,
            "balance_due",
            items,
            self._care_template("mail_template_sputnik_balance_due"),
            False,
            self.env._("Balance due reminder"),
        )

    def _care_trip_survey(self, company, today):
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
                ("sputnik_date_end", ">", today - relativedelta(days=days + 30)),
            ]
        )
        claims = []
        for order in orders:
            customer = order.partner_id
            send = bool(survey) and self._can_email(customer, marketing=True)
            claims.append(
                {
                    "key": f"trip_survey:{order.id}",
                    "occasion": "trip_survey",
                    "channel": "email" if send else "none",
                    "partner_id": customer.commercial_partner_id.id,
                    "order_id": order.id,
                    "user_id": order.user_id.id,
                    "company_id": company.id,
                }
            )
        claimed = self._claim(claims)
        template = self._care_template("mail_template_sputnik_trip_survey")
        call = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        for vals in claims:
            if vals["key"] not in claimed:
                continue
            order = self.env["sale.order"].browse(vals["order_id"])
            order.activity_schedule(
                activity_type_id=call.id if call else False,
                summary=self.env._("Ask how the trip went"),
                note=self.env._(
                    "The travellers of %(booking)s came back on %(date)s: call the "
                    "client, thank them and offer the next trip.",
                    booking=order.name,
                    date=order.sputnik_date_end,
                ),
                user_id=order.user_id.id or self.env.uid,
                date_deadline=today,
            )
            if vals["channel"] != "email" or not template:
                continue
            answer = survey._create_answer(
                partner=order.partner_id,
                check_attempts=False,
                sputnik_order_id=order.id,
            )
            template.send_mail(
                answer.id, email_layout_xmlid="mail.mail_notification_light"
            )
            self.env["sputnik.interaction"]._capture(
                [
                    {
                        "event_key": f"care:{vals['key']}",
                        "name": self.env._("Satisfaction survey sent"),
                        "interaction_type": "email",
                        "direction": "outbound",
                        "partner_id": vals["partner_id"],
                        "user_id": order.user_id.id,
                        "order_id": order.id,
                        "company_id": company.id,
                        "stage": "after_sale",
                    }
                ]
            )
        return sorted(claimed)
