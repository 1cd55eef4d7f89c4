"""Fill a database with a client base for the client classification benchmark.

Creates, in a database where sputnik_crm is installed, a travel agency's client
base: N individual clients (about 15 % of them prospects who never booked) and
their bookings over the last years (default five), about five order lines each
(the tour's seats, then transfers, insurance, excursions...), M order lines in
all. About 92 % of the bookings are confirmed, 8 % cancelled; 5 % depart in the
coming six months. Most clients travel once, some two to five times, a few ten
to thirty times; some have a seasonal habit (the same month every year). About
80 % of the departed bookings have a posted customer invoice, due 21 days (the
company's balance delay) before departure and, for most of them, paid by a
bank entry reconciled with it: 80 % on time, 20 % 1-60 days late, the rest
still open and overdue. Orders, their lines and the invoices carry consistent
amounts and margins (8-18 % of the untaxed amount).

Everything is written with COPY and INSERT ... SELECT, not through the ORM: the
default size (100,000 clients, 1,000,000 order lines) takes about a minute and a
half. Run by a PostgreSQL superuser, the load skips the row-by-row foreign key
triggers (most of its time otherwise) and then checks every foreign key of the
tables it wrote, one query per constraint. The generated records are
recognisable: the clients' references start with ``BENCH-`` and the orders are
named ``BENCH/000001``; the generator refuses to run on a database that already
holds them. Accounting is kept to what the classification reads: each invoice
has one income line and one receivable (payment term) line, each payment one
bank line and one receivable line, with a partial and a full reconciliation;
nothing else of the ledger is touched.

As a module, ``generate(cr, ...)`` works in the caller's transaction and leaves
the commit to the caller. As a script, run from the repository's root, it
commits:

    PYTHONPATH=/opt/odoo .venv/bin/python bench/bench_classification_data.py \\
        --db DB [--clients 100000] [--lines 1000000] [--years 5] [--seed 42]
"""

import argparse
import io
import logging
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from odoo_boot import SIZES, add_odoo_arguments, init_odoo

_logger = logging.getLogger("bench.classification_data")

SUPERUSER_ID = 1

CLIENT_REF = "BENCH-"
CLIENT_NAME = "Bench Client "
ORDER_PREFIX = "BENCH/"
NUMBER_WIDTH = 6

PROSPECT_SHARE = 0.15  # clients without any booking
CANCEL_SHARE = 0.08  # cancelled bookings
FUTURE_SHARE = 0.05  # bookings departing in the coming FUTURE_DAYS
FUTURE_DAYS = 182
RECENT_DAYS = 730  # only clients who travelled this recently book ahead
HABIT_SHARE = 0.40  # repeat clients with a seasonal habit
HABIT_LOYALTY = 0.85  # share of a habitual client's trips in their month
INVOICED_SHARE = 0.80  # departed confirmed bookings with a posted invoice
UNPAID_SHARE = 0.04  # invoices left open (overdue)
LINES_PER_ORDER = 5
MAX_LINES_PER_ORDER = 12
AMOUNT_MIN, AMOUNT_MAX = 15_000, 250_000  # UAH per booking
# Booking amounts: log-normal around each client's own level, which spreads
# around the median; a habitual client spends about the same every year.
AMOUNT_MEDIAN, CLIENT_SIGMA, TRIP_SIGMA, HABIT_SIGMA = 55_000, 0.45, 0.35, 0.12
MARGIN_MIN, MARGIN_MAX = 0.08, 0.18  # of the untaxed amount
NIGHTS_MIN, NIGHTS_MAX = 7, 14
UNASSIGNED_SHARE = 0.10  # clients without a salesperson

# Trips per booking client: (fewest, most, weight).
TRIPS = (
    (1, 1, 52.0),
    (2, 2, 19.0),
    (3, 3, 11.0),
    (4, 4, 6.5),
    (5, 5, 4.0),
    (6, 9, 4.5),
    (10, 30, 2.0),
)
TRIP_BANDS = tuple((band[:2], band[2]) for band in TRIPS)
# Lines per order before the total is adjusted to the requested count.
LINE_COUNT_WEIGHTS = (1, 8, 28, 56, 70, 56, 28, 8, 1)  # 1..9 lines, mean 5
SEATS = ((1, 25), (2, 50), (3, 13), (4, 12))
# Departures by month, January first: summer and winter holidays.
MONTH_WEIGHTS = (7, 5, 5, 6, 8, 10, 13, 13, 10, 8, 5, 10)
# Clients' payment habits: (probability of paying late, share of clients);
# 20 % of the invoices are paid late overall.
LATE_PROFILES = ((0.05, 70), (0.40, 20), (0.85, 10))
# Extra lines of a booking: (description, priced per traveller).
EXTRAS = (
    ("Transfer airport - hotel - airport", False),
    ("Travel insurance", True),
    ("Excursion: old town walking tour", True),
    ("Excursion: boat trip", True),
    ("Visa support", True),
    ("Seat reservation on the flight", True),
    ("Extra baggage", False),
    ("Room upgrade", False),
    ("Early check-in", False),
    ("Late check-out", False),
    ("Airport fast track", True),
    ("Excursion: full-day trip with lunch", True),
)

TOUCHED_TABLES = (
    "res_partner",
    "sale_order",
    "sale_order_line",
    "account_move",
    "account_move_line",
    "account_full_reconcile",
    "account_partial_reconcile",
    "sale_order_line_invoice_rel",
)


class AlreadyGenerated(RuntimeError):
    """The database already holds generated clients."""


# === PLAN === #


@dataclass(slots=True)
class Product:
    id: int
    uom_id: int
    name: str
    delivered_method: str


@dataclass(slots=True)
class Client:
    user_id: int | None
    budget: float  # log of the client's typical booking amount
    late_rate: float  # probability of paying an invoice late
    habit_month: int | None
    favourite: Product
    trips: int
    created: datetime | None = None
    id: int = 0
    number: int = 0


@dataclass(slots=True)
class Order:
    client: Client
    date_start: date
    date_end: date | None = None
    date_order: datetime | None = None
    cancelled: bool = False
    seats: int = 1
    product: Product | None = None
    status: str = ""
    line_count: int = 1
    amount: int = 0  # cents
    margin: int = 0  # cents
    invoiced: bool = False
    id: int = 0
    number: int = 0


@dataclass(slots=True)
class Invoice:
    order: Order
    date: date
    due: date
    paid_on: date | None
    id: int = 0
    name: str = ""
    prefix: str = ""
    number: int = 0
    income_line_id: int = 0
    term_line_id: int = 0


@dataclass(slots=True)
class Payment:
    invoice: Invoice
    id: int = 0
    name: str = ""
    prefix: str = ""
    number: int = 0
    liquidity_line_id: int = 0
    counterpart_line_id: int = 0
    partial_id: int = 0
    full_id: int = 0


