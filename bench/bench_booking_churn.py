"""Booking churn over XML-RPC against Odoo served with several workers.

Prepares a database of its own (a copy of a database with sputnik_crm and its
demo data, made with ``CREATE DATABASE ... TEMPLATE``), adds its departures,
bookings and users through the ORM (committed), serves it with Odoo in prefork
mode (``--workers=4`` and one cron thread, 127.0.0.1 on a free port), then,
as outside programs would, through ``/xmlrpc/2/object``:

0. one client alone confirms, cancels and resets a booking (no contention);
1. race: ``--clients`` agents confirm a one-seat booking each at the same
   moment (a barrier) for the last ``--seats`` seats of one departure;
2. churn: ``--churn-clients`` agents, for ``--seconds``, confirm, cancel,
   change the seats (and travellers) of and reset to quotation random
   bookings of two departures of 20 seats, half sold at the start;
3. invariant: the seats of the bench departures as the ORM counts them, as a
   manager reads them over XML-RPC, and the manager's seat check
   (``action_check_seats``);
4. invoices: the cron thread issues the first invoice of each booking (its
   deposit) just after its confirmation's commit, the credit notes and the
   penalty invoice just after its cancellation's; the bench waits until none
   is pending and reports how long after its confirmation each booking's last
   deposit invoice was created, and that every confirmed booking has exactly
   one deposit invoice not credited and every cancelled one none.

The cron thread runs what the requests trigger (the invoicing, classification
and report queues); every other scheduled job of the copy is postponed by a day
so that none runs during the measure.

Every call is timed and classified: done, a clear refusal (a warning or access
fault without a traceback: the addon's message) or a raw error (a fault with a
traceback, e.g. a ``SerializationFailure`` after Odoo's retries, or a transport
error). The server is stopped at the end whatever happens, and the database
dropped unless ``--keep-db``. The last line is ``RESULT {json}``. Run from the
repository's root:

    PYTHONPATH=/opt/odoo .venv/bin/python bench/bench_booking_churn.py --source DB

Exit code 0 when the race sold exactly its seats, no raw error occurred and the
seats add up; 1 otherwise.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from dateutil.relativedelta import relativedelta
from odoo_boot import (
    ROOT,
    add_odoo_arguments,
    add_size_argument,
    database_size,
    init_odoo,
)

from odoo import SUPERUSER_ID, Command, api, fields, sql_db
from odoo.modules.registry import Registry

CONTEXT = {"tracking_disable": True, "mail_notrack": True}
PRICE = 30000.0
NET_PRICE = 20000.0
# seats of each churn departure; half of them sold at the start
CHURN_SEATS = 20
# seats a churn booking may hold (and travellers prepared for each)
MAX_SEATS = 3
# draft bookings prepared per churn departure (cancelled ones come back as drafts)
CHURN_DRAFTS = 25
# seats sold on the race departure before the race
RACE_SOLD = 5
AGENTS = 10
MAX_SECONDS = 600
MAX_OPS_PER_CLIENT = 5000
WEIGHTS = {"confirm": 4, "cancel": 3, "qty": 3, "draft": 2}

GOAL_CANCEL_P95_MS = 2000
GOAL_RACE_P95_MS = 5000

DONE, REFUSED, RAW = "done", "refused", "raw"
# Odoo's /xmlrpc/2 fault codes of a UserError (warning) and an AccessError
CLEAR_FAULT_CODES = (2, 3)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        default="sputnik",
        help="database with sputnik_crm and its demo data to copy "
        "(default: %(default)s; nobody may be connected to it)",
    )
    parser.add_argument(
        "--db", help="the bench database, replaced if it exists (default: SOURCE_churn)"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the bench database at the end"
    )
    parser.add_argument(
        "--clients", type=int, default=50, help="race: agents confirming at once"
    )
    parser.add_argument(
        "--seats", type=int, default=10, help="race: seats left on the departure"
    )
    parser.add_argument(
        "--churn-clients", type=int, default=10, help="churn: concurrent agents"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help=f"churn: duration (at most {MAX_SECONDS})",
    )
    parser.add_argument("--workers", type=int, default=4, help="Odoo HTTP workers")
    parser.add_argument(
        "--cron-threads",
        type=int,
        default=1,
        help="Odoo cron threads, which issue the first invoices (default 1; 0 "
        "leaves them pending)",
    )
    parser.add_argument("--seed", type=int, default=42, help="churn's random seed")
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={v}" for k, v in WEIGHTS.items()),
        help="churn: relative weights of the operations (default: %(default)s; "
        "0 leaves one out)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds allowed per call"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="HTTP port (default: a free one)"
    )
    parser.add_argument(
        "--log",
        default=None,
        help="Odoo's log file (default: DATA_DIR/logs/bench-churn.log)",
    )
    add_odoo_arguments(parser)
    add_size_argument(parser, default="demo", generates=False)
    args = parser.parse_args()
    args.db = args.db or f"{args.source}_churn"
    args.seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    if args.db == args.source:
        parser.error("--db must differ from --source: the bench database is dropped")
    if args.clients and not (0 < args.seats <= args.clients):
        parser.error("--seats must be between 1 and --clients (--clients 0: no race)")
    try:
        weights = dict(item.split("=") for item in args.mix.split(","))
        args.weights = {k: float(weights.get(k, 0)) for k in WEIGHTS}
    except ValueError:
        parser.error(f"--mix: {args.mix!r} is not like {WEIGHTS}")
    if set(weights) - set(WEIGHTS) or not any(args.weights.values()):
        parser.error(f"--mix: weights of {', '.join(WEIGHTS)}")
    return args


# === DATABASE === #


def pg_connect():
    import psycopg2  # noqa: PLC0415 - libpq reads PGHOST, PGPORT, PGUSER

    conn = psycopg2.connect(dbname="postgres", connect_timeout=10)
    conn.autocommit = True
    return conn


def drop_db(args):
    from psycopg2 import sql  # noqa: PLC0415

    sql_db.close_db(args.db)
    conn = pg_connect()
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid != pg_backend_pid()",
            (args.db,),
        )
        cr.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(args.db))
        )
    conn.close()
    shutil.rmtree(Path(args.data_dir, "filestore", args.db), ignore_errors=True)


def copy_db(args):
    """The bench database as a copy of ``--source`` (its filestore too)."""
    from psycopg2 import sql  # noqa: PLC0415

    drop_db(args)
    conn = pg_connect()
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.source,))
        if not cr.fetchone():
            sys.exit(
                f"database {args.source!r} does not exist: make bench-churn creates "
                "it with sputnik_crm and its demo data, or pass --source"
            )
        cr.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (args.source,)
        )
        if cr.fetchone()[0]:
            sys.exit(
                f"database {args.source!r} is in use (make run?): stop its server "
                "to let it be copied"
            )
        cr.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(args.db), sql.Identifier(args.source)
            )
        )
    conn.close()
    source_store = Path(args.data_dir, "filestore", args.source)
    if source_store.is_dir():
        shutil.copytree(source_store, Path(args.data_dir, "filestore", args.db))


# === DATA (through the ORM, committed) === #


def make_users(env, count):
    user = env.ref("sputnik_crm.group_sputnik_user")
    manager = env.ref("sputnik_crm.group_sputnik_manager")
    internal = env.ref("base.group_user")

    def create(login, name, group):
        return env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "groups_id": [Command.set([internal.id, group.id])],
            }
        )

    agents = [
        create(f"churn_agent_{i}", f"Churn Agent {i}", user) for i in range(count)
    ]
    return agents, create("churn_manager", "Churn Manager", manager)


def make_departure(env, name, seats, start_in_days):
    """A tour abroad of its own and one departure with ``seats`` bought and
    received."""
    country = env.ref("base.tr")
    if env.company.country_id == country:
        country = env.ref("base.eg")
    operator = env["res.partner"].create(
        {"name": f"Operator of {name}", "supplier_rank": 1, "is_company": True}
    )
    destination = env["sputnik.destination"].create(
        {"name": f"Destination of {name}", "country_id": country.id}
    )
    tour = env["product.template"].create(
        {
            "name": name,
            "sputnik_is_tour": True,
            "sputnik_tour_type": "beach",
            "sputnik_destination_id": destination.id,
            "sputnik_nights": 7,
            "sputnik_operator_id": operator.id,
            "list_price": PRICE,
            "taxes_id": [Command.clear()],
            "supplier_taxes_id": [Command.clear()],
        }
    )
    today = fields.Date.context_today(tour)
    departure = env["sputnik.departure"].create(
        {
            "tour_id": tour.id,
            "date_start": today + relativedelta(days=start_in_days),
            "date_end": today + relativedelta(days=start_in_days + 7),
            "release_date": today + relativedelta(days=start_in_days - 14),
            "allotment_seats": seats,
        }
    )
    purchase = departure._sputnik_purchase_order(seats, NET_PRICE)
    purchase.order_line.taxes_id = [Command.clear()]
    purchase.button_confirm()
    receipt = purchase.picking_ids
    receipt.move_ids.quantity = seats
    receipt.move_ids.picked = True
    receipt.button_validate()
    return departure


def make_travellers(env, count, prefix):
    expiry = fields.Date.context_today(env["res.partner"]) + relativedelta(years=3)
    travellers = env["res.partner"].create(
        [
            {"name": f"{prefix} {i}", "email": f"churn{i}@example.com"}
            for i in range(count)
        ]
    )
    ukraine = env.ref("base.ua").id
    env["sputnik.travel.document"].create(
        [
            {
                "partner_id": traveller.id,
                "document_type": "foreign_passport",
                "number": f"CH{traveller.id:07d}",
                "country_id": ukraine,
                "expiry_date": expiry,
            }
            for traveller in travellers
        ]
    )
    return travellers


def make_bookings(env, departure, seats_list, pool, agents, prefix):
    """A draft booking per entry of ``seats_list`` (its seats), each with
    ``pool`` travellers holding a valid foreign passport (the first ones
    travel, the others are there for a change of seats), owned by the agents
    in turn; returns [{id, line, travellers, seats}]."""
    travellers = make_travellers(env, len(seats_list) * pool, prefix)
    bookings = []
    for i, seats in enumerate(seats_list):
        group = travellers[i * pool : (i + 1) * pool]
        order = env["sale.order"].create(
            {
                "partner_id": group[0].id,
                "user_id": agents[i % len(agents)].id,
                "sputnik_traveller_ids": [Command.set(group[:seats].ids)],
                "order_line": [
                    Command.create(
                        {
                            "product_id": departure.product_id.id,
                            "product_uom_qty": seats,
                        }
                    )
                ],
            }
        )
        bookings.append(
            {
                "id": order.id,
                "line": order.order_line.id,
                "travellers": group.ids,
                "seats": seats,
                "agent": i % len(agents),
            }
        )
    return bookings


def prepare(args):
    """Users, the race departure and the two churn departures with their
    bookings; committed. Returns what the clients need."""
    registry = init_odoo(args)
    rng = random.Random(args.seed)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
        agents, manager = make_users(env, AGENTS)
        # the race: RACE_SOLD seats sold, --seats left, a one-seat booking each
        race, race_bookings = env["sputnik.departure"], []
        if args.clients:
            race = make_departure(env, "Churn Race Tour", RACE_SOLD + args.seats, 60)
            sold = make_bookings(env, race, [RACE_SOLD], RACE_SOLD, agents, "Race Sold")
            env["sale.order"].browse(sold[0]["id"]).action_confirm()
            race_bookings = make_bookings(
                env, race, [1] * args.clients, 1, agents, "Race Traveller"
            )
        # the churn: half of the seats sold in bookings of 1 or 2 seats
        churn = []
        for k in range(2):
            departure = make_departure(env, f"Churn Tour {k + 1}", CHURN_SEATS, 75 + k)
            sizes, total = [], 0
            while total < CHURN_SEATS // 2:
                size = min(rng.choice((1, 2)), CHURN_SEATS // 2 - total)
                sizes.append(size)
                total += size
            confirmed = make_bookings(
                env, departure, sizes, MAX_SEATS, agents, f"Churn {k + 1} Sold"
            )
            env["sale.order"].browse([b["id"] for b in confirmed]).action_confirm()
            drafts = make_bookings(
                env,
                departure,
                [rng.choice((1, 2)) for _ in range(CHURN_DRAFTS)],
                MAX_SEATS,
                agents,
                f"Churn {k + 1} Draft",
            )
            churn.append(
                {"departure": departure.id, "confirmed": confirmed, "drafts": drafts}
            )
        # their first invoices, as the cron issues them after a confirmation
        env["sputnik.booking.invoicing"]._sputnik_invoice_pending()
        # only what the requests trigger runs during the measure
        cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') "
            "+ interval '1 day' WHERE active"
        )
        cr.execute("DELETE FROM ir_cron_trigger")
        size = {
            "partners": env["res.partner"].search_count([]),
            "orders": env["sale.order"].search_count([]),
            "bookings": env["sale.order"].search_count(
                [("order_line.sputnik_departure_id", "!=", False)]
            ),
            "departures": env["sputnik.departure"].search_count([]),
            "deposit_percent": env.company.sputnik_deposit_percent,
        }
        database = database_size(cr, args.db)
        cr.commit()
        return {
            "agents": [(a.id, a.login) for a in agents],
            "manager": (manager.id, manager.login),
            "race": race.id or None,
            "race_bookings": race_bookings,
            "churn": churn,
            "size": size,
            "database": database,
        }


# === SERVER === #


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Odoo served on the bench database in prefork mode, stopped by stop()."""

    def __init__(self, args, extra_args=(), extra_env=None):
        self.args = args
        self.port = args.port or free_port()
        self.log = Path(args.log or Path(args.data_dir, "logs", "bench-churn.log"))
        self.process = None
        # more Odoo options and environment (bench_replica.py: the replica)
        self.extra_args = list(extra_args)
        self.extra_env = dict(extra_env or {})

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")
        command = [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={self.args.addons_path}",
            f"--data-dir={self.args.data_dir}",
            f"--database={self.args.db}",
            f"--db-filter=^{re.escape(self.args.db)}$",
            "--no-database-list",
            f"--workers={self.args.workers}",
            f"--max-cron-threads={self.args.cron_threads}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            "--limit-time-real=1800",
            "--limit-time-cpu=1800",
            "--limit-request=100000",
            "--log-level=info",
            f"--logfile={self.log}",
            *self.extra_args,
        ]
        env = dict(os.environ, **self.extra_env)
        env["PYTHONPATH"] = os.pathsep.join(
            p
            for p in (
                os.path.dirname(os.path.dirname(api.__file__)),
                env.get("PYTHONPATH"),
            )
            if p
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own Odoo, no shell
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, seconds=180):
        common = xmlrpc.client.ServerProxy(self.url("/xmlrpc/2/common"))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo stopped at start: see {self.log}")
            try:
                common.version()
                return
            except (OSError, xmlrpc.client.Error):
                time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer in {seconds} s: see {self.log}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_figures(self):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {
            "retries": len(re.findall(r"tries left, try again", text)),
            "retries_exhausted": len(re.findall(r"maximum number of tries", text)),
            # Odoo logs the query of every serialization failure as an error
            # before retrying it: those are counted as retries, not here
            "errors": len(re.findall(r" (?:ERROR|CRITICAL) ", text))
            - len(re.findall(r" ERROR \S+ odoo\.sql_db: bad query", text)),
            "worker_timeouts": len(re.findall(r"virtual real time limit", text)),
        }


