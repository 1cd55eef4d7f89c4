"""Profile the confirmation and the cancellation of a booking.

Creates a departure abroad with its seats bought and received, a travel agent
(a Sputnik user) and ``--bookings`` draft bookings of ``--seats`` seats, each
with its travellers holding a valid foreign passport; then, as the agent and
with an empty context (as an XML-RPC call gets it: tracking and chatter on),
confirms every booking and cancels every one of them, each call in a fresh
ORM transaction followed by what its request's commit would run before
committing (the final flush and Odoo's pre-commit hooks: the chatter's
tracking). It measures each call: the CPU time of this process
(``time.process_time``), the wall time and the SQL queries; repeated over
``--repeat`` rounds, each of new bookings. Then, on ``--profile`` more
bookings, it runs the same confirmations and cancellations under cProfile and
prints per call: the queries by the innermost sputnik_crm method on the
stack, the queries by statement (its first words and table), and the
functions by cumulative time.

Everything happens in one database transaction that is rolled back at the
end: the database is left as it was (the seat engine's claims, written on a
connection of their own, die with the rolled-back transaction). The last line
is ``RESULT {json}``. Run from the repository's root:

    PYTHONPATH=/opt/odoo .venv/bin/python bench/profile_booking.py --db DB
"""

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from bench_booking_confirm import make_departure
from dateutil.relativedelta import relativedelta
from odoo_boot import (
    add_odoo_arguments,
    add_size_argument,
    database_size,
    init_odoo,
    print_result,
)

from odoo import SUPERUSER_ID, Command, api, fields, sql_db

SETUP_CONTEXT = {"tracking_disable": True, "mail_notrack": True}
OPERATIONS = ("confirm", "cancel")
# the hooks a request's commit would run after committing, by operation
POSTCOMMIT = Counter()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with sputnik_crm")
    parser.add_argument(
        "--bookings", type=int, default=10, help="bookings per round (default 10)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="uncounted bookings first (default 3)"
    )
    parser.add_argument("--seats", type=int, default=2, help="seats per booking")
    parser.add_argument(
        "--deposit",
        type=float,
        default=None,
        help="company deposit percent for the run (default: as set in the database)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=5,
        help="bookings confirmed and cancelled under cProfile (0: none; default 5)",
    )
    parser.add_argument(
        "--top", type=int, default=30, help="lines of each profile table"
    )
    parser.add_argument(
        "--dump",
        metavar="PREFIX",
        help="also save each profile for pstats, as PREFIX-confirm.prof and "
        "PREFIX-cancel.prof",
    )
    add_size_argument(parser, default="demo", generates=False)
    add_odoo_arguments(parser)
    return parser.parse_args()


# === DATA (as the superuser, rolled back at the end) === #


def make_agent(env):
    return env["res.users"].create(
        {
            "name": "Profile Agent",
            "login": "profile_agent",
            "email": "profile_agent@example.com",
            "groups_id": [
                Command.set(
                    [
                        env.ref("base.group_user").id,
                        env.ref("sputnik_crm.group_sputnik_user").id,
                    ]
                )
            ],
        }
    )


def make_bookings(env, departure, agent, count, seats):
    """``count`` draft bookings of ``seats`` seats, each with its travellers
    holding a foreign passport valid three years (the first one is the
    customer), sold by ``agent``."""
    expiry = fields.Date.context_today(departure) + relativedelta(years=3)
    travellers = env["res.partner"].create(
        [
            {"name": f"Profile Traveller {i}", "email": f"profile{i}@example.com"}
            for i in range(count * seats)
        ]
    )
    ukraine = env.ref("base.ua").id
    env["sputnik.travel.document"].create(
        [
            {
                "partner_id": traveller.id,
                "document_type": "foreign_passport",
                "number": f"PR{traveller.id:07d}",
                "country_id": ukraine,
                "expiry_date": expiry,
            }
            for traveller in travellers
        ]
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": travellers[i * seats].id,
                "user_id": agent.id,
                "sputnik_traveller_ids": [
                    Command.set(travellers[i * seats : (i + 1) * seats].ids)
                ],
                "order_line": [
                    Command.create(
                        {
                            "product_id": departure.product_id.id,
                            "product_uom_qty": seats,
                        }
                    )
                ],
            }
            for i in range(count)
        ]
    )
    assert all(orders.mapped("sputnik_is_booking"))
    return orders.ids