@dataclass
class Base:
    """The existing records the generated data refers to."""

    company_id: int
    currency_id: int
    pricelist_id: int | None
    warehouse_id: int | None
    team_id: int | None
    user_ids: list
    lang: str | None
    country_id: int | None
    balance_days: int
    require_signature: bool
    require_payment: bool
    prepayment_percent: float
    tours: list
    services: list
    sale_journal: tuple  # (id, code)
    bank_journal: tuple  # (id, code)
    receivable_account_id: int
    income_account_id: int
    liquidity_account_id: int


def cents(value):
    """Text of an amount in cents, for COPY: 123456 -> '1234.56'."""
    return f"{value // 100}.{value % 100:02d}"


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def seasonal_date(rng, first, days):
    """A date from ``first`` to ``first + days``, favouring the holiday months."""
    top = max(MONTH_WEIGHTS)
    while True:
        day = first + timedelta(days=rng.randint(0, days))
        if rng.random() * top < MONTH_WEIGHTS[day.month - 1]:
            return day


def trip_counts(rng, buyers, orders):
    """Trips of each booking client, skewed, summing to ``orders``."""
    counts = []
    for _ in range(buyers):
        low, high = weighted(rng, TRIP_BANDS)
        counts.append(rng.randint(low, high))
    missing = orders - sum(counts)
    while missing:
        i = rng.randrange(buyers)
        if missing > 0 and (counts[i] > 1 or rng.random() < 0.1):
            counts[i] += 1
            missing -= 1
        elif missing < 0 and counts[i] > 1:
            counts[i] -= 1
            missing += 1
    return counts


def line_counts(rng, orders, lines):
    """Lines of each order, 1 to MAX_LINES_PER_ORDER, summing to ``lines``."""
    counts = rng.choices(
        range(1, len(LINE_COUNT_WEIGHTS) + 1), weights=LINE_COUNT_WEIGHTS, k=orders
    )
    missing = lines - sum(counts)
    while missing:
        i = rng.randrange(orders)
        if missing > 0 and counts[i] < MAX_LINES_PER_ORDER:
            counts[i] += 1
            missing -= 1
        elif missing < 0 and counts[i] > 1:
            counts[i] -= 1
            missing += 1
    return counts


def habit_date(rng, month, first, last, used_years):
    """A day of ``month`` in a year of [first, last] the client has not used."""
    years = [y for y in range(first.year, last.year + 1) if y not in used_years]
    year = rng.choice(years or range(first.year, last.year + 1))
    used_years.add(year)
    return date(year, month, rng.randint(1, 28))


def trip_dates(rng, client, start, today):
    """Departure dates of a client's trips, all before today."""
    span = (today - start).days - 1
    if client.trips == 1:
        low, length = 0, span
    else:
        length = min(span, max(client.trips * 45, round(rng.uniform(0.3, 1.0) * span)))
        low = rng.randint(0, span - length)
    first = start + timedelta(days=low)
    last = first + timedelta(days=length)
    used_years = set()
    dates = []
    for _ in range(client.trips):
        day = None
        if client.habit_month and rng.random() < HABIT_LOYALTY:
            day = habit_date(rng, client.habit_month, first, last, used_years)
        if day is None or not start <= day < today:
            day = seasonal_date(rng, first, length)
        dates.append(day)
    return sorted(dates)


def future_date(rng, client, today):
    """A departure in the coming FUTURE_DAYS, in the client's month if it comes."""
    if client.habit_month:
        for year in (today.year, today.year + 1):
            day = date(year, client.habit_month, rng.randint(1, 28))
            if 0 < (day - today).days <= FUTURE_DAYS:
                return day
    return today + timedelta(days=rng.randint(1, FUTURE_DAYS))


def lead_days(rng):
    """Days between the booking and the departure."""
    draw = rng.random()
    if draw < 0.2:
        return rng.randint(25, 45)
    if draw < 0.7:
        return rng.randint(46, 120)
    return rng.randint(121, 240)


def random_time(rng, day, earliest=7, latest=19):
    seconds = rng.randint(earliest * 3600, latest * 3600 - 1)
    return datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)


def plan_clients(rng, base, clients, orders):
    """The clients, prospects last, with their habits and number of trips."""
    buyers = max(1, min(clients - round(clients * PROSPECT_SHARE), orders))
    counts = trip_counts(rng, buyers, orders) + [0] * (clients - buyers)
    months = list(range(1, 13))
    result = []
    for trips in counts:
        has_user = base.user_ids and rng.random() >= UNASSIGNED_SHARE
        result.append(
            Client(
                user_id=rng.choice(base.user_ids) if has_user else None,
                budget=math.log(AMOUNT_MEDIAN) + rng.gauss(0, CLIENT_SIGMA),
                late_rate=weighted(rng, LATE_PROFILES),
                habit_month=(
                    rng.choices(months, weights=MONTH_WEIGHTS)[0]
                    if trips >= 2 and rng.random() < HABIT_SHARE
                    else None
                ),
                favourite=rng.choice(base.tours),
                trips=trips,
            )
        )
    return result


def plan_departures(rng, clients, start, today, orders):
    """(client, departure date) of every booking; FUTURE_SHARE of them ahead,
    the latest trips of clients who travelled recently moved to the future."""
    departures = [
        [client, day]
        for client in clients
        if client.trips
        for day in trip_dates(rng, client, start, today)
    ]
    latest = {}
    for departure in departures:
        latest[id(departure[0])] = departure  # dates are sorted per client
    recent = today - timedelta(days=RECENT_DAYS)
    candidates = [d for d in latest.values() if d[1] >= recent]
    for departure in rng.sample(
        candidates, min(round(orders * FUTURE_SHARE), len(candidates))
    ):
        departure[1] = future_date(rng, departure[0], today)
    return departures


def plan_orders(rng, base, clients, start, today, orders):
    """The bookings, with their dates, state and tour; amounts come later."""
    result = []
    for client, day in plan_departures(rng, clients, start, today, orders):
        order = Order(client=client, date_start=day)
        order.date_end = day + timedelta(days=rng.randint(NIGHTS_MIN, NIGHTS_MAX))
        ordered = day - timedelta(days=lead_days(rng))
        if ordered >= today:
            ordered = today - timedelta(days=rng.randint(1, 20))
        order.date_order = random_time(rng, ordered)
        order.cancelled = rng.random() < CANCEL_SHARE
        order.seats = weighted(rng, SEATS)
        if rng.random() < 0.6:
            order.product = client.favourite
        else:
            order.product = rng.choice(base.tours)
        if order.cancelled:
            order.status = "cancelled"
        elif order.date_end < today:
            order.status = "completed"
        elif order.date_start <= today:
            order.status = "travelling"
        else:
            order.status = "confirmed"
        result.append(order)
    return result


def date_clients(rng, clients, orders, start, today):
    """Creation date of each client: shortly before the first booking, any
    time in the period for prospects."""
    first = {}
    for order in orders:
        key = id(order.client)
        if key not in first or order.date_order < first[key]:
            first[key] = order.date_order
    span = (today - start).days - 1
    for client in clients:
        if id(client) in first:
            client.created = first[id(client)] - timedelta(
                days=rng.randint(0, 60), seconds=rng.randint(0, 6 * 3600)
            )
        else:
            client.created = random_time(
                rng, start + timedelta(days=rng.randint(0, span))
            )


