from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _should_bypass_reservation(self, forced_location=False):
        # The seats of a departure are held by its confirmed bookings, counted
        # by the seat engine (sputnik.seat.engine), never by a reservation in
        # stock: a delivery of seats is ready as soon as its booking is
        # confirmed and takes its seats from stock on the trip day. No
        # confirmation, cancellation or change of seats writes the
        # departure's quants, which concurrent bookings would fight over.
        return (
            super()._should_bypass_reservation(forced_location)
            or self.product_id.product_tmpl_id.sputnik_is_tour
        )
