from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # whoever validates (a stock user, a manager), the departures follow:
        # sudo to find them whatever the user may read, after the receipt was
        # validated with the user's rights (private method)
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming")
        departures = (
            self.env["sputnik.departure"]
            .sudo()
            .search([("product_id", "in", receipts.move_ids.product_id.ids)])
        )
        if departures:
            # a receipt puts seats on hand: they may be offered to the waitlist
            departures._sputnik_seats_freed()
        return res
