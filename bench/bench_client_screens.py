"""Time the client screens as the web client opens them on a large base.

On the database given (the demo data, or a generated base: 100,000 or
1,000,000 clients), as a Sputnik manager of the bench company (and as a
Sputnik agent where an agent opens the screen too), the requests the web
client sends when it opens:

- the *Probable Duplicates* action (managers): its default grouping by
  reason (``web_read_group``), the ungrouped first page (``web_search_read``
  of 80 rows with the list view's fields, and the ``search_count`` the pager
  asks for), and one client's duplicates (the pairs where the client is
  either side, as the list filtered on the client);
- one client's history (``res.partner.action_sputnik_history``, the
  ``sputnik.client.timeline`` list): the client with most bookings, its
  first page and count, as a manager and as the client's agent;
- the *Clients* action: the first page of its kanban (its first view) and of
  its list with the action's default filter (*Clients*) and count, then the
  list searched by name (the search view's *Name* field, ``ilike`` on a
  common name fragment), by phone digits (the *Phone/Mobile* field) and by
  e-mail.

Each case runs first cold (ORM caches cleared, a new cursor), then
``--repeat`` times warm (a new cursor each time), the cases interleaved in
rounds; the median of the warm runs counts. Target: every case in at most
1 s, cold and warm. Nothing is written (every run is rolled back), unless
``--add-identities`` is given: it then fills the generated clients of a
*copy* of a base once with names, phones, birth dates, passports and a share
of probable duplicates (the generated base has none of them), committed.

    PYTHONPATH=/opt/odoo .venv/bin/python bench/bench_client_screens.py \\
        --db DB --size 100k

Exit code 0 when every target is met, 1 otherwise.
"""

import argparse
import statistics
import sys
import time

import bench_classification as classification
import psycopg2
from bench_reports import QueryLog, bench_user, search_defaults, user_env
from lxml import etree
from odoo_boot import (
    SIZES,
    add_odoo_arguments,
    add_size_argument,
    database_size,
    init_odoo,
    print_result,
)

from odoo import SUPERUSER_ID
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

TARGET_MS = 1000.0
LIST_LIMIT = 80  # the web client's page (relational_model.js DEFAULT_LIMIT)
KANBAN_LIMIT = 40  # the kanban's page (kanban_arch_parser.js)
COUNT_LIMIT = 10001  # DEFAULT_COUNT_LIMIT + 1, as the list asks for its count
DUPLICATES = "sputnik_crm.sputnik_client_duplicate_action"
CLIENTS = "sputnik_crm.res_partner_action_clients"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with sputnik_crm")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per case")
    parser.add_argument("--only", help="comma-separated substrings of the cases")
    parser.add_argument(
        "--name", help="name fragment searched (default: a common one of the base)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, for the missed cases (or all): their SQL queries by "
        "time and the EXPLAIN ANALYZE of the slowest one",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60,
        help="seconds after which a case's query is cancelled (counted missed)",
    )
    parser.add_argument(
        "--add-identities",
        action="store_true",
        help="fill the generated clients once with names, phones, birth dates, "
        "passports and probable duplicates, COMMITTED: for a copy of a base only",
    )
    add_odoo_arguments(parser)
    add_size_argument(parser, default="demo", generates=False)
    return parser.parse_args()


# === IDENTITIES OF THE GENERATED CLIENTS (--add-identities) === #

FIRST_NAMES = (
    "Olena Oksana Iryna Nataliia Tetiana Svitlana Yuliia Mariia Anna Kateryna "
    "Viktoriia Halyna Liudmyla Alina Daryna Andrii Oleksandr Serhii Volodymyr "
    "Dmytro Mykola Ivan Yurii Vasyl Taras Bohdan Maksym Oleh Petro Roman"
).split()
SURNAMES = (
    "Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Boiko Koval Oliinyk "
    "Shevchuk Polishchuk Melnyk Moroz Lysenko Marchenko Rudenko Savchenko "
    "Petrenko Klymenko Pavlenko Ivanenko Kharchenko Savchuk Romanenko Sydorenko "
    "Levchenko Karpenko Vasylenko Havryliuk Ponomarenko Tkachuk Kuzmenko "
    "Kovalchuk Prykhodko Honcharenko Yakovenko Mazur Kushnir Tymoshenko "
    "Lytvynenko Zakharchenko"
).split()