# === MEASURE === #


def new_env(cr, uid, context):
    """An environment in a fresh ORM transaction (empty cache), as a request
    gets one; the database transaction goes on."""
    if cr.transaction is not None:
        cr.transaction.flush()
    cr.transaction = None
    return api.Environment(cr, uid, context)


def call(cr, uid, operation, order_id):
    """One confirmation or cancellation as a request makes it, up to what its
    commit runs first (flush, pre-commit hooks); the hooks after the commit
    are dropped (nothing is committed). Returns (cpu s, wall s, queries)."""
    env = new_env(cr, uid, {})
    order = env["sale.order"].browse(order_id)
    queries, cpu, wall = sql_db.sql_counter, time.process_time(), time.perf_counter()
    if operation == "confirm":
        order.action_confirm()
    else:
        order.with_context(disable_cancel_warning=True).action_cancel()
    cr.flush()
    env.flush_all()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    queries = sql_db.sql_counter - queries
    for func in getattr(cr.postcommit, "_funcs", ()):
        POSTCOMMIT[operation, getattr(func, "__qualname__", repr(func))] += 1
    cr.postcommit.clear()
    expected = "sale" if operation == "confirm" else "cancel"
    assert order.state == expected, (order.name, order.state)
    if operation == "confirm":
        # the booking's first invoice, which the invoicing cron issues just
        # after the request's commit (not counted: not the request's work)
        env["sputnik.booking.invoicing"]._sputnik_invoice_pending(order)
        cr.postcommit.clear()
    return cpu, wall, queries


def run_round(cr, uid, order_ids):
    samples = {op: {"cpu": [], "wall": [], "queries": []} for op in OPERATIONS}
    for operation in OPERATIONS:
        for order_id in order_ids:
            cpu, wall, queries = call(cr, uid, operation, order_id)
            samples[operation]["cpu"].append(cpu * 1000)
            samples[operation]["wall"].append(wall * 1000)
            samples[operation]["queries"].append(queries)
    return samples


class QueryAttribution:
    """Count the SQL queries by the innermost sputnik_crm function on the
    stack, and by statement (its verb and main table)."""

    WORD = re.compile(r'"?(\w+)"?')

    def __init__(self):
        self.owners = Counter()
        self.statements = Counter()
        # milliseconds spent waiting for PostgreSQL, by the same keys
        self.owner_ms = Counter()
        self.statement_ms = Counter()
        self.original = sql_db.Cursor.execute

    def __enter__(self):
        original = self.original

        def execute(cursor, query, *args, **kwargs):
            owner, statement = self.owner(sys._getframe(1)), self.statement(query)
            self.owners[owner] += 1
            self.statements[statement] += 1
            start = time.perf_counter()
            try:
                return original(cursor, query, *args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - start) * 1000
                self.owner_ms[owner] += elapsed
                self.statement_ms[statement] += elapsed

        sql_db.Cursor.execute = execute
        return self

    def __exit__(self, *exc):
        sql_db.Cursor.execute = self.original

    @staticmethod
    def owner(frame):
        while frame is not None:
            code = frame.f_code
            if "/sputnik_crm/" in code.co_filename:
                return f"{Path(code.co_filename).name}:{code.co_qualname}"
            frame = frame.f_back
        return "odoo (no sputnik_crm frame)"

    @classmethod
    def statement(cls, query):
        """The statement's verb and the table it reads or writes."""
        text = query.code if hasattr(query, "code") else str(query)
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        words = text.split()
        if not words:
            return "?"
        verb = words[0].upper()
        if verb in ("INSERT", "DELETE") and len(words) > 2:
            return f"{verb} {cls.table(words[2])}"
        if verb == "UPDATE" and len(words) > 1:
            return f"{verb} {cls.table(words[1])}"
        if verb in ("SELECT", "WITH"):
            upper = [w.upper() for w in words]
            if "FROM" in upper:
                return f"SELECT {cls.table(words[upper.index('FROM') + 1])}"
            return " ".join(words[:3])[:60]
        return verb

    @classmethod
    def table(cls, word):
        match = cls.WORD.match(word)
        return match.group(1) if match else word


