from odoo import api, fields, models
from odoo.tools import SQL

KINDS = [
    ("booking", "Confirmed Booking"),
    ("opportunity", "Opportunity"),
    ("quotation", "Quotation"),
    ("retained", "Client Retained"),
    ("complaint", "Complaint"),
    ("interaction", "Interaction"),
]
MEASURES = (
    "revenue",
    "margin",
    "booking_count",
    "request_count",
    "retained_count",
    "complaint_count",
    "interaction_count",
)
SOURCES = {
    "booking": "sale.order",
    "opportunity": "crm.lead",
    "quotation": "sale.order",
    "retained": "sale.order",
    "complaint": "sputnik.complaint",
    "interaction": "sputnik.interaction",
}


class SputnikAgentReport(models.Model):
    """What each agent achieved, day by day.

    Built from the events (a confirmed booking, a request, a client retained,
    a complaint, an interaction), each with its agent, date and company and 1
    (or the amount) in the column of its measure; stored one row per day,
    kind of event, agent and company with the sums of its events and the
    documents they come from: summed over any agent and period, the measures
    stay right. Conversion = Bookings / Requests.
    """

    _name = "sputnik.agent.report"
    _inherit = ["sputnik.report.mixin"]
    _description = "Agent Performance"
    _auto = False
    _rec_name = "kind"
    _order = "date desc, id desc"
    _sputnik_stored = True
    _sputnik_indexes = ("date",)
    # kept fresh client by client: the layer holds the events, each with its
    # client (the commercial partner), the report their sums by day; the
    # requests of no client wait for the hourly computation
    _sputnik_refresh_key = "partner_id"
    _sputnik_layer_sums = ("event_count", *MEASURES)
    _sputnik_layer_count = "event_count"
    _sputnik_layer_indexes = ("date",)

    # === FIELDS === #
    date = fields.Date(
        readonly=True,
        help="Order date of a booking, creation date of a request, opening date "
        "of a complaint, date of an interaction; first day of the month of a "
        "client retained.",
    )
    kind = fields.Selection(KINDS, string="Event", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="Currency of the company: every amount of the row is in it.",
    )
    event_count = fields.Integer(
        string="Events", readonly=True, help="Events of the row: its documents."
    )
    revenue = fields.Monetary(
        readonly=True,
        help="Untaxed amount of the departure lines of the confirmed bookings, in "
        "the company currency (as in the Bookings Analysis).",
    )
    margin = fields.Monetary(
        readonly=True,
        help="Margin of the departure lines of the confirmed bookings, in the "
        "company currency.",
    )
    booking_count = fields.Integer(
        string="Bookings",
        readonly=True,
        help="Confirmed bookings, on their order date. Conversion = Bookings / "
        "Requests.",
    )
    request_count = fields.Integer(
        string="Requests",
        readonly=True,
        help="Opportunities created, plus the booking quotations made without an "
        "opportunity (so that a request is counted once). Conversion = Bookings / "
        "Requests.",
    )
    retained_count = fields.Integer(
        string="Clients Retained",
        readonly=True,
        help="Clients of the agent who departed on a confirmed booking in the "
        "month and had departed with the bureau before it: one per client, agent "
        "and month.",
    )
    complaint_count = fields.Integer(
        string="Complaints",
        readonly=True,
        help="Complaints opened, counted for the agent of their booking, or for "
        "their responsible without a booking.",
    )
    interaction_count = fields.Integer(
        string="Interactions",
        readonly=True,
        help="Contacts the agent logged (calls, meetings, e-mails, visits, "
        "offers...); those recorded automatically are left out.",
    )

    _depends = {
        "sale.order": [
            "state",
            "date_order",
            "create_date",
            "user_id",
            "sputnik_client_id",
            "sputnik_is_booking",
            "sputnik_date_start",
            "opportunity_id",
            "company_id",
            "currency_rate",
        ],
        "sale.order.line": [
            "order_id",
            "display_type",
            "sputnik_departure_id",
            "price_subtotal",
            "margin",
        ],
        "crm.lead": ["create_date", "user_id", "partner_id", "company_id"],
        "sputnik.complaint": [
            "date_open",
            "order_id",
            "user_id",
            "partner_id",
            "company_id",
        ],
        "sputnik.interaction": [
            "date",
            "user_id",
            "partner_id",
            "company_id",
            "automatic",
        ],
        "res.company": ["currency_id"],
    }

    # === QUERY === #
    def init(self):
        self._sputnik_create_view(self._query())

    @api.model
    def _sputnik_layer_query(self, keys=None):
        """The events (:meth:`_event_query`): those of the clients ``keys``
        are read from outside (``WHERE partner_id = ANY(keys)``), which
        PostgreSQL carries into each part of the union."""
        return self._event_query()

    @api.model
    def _sputnik_from_layer(self, layer):
        measures = SQL(", ").join(
            SQL("SUM(event.%s) AS %s", SQL.identifier(name), SQL.identifier(name))
            for name in MEASURES
        )
        kind_rank = SQL(
            "CASE event.kind %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", kind, rank)
                for rank, (kind, _label) in enumerate(KINDS)
            ),
        )
        return SQL(
            """
            SELECT ((COALESCE(event.user_id, 0)::bigint * 1000 + event.company_id)
                    * 100000 + (event.date - DATE '2000-01-01')) * 8
                       + %(kind_rank)s AS id,
                   event.date, event.kind, event.user_id, event.company_id,
                   event.currency_id,
                   SUM(event.event_count)::bigint AS event_count,
                   %(measures)s
              FROM %(layer)s event
          GROUP BY event.date, event.kind, event.user_id, event.company_id,
                   event.currency_id
            """,
            kind_rank=kind_rank,
            measures=measures,
            layer=layer,
        )

    @api.model
    def _event_query(self):
        """One row per event, with its document (``res_id``) and its client
        (``partner_id``, the commercial partner)."""
        return SQL(
            """
            WITH booking AS (%(bookings)s)
            SELECT event.*, 1 AS event_count, company.currency_id AS currency_id
              FROM (%(events)s) event
              JOIN res_company company ON company.id = event.company_id
            """,
            bookings=self._booking_query(),
            events=SQL(" UNION ALL ").join(
                [
                    self._select_bookings(),
                    self._select_opportunities(),
                    self._select_quotations(),
                    self._select_retained(),
                    self._select_complaints(),
                    self._select_interactions(),
                ]
            ),
        )

    @api.model
    def _booking_query(self):
        """The confirmed bookings with their revenue and margin, from the
        Bookings Analysis so that the two reports agree."""
        return SQL(
            """
            SELECT line.order_id, line.date, line.user_id, line.partner_id,
                   line.company_id,
                   SUM(line.revenue) AS revenue, SUM(line.margin) AS margin
              FROM (%s) line
          GROUP BY line.order_id, line.date, line.user_id, line.partner_id,
                   line.company_id
            """,
            self.env["sputnik.booking.report"]._query(),
        )

    @api.model
    def _row(self, key, kind, date, user, partner, company, res_id, **measures):
        """One event's columns, in the order of every part of the union."""
        columns = [
            SQL("%s * 8 + %s AS id", key, list(SOURCES).index(kind) + 1),
            SQL("(%s)::date AS date", date),
            SQL("%s AS kind", kind),
            SQL("%s AS user_id", user),
            SQL("%s AS partner_id", partner),
            SQL("%s AS company_id", company),
            SQL("%s AS res_id", res_id),
        ]
        for name in MEASURES:
            default = SQL("0.0") if name in ("revenue", "margin") else SQL("0")
            columns.append(
                SQL("%s AS %s", measures.get(name, default), SQL.identifier(name))
            )
        return SQL(", ").join(columns)

    @api.model
    def _select_bookings(self):
        return SQL(
            # the order's date grouped with it, so that a filter on the date
            # reaches the orders' index
            "SELECT %s FROM booking",
            self._row(
                SQL("booking.order_id"),
                "booking",
                SQL("booking.date"),
                SQL("booking.user_id"),
                SQL("booking.partner_id"),
                SQL("booking.company_id"),
                SQL("booking.order_id"),
                revenue=SQL("booking.revenue"),
                margin=SQL("booking.margin"),
                booking_count=SQL("1"),
            ),
        )

    @api.model
    def _select_opportunities(self):
        return SQL(
            """
            SELECT %s
              FROM crm_lead lead
         LEFT JOIN res_partner partner ON partner.id = lead.partner_id
         LEFT JOIN res_users salesperson ON salesperson.id = lead.user_id
            """,
            self._row(
                SQL("lead.id"),
                "opportunity",
                SQL("lead.create_date"),
                SQL("lead.user_id"),
                SQL("partner.commercial_partner_id"),
                SQL("COALESCE(lead.company_id, salesperson.company_id)"),
                SQL("lead.id"),
                request_count=SQL("1"),
            ),
        )

    @api.model
    def _select_quotations(self):
        return SQL(
            """
            SELECT %s
              FROM sale_order so
             WHERE so.sputnik_is_booking
               AND so.opportunity_id IS NULL
            """,
            self._row(
                SQL("so.id"),
                "quotation",
                # an order typed in with an earlier date was requested then
                SQL("LEAST(so.create_date, so.date_order)"),
                SQL("so.user_id"),
                SQL("so.sputnik_client_id"),
                SQL("so.company_id"),
                SQL("so.id"),
                request_count=SQL("1"),
            ),
        )

    @api.model
    def _select_retained(self):
        # per agent, client and month of departure: the first confirmed booking
        # of the client departing in the month, if the client departed with the
        # company on a confirmed booking before that month
        trips = self.env["sputnik.trip"]._sputnik_trip_sql()
        return SQL(
            """
            SELECT %s
              FROM (
                SELECT DISTINCT ON (trip.user_id, trip.partner_id, trip.company_id,
                                    date_trunc('month', trip.date_start))
                       trip.id, trip.user_id, trip.partner_id, trip.company_id,
                       date_trunc('month', trip.date_start) AS month
                  FROM (%s) trip
                 WHERE EXISTS (
                       SELECT 1
                         FROM (%s) earlier
                        WHERE earlier.partner_id = trip.partner_id
                          AND earlier.company_id = trip.company_id
                          AND earlier.date_start
                              < date_trunc('month', trip.date_start)
                   )
              ORDER BY trip.user_id, trip.partner_id, trip.company_id,
                       date_trunc('month', trip.date_start), trip.id
              ) retained
            """,
            self._row(
                SQL("retained.id"),
                "retained",
                SQL("retained.month"),
                SQL("retained.user_id"),
                SQL("retained.partner_id"),
                SQL("retained.company_id"),
                SQL("retained.id"),
                retained_count=SQL("1"),
            ),
            trips,
            trips,
        )

    @api.model
    def _select_complaints(self):
        return SQL(
            """
            SELECT %s
              FROM sputnik_complaint complaint
              JOIN res_partner partner ON partner.id = complaint.partner_id
         LEFT JOIN sale_order so ON so.id = complaint.order_id
            """,
            self._row(
                SQL("complaint.id"),
                "complaint",
                SQL("complaint.date_open"),
                SQL("COALESCE(so.user_id, complaint.user_id)"),
                SQL("partner.commercial_partner_id"),
                SQL("complaint.company_id"),
                SQL("complaint.id"),
                complaint_count=SQL("1"),
            ),
        )

    @api.model
    def _select_interactions(self):
        return SQL(
            """
            SELECT %s
              FROM sputnik_interaction interaction
         LEFT JOIN res_partner partner ON partner.id = interaction.partner_id
             WHERE NOT COALESCE(interaction.automatic, FALSE)
            """,
            self._row(
                SQL("interaction.id"),
                "interaction",
                SQL("interaction.date"),
                SQL("interaction.user_id"),
                SQL("partner.commercial_partner_id"),
                SQL("interaction.company_id"),
                SQL("interaction.id"),
                interaction_count=SQL("1"),
            ),
        )

    # === ACTIONS === #
    def _res_ids(self):
        """The ids of the row's documents, from the layer's events of its
        day, kind, agent and company."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT event.res_id FROM %s event
                    WHERE event.date = %s AND event.kind = %s
                      AND event.user_id IS NOT DISTINCT FROM %s
                      AND event.company_id = %s
                 ORDER BY event.res_id""",
                SQL.identifier(self._sputnik_layer_table()),
                self.date,
                self.kind,
                self.user_id.id or None,
                self.company_id.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def action_open_document(self):
        """Open the row's booking, opportunity, complaint or interaction (its
        form, if the user may read it), or the list of its documents."""
        self.ensure_one()
        model = SOURCES[self.kind]
        ids = self._res_ids()
        label = dict(self._fields["kind"]._description_selection(self.env))[self.kind]
        if len(ids) == 1:
            refusal = self.env._("You may not open this %(what)s.", what=label.lower())
            return self._sputnik_form_action(self.env[model].browse(ids), refusal)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "%(what)s of %(agent)s, %(date)s",
                what=label,
                agent=self.user_id.display_name or "",
                date=self.date.strftime("%d.%m.%Y"),
            ),
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", ids)],
            "context": {"create": False},
        }
