"""Two Odoo servers on one primary, their reads answered by a streaming replica.

On the PostgreSQL pair of ``scripts/replica.sh`` (a primary and its standby made
by ``pg_basebackup -R``, each on its own port), as a bureau that outgrew one
machine would run it:

1. prepares, through the ORM on the primary (committed), a departure, two
   agents, a manager and ``--bookings`` quotations per server;
2. starts two Odoo servers on the primary's database (prefork, ``--workers``
   each, no cron, the same data directory: shared filestore and sessions),
   both with ``--db_replica_host`` / ``--db_replica_port`` pointing at the
   standby;
3. on both servers at once, each agent confirms its bookings over XML-RPC
   (``/xmlrpc/2`` always works on the primary);
4. the manager computes the stored reports again (as their hourly run does),
   then the replication is awaited: the standby's ``pg_last_wal_replay_lsn``
   reaching the primary's ``pg_current_wal_lsn`` taken after the writes (the
   lag, in ms);
5. over JSON-RPC (``/web/dataset/call_kw``, as the web client calls it), on
   both servers, as the manager: the KPI dashboard (``get_dashboard``, marked
   ``@api.readonly``), the Bookings Analysis's ``read_group`` and the count of
   confirmed bookings (``search_count``; both readonly in Odoo 18), which Odoo
   sends to the replica;
6. proves where they were answered: the standby's own transaction count of
   the database (``pg_stat_database.xact_commit``, zero while bookings are
   written, rising with the reads) and the cursor mode Odoo logs for each
   request (``ro``: the replica; ``ro->rw``: fell back to the primary;
   ``rw``: the primary);
7. compares the figures read on the replica with the same calls made through
   the ORM on the primary: equal once replicated.

The last line is ``RESULT {json}``. Run from the repository's root once
``scripts/replica.sh start`` has made the pair (``make bench-replica`` does
both, and stops the pair at the end):

    PYTHONPATH=/opt/odoo .venv/bin/python bench/bench_replica.py --db sputnik_replica

Exit code 0 when every booking was confirmed, the reads were answered by the
replica and the figures are equal; 1 otherwise.
"""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import threading
import time
import types
import urllib.request
from pathlib import Path

import bench_booking_churn as churn
from dateutil.relativedelta import relativedelta
from odoo_boot import (
    ROOT,
    add_odoo_arguments,
    add_size_argument,
    database_size,
    init_odoo,
    print_result,
)

from odoo import SUPERUSER_ID, Command, api, fields

CONTEXT = {"tracking_disable": True, "mail_notrack": True}
REPORT = "sputnik.booking.report"
REPORT_MEASURES = ["seats:sum", "revenue:sum", "booking_count:sum"]
REPORT_GROUPBY = ["tour_type"]
CONFIRMED_BOOKINGS = [("state", "=", "sale"), ("sputnik_is_booking", "=", True)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", required=True, help="database in the primary (scripts/replica.sh)"
    )
    parser.add_argument(
        "--replica-dir",
        default=str(ROOT / ".replica"),
        help="scripts/replica.sh's folder: its run/ holds both sockets "
        "(default: %(default)s)",
    )
    parser.add_argument("--primary-port", type=int, default=55432)
    parser.add_argument("--standby-port", type=int, default=55433)
    parser.add_argument("--workers", type=int, default=2, help="workers per server")
    parser.add_argument(
        "--bookings", type=int, default=6, help="bookings confirmed on each server"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per call")
    add_odoo_arguments(parser)
    add_size_argument(parser, default="demo", generates=False)
    parser.set_defaults(data_dir=str(ROOT / ".replica" / "odoo-data"))
    args = parser.parse_args()
    if not 1 <= args.bookings <= 200:
        parser.error("--bookings must be between 1 and 200")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def socket_dir(args):
    return str(Path(args.replica_dir, "run"))


def pg(args, port, dbname="postgres"):
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(
        host=socket_dir(args), port=port, user="odoo", dbname=dbname
    )
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchone()


# === DATA (through the ORM on the primary, committed) === #


def prepare(args, registry):
    tag = time.strftime("%H%M%S")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
        user = env.ref("sputnik_crm.group_sputnik_user")
        manager_group = env.ref("sputnik_crm.group_sputnik_manager")
        internal = env.ref("base.group_user")

        def create(login, group):
            return env["res.users"].create(
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "password": login,
                    "email": f"{login}@example.com",
                    "lang": "en_US",
                    "groups_id": [Command.set([internal.id, group.id])],
                }
            )

        agents = [create(f"replica_agent_{tag}_{s}", user) for s in "ab"]
        manager = create(f"replica_manager_{tag}", manager_group)
        departure = churn.make_departure(
            env, f"Replica Tour {tag}", 2 * args.bookings + 2, 45
        )
        bookings = churn.make_bookings(
            env,
            departure,
            [1] * (2 * args.bookings),
            1,
            agents,
            f"Replica Traveller {tag}",
        )
        cr.commit()
        return {
            "agents": [(a.id, a.login) for a in agents],
            "manager": (manager.id, manager.login),
            # booking i belongs to agent i % 2: agent a on server A, b on B
            "bookings": [
                [b["id"] for b in bookings if b["agent"] == k] for k in range(2)
            ],
        }


