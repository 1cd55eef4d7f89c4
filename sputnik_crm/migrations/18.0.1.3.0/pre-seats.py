from odoo.tools import sql


def migrate(cr, version):
    """The seat counter of the departures was left empty: start it at 0."""
    if sql.column_exists(cr, "sputnik_departure", "seat_version"):
        cr.execute(
            "UPDATE sputnik_departure SET seat_version = 0 WHERE seat_version IS NULL"
        )
