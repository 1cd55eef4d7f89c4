#!/usr/bin/env bash
# make run: install (first run) or upgrade (every later run) sputnik_crm with its
# demo data in database $DB, then serve the web client on port $PORT.
# It never drops or recreates an existing database.
source "$(dirname "$0")/devenv.sh"

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args

install_or_upgrade "$DB"

cat >&2 <<MSG

  Sputnik CRM is served at http://localhost:$PORT  (database '$DB')
  Demo logins (user / password):
    admin    / admin     administrator
    manager  / manager   Sputnik manager  (Олена Коваленко)
    agent    / agent     travel agent     (Андрій Шевченко, works in Ukrainian)
    agent2   / agent2    travel agent     (Maria Bondar, works in English)
  Stop with Ctrl-C. Run 'make run' again to upgrade the addon and keep every record.

MSG
exec "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT"
