import logging
from collections import defaultdict
from contextlib import closing

from psycopg2 import errors
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import SUPERUSER_ID, api, fields, models, sql_db
from odoo.exceptions import UserError
from odoo.tools import SQL

from .sputnik_departure import OPEN_STATES, SEAT_KEYS

_logger = logging.getLogger(__name__)

# the departures whose state is refreshed after the request's commit
REFRESH_AFTER_COMMIT = "sputnik_seat_refresh"
# key1 of the advisory locks that queue the seat decisions of a departure
# (key2: the departure's id); no other lock of the database uses it
SEAT_LOCK_SPACE = 0x5EA7
# how long a seat decision waits for the one before it on the same departure
SEAT_LOCK_TIMEOUT = "10s"
# claims of finished transactions are kept this long for the requests whose
# snapshot was taken before their commit, then deleted
CLAIM_KEPT = "1 hour"


class SputnikSeatEngine(models.AbstractModel):
    """The one entry point of every change of the seats of departures.

    A change of booked seats (a confirmation, a cancellation, a line's seats or
    departure) calls ``_sputnik_seats_changed``; a return of seats to the tour
    operator calls ``_sputnik_seats_returned``. Both count the seats from the
    bookings themselves (``sputnik.departure._get_seat_figures``: seats on hand
    minus the seats of confirmed bookings not yet travelled), refuse what would
    take more seats than the departure has, move the departures' state along
    and re-offer freed seats to their waitlist.

    **The seat decision is as short as itself.** Odoo runs a request in one
    REPEATABLE READ transaction: it cannot see what concurrent requests do
    until they commit, and a lock it takes is held until its own commit (after
    the stock moves, the deposit invoice and the classification of a
    confirmation). So the decision is made in a short transaction of its own
    (``_sputnik_claim``), queued per departure behind an advisory lock held
    for a few milliseconds, which records a *claim*: seats taken by a request
    that has not committed yet. Each decision counts, besides what its
    request sees, the claims of the other requests still running or committed
    after its request's snapshot. A claim dies with its request: when the
    request commits, its bookings hold the seats; when it rolls back, its
    seats are free again. No request waits for another one's whole
    confirmation, and none is replayed because of the seats.
    """

    _name = "sputnik.seat.engine"
    _description = "Seat Engine of Departures"

    def init(self):
        res = super().init()
        # the claims are technical rows of the seat decisions, written and read
        # in SQL by this engine only (no model: no user reads or writes them)
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS sputnik_seat_claim (
                id bigserial PRIMARY KEY,
                departure_id integer NOT NULL,
                seats integer NOT NULL,
                xact xid8 NOT NULL,
                create_date timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
            );
            CREATE INDEX IF NOT EXISTS sputnik_seat_claim_departure_id_index
                ON sputnik_seat_claim (departure_id);
            """
        )
        return res

    # === ENTRY POINTS === #
    @api.model
    def _sputnik_seats_changed(self, before, after, history=False):
        """Seats booked on departures changed: ``before`` and ``after`` are
        {departure id: seats of confirmed bookings} of the records changed,
        read before and after the change was written.

        Every departure gaining seats must be open for sale and keep no more
        seats for its confirmed bookings (and the claims of concurrent
        requests) than it has on hand, or a UserError names the first
        departure at fault (the whole change is then rolled back). Then the
        departures' state moves along and freed seats go to the waitlist.

        ``history``: the change is made by the system itself (an import of
        past bookings as superuser): departures that have already left are
        history, their seats no longer for sale, and take such bookings
        without seats.
        """
        today = fields.Date.context_today(self)
        ids = sorted(set(before) | set(after))
        gained = {
            dep_id: after.get(dep_id, 0) - before.get(dep_id, 0)
            for dep_id in ids
            if after.get(dep_id, 0) > before.get(dep_id, 0)
        }
        freed = [
            dep_id for dep_id in ids if after.get(dep_id, 0) < before.get(dep_id, 0)
        ]
        Departure = self.env["sputnik.departure"]
        departures = Departure.browse(ids).exists()
        if not departures:
            return
        states = dict(Departure._fields["state"]._description_selection(self.env))
        taking = Departure
        for departure in departures.filtered(lambda d: d.id in gained):
            if history and departure.date_start <= today:
                continue
            if departure.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Departure %(name)s is %(state)s: it takes no booking.",
                        name=departure.display_name,
                        state=states[departure.state],
                    )
                )
            taking |= departure
        # the figures are read by _read_group, which flushes what it reads
        figures = departures._get_seat_figures()
        others = self._sputnik_take(taking, gained, figures)
        self._sputnik_refresh_state(departures, figures, others)
        self._sputnik_refresh_after_commit(departures)
        if freed:
            self.env["sputnik.waitlist"]._offer_freed_seats(Departure.browse(freed))

    @api.model
    def _sputnik_seats_returned(self, returned):
        """Seats went back to the tour operator: ``returned`` is {departure id:
        seats}. They must not be seats that bookings hold."""
        departures = self.env["sputnik.departure"].browse(sorted(returned)).exists()
        if not departures:
            return
        self.env.flush_all()
        figures = departures._get_seat_figures()
        others = self._sputnik_take(departures, returned, figures, returning=True)
        self._sputnik_refresh_state(departures, figures, others)
        self._sputnik_refresh_after_commit(departures)

    def _sputnik_refresh_after_commit(self, departures):
        """Refresh the state of ``departures`` again once this request has
        committed: its own refresh saw the seats as of its snapshot, and a
        concurrent request may have moved them since (the last seat taken, a
        seat freed) without either seeing the other's change."""
        postcommit = self.env.cr.postcommit
        if REFRESH_AFTER_COMMIT not in postcommit.data:
            postcommit.data[REFRESH_AFTER_COMMIT] = set()
            dbname = self.env.cr.dbname

            @postcommit.add
            def refresh():
                ids = postcommit.data.pop(REFRESH_AFTER_COMMIT, set())
                try:
                    self._sputnik_refresh_committed(dbname, ids)
                except Exception:
                    # the state stays as the request left it, until the next
                    # seat change or the daily seat check
                    _logger.warning(
                        "Could not refresh the state of departures %s after a "
                        "change of their seats",
                        sorted(ids),
                        exc_info=True,
                    )

        postcommit.data[REFRESH_AFTER_COMMIT].update(departures.ids)

    @api.model
    def _sputnik_refresh_committed(self, dbname, ids):
        """Refresh the state of departures ``ids`` from the committed seats
        (and the claims of requests still running), in a short transaction of
        its own queued behind their seat decisions."""
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            # asynchronous commit: the request waiting for this refresh after
            # its own commit does not wait for the disk; a state lost in a
            # crash is set again by the next seat change or the daily check
            cr.execute(
                SQL(
                    "SELECT set_config('lock_timeout', %s, true), "
                    "set_config('synchronous_commit', 'off', true)",
                    SEAT_LOCK_TIMEOUT,
                )
            )
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            engine = env[self._name]
            departures = env["sputnik.departure"].browse(sorted(ids)).exists()
            engine._sputnik_lock(departures)
            engine._sputnik_refresh_state(
                departures, others=engine._sputnik_claimed_by_others(departures.ids)
            )
            env.flush_all()
            # the refresh's own transaction, after the request's commit
            cr.commit()  # pylint: disable=invalid-commit

    # === FIGURES AND INVARIANT === #
    @api.model
    def _sputnik_figures(self, records):
        """Seats of every departure in ``records``, in one statement of three
        grouped sums for the whole recordset:

        - ``purchased`` / ``received``: confirmed purchase order lines;
        - ``on_hand``: received seats still in stock (not travelled); for a
          departure sold as the operator's agent, its allotment (the
          operator's quota) less the seats travelled;
        - ``sold``: seats of confirmed bookings;
        - ``reserved``: seats of confirmed bookings not yet delivered (the
          travellers have not left);
        - ``free``: on hand minus reserved, what can still be sold;
        - ``stock_reserved``: what stock holds reserved, which should be
          nothing: the bookings hold their seats without a reservation.

        Free seats come from the bookings themselves, never from the stock
        reservations: a reservation left behind cannot make seats disappear.
        """
        result = {
            d.id: dict.fromkeys((*SEAT_KEYS, "stock_reserved"), 0) for d in records
        }
        # the seats are counted in SQL from stock, purchases and sales that an
        # agent may not read; only the totals of these departures (which the
        # caller could read) come out, never a record
        departures = records.filtered("product_id")
        if not departures:
            return result
        by_key = {(d.product_id.id, d.company_id.id): d.id for d in departures}
        product_ids = departures.product_id.ids
        company_ids = departures.company_id.ids
        # the three sums in one statement (a decision reads them twice per
        # confirmation): what is written in this transaction first, as a
        # grouped read would flush it; no record rule applies (the seats
        # are read whoever asks: their figures are not personal and every
        # booking agent needs them, read-only), nor an archived location
        # left out, as for the grouped reads this replaces
        self.env["stock.quant"].flush_model(
            ["product_id", "company_id", "location_id", "quantity", "reserved_quantity"]
        )
        self.env["stock.location"].flush_model(["usage"])
        self.env["purchase.order.line"].flush_model(
            ["product_id", "company_id", "state", "product_qty", "qty_received"]
        )
        self.env["sale.order.line"].flush_model(
            ["sputnik_departure_id", "state", "product_uom_qty", "qty_delivered"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT 'quant', q.product_id, q.company_id,
                       SUM(q.quantity), SUM(q.reserved_quantity)
                  FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id
                 WHERE q.product_id = ANY(%(products)s)
                   AND q.company_id = ANY(%(companies)s)
                   AND l.usage = 'internal'
                 GROUP BY q.product_id, q.company_id
                 UNION ALL
                SELECT 'purchase', pol.product_id, pol.company_id,
                       SUM(pol.product_qty), SUM(pol.qty_received)
                  FROM purchase_order_line pol
                 WHERE pol.product_id = ANY(%(products)s)
                   AND pol.company_id = ANY(%(companies)s)
                   AND pol.state IN ('purchase', 'done')
                 GROUP BY pol.product_id, pol.company_id
                 UNION ALL
                SELECT 'sale', sol.sputnik_departure_id, NULL,
                       SUM(sol.product_uom_qty), SUM(sol.qty_delivered)
                  FROM sale_order_line sol
                 WHERE sol.sputnik_departure_id = ANY(%(departures)s)
                   AND sol.state = 'sale'
                 GROUP BY sol.sputnik_departure_id
                """,
                products=product_ids,
                companies=company_ids,
                departures=departures.ids,
            )
        )
        for kind, key, company_id, first, second in self.env.cr.fetchall():
            first, second = first or 0, second or 0
            if kind == "sale":
                result[key]["sold"] = int(first)
                result[key]["reserved"] = max(int(first - second), 0)
                continue
            dep_id = by_key.get((key, company_id))
            if not dep_id:
                continue
            if kind == "quant":
                result[dep_id]["on_hand"] = int(first)
                result[dep_id]["stock_reserved"] = int(second)
            else:
                result[dep_id]["purchased"] = int(first)
                result[dep_id]["received"] = int(second)
        # sold as the operator's agent: no seat is bought, the operator's quota
        # (the allotment) is on hand until its travellers leave
        for departure in departures.filtered(lambda d: d.sale_mode == "agent"):
            figures = result[departure.id]
            travelled = figures["sold"] - figures["reserved"]
            figures["on_hand"] = max(departure.allotment_seats - travelled, 0)
            figures["stock_reserved"] = 0
        for figures in result.values():
            figures["free"] = max(figures["on_hand"] - figures["reserved"], 0)
        return result

    @api.model
    def _sputnik_problems(self, departures):
        """{departure: [what is wrong with its seats]} for the departures of
        ``departures`` whose seats do not add up, in the queries of their figures:

        - more seats held by confirmed bookings than on hand (overbooked);
        - seats reserved in stock (the bookings hold their seats without
          a reservation: see stock.move._should_bypass_reservation);
        - a state that its seats and dates no longer give.
        """
        figures = self._sputnik_figures(departures)
        problems = {}
        for departure in departures:
            seats = figures[departure.id]
            found = []
            if seats["reserved"] > seats["on_hand"]:
                found.append(
                    self.env._(
                        "%(reserved)s seats are held by confirmed bookings but only "
                        "%(on_hand)s are on hand.",
                        reserved=seats["reserved"],
                        on_hand=seats["on_hand"],
                    )
                )
            if seats["stock_reserved"]:
                found.append(
                    self.env._(
                        "%(count)s seats are reserved in stock: the bookings hold "
                        "their seats without a reservation, no one needs these.",
                        count=seats["stock_reserved"],
                    )
                )
            if found:
                problems[departure] = found
        return problems

    @api.model
    def _sputnik_check_and_repair(self, departures):
        """Check and repair the seats of these departures: stock reservations
        of their seats are released (the bookings hold the seats), the state
        follows the seats. Every difference found is posted on its departure, with what
        was repaired and what is still wrong; returns the differences found
        and those left, each {departure: [texts]}."""
        # The seat engine's work is done under the departures' lock by the
        # system: the caller's rights were checked by the action or the cron
        departures = departures.sudo()
        found = self._sputnik_problems(departures)
        if found:
            # recheck what was found with the departures' seat decisions queued
            # behind this repair, so that no booking claims seats meanwhile
            suspects = departures.browse([d.id for d in found])
            self._sputnik_lock(suspects)
            found = self._sputnik_problems(suspects)
        if found:
            self._sputnik_release_reservations(departures.browse([d.id for d in found]))
        self._sputnik_refresh_state(departures)
        left = self._sputnik_problems(departures) if found else {}
        for departure, problems in found.items():
            still = left.get(departure)
            departure.message_post(
                body=self.env._(
                    "The seats of this departure did not add up: %(problems)s "
                    "%(outcome)s",
                    problems=" ".join(problems),
                    outcome=self.env._("Still wrong after the repair: %(left)s")
                    % {"left": " ".join(still)}
                    if still
                    else self.env._(
                        "The stock reservations were released: they add up."
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return found, left

    @api.model
    def _sputnik_release_reservations(self, departures):
        """Release the stock reservations of these departures' seats (left by
        a manual reservation or from before the seats were held by their
        bookings alone) and let the open deliveries of their bookings be
        ready without one."""
        Quant = self.env["stock.quant"]
        # seats split over several quants are merged back into one
        Quant._merge_quants()
        Quant._unlink_zero_quants()
        Quant.search(
            [
                ("product_id", "in", departures.product_id.ids),
                ("location_id.usage", "=", "internal"),
                ("reserved_quantity", "!=", 0),
            ]
        ).write({"reserved_quantity": 0})
        self.env["stock.move"].search(
            [
                ("product_id", "in", departures.product_id.ids),
                ("state", "in", ("confirmed", "partially_available")),
                ("picking_code", "=", "outgoing"),
            ]
        )._action_assign()

    # === STATE === #
    @api.model
    def _sputnik_refresh_state(self, records, figures=None, others=None):
        """Move the state of departures ``records`` along their seats and
        dates (``figures``: their seat figures, when already read; ``others``:
        {departure id: seats} that concurrent requests claimed)."""
        today = fields.Date.context_today(self)
        if figures is None:
            figures = self._sputnik_figures(records)
        others = others or {}
        by_state = defaultdict(lambda: records.browse())
        for departure in records:
            if departure.state == "cancelled" or (
                departure.state == "closed" and departure.date_start > today
            ):
                continue
            if departure.state == "done" and departure.date_end < today:
                continue
            seats = figures[departure.id]
            if departure.date_end < today:
                state = "done"
            elif departure.date_start <= today:
                state = "departed"
            elif not seats["on_hand"] and not seats["reserved"]:
                state = "planned"
            elif seats["free"] - others.get(departure.id, 0) <= 0:
                state = "sold_out"
            else:
                state = "open"
            if departure.state != state:
                by_state[state] |= departure
        for state, departures in by_state.items():
            # sudo: the state follows seats and dates and is protected from
            # users' writes; no value of the caller's reaches it
            departures.sudo().write({"state": state})

    @api.model
    def _sputnik_seats_freed(self, departures):
        """Seats came back (a receipt): refresh the states and offer the freed
        seats to the oldest waiting request of each departure."""
        self._sputnik_refresh_state(departures)
        self.env["sputnik.waitlist"]._offer_freed_seats(departures)

    # === THE DECISION === #
    def _sputnik_take(self, departures, taken, figures, returning=False):
        """Check that ``departures`` may take the seats ``taken`` ({departure
        id: seats}) and claim them; ``figures`` are their seat figures as this
        request sees them, the change already written. Returns {departure id:
        seats claimed by other requests}, which this request cannot see."""
        if not departures:
            return {}
        room = {}
        for departure in departures:
            seats = figures[departure.id]
            room[departure.id] = seats["on_hand"] - seats["reserved"]
            if room[departure.id] < 0:
                self._sputnik_refuse(departure, seats, taken, 0, returning)
        others = self._sputnik_claim({d.id: taken[d.id] for d in departures}, room)
        for departure in departures:
            if others.get(departure.id, 0) > room[departure.id]:
                self._sputnik_refuse(
                    departure,
                    figures[departure.id],
                    taken,
                    others[departure.id],
                    returning,
                )
        return others

    def _sputnik_refuse(self, departure, seats, taken, others, returning):
        wanted = taken[departure.id]
        free = max(seats["on_hand"] - seats["reserved"] - others + wanted, 0)
        raise UserError(self._sputnik_refusal(departure, free, wanted, returning))

    def _sputnik_refusal(self, departure, free, wanted, returning=False):
        if returning:
            return self.env._(
                "Departure %(name)s has %(free)s seats that no booking holds: "
                "%(wanted)s cannot go back to the tour operator.",
                name=departure.display_name,
                free=free,
                wanted=int(wanted),
            )
        return self.env._(
            "Departure %(name)s has %(free)s free seats: %(wanted)s "
            "cannot be booked.",
            name=departure.display_name,
            free=free,
            wanted=int(wanted),
        )

    @api.model
    def _sputnik_precheck(self, wanted):
        """The message refusing ``wanted`` ({departure id: seats}) when the
        departures visibly lack the seats (as this request sees them, less the
        claims of others), else False: an early answer before a confirmation
        does its work; the decision itself comes with the change."""
        today = fields.Date.context_today(self)
        departures = (
            self.env["sputnik.departure"]
            .browse(sorted(wanted))
            .exists()
            # the system's import of past trips books departed departures
            # without seats (see _sputnik_seats_changed)
            .filtered(lambda d: not self.env.su or d.date_start > today)
        )
        if not departures:
            return False
        figures = departures._get_seat_figures()
        others = self._sputnik_claimed_by_others(departures.ids)
        for departure in departures:
            seats = figures[departure.id]
            free = seats["on_hand"] - seats["reserved"] - others.get(departure.id, 0)
            if wanted[departure.id] > free:
                return self._sputnik_refusal(
                    departure, max(free, 0), wanted[departure.id]
                )
        return False

    def _sputnik_claim(self, taken, room):
        """Record that this request takes ``taken`` ({departure id: seats}) and
        return {departure id: seats that other requests claimed and this one
        cannot see}: claims of requests still running, or committed after this
        request's snapshot was taken. Nothing is recorded when the claims of
        others exceed the ``room`` ({departure id: seats}) that this request
        sees left after its change.

        The claim is written and committed at once in a short transaction of
        its own (READ COMMITTED, on a connection of its own), queued behind
        the departures' advisory locks taken in id order (two requests never
        deadlock). If the caller then finds the seats short, it raises and
        rolls back, which kills its claim with it.
        """
        cr = self.env.cr
        cr.execute(
            SQL("SELECT pg_current_xact_id()::text, pg_current_snapshot()::text")
        )
        xact, snapshot = cr.fetchone()
        ids = sorted(taken)
        try:
            with closing(sql_db.db_connect(cr.dbname).cursor()) as claim_cr:
                claim_cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                if not self.pool.ready:
                    claim_cr.execute(SQL("SELECT to_regclass('sputnik_seat_claim')"))
                    if not claim_cr.fetchone()[0]:
                        # the addon is being installed by this very transaction
                        # (its demo bookings): no other request can see its
                        # departures, nothing to claim against
                        return {}
                # its commit need not wait for the disk (asynchronous commit,
                # visible to the others at once): a claim counts only while
                # its request runs, and the request's own commit writes the
                # claim to disk with it; after a crash no request is running
                claim_cr.execute(
                    SQL(
                        "SELECT set_config('lock_timeout', %s, true), "
                        "set_config('synchronous_commit', 'off', true)",
                        SEAT_LOCK_TIMEOUT,
                    )
                )
                for dep_id in ids:
                    claim_cr.execute(
                        SQL(
                            "SELECT pg_advisory_xact_lock(%s, %s)",
                            SEAT_LOCK_SPACE,
                            dep_id,
                        )
                    )
                claim_cr.execute(self._sputnik_finished_claims_sql(ids))
                # one statement: the claims alive as of one moment, against
                # the snapshot of the caller's request
                claim_cr.execute(self._sputnik_claims_query(ids, xact, snapshot))
                others = dict(claim_cr.fetchall())
                if any(others.get(dep_id, 0) > room[dep_id] for dep_id in ids):
                    return {dep_id: int(seats) for dep_id, seats in others.items()}
                claim_cr.execute(
                    SQL(
                        "INSERT INTO sputnik_seat_claim (departure_id, seats, xact) "
                        "VALUES %s",
                        SQL(", ").join(
                            SQL("(%s, %s, %s::xid8)", dep_id, int(taken[dep_id]), xact)
                            for dep_id in ids
                        ),
                    )
                )
                # the claim's own short transaction on its own connection,
                # never the request's
                claim_cr.commit()  # pylint: disable=invalid-commit
        except errors.LockNotAvailable as busy:
            raise UserError(
                self.env._(
                    "The seats of %(departures)s are being changed by other "
                    "bookings right now: try again in a moment.",
                    departures=", ".join(
                        self.env["sputnik.departure"].browse(ids).mapped("display_name")
                    ),
                )
            ) from busy
        return {dep_id: int(seats) for dep_id, seats in others.items()}

    @api.model
    def _sputnik_claims_query(self, ids, xact, snapshot):
        """The seats claimed on departures ``ids`` by requests other than the
        transaction ``xact`` that a request of snapshot ``snapshot`` cannot
        see: still running, or committed after the snapshot was taken (the
        text forms of a xid8 and a pg_snapshot, or SQL expressions of them;
        ``xact`` may be None)."""
        return SQL(
            """
            SELECT departure_id, SUM(seats)
              FROM sputnik_seat_claim
             WHERE departure_id = ANY(%(ids)s)
               AND xact IS DISTINCT FROM %(xact)s::xid8
               AND (pg_xact_status(xact) = 'in progress'
                    OR (pg_xact_status(xact) = 'committed'
                        AND NOT pg_visible_in_snapshot(
                            xact, %(snapshot)s::pg_snapshot)))
             GROUP BY departure_id
            """,
            ids=list(ids),
            xact=xact,
            snapshot=snapshot,
        )

    @api.model
    def _sputnik_claimed_by_others(self, ids):
        """{departure id: seats} claimed on departures ``ids`` by concurrent
        requests that this one cannot see, read without claiming anything: for
        the confirmation's early check, which spares a request bound to be
        refused the work of a confirmation (the decision itself is made by
        _sputnik_claim)."""
        cr = self.env.cr
        # this request's own transaction and snapshot, read by the query
        cr.execute(
            self._sputnik_claims_query(
                ids,
                SQL("pg_current_xact_id_if_assigned()"),
                SQL("pg_current_snapshot()"),
            )
        )
        return {dep_id: int(seats) for dep_id, seats in cr.fetchall()}

    @api.model
    def _sputnik_finished_claims_sql(self, ids=None):
        """Delete the claims of requests finished for long enough that no
        request still running took its snapshot before they ended (of the
        departures ``ids``, or all)."""
        return SQL(
            """
            DELETE FROM sputnik_seat_claim
             WHERE %(departures)s
               AND create_date < (now() AT TIME ZONE 'UTC') - interval %(kept)s
               AND pg_xact_status(xact) IS DISTINCT FROM 'in progress'
            """,
            departures=SQL("departure_id = ANY(%s)", list(ids))
            if ids is not None
            else SQL("TRUE"),
            kept=CLAIM_KEPT,
        )

    @api.model
    def _sputnik_purge_claims(self):
        """The daily clean-up of the claims: those of departures that nobody
        books any more are not deleted by a seat decision."""
        self.env.cr.execute(self._sputnik_finished_claims_sql())
        return self.env.cr.rowcount

    def _sputnik_lock(self, departures):
        """Queue this request's whole transaction behind the seat decisions
        of ``departures`` (and theirs behind it): for a repair of their stock
        reservations, which must not run while a booking claims seats."""
        for dep_id in sorted(departures.ids):
            self.env.cr.execute(
                SQL("SELECT pg_advisory_xact_lock(%s, %s)", SEAT_LOCK_SPACE, dep_id)
            )
