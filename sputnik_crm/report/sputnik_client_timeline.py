from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.sql import create_index

KINDS = [
    ("interaction", "Interaction"),
    ("booking", "Booking"),
    ("invoice", "Invoice"),
    ("refund", "Credit Note"),
    ("payment", "Payment"),
    ("mailing", "Mailing"),
    ("complaint", "Complaint"),
]
# kind -> the field (model, name) whose value the row's detail gives
DETAILS = {
    "interaction": ("sputnik.interaction", "interaction_type"),
    "booking": ("sale.order", "sputnik_status"),
    "invoice": ("account.move", "payment_state"),
    "refund": ("account.move", "payment_state"),
    "payment": ("account.payment", "state"),
    "mailing": ("mailing.trace", "trace_status"),
    "complaint": ("sputnik.complaint", "stage"),
}
# kind -> model of the row's document
SOURCES = {
    "interaction": "sputnik.interaction",
    "booking": "sale.order",
    "invoice": "account.move",
    "refund": "account.move",
    "payment": "account.payment",
    "mailing": "mailing.trace",
    "complaint": "sputnik.complaint",
}


def _is_id_leaf(leaf):
    return (
        isinstance(leaf, list | tuple)
        and len(leaf) == 3
        and leaf[0] == "id"
        and leaf[1] == "in"
        and isinstance(leaf[2], list | tuple)
        and all(isinstance(i, int) for i in leaf[2])
    )


class SputnikClientTimeline(models.Model):
    """The client's history in one place: interactions, bookings, invoices,
    credit notes, payments and mailings, newest first. One SQL view; each row
    opens its document, under the user's own access rights."""

    _name = "sputnik.client.timeline"
    _description = "Client Timeline"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "name"

    date = fields.Datetime(readonly=True)
    # auto_join: the agents' rule on the client's agent (``partner_id.user_id``)
    # joins the client of each row of the one client's history, instead of
    # listing every client of the agent in a subquery (hundreds of thousands
    # on a large base); the rows stay under the timeline's own rules
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, auto_join=True
    )
    kind = fields.Selection(KINDS, string="What", readonly=True)
    name = fields.Char(string="Description", readonly=True)
    detail_key = fields.Char(readonly=True)
    detail = fields.Char(
        compute="_compute_detail",
        help="The state of the row's document (its type for an interaction).",
    )
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    res_id = fields.Integer(string="Document ID", readonly=True)

    # one client's history is opened by its client (``partner_id = X``), which
    # PostgreSQL pushes into each branch of the view: each branch reads its
    # documents of that client through one of these indexes (sale orders,
    # interactions and complaints have theirs on the client already)
    _client_indexes = [
        (
            "account_move_sputnik_timeline_index",
            "account_move",
            ["commercial_partner_id"],
            "move_type IN ('out_invoice', 'out_refund') AND state = 'posted'",
        ),
        (
            "account_payment_sputnik_timeline_index",
            "account_payment",
            ["partner_id"],
            "partner_type = 'customer' AND payment_type = 'inbound'",
        ),
        (
            "mailing_trace_sputnik_timeline_index",
            "mailing_trace",
            ["res_id"],
            "model = 'res.partner' AND sent_datetime IS NOT NULL",
        ),
    ]

    def init(self):
        result = super().init()
        for name, table, columns, where in self._client_indexes:
            create_index(self.env.cr, name, table, columns, where=where)
        return result

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT i.id * 10 + 1 AS id, i.date, i.partner_id,
                   'interaction' AS kind, i.name,
                   i.interaction_type AS detail_key, NULL::numeric AS amount,
                   NULL::int AS currency_id, i.user_id, i.company_id, i.id AS res_id
              FROM sputnik_interaction i
            UNION ALL
            SELECT so.id * 10 + 2, so.date_order, so.sputnik_client_id,
                   'booking', so.name, so.sputnik_status, so.amount_total,
                   so.currency_id, so.user_id, so.company_id, so.id
              FROM sale_order so
             WHERE so.sputnik_client_id IS NOT NULL
            UNION ALL
            SELECT m.id * 10 + 3, m.invoice_date::timestamp, m.commercial_partner_id,
                   CASE WHEN m.move_type = 'out_refund' THEN 'refund'
                        ELSE 'invoice' END,
                   m.name, m.payment_state, m.amount_total, m.currency_id,
                   m.invoice_user_id, m.company_id, m.id
              FROM account_move m
             WHERE m.move_type IN ('out_invoice', 'out_refund')
               AND m.state = 'posted'
            UNION ALL
            SELECT pay.id * 10 + 4, move.date::timestamp, p.commercial_partner_id,
                   'payment', move.name, pay.state, pay.amount, pay.currency_id,
                   NULL::int, pay.company_id, pay.id
              FROM account_payment pay
              JOIN account_move move ON move.id = pay.move_id
              JOIN res_partner p ON p.id = pay.partner_id
             WHERE pay.partner_type = 'customer'
               AND pay.payment_type = 'inbound'
               AND move.state = 'posted'
            UNION ALL
            SELECT t.id * 10 + 5, t.sent_datetime, p.commercial_partner_id,
                   'mailing', mailing.subject, t.trace_status, NULL::numeric,
                   NULL::int, NULL::int, NULL::int, t.id
              FROM mailing_trace t
              JOIN mailing_mailing mailing ON mailing.id = t.mass_mailing_id
              JOIN res_partner p ON p.id = t.res_id
             WHERE t.model = 'res.partner'
               AND t.sent_datetime IS NOT NULL
            UNION ALL
            SELECT c.id * 10 + 6, c.date_open, p.commercial_partner_id,
                   'complaint', c.name || ': ' || c.subject, c.stage,
                   c.compensation_amount, company.currency_id, c.user_id,
                   c.company_id, c.id
              FROM sputnik_complaint c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_company company ON company.id = c.company_id
            """
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """The ORM reads rows by id (``[('id', 'in', ids)]``), which no index
        of the documents answers: a row's id is its document's id times 10
        plus its kind, so the documents' ids (``res_id``) are added to the
        condition, and each branch reads its documents by primary key instead
        of every document of the base."""
        if len(domain) == 1 and _is_id_leaf(domain[0]):
            ids = domain[0][2]
            domain = [*domain, ("res_id", "in", sorted({i // 10 for i in ids}))]
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.depends("kind", "detail_key")
    @api.depends_context("lang")
    def _compute_detail(self):
        """The detail in words of the user's language: the label of the value
        of the field DETAILS names for the row's kind."""
        labels = {}
        for kind, (model, fname) in DETAILS.items():
            field = self.env[model]._fields.get(fname)
            labels[kind] = (
                dict(field._description_selection(self.env))
                if field and field.type == "selection"
                else {}
            )
        for row in self:
            key = row.detail_key
            row.detail = labels.get(row.kind, {}).get(key, key) if key else False

    def action_open_document(self):
        """Open the row's document, if the user may read it."""
        self.ensure_one()
        model = SOURCES[self.kind]
        record = self.env[model].browse(self.res_id)
        try:
            record.check_access("read")
        except AccessError as error:
            raise AccessError(
                self.env._(
                    "You may not open this %(what)s of %(client)s.",
                    what=dict(KINDS)[self.kind].lower(),
                    client=self.partner_id.display_name,
                )
            ) from error
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _sputnik_for_client(self, partner):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sputnik_crm.sputnik_client_timeline_action"
        )
        action["domain"] = [("partner_id", "=", partner.commercial_partner_id.id)]
        action["display_name"] = self.env._(
            "History of %(client)s", client=partner.commercial_partner_id.display_name
        )
        return action
