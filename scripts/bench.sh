#!/usr/bin/env bash
# make bench: the booking confirmation benchmark in database $DB (installed or
# upgraded first, like make run; everything it does is rolled back).
# make bench-classification: the classification benchmark in database
# $BENCH_DB (default ${DB}_bench), made once with the demo data and then filled
# with 100,000 generated clients (a few minutes); the make run database is left
# alone.
# make bench-reports: the KPI dashboard and every report's first pivot on the
# same $BENCH_DB base, with the reports' activity added once (interactions,
# opportunities, complaints, mailings, survey answers); nothing else written.
# make bench-churn: booking race and churn over XML-RPC against Odoo served with
# 4 workers, on $CHURN_DB (default ${DB}_churn), a copy of $DB (installed or
# upgraded first, like make run; it must not be served meanwhile), dropped at
# the end unless BENCH_ARGS="--keep-db".
source "$(dirname "$0")/devenv.sh"

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args
case "${1:-booking}" in
booking)
    install_or_upgrade "$DB"
    # shellcheck disable=SC2086
    "$VENV_PY" "$ROOT/bench/bench_booking_confirm.py" --db "$DB" \
        --addons-path "$ADDONS_PATH" --data-dir "$ROOT/.odoo-data" ${BENCH_ARGS:-}
    ;;
classification)
    bench_db=${BENCH_DB:-${DB}_bench}
    install_or_upgrade "$bench_db"
    # shellcheck disable=SC2086
    "$VENV_PY" "$ROOT/bench/bench_classification.py" --db "$bench_db" \
        --addons-path "$ADDONS_PATH" --data-dir "$ROOT/.odoo-data" ${BENCH_ARGS:-}
    ;;
reports)
    bench_db=${BENCH_DB:-${DB}_bench}
    install_or_upgrade "$bench_db"
    # shellcheck disable=SC2086
    "$VENV_PY" "$ROOT/bench/bench_reports.py" --db "$bench_db" \
        --addons-path "$ADDONS_PATH" --data-dir "$ROOT/.odoo-data" ${BENCH_ARGS:-}
    ;;
churn)
    install_or_upgrade "$DB"
    # shellcheck disable=SC2086
    "$VENV_PY" "$ROOT/bench/bench_booking_churn.py" --source "$DB" \
        --db "${CHURN_DB:-${DB}_churn}" \
        --addons-path "$ADDONS_PATH" --data-dir "$ROOT/.odoo-data" ${BENCH_ARGS:-}
    ;;
*) die "unknown benchmark '$1' (booking, classification, reports or churn)" ;;
esac