def identities_added(cr, args):
    cr.execute(
        "SELECT COUNT(*) FROM res_partner WHERE phone IS NOT NULL AND "  # noqa: S608 - fixed conditions
        + classification.clients_where(args)
    )
    return cr.fetchone()[0] > 0


def add_identities(registry, args):
    """Names, phones (90 %), birth dates (70 %) and foreign passports (30 %)
    for the generated clients, with probable duplicates: 1 % share a phone
    written otherwise, 0.5 % an e-mail in capitals, 0.5 % a name and birth
    date, 0.2 % a passport number; one office phone for every 20,000 clients
    (50 of a million: too many to be duplicates). Committed."""
    started = time.perf_counter()
    with registry.cursor() as cr:
        if identities_added(cr, args):
            print("the clients already have identities")
            return
        where = classification.clients_where(args)
        cr.execute(
            f"""
            UPDATE res_partner p
               SET name = (%(first)s::text[])[
                              1 + abs(hashtext(p.id || 'first')) %% %(nfirst)s]
                          || ' '
                          || (%(last)s::text[])[
                              1 + abs(hashtext(p.id || 'last')) %% %(nlast)s],
                   phone = CASE WHEN p.id %% 10 != 0 THEN
                           '+380 ' || (63 + p.id %% 5)::text || ' '
                           || lpad(((p.id * 7) %% 10000000)::text, 7, '0') END,
                   sputnik_birthdate = CASE WHEN p.id %% 10 < 7 THEN DATE '1950-01-01'
                           + abs(hashtext(p.id || 'born')) %% 20000 END
             WHERE {where}
            """,  # noqa: S608 - fixed conditions
            {
                "first": FIRST_NAMES,
                "nfirst": len(FIRST_NAMES),
                "last": SURNAMES,
                "nlast": len(SURNAMES),
            },
        )
        # probable duplicates of the previous client, as agents type them
        cr.execute(
            f"""
            UPDATE res_partner p
               SET mobile = CASE WHEN p.id %% 100 = 7 THEN regexp_replace(
                                '0' || right(
                                    regexp_replace(prev.phone, '\\D', '', 'g'), 9),
                                '(...)(...)(..)(..)', '\\1-\\2-\\3-\\4') END,
                   email = CASE WHEN p.id %% 200 = 13 THEN upper(prev.email)
                                ELSE p.email END,
                   name = CASE WHEN p.id %% 200 = 57 THEN prev.name ELSE p.name END,
                   sputnik_birthdate = CASE WHEN p.id %% 200 = 57
                                            THEN prev.sputnik_birthdate
                                            ELSE p.sputnik_birthdate END,
                   phone = CASE WHEN p.id %% 20000 = 3 THEN %(office)s
                                ELSE p.phone END
              FROM res_partner prev
             WHERE prev.id = p.id - 1 AND prev.phone IS NOT NULL
               AND (p.id %% 100 = 7 OR p.id %% 200 IN (13, 57) OR p.id %% 20000 = 3)
               AND p.{where}
            """,  # noqa: S608 - fixed conditions
            {"office": "+380 44 200 00 00"},
        )
        cr.execute(
            f"""UPDATE res_partner SET complete_name = name
                 WHERE {where} AND complete_name IS DISTINCT FROM name"""  # noqa: S608 - fixed conditions
        )
        cr.execute(
            "SELECT id FROM res_country WHERE code IN ('UA', 'PL') ORDER BY code DESC"
        )
        ukraine, poland = (row[0] for row in cr.fetchall())
        cr.execute(
            f"""
            INSERT INTO sputnik_travel_document
                   (partner_id, company_id, document_type, number, country_id,
                    expiry_date, active, create_uid, write_uid, create_date,
                    write_date)
            SELECT p.id, p.company_id, 'foreign_passport',
                   'FX' || lpad((p.id - (p.id %% 500 = 12)::int)::text, 7, '0'),
                   CASE WHEN p.id %% 500 = 12 THEN %s ELSE %s END,
                   DATE '2030-01-01' + p.id %% 1000, TRUE, %s, %s, now(), now()
              FROM res_partner p
             WHERE p.{where} AND p.id %% 10 IN (1, 2, 3)
            """,  # noqa: S608 - fixed conditions
            (poland, ukraine, SUPERUSER_ID, SUPERUSER_ID),
        )
        env = classification.bench_env(cr, classification.base_company(cr, args))
        Duplicate = env["sputnik.client.duplicate"]
        if hasattr(Duplicate, "_sputnik_rebuild_keys"):
            Duplicate._sputnik_rebuild_keys()
        cr.commit()
    classification.vacuum(args.db, "res_partner", "sputnik_travel_document")
    print(f"identities added in {time.perf_counter() - started:.0f} s")