def plan_invoices(rng, base, orders, today):
    """An invoice for INVOICED_SHARE of the departed confirmed bookings, with
    its payment date (None: still open)."""
    invoices = []
    for order in orders:
        if order.cancelled or order.date_start > today:
            continue
        if rng.random() >= INVOICED_SHARE:
            continue
        due = order.date_start - timedelta(days=base.balance_days)
        day = min(order.date_order.date() + timedelta(days=rng.randint(0, 2)), due)
        if rng.random() < UNPAID_SHARE:
            paid_on = None
        elif rng.random() < order.client.late_rate:
            paid_on = due + timedelta(days=rng.randint(1, 60))
        else:
            paid_on = day + timedelta(days=rng.randint(0, (due - day).days))
        if paid_on and paid_on > today:
            paid_on = None  # would be paid late, but is not yet
        order.invoiced = True
        invoices.append(Invoice(order=order, date=day, due=due, paid_on=paid_on))
    return invoices


def number_moves(moves, code, day_of, existing):
    """Name the moves ``CODE/YEAR/NNNNN`` in date order, after the journal's
    existing numbers of each year, as Odoo's sequence would."""
    moves.sort(key=lambda m: (day_of(m), m.id))
    counters = dict(existing)
    for move in moves:
        move.prefix = f"{code}/{day_of(move).year}/"
        move.number = counters.get(move.prefix, 0) + 1
        counters[move.prefix] = move.number
        move.name = f"{move.prefix}{move.number:05d}"


def client_name(number):
    return f"{CLIENT_NAME}{number:0{NUMBER_WIDTH}d}"


def order_name(number):
    return f"{ORDER_PREFIX}{number:0{NUMBER_WIDTH}d}"


def order_lines(rng, order, services):
    """Lines of an order as COPY rows; sets the order's amount and margin.

    The first line is the tour's seats, about 75 % of the amount; the others
    share the rest. Amounts are in whole hryvnias, purchase prices in kopecks,
    so that the lines' subtotals and margins add up exactly to the order's."""
    sigma = HABIT_SIGMA if order.client.habit_month else TRIP_SIGMA
    target = math.exp(order.client.budget + rng.gauss(0, sigma))
    target = min(max(target, AMOUNT_MIN + 100), AMOUNT_MAX - 200)
    rate = rng.uniform(MARGIN_MIN + 0.005, MARGIN_MAX - 0.005)
    seats, count = order.seats, order.line_count
    share = 1.0 if count == 1 else rng.uniform(0.65, 0.85)
    unit = max(100, round(target * share / seats / 10) * 10) * 100
    name = (
        f"{order.product.name} ({order.date_start:%d.%m.%Y} "
        f"\N{EN DASH} {order.date_end:%d.%m.%Y})"
    )
    lines = [(order.product, name, seats, unit)]
    rest = target - unit / 100 * seats
    extras = (
        rng.sample(range(len(EXTRAS)), count - 1)
        if count - 1 <= len(EXTRAS)
        else rng.choices(range(len(EXTRAS)), k=count - 1)
    )
    weights = [rng.uniform(0.5, 1.5) for _ in extras]
    total_weight = sum(weights) or 1.0
    for extra, weight in zip(extras, weights, strict=True):
        description, per_person = EXTRAS[extra]
        quantity = seats if per_person else 1
        price = max(100, round(rest * weight / total_weight / quantity)) * 100
        lines.append((services[extra % len(services)], description, quantity, price))
    rows = []
    order.amount = order.margin = 0
    for sequence, (product, label, quantity, price) in enumerate(lines, start=10):
        cost = round(price * (1 - rate))
        order.amount += price * quantity
        order.margin += (price - cost) * quantity
        rows.append(
            f"{order.id}\t{sequence}\t{product.id}\t{product.uom_id}\t{label}\t"
            f"{quantity}\t{cents(price)}\t{cents(cost)}\t{product.delivered_method}\n"
        )
    return rows


# === DATABASE === #


def flush_orm(cr):
    """With an Odoo cursor, write the ORM's pending changes first."""
    transaction = getattr(cr, "transaction", None)
    if transaction is not None:
        transaction.flush()


def invalidate_orm(cr):
    """With an Odoo cursor, drop the ORM cache: the tables changed under it."""
    transaction = getattr(cr, "transaction", None)
    if transaction is not None:
        transaction.cache.invalidate()


def check_not_generated(cr):
    cr.execute(
        """SELECT (SELECT COUNT(*) FROM res_partner WHERE ref LIKE %s),
                  (SELECT COUNT(*) FROM sale_order WHERE name LIKE %s)""",
        (f"{CLIENT_REF}%", f"{ORDER_PREFIX}%"),
    )
    partners, orders = cr.fetchone()
    if partners or orders:
        raise AlreadyGenerated(
            f"The database already holds generated data ({partners} clients "
            f"with a reference {CLIENT_REF}..., {orders} orders {ORDER_PREFIX}...): "
            "generate into a fresh copy of the database."
        )


def fetch_value(cr, query, params=None):
    cr.execute(query, params)
    row = cr.fetchone()
    return row[0] if row else None


def read_company(cr):
    company_id = fetch_value(
        cr,
        """SELECT company_id FROM sale_order WHERE sputnik_is_booking
         GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1""",
    )
    company_id = company_id or fetch_value(
        cr,
        """SELECT c.id FROM res_company c
            JOIN res_currency cur ON cur.id = c.currency_id
           WHERE cur.name = 'UAH' ORDER BY c.id LIMIT 1""",
    )
    if not company_id:
        raise RuntimeError("No company with bookings nor in UAH.")
    return company_id


def read_products(cr, company_id, lang, tours):
    kind = (
        "pt.sputnik_tour_type IS NOT NULL"
        if tours
        else """pt.type = 'service' AND pt.sale_ok
                AND COALESCE(pt.expense_policy, 'no') = 'no'
                AND pt.sputnik_tour_type IS NULL
                AND pp.id IS DISTINCT FROM (
                    SELECT sale_discount_product_id FROM res_company
                     WHERE id = %(company)s)
                AND pp.id::text IS DISTINCT FROM (
                    SELECT value FROM ir_config_parameter
                     WHERE key = 'sale.default_deposit_product_id')"""
    )
    cr.execute(
        f"""SELECT pp.id, pt.uom_id,
                   COALESCE(pt.name->>%(lang)s, pt.name->>'en_US'),
                   CASE WHEN pt.type = 'consu' THEN 'stock_move' ELSE 'manual' END
              FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE {kind}
               AND pp.active AND pt.active
               AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
          ORDER BY pp.id""",
        {"lang": lang or "en_US", "company": company_id},
    )
    return [Product(*row) for row in cr.fetchall()]


