def migrate(cr, version):
    """The seat counter of the departures was left empty: start it at 0."""
    cr.execute(
        "UPDATE sputnik_departure SET seat_version = 0 WHERE seat_version IS NULL"
    )