# === WHAT THE BASE HOLDS === #


def describe(cr, args):
    cr.execute(
        f"""SELECT COUNT(*),
                   COUNT(*) FILTER (WHERE phone IS NOT NULL OR mobile IS NOT NULL),
                   COUNT(*) FILTER (WHERE email IS NOT NULL),
                   COUNT(*) FILTER (WHERE sputnik_birthdate IS NOT NULL)
              FROM res_partner WHERE active AND {classification.clients_where(args)}"""  # noqa: S608 - fixed conditions
    )
    clients, phones, emails, births = cr.fetchone()
    cr.execute("SELECT COUNT(*) FROM res_partner")
    partners = cr.fetchone()[0]
    cr.execute("SELECT COUNT(*) FROM sputnik_travel_document")
    documents = cr.fetchone()[0]
    cr.execute("SELECT COUNT(*) FROM sale_order WHERE sputnik_client_id IS NOT NULL")
    bookings = cr.fetchone()[0]
    cr.execute("SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'")
    trigram = bool(cr.fetchone()[0])
    cr.execute("SELECT to_regclass('sputnik_client_duplicate_key') IS NOT NULL")
    keys = None
    if cr.fetchone()[0]:
        cr.execute(
            """SELECT COUNT(*), COUNT(*) FILTER (WHERE holders BETWEEN 2 AND 10)
                 FROM sputnik_client_duplicate_key"""
        )
        keys = dict(zip(("keys", "shared_keys"), cr.fetchone(), strict=True))
    return {
        "partners": partners,
        "clients": clients,
        "with_phone": phones,
        "with_email": emails,
        "with_birthdate": births,
        "travel_documents": documents,
        "bookings": bookings,
        "pg_trgm": trigram,
        "duplicate_keys": keys,
    }


def agent_user(cr, company_id, partner_id):
    """The agent of the client if a Sputnik agent (not a manager), else any
    Sputnik agent of the company."""
    cr.execute(
        """SELECT u.id FROM res_users u
             JOIN res_company_users_rel rel ON rel.user_id = u.id AND rel.cid = %s
             JOIN res_groups_users_rel gu ON gu.uid = u.id
             JOIN ir_model_data d ON d.res_id = gu.gid AND d.model = 'res.groups'
                  AND d.module = 'sputnik_crm' AND d.name = 'group_sputnik_user'
            WHERE u.active AND u.share IS NOT TRUE
              AND NOT EXISTS (
                    SELECT 1 FROM res_groups_users_rel gm
                      JOIN ir_model_data dm ON dm.res_id = gm.gid
                           AND dm.model = 'res.groups' AND dm.module = 'sputnik_crm'
                           AND dm.name = 'group_sputnik_manager'
                     WHERE gm.uid = u.id)
         ORDER BY u.id = (SELECT user_id FROM res_partner WHERE id = %s) DESC, u.id
            LIMIT 1""",
        (company_id, partner_id),
    )
    row = cr.fetchone()
    return row[0] if row else None


