"""Time the confirmation of sputnik_crm bookings against plain sale orders.

Confirms a series of bookings (a departure's seats, two travellers with foreign
passports each) and, in the same run and the same database, a series of plain
Odoo sale orders of a storable product, and reports the time and the SQL queries
per confirmation with their ratios. Target: a booking's confirmation costs at
most 1.2 times a plain order's, without a deposit (against the plain
confirmation) and with the company's 30 % deposit invoiced and posted (against
the plain confirmation followed by Odoo's down payment wizard and the posting
of its invoice, as a bureau without the addon works).

Everything happens in one transaction that is rolled back at the end: the
database is left as it was. Run from the repository's root:

    PYTHONPATH=/opt/odoo .venv/bin/python bench/bench_booking_confirm.py --db DB

Exit code 0 when the target is met, 1 when it is not.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from dateutil.relativedelta import relativedelta
from odoo_boot import (
    add_odoo_arguments,
    add_size_argument,
    database_size,
    init_odoo,
    print_result,
)

from odoo import SUPERUSER_ID, Command, api, fields, sql_db

TARGET = 1.20
PRICE = 30000.0
SEATS = 2  # seats (and units) per order
DEPOSIT_PERCENT = 30.0
CONTEXT = {"tracking_disable": True, "mail_notrack": True}

BASELINE = "baseline"
BASELINE_DEPOSIT = "baseline_deposit"
NO_DEPOSIT = "no_deposit"
DEPOSIT = "deposit"
VARIANTS = (BASELINE, BASELINE_DEPOSIT, NO_DEPOSIT, DEPOSIT)
LABELS = {
    BASELINE: "plain sale order, storable product",
    BASELINE_DEPOSIT: f"plain order + {DEPOSIT_PERCENT:g} % down payment wizard",
    NO_DEPOSIT: "booking, deposit off (0 %)",
    DEPOSIT: f"booking, deposit {DEPOSIT_PERCENT:g} % invoiced",
}
# each booking variant is judged against the plain one that does the same
REFERENCE = {NO_DEPOSIT: BASELINE, DEPOSIT: BASELINE_DEPOSIT}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with sputnik_crm")
    parser.add_argument(
        "--bookings", type=int, default=200, help="confirmations per variant and round"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds, the variants interleaved"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="uncounted confirmations per variant"
    )
    add_odoo_arguments(parser)
    add_size_argument(parser, default="demo", generates=False)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the rounds, cProfile the confirmation of --bookings more "
        "bookings (deposit off) and print where the time goes",
    )
    return parser.parse_args()


# === DATA === #


def make_partners(env, count, prefix):
    return env["res.partner"].create(
        [
            {"name": f"{prefix} {i}", "email": f"bench{i}@example.com"}
            for i in range(count)
        ]
    )


def make_plain_product(env, quantity):
    """A storable product with ``quantity`` units in the main warehouse's stock."""
    product = env["product.product"].create(
        {
            "name": "Bench Storable Product",
            "type": "consu",
            "is_storable": True,
            "invoice_policy": "order",
            "list_price": PRICE,
            "taxes_id": [Command.clear()],
        }
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    env["stock.quant"]._update_available_quantity(
        product, warehouse.lot_stock_id, quantity
    )
    return product


def make_departure(env, seats):
    """A tour abroad with one departure in 60 days, ``seats`` bought and received."""
    country = env.ref("base.tr")
    if env.company.country_id == country:
        country = env.ref("base.eg")
    operator = env["res.partner"].create(
        {"name": "Bench Operator", "supplier_rank": 1, "is_company": True}
    )
    destination = env["sputnik.destination"].create(
        {"name": "Bench Destination", "country_id": country.id}
    )
    tour = env["product.template"].create(
        {
            "name": "Bench Tour",
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
            "date_start": today + relativedelta(days=60),
            "date_end": today + relativedelta(days=67),
            "release_date": today + relativedelta(days=46),
            "allotment_seats": seats,
        }
    )
    purchase = env["purchase.order"].create(
        {
            "partner_id": operator.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": departure.product_id.id,
                        "product_qty": seats,
                        "price_unit": 20000.0,
                        "taxes_id": [Command.clear()],
                    }
                )
            ],
        }
    )
    purchase.button_confirm()
    receipt = purchase.picking_ids
    receipt.move_ids.quantity = seats
    receipt.move_ids.picked = True
    receipt.button_validate()
    assert departure.seats_free >= seats, departure.seats_free
    return departure


