from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    """Tours priced in a foreign currency (EUR, USD): their bookings are
    priced and invoiced in it, on a pricelist of that currency; Odoo converts
    each invoice at its date's rate, and a payment in the company's currency
    at its own, with its own exchange difference."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    sputnik_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    sputnik_amount_company = fields.Monetary(
        string="Total in Company Currency",
        currency_field="sputnik_company_currency_id",
        compute="_compute_sputnik_amount_company",
        help="The booking's total at the rate of its order date. Each invoice "
        "converts at its own date's rate.",
    )
    sputnik_invoiced_company = fields.Monetary(
        string="Invoiced in Company Currency",
        currency_field="sputnik_company_currency_id",
        compute="_compute_sputnik_amount_company",
        help="The posted invoices less credit notes, each at its date's rate.",
    )
    sputnik_foreign_currency = fields.Boolean(
        string="In a Foreign Currency", compute="_compute_sputnik_amount_company"
    )

    @api.depends("amount_total", "currency_rate", "invoice_ids.amount_total_signed")
    def _compute_sputnik_amount_company(self):
        for order in self:
            company_currency = order.company_id.currency_id
            order.sputnik_foreign_currency = order.currency_id != company_currency
            order.sputnik_amount_company = company_currency.round(
                order.amount_total / (order.currency_rate or 1.0)
            )
            order.sputnik_invoiced_company = sum(
                order.invoice_ids.filtered(lambda m: m.state == "posted").mapped(
                    "amount_total_signed"
                )
            )

    @api.constrains("currency_id", "order_line")
    def _check_sputnik_tour_currency(self):
        for order in self:
            tours = order.order_line.sputnik_departure_id.tour_id
            foreign = tours.filtered(
                lambda t, order=order: t.sputnik_currency_id
                and t.sputnik_currency_id != order.currency_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Tour %(tour)s is priced in %(currency)s: book it on a "
                        "booking in %(currency)s (its pricelist %(pricelist)s).",
                        tour=foreign[0].display_name,
                        currency=foreign[0].sputnik_currency_id.name,
                        pricelist=self.env["product.pricelist"]
                        ._sputnik_currency_pricelist(
                            foreign[0].sputnik_currency_id, order.company_id
                        )
                        .display_name,
                    )
                )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    def _sputnik_currency_price(self):
        """The seat price of a tour priced in a foreign currency, in the
        line's currency at the order date; None for any other line."""
        tour = self.sputnik_departure_id.tour_id
        if not tour.sputnik_currency_id:
            return None
        date = self._get_order_date()
        company = self.company_id or self.env.company
        currency = self.currency_id or company.currency_id
        price = tour.sputnik_currency_id._convert(
            tour.sputnik_price_currency, currency, company, date
        )
        extra = self.sputnik_departure_id.price_extra
        if extra:
            price += company.currency_id._convert(extra, currency, company, date)
        return price

    def _get_pricelist_price(self):
        price = self._sputnik_currency_price()
        return super()._get_pricelist_price() if price is None else price

    def _get_pricelist_price_before_discount(self):
        price = self._sputnik_currency_price()
        if price is None:
            return super()._get_pricelist_price_before_discount()
        return price


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    @api.model
    def _sputnik_currency_pricelist(self, currency, company):
        """The company's pricelist of bookings in ``currency`` (made once)."""
        # sudo: the pricelist of a currency is the system's, read or made
        # for a user who books a tour priced in it (no value of theirs)
        pricelists = self.sudo()
        pricelist = pricelists.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", (company.id, False)),
            ],
            order="company_id, sequence, id",
            limit=1,
        )
        if not pricelist:
            pricelist = pricelists.create(
                {
                    "name": self.env._("Tours in %(currency)s", currency=currency.name),
                    "currency_id": currency.id,
                    "company_id": company.id,
                }
            )
        return pricelist.sudo(False)
