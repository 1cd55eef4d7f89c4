#!/usr/bin/env bash
# make bench: the benchmarks of bench/ in database $DB (installed or upgraded
# first, like make run). The benchmarks roll back everything they do.
source "$(dirname "$0")/devenv.sh"

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args
install_or_upgrade "$DB"
# shellcheck disable=SC2086
"$VENV_PY" "$ROOT/bench/bench_booking_confirm.py" --db "$DB" \
    --addons-path "$ADDONS_PATH" --data-dir "$ROOT/.odoo-data" ${BENCH_ARGS:-}