def read_users(cr, company_id):
    cr.execute(
        """SELECT DISTINCT u.id
             FROM res_users u
             JOIN res_groups_users_rel rel ON rel.uid = u.id
             JOIN ir_model_data xid
                  ON xid.model = 'res.groups' AND xid.res_id = rel.gid
                 AND xid.module = 'sputnik_crm' AND xid.name = 'group_sputnik_user'
             JOIN res_company_users_rel cu ON cu.user_id = u.id AND cu.cid = %s
            WHERE u.active AND NOT u.share
         ORDER BY u.id""",
        (company_id,),
    )
    return [row[0] for row in cr.fetchall()]


def read_journal(cr, company_id, types):
    cr.execute(
        """SELECT id, code, default_account_id FROM account_journal
            WHERE company_id = %s AND type = ANY(%s) AND active
         ORDER BY array_position(%s, type::text), sequence, id LIMIT 1""",
        (company_id, list(types), list(types)),
    )
    row = cr.fetchone()
    if not row:
        raise RuntimeError(f"No journal of type {' or '.join(types)}.")
    return row


def read_default_account(cr, company_id, field, account_type):
    """The company's default account of a partner or product ``field``, else
    its first account of ``account_type``."""
    account_id = field and fetch_value(
        cr,
        """SELECT d.json_value::int FROM ir_default d
             JOIN ir_model_fields f ON f.id = d.field_id
            WHERE f.model = 'res.partner' AND f.name = %s AND d.company_id = %s""",
        (field, company_id),
    )
    account_id = account_id or fetch_value(
        cr,
        """SELECT a.id FROM account_account a
             JOIN account_account_res_company_rel r ON r.account_account_id = a.id
            WHERE r.res_company_id = %s AND a.account_type = %s
              AND NOT COALESCE(a.deprecated, FALSE)
         ORDER BY a.id LIMIT 1""",
        (company_id, account_type),
    )
    if not account_id:
        raise RuntimeError(f"No {account_type} account.")
    return account_id


def read_base(cr):
    company_id = read_company(cr)
    cr.execute(
        """SELECT c.currency_id, c.sputnik_balance_days,
                  COALESCE(c.portal_confirmation_sign, FALSE),
                  COALESCE(c.portal_confirmation_pay, FALSE),
                  COALESCE(c.prepayment_percent, 1.0)
             FROM res_company c WHERE c.id = %s""",
        (company_id,),
    )
    currency_id, balance_days, sign, pay, prepayment = cr.fetchone()
    lang = fetch_value(
        cr, "SELECT code FROM res_lang WHERE active ORDER BY code != 'uk_UA' LIMIT 1"
    )
    tours = read_products(cr, company_id, lang, tours=True)
    if not tours:
        raise RuntimeError("No tour products (sputnik_tour_type set).")
    sale_journal = read_journal(cr, company_id, ["sale"])
    bank_journal = read_journal(cr, company_id, ["bank", "cash"])
    return Base(
        company_id=company_id,
        currency_id=currency_id,
        pricelist_id=fetch_value(
            cr,
            """SELECT id FROM product_pricelist
                WHERE active AND company_id = %s ORDER BY sequence, id LIMIT 1""",
            (company_id,),
        ),
        warehouse_id=fetch_value(
            cr,
            """SELECT id FROM stock_warehouse
                WHERE active AND company_id = %s ORDER BY sequence, id LIMIT 1""",
            (company_id,),
        ),
        team_id=fetch_value(
            cr,
            """SELECT team_id FROM sale_order
                WHERE sputnik_is_booking AND company_id = %s AND team_id IS NOT NULL
             GROUP BY team_id ORDER BY COUNT(*) DESC, team_id LIMIT 1""",
            (company_id,),
        ),
        user_ids=read_users(cr, company_id),
        lang=lang,
        country_id=fetch_value(cr, "SELECT id FROM res_country WHERE code = 'UA'"),
        balance_days=balance_days if balance_days is not None else 21,
        require_signature=sign,
        require_payment=pay,
        prepayment_percent=prepayment,
        tours=tours,
        services=read_products(cr, company_id, lang, tours=False) or tours,
        sale_journal=sale_journal[:2],
        bank_journal=bank_journal[:2],
        receivable_account_id=read_default_account(
            cr, company_id, "property_account_receivable_id", "asset_receivable"
        ),
        income_account_id=sale_journal[2]
        or read_default_account(
            cr, company_id, "property_account_income_categ_id", "income"
        ),
        liquidity_account_id=bank_journal[2]
        or read_default_account(cr, company_id, None, "asset_cash"),
    )


def reserve_ids(cr, table, count):
    """``count`` ids from the table's own sequence."""
    if not count:
        return []
    cr.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
    )
    return [row[0] for row in cr.fetchall()]


def existing_numbers(cr, journal_id, prefixes):
    cr.execute(
        """SELECT sequence_prefix, MAX(sequence_number) FROM account_move
            WHERE journal_id = %s AND sequence_prefix = ANY(%s)
         GROUP BY sequence_prefix""",
        (journal_id, list(prefixes)),
    )
    return dict(cr.fetchall())


def copy_rows(cr, table, columns, rows):
    """COPY text rows (tab-separated, newline-terminated) into ``table``."""
    buffer = io.StringIO("".join(rows))
    cr.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def cell(value):
    if value is None:
        return r"\N"
    return str(value)


def copy_records(cr, table, columns, records):
    copy_rows(
        cr,
        table,
        columns,
        ("\t".join(map(cell, record)) + "\n" for record in records),
    )


def table_columns(cr):
    cr.execute(
        """SELECT table_name, column_name, is_nullable = 'NO' AND column_default IS NULL
             FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(%s)""",
        (list(TOUCHED_TABLES),),
    )
    columns = {}
    for table, column, required in cr.fetchall():
        columns.setdefault(table, {})[column] = required
    return columns


def insert(cr, schema, table, values, source, params=None):
    """INSERT INTO table (columns of ``values``) SELECT their expressions
    ``source``; columns the table lacks (modules not installed) are left out,
    and every NOT NULL column without default must be given."""
    existing = schema[table]
    missing = sorted(
        column
        for column, required in existing.items()
        if required and column not in values
    )
    if missing:
        raise RuntimeError(f"{table}: no value for NOT NULL {', '.join(missing)}.")
    columns = [column for column in values if column in existing]
    cr.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values[c] for c in columns)} {source}",
        params,
    )
    return cr.rowcount


def skip_foreign_key_triggers(cr):
    """Bulk load without the row-by-row foreign key triggers, which take most
    of the insert time; possible for a superuser only (else nothing changes).
    Return the setting to restore, None when unchanged."""
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cr.fetchone()[0]:
        return None
    cr.execute("SHOW session_replication_role")
    previous = cr.fetchone()[0]
    cr.execute("SET LOCAL session_replication_role = replica")
    return previous


def restore_foreign_key_triggers(cr, previous):
    if previous is not None:
        cr.execute(
            "SELECT set_config('session_replication_role', %s, TRUE)", (previous,)
        )


