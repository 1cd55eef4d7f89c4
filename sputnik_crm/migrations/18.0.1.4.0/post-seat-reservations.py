from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The bookings now hold their seats without a stock reservation (see
    stock.move._should_bypass_reservation): release the reservations made
    before on the departures' seats; their open deliveries become ready."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    departures = env["sputnik.departure"].with_context(active_test=False).search([])
    if departures:
        departures.env["sputnik.seat.engine"]._sputnik_release_reservations(departures)
