from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .sputnik_plural import SEATS_FREE, count_text

SEAT_KEYS = ("purchased", "received", "on_hand", "reserved", "sold", "free")
OPEN_STATES = ("planned", "open", "sold_out")
# departures that may still be bought for: coming and not sold out
PURCHASE_STATES = ("planned", "open")
DRAFT_PURCHASE_STATES = ("draft", "sent", "to approve")
# the groups that may read bookings (sale.order and sale.order.line)
BOOKING_READERS = (
    "sales_team.group_sale_salesman,account.group_account_invoice,"
    "account.group_account_readonly,stock.group_stock_user"
)


class SputnikDeparture(models.Model):
    _name = "sputnik.departure"
    _description = "Tour Departure"
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _order = "date_start, id"
    _check_company_auto = True
    # written by the departure's own logic only (sudo), never by a user directly
    _sputnik_travel_dates = ("date_start", "date_end", "release_date")
    _sputnik_non_negative = ("allotment_seats", "price_extra", "commission_fixed")
    _sputnik_bounds = {"commission_percent": (0, 100)}
    _sputnik_system_fields = (
        "state",
        "product_id",
        "ptav_id",
        "release_notified_date",
    )

    # === FIELDS === #
    # the tour's name in each installed language and the date: what is shown
    # and searched in the reader's language (trigram index on every language)
    name = fields.Char(
        compute="_compute_name", store=True, index="trigram", translate=True
    )
    tour_id = fields.Many2one(
        "product.template",
        string="Tour",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain=[("sputnik_is_tour", "=", True)],
        tracking=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Seat Product",
        readonly=True,
        index=True,
        ondelete="restrict",
        copy=False,
        help="The storable variant of the tour whose stock is this departure's seats.",
    )
    ptav_id = fields.Many2one(
        "product.template.attribute.value", readonly=True, copy=False
    )
    price_extra = fields.Float(
        related="ptav_id.price_extra",
        readonly=False,
        string="Price Supplement",
        help="Added to the tour's price for this departure (season, holidays).",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    destination_id = fields.Many2one(
        related="tour_id.sputnik_destination_id", store=True, string="Destination"
    )
    operator_id = fields.Many2one(
        related="tour_id.sputnik_operator_id", store=True, string="Tour Operator"
    )
    tour_type = fields.Selection(
        related="tour_id.sputnik_tour_type", store=True, string="Tour Type"
    )
    date_start = fields.Date(string="Departure", required=True, tracking=True)
    date_end = fields.Date(string="Return", required=True, tracking=True)
    nights = fields.Integer(compute="_compute_nights", store=True)
    release_date = fields.Date(
        string="Allotment Release",
        tracking=True,
        help="Date by which unsold seats go back to the tour operator.",
    )
    allotment_seats = fields.Integer(
        string="Allotment",
        tracking=True,
        help="Seats agreed with the tour operator for this departure.",
    )
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("open", "Open"),
            ("sold_out", "Sold Out"),
            ("closed", "Closed"),
            ("departed", "Departed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="planned",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Follows the seats and the dates: planned until seats are on hand, "
        "open while seats are free, sold out when none is, departed on the "
        "departure date, done after the return. Closed and cancelled are set by "
        "hand.",
    )
    is_abroad = fields.Boolean(
        compute="_compute_is_abroad",
        store=True,
        help="Destination in another country than the company's: travellers need "
        "foreign passports.",
    )
    seats_purchased = fields.Integer(
        compute="_compute_seats", help="Seats in confirmed purchase orders."
    )
    seats_received = fields.Integer(
        compute="_compute_seats", help="Seats received from the tour operator."
    )
    seats_on_hand = fields.Integer(
        compute="_compute_seats", help="Received seats not yet travelled."
    )
    seats_reserved = fields.Integer(
        compute="_compute_seats",
        help="Seats held by confirmed bookings whose travellers have not left yet.",
    )
    seats_sold = fields.Integer(
        compute="_compute_seats", help="Seats in confirmed bookings."
    )
    seats_free = fields.Integer(
        compute="_compute_seats",
        help="On hand minus the seats held by confirmed bookings: what can be sold.",
    )
    seats_free_display = fields.Char(
        string="Free Seats in Words", compute="_compute_seats"
    )
    booking_line_ids = fields.One2many(
        "sale.order.line", "sputnik_departure_id", string="Booking Lines"
    )
    # counted with the reader's rights: only for the groups that may read bookings
    # (every employee may read departures, and opens their form)
    booking_count = fields.Integer(
        compute="_compute_booking_count", groups=BOOKING_READERS
    )
    overdue_booking_count = fields.Integer(
        string="Overdue Bookings",
        compute="_compute_booking_count",
        groups=BOOKING_READERS,
        help="Confirmed bookings of this departure with a payment overdue.",
    )
    waitlist_ids = fields.One2many(
        "sputnik.waitlist", "departure_id", groups="sputnik_crm.group_sputnik_user"
    )
    waitlist_count = fields.Integer(
        compute="_compute_waitlist_count", groups="sputnik_crm.group_sputnik_user"
    )
    color = fields.Integer(compute="_compute_color")

    # === PLANNING === #
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        help="Gets the reminder before the allotment release.",
    )
    release_notified_date = fields.Date(
        string="Release Reminder For",
        readonly=True,
        copy=False,
        help="Release date of the last reminder given: one reminder per release "
        "date.",
    )
    plan_seats = fields.Integer(
        string="Planned Seats",
        compute="_compute_purchase_suggestion",
        help="This departure's share of the seats the active sales plans still "
        "expect: the remaining target seats (target - seats booked in the "
        "period) of the most specific plan lines covering its destination, tour "
        "type and date, shared by the coming departures they cover in "
        "proportion to the days each has left, in whole seats.",
    )
    sell_through = fields.Float(
        string="Sell-Through (%)",
        digits=(16, 1),
        compute="_compute_purchase_suggestion",
        help="Seats sold / seats bought of this departure (0 while none is " "bought).",
    )
    expected_sell_through = fields.Float(
        string="Expected Sell-Through (%)",
        digits=(16, 1),
        compute="_compute_purchase_suggestion",
        help="The share of the planned seats expected to sell: the history's "
        "seats sold / seats bought (the same tour in the same month a year "
        "before; else the company's departures of the last 12 months; else "
        "100 %) and, once seats are bought, this departure's own sell-through, "
        "weighed by the share of its selling time elapsed (from its creation "
        "to its date).",
    )
    sell_through_basis = fields.Selection(
        [
            ("tour", "Same tour, a year before"),
            ("company", "Company, last 12 months"),
            ("none", "No history"),
        ],
        compute="_compute_purchase_suggestion",
    )
    suggested_seats = fields.Integer(
        string="Seats to Buy",
        compute="_compute_purchase_suggestion",
        help="Seats sold + Planned Seats × Expected Sell-Through, rounded up, "
        "minus the seats already bought (confirmed purchase orders), at least 0. "
        "Only for coming departures, planned or open, and none while the "
        "allotment release is due with seats unsold.",
    )
    purchase_advice = fields.Selection(
        [
            ("buy", "Buy seats"),
            ("enough", "Enough seats"),
            ("release", "Sell or release the unsold seats"),
        ],
        string="Advice",
        compute="_compute_purchase_suggestion",
        help="Sell or release: the allotment release is due (within the "
        "company's reminder days, or past) and seats are unsold; no purchase is "
        "advised.",
    )
    has_draft_purchase = fields.Boolean(
        string="Draft Purchase Open",
        compute="_compute_purchase_suggestion",
        help="A draft purchase order of this departure's seats waits for "
        "confirmation.",
    )

    _sql_constraints = [
        (
            "tour_dates_uniq",
            "unique(tour_id, date_start, date_end, company_id)",
            "This tour already has a departure on these dates.",
        ),
    ]

    # === COMPUTES === #
    @api.depends("tour_id.name", "date_start")
    def _compute_name(self):
        # every installed language at once: the tour's name translated by
        # language, so that each user finds the departure by the name shown
        for lang, __ in self.env["res.lang"].get_installed():
            for departure in self.with_context(lang=lang):
                departure.name = departure._label()

    @api.depends("name")
    @api.depends_context("lang", "sputnik_show_seats")
    def _compute_display_name(self):
        # the departure picker of a booking shows the free seats too
        seats = self.env.context.get("sputnik_show_seats")
        for departure in self:
            departure.display_name = departure.name or departure._label()
            if seats and departure.id:
                departure.display_name += f" · {departure.seats_free_display}"

    def _label(self):
        self.ensure_one()
        date = self.date_start and self.date_start.strftime("%d.%m.%Y")
        return f"{self.tour_id.name or ''} {date or ''}".strip()

    @api.depends("date_start", "date_end")
    def _compute_nights(self):
        for departure in self:
            if departure.date_start and departure.date_end:
                departure.nights = (departure.date_end - departure.date_start).days
            else:
                departure.nights = 0

    @api.depends("destination_id.country_id", "company_id.country_id")
    def _compute_is_abroad(self):
        for departure in self:
            country = departure.destination_id.country_id
            departure.is_abroad = bool(
                country and country != departure.company_id.country_id
            )

    @api.depends_context("lang")
    def _compute_seats(self):
        figures = self._get_seat_figures()
        for departure in self:
            for key in SEAT_KEYS:
                departure[f"seats_{key}"] = figures[departure.id][key]
            departure.seats_free_display = count_text(
                self.env, SEATS_FREE, departure.seats_free
            )

    def _compute_booking_count(self):
        counts = dict(
            self.env["sale.order.line"]._read_group(
                [("sputnik_departure_id", "in", self.ids), ("state", "=", "sale")],
                groupby=["sputnik_departure_id"],
                aggregates=["order_id:count_distinct"],
            )
        )
        overdue = self.env["sale.order"].search(
            [
                ("order_line.sputnik_departure_id", "in", self.ids),
                ("sputnik_payment_status", "=", "overdue"),
            ]
        )
        overdue_count = defaultdict(int)
        for order in overdue:
            for departure in order.order_line.sputnik_departure_id & self:
                overdue_count[departure.id] += 1
        for departure in self:
            departure.booking_count = counts.get(departure, 0)
            departure.overdue_booking_count = overdue_count[departure.id]

    def _compute_waitlist_count(self):
        counts = dict(
            self.env["sputnik.waitlist"]._read_group(
                [("departure_id", "in", self.ids), ("state", "=", "waiting")],
                groupby=["departure_id"],
                aggregates=["__count"],
            )
        )
        for departure in self:
            departure.waitlist_count = counts.get(departure, 0)

    @api.depends("state")
    def _compute_color(self):
        colors = {"open": 10, "sold_out": 1, "closed": 4, "cancelled": 1, "planned": 0}
        for departure in self:
            departure.color = colors.get(departure.state, 0)

    def _compute_purchase_suggestion(self):
        suggestions = self.env["sputnik.purchase.planner"]._sputnik_suggestions(
            self._origin
        )
        for departure in self:
            values = suggestions.get(departure._origin.id, {})
            departure.plan_seats = values.get("plan_seats", 0)
            departure.sell_through = values.get("sell_through", 0.0) * 100
            departure.expected_sell_through = (
                values.get("expected_sell_through", 0.0) * 100
            )
            departure.sell_through_basis = values.get("basis", False)
            departure.suggested_seats = values.get("suggested", 0)
            departure.purchase_advice = values.get("advice", False)
            departure.has_draft_purchase = values.get("draft", False)

    # === CONSTRAINTS === #
    @api.constrains("date_start", "date_end", "release_date")
    def _check_dates(self):
        for departure in self:
            if departure.date_end < departure.date_start:
                raise ValidationError(
                    self.env._(
                        "Departure %(name)s returns before it leaves.",
                        name=departure.display_name,
                    )
                )
            if departure.release_date and departure.release_date > departure.date_start:
                raise ValidationError(
                    self.env._(
                        "The allotment release date of %(name)s must come before "
                        "the departure.",
                        name=departure.display_name,
                    )
                )

    @api.constrains("allotment_seats")
    def _check_allotment_seats(self):
        if any(d.allotment_seats < 0 for d in self):
            raise ValidationError(self.env._("An allotment cannot be negative."))

    # === CRUD === #
    @api.model_create_multi
    def create(self, vals_list):
        departures = super().create(vals_list)
        self.env["product.template"]._sputnik_link_departures(departures)
        self.env["sputnik.seat.engine"]._sputnik_refresh_state(departures)
        return departures

    def write(self, vals):
        if (
            {"date_start", "date_end"} & vals.keys()
            and not self.env.su
            and any(figures["sold"] for figures in self._get_seat_figures().values())
        ):
            raise UserError(
                self.env._(
                    "A departure with confirmed bookings cannot change its dates: "
                    "its travellers, balances and passports depend on them."
                )
            )
        if {"tour_id", "company_id"} & vals.keys() and self._sputnik_has_seats():
            raise UserError(
                self.env._(
                    "A departure that has purchased or booked seats cannot move to "
                    "another tour or company."
                )
            )
        res = super().write(vals)
        if {"tour_id", "date_start", "date_end"} & vals.keys():
            if self._sputnik_has_seats() and "tour_id" not in vals:
                # the seats stay on the same variant: only its label changes
                self.env["product.template"]._sputnik_relabel_departures(self)
            else:
                self.env["product.template"]._sputnik_link_departures(self)
        if {"date_start", "date_end"} & vals.keys():
            self.env["sputnik.seat.engine"]._sputnik_refresh_state(self)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_seats(self):
        if self._sputnik_has_seats():
            raise UserError(
                self.env._(
                    "A departure with purchased or booked seats cannot be deleted: "
                    "cancel it instead."
                )
            )

    def unlink(self):
        ptavs = self.ptav_id
        res = super().unlink()
        for ptav in ptavs:
            ptav.attribute_line_id.value_ids = [
                Command.unlink(ptav.product_attribute_value_id.id)
            ]
        return res

    # === ACTIONS === #
    def _sputnik_check_agent(self):
        """Opening and closing sales are the agents' (and managers') buttons,
        on departures they may write: checked before the state is written
        with sudo (the state is protected from direct writes)."""
        if not self.env.su and not self.env.user.has_group(
            "sputnik_crm.group_sputnik_user"
        ):
            raise AccessError(
                self.env._(
                    "Only travel agents and Sputnik managers may open or close the "
                    "sales of a departure."
                )
            )
        self.check_access("write")

    def action_open(self):
        self._sputnik_check_agent()
        reopened = self.filtered(lambda d: d.state == "closed")
        # sudo: the state is written by the departure's logic only; the user's
        # group and write access are checked above
        reopened.sudo().write({"state": "open"})
        self.env["sputnik.seat.engine"]._sputnik_refresh_state(self)
        return True

    def action_close(self):
        self._sputnik_check_agent()
        for departure in self:
            if departure.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Only a departure open for sale can be closed (%(name)s).",
                        name=departure.display_name,
                    )
                )
        # sudo: the state is protected; group and write access checked above
        self.sudo().write({"state": "closed"})
        return True

    def _sputnik_check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "sputnik_crm.group_sputnik_manager"
        ):
            raise AccessError(
                self.env._("Only a Sputnik manager may cancel or complete a departure.")
            )
        self.check_access("write")

    def action_cancel(self):
        self._sputnik_check_manager()
        booked = self.filtered(lambda d: d.seats_sold)
        if booked:
            raise UserError(
                self.env._(
                    "Departure %(name)s still has confirmed bookings: cancel them "
                    "first.",
                    name=booked[0].display_name,
                )
            )
        # sudo: the state is protected; manager group and write access checked
        self.sudo().write({"state": "cancelled"})
        return True

    def action_sputnik_book(self):
        """A new booking of this departure (a seat on its line)."""
        self.ensure_one()
        return self.env["product.template"]._sputnik_book_departure(self)

    def action_view_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sale_order_action_bookings"
        )
        action["domain"] = [("order_line.sputnik_departure_id", "=", self.id)]
        action["context"] = {}
        return action

    def _sputnik_check_buyer(self):
        """Seats are bought by purchase users (managers are), for departures
        they may read; the purchase order is then created with their rights."""
        if not self.env.su and not self.env.user.has_group(
            "purchase.group_purchase_user"
        ):
            raise AccessError(
                self.env._("Only purchase users may buy the seats of a departure.")
            )
        self.check_access("read")

    def action_buy_seats(self):
        """A draft purchase order to the tour operator for the seats of the
        allotment not bought yet."""
        self.ensure_one()
        self._sputnik_check_buyer()
        drafts = self.env["purchase.order.line"].search(
            [
                ("product_id", "=", self.product_id.id),
                ("state", "in", ("draft", "sent", "to approve")),
            ]
        )
        missing = (
            self.allotment_seats
            - self._get_seat_figures()[self.id]["purchased"]
            - int(sum(drafts.mapped("product_qty")))
        )
        if missing <= 0:
            raise UserError(
                self.env._(
                    "Every seat of the allotment of %(name)s is already bought: "
                    "raise the allotment first.",
                    name=self.display_name,
                )
            )
        order = self._sputnik_purchase_order(missing)
        return {
            "type": "ir.actions.act_window",
            "res_model": "purchase.order",
            "res_id": order.id,
            "view_mode": "form",
        }

    def action_create_purchase_order(self):
        """Turn the purchase suggestion into a draft purchase order to the tour
        operator."""
        self._sputnik_check_buyer()
        orders = self.env["purchase.order"]
        for departure in self:
            if departure.has_draft_purchase:
                raise UserError(
                    self.env._(
                        "A draft purchase order of seats of %(name)s is open: "
                        "confirm or cancel it first.",
                        name=departure.display_name,
                    )
                )
            if departure.suggested_seats <= 0:
                raise UserError(
                    self.env._(
                        "No seats to buy for %(name)s: its bookings, the sales "
                        "plan and the seats already bought suggest none.",
                        name=departure.display_name,
                    )
                )
            orders |= departure._sputnik_purchase_order(departure.suggested_seats)
        self.invalidate_recordset(["suggested_seats", "has_draft_purchase"])
        action = {
            "type": "ir.actions.act_window",
            "res_model": "purchase.order",
            "name": self.env._("Purchase Orders"),
        }
        if len(orders) == 1:
            return action | {"res_id": orders.id, "view_mode": "form"}
        return action | {
            "view_mode": "list,form",
            "domain": [("id", "in", orders.ids)],
        }

    def action_view_overdue_bookings(self):
        action = self.action_view_bookings()
        action["domain"] += [("sputnik_payment_status", "=", "overdue")]
        return action

    def action_view_waitlist(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_waitlist_action"
        )
        action["domain"] = [("departure_id", "=", self.id)]
        action["context"] = {"default_departure_id": self.id}
        return action

    def action_complete(self):
        """Travellers are back: the deliveries of the seats are done."""
        self._sputnik_check_manager()
        # sudo: a manager closes the seats' deliveries without stock rights of
        # their own; the moves are those of these departures only, and the
        # manager group and write access on them are checked above
        moves = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "in", self.product_id.ids),
                    ("sale_line_id.sputnik_departure_id", "in", self.ids),
                    ("state", "=", "assigned"),
                    ("picking_code", "=", "outgoing"),
                ]
            )
        )
        # only seats actually held for the travellers leave the stock
        moves.picked = True
        moves._action_done()
        # sudo: the state is protected; manager group and write access checked
        self.sudo().write({"state": "done"})
        return True

    # === BUSINESS === #
    def _sputnik_purchase_order(self, seats, price_unit=None):
        """Draft purchase order of ``seats`` seats to the tour's operator, at
        ``price_unit`` or the operator's price for the seat product."""
        self.ensure_one()
        if not self.operator_id:
            raise UserError(
                self.env._(
                    "Tour %(tour)s has no tour operator to buy its seats from.",
                    tour=self.tour_id.display_name,
                )
            )
        line = {"product_id": self.product_id.id, "product_qty": seats}
        if price_unit is not None:
            line["price_unit"] = price_unit
        values = {
            "partner_id": self.operator_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "order_line": [Command.create(line)],
        }
        if self.tour_id.sputnik_currency_id:
            # a tour priced in a foreign currency is bought in it
            values["currency_id"] = self.tour_id.sputnik_currency_id.id
        return self.env["purchase.order"].create(values)

    def _sputnik_has_seats(self):
        figures = self._get_seat_figures()
        return any(figures[d.id]["purchased"] or figures[d.id]["sold"] for d in self)

    @api.model
    def _sputnik_recompute_names(self):
        """Recompute the names of every departure in every installed language
        (after translations were loaded or a language installed)."""
        # sudo: the names of the departures of every company, after a
        # translation load that only administrators and the installation run
        departures = self.sudo().with_context(active_test=False).search([])
        self.env.add_to_compute(self._fields["name"], departures)
        departures.flush_recordset(["name"])

    def _get_seat_figures(self):
        """{departure id: seat figures}: see sputnik.seat.engine._sputnik_figures."""
        return self.env["sputnik.seat.engine"]._sputnik_figures(self)

    def _sputnik_seat_problems(self):
        """{departure: [texts]}: see sputnik.seat.engine._sputnik_problems."""
        return self.env["sputnik.seat.engine"]._sputnik_problems(self)

    def action_check_seats(self):
        """Check the seats of these departures (all the open ones when called
        on none) against their bookings, stock and purchases; post what is
        wrong in each departure's chatter and repair what can be repaired."""
        if not self.env.user.has_group("sputnik_crm.group_sputnik_manager"):
            raise AccessError(
                self.env._("Only a Sputnik manager may check the seats of departures.")
            )
        departures = self or self.search([("state", "in", (*OPEN_STATES, "closed"))])
        departures.check_access("read")
        found, left = self.env["sputnik.seat.engine"]._sputnik_check_and_repair(
            departures
        )
        if left:
            message = self.env._(
                "%(count)s of %(total)s departures have seats that do not add up: "
                "see their chatter.",
                count=len(left),
                total=len(departures),
            )
        elif found:
            message = self.env._(
                "The seats of %(total)s departures add up; the stock reservations "
                "of %(count)s were released (see their chatter).",
                count=len(found),
                total=len(departures),
            )
        else:
            message = self.env._(
                "The seats of %(total)s departures add up.", total=len(departures)
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "warning" if left else "success",
                "sticky": bool(left),
            },
        }

    @api.model
    def _cron_check_seats(self):
        departures = self.search([("state", "in", (*OPEN_STATES, "closed"))])
        engine = self.env["sputnik.seat.engine"]
        engine._sputnik_check_and_repair(departures)
        engine._sputnik_purge_claims()

    @api.model
    def _cron_refresh_departures(self):
        today = fields.Date.context_today(self)
        departures = self.search(
            [
                ("state", "in", (*OPEN_STATES, "closed", "departed")),
                ("date_start", "<=", today),
            ]
        )
        self.env["sputnik.seat.engine"]._sputnik_refresh_state(departures)
        departures.filtered(lambda d: d.state == "done").action_complete()

    # === ALLOTMENT RELEASE === #
    @api.model
    def _cron_release_reminders(self):
        """A To-Do for the responsible of each departure whose allotment is
        released within the company's reminder days with seats unsold, once
        per departure and release date."""
        today = fields.Date.context_today(self)
        departures = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("release_date", ">=", today),
                ("release_date", "!=", False),
            ]
        ).filtered(
            lambda d: d.release_notified_date != d.release_date
            and d.release_date
            <= today + relativedelta(days=d.company_id.sputnik_release_days)
        )
        figures = departures._get_seat_figures()
        for departure in departures:
            seats = figures[departure.id]
            unsold = max(departure.allotment_seats, seats["purchased"]) - seats["sold"]
            if unsold <= 0:
                continue
            user = (
                departure.user_id or departure.tour_id.responsible_id or self.env.user
            )
            translated = departure.with_context(lang=user.lang)
            departure.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=max(
                    today, departure.release_date - relativedelta(days=1)
                ),
                summary=translated.env._(
                    "Allotment release on %(date)s: %(seats)s seats unsold",
                    date=departure.release_date.strftime("%d.%m.%Y"),
                    seats=unsold,
                ),
                note=translated.env._(
                    "%(seats)s seats of %(name)s are not sold. The tour operator "
                    "takes the allotment back on %(date)s, with penalties after: "
                    "sell them, or release them in time.",
                    seats=unsold,
                    name=departure.display_name,
                    date=departure.release_date.strftime("%d.%m.%Y"),
                ),
                user_id=user.id,
            )
            # sudo: the cron's bookkeeping of the reminder sent (private method
            # run by ir.cron only)
            departure.sudo().release_notified_date = departure.release_date