def check_foreign_keys(cr, tables):
    """Check, one anti-join per constraint, the foreign keys of ``tables`` that
    the triggers did not check during the bulk load."""
    cr.execute(
        """SELECT con.conrelid::regclass::text, col.attname,
                  con.confrelid::regclass::text, ref.attname
             FROM pg_constraint con
             JOIN pg_attribute col
                  ON col.attrelid = con.conrelid AND col.attnum = con.conkey[1]
             JOIN pg_attribute ref
                  ON ref.attrelid = con.confrelid AND ref.attnum = con.confkey[1]
            WHERE con.contype = 'f' AND cardinality(con.conkey) = 1
              AND con.conrelid = ANY(%s::regclass[])
         ORDER BY 1, 2""",
        (list(tables),),
    )
    broken = []
    for table, column, target, key in cr.fetchall():
        cr.execute(
            f"""SELECT COUNT(*) FROM {table} t
                 WHERE t."{column}" IS NOT NULL
                   AND NOT EXISTS (
                       SELECT 1 FROM {target} r WHERE r."{key}" = t."{column}")"""
        )
        count = cr.fetchone()[0]
        if count:
            broken.append(f"{table}.{column} -> {target}: {count} rows")
    if broken:
        raise RuntimeError(f"Broken foreign keys: {'; '.join(broken)}.")


# === WRITE === #


TEMP_TABLES = {
    "bench_client": "id int, number int, user_id int, created timestamp",
    "bench_order": """id int, number int, partner_id int, user_id int,
        date_order timestamp, date_start date, date_end date, state varchar,
        status varchar, amount numeric, margin numeric, invoiced bool""",
    "bench_line": """order_id int, sequence int, product_id int, uom_id int,
        name text, qty numeric, price_unit numeric, purchase_price numeric,
        delivered_method varchar""",
    "bench_invoice": """id int, order_id int, partner_id int, partner_name varchar,
        user_id int, origin varchar, name varchar, prefix varchar, number int,
        date date, due date, amount numeric, paid bool, income_line_id int,
        term_line_id int, full_id int""",
    "bench_payment": """id int, partner_id int, invoice_name varchar, name varchar,
        prefix varchar, number int, date date, amount numeric,
        liquidity_line_id int, counterpart_line_id int, term_line_id int,
        term_date date, partial_id int, full_id int""",
}

TEMP_COLUMNS = {
    name: [part.split()[0] for part in columns.split(",")]
    for name, columns in TEMP_TABLES.items()
}


def create_temp_tables(cr):
    for name, columns in TEMP_TABLES.items():
        cr.execute(f"DROP TABLE IF EXISTS {name}")
        cr.execute(f"CREATE TEMP TABLE {name} ({columns})")


def drop_temp_tables(cr):
    for name in TEMP_TABLES:
        cr.execute(f"DROP TABLE IF EXISTS {name}")


def stage(cr, table, records):
    """COPY records (tuples in the order of TEMP_TABLES) into a temp table."""
    copy_records(cr, table, TEMP_COLUMNS[table], records)


def client_record(c):
    return (c.id, c.number, c.user_id, c.created)


def order_record(o):
    state = "cancel" if o.cancelled else "sale"
    return (o.id, o.number, o.client.id, o.client.user_id, o.date_order) + (
        o.date_start,
        o.date_end,
        state,
        o.status,
        cents(o.amount),
        cents(o.margin),
        "t" if o.invoiced else "f",
    )


def invoice_record(i, payment):
    client, order = i.order.client, i.order
    return (i.id, order.id, client.id, client_name(client.number), client.user_id) + (
        order_name(order.number),
        i.name,
        i.prefix,
        i.number,
        i.date,
        i.due,
        cents(order.amount),
        "t" if payment else "f",
        i.income_line_id,
        i.term_line_id,
        payment.full_id if payment else None,
    )


def payment_record(p):
    invoice = p.invoice
    return (p.id, invoice.order.client.id, invoice.name, p.name, p.prefix) + (
        p.number,
        invoice.paid_on,
        cents(invoice.order.amount),
        p.liquidity_line_id,
        p.counterpart_line_id,
        invoice.term_line_id,
        invoice.date,
        p.partial_id,
        p.full_id,
    )


def stage_lines(rng, cr, base, orders, chunk=100_000):
    """Plan the lines of every order and COPY them by chunks."""
    columns = TEMP_COLUMNS["bench_line"]
    rows, total = [], 0
    for order in orders:
        rows += order_lines(rng, order, base.services)
        if len(rows) >= chunk:
            copy_rows(cr, "bench_line", columns, rows)
            total += len(rows)
            rows = []
    copy_rows(cr, "bench_line", columns, rows)
    return total + len(rows)


AUDIT = {
    "create_uid": "%(superuser)s",
    "write_uid": "%(superuser)s",
}


def insert_partners(cr, schema, params):
    name = f"'{CLIENT_NAME}' || lpad(c.number::text, {NUMBER_WIDTH}, '0')"
    email = (
        f"'bench.client.' || lpad(c.number::text, {NUMBER_WIDTH}, '0')"
        " || '@example.com'"
    )
    values = {
        "id": "c.id",
        "name": name,
        "complete_name": name,
        "ref": f"'{CLIENT_REF}' || lpad(c.number::text, {NUMBER_WIDTH}, '0')",
        "email": email,
        "email_normalized": email,
        "lang": "%(lang)s",
        "tz": "'Europe/Kyiv'",
        "country_id": "%(country)s",
        "type": "'contact'",
        "active": "TRUE",
        "is_company": "FALSE",
        "employee": "FALSE",
        "partner_share": "TRUE",
        "customer_rank": "1",
        "supplier_rank": "0",
        "company_id": "NULL",
        "parent_id": "NULL",
        "commercial_partner_id": "c.id",
        "user_id": "c.user_id",
        "color": "0",
        "message_bounce": "0",
        "autopost_bills": "'ask'",
        "invoice_warn": "'no-message'",
        "sale_warn": "'no-message'",
        "purchase_warn": "'no-message'",
        "picking_warn": "'no-message'",
        "calendar_last_notif_ack": "c.created",
        **AUDIT,
        "create_date": "c.created",
        "write_date": "c.created",
    }
    return insert(cr, schema, "res_partner", values, "FROM bench_client c", params)


INVOICE_STATUS = """CASE WHEN o.state = 'cancel' THEN 'no'
                         WHEN o.invoiced THEN 'invoiced'
                         ELSE 'to invoice' END"""