# === CLIENTS === #


class TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class Client:
    """One outside program: its own connection, a user and password."""

    def __init__(self, server, db, uid, password, timeout):
        self.db, self.uid, self.password = db, uid, password
        self.proxy = xmlrpc.client.ServerProxy(
            server.url("/xmlrpc/2/object"),
            transport=TimeoutTransport(timeout),
            allow_none=True,
        )

    def call(self, model, method, *args, **kwargs):
        try:
            return self.proxy.execute_kw(
                self.db, self.uid, self.password, model, method, list(args), kwargs
            )
        finally:
            # one connection per call: an Odoo worker serves one connection at
            # a time and keeps an idle one open up to 2 s, so that a client
            # keeping its connection alive would hold a worker for itself
            self.proxy("close")()

    def timed(self, model, method, *args, **kwargs):
        """(outcome, milliseconds, message) of one call."""
        start = time.perf_counter()
        try:
            self.call(model, method, *args, **kwargs)
            outcome, message = DONE, ""
        except xmlrpc.client.Fault as fault:
            text = str(fault.faultString)
            if fault.faultCode in CLEAR_FAULT_CODES and "Traceback" not in text:
                outcome, message = REFUSED, text
            else:
                outcome, message = RAW, last_line(text)
        except (OSError, xmlrpc.client.Error) as exc:
            outcome, message = RAW, f"{type(exc).__name__}: {exc}"
        return outcome, (time.perf_counter() - start) * 1000, message


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else text[:300]


