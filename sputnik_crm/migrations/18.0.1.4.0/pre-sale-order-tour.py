from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    """The tour of each booking (its first departure's), filled in one
    statement rather than computed order by order by the ORM."""
    if not version or column_exists(cr, "sale_order", "sputnik_tour_id"):
        return
    create_column(cr, "sale_order", "sputnik_tour_id", "int4")
    cr.execute(
        """
        UPDATE sale_order so
           SET sputnik_tour_id = first.tour_id
          FROM (
                SELECT DISTINCT ON (line.order_id) line.order_id, departure.tour_id
                  FROM sale_order_line line
                  JOIN sputnik_departure departure
                    ON departure.id = line.sputnik_departure_id
              ORDER BY line.order_id, departure.date_start, departure.id
               ) first
         WHERE first.order_id = so.id
        """
    )