def insert_orders(cr, schema, params):
    values = {
        "id": "o.id",
        "name": f"'{ORDER_PREFIX}' || lpad(o.number::text, {NUMBER_WIDTH}, '0')",
        "company_id": "%(company)s",
        "partner_id": "o.partner_id",
        "partner_invoice_id": "o.partner_id",
        "partner_shipping_id": "o.partner_id",
        "pricelist_id": "%(pricelist)s",
        "currency_id": "%(currency)s",
        "currency_rate": "1.0",
        "user_id": "o.user_id",
        "team_id": "%(team)s",
        "state": "o.state",
        "date_order": "o.date_order",
        "validity_date": "(o.date_order + INTERVAL '30 days')::date",
        "invoice_status": INVOICE_STATUS,
        "amount_untaxed": "o.amount",
        "amount_tax": "0",
        "amount_total": "o.amount",
        "margin": "o.margin",
        "margin_percent": "o.margin / NULLIF(o.amount, 0)",
        "locked": "FALSE",
        "require_signature": "%(require_signature)s",
        "require_payment": "%(require_payment)s",
        "prepayment_percent": "%(prepayment_percent)s",
        "picking_policy": "'direct'",
        "warehouse_id": "%(warehouse)s",
        "delivery_status": """CASE WHEN o.state = 'cancel' THEN NULL
                                   WHEN o.status = 'completed' THEN 'full'
                                   ELSE 'pending' END""",
        "sputnik_client_id": "o.partner_id",
        "sputnik_is_booking": "TRUE",
        "sputnik_date_start": "o.date_start",
        "sputnik_date_end": "o.date_end",
        "sputnik_balance_due_date": "o.date_start - %(balance_days)s",
        "sputnik_status": "o.status",
        "sputnik_documents_issued": "o.status IN ('completed', 'travelling')",
        **AUDIT,
        "create_date": "o.date_order",
        "write_date": "o.date_order",
    }
    return insert(cr, schema, "sale_order", values, "FROM bench_order o", params)


def insert_order_lines(cr, schema, params):
    subtotal = "l.qty * l.price_unit"
    billed = "o.invoiced"
    unbilled = "o.state = 'sale' AND NOT o.invoiced"
    values = {
        "order_id": "l.order_id",
        "sequence": "l.sequence",
        "company_id": "%(company)s",
        "currency_id": "%(currency)s",
        "order_partner_id": "o.partner_id",
        "salesman_id": "o.user_id",
        "state": "o.state",
        "product_id": "l.product_id",
        "product_uom": "l.uom_id",
        "name": "l.name",
        "product_uom_qty": "l.qty",
        "price_unit": "l.price_unit",
        "technical_price_unit": "l.price_unit",
        "discount": "0",
        "price_subtotal": subtotal,
        "price_tax": "0",
        "price_total": subtotal,
        "price_reduce_taxexcl": "l.price_unit",
        "price_reduce_taxinc": "l.price_unit",
        "purchase_price": "l.purchase_price",
        "margin": "l.qty * (l.price_unit - l.purchase_price)",
        "margin_percent": "(l.price_unit - l.purchase_price) / l.price_unit",
        "customer_lead": "0",
        "product_packaging_qty": "0",
        "qty_delivered_method": "l.delivered_method",
        "qty_delivered": "CASE WHEN o.status = 'completed' THEN l.qty ELSE 0 END",
        "qty_invoiced": f"CASE WHEN {billed} THEN l.qty ELSE 0 END",
        "qty_to_invoice": f"CASE WHEN {unbilled} THEN l.qty ELSE 0 END",
        "invoice_status": INVOICE_STATUS,
        "untaxed_amount_invoiced": f"CASE WHEN {billed} THEN {subtotal} ELSE 0 END",
        "untaxed_amount_to_invoice": f"CASE WHEN {unbilled} THEN {subtotal} ELSE 0 END",
        "is_downpayment": "FALSE",
        "is_expense": "FALSE",
        "warehouse_id": "%(warehouse)s",
        **AUDIT,
        "create_date": "o.date_order",
        "write_date": "o.date_order",
    }
    return insert(
        cr,
        schema,
        "sale_order_line",
        values,
        "FROM bench_line l JOIN bench_order o ON o.id = l.order_id",
        params,
    )


# The tour line of an invoice's order: its first line.
TOUR_LINE = """JOIN sale_order_line sol
                    ON sol.order_id = m.order_id AND sol.sequence = 10"""

MOVE_COMMON = {
    "company_id": "%(company)s",
    "currency_id": "%(currency)s",
    "state": "'posted'",
    "auto_post": "'no'",
    "is_storno": "FALSE",
    "checked": "TRUE",
    "posted_before": "TRUE",
    "made_sequence_gap": "FALSE",
    "is_manually_modified": "FALSE",
    **AUDIT,
}


def insert_invoices(cr, schema, params):
    residual = "CASE WHEN m.paid THEN 0 ELSE m.amount END"
    values = {
        "id": "m.id",
        "name": "m.name",
        "sequence_prefix": "m.prefix",
        "sequence_number": "m.number",
        "journal_id": "%(sale_journal)s",
        "move_type": "'out_invoice'",
        "date": "m.date",
        "invoice_date": "m.date",
        "invoice_date_due": "m.due",
        "partner_id": "m.partner_id",
        "commercial_partner_id": "m.partner_id",
        "partner_shipping_id": "m.partner_id",
        "invoice_partner_display_name": "m.partner_name",
        "invoice_user_id": "m.user_id",
        "team_id": "%(team)s",
        "invoice_origin": "m.origin",
        "payment_reference": "m.name",
        "invoice_currency_rate": "1.0",
        "amount_untaxed": "m.amount",
        "amount_tax": "0",
        "amount_total": "m.amount",
        "amount_residual": residual,
        "amount_untaxed_signed": "m.amount",
        "amount_untaxed_in_currency_signed": "m.amount",
        "amount_tax_signed": "0",
        "amount_total_signed": "m.amount",
        "amount_total_in_currency_signed": "m.amount",
        "amount_residual_signed": residual,
        "payment_state": "CASE WHEN m.paid THEN 'paid' ELSE 'not_paid' END",
        "always_tax_exigible": "FALSE",
        "is_move_sent": "TRUE",
        "sputnik_booking_id": "m.order_id",
        **MOVE_COMMON,
        "create_date": "m.date + TIME '10:00'",
        "write_date": "m.date + TIME '10:00'",
    }
    return insert(cr, schema, "account_move", values, "FROM bench_invoice m", params)


def insert_payments(cr, schema, params):
    values = {
        "id": "m.id",
        "name": "m.name",
        "sequence_prefix": "m.prefix",
        "sequence_number": "m.number",
        "journal_id": "%(bank_journal)s",
        "move_type": "'entry'",
        "date": "m.date",
        "partner_id": "m.partner_id",
        "commercial_partner_id": "m.partner_id",
        "ref": "m.invoice_name",
        "amount_untaxed": "0",
        "amount_tax": "0",
        "amount_total": "m.amount",
        "amount_residual": "0",
        "amount_untaxed_signed": "0",
        "amount_untaxed_in_currency_signed": "0",
        "amount_tax_signed": "0",
        "amount_total_signed": "m.amount",
        "amount_total_in_currency_signed": "m.amount",
        "amount_residual_signed": "0",
        "payment_state": "'not_paid'",
        "always_tax_exigible": "TRUE",
        **MOVE_COMMON,
        "create_date": "m.date + TIME '11:00'",
        "write_date": "m.date + TIME '11:00'",
    }
    return insert(cr, schema, "account_move", values, "FROM bench_payment m", params)


