#!/usr/bin/env bash
# make reset-db: drop database $DB (after confirmation) so that the next `make run`
# creates it anew with the demo data.
source "$(dirname "$0")/devenv.sh"

ensure_venv
ensure_odoo
ensure_postgres

if ! db_exists "$DB"; then
    say "database '$DB' does not exist: nothing to reset"
    exit 0
fi
if [ "${YES:-}" != 1 ]; then
    [ -t 0 ] || die "refusing to drop '$DB' without confirmation: run it in a terminal, or with YES=1"
    read -r -p "Drop database '$DB' and its filestore, losing every record in it? Type the database name to confirm: " answer
    [ "$answer" = "$DB" ] || die "not confirmed: '$DB' is kept"
fi
"$VENV_PY" "$ROOT/scripts/pgtool.py" drop "$DB"
rm -rf "$ROOT/.odoo-data/filestore/$DB"
say "database '$DB' dropped; 'make run' creates it again with the demo data"
