import logging
import threading

from dateutil.relativedelta import relativedelta
from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount

from .sale_order import BALANCE_INVOICE_DAYS
from .sputnik_cron import trigger_cron_once

_logger = logging.getLogger(__name__)

# bookings invoiced by one run of the cron; it runs again at once for the rest
INVOICING_BATCH = 50


class SputnikBookingInvoicing(models.AbstractModel):
    """How a booking is invoiced: its first invoice just after its
    confirmation (the deposit, or the whole price inside the balance window),
    its balance (by the daily run), and, just after its cancellation, credit
    notes of its invoices and the invoice of its penalty (recorded by the
    cancellation, see sale_order_penalty).

    **The invoices follow the confirmation and the cancellation.** A
    confirmation decides the seats and confirms the booking; its first
    invoice (Odoo's down payment: a line on the order, an invoice, its
    posting) would cost more than the rest of the confirmation, as the credit
    notes cost most of a cancellation, and a posted invoice holds the
    journal's next number (``_locked_increment``) until the request commits,
    so that concurrent bookings would commit one after the other. Instead the
    confirmation or the cancellation marks the booking
    ``sputnik_invoicing_pending`` (a column of the row it writes anyway) and
    triggers the invoicing cron, which issues the documents just after the
    request's commit, each booking in a short transaction of its own, as the
    booking's state then asks (confirmed: its first invoice; cancelled: its
    credit notes and penalty); the cron also runs every minute in case a
    trigger was missed. A booking cancelled before its first invoice was
    issued has only its penalty invoiced; one reset to quotation has its
    cancellation settled first, in that request.
    """

    _name = "sputnik.booking.invoicing"
    _description = "Invoicing of Bookings"

    # === THE DOCUMENTS, JUST AFTER THE CONFIRMATION OR CANCELLATION === #
    @api.model
    def _sputnik_queue(self, orders):
        """Issue the documents of the bookings ``orders`` just confirmed or
        cancelled, just after this request: mark them and trigger the
        invoicing cron once per transaction. Called by the confirmation and
        the cancellation, after the user's write access on the orders was
        checked."""
        if not orders:
            return
        # sudo: a field the system keeps, on bookings the user confirms or
        # cancels
        orders.sudo().write({"sputnik_invoicing_pending": True})
        trigger_cron_once(self.env, "sputnik_crm.ir_cron_sputnik_booking_invoicing")

    @api.model
    def _cron_sputnik_invoice_pending(self):
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done, remaining = self._sputnik_invoice_pending(
            limit=INVOICING_BATCH, auto_commit=auto_commit
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    @api.model
    def _sputnik_invoice_pending(self, orders=None, limit=None, auto_commit=False):
        """Issue the documents of the bookings waiting for them (of
        ``orders``, or all of them, at most ``limit``), oldest first, as each
        booking's state asks (see _sputnik_invoice_one); returns (bookings
        done, bookings left waiting).

        Each booking is locked and read again before it is invoiced (a
        booking locked by a request still changing it is left for the next
        run) and invoiced in a savepoint of its own: a booking that cannot be
        invoiced gets a note in its chatter for the accountants and waits no
        more, the others go on. With ``auto_commit`` (the cron), each
        booking is committed at once, so that no lock of one booking or of
        the journal's numbering is held while the next is invoiced.
        """
        domain = [("sputnik_invoicing_pending", "=", True)]
        if orders is not None:
            domain.append(("id", "in", orders.ids))
        # sudo: the system's run (the cron's, the demo's) or the caller's own
        # bookings (the confirmation queued them after checking its rights)
        Order = self.env["sale.order"].sudo()
        pending = Order.search(domain, order="id", limit=limit)
        done = 0
        for order in pending:
            try:
                with self.env.cr.savepoint():
                    if self._sputnik_invoice_one(order):
                        done += 1
            except (
                errors.SerializationFailure,
                errors.LockNotAvailable,
                errors.DeadlockDetected,
            ):
                # changed by a request meanwhile: left for the next run
                _logger.info("Booking %s is being changed: invoiced later", order.id)
            except Exception as failure:  # noqa: BLE001
                # anything else (a missing account, a closed period): the
                # booking waits no more, its chatter says what to do
                _logger.warning("Could not invoice booking %s", order.id, exc_info=True)
                self._sputnik_invoicing_failed(order, failure)
            if auto_commit:
                # the cron's own transaction per booking, never a request's
                self.env.cr.commit()  # pylint: disable=invalid-commit
        left = Order.search_count(domain) if limit else 0
        return done, left

    @api.model
    def _sputnik_invoice_one(self, order, wait=False):
        """Lock ``order`` and, if it still waits for them, issue the documents
        its state asks for: confirmed, its first invoice; cancelled, the
        credit notes of its invoices and its penalty's invoice. Returns
        whether it was done (False: done by another run, or, unless
        ``wait``, locked by a request still changing it)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM sale_order "
                "WHERE id = %s AND sputnik_invoicing_pending FOR UPDATE %s",
                order.id,
                SQL("") if wait else SQL("SKIP LOCKED"),
            )
        )
        if not self.env.cr.fetchone():
            return False
        order.invalidate_recordset()
        # the money reports take the documents with their cron, within the
        # minute, as for the request (rather than a refresh per booking)
        order._sputnik_money_within_a_minute()
        if order.sputnik_is_booking and order.state == "sale":
            self._sputnik_invoice_first(order)
        elif order.sputnik_is_booking and order.state == "cancel":
            self._sputnik_settle_cancellation(order)
        order.sputnik_invoicing_pending = False
        return True

    @api.model
    def _sputnik_invoice_first(self, order):
        """The first invoice of a confirmed booking: inside the balance
        window the whole price, due now; before it, the deposit (the balance
        follows with the daily run). A booking sold as the operator's agent
        also gets the operator's bill, if the operator bills each booking."""
        horizon = fields.Date.context_today(order) + relativedelta(
            days=BALANCE_INVOICE_DAYS
        )
        if (
            order.sputnik_balance_due_date
            and order.sputnik_balance_due_date <= horizon
            and order.amount_total > 0
        ):
            if order.invoice_status == "to invoice":
                self._sputnik_invoice_balance(order)
        else:
            self._sputnik_invoice_deposit(order)
        if order.sputnik_is_agency:
            self.env["sputnik.operator.billing"]._sputnik_bill_bookings(order)

    @api.model
    def _sputnik_settle_cancellation(self, order):
        """A cancelled booking: its posted invoices credited, its recorded
        penalty invoiced and paid by that credit first. An invoice that also
        bills orders still open is left to the accountants (a note says so)."""
        posted = order._sputnik_invoices().filtered(lambda m: not m.reversal_move_ids)
        shared = posted.filtered(
            lambda m: (m.invoice_line_ids.sale_line_ids.order_id - order).filtered(
                lambda other: other.state != "cancel"
            )
        )
        if posted - shared:
            self._sputnik_credit_invoices(posted - shared)
        # the penalty stays invoiced (only recorded where credited by hand)
        order._sputnik_invoice_penalty(shared)
        for invoice in shared:
            order.message_post(
                body=self.env._(
                    "Invoice %(invoice)s also bills other orders: credit the "
                    "lines of this booking by hand, less its penalty.",
                    invoice=invoice.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _sputnik_invoicing_failed(self, order, failure):
        order.sputnik_invoicing_pending = False
        error = failure.args[0] if failure.args else repr(failure)
        if order.state == "cancel":
            body = self.env._(
                "The credit notes and the penalty invoice of this cancelled "
                "booking could not be issued: %(error)s. Issue them by hand "
                "(Credit Note on its invoices, the penalty of %(penalty)s).",
                error=error,
                penalty=format_amount(
                    self.env, order.sputnik_penalty_amount, order.currency_id
                ),
            )
        else:
            body = self.env._(
                "The first invoice of this booking could not be issued: "
                "%(error)s. Issue it by hand (Invoice Balance, or a down "
                "payment from Create Invoice).",
                error=error,
            )
        order.message_post(body=body, subtype_xmlid="mail.mt_note")

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
        # sudo: credit notes of a cancellation the user could make (called
        # by the invoicing run after the cancellation), without accounting
        # rights
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