def kind_of(message):
    """A message with its names and numbers blanked, to count them by kind."""
    message = re.sub(r"\d+", "#", message.splitlines()[0] if message else "")
    return re.sub(r"S#|[A-Z]+/#(/#)*", "#", message)[:120]


# a warm call: no password verified, no registry loaded
WARM_CALL_MS = 150
WARM_ROUNDS = 6


def warm_up(server, args, data):
    """Log every user in, and have every worker load the registry and know
    every user's password before the measures: a worker verifies a user's
    password at that user's first call only (``res.users.check`` keeps it,
    process by process), and a verification costs Odoo's 600,000 PBKDF2
    rounds, 0.5-0.8 s of CPU, which a race of agents new to each worker
    would otherwise count in its bookings' latency. Rounds of concurrent
    calls per user, until a round's calls are all warm."""
    common = xmlrpc.client.ServerProxy(server.url("/xmlrpc/2/common"))
    users = [*data["agents"], data["manager"]]
    for uid, login in users:
        if common.authenticate(args.db, login, login, {}) != uid:
            raise RuntimeError(f"user {login} cannot log in")

    def ping(uid, login, times):
        client = Client(server, args.db, uid, login, args.timeout)
        for _i in range(2):
            start = time.perf_counter()
            client.call("sputnik.departure", "search_count", [])
            times.append((time.perf_counter() - start) * 1000)

    for uid, login in users:
        for _round in range(WARM_ROUNDS):
            times = []
            threads = [
                threading.Thread(target=ping, args=(uid, login, times))
                for _ in range(args.workers * 2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.timeout)
            if times and max(times) < WARM_CALL_MS:
                break


def run_race(server, args, data):
    bookings = data["race_bookings"]
    if not bookings:
        return [], 0.0
    agents = data["agents"]
    barrier = threading.Barrier(len(bookings))
    results = [None] * len(bookings)

    def work(index, booking):
        uid, login = agents[booking["agent"]]
        client = Client(server, args.db, uid, login, args.timeout)
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            results[index] = (RAW, 0.0, "the barrier broke")
            return
        results[index] = client.timed("sale.order", "action_confirm", [booking["id"]])

    threads = [
        threading.Thread(target=work, args=(i, b), daemon=True)
        for i, b in enumerate(bookings)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.timeout + 150)
    wall = time.perf_counter() - start
    results = [r or (RAW, args.timeout * 1000, "no answer") for r in results]
    return results, wall


def run_solo(server, args, data, rounds=3):
    """The service time without contention: one client alone confirms,
    cancels and resets to quotation one churn booking, ``rounds`` times after
    one round that warms the workers' caches up (it ends as it began, a
    draft); {kind: [(outcome, ms, message)]}."""
    booking = data["churn"][0]["drafts"][0]
    uid, login = data["agents"][booking["agent"]]
    client = Client(server, args.db, uid, login, args.timeout)
    results = defaultdict(list)
    for round_ in range(rounds + 1):
        for kind in ("confirm", "cancel", "draft"):
            result = churn_step(client, None, kind, booking)
            if round_:
                results[kind].append(result)
    return results


class Pool:
    """The churn's bookings by state, each used by one client at a time."""

    def __init__(self, churn, weights):
        self.lock = threading.Lock()
        self.weights = weights
        self.by_state = {"sale": [], "draft": [], "cancel": []}
        for item in churn:
            for booking in item["confirmed"]:
                self.by_state["sale"].append(booking)
            for booking in item["drafts"]:
                self.by_state["draft"].append(booking)

    def take(self, rng):
        """(operation, booking) picked at random among the possible ones."""
        with self.lock:
            kinds = {
                "confirm": self.by_state["draft"],
                "cancel": self.by_state["sale"],
                "qty": self.by_state["sale"],
                "draft": self.by_state["cancel"],
            }
            possible = [k for k, pool in kinds.items() if pool and self.weights[k]]
            if not possible:
                return None, None
            kind = rng.choices(possible, [self.weights[k] for k in possible])[0]
            pool = kinds[kind]
            return kind, pool.pop(rng.randrange(len(pool)))

    def give_back(self, booking, state):
        with self.lock:
            self.by_state.setdefault(state, []).append(booking)


NEXT_STATE = {"confirm": "sale", "cancel": "cancel", "qty": "sale", "draft": "draft"}
PREVIOUS_STATE = {
    "confirm": "draft",
    "cancel": "sale",
    "qty": "sale",
    "draft": "cancel",
}


def churn_step(client, rng, kind, booking):
    if kind == "confirm":
        return client.timed("sale.order", "action_confirm", [booking["id"]])
    if kind == "cancel":
        return client.timed(
            "sale.order",
            "action_cancel",
            [booking["id"]],
            context={"disable_cancel_warning": True},
        )
    if kind == "draft":
        return client.timed("sale.order", "action_draft", [booking["id"]])
    seats = rng.choice([n for n in range(1, MAX_SEATS + 1) if n != booking["seats"]])
    result = client.timed(
        "sale.order",
        "write",
        [booking["id"]],
        {
            # plain tuples: XML-RPC does not marshal Command's enum members
            "sputnik_traveller_ids": [(6, 0, booking["travellers"][:seats])],
            "order_line": [(1, booking["line"], {"product_uom_qty": seats})],
        },
    )
    if result[0] == DONE:
        booking["seats"] = seats
    return result


def run_churn(server, args, data):
    pool = Pool(data["churn"], args.weights)
    agents = data["agents"]
    records = []  # (kind, outcome, ms, message)
    records_lock = threading.Lock()
    # the duration counts from the moment every client is ready
    started = [0.0]

    def go():
        started[0] = time.monotonic()

    barrier = threading.Barrier(args.churn_clients, action=go)

    def work(index):
        uid, login = agents[index % len(agents)]
        client = Client(server, args.db, uid, login, args.timeout)
        rng = random.Random(args.seed * 1000 + index)
        barrier.wait(timeout=120)
        for _op in range(MAX_OPS_PER_CLIENT):
            if time.monotonic() >= started[0] + args.seconds:
                break
            kind, booking = pool.take(rng)
            if booking is None:
                time.sleep(0.05)
                continue
            outcome, ms, message = churn_step(client, rng, kind, booking)
            state = NEXT_STATE[kind] if outcome == DONE else PREVIOUS_STATE[kind]
            if outcome == RAW:
                # what the server did is unknown: read it back
                try:
                    state = client.call(
                        "sale.order", "read", [booking["id"]], ["state"]
                    )[0]["state"]
                    if kind == "qty":
                        booking["seats"] = int(
                            client.call(
                                "sale.order.line",
                                "read",
                                [booking["line"]],
                                ["product_uom_qty"],
                            )[0]["product_uom_qty"]
                        )
                except (OSError, xmlrpc.client.Error):
                    state = "lost"
            pool.give_back(booking, state)
            with records_lock:
                records.append((kind, outcome, ms, message))

    threads = [
        threading.Thread(target=work, args=(i,), daemon=True)
        for i in range(args.churn_clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + args.timeout + 150)
    return records, time.monotonic() - started[0]


# === INVARIANT === #


def wait_first_invoices(args, seconds=300):
    """Wait until no booking waits for its first invoice; returns the
    seconds waited (None when some are still pending after ``seconds``)."""
    conn = pg_connect_db(args.db)
    try:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM sale_order WHERE sputnik_invoicing_pending"
                )
                if not cr.fetchone()[0]:
                    return time.perf_counter() - start
            time.sleep(0.2)
        return None
    finally:
        conn.close()


def first_invoices(args, departure_ids):
    """How long after its (last) confirmation each confirmed booking of the
    bench departures got its deposit invoice, and the bookings whose deposit
    invoices do not add up (confirmed: none or several not credited;
    cancelled: one not credited; or still pending)."""
    conn = pg_connect_db(args.db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """
                SELECT so.id, so.state, so.sputnik_invoicing_pending,
                       EXTRACT(EPOCH FROM MAX(am.create_date) - so.date_order),
                       COUNT(DISTINCT am.id) FILTER (
                           WHERE NOT EXISTS (SELECT 1 FROM account_move r
                                              WHERE r.reversed_entry_id = am.id))
                  FROM sale_order so
                  LEFT JOIN sale_order_line dp
                         ON dp.order_id = so.id AND dp.is_downpayment
                  LEFT JOIN sale_order_line_invoice_rel rel
                         ON rel.order_line_id = dp.id
                  LEFT JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  LEFT JOIN account_move am
                         ON am.id = aml.move_id AND am.state = 'posted'
                         AND am.move_type = 'out_invoice'
                 WHERE so.state IN ('sale', 'cancel')
                   AND so.id IN (SELECT order_id FROM sale_order_line
                                  WHERE sputnik_departure_id = ANY(%s))
                 GROUP BY so.id
                """,
                (list(departure_ids),),
            )
            rows = cr.fetchall()
    finally:
        conn.close()
    lags = [
        lag * 1000
        for _id, state, _pending, lag, _count in rows
        if state == "sale" and lag is not None
    ]
    # confirmed: one deposit invoice; cancelled: every deposit credited
    wrong = [
        order_id
        for order_id, state, pending, _lag, count in rows
        if pending or count != (1 if state == "sale" else 0)
    ]
    return lags, wrong


def pg_connect_db(db):
    import psycopg2  # noqa: PLC0415 - libpq reads PGHOST, PGPORT, PGUSER

    conn = psycopg2.connect(dbname=db, connect_timeout=10)
    conn.autocommit = True
    return conn


def orm_problems(args, departure_ids):
    """What the addon's own check (``_sputnik_seat_problems``) finds, read
    before the manager's check repairs anything, and the figures it reads."""
    registry = Registry(args.db)  # Odoo's configuration is set by prepare()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        departures = env["sputnik.departure"].browse(departure_ids)
        problems = {
            d.id: found for d, found in departures._sputnik_seat_problems().items()
        }
        figures = departures._get_seat_figures()
        cr.rollback()
    return problems, figures


def rpc_invariant(server, args, data, departure_ids):
    """The seats read as a manager over XML-RPC against the confirmed
    bookings counted by search_read, then the manager's seat check."""
    uid, login = data["manager"]
    manager = Client(server, args.db, uid, login, args.timeout)
    differences = []
    departures = manager.call(
        "sputnik.departure",
        "read",
        departure_ids,
        [
            "name",
            "state",
            "seats_on_hand",
            "seats_reserved",
            "seats_sold",
            "seats_free",
        ],
    )
    lines = manager.call(
        "sale.order.line",
        "search_read",
        [("sputnik_departure_id", "in", departure_ids), ("state", "=", "sale")],
        fields=["sputnik_departure_id", "product_uom_qty", "order_id"],
    )
    orders = manager.call(
        "sale.order",
        "search_read",
        [("id", "in", sorted({line["order_id"][0] for line in lines}))],
        fields=["name", "sputnik_traveller_ids", "order_line"],
    )
    seats_of_order = defaultdict(int)
    sold = defaultdict(int)
    for line in lines:
        sold[line["sputnik_departure_id"][0]] += int(line["product_uom_qty"])
        seats_of_order[line["order_id"][0]] += int(line["product_uom_qty"])
    for order in orders:
        if len(order["sputnik_traveller_ids"]) != seats_of_order[order["id"]]:
            differences.append(
                f"{order['name']}: {len(order['sputnik_traveller_ids'])} travellers "
                f"for {seats_of_order[order['id']]} seats"
            )
    for dep in departures:
        name, counted = dep["name"], sold[dep["id"]]
        if dep["seats_sold"] != counted or dep["seats_reserved"] != counted:
            differences.append(
                f"{name}: sold {dep['seats_sold']}, reserved {dep['seats_reserved']}, "
                f"confirmed booking lines {counted}"
            )
        if dep["seats_free"] != max(dep["seats_on_hand"] - counted, 0):
            differences.append(
                f"{name}: free {dep['seats_free']} != on hand "
                f"{dep['seats_on_hand']} - booked {counted}"
            )
        if counted > dep["seats_on_hand"]:
            differences.append(
                f"{name}: overbooked, {counted} of {dep['seats_on_hand']}"
            )
        expected = "sold_out" if dep["seats_free"] <= 0 else "open"
        if dep["state"] != expected:
            differences.append(f"{name}: state {dep['state']}, expected {expected}")
    check = manager.call("sputnik.departure", "action_check_seats", departure_ids)
    params = check.get("params", {})
    if params.get("type") != "success":
        differences.append(f"action_check_seats: {params.get('message')}")
    return {
        "departures": departures,
        "sold": dict(sold),
        "check": params.get("message"),
        "differences": differences,
    }


# === REPORT === #


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    # nearest rank
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return round(ordered[index])


def latency(values):
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values)) if values else None,
        "p95_ms": percentile(values, 0.95),
        "max_ms": round(max(values)) if values else None,
    }