def move_line_values(**values):
    """Columns of a posted journal item in the company currency; ``amount`` is
    the signed balance expression, the other keyword arguments override."""
    amount = values.pop("amount")
    common = {
        "move_id": "m.id",
        "move_name": "m.name",
        "company_id": "%(company)s",
        "company_currency_id": "%(currency)s",
        "currency_id": "%(currency)s",
        "partner_id": "m.partner_id",
        "parent_state": "'posted'",
        "date": "m.date",
        "debit": f"GREATEST({amount}, 0)",
        "credit": f"GREATEST(-({amount}), 0)",
        "balance": amount,
        "amount_currency": amount,
        "discount": "0",
        "tax_tag_invert": "FALSE",
        **AUDIT,
        "create_date": "m.date + TIME '10:00'",
        "write_date": "m.date + TIME '10:00'",
    }
    return {**common, **values}


def insert_move_lines(cr, schema, params):
    paid_full = "CASE WHEN m.paid THEN m.full_id END"
    invoice_income = move_line_values(
        amount="-m.amount",
        id="m.income_line_id",
        journal_id="%(sale_journal)s",
        account_id="%(income_account)s",
        display_type="'product'",
        sequence="10",
        name="sol.name",
        product_id="sol.product_id",
        product_uom_id="sol.product_uom",
        invoice_date="m.date",
        quantity="1",
        price_unit="m.amount",
        price_subtotal="m.amount",
        price_total="m.amount",
        amount_residual="0",
        amount_residual_currency="0",
        reconciled="FALSE",
        is_downpayment="FALSE",
    )
    invoice_term = move_line_values(
        amount="m.amount",
        id="m.term_line_id",
        journal_id="%(sale_journal)s",
        account_id="%(receivable_account)s",
        display_type="'payment_term'",
        sequence="10000",
        name="m.name",
        invoice_date="m.date",
        date_maturity="m.due",
        quantity="0",
        price_unit="0",
        price_subtotal="0",
        price_total="0",
        discount_amount_currency="0",
        discount_balance="0",
        amount_residual="CASE WHEN m.paid THEN 0 ELSE m.amount END",
        amount_residual_currency="CASE WHEN m.paid THEN 0 ELSE m.amount END",
        reconciled="m.paid",
        full_reconcile_id=paid_full,
        matching_number=f"({paid_full})::varchar",
    )
    payment_liquidity = move_line_values(
        amount="m.amount",
        id="m.liquidity_line_id",
        journal_id="%(bank_journal)s",
        account_id="%(liquidity_account)s",
        display_type="'product'",
        sequence="10",
        name="'Payment ' || m.invoice_name",
        ref="m.invoice_name",
        date_maturity="m.date",
        quantity="1",
        price_unit="0",
        price_subtotal="m.amount",
        price_total="m.amount",
        amount_residual="m.amount",
        amount_residual_currency="m.amount",
        reconciled="FALSE",
        create_date="m.date + TIME '11:00'",
        write_date="m.date + TIME '11:00'",
    )
    payment_counterpart = move_line_values(
        amount="-m.amount",
        id="m.counterpart_line_id",
        journal_id="%(bank_journal)s",
        account_id="%(receivable_account)s",
        display_type="'product'",
        sequence="20",
        name="'Payment ' || m.invoice_name",
        ref="m.invoice_name",
        date_maturity="m.date",
        quantity="1",
        price_unit="0",
        price_subtotal="-m.amount",
        price_total="-m.amount",
        amount_residual="0",
        amount_residual_currency="0",
        reconciled="TRUE",
        full_reconcile_id="m.full_id",
        matching_number="m.full_id::varchar",
        create_date="m.date + TIME '11:00'",
        write_date="m.date + TIME '11:00'",
    )
    return sum(
        insert(cr, schema, "account_move_line", values, source, params)
        for values, source in (
            (invoice_income, f"FROM bench_invoice m {TOUR_LINE}"),
            (invoice_term, "FROM bench_invoice m"),
            (payment_liquidity, "FROM bench_payment m"),
            (payment_counterpart, "FROM bench_payment m"),
        )
    )


def insert_full_reconciles(cr, schema, params):
    return insert(
        cr,
        schema,
        "account_full_reconcile",
        {
            "id": "m.full_id",
            **AUDIT,
            "create_date": "m.date + TIME '11:00'",
            "write_date": "m.date + TIME '11:00'",
        },
        "FROM bench_payment m",
        params,
    )


def insert_partial_reconciles(cr, schema, params):
    return insert(
        cr,
        schema,
        "account_partial_reconcile",
        {
            "id": "m.partial_id",
            "debit_move_id": "m.term_line_id",
            "credit_move_id": "m.counterpart_line_id",
            "full_reconcile_id": "m.full_id",
            "company_id": "%(company)s",
            "debit_currency_id": "%(currency)s",
            "credit_currency_id": "%(currency)s",
            "amount": "m.amount",
            "debit_amount_currency": "m.amount",
            "credit_amount_currency": "m.amount",
            "max_date": "GREATEST(m.date, m.term_date)",
            **AUDIT,
            "create_date": "m.date + TIME '11:00'",
            "write_date": "m.date + TIME '11:00'",
        },
        "FROM bench_payment m",
        params,
    )


def insert_invoice_links(cr, schema, params):
    """Link each invoice's income line to the order's tour line, as Odoo does
    when it invoices an order (order.invoice_ids, the invoiced quantities)."""
    return insert(
        cr,
        schema,
        "sale_order_line_invoice_rel",
        {"invoice_line_id": "m.income_line_id", "order_line_id": "sol.id"},
        f"FROM bench_invoice m {TOUR_LINE}",
        params,
    )


# === ENTRY POINT === #


class Stopwatch:
    """Logs the time of each step."""

    def __init__(self):
        self.start = self.last = time.perf_counter()

    def lap(self, message, *args):
        now = time.perf_counter()
        _logger.info("%6.1fs  " + message, now - self.last, *args)
        self.last = now

    @property
    def total(self):
        return time.perf_counter() - self.start


def plan(rng, base, clients, lines, years, today):
    """Clients and orders in memory, numbered in date order (ids come later)."""
    start = today - timedelta(days=round(365.25 * years))
    orders_count = max(1, round(lines / LINES_PER_ORDER))
    client_list = plan_clients(rng, base, clients, orders_count)
    orders = plan_orders(rng, base, client_list, start, today, orders_count)
    date_clients(rng, client_list, orders, start, today)
    client_list.sort(key=lambda c: c.created)
    orders.sort(key=lambda o: o.date_order)
    for number, order in enumerate(orders, start=1):
        order.number = number
    for count, order in zip(line_counts(rng, len(orders), lines), orders, strict=True):
        order.line_count = count
    for number, client in enumerate(client_list, start=1):
        client.number = number
    return client_list, orders


def assign_ids(cr, clients, orders):
    for client, new_id in zip(
        clients, reserve_ids(cr, "res_partner", len(clients)), strict=True
    ):
        client.id = new_id
    for order, new_id in zip(
        orders, reserve_ids(cr, "sale_order", len(orders)), strict=True
    ):
        order.id = new_id


