def migrate(cr, version):
    """The seat decisions no longer lock and bump the departure's row (see
    sputnik.seat.engine): its technical counter goes."""
    if not version:
        return
    cr.execute("ALTER TABLE sputnik_departure DROP COLUMN IF EXISTS seat_version")