def samples(cr, args, company_id):
    """The client with most bookings in the company, a name fragment, phone
    digits and an e-mail to search."""
    where = classification.clients_where(args)
    cr.execute(
        """SELECT sputnik_client_id FROM sale_order
            WHERE sputnik_client_id IS NOT NULL AND company_id = %s
         GROUP BY sputnik_client_id ORDER BY COUNT(*) DESC, sputnik_client_id
            LIMIT 1""",
        (company_id,),
    )
    busiest = cr.fetchone()[0]
    name = args.name
    if not name:
        cr.execute(
            f"""SELECT lower(left(word, 6)) FROM (
                    SELECT regexp_split_to_table(name, '\\s+') AS word
                      FROM (SELECT name FROM res_partner WHERE {where}
                             ORDER BY id LIMIT 20000) sample) words
                 WHERE word ~ '^[[:alpha:]]{{4,}}$'
              GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1"""  # noqa: S608 - fixed conditions
        )
        row = cr.fetchone()
        name = row[0] if row else "client"
    cr.execute(
        f"""SELECT right(regexp_replace(phone, '\\D', '', 'g'), 7)
              FROM res_partner WHERE phone IS NOT NULL AND {where}
          ORDER BY id DESC LIMIT 1"""  # noqa: S608 - fixed conditions
    )
    row = cr.fetchone()
    phone = row[0] if row else "9135724"
    cr.execute(
        f"""SELECT email FROM res_partner WHERE email LIKE '%%@%%' AND {where}
          ORDER BY id DESC LIMIT 1"""  # noqa: S608 - fixed conditions
    )
    row = cr.fetchone()
    email = row[0] if row else "nobody@example.com"
    return {"busiest": busiest, "name": name, "phone": phone, "email": email}


def duplicate_sample(env, fallback):
    """A client with probable duplicates (the first pair's client)."""
    pair = env["sputnik.client.duplicate"].search([], limit=1)
    return pair.partner_id.id or fallback


# === WHAT THE WEB CLIENT ASKS === #


