from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SputnikWaitlist(models.Model):
    _name = "sputnik.waitlist"
    _description = "Departure Waitlist Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "sputnik.system.fields.mixin"]
    _sputnik_non_negative = ("seats",)
    _order = "create_date, id"
    _check_company_auto = True

    departure_id = fields.Many2one(
        "sputnik.departure",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="departure_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    seats = fields.Integer(required=True, default=1)
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        default=lambda self: self.env.user,
        help="The agent who re-offers the seats when they are freed.",
    )
    state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("offered", "Seats Offered"),
            ("booked", "Booked"),
            ("cancelled", "Cancelled"),
        ],
        default="waiting",
        required=True,
        tracking=True,
    )
    note = fields.Text()

    @api.constrains("seats")
    def _check_seats(self):
        if any(request.seats <= 0 for request in self):
            raise ValidationError(
                self.env._("A waitlist request needs at least one seat.")
            )

    @api.depends("partner_id", "departure_id")
    def _compute_display_name(self):
        for request in self:
            request.display_name = (
                f"{request.partner_id.name or ''} – {request.departure_id.name or ''}"
            )

    def action_mark_booked(self):
        self.write({"state": "booked"})
        return True

    def action_cancel(self):
        self.write({"state": "cancelled"})
        return True

    def action_reset(self):
        self.write({"state": "waiting"})
        return True

    @api.model
    def _offer_freed_seats(self, departures):
        """For each departure with free seats, the oldest waiting request that
        fits gets an activity for its agent to re-offer the seats."""
        departures = departures.filtered(lambda d: d.state in ("open", "planned"))
        if not departures:
            return self.browse()
        figures = departures._get_seat_figures()
        waiting = self.search(
            [("departure_id", "in", departures.ids), ("state", "=", "waiting")],
            order="create_date, id",
        )
        offered = self.browse()
        for departure in departures:
            free = figures[departure.id]["free"]
            request = waiting.filtered(
                lambda r, d=departure, f=free: r.departure_id == d and r.seats <= f
            )[:1]
            if not request:
                continue
            request.activity_schedule(
                "mail.mail_activity_data_call",
                user_id=request.user_id.id,
                summary=self.env._(
                    "Seats freed on %(departure)s: re-offer them to %(client)s",
                    departure=departure.display_name,
                    client=request.partner_id.name,
                ),
                note=self.env._(
                    "%(free)s seats are free again; %(client)s waits for %(seats)s.",
                    free=free,
                    client=request.partner_id.name,
                    seats=request.seats,
                ),
            )
            offered |= request
        offered.write({"state": "offered"})
        return offered
