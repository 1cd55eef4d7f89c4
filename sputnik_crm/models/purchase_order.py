from odoo import models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def _sputnik_departures(self):
        # whoever buys (a purchase user, a manager), the departures follow:
        # sudo to find them whatever the buyer may read; called after the
        # purchase order was confirmed or cancelled with the user's rights
        return (
            self.env["sputnik.departure"]
            .sudo()
            .search([("product_id", "in", self.order_line.product_id.ids)])
        )

    def button_confirm(self):
        res = super().button_confirm()
        self.env["sputnik.seat.engine"]._sputnik_refresh_state(
            self._sputnik_departures()
        )
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self.env["sputnik.seat.engine"]._sputnik_refresh_state(
            self._sputnik_departures()
        )
        return res
