from collections import defaultdict

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # whoever validates (a stock user, a manager), the departures follow:
        # sudo to find them whatever the user may read, after the pickings were
        # validated with the user's rights (private method)
        moves = self.move_ids.filtered(lambda m: m.state == "done")
        departures = (
            self.env["sputnik.departure"]
            .sudo()
            .search([("product_id", "in", moves.product_id.ids)])
        )
        if not departures:
            return res
        by_product = {d.product_id: d for d in departures}
        returned = defaultdict(int)
        for move in moves:
            departure = by_product.get(move.product_id)
            if (
                departure
                and move.location_id.usage == "internal"
                and move.location_dest_id.usage == "supplier"
            ):
                returned[departure.id] += int(move.product_qty)
        if returned:
            # seats going back to the tour operator must be seats no booking
            # holds: through the seat engine, as every change of seats
            self.env["sputnik.seat.engine"].sudo()._sputnik_seats_returned(returned)
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming")
        received = departures.filtered(
            lambda d: d.product_id in receipts.move_ids.product_id
        )
        if received:
            # a receipt puts seats on hand: they may be offered to the waitlist
            self.env["sputnik.seat.engine"].sudo()._sputnik_seats_freed(received)
        return res
