#!/usr/bin/env bash
# make check-existing: sputnik_crm installs into an existing Odoo database that
# already holds sales, stock and purchase data, and upgrades in place without
# losing a record.
#   1. a database with Odoo's sale_stock and purchase_stock and their demo data,
#      where a sale order is confirmed (a delivery with stock moves);
#   2. `-i sputnik_crm` into it;
#   3. a record is created, then `-u sputnik_crm` (what every `make run` does);
#   4. every count from step 1 and the record of step 3 are still there.
source "$(dirname "$0")/devenv.sh"

CHECK_DB=${CHECK_DB:-${DB}_existing}
[ "$CHECK_DB" != "$DB" ] || die "CHECK_DB must differ from DB: it is dropped and created anew"

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args

odoo_shell() {  # python code on stdin, run with `env` in the check database
    "${ODOO_BIN[@]}" shell "${ODOO_ARGS[@]}" -d "$CHECK_DB" --no-http --log-level=warn
}

"$VENV_PY" "$ROOT/scripts/pgtool.py" drop "$CHECK_DB"
rm -rf "$ROOT/.odoo-data/filestore/$CHECK_DB"

say "1/4 an existing ERP database '$CHECK_DB' with sales, stock and purchase data"
odoo_logged "check-$CHECK_DB" "$CHECK_DB" -i sale_stock,purchase_stock --without-demo=
counts_before=$(odoo_shell <<'PY'
order = env["sale.order"].search([("state", "=", "draft")], limit=1)
order.action_confirm()
assert order.picking_ids.move_ids, "the confirmed order has no stock move"
env.cr.commit()
tables = ["res_partner", "sale_order", "sale_order_line", "stock_move", "stock_picking",
          "purchase_order", "account_move", "product_template"]
print("COUNTS", " ".join(
    f"{t}={env.cr.execute(f'SELECT count(*) FROM {t}') or env.cr.fetchone()[0]}" for t in tables))
PY
)
counts_before=$(grep '^COUNTS' <<<"$counts_before") || die "could not count the records of '$CHECK_DB'"
say "   $counts_before"

say "2/4 installing sputnik_crm into it"
odoo_logged "check-$CHECK_DB" "$CHECK_DB" -i sputnik_crm

say "3/4 a record created by a user, then an upgrade in place"
odoo_shell <<'PY' >/dev/null
env["res.partner"].create({"name": "Клієнт між оновленнями", "email": "between@example.com"})
env.cr.commit()
PY
odoo_logged "check-$CHECK_DB" "$CHECK_DB" -u sputnik_crm

say "4/4 nothing lost"
result=$(COUNTS_BEFORE="$counts_before" odoo_shell <<'PY'
import os
before = dict(kv.split("=") for kv in os.environ["COUNTS_BEFORE"].split()[1:])
lost = []
for table, count in before.items():
    env.cr.execute(f"SELECT count(*) FROM {table}")
    now = env.cr.fetchone()[0]
    # installing the addon may add records (its demo), never remove one
    if now < int(count):
        lost.append(f"{table}: {count} -> {now}")
if not env["res.partner"].search_count([("email", "=", "between@example.com")]):
    lost.append("the partner created between install and upgrade")
module = env["ir.module.module"].search([("name", "=", "sputnik_crm")])
if module.state != "installed":
    lost.append(f"sputnik_crm is {module.state}")
print("RESULT", "; ".join(lost) or "ok")
PY
)
result=$(grep '^RESULT' <<<"$result") || die "could not check '$CHECK_DB' after the upgrade"
[ "$result" = "RESULT ok" ] || die "records lost: ${result#RESULT }"
"$VENV_PY" "$ROOT/scripts/pgtool.py" drop "$CHECK_DB"
rm -rf "$ROOT/.odoo-data/filestore/$CHECK_DB"
say "sputnik_crm installs into an existing database and upgrades in place without losing a record"