# === SERVERS === #


def start_servers(args):
    servers = []
    for name in "AB":
        options = types.SimpleNamespace(
            db=args.db,
            addons_path=args.addons_path,
            data_dir=args.data_dir,
            workers=args.workers,
            cron_threads=0,
            port=None,
            log=str(Path(args.data_dir, "logs", f"bench-replica-{name}.log")),
        )
        server = churn.Server(
            options,
            extra_args=[
                f"--db_replica_host={socket_dir(args)}",
                f"--db_replica_port={args.standby_port}",
            ],
            # the server's connections named in pg_stat_activity
            extra_env={"ODOO_PGAPPNAME": f"odoo-bench-{name}-{{pid}}"},
        )
        server.name = name
        servers.append(server)
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


class WebClient:
    """The web client's way: a session cookie, then JSON-RPC calls."""

    def __init__(self, server, db, login, timeout):
        self.server, self.timeout = server, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.post("/web/session/authenticate", db=db, login=login, password=login)

    def post(self, path, **params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.server.url(path),
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            raise RuntimeError(f"{path}: {answer['error']['data']['message']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        kwargs.setdefault("context", {"lang": "en_US"})
        return self.post(
            f"/web/dataset/call_kw/{model}/{method}",
            model=model,
            method=method,
            args=list(args),
            kwargs=kwargs,
        )


# === THE RUN === #


def confirm_all(server, args, agent, booking_ids, outcomes):
    client = churn.Client(server, args.db, agent[0], agent[1], args.timeout)
    for booking_id in booking_ids:
        outcome, ms, message = client.timed(
            "sale.order", "action_confirm", [booking_id]
        )
        outcomes.append((server.name, outcome, ms, message))


def reads(period):
    """The read-only calls of the run: (name, model, method, args, kwargs)."""
    return [
        ("dashboard", "sputnik.kpi.dashboard", "get_dashboard", list(period), {}),
        (
            "report",
            REPORT,
            "read_group",
            [[], REPORT_MEASURES, REPORT_GROUPBY],
            {"lazy": False, "orderby": "tour_type"},
        ),
        ("bookings", "sale.order", "search_count", [CONFIRMED_BOOKINGS], {}),
    ]


def primary_figures(registry, uid, period):
    """The same calls through the ORM on the primary."""
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {"lang": "en_US"})
        figures = {}
        for name, model, method, call_args, kwargs in reads(period):
            figures[name] = getattr(env[model], method)(*call_args, **kwargs)
        cr.rollback()
    return normalized(figures)


def normalized(value):
    """JSON's view of a result, as the web client receives it."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def standby_transactions(standby, db):
    """Transactions of ``db`` the standby has answered (its own statistics,
    flushed by PostgreSQL within a second)."""
    time.sleep(1.2)
    standby_conn = standby
    with standby_conn.cursor() as cr:
        cr.execute("SELECT pg_stat_clear_snapshot()")
        cr.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = %s",
            (db,),
        )
        return cr.fetchone()[0]


def wait_replayed(primary, standby, timeout=60):
    """Milliseconds until the standby replayed everything the primary wrote
    until now."""
    (target,) = query(primary, "SELECT pg_current_wal_lsn()")
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        (behind,) = query(
            standby,
            "SELECT pg_wal_lsn_diff(%s, COALESCE(pg_last_wal_replay_lsn(), '0/0'))",
            (target,),
        )
        if behind <= 0:
            return (time.perf_counter() - started) * 1000
        time.sleep(0.005)
    raise RuntimeError(f"the standby did not replay {target} in {timeout} s")


def cursor_modes(server, since):
    """The cursor mode Odoo logged for each JSON-RPC call since byte ``since``
    of the server's log: {"ro": n, "ro->rw": n, "rw": n}."""
    text = server.log.read_text(errors="replace")[since:]
    modes = {"ro": 0, "ro->rw": 0, "rw": 0}
    pattern = r'"POST /web/dataset/call_kw/[^"]*" \d+ \S+ (.*)$'
    for match in re.finditer(pattern, text, re.M):
        mode = match.group(1).split()[-1]
        if mode in modes:
            modes[mode] += 1
    return modes


def main():  # noqa: PLR0915 - the steps of the run, in order
    args = parse_args()
    # the ORM of this script and both servers work on the primary
    os.environ.update(
        PGHOST=socket_dir(args), PGPORT=str(args.primary_port), PGUSER="odoo"
    )
    os.environ.pop("PGPASSWORD", None)
    try:
        primary = pg(args, args.primary_port)
        standby = pg(args, args.standby_port)
    except Exception as exc:  # noqa: BLE001 - say what to do
        sys.exit(f"the replica pair does not answer ({exc}): scripts/replica.sh start")
    if not query(standby, "SELECT pg_is_in_recovery()")[0]:
        sys.exit(f"port {args.standby_port} is not a standby in recovery")
    registry = init_odoo(args)
    data = prepare(args, registry)
    with registry.cursor() as cr:
        database = database_size(cr, args.db)
    print(
        f"database {args.db} on the primary: {database['clients']:,} clients, "
        f"{database['order_lines']:,} order lines, {database['megabytes']} MB"
    )
    today = fields.Date.today()
    period = (
        str(today - relativedelta(months=12)),
        str(today + relativedelta(months=6)),
    )

    servers = start_servers(args)
    try:
        print(
            "servers: "
            + ", ".join(
                f"{s.name} on port {s.port} ({args.workers} workers)" for s in servers
            )
            + f"; replica: port {args.standby_port}"
        )
        # bookings, both servers at once
        before_writes = standby_transactions(standby, args.db)
        outcomes = []
        threads = [
            threading.Thread(
                target=confirm_all,
                args=(server, args, data["agents"][k], data["bookings"][k], outcomes),
            )
            for k, server in enumerate(servers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        write_seconds = time.perf_counter() - started
        manager_rpc = churn.Client(
            servers[0], args.db, data["manager"][0], data["manager"][1], args.timeout
        )
        manager_rpc.call("sputnik.report.mixin", "action_sputnik_refresh")
        lag_ms = wait_replayed(primary, standby)
        after_writes = standby_transactions(standby, args.db)
        (replay_lag,) = query(
            primary,
            "SELECT COALESCE(EXTRACT(EPOCH FROM MAX(replay_lag)) * 1000, 0)"
            " FROM pg_stat_replication",
        )
        by_server = {
            s.name: sum(1 for o in outcomes if o[0] == s.name and o[1] == churn.DONE)
            for s in servers
        }
        failures = [o for o in outcomes if o[1] != churn.DONE]
        print(
            f"bookings confirmed over XML-RPC in {write_seconds:.1f} s: "
            + ", ".join(f"server {k} {v}" for k, v in by_server.items())
            + f" of {args.bookings} each"
        )
        for failure in failures:
            print(f"  not confirmed on {failure[0]}: {failure[1]} {failure[3]}")
        print(
            f"replication: the standby replayed the writes {lag_ms:.0f} ms after "
            f"they were committed (pg_stat_replication replay_lag "
            f"{float(replay_lag):.0f} ms); standby transactions meanwhile: "
            f"{after_writes - before_writes}"
        )

        # reads, over JSON-RPC on both servers
        log_start = {s.name: s.log.stat().st_size for s in servers}
        answers = {}
        for server in servers:
            web = WebClient(server, args.db, data["manager"][1], args.timeout)
            before = standby_transactions(standby, args.db)
            answers[server.name] = normalized(
                {
                    name: web.call(model, method, *call_args, **kwargs)
                    for name, model, method, call_args, kwargs in reads(period)
                }
            )
            answered = standby_transactions(standby, args.db) - before
            answers[server.name + "_standby_transactions"] = answered
        modes = {s.name: cursor_modes(s, log_start[s.name]) for s in servers}
    finally:
        for server in servers:
            server.stop()
    expected = primary_figures(registry, data["manager"][0], period)
    primary.close()
    standby.close()

    calls = len(reads(period))
    read_by_replica = {
        s.name: min(answers[s.name + "_standby_transactions"], modes[s.name]["ro"])
        for s in servers
    }
    equal = all(answers[s.name] == expected for s in servers)
    for server in servers:
        print(
            f"server {server.name}: {calls} reads over JSON-RPC; Odoo's cursor "
            f"modes {modes[server.name]}; standby transactions "
            f"{answers[server.name + '_standby_transactions']}; figures "
            f"{'equal to' if answers[server.name] == expected else 'DIFFERENT from'}"
            " the primary's"
        )
    print(
        f"confirmed bookings read on the replica: {answers['A']['bookings']} "
        f"(primary {expected['bookings']}); Bookings Analysis seats "
        f"{sum(g['seats'] or 0 for g in answers['A']['report'])}"
    )
    ok = (
        not failures
        and equal
        and all(read_by_replica[s.name] >= calls for s in servers)
        and all(not modes[s.name]["ro->rw"] for s in servers)
    )
    print("PASS" if ok else "FAIL")
    print_result(
        "replica",
        args.size,
        database,
        servers=len(servers),
        workers_per_server=args.workers,
        bookings_per_server=by_server,
        bookings_failed=len(failures),
        write_seconds=round(write_seconds, 2),
        reads_per_server=calls,
        reads_answered_by_replica=read_by_replica,
        cursor_modes=modes,
        standby_transactions_during_writes=after_writes - before_writes,
        replication_lag_ms=round(lag_ms, 1),
        replay_lag_ms=round(float(replay_lag), 1),
        confirmed_bookings=expected["bookings"],
        equal=equal,
        passed=ok,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
