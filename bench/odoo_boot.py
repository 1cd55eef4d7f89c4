"""Start Odoo's registry for a benchmark script run from the repository's root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def add_odoo_arguments(parser):
    parser.add_argument(
        "--addons-path",
        default=f"/opt/odoo/odoo/addons,{ROOT}",
        help="Odoo addons path (default: %(default)s)",
    )
    parser.add_argument("--data-dir", default=str(ROOT / ".odoo-data"))


def init_odoo(args):
    """Odoo's configuration from the script's arguments, and the database's
    registry."""
    import odoo  # noqa: PLC0415 - only once the arguments are known

    odoo.tools.config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--data-dir={args.data_dir}",
            f"--database={args.db}",
            "--log-level=warn",
            "--no-http",
        ],
        setup_logging=True,
    )
    return odoo.modules.registry.Registry(args.db)


# === SIZES AND THE RESULT LINE === #

# The bases a benchmark runs on (make bench... SIZE=demo|100k|1m): the demo
# database as it is, or the generated base of bench_classification_data.py
# (and bench_reports_data.py) at its default size or ten times it.
SIZES = {
    "demo": None,
    "100k": {"clients": 100_000, "lines": 1_000_000, "scale": 1},
    "1m": {"clients": 1_000_000, "lines": 10_000_000, "scale": 10},
}


def add_size_argument(parser, default="100k", generates=True):
    """``--size``: with ``generates``, the base made in the database when it
    lacks it; otherwise only what the RESULT line says of the database given
    (``make bench... SIZE=`` picks that database)."""
    if generates:
        help_text = (
            "the base: demo (the database as it is, nothing generated), 100k "
            "(100,000 generated clients, 1,000,000 order lines) or 1m (ten "
            "times that), generated when absent and reused when present"
        )
    else:
        help_text = "the base the database holds, as the RESULT line names it"
    parser.add_argument(
        "--size",
        choices=tuple(SIZES),
        default=default,
        help=f"{help_text} (default: %(default)s)",
    )


def database_size(cr, dbname):
    """What a benchmark ran on: the database, its clients (partners who are
    customers), booking and order lines, and its size on disk."""
    cr.execute(
        """SELECT (SELECT COUNT(*) FROM res_partner
                    WHERE customer_rank > 0 AND active),
                  (SELECT COUNT(*) FROM sale_order_line),
                  (SELECT COUNT(*) FROM sale_order_line
                    WHERE sputnik_departure_id IS NOT NULL),
                  pg_database_size(current_database())"""
    )
    clients, lines, booking_lines, size = cr.fetchone()
    return {
        "name": dbname,
        "clients": clients,
        "order_lines": lines,
        "booking_lines": booking_lines,
        "megabytes": round(size / 2**20),
    }


def print_result(bench, size, database, **figures):
    """The benchmark's last line: ``RESULT {json}``."""
    import json  # noqa: PLC0415 - only at the end of a run

    result = {"bench": bench, "size": size, "database": database, **figures}
    print("RESULT " + json.dumps(result, ensure_ascii=False, default=str), flush=True)