def plan_moves(cr, base, invoices):
    """Ids and names of the invoices and their payments, in date order."""
    invoices.sort(key=lambda i: (i.date, i.order.number))
    payments = [Payment(invoice=i) for i in invoices if i.paid_on]
    payments.sort(key=lambda p: (p.invoice.paid_on, p.invoice.order.number))
    for move, new_id in zip(
        invoices + payments,
        reserve_ids(cr, "account_move", len(invoices) + len(payments)),
        strict=True,
    ):
        move.id = new_id
    line_ids = iter(reserve_ids(cr, "account_move_line", 2 * len(invoices)))
    for invoice in invoices:
        invoice.income_line_id, invoice.term_line_id = next(line_ids), next(line_ids)
    line_ids = iter(reserve_ids(cr, "account_move_line", 2 * len(payments)))
    partial_ids = iter(reserve_ids(cr, "account_partial_reconcile", len(payments)))
    full_ids = iter(reserve_ids(cr, "account_full_reconcile", len(payments)))
    for payment in payments:
        payment.liquidity_line_id = next(line_ids)
        payment.counterpart_line_id = next(line_ids)
        payment.partial_id, payment.full_id = next(partial_ids), next(full_ids)
    for moves, (journal_id, code), day_of in (
        (invoices, base.sale_journal, lambda m: m.date),
        (payments, base.bank_journal, lambda m: m.invoice.paid_on),
    ):
        prefixes = {f"{code}/{day_of(m).year}/" for m in moves}
        number_moves(moves, code, day_of, existing_numbers(cr, journal_id, prefixes))
    return {p.invoice.id: p for p in payments}


def sql_params(base):
    return {
        "superuser": SUPERUSER_ID,
        "company": base.company_id,
        "currency": base.currency_id,
        "pricelist": base.pricelist_id,
        "warehouse": base.warehouse_id,
        "team": base.team_id,
        "lang": base.lang,
        "country": base.country_id,
        "balance_days": base.balance_days,
        "require_signature": base.require_signature,
        "require_payment": base.require_payment,
        "prepayment_percent": base.prepayment_percent,
        "sale_journal": base.sale_journal[0],
        "bank_journal": base.bank_journal[0],
        "receivable_account": base.receivable_account_id,
        "income_account": base.income_account_id,
        "liquidity_account": base.liquidity_account_id,
    }


def generate(cr, clients=100_000, lines=1_000_000, years=5, seed=42, today=None):
    """Create ``clients`` clients and their bookings of ``lines`` order lines in
    all over the last ``years`` years before ``today`` (default: the current
    date), reproducibly for a given ``seed``, in the cursor's transaction (not
    committed). Return the number of records created, by kind.

    :raise AlreadyGenerated: the database already holds generated clients.
    """
    if clients < 1 or lines < 1 or years < 1:
        raise ValueError("clients, lines and years must be at least 1.")
    today = today or date.today()
    if isinstance(today, datetime):
        today = today.date()
    watch = Stopwatch()
    flush_orm(cr)
    check_not_generated(cr)
    schema = table_columns(cr)
    base = read_base(cr)
    rng = random.Random(seed)

    client_list, orders = plan(rng, base, clients, lines, years, today)
    invoices = plan_invoices(rng, base, orders, today)
    assign_ids(cr, client_list, orders)
    watch.lap("planned %d clients, %d orders", len(client_list), len(orders))

    create_temp_tables(cr)
    line_total = stage_lines(rng, cr, base, orders)
    watch.lap("planned and staged %d order lines", line_total)
    payments = plan_moves(cr, base, invoices)
    stage(cr, "bench_client", map(client_record, client_list))
    stage(cr, "bench_order", map(order_record, orders))
    stage(
        cr, "bench_invoice", [invoice_record(i, payments.get(i.id)) for i in invoices]
    )
    stage(cr, "bench_payment", map(payment_record, payments.values()))
    watch.lap("staged clients, orders, %d invoices", len(invoices))

    params = sql_params(base)
    triggers = skip_foreign_key_triggers(cr)
    counts = {"clients": insert_partners(cr, schema, params)}
    watch.lap("inserted clients")
    counts["orders"] = insert_orders(cr, schema, params)
    watch.lap("inserted orders")
    counts["order_lines"] = insert_order_lines(cr, schema, params)
    watch.lap("inserted order lines")
    counts["invoices"] = insert_invoices(cr, schema, params)
    counts["payments"] = insert_payments(cr, schema, params)
    counts["full_reconciles"] = insert_full_reconciles(cr, schema, params)
    counts["move_lines"] = insert_move_lines(cr, schema, params)
    counts["partial_reconciles"] = insert_partial_reconciles(cr, schema, params)
    counts["invoice_line_links"] = insert_invoice_links(cr, schema, params)
    watch.lap("inserted invoices and payments")
    restore_foreign_key_triggers(cr, triggers)
    drop_temp_tables(cr)
    for table in TOUCHED_TABLES:
        cr.execute(f"ANALYZE {table}")
    watch.lap("analyzed")
    if triggers is not None:
        check_foreign_keys(cr, TOUCHED_TABLES)
        watch.lap("checked the foreign keys")
    invalidate_orm(cr)

    buyers = len({id(o.client) for o in orders})
    counts.update(
        prospects=len(client_list) - buyers,
        confirmed_orders=sum(not o.cancelled for o in orders),
        cancelled_orders=sum(o.cancelled for o in orders),
        future_orders=sum(o.date_start > today for o in orders),
        paid_invoices=len(payments),
        open_invoices=len(invoices) - len(payments),
        seconds=round(watch.total, 1),
    )
    return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with sputnik_crm")
    parser.add_argument(
        "--clients", type=int, help="clients (default: the --size's, 100,000)"
    )
    parser.add_argument(
        "--lines", type=int, help="order lines (default: the --size's, 1,000,000)"
    )
    parser.add_argument(
        "--size",
        choices=[name for name, size in SIZES.items() if size],
        default="100k",
        help="100k: 100,000 clients and 1,000,000 order lines; 1m: ten times "
        "that (default: %(default)s)",
    )
    parser.add_argument(
        "--if-absent",
        action="store_true",
        help="a database that holds a generated base already is left as it is "
        "(exit code 0) instead of refused",
    )
    parser.add_argument("--years", type=int, default=5, help="years of history")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="reference date, YYYY-MM-DD (default: the current date)",
    )
    add_odoo_arguments(parser)
    args = parser.parse_args(argv)
    args.clients = args.clients or SIZES[args.size]["clients"]
    args.lines = args.lines or SIZES[args.size]["lines"]
    return args


def main(argv=None):
    args = parse_args(argv)
    registry = init_odoo(args)
    _logger.setLevel(logging.INFO)
    cr = registry.cursor()
    try:
        counts = generate(
            cr,
            clients=args.clients,
            lines=args.lines,
            years=args.years,
            seed=args.seed,
            today=args.today,
        )
        cr.commit()
    except AlreadyGenerated as error:
        if args.if_absent:
            print(f"database {args.db}: the generated base is there, reused")
            return 0
        print(f"database {args.db}: {error}", file=sys.stderr)
        return 1
    finally:
        cr.rollback()
        cr.close()
    print(f"database {args.db}: committed")
    for key, value in counts.items():
        print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
