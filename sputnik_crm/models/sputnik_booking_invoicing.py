from odoo import api, fields, models


class SputnikBookingInvoicing(models.AbstractModel):
    """How a booking is invoiced: its deposit at confirmation, its balance
    (at confirmation inside the balance window, else by the daily run), and
    credit notes when it is cancelled (its penalty, see sale_order_penalty)."""

    _name = "sputnik.booking.invoicing"
    _description = "Invoicing of Bookings"

    @api.model
    def _sputnik_invoice_deposit(self, orders):
        """Invoice the deposit of confirmed bookings as a down payment."""
        for order in orders:
            percent = order.company_id.sputnik_deposit_percent
            if not percent or order.amount_total <= 0:
                continue
            # sudo: an agent confirms bookings without accounting rights; run
            # from action_confirm only, after the user's write access on the
            # orders is checked (or from the portal's own sudo confirmation)
            wizard = (
                self.env["sale.advance.payment.inv"]
                .sudo()
                .with_company(order.company_id)
                .with_context(active_model="sale.order", active_ids=order.ids)
                .create(
                    {
                        "advance_payment_method": "percentage",
                        "amount": percent,
                        "sale_order_ids": [(6, 0, order.ids)],
                    }
                )
            )
            # dated at once, as its posting would date it: the posting then
            # does not write the date and rebuild the due lines after it
            invoice = wizard.with_context(
                sputnik_invoice_date=fields.Date.context_today(order)
            )._create_invoices(order)
            invoice.action_post()

    @api.model
    def _sputnik_invoice_balance(self, orders):
        """Invoice the rest of the bookings' price, due on their balance due
        date (today at the earliest), and post it."""
        invoices = self.env["account.move"]
        for order in orders:
            # sudo: an agent invoices a balance without accounting rights;
            # action_sputnik_invoice_balance checks the group and the write
            # access on the orders first, the cron runs as the system
            invoice = order.sudo()._create_invoices(final=True)
            if order.sputnik_balance_due_date:
                due = max(
                    order.sputnik_balance_due_date, fields.Date.context_today(self)
                )
                invoice.invoice_payment_term_id = False
                invoice.invoice_date_due = due
            invoice.action_post()
            invoices |= invoice
        return invoices.sudo(False)

    @api.model
    def _sputnik_credit_invoices(self, invoices):
        """Credit notes for the posted invoices of cancelled bookings: an unpaid
        invoice is closed by its credit note, a paid one leaves the client a
        credit, which pays the penalty first (_sputnik_invoice_penalties); the
        rest is for the accountants to refund."""
        today = fields.Date.context_today(self)
        # sudo: credit notes of a cancellation the user could write (called
        # from _action_cancel after super wrote the orders), without
        # accounting rights
        invoices = invoices.sudo()
        for invoice in invoices:
            unpaid = invoice.payment_state == "not_paid"
            credit = invoice._reverse_moves(
                [
                    {
                        "ref": self.env._(
                            "Cancellation of %(invoice)s", invoice=invoice.name
                        ),
                        "invoice_date": today,
                    }
                ],
                cancel=unpaid,
            )
            if credit.state == "draft":
                credit.action_post()


class SaleAdvancePaymentInv(models.TransientModel):
    """The deposit invoice of a booking names its tour and dates."""

    _inherit = "sale.advance.payment.inv"

    def _get_down_payment_description(self, order):
        name = super()._get_down_payment_description(order)
        if not order.sputnik_is_booking:
            return name
        # in the client's language, as the invoice is printed
        order = order.with_context(lang=order.partner_id.lang or self.env.lang)
        values = {
            "tour": order.sputnik_tour_id.name,
            "start": order.sputnik_date_start.strftime("%d.%m.%Y"),
            "end": order.sputnik_date_end.strftime("%d.%m.%Y"),
        }
        if self.advance_payment_method == "percentage":
            percent = f"{self.amount:g}"
            return order.env._(
                "Deposit %(percent)s %% — %(tour)s, %(start)s–%(end)s",
                percent=percent,
                **values,
            )
        return order.env._("Deposit — %(tour)s, %(start)s–%(end)s", **values)
