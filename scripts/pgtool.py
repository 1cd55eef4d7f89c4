"""Small PostgreSQL helper for the project's scripts, through libpq's own variables
(PGHOST, PGPORT, PGUSER, PGPASSWORD).

    pgtool.py ping           exit 0 when PostgreSQL >= 13 answers
    pgtool.py exists NAME    exit 0 when database NAME exists, 1 when it does not
    pgtool.py drop NAME      drop database NAME, closing its connections first
"""

import sys

import psycopg2
from psycopg2 import sql

MIN_VERSION = 130000


def connect():
    conn = psycopg2.connect(dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


def main(argv):
    command, args = (argv[0], argv[1:]) if argv else ("ping", [])
    try:
        conn = connect()
    except psycopg2.OperationalError as exc:
        print(str(exc).strip(), file=sys.stderr)
        return 2
    with conn.cursor() as cr:
        if command == "ping":
            cr.execute("SHOW server_version_num")
            version = int(cr.fetchone()[0])
            if version < MIN_VERSION:
                print(
                    f"PostgreSQL {version} is too old: Odoo 18 needs 13 or later",
                    file=sys.stderr,
                )
                return 3
            return 0
        if command == "exists" and len(args) == 1:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args[0],))
            return 0 if cr.fetchone() else 1
        if command == "drop" and len(args) == 1:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s",
                (args[0],),
            )
            cr.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(args[0]))
            )
            return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