def make_plain_orders(env, product, count):
    customers = make_partners(env, count, "Bench Customer")
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": SEATS})
                ],
            }
            for customer in customers
        ]
    )
    return orders.ids


def make_bookings(env, departure, count):
    """``count`` bookings of SEATS seats, each with SEATS travellers holding a
    foreign passport valid three years (the first traveller is the customer)."""
    travellers = make_partners(env, count * SEATS, "Bench Traveller")
    expiry = fields.Date.context_today(departure) + relativedelta(years=3)
    ukraine = env.ref("base.ua").id
    env["sputnik.travel.document"].create(
        [
            {
                "partner_id": traveller.id,
                "document_type": "foreign_passport",
                "number": f"BE{traveller.id:07d}",
                "country_id": ukraine,
                "expiry_date": expiry,
            }
            for traveller in travellers
        ]
    )
    groups = [travellers[i : i + SEATS] for i in range(0, len(travellers), SEATS)]
    orders = env["sale.order"].create(
        [
            {
                "partner_id": group[0].id,
                "sputnik_traveller_ids": [Command.set(group.ids)],
                "order_line": [
                    Command.create(
                        {
                            "product_id": departure.product_id.id,
                            "product_uom_qty": SEATS,
                        }
                    )
                ],
            }
            for group in groups
        ]
    )
    assert all(orders.mapped("sputnik_is_booking"))
    return orders.ids


# === MEASURE === #


def set_deposit(env, percent):
    if env.company.sputnik_deposit_percent != percent:
        env.company.sputnik_deposit_percent = percent
        env.flush_all()


def new_env(cr):
    """An environment in a fresh ORM transaction (empty cache, no environment
    left over), as a request of its own would get; the database transaction
    goes on. Without it, environments kept alive by the cursor's pending
    commit hooks pile up over the hundreds of confirmations of one run and
    slow every ``with_context`` down."""
    if cr.transaction is not None:
        cr.transaction.flush()
    cr.transaction = None
    return api.Environment(cr, SUPERUSER_ID, CONTEXT)


