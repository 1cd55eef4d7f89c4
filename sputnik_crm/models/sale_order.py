from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

BOOKING_STATUS = [
    ("quotation", "Quotation"),
    ("confirmed", "Confirmed"),
    ("paid", "Paid"),
    ("documents", "Documents Issued"),
    ("travelling", "Travelling"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
]
PAYMENT_STATUS = [
    ("none", "Nothing Due"),
    ("due", "Due"),
    ("overdue", "Overdue"),
    ("paid", "Paid"),
]
OVERRIDE_FIELDS = {"sputnik_passport_override_reason", "sputnik_passport_override_uid"}
# the orders that Odoo's confirmation is confirming in this transaction
CONFIRMING = "sputnik_confirming_order_ids"
# the balance is invoiced this many days before it falls due (by the daily
# cron; at the confirmation of a booking made that late)
BALANCE_INVOICE_DAYS = 7


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sputnik.system.fields.mixin"]
    # the override of the passport rule is given through its wizard, by a
    # manager, who is recorded; the dates and the client are stored computes
    _sputnik_system_fields = (
        *sorted(OVERRIDE_FIELDS),
        "sputnik_invoicing_pending",
    )
    # the booking status belongs with the booking's own integrity rules

    sputnik_client_id = fields.Many2one(
        "res.partner",
        string="Client",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        help="The commercial entity of the customer: the person, or the company "
        "of a contact, whose trips the booking counts in the classification.",
    )
    sputnik_is_booking = fields.Boolean(
        string="Is a Booking",
        compute="_compute_sputnik_dates",
        store=True,
        help="The order books seats of at least one departure.",
    )
    sputnik_traveller_ids = fields.Many2many(
        "res.partner",
        "sale_order_sputnik_traveller_rel",
        "order_id",
        "partner_id",
        string="Travellers",
        help="Who travels: one traveller per seat booked on each departure. The "
        "customer who pays may or may not travel.",
    )
    sputnik_traveller_count = fields.Integer(
        string="Travellers Count", compute="_compute_sputnik_traveller_count"
    )
    sputnik_operator_ref = fields.Char(
        string="Operator Reference",
        copy=False,
        tracking=True,
        help="The tour operator's reference of this booking.",
    )
    sputnik_date_start = fields.Date(
        string="Departure Date", compute="_compute_sputnik_dates", store=True
    )
    sputnik_date_end = fields.Date(
        string="Return Date", compute="_compute_sputnik_dates", store=True
    )
    sputnik_tour_id = fields.Many2one(
        "product.template",
        string="Tour",
        compute="_compute_sputnik_tour_id",
        store=True,
        index="btree_not_null",
        help="The tour of the booking's first departure.",
    )
    sputnik_documents_issued = fields.Boolean(
        string="Documents Issued", copy=False, tracking=True
    )
    sputnik_status = fields.Selection(
        BOOKING_STATUS,
        string="Booking Status",
        compute="_compute_sputnik_status",
        store=True,
        index=True,
    )
    sputnik_balance_due_date = fields.Date(
        string="Balance Due",
        compute="_compute_sputnik_dates",
        store=True,
        help="The balance is due this many days before departure (Settings).",
    )
    sputnik_payment_status = fields.Selection(
        PAYMENT_STATUS,
        string="Payment Status",
        compute="_compute_sputnik_payment_status",
        search="_search_sputnik_payment_status",
    )
    sputnik_amount_overdue = fields.Monetary(
        string="Amount Overdue", compute="_compute_sputnik_payment_status"
    )
    sputnik_amount_to_pay = fields.Monetary(
        string="Left to Pay",
        compute="_compute_sputnik_amount_to_pay",
        help="What the client still owes on the booking: its total less what "
        "was paid on its invoices (net of the credit notes).",
    )
    sputnik_amount_paid = fields.Monetary(
        string="Paid So Far",
        compute="_compute_sputnik_amount_to_pay",
        help="What the client paid on the booking's invoices, net of the credit "
        "notes.",
    )
    # === PAYMENT SCHEDULE (see _sputnik_payment_schedule) === #
    sputnik_deposit_amount = fields.Monetary(
        string="Deposit",
        compute="_compute_sputnik_schedule",
        help="The deposit: invoiced at confirmation, the company's percentage of "
        "the total (Settings); nothing when the whole price is invoiced at once.",
    )
    sputnik_deposit_date = fields.Date(
        string="Deposit Due", compute="_compute_sputnik_schedule"
    )
    sputnik_deposit_invoiced = fields.Boolean(
        string="Deposit Invoiced", compute="_compute_sputnik_schedule"
    )
    sputnik_deposit_paid = fields.Monetary(
        string="Deposit Paid", compute="_compute_sputnik_schedule"
    )
    sputnik_balance_amount = fields.Monetary(
        string="Balance Payment", compute="_compute_sputnik_schedule"
    )
    sputnik_invoicing_pending = fields.Boolean(
        string="Invoice Being Issued",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The booking is confirmed and its first invoice (the deposit, or "
        "the whole price inside the balance window) is being issued, right "
        "after the confirmation (see sputnik.booking.invoicing).",
    )
    sputnik_balance_invoiced = fields.Boolean(
        string="Balance Invoiced", compute="_compute_sputnik_schedule"
    )
    sputnik_balance_paid = fields.Monetary(
        string="Balance Paid", compute="_compute_sputnik_schedule"
    )
    sputnik_survey_answer_ids = fields.One2many(
        "survey.user_input",
        "sputnik_order_id",
        string="Satisfaction Surveys",
        groups="sputnik_crm.group_sputnik_user",
    )
    sputnik_passport_issues = fields.Text(
        string="Passport Issues", compute="_compute_sputnik_passport_issues"
    )
    sputnik_passport_valid_until = fields.Date(
        string="Passports Valid Until",
        compute="_compute_sputnik_passport_valid_until",
        help="A trip abroad asks every traveller for a foreign passport valid "
        "until this date: its return date and the months of the passport rule "
        "(Settings).",
    )
    sputnik_passport_override_reason = fields.Text(
        string="Passport Override Reason", copy=False, tracking=True, readonly=True
    )
    sputnik_passport_override_uid = fields.Many2one(
        "res.users", string="Passport Override By", copy=False, readonly=True
    )

    def _auto_init(self):
        # on an existing base, fill the client of every order in one statement
        # rather than through the ORM
        if not column_exists(self.env.cr, "sale_order", "sputnik_client_id"):
            create_column(self.env.cr, "sale_order", "sputnik_client_id", "int4")
            self.env.cr.execute(
                """
                UPDATE sale_order so
                   SET sputnik_client_id = p.commercial_partner_id
                  FROM res_partner p
                 WHERE p.id = so.partner_id
                """
            )
        return super()._auto_init()

    def init(self):
        res = super().init()
        # the trips of the clients, read from the index alone by the client
        # base figures of a period (KPI dashboard) in the order of the clients
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS sale_order_sputnik_trip_index
                    ON sale_order (company_id, sputnik_client_id)
                    INCLUDE (date_order, sputnik_date_start, sputnik_date_end)
                 WHERE state = 'sale' AND sputnik_is_booking
                """
            )
        )
        return res

    # === COMPUTES === #
    @api.depends(
        "order_line.sputnik_departure_id.date_start",
        "order_line.sputnik_departure_id.date_end",
        "company_id.sputnik_balance_days",
        "date_order",
    )
    def _compute_sputnik_dates(self):
        for order in self:
            departures = order.order_line.sputnik_departure_id
            order.sputnik_is_booking = bool(departures)
            order.sputnik_date_start = min(
                departures.mapped("date_start"), default=False
            )
            order.sputnik_date_end = max(departures.mapped("date_end"), default=False)
            # a booking made inside the balance window owes its balance at
            # once: due on the day it is confirmed, never before
            order.sputnik_balance_due_date = order.sputnik_date_start and max(
                order.sputnik_date_start
                - relativedelta(days=order.company_id.sputnik_balance_days),
                fields.Date.context_today(order, order.date_order)
                if order.date_order
                else order.sputnik_date_start,
            )

    @api.depends("order_line.sputnik_departure_id.tour_id")
    def _compute_sputnik_tour_id(self):
        for order in self:
            departures = order.order_line.sputnik_departure_id.sorted(
                lambda d: (d.date_start, d.id)
            )
            order.sputnik_tour_id = departures[:1].tour_id

    @api.depends("sputnik_traveller_ids")
    def _compute_sputnik_traveller_count(self):
        for order in self:
            order.sputnik_traveller_count = len(order.sputnik_traveller_ids)

    @api.depends(
        "state",
        "sputnik_is_booking",
        "sputnik_documents_issued",
        "sputnik_date_start",
        "sputnik_date_end",
        "invoice_status",
        # the invoices of invoice_ids, through the path the ORM can follow
        # back from an invoice (invoice_ids has no inverse: its every change
        # of state would search the orders)
        "order_line.invoice_lines.move_id.payment_state",
        "order_line.invoice_lines.move_id.state",
    )
    def _compute_sputnik_status(self):
        today = fields.Date.context_today(self)
        for order in self:
            if not order.sputnik_is_booking:
                order.sputnik_status = False
            elif order.state == "cancel":
                order.sputnik_status = "cancelled"
            elif order.state != "sale":
                order.sputnik_status = "quotation"
            elif order.sputnik_date_end and order.sputnik_date_end < today:
                order.sputnik_status = "completed"
            elif order.sputnik_date_start and order.sputnik_date_start <= today:
                order.sputnik_status = "travelling"
            elif order.sputnik_documents_issued:
                order.sputnik_status = "documents"
            elif order._sputnik_is_paid():
                order.sputnik_status = "paid"
            else:
                order.sputnik_status = "confirmed"

    def _sputnik_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )

    def _sputnik_is_paid(self):
        self.ensure_one()
        if self.invoice_status != "invoiced":
            # not all invoiced (as at its confirmation): its invoices unread
            return False
        invoices = self._sputnik_invoices()
        return bool(invoices) and all(
            m.payment_state in ("paid", "in_payment") for m in invoices
        )

    @api.depends(
        "state",
        "invoice_ids.amount_residual",
        "invoice_ids.invoice_date_due",
        "sputnik_balance_due_date",
        "invoice_status",
    )
    def _compute_sputnik_payment_status(self):
        today = fields.Date.context_today(self)
        for order in self:
            invoices = order._sputnik_invoices()
            overdue = invoices.filtered(
                lambda m, t=today: m.amount_residual and m.invoice_date_due < t
            )
            order.sputnik_amount_overdue = sum(overdue.mapped("amount_residual"))
            uninvoiced_late = (
                order.invoice_status == "to invoice"
                and order.sputnik_balance_due_date
                and order.sputnik_balance_due_date < today
            )
            if order.state != "sale" or not order.sputnik_is_booking:
                order.sputnik_payment_status = "none"
            elif overdue or uninvoiced_late:
                order.sputnik_payment_status = "overdue"
            elif order._sputnik_is_paid():
                order.sputnik_payment_status = "paid"
            else:
                order.sputnik_payment_status = "due"

    @api.depends("amount_total", "invoice_ids.amount_residual", "invoice_ids.state")
    def _compute_sputnik_amount_to_pay(self):
        # the invoices of all the orders are prefetched together by the ORM
        for order in self:
            paid = order._sputnik_amount_paid()
            order.sputnik_amount_paid = paid
            order.sputnik_amount_to_pay = max(order.amount_total - paid, 0.0)

    @api.depends(
        "state",
        "amount_total",
        "date_order",
        "company_id.sputnik_deposit_percent",
        "sputnik_balance_due_date",
        "sputnik_invoicing_pending",
        "invoice_ids.state",
        "invoice_ids.amount_total",
        "invoice_ids.amount_residual",
        "invoice_ids.invoice_date_due",
        "invoice_ids.payment_state",
    )
    def _compute_sputnik_schedule(self):
        schedules = self._sputnik_payment_schedule()
        for order in self:
            rows = {row["kind"]: row for row in schedules.get(order.id, [])}
            deposit = rows.get("deposit", {})
            balance = rows.get("balance") or rows.get("full", {})
            order.sputnik_deposit_amount = deposit.get("amount", 0.0)
            order.sputnik_deposit_date = deposit.get("date_due", False)
            order.sputnik_deposit_invoiced = deposit.get("invoiced", False)
            order.sputnik_deposit_paid = deposit.get("paid", 0.0)
            order.sputnik_balance_amount = balance.get("amount", 0.0)
            order.sputnik_balance_invoiced = balance.get("invoiced", False)
            order.sputnik_balance_paid = balance.get("paid", 0.0)

    def _search_sputnik_payment_status(self, operator, value):
        if operator not in ("=", "!=") or value != "overdue":
            raise UserError(
                self.env._("The payment status can only be searched for overdue.")
            )
        today = fields.Date.context_today(self)
        domain = [
            ("state", "=", "sale"),
            ("sputnik_is_booking", "=", True),
            "|",
            (
                "invoice_ids",
                "any",
                [
                    ("state", "=", "posted"),
                    ("move_type", "=", "out_invoice"),
                    ("amount_residual", ">", 0),
                    ("invoice_date_due", "<", today),
                ],
            ),
            "&",
            ("invoice_status", "=", "to invoice"),
            ("sputnik_balance_due_date", "<", today),
        ]
        return (
            domain if operator == "=" else ["!", *expression.normalize_domain(domain)]
        )

    @api.depends(
        "sputnik_traveller_ids",
        "order_line.sputnik_departure_id",
        "company_id.sputnik_passport_months",
    )
    def _compute_sputnik_passport_issues(self):
        documents = self._sputnik_travel_documents()
        for order in self:
            order.sputnik_passport_issues = "\n".join(
                order._sputnik_passport_problems(documents)
            )

    @api.depends(
        "order_line.sputnik_departure_id.is_abroad",
        "order_line.sputnik_departure_id.date_end",
        "company_id.sputnik_passport_months",
    )
    def _compute_sputnik_passport_valid_until(self):
        for order in self:
            abroad = order.order_line.sputnik_departure_id.filtered("is_abroad")
            order.sputnik_passport_valid_until = abroad and max(
                abroad.mapped("date_end")
            ) + relativedelta(months=order.company_id.sputnik_passport_months)

    def _sputnik_travel_documents(self):
        """The travel documents of all these bookings' travellers, in one query."""
        # sudo: the passport rule needs the expiry dates of every traveller of a
        # booking the user reads, whoever keeps the passports; what comes out is
        # only the rule's verdict (a name and a date), never a document
        return (
            self.env["sputnik.travel.document"]
            .sudo()
            .search([("partner_id", "in", self.sputnik_traveller_ids.ids)])
        )

    def _sputnik_passport_problems(self, documents=None):
        """What the passport rule finds wrong with this booking's travellers
        (``documents``: their travel documents, when already read)."""
        self.ensure_one()
        valid_until = self.sputnik_passport_valid_until
        if not valid_until:
            return []
        problems = []
        if documents is None:
            documents = self._sputnik_travel_documents()
        for traveller in self.sputnik_traveller_ids:
            docs = documents.filtered(lambda d, t=traveller: d.partner_id == t)
            if not docs._is_valid_until(valid_until):
                problems.append(
                    self.env._(
                        "%(traveller)s has no foreign passport valid until %(date)s.",
                        traveller=traveller.name,
                        date=valid_until.strftime("%d.%m.%Y"),
                    )
                )
        return problems

    @api.constrains("sputnik_traveller_ids")
    def _check_sputnik_confirmed_travellers(self):
        for order in self.filtered(
            lambda o: o.state == "sale" and o.order_line.sputnik_departure_id
        ):
            order._sputnik_check_travellers()
            order._sputnik_check_passports()

    @api.constrains("state")
    def _check_sputnik_confirmed_seats(self):
        # whatever confirms a booking (Odoo's confirmation, an import of past
        # trips by the system), it names one traveller per seat; the passports
        # are checked when it is confirmed, against the trip's dates
        for order in self.filtered(
            lambda o: o.state == "sale" and o.order_line.sputnik_departure_id
        ):
            order._sputnik_check_travellers()

    # === CRUD === #
    def write(self, vals):
        self._sputnik_check_booking_write(vals)
        if not OVERRIDE_FIELDS & vals.keys():
            # an override holds for the travellers and trip it was given for
            stale = self.filtered(
                lambda o: o.sputnik_passport_override_reason
                and (
                    "sputnik_traveller_ids" in vals
                    or ("order_line" in vals and o.state in ("draft", "sent"))
                )
            )
            if stale:
                # sudo: only managers write the override, any user who may
                # write the orders (checked first) clears it by changing them
                self.check_access("write")
                stale.sudo().write(dict.fromkeys(OVERRIDE_FIELDS, False))
        if "state" not in vals:
            return super().write(vals)
        # confirming or cancelling moves seats: through the seat engine
        lines = self.order_line
        before = lines._sputnik_booked_seats()
        res = super().write(vals)
        after = lines._sputnik_booked_seats()
        if before or after:
            lines._sputnik_seat_engine()._sputnik_seats_changed(
                before, after, history=self.env.su
            )
        return res

    def _sputnik_check_booking_write(self, vals):
        """A booking is confirmed by Odoo's confirmation only (which checks its
        travellers, passports and seats and invoices its deposit), never by a
        direct write of its state, whatever the context of the request (its
        figures, computed from its lines and invoices, are the system's: see
        sputnik.system.fields.mixin)."""
        if self.env.su:
            return
        if vals.get("state") == "sale":
            confirming = self.env.cr.precommit.data.get(CONFIRMING, set())
            bookings = self.filtered(lambda o: o.order_line.sputnik_departure_id)
            if set(bookings.ids) - confirming:
                raise UserError(
                    self.env._(
                        "A booking is confirmed with its Confirm button, which "
                        "checks its travellers, passports and seats."
                    )
                )

    @api.depends("partner_id", "company_id")
    def _compute_pricelist_id(self):
        res = super()._compute_pricelist_id()
        for order in self.filtered(lambda o: o.state == "draft" and o.partner_id):
            # sudo: the client's tier may be out of the user's reach (tiers are
            # Sputnik data); only its pricelist, checked against the order's
            # company below, is used
            client = order.partner_id.commercial_partner_id.sudo()
            pricelist = client.sputnik_tier_id.pricelist_id
            if pricelist and pricelist.company_id in (
                order.company_id,
                self.env["res.company"],
            ):
                order.pricelist_id = pricelist
        return res

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        # an invoice posted as soon as it is created (a deposit) is dated at
        # creation, as its posting would date it
        if self.env.context.get("sputnik_invoice_date"):
            values["invoice_date"] = self.env.context["sputnik_invoice_date"]
        return values

    # === ACTIONS === #
    def _sputnik_check_group(self, *groups):
        """Refuse a user of none of ``groups`` (xml ids) what is meant for them."""
        if self.env.su or any(self.env.user.has_group(group) for group in groups):
            return
        raise AccessError(
            self.env._(
                "Only %(groups)s may do this on a booking.",
                # sudo: the names of the groups, for a user (a portal
                # customer) who may not read groups; nothing else is read
                groups=", ".join(
                    self.env.ref(group).sudo().full_name for group in groups
                ),
            )
        )

    def _confirmation_error_message(self):
        """The traveller and passport rules of a booking, checked where Odoo
        checks its own before a confirmation, and its seats when they are
        visibly short (the seat engine decides again when the booking is
        confirmed)."""
        error = super()._confirmation_error_message()
        if error or not self.order_line.sputnik_departure_id:
            return error
        try:
            self._sputnik_check_travellers()
            self._sputnik_check_passports()
        except UserError as rule:
            return rule.args[0]
        wanted = defaultdict(int)
        for line in self.order_line.filtered("sputnik_departure_id"):
            wanted[line.sputnik_departure_id.id] += int(line.product_uom_qty)
        return self.order_line._sputnik_seat_engine()._sputnik_precheck(wanted)

    def _prepare_confirmation_values(self):
        # Odoo's confirmation writes these values: the state write it makes is
        # told apart from a direct one by this mark, kept on the transaction
        # (dropped at its commit or rollback), which no request can set
        self.env.cr.precommit.data.setdefault(CONFIRMING, set()).update(self.ids)
        return super()._prepare_confirmation_values()

    def _action_confirm(self):
        # the invoicing queue is written with sudo: only for orders the user
        # may confirm (write)
        self.check_access("write")
        self._sputnik_money_within_a_minute()
        res = super()._action_confirm()
        bookings = self.filtered("sputnik_is_booking")
        # the first invoice (the deposit, or the whole price inside the balance
        # window) is issued just after this request, not in it (see
        # sputnik.booking.invoicing), and so is the client's classification
        # (see sputnik_classification_queue)
        self.env["sputnik.booking.invoicing"]._sputnik_queue(bookings)
        self.env["sputnik.classification"]._queue(bookings.sputnik_client_id)
        bookings._sputnik_capture("confirmed")
        return res

    def action_sputnik_issue_documents(self):
        self._sputnik_check_group("sputnik_crm.group_sputnik_user")
        self.check_access("write")
        for order in self:
            if order.state != "sale":
                raise UserError(
                    self.env._(
                        "Documents are issued for a confirmed booking only (%(name)s).",
                        name=order.name,
                    )
                )
        self.write({"sputnik_documents_issued": True})
        # the user's rights on these bookings are checked above
        self.env["sputnik.care.event"]._sputnik_care_run(["documents_ready"], self)
        return True

    def action_sputnik_override_passport(self):
        self.ensure_one()
        self._sputnik_check_group("sputnik_crm.group_sputnik_manager")
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override the Passport Rule"),
            "res_model": "sputnik.passport.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_sputnik_invoice_balance(self):
        """Invoice what is left of the bookings, less the deposit: for the
        agents and the accountants, on bookings they may write (the invoices
        are then created and posted with sudo)."""
        self._sputnik_check_group(
            "sputnik_crm.group_sputnik_user", "account.group_account_invoice"
        )
        self.check_access("write")
        orders = self.filtered(
            lambda o: o.state == "sale" and o.invoice_status == "to invoice"
        )
        if not orders:
            raise UserError(self.env._("There is no balance left to invoice."))
        invoices = self.env["sputnik.booking.invoicing"]._sputnik_invoice_balance(
            orders
        )
        action = orders.action_view_invoice(invoices=invoices)
        # Odoo's action leaves None in its context (a client without payment
        # terms): an XML-RPC client could not receive it
        action["context"] = {
            key: value
            for key, value in action.get("context", {}).items()
            if value is not None
        }
        return action

    # === BUSINESS === #
    def _sputnik_payment_schedule(self):
        """The instalments of these bookings, by order id: the one home of the
        schedule shown on the booking's form, in its contract and in its
        printed payment schedule.

        Each row is a dict: ``kind`` (deposit, balance, or full: the whole
        price in one instalment), ``amount``, ``date_due`` (False while the
        deposit waits for the confirmation), ``invoices`` (the posted invoices
        of the instalment), ``invoiced``, ``paid`` and ``remaining``; the
        deposit's also its ``percent``. The deposit is its invoice once
        invoiced, else the company's percentage of the total; the balance is
        the rest, due on the balance date. A booking invoiced in full at once
        (confirmed inside the balance window) or without a deposit has a
        single row.
        The invoices of all the orders are read together (ORM prefetch)."""
        today = fields.Date.context_today(self)
        horizon = today + relativedelta(days=BALANCE_INVOICE_DAYS)
        schedules = {}
        for order in self.filtered(lambda o: o.sputnik_is_booking):
            currency = order.currency_id
            invoices = order._sputnik_invoices()
            deposits = invoices.filtered(
                lambda m: m.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                )
                and all(
                    line.is_downpayment
                    for line in m.invoice_line_ids
                    if line.display_type == "product"
                )
            )
            balances = invoices - deposits
            percent = order.company_id.sputnik_deposit_percent
            if deposits:
                deposit = sum(deposits.mapped("amount_total"))
                # the percentage invoiced, whatever the settings say today
                percent = order.amount_total and round(
                    deposit / order.amount_total * 100, 2
                )
            elif (
                balances
                or not percent
                or order.amount_total <= 0
                or (
                    # confirmed now (or just confirmed, its first invoice
                    # being issued), it is invoiced in full at once
                    (
                        order.state in ("draft", "sent")
                        or order.sputnik_invoicing_pending
                    )
                    and order.sputnik_balance_due_date
                    and order.sputnik_balance_due_date <= horizon
                )
            ):
                deposit = 0.0
            else:
                deposit = currency.round(order.amount_total * percent / 100)
            rows = []
            if deposit:
                rows.append(
                    {
                        "kind": "deposit",
                        "percent": percent,
                        "amount": deposit,
                        "date_due": min(deposits.mapped("invoice_date_due"))
                        if deposits
                        else order.state == "sale"
                        and fields.Date.context_today(order, order.date_order),
                        "invoices": deposits,
                    }
                )
            rows.append(
                {
                    "kind": "balance" if deposit else "full",
                    "amount": currency.round(order.amount_total - deposit),
                    "date_due": max(balances.mapped("invoice_date_due"))
                    if balances
                    else order.sputnik_balance_due_date,
                    "invoices": balances,
                }
            )
            for row in rows:
                moves = row["invoices"]
                row["invoiced"] = bool(moves)
                # a move closed by its credit note was not paid
                row["paid"] = currency.round(
                    sum(
                        move.amount_total - move.amount_residual
                        for move in moves
                        if move.payment_state != "reversed"
                    )
                )
                row["remaining"] = max(currency.round(row["amount"] - row["paid"]), 0.0)
            schedules[order.id] = rows
        return schedules

    def _sputnik_check_travellers(self):
        self.ensure_one()
        travellers = len(self.sputnik_traveller_ids)
        for departure in self.order_line.sputnik_departure_id:
            seats = sum(
                self.order_line.filtered(
                    lambda line, d=departure: line.sputnik_departure_id == d
                ).mapped("product_uom_qty")
            )
            if seats != travellers:
                raise UserError(
                    self.env._(
                        "Booking %(name)s has %(travellers)s travellers for %(seats)s "
                        "seats on %(departure)s: name one traveller per seat.",
                        name=self.name,
                        travellers=travellers,
                        seats=int(seats),
                        departure=departure.display_name,
                    )
                )

    def _sputnik_check_passports(self):
        self.ensure_one()
        problems = self._sputnik_passport_problems()
        if problems and not self.sputnik_passport_override_reason:
            raise UserError(
                self.env._(
                    "Booking %(name)s cannot be confirmed:\n%(problems)s\nA Sputnik "
                    "manager may override the passport rule with a reason.",
                    name=self.name,
                    problems="\n".join(problems),
                )
            )

    def _sputnik_money_within_a_minute(self):
        """The invoices and credit notes of a booking's confirmation or
        cancellation reach the money reports with their cron, within a
        minute, rather than by a refresh in the agent's request (see
        sputnik.report.mixin._sputnik_money_changed): a mark on the
        transaction, which no request can set."""
        self.env.cr.precommit.data["sputnik_money_within_a_minute"] = True

    def _action_cancel(self):
        self._sputnik_money_within_a_minute()
        bookings = self.filtered(lambda o: o.sputnik_is_booking and o.state == "sale")
        today = fields.Date.context_today(self)
        for order in bookings:
            started = order.sputnik_date_start and order.sputnik_date_start <= today
            if started or "done" in order.picking_ids.mapped("state"):
                raise UserError(
                    self.env._(
                        "Booking %(name)s cannot be cancelled: the trip has begun.",
                        name=order.name,
                    )
                )
        # the penalty of today, before the credit notes change what was paid
        penalties = bookings._sputnik_cancellation_terms()
        res = super()._action_cancel()
        # the penalty is recorded now; the credit notes of the booking's
        # invoices and the penalty's invoice are issued just after this
        # request, not in it (see sputnik.booking.invoicing)
        bookings._sputnik_record_penalties(penalties)
        self.env["sputnik.booking.invoicing"]._sputnik_queue(bookings)
        self.env["sputnik.classification"]._queue(bookings.sputnik_client_id)
        bookings._sputnik_capture("cancelled")
        return res

    def action_draft(self):
        # a cancellation whose credit notes and penalty the invoicing cron has
        # not issued yet is settled first, in this request (waiting for the
        # cron if it is settling it right now), so that the booking's next
        # confirmation finds its money in order
        unsettled = self.filtered(
            lambda o: o.state == "cancel" and o.sputnik_invoicing_pending
        )
        if unsettled:
            # the documents are issued with sudo: only for orders the user
            # may write
            unsettled.check_access("write")
            invoicing = self.env["sputnik.booking.invoicing"]
            for order in unsettled.sudo():
                invoicing._sputnik_invoice_one(order, wait=True)
        return super().action_draft()

    def _sputnik_capture(self, event):
        """Record a confirmation or a cancellation in the client's history."""
        subjects = {
            "confirmed": self.env._("Booking %(name)s confirmed"),
            "cancelled": self.env._("Booking %(name)s cancelled"),
        }
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"booking_{event}:{order.id}",
                    "name": subjects[event] % {"name": order.name},
                    "interaction_type": "booking",
                    "partner_id": order.partner_id.commercial_partner_id.id,
                    "user_id": order.user_id.id,
                    "order_id": order.id,
                    "campaign_id": order.campaign_id.id,
                    "company_id": order.company_id.id,
                    "stage": "sale",
                    "note": order._sputnik_capture_note(event),
                }
                for order in self
            ]
        )

    def action_sputnik_open_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Complaint"),
            "res_model": "sputnik.complaint",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": self.partner_id.commercial_partner_id.id,
                "default_order_id": self.id,
            },
        }

    def action_sputnik_log_interaction(self):
        self.ensure_one()
        return self.env["sputnik.interaction"]._log_action(
            self.partner_id,
            {"default_order_id": self.id, "default_campaign_id": self.campaign_id.id},
        )

    @api.model
    def _cron_sputnik_bookings(self):
        """Daily: invoice the balances that fall due, refresh the statuses that
        follow the dates."""
        today = fields.Date.context_today(self)
        to_invoice = self.search(
            [
                ("state", "=", "sale"),
                ("sputnik_is_booking", "=", True),
                ("invoice_status", "=", "to invoice"),
                (
                    "sputnik_balance_due_date",
                    "<=",
                    today + relativedelta(days=BALANCE_INVOICE_DAYS),
                ),
            ]
        )
        for order in to_invoice:
            try:
                with self.env.cr.savepoint():
                    self.env["sputnik.booking.invoicing"]._sputnik_invoice_balance(
                        order
                    )
            except (UserError, ValidationError) as error:
                order.message_post(
                    body=self.env._(
                        "The balance could not be invoiced: %(error)s", error=error
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        moving = self.search(
            [
                (
                    "sputnik_status",
                    "in",
                    ("confirmed", "paid", "documents", "travelling"),
                ),
                ("sputnik_date_start", "<=", today),
            ]
        )
        self.env.add_to_compute(self._fields["sputnik_status"], moving)
        moving.flush_recordset(["sputnik_status"])