def profile(cr, uid, order_ids, top, dump=None):
    """cProfile and query attribution of each operation on ``order_ids``."""
    count = len(order_ids)
    for operation in OPERATIONS:
        profiler = cProfile.Profile()
        with QueryAttribution() as attribution:
            for order_id in order_ids:
                profiler.enable()
                call(cr, uid, operation, order_id)
                profiler.disable()
        if dump:
            profiler.dump_stats(f"{dump}-{operation}.prof")
        title = f"{operation}, {count} bookings"
        print(f"\n--- {title}: SQL per call by innermost sputnik_crm frame ---")
        print("(a method that calls super() also owns the core queries below it)")
        print(f"{'queries':>8} {'sql ms':>8}")
        for owner, queries in attribution.owners.most_common(top):
            ms = attribution.owner_ms[owner]
            print(f"{queries / count:8.1f} {ms / count:8.1f}  {owner}")
        print(f"\n--- {title}: SQL per call by statement (verb and table) ---")
        print(f"{'queries':>8} {'sql ms':>8}")
        for statement, queries in attribution.statements.most_common(top):
            ms = attribution.statement_ms[statement]
            print(f"{queries / count:8.1f} {ms / count:8.1f}  {statement}")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(top)
        print(f"\n--- {title}: cProfile, cumulative (all functions) ---")
        print(out.getvalue().split("\n\n", 1)[-1].strip())
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
        stats.print_stats(top)
        print(f"\n--- {title}: cProfile, own time ---")
        print(out.getvalue().split("\n\n", 1)[-1].strip())


# === REPORT === #


def summary(values):
    return round(statistics.median(values), 1) if values else None


def report(rounds, deposit, args, database):
    print()
    print(f"{'operation':<10} {'cpu ms':>8} {'wall ms':>8} {'queries':>8}   per round")
    print("-" * 75)
    result = {}
    for operation in OPERATIONS:
        merged = {
            key: [v for r in rounds for v in r[operation][key]]
            for key in ("cpu", "wall", "queries")
        }
        per_round = " ".join(
            f"{statistics.median(r[operation]['cpu']):.0f}" for r in rounds
        )
        figures = {
            "cpu_ms": summary(merged["cpu"]),
            "wall_ms": summary(merged["wall"]),
            "queries": summary(merged["queries"]),
            "calls": len(merged["cpu"]),
        }
        print(
            f"{operation:<10} {figures['cpu_ms']:8.1f} {figures['wall_ms']:8.1f} "
            f"{figures['queries']:8.1f}   cpu ms medians: {per_round}"
        )
        result[operation] = figures
    print("(medians per call; cpu: this Odoo process only, not PostgreSQL's)")
    for (operation, hook), count in sorted(POSTCOMMIT.items()):
        print(f"after the commit of a {operation} (not run): {hook} x{count}")
    print_result(
        "profile_booking",
        args.size,
        database,
        deposit_percent=deposit,
        seats=args.seats,
        **result,
    )


def main():
    args = parse_args()
    registry = init_odoo(args)
    per_round = args.bookings
    total = args.warmup + per_round * args.repeat + args.profile
    cr = registry.cursor()
    try:
        database = database_size(cr, args.db)
        env = new_env(cr, SUPERUSER_ID, SETUP_CONTEXT)
        if args.deposit is not None:
            env.company.sputnik_deposit_percent = args.deposit
        deposit = env.company.sputnik_deposit_percent
        print(
            f"database {args.db} ({database['megabytes']} MB, "
            f"{database['clients']} clients, {database['order_lines']} order "
            f"lines): {total} bookings of {args.seats} seats, deposit {deposit:g} %"
        )
        agent = make_agent(env)
        departure = make_departure(env, total * args.seats)
        order_ids = make_bookings(env, departure, agent, total, args.seats)
        env.flush_all()
        uid = agent.id
        warmup, rest = order_ids[: args.warmup], order_ids[args.warmup :]
        run_round(cr, uid, warmup)
        rounds = []
        for r in range(args.repeat):
            ids = rest[r * per_round : (r + 1) * per_round]
            rounds.append(run_round(cr, uid, ids))
            print(
                f"round {r + 1}/{args.repeat}: "
                + ", ".join(
                    f"{op} {statistics.median(rounds[-1][op]['cpu']):.0f} ms cpu "
                    f"{statistics.median(rounds[-1][op]['queries']):.0f} queries"
                    for op in OPERATIONS
                )
            )
        if args.profile:
            profile(cr, uid, rest[per_round * args.repeat :], args.top, args.dump)
        report(rounds, deposit, args, database)
    finally:
        cr.rollback()
        cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
