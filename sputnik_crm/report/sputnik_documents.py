"""The documents the bureau prints: the contract on tourist services, the
voucher and the payment schedule of a booking, the rooming list of a
departure, the client statement.

The contract and the rooming list state the travellers' passports: they are
printed by the Sputnik groups only, the documents are read with the printing
user's rights and the read is logged in the personal data log, as any read of
travel documents."""

from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError, UserError

PERSONAL = "sputnik_crm.group_sputnik_user"


def check_personal_data(env):
    """Refuse a printout with passport data to a user of no Sputnik group."""
    if env.su or env.user.has_group(PERSONAL):
        return
    raise AccessError(
        env._("Only travel agents may print the travellers' passport data.")
    )


def travel_documents(env, travellers):
    """The active travel documents of ``travellers`` by traveller id, read
    with the user's rights and logged as read."""
    documents = env["sputnik.travel.document"].search(
        [("partner_id", "in", travellers.ids)]
    )
    env["sputnik.privacy.log"]._sputnik_log_access("document", documents.partner_id)
    by_traveller = defaultdict(lambda: env["sputnik.travel.document"])
    for document in documents:
        by_traveller[document.partner_id.id] |= document
    return by_traveller


def check_bookings(orders):
    not_bookings = orders.filtered(lambda o: not o.sputnik_is_booking)
    if not_bookings:
        raise UserError(
            orders.env._(
                "%(names)s book no departure: print their quotation instead.",
                names=", ".join(not_bookings.mapped("name")),
            )
        )


class ReportBookingContract(models.AbstractModel):
    _name = "report.sputnik_crm.report_booking_contract"
    _description = "Contract on Tourist Services"

    @api.model
    def _get_report_values(self, docids, data=None):
        check_personal_data(self.env)
        orders = self.env["sale.order"].browse(docids)
        check_bookings(orders)
        return {
            "doc_ids": docids,
            "doc_model": "sale.order",
            "docs": orders,
            "documents": travel_documents(self.env, orders.sputnik_traveller_ids),
            "schedules": orders._sputnik_payment_schedule(),
            "penalties": {order.id: self._penalty_terms(order) for order in orders},
        }

    @api.model
    def _penalty_terms(self, order):
        """The cancellation schedule of the booking's first tour in its
        company, longest notice first, and the bureau's fee."""
        tour = order.order_line.sputnik_departure_id.sorted("date_start")[:1].tour_id
        rules = self.env["sputnik.penalty.rule"]._sputnik_schedule(
            tour, order.company_id
        )
        # sudo: the bureau's fee of the operator, a setting of the bureau
        # printed in the contract of a booking the user may read
        operator = tour.sudo().sputnik_operator_id.with_company(order.company_id)
        fee = (
            operator.sputnik_cancel_fee or order.company_id.sputnik_cancel_fee
            if tour
            else 0.0
        )
        return {
            "rules": rules.sorted(lambda r: -r.days_from),
            "fee": fee,
            "currency": order.company_id.currency_id,
        }


class ReportBookingVoucher(models.AbstractModel):
    _name = "report.sputnik_crm.report_booking_voucher"
    _description = "Tourist Voucher"

    @api.model
    def _get_report_values(self, docids, data=None):
        orders = self.env["sale.order"].browse(docids)
        check_bookings(orders)
        return {"doc_ids": docids, "doc_model": "sale.order", "docs": orders}


class ReportBookingPaymentSchedule(models.AbstractModel):
    _name = "report.sputnik_crm.report_booking_payment_schedule"
    _description = "Payment Schedule"

    @api.model
    def _get_report_values(self, docids, data=None):
        orders = self.env["sale.order"].browse(docids)
        check_bookings(orders)
        cancelled = orders.filtered(lambda o: o.state == "cancel")
        if cancelled:
            raise UserError(
                self.env._(
                    "%(names)s are cancelled: they have no payment schedule.",
                    names=", ".join(cancelled.mapped("name")),
                )
            )
        return {
            "doc_ids": docids,
            "doc_model": "sale.order",
            "docs": orders,
            "schedules": orders._sputnik_payment_schedule(),
        }


class ReportDepartureManifest(models.AbstractModel):
    _name = "report.sputnik_crm.report_departure_manifest"
    _description = "Rooming List"

    @api.model
    def _get_report_values(self, docids, data=None):
        check_personal_data(self.env)
        departures = self.env["sputnik.departure"].browse(docids)
        bookings = {departure.id: [] for departure in departures}
        travellers = self.env["res.partner"]
        for departure in departures:
            lines = departure.booking_line_ids.filtered(
                lambda line: line.order_id.state == "sale"
            )
            for order in lines.order_id.sorted("name"):
                seats = sum(
                    lines.filtered(lambda line, o=order: line.order_id == o).mapped(
                        "product_uom_qty"
                    )
                )
                bookings[departure.id].append(
                    {
                        "order": order,
                        "seats": int(seats),
                        "travellers": order.sputnik_traveller_ids,
                    }
                )
                travellers |= order.sputnik_traveller_ids
        return {
            "doc_ids": docids,
            "doc_model": "sputnik.departure",
            "docs": departures,
            "bookings": bookings,
            "documents": travel_documents(self.env, travellers),
        }


class ReportClientStatement(models.AbstractModel):
    _name = "report.sputnik_crm.report_client_statement"
    _description = "Client Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        statements = self.env["sputnik.client.statement"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "sputnik.client.statement",
            "docs": statements,
            "statements": {
                statement.id: statement._sputnik_statement() for statement in statements
            },
        }