def spec_of(arch, fields):
    """The web client's specification of a view's fields: relational fields
    with their display name (and colour for tags)."""
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        name = node.get("name")
        if name not in fields or name in spec:
            continue
        ftype = fields[name]["type"]
        if ftype == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif ftype in ("one2many", "many2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def action_plan(env, xmlid, mode, action=None):
    """``(model, context, domain, spec, search arch)`` of an action's view as
    the web client opens it: the action's domain and context, the search
    defaults, the view's fields."""
    action = action or env["ir.actions.act_window"]._for_xml_id(xmlid)
    model = action["res_model"]
    ctx = action.get("context") or {}
    if isinstance(ctx, str):
        ctx = safe_eval(ctx, {"uid": env.uid, "context": env.context})
    domain = action.get("domain") or []
    if isinstance(domain, str):
        domain = safe_eval(domain, {"uid": env.uid, "context": env.context})
    context = {**env.context, **ctx}
    view_ids = {view_mode: view_id for view_id, view_mode in action.get("views") or []}
    search_view = action.get("search_view_id")
    views = (
        env[model]
        .with_context(context)
        .get_views(
            [
                (view_ids.get(mode, False), mode),
                (search_view[0] if search_view else False, "search"),
            ]
        )
    )
    fields = views["models"][model]["fields"]
    search_arch = views["views"]["search"]["arch"]
    search_domain, groupby = search_defaults(env, search_arch, context)
    if search_domain:
        domain = ["&", *domain, *search_domain] if domain else search_domain
    spec = spec_of(views["views"][mode]["arch"], fields)
    return {
        "model": model,
        "context": ctx,
        "domain": domain,
        "groupby": groupby,
        "spec": spec,
        "search_arch": search_arch,
    }


def field_domain(env, plan, field, value):
    """The domain of a search view field for a value typed in the search."""
    for node in etree.fromstring(plan["search_arch"]).iter("field"):
        if node.get("name") == field:
            if node.get("filter_domain"):
                return safe_eval(
                    node.get("filter_domain"), {"self": value, "uid": env.uid}
                )
            return [(field, node.get("operator") or "ilike", value)]
    raise LookupError(f"no field {field} in the search view")


def page(env, plan, domain=None, limit=LIST_LIMIT):
    """``web_search_read`` of the first page, with its count."""
    Model = env[plan["model"]].with_context(bin_size=True, **plan["context"])
    result = Model.web_search_read(
        plan["domain"] if domain is None else domain,
        plan["spec"],
        limit=limit,
        count_limit=COUNT_LIMIT,
    )
    return result["length"]


def grouped(env, plan):
    """``web_read_group`` of the first level of the default grouping."""
    Model = env[plan["model"]].with_context(**plan["context"])
    result = Model.web_read_group(
        plan["domain"], [], plan["groupby"][:1], limit=80, lazy=True
    )
    return result["length"]


# === THE CASES === #


class Case:
    def __init__(self, key, label, uid, run):
        self.key, self.label, self.uid, self.run = key, label, uid, run
        self.cold = None
        self.warm = []
        self.queries = 0
        self.result = None


def make_cases(registry, company_id, manager, agent, sample):
    cases = []
    with registry.cursor() as cr:
        env = user_env(cr, manager, company_id)
        dup_plan = action_plan(env, DUPLICATES, "list")
        dup_partner = duplicate_sample(env, sample["busiest"])
        dup_one = [
            "|",
            ("partner_id", "=", dup_partner),
            ("other_partner_id", "=", dup_partner),
        ]
        cases += [
            Case(
                "duplicates_grouped",
                "Duplicates: action (by reason)",
                manager,
                lambda env: grouped(env, dup_plan),
            ),
            Case(
                "duplicates_page",
                "Duplicates: first page + count",
                manager,
                lambda env: page(env, dup_plan, domain=[]),
            ),
            Case(
                "duplicates_client",
                "Duplicates of one client",
                manager,
                lambda env: page(env, dup_plan, domain=dup_one),
            ),
        ]
        busiest = sample["busiest"]

        def timeline(env):
            action = env["res.partner"].browse(busiest).action_sputnik_history()
            plan = action_plan(env, None, "list", action=action)
            return page(env, plan)

        cases.append(Case("timeline_manager", "Timeline, manager", manager, timeline))
        if agent:
            cases.append(Case("timeline_agent", "Timeline, agent", agent, timeline))
        clients_user = agent or manager
        env = user_env(cr, clients_user, company_id)
        kanban = action_plan(env, CLIENTS, "kanban")
        listing = action_plan(env, CLIENTS, "list")
        phone_field = (
            "phone_mobile_search"
            if 'name="phone_mobile_search"' in listing["search_arch"]
            else "phone"
        )

        def searched(field, value):
            domain = field_domain(env, listing, field, value)
            return ["&", *listing["domain"], *domain] if listing["domain"] else domain

        by_name = searched("name", sample["name"])
        by_phone = searched(phone_field, sample["phone"])
        by_email = searched("email", sample["email"])
        cases += [
            Case(
                "clients_kanban",
                "Clients: kanban first page + count",
                clients_user,
                lambda env: page(env, kanban, limit=KANBAN_LIMIT),
            ),
            Case(
                "clients_list",
                "Clients: list first page + count",
                clients_user,
                lambda env: page(env, listing),
            ),
            Case(
                "clients_name",
                f"Clients: name ilike {sample['name']!r}",
                clients_user,
                lambda env: page(env, listing, domain=by_name),
            ),
            Case(
                "clients_phone",
                f"Clients: phone {sample['phone']!r}",
                clients_user,
                lambda env: page(env, listing, domain=by_phone),
            ),
            Case(
                "clients_email",
                f"Clients: e-mail {sample['email']!r}",
                clients_user,
                lambda env: page(env, listing, domain=by_email),
            ),
        ]
        cr.rollback()
    return cases, dup_partner


def selected(cases, only):
    if not only:
        return cases
    keys = [k.strip() for k in only.split(",")]
    return [c for c in cases if any(k in c.key for k in keys)]


def timed(registry, company_id, case, timeout):
    with registry.cursor() as cr:
        cr.execute("SET LOCAL statement_timeout = %s", (int(timeout * 1000),))
        env = user_env(cr, case.uid, company_id)
        before = cr.sql_log_count
        started = time.perf_counter()
        try:
            case.result = case.run(env)
        except psycopg2.errors.QueryCanceled:
            case.result = "timeout"
        elapsed = (time.perf_counter() - started) * 1000
        case.queries = cr.sql_log_count - before
        cr.rollback()
    return elapsed


def profile(registry, company_id, case):
    with QueryLog() as log, registry.cursor() as cr:
        env = user_env(cr, case.uid, company_id)
        case.run(env)
        queries = sorted(log.queries, key=lambda q: q[0], reverse=True)
        log.active = False
        print(
            f"\n--- {case.label}: {len(queries)} queries, "
            f"{sum(q[0] for q in queries) * 1000:.0f} ms in SQL; slowest:"
        )
        for seconds, query, _params in queries[:5]:
            text = " ".join(getattr(query, "code", str(query)).split())
            print(f"  {seconds * 1000:7.1f} ms  {text[:200]}")
        if queries:
            _seconds, query, params = queries[0]
            if isinstance(query, SQL):
                cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
            else:
                cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
            for (line,) in cr.fetchall():
                print("    " + line)
        cr.rollback()


# === RUN === #


def main():
    args = parse_args()
    if args.add_identities and not SIZES[args.size]:
        sys.exit("--add-identities is for a generated base (--size 100k or 1m)")
    registry = init_odoo(args)
    if args.add_identities:
        add_identities(registry, args)
    with registry.cursor() as cr:
        company_id = classification.base_company(cr, args)
        manager = bench_user(cr, company_id)
        database = database_size(cr, args.db)
        base = describe(cr, args)
        sample = samples(cr, args, company_id)
        agent = agent_user(cr, company_id, sample["busiest"])
        cr.rollback()
    print(f"database {database}")
    print(f"base ({args.size}): {base}")
    cases, dup_partner = make_cases(registry, company_id, manager, agent, sample)
    sample["duplicates_of"] = dup_partner
    print(f"samples: {sample}; manager uid {manager}, agent uid {agent}")
    cases = selected(cases, args.only)

    for case in cases:
        registry.clear_all_caches()
        registry.cache_invalidated.clear()
        case.cold = timed(registry, company_id, case, args.timeout)
    for round_ in range(args.repeat):
        order = cases[round_ % len(cases) :] + cases[: round_ % len(cases)]
        for case in order:
            case.warm.append(timed(registry, company_id, case, args.timeout))

    print()
    print(
        f"{'case':<46} {'cold ms':>8} {'warm ms':>8} {'target':>7} "
        f"{'queries':>7} {'rows':>7}"
    )
    missed = []
    for case in cases:
        warm = statistics.median(case.warm)
        passed = case.result != "timeout" and max(case.cold, warm) <= TARGET_MS
        if not passed:
            missed.append(case)
        print(
            f"{case.label[:46]:<46} {case.cold:8.0f} {warm:8.0f} {TARGET_MS:7.0f} "
            f"{case.queries:7d} {case.result!s:>7} {'ok' if passed else 'MISSED'}"
        )
    ok = not missed
    print("PASS" if ok else f"FAIL: {', '.join(c.label for c in missed)}")
    if args.profile:
        for case in missed or cases:
            profile(registry, company_id, case)
    print_result(
        "client_screens",
        args.size,
        database,
        base=base,
        samples=sample,
        cases={
            case.key: {
                "label": case.label,
                "cold_ms": round(case.cold),
                "warm_ms": round(statistics.median(case.warm)),
                "queries": case.queries,
                "rows": case.result,
            }
            for case in cases
        },
        target_ms=TARGET_MS,
        missed=[case.key for case in missed],
        passed=ok,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
