#!/usr/bin/env bash
# make test: a fresh test database with sputnik_crm installed (demo data and
# Ukrainian included), then the whole pytest-odoo suite, browser tests included.
# Extra pytest arguments: make test PYTEST_ARGS="-k access -x"
source "$(dirname "$0")/devenv.sh"

TEST_DB=${TEST_DB:-${DB}_test}
[ "$TEST_DB" != "$DB" ] || die "TEST_DB must differ from DB: the test database is dropped and created anew"

ensure_venv
ensure_odoo
ensure_postgres
ensure_browser
odoo_common_args

if db_exists "$TEST_DB"; then
    say "dropping the previous test database '$TEST_DB'"
    "$VENV_PY" "$ROOT/scripts/pgtool.py" drop "$TEST_DB"
    rm -rf "$ROOT/.odoo-data/filestore/$TEST_DB"
fi

say "installing sputnik_crm into a fresh database '$TEST_DB'"
odoo_logged "install-$TEST_DB" "$TEST_DB" -i sputnik_crm --load-language=uk_UA --without-demo=

say "running the test suite"
cd "$ROOT"
# --odoo-http serves Odoo on a free port for the browser tests (HttpCase).
# shellcheck disable=SC2086
exec "$VENV_PY" -m pytest tests \
    --odoo-database="$TEST_DB" --odoo-config="$ODOO_CONF" --odoo-addons-path="$ADDONS_PATH" \
    --odoo-extra="data-dir=$ROOT/.odoo-data" --odoo-http --odoo-log-level=warn -rs ${PYTEST_ARGS:-}
