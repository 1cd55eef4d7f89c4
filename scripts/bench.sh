#!/usr/bin/env bash
# The benchmarks (bench/README.md). Each takes a size, SIZE=demo|100k|1m:
#   demo  the demo data as installed (make run's database, $DB, for the
#         benchmarks that change nothing or work on a copy; a database of its
#         own, ${DB}_bench_demo, for classification and reports, which
#         reclassify the base they run on)
#   100k  the generated base of bench_classification_data.py (100,000 clients,
#         1,000,000 order lines; bench_reports_data.py's activity for the
#         reports) in ${DB}_bench
#   1m    the same generators at ten times that, in ${DB}_bench1m
# A generated base is made when absent (minutes for 100k, much longer for 1m)
# and reused when present; BENCH_DB names the database of a generated base.
# Each benchmark ends with one line RESULT {json}.
#
# make bench: the booking confirmation (SIZE=demo by default; everything it
#   does is rolled back).
# make bench-classification: the classification (SIZE=100k by default).
# make bench-reports: the KPI dashboard and every report's first pivot
#   (SIZE=100k by default; the reports' activity added once, nothing else
#   written).
# make bench-screens: the duplicates, a client's history and the client list
#   as the web client opens them (SIZE=demo by default; everything it does is
#   rolled back).
# make bench-churn: booking race and churn over XML-RPC against Odoo served
#   with 4 workers, on $CHURN_DB (default <database>_churn), a copy of the
#   size's database (it must not be served meanwhile), dropped at the end
#   unless BENCH_ARGS="--keep-db" (SIZE=demo by default).
# make bench-replica: scripts/replica.sh makes a PostgreSQL primary and its
#   streaming standby holding a copy of the size's database, two Odoo servers
#   book on the primary and read from the standby; the pair is stopped at the
#   end unless KEEP_REPLICA=1 (SIZE=demo by default).
source "$(dirname "$0")/devenv.sh"

bench=${1:-booking}
case "$bench" in
classification | reports) size=${SIZE:-100k} ;;
booking | churn | replica | screens) size=${SIZE:-demo} ;;
*) die "unknown benchmark '$bench' (booking, classification, reports, churn, replica or screens)" ;;
esac
case "$size" in
demo | 100k | 1m) ;;
*) die "unknown SIZE '$size' (demo, 100k or 1m)" ;;
esac

ensure_venv
ensure_odoo
ensure_postgres
odoo_common_args
bench_py() {  # $1 script, the rest its arguments; BENCH_ARGS appended
    local script=$1
    shift
    # shellcheck disable=SC2086
    "$VENV_PY" "$ROOT/bench/$script" "$@" --size "$size" \
        --addons-path "$ADDONS_PATH" ${BENCH_ARGS:-}
}

# The database of the size, sputnik_crm installed or upgraded, for the
# benchmarks that take a database as it is: demo is $DB; a generated base is
# generated when absent.
sized_db() {
    case "$size" in
    demo) db=$DB ;;
    100k) db=${BENCH_DB:-${DB}_bench} ;;
    1m) db=${BENCH_DB:-${DB}_bench1m} ;;
    esac
    install_or_upgrade "$db"
    if [ "$size" != demo ]; then
        "$VENV_PY" "$ROOT/bench/bench_classification_data.py" --db "$db" \
            --size "$size" --if-absent --addons-path "$ADDONS_PATH" \
            --data-dir "$ROOT/.odoo-data"
    fi
}

case "$bench" in
booking)
    sized_db
    bench_py bench_booking_confirm.py --db "$db" --data-dir "$ROOT/.odoo-data"
    ;;
classification | reports)
    case "$size" in
    demo) db=${BENCH_DB:-${DB}_bench_demo} ;;
    100k) db=${BENCH_DB:-${DB}_bench} ;;
    1m) db=${BENCH_DB:-${DB}_bench1m} ;;
    esac
    install_or_upgrade "$db"
    # the scripts generate the base of the size when absent
    bench_py "bench_$bench.py" --db "$db" --data-dir "$ROOT/.odoo-data"
    ;;
screens)
    sized_db
    bench_py bench_client_screens.py --db "$db" --data-dir "$ROOT/.odoo-data"
    ;;
churn)
    sized_db
    bench_py bench_booking_churn.py --source "$db" --db "${CHURN_DB:-${db}_churn}" \
        --data-dir "$ROOT/.odoo-data"
    ;;
replica)
    sized_db
    replica_dir=${REPLICA_DIR:-$ROOT/.replica}
    export REPLICA_DIR=$replica_dir REPLICA_SOURCE=$db REPLICA_DB=${REPLICA_DB:-${db}_replica}
    [ "${KEEP_REPLICA:-0}" = 1 ] || trap 'bash "$ROOT/scripts/replica.sh" stop' EXIT
    bash "$ROOT/scripts/replica.sh" start
    # a copy made by an earlier run may be older than the code: upgrade it on
    # the primary (the standby follows)
    (
        export PGHOST=$replica_dir/run PGPORT=${REPLICA_PRIMARY_PORT:-55432} PGUSER=odoo
        "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" --data-dir="$replica_dir/odoo-data" \
            -d "$REPLICA_DB" -u sputnik_crm --stop-after-init --no-http
    )
    bench_py bench_replica.py --db "$REPLICA_DB" --replica-dir "$replica_dir" \
        --primary-port "${REPLICA_PRIMARY_PORT:-55432}" \
        --standby-port "${REPLICA_STANDBY_PORT:-55433}" \
        --data-dir "$replica_dir/odoo-data"
    ;;
esac
