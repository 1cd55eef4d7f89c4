from odoo import api, fields, models
from odoo.tools.sql import create_index


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "sputnik.system.fields.mixin"]

    sputnik_booking_id = fields.Many2one(
        comodel_name="sale.order",
        string="Booking",
        compute="_compute_sputnik_booking",
        store=True,
        recursive=True,
        readonly=True,
        index=True,
        check_company=True,
        help="Booking invoiced by this customer invoice or credit note: the order of "
        "its first invoice line that comes from a booking; for a credit note without "
        "such lines, the booking of the invoice it reverses.",
    )
    sputnik_departure_id = fields.Many2one(
        comodel_name="sputnik.departure",
        string="Departure",
        compute="_compute_sputnik_booking",
        store=True,
        recursive=True,
        readonly=True,
        index=True,
        help="Departure of the first invoiced booking line that has one (of the "
        "booking, for a deposit); for a credit note without such lines, the "
        "departure of the invoice it reverses.",
    )

    def init(self):
        res = super().init()
        # a client's customer invoices, read when a booking or a payment
        # classifies the client again (sputnik.classification)
        create_index(
            self.env.cr,
            indexname="account_move_sputnik_customer_invoice_index",
            tablename="account_move",
            expressions=["commercial_partner_id"],
            where="move_type = 'out_invoice' AND state = 'posted'",
        )
        return res

    @api.depends(
        "move_type",
        "invoice_line_ids.sale_line_ids.order_id",
        "invoice_line_ids.sale_line_ids.sputnik_departure_id",
        "invoice_line_ids.sale_line_ids.order_id.order_line.sputnik_departure_id",
        "reversed_entry_id.sputnik_booking_id",
        "reversed_entry_id.sputnik_departure_id",
    )
    def _compute_sputnik_booking(self):
        # The ORM prefetches the lines, their sale lines and orders for the whole
        # recordset at once: no query per invoice.
        for move in self:
            if move.move_type not in ("out_invoice", "out_refund"):
                move.sputnik_booking_id = False
                move.sputnik_departure_id = False
                continue
            sale_lines = move.invoice_line_ids.sale_line_ids
            booking = sale_lines.order_id[:1]
            # a deposit (down payment) line books no departure itself: the
            # departure of its booking
            departure = (
                sale_lines.sputnik_departure_id
                or booking.order_line.sputnik_departure_id
            )[:1]
            reversed_move = move.reversed_entry_id
            if move.move_type == "out_refund" and reversed_move:
                booking = booking or reversed_move.sputnik_booking_id
                departure = departure or reversed_move.sputnik_departure_id
            move.sputnik_booking_id = booking
            move.sputnik_departure_id = departure

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if posted.filtered(lambda m: m.move_type in ("out_invoice", "out_refund")):
            self.env["sputnik.report.mixin"]._sputnik_money_changed()
        return posted

    def button_draft(self):
        posted_invoices = self.filtered(
            lambda m: m.state == "posted"
            and m.move_type in ("out_invoice", "out_refund")
        )
        res = super().button_draft()
        if posted_invoices:
            # an invoice or credit note taken back: the money reports drop it
            self.env["sputnik.report.mixin"]._sputnik_money_changed()
        return res

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        # the client is classified just after this request (see
        # sputnik_classification_queue)
        self.env["sputnik.classification"]._queue(
            invoices.commercial_partner_id, source="invoice"
        )
        self.env["sputnik.interaction"]._capture(
            [
                {
                    "event_key": f"invoice_paid:{invoice.id}",
                    "name": self.env._("Invoice %(name)s paid", name=invoice.name),
                    "interaction_type": "payment",
                    "partner_id": invoice.commercial_partner_id.id,
                    "user_id": invoice.invoice_user_id.id,
                    "order_id": invoice.sputnik_booking_id.id,
                    "company_id": invoice.company_id.id,
                    "stage": "after_sale",
                }
                for invoice in invoices
            ]
        )
        return res