def fmt(value):
    return "-" if value is None else str(value)


def report(  # noqa: PLR0913 - the figures of every part of the run
    args, data, solo, race, race_wall, churn, churn_wall, invariant, server_log, first
):
    race_outcomes = Counter(r[0] for r in race)
    race_ms = [r[1] for r in race]
    race_lat = latency(race_ms)
    raw_kinds = Counter(kind_of(r[2]) for r in race if r[0] == RAW)
    refusal_kinds = Counter(kind_of(r[2]) for r in race if r[0] == REFUSED)

    print()
    print(f"database {args.db} (copy of {args.source}): {json.dumps(data['size'])}")
    print(
        f"Odoo: {args.workers} workers, {args.cron_threads} cron thread(s); "
        f"server log {server_log}"
    )
    print()
    solo_json = {}
    for kind, rows in solo.items():
        solo_json[f"{kind}_ms"] = round(statistics.median(r[1] for r in rows))
        solo_json[f"{kind}_failed"] = sum(r[0] != DONE for r in rows)
    print(
        "one client alone (median of 3 after one untimed, no contention): "
        + ", ".join(f"{kind} {solo_json[f'{kind}_ms']} ms" for kind in solo)
    )
    for kind, rows in solo.items():
        for outcome, _ms, message in rows:
            if outcome != DONE:
                print(f"  {kind} {outcome}: {message[:200]}")
    print()
    print(
        f"race: {args.clients} agents for the last {args.seats} seats, "
        f"all calls done in {race_wall:.1f} s"
    )
    print(
        f"  confirmed {race_outcomes[DONE]} (expected {args.seats}), clear refusals "
        f"{race_outcomes[REFUSED]}, raw errors {race_outcomes[RAW]}"
    )
    print(
        f"  latency ms: p50 {fmt(race_lat['p50_ms'])}  p95 {fmt(race_lat['p95_ms'])}  "
        f"max {fmt(race_lat['max_ms'])}  (winners p95 "
        f"{fmt(percentile([r[1] for r in race if r[0] == DONE], 0.95))})"
    )
    for kind, count in refusal_kinds.most_common(3):
        print(f"  refusal x{count}: {kind}")
    for kind, count in raw_kinds.most_common(5):
        print(f"  RAW x{count}: {kind}")

    by_kind = defaultdict(list)
    for kind, outcome, ms, message in churn:
        by_kind[kind].append((outcome, ms, message))
    ops = len(churn)
    print()
    print(
        f"churn: {args.churn_clients} agents, {churn_wall:.1f} s, {ops} operations, "
        f"{ops / churn_wall if churn_wall else 0:.2f} ops/s (seed {args.seed})"
    )
    header = (
        f"  {'operation':<9} {'calls':>6} {'done':>6} {'refused':>8} {'raw':>5} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    print(header)
    churn_json = {
        "clients": args.churn_clients,
        "seed": args.seed,
        "mix": args.mix,
        "seconds": round(churn_wall, 1),
        "ops": ops,
        "ops_per_s": round(ops / churn_wall, 2) if churn_wall else 0,
    }
    churn_raw = Counter()
    for kind in ("confirm", "cancel", "qty", "draft"):
        rows = by_kind.get(kind, [])
        counts = Counter(r[0] for r in rows)
        lat = latency([r[1] for r in rows])
        print(
            f"  {kind:<9} {len(rows):>6} {counts[DONE]:>6} {counts[REFUSED]:>8} "
            f"{counts[RAW]:>5} {fmt(lat['p50_ms']):>8} {fmt(lat['p95_ms']):>8} "
            f"{fmt(lat['max_ms']):>8}"
        )
        churn_json[kind] = {
            "calls": len(rows),
            "done": counts[DONE],
            "refused": counts[REFUSED],
            "raw": counts[RAW],
            **{k: v for k, v in lat.items() if k != "n"},
        }
        churn_raw.update(f"{kind}: {kind_of(r[2])}" for r in rows if r[0] == RAW)
    churn_refusals = Counter(
        f"{kind}: {kind_of(message)}"
        for kind, outcome, _ms, message in churn
        if outcome == REFUSED
    )
    for kind, count in churn_refusals.most_common(6):
        print(f"  refusal x{count}: {kind}")
    for kind, count in churn_raw.most_common(8):
        print(f"  RAW x{count}: {kind}")
    churn_json.update(
        confirm_p95_ms=churn_json["confirm"]["p95_ms"],
        cancel_p95_ms=churn_json["cancel"]["p95_ms"],
        qty_p95_ms=churn_json["qty"]["p95_ms"],
        refused=sum(churn_refusals.values()),
        raw_errors=sum(churn_raw.values()),
        raw_error_kinds=dict(churn_raw.most_common(8)),
    )

    print()
    print("invariant (the addon's check read before any repair, then over XML-RPC):")
    for dep in invariant["departures"]:
        print(
            f"  {dep['name']}: state {dep['state']}, on hand {dep['seats_on_hand']}, "
            f"sold {dep['seats_sold']}, reserved {dep['seats_reserved']}, free "
            f"{dep['seats_free']}; confirmed lines "
            f"{invariant['sold'].get(dep['id'], 0)}"
        )
    print(f"  action_check_seats: {invariant['check']}")
    differences = invariant["differences"]
    for difference in differences:
        print(f"  DIFFERENCE: {difference}")
    if not differences:
        print("  ok: the seats add up")
    print(
        f"  server log: {server_log['retries']} serialization retries "
        f"({server_log['retries_exhausted']} given up), "
        f"{server_log['errors']} ERROR lines, {server_log['worker_timeouts']} "
        "worker timeouts"
    )

    first_lat = latency(first["lags"])
    print()
    print(
        "first invoices (deposits), issued by the cron after each confirmation: "
        + (
            f"none pending {first['waited']:.1f} s after the churn's end"
            if first["waited"] is not None
            else "STILL PENDING"
        )
    )
    print(
        f"  after its confirmation, ms: p50 {fmt(first_lat['p50_ms'])}  p95 "
        f"{fmt(first_lat['p95_ms'])}  max {fmt(first_lat['max_ms'])} "
        f"({first_lat['n']} confirmed bookings)"
    )
    if first["wrong"]:
        print(f"  WRONG: bookings whose deposits do not add up: {first['wrong']}")
    else:
        print(
            "  ok: every confirmed booking has exactly one deposit invoice, "
            "every cancelled one its deposits credited"
        )
    first_json = {
        "waited_s": round(first["waited"], 1) if first["waited"] is not None else None,
        **{f"lag_{k}": v for k, v in first_lat.items()},
        "wrong": first["wrong"],
    }

    race_raw = race_outcomes[RAW]
    cancel_p95 = churn_json["cancel_p95_ms"]
    goals = {
        "cancel_p95_le_2s": cancel_p95 is not None and cancel_p95 <= GOAL_CANCEL_P95_MS,
        "race_p95_le_5s": not args.clients
        or (race_lat["p95_ms"] is not None and race_lat["p95_ms"] <= GOAL_RACE_P95_MS),
        "raw_errors_0": race_raw + churn_json["raw_errors"] == 0,
        "race_sold_exactly": not args.clients or race_outcomes[DONE] == args.seats,
        "invariant_ok": not differences,
        "first_invoices_ok": not data["size"]["deposit_percent"]
        or (first["waited"] is not None and not first["wrong"]),
    }
    print()
    for goal, met in goals.items():
        print(f"  [{'met' if met else 'NOT met'}] {goal}")
    result = {
        "bench": "booking_churn",
        "size": args.size,
        "database": data["database"],
        "source": args.source,
        "data": data["size"],
        "workers": args.workers,
        "cron_threads": args.cron_threads,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],
        "solo": solo_json,
        "race": {
            "clients": args.clients,
            "seats": args.seats,
            "confirmed": race_outcomes[DONE],
            "refused": race_outcomes[REFUSED],
            "raw_errors": race_raw,
            "raw_error_kinds": dict(raw_kinds.most_common(5)),
            "seconds": round(race_wall, 1),
            **{k: v for k, v in race_lat.items() if k != "n"},
        },
        "churn": churn_json,
        "server_log": server_log,
        "invariant": "ok" if not differences else differences,
        "first_invoices": first_json,
        "goals": goals,
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))
    return all(
        goals[g]
        for g in (
            "raw_errors_0",
            "race_sold_exactly",
            "invariant_ok",
            "first_invoices_ok",
        )
    )