def invoice_down_payment(order):
    """What a plain Odoo bureau does after confirming an order: Odoo's down
    payment wizard (Create Invoice, a percentage of the order), then the
    invoice posted."""
    wizard = (
        order.env["sale.advance.payment.inv"]
        .with_context(active_model="sale.order", active_ids=order.ids)
        .create(
            {
                "advance_payment_method": "percentage",
                "amount": DEPOSIT_PERCENT,
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
    )
    action = wizard.create_invoices()
    invoice = order.env["account.move"].browse(action["res_id"])
    invoice.action_post()


def confirm(cr, order_ids, down_payment=False, first_invoice=False):
    """Confirm the orders one by one, each in a fresh ORM transaction (with
    ``down_payment``, each followed by Odoo's down payment wizard and the
    posting of its invoice; with ``first_invoice``, by the run of the
    invoicing cron for it); return the seconds and the SQL queries of each
    confirmation."""
    seconds, queries = [], []
    for order_id in order_ids:
        env = new_env(cr)
        order = env["sale.order"].browse(order_id)
        count0, start = sql_db.sql_counter, time.perf_counter()
        order.action_confirm()
        if down_payment:
            invoice_down_payment(order)
        if first_invoice:
            # a booking's first invoice (its deposit), which the invoicing
            # cron issues in a transaction of its own just after the commit:
            # counted with the confirmation, as work the booking costs
            env["sputnik.booking.invoicing"]._sputnik_invoice_pending(order)
        # what the request's commit runs first: the last flush and the
        # pre-commit hooks (those after the commit are left out: nothing is
        # committed)
        cr.flush()
        seconds.append(time.perf_counter() - start)
        queries.append(sql_db.sql_counter - count0)
        cr.postcommit.clear()
        assert order.state == "sale", order.state
    return seconds, queries


def run_variant(cr, variant, order_ids):
    if variant in (NO_DEPOSIT, DEPOSIT):
        set_deposit(new_env(cr), DEPOSIT_PERCENT if variant == DEPOSIT else 0.0)
    return confirm(
        cr,
        order_ids,
        down_payment=variant == BASELINE_DEPOSIT,
        first_invoice=variant in (NO_DEPOSIT, DEPOSIT),
    )


def check_deposits(cr, order_ids, expected):
    """Each order has its posted down payment invoice (``expected``), or none."""
    orders = new_env(cr)["sale.order"].browse(order_ids)
    invoiced = orders.filtered(
        lambda o: o.invoice_ids.filtered(lambda m: m.state == "posted")
    )
    assert len(invoiced) == (len(order_ids) if expected else 0), len(invoiced)


class QueryAttribution:
    """Count the SQL queries by the innermost sputnik_crm function on the stack
    ("odoo" when none is): where the addon's queries come from."""

    def __init__(self):
        self.counts = Counter()
        self.original = sql_db.Cursor.execute

    def __enter__(self):
        original, counts = self.original, self.counts

        def execute(cursor, *args, **kwargs):
            counts[self.owner(sys._getframe(1))] += 1
            return original(cursor, *args, **kwargs)

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


def profile(cr, order_ids):
    set_deposit(new_env(cr), 0.0)
    profiler = cProfile.Profile()
    with QueryAttribution() as attribution:
        profiler.enable()
        confirm(cr, order_ids)
        profiler.disable()
    count = len(order_ids)
    print("\n--- SQL queries per booking by innermost sputnik_crm frame ---")
    print("(a wrapper that calls super() also owns the core queries below it)")
    for owner, queries in attribution.counts.most_common():
        print(f"{queries / count:8.1f}  {owner}")
    for restriction in ("sputnik_crm", ""):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(restriction, 25)
        title = "our methods" if restriction else "all functions"
        print(f"\n--- cProfile, {count} bookings, deposit off: {title} ---")
        print(out.getvalue().split("\n\n", 1)[-1].strip())


# === REPORT === #


def report(samples, rounds):
    ms = {v: [s * 1000 for s in samples[v]["seconds"]] for v in VARIANTS}
    median = {v: statistics.median(ms[v]) for v in VARIANTS}
    queries = {v: statistics.mean(samples[v]["queries"]) for v in VARIANTS}
    ratio = {v: median[v] / median[REFERENCE.get(v, v)] for v in VARIANTS}
    print()
    print(
        f"{'variant':<42} {'median ms':>9} {'mean ms':>8} {'queries':>8} "
        f"{'ratio':>6}  against"
    )
    print("-" * 88)
    for variant in VARIANTS:
        print(
            f"{LABELS[variant]:<42} {median[variant]:9.2f} "
            f"{statistics.mean(ms[variant]):8.2f} {queries[variant]:8.1f} "
            f"{ratio[variant]:6.2f}  {REFERENCE.get(variant, '')}"
        )
    print()
    print(
        "median ms per round: "
        + "; ".join(
            f"{v} " + " ".join(f"{statistics.median(r) * 1000:.2f}" for r in rounds[v])
            for v in VARIANTS
        )
    )
    ratios = {
        "ratio_without_deposit": ratio[NO_DEPOSIT],
        "ratio_with_deposit": ratio[DEPOSIT],
    }
    passed = all(value <= TARGET for value in ratios.values())
    for name, value in ratios.items():
        verdict = "PASS" if value <= TARGET else "FAIL"
        print(f"{name}={value:.2f} target<={TARGET:.2f} {verdict}")
    queries_ratio = {
        v: queries[v] / queries[REFERENCE[v]] for v in (NO_DEPOSIT, DEPOSIT)
    }
    print(
        f"queries: without deposit {queries_ratio[NO_DEPOSIT]:.2f}x, "
        f"with deposit {queries_ratio[DEPOSIT]:.2f}x"
    )
    return passed, {
        "median_ms": {v: round(median[v], 2) for v in VARIANTS},
        "queries": {v: round(queries[v], 1) for v in VARIANTS},
        **{name: round(value, 3) for name, value in ratios.items()},
        "queries_ratio": round(queries_ratio[NO_DEPOSIT], 3),
        "queries_ratio_with_deposit": round(queries_ratio[DEPOSIT], 3),
        "target": TARGET,
        "passed": passed,
    }


def main():
    args = parse_args()
    registry = init_odoo(args)
    n, rounds = args.bookings, args.repeat
    per_variant = args.warmup + n * rounds
    cr = registry.cursor()
    try:
        database = database_size(cr, args.db)
        env = new_env(cr)
        print(f"database {args.db}: setting up {per_variant} orders per variant ...")
        product = make_plain_product(env, per_variant * SEATS * 3)
        extra = n * SEATS if args.profile else 0
        departure = make_departure(env, 2 * per_variant * SEATS + extra + 10)
        orders = {
            BASELINE: make_plain_orders(env, product, per_variant),
            BASELINE_DEPOSIT: make_plain_orders(env, product, per_variant),
            NO_DEPOSIT: make_bookings(env, departure, per_variant),
            DEPOSIT: make_bookings(env, departure, per_variant),
        }
        profiled = make_bookings(env, departure, n) if args.profile else []
        env.flush_all()

        w = args.warmup
        for variant in VARIANTS:
            run_variant(cr, variant, orders[variant][:w])
        samples = {v: {"seconds": [], "queries": []} for v in VARIANTS}
        per_round = {v: [] for v in VARIANTS}
        for r in range(rounds):
            ids = {v: orders[v][w + r * n : w + (r + 1) * n] for v in VARIANTS}
            current = {v: {"seconds": [], "queries": []} for v in VARIANTS}
            # one order of each variant after the other, in a rotating order,
            # so that the load of the machine weighs on all of them alike
            for i in range(n):
                shift = (r + i) % len(VARIANTS)
                for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                    seconds, queries = run_variant(cr, variant, [ids[variant][i]])
                    current[variant]["seconds"] += seconds
                    current[variant]["queries"] += queries
            for variant in VARIANTS:
                seconds = current[variant]["seconds"]
                queries = current[variant]["queries"]
                samples[variant]["seconds"] += seconds
                samples[variant]["queries"] += queries
                per_round[variant].append(seconds)
                print(
                    f"round {r + 1}/{rounds} {variant:<16} "
                    f"{statistics.median(seconds) * 1000:8.2f} ms "
                    f"{statistics.mean(queries):6.1f} queries"
                )
        check_deposits(cr, orders[BASELINE][w:], expected=False)
        check_deposits(cr, orders[BASELINE_DEPOSIT][w:], expected=True)
        check_deposits(cr, orders[NO_DEPOSIT][w:], expected=False)
        check_deposits(cr, orders[DEPOSIT][w:], expected=True)
        departure = departure.with_env(new_env(cr))
        print(
            f"departure {departure.name}: state {departure.state}, "
            f"{departure.seats_sold} seats sold, {departure.seats_free} free"
        )
        ok, figures = report(samples, per_round)
        if profiled:
            profile(cr, profiled)
    finally:
        cr.rollback()
        cr.close()
    print_result(
        "booking_confirm",
        args.size,
        database,
        bookings=n,
        rounds=rounds,
        **figures,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