def main():
    args = parse_args()
    print(f"copying {args.source} into {args.db} ...", flush=True)
    copy_db(args)
    server = Server(args)
    ok = False
    try:
        start = time.perf_counter()
        data = prepare(args)
        sql_db.close_db(args.db)
        print(
            f"prepared in {time.perf_counter() - start:.1f} s: {data['size']}",
            flush=True,
        )
        server.start()
        server.wait()
        warm_up(server, args, data)
        print(f"Odoo answers on 127.0.0.1:{server.port}; race ...", flush=True)
        solo = run_solo(server, args, data)
        race, race_wall = run_race(server, args, data)
        print(f"churn for {args.seconds:g} s ...", flush=True)
        churn, churn_wall = run_churn(server, args, data)
        departure_ids = [
            *([data["race"]] if data["race"] else []),
            *(c["departure"] for c in data["churn"]),
        ]
        waited = wait_first_invoices(args) if args.cron_threads else None
        lags, wrong = first_invoices(args, departure_ids)
        first = {"waited": waited, "lags": lags, "wrong": wrong}
        problems, figures = orm_problems(args, departure_ids)
        sql_db.close_db(args.db)
        invariant = rpc_invariant(server, args, data, departure_ids)
        for dep_id, found in problems.items():
            invariant["differences"].insert(
                0, f"departure {dep_id} {figures[dep_id]}: {' '.join(found)}"
            )
        server.stop()
        ok = report(
            args,
            data,
            solo,
            race,
            race_wall,
            churn,
            churn_wall,
            invariant,
            server.log_figures(),
            first,
        )
    finally:
        server.stop()
        if not args.keep_db:
            drop_db(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
