#!/usr/bin/env bash
# A PostgreSQL primary and its streaming read replica, local and project-owned,
# to show Odoo's read replica (db_replica_host / db_replica_port) at work:
#
#   scripts/replica.sh start    make (once) and start both clusters
#   scripts/replica.sh status   are they running; the replication state and lag
#   scripts/replica.sh stop     stop both clusters (the data stays)
#   scripts/replica.sh destroy  stop both and delete everything it made
#
# Nothing of the machine's own PostgreSQL is changed: the script makes its own
# primary cluster (initdb in $REPLICA_DIR/primary, port $REPLICA_PRIMARY_PORT,
# wal_level=replica, replication connections allowed in pg_hba.conf), copies
# the database $REPLICA_SOURCE of the PostgreSQL that devenv.sh finds into it
# (pg_dump | psql, once, as database $REPLICA_DB, with its filestore), then
# makes the standby with pg_basebackup -R (streaming, a replication slot,
# hot_standby) in $REPLICA_DIR/standby, served on port $REPLICA_STANDBY_PORT.
# Both clusters answer on a Unix socket in $REPLICA_DIR/run only (no TCP port
# taken), as role "odoo", trust authentication: a bench setup, not a
# production one (docs/deployment.md says what changes there).
#
# Every step is idempotent: start on running clusters only says so. Variables:
#   REPLICA_DIR           (default .replica/ in the repository, git-ignored)
#   REPLICA_SOURCE        database copied into the primary (default $DB)
#   REPLICA_DB            its name in the primary (default ${REPLICA_SOURCE}_replica)
#   REPLICA_PRIMARY_PORT  (default 55432)   REPLICA_STANDBY_PORT (default 55433)
# The script prints, at the end of start, the Odoo options that use the pair.
source "$(dirname "$0")/devenv.sh"

REPLICA_DIR=${REPLICA_DIR:-$ROOT/.replica}
REPLICA_SOURCE=${REPLICA_SOURCE:-$DB}
REPLICA_DB=${REPLICA_DB:-${REPLICA_SOURCE}_replica}
PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-55432}
STANDBY_PORT=${REPLICA_STANDBY_PORT:-55433}
RUN_DIR=$REPLICA_DIR/run
PRIMARY=$REPLICA_DIR/primary
STANDBY=$REPLICA_DIR/standby
SLOT=sputnik_standby

pg_bin() {
    PG_BIN=$(find_pg_bin) || die "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) found:
  install the PostgreSQL server package (e.g. apt-get install postgresql)"
    # initdb may be a link (/usr/local/bin): the version's own folder holds
    # psql, pg_dump and pg_basebackup too
    PG_BIN=$(dirname "$(readlink -f "$PG_BIN/initdb")")
    # PostgreSQL refuses to run as root: the clusters belong to an ordinary user.
    run_pg=()
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
        run_pg=(runuser -u "$PG_OWNER" --)
    fi
}

# psql on one of the pair: $1 port, the rest psql's arguments
on() {
    local port=$1
    shift
    PGHOST=$RUN_DIR PGPORT=$port PGUSER=odoo "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

running() {  # $1 data directory
    [ -f "$1/PG_VERSION" ] && "${run_pg[@]}" "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

start_cluster() {  # $1 data directory, $2 port, $3 name
    if running "$1"; then
        say "$3 already running (port $2)"
        return
    fi
    "${run_pg[@]}" "$PG_BIN/pg_ctl" -D "$1" -l "$REPLICA_DIR/$3.log" -w -t 120 \
        -o "-p $2 -c listen_addresses='' -c unix_socket_directories='$RUN_DIR'" start >/dev/null \
        || die "the $3 did not start: see $REPLICA_DIR/$3.log"
    say "$3 started (port $2, socket in $RUN_DIR)"
}

make_primary() {
    [ -f "$PRIMARY/PG_VERSION" ] && return
    say "creating the primary cluster in $PRIMARY"
    "${run_pg[@]}" "$PG_BIN/initdb" -D "$PRIMARY" -U odoo --auth=trust -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    # what streaming replication needs (most are PostgreSQL's defaults, set
    # here so that the file says it); hot_standby is read by the standby,
    # which starts from a copy of this file
    cat >>"$PRIMARY/postgresql.conf" <<'CONF'

# --- scripts/replica.sh: streaming replication ---
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
wal_keep_size = 256MB
CONF
    # initdb --auth=trust already allows replication on the local socket;
    # say it explicitly, once, in case the defaults change
    grep -qE '^local[[:space:]]+replication[[:space:]]+odoo' "$PRIMARY/pg_hba.conf" \
        || echo "local   replication     odoo                                    trust" \
            >>"$PRIMARY/pg_hba.conf"
}

copy_source() {
    if [ "$(on "$PRIMARY_PORT" -d postgres -tAc \
        "SELECT count(*) FROM pg_database WHERE datname = '$REPLICA_DB'")" = 1 ]; then
        say "database $REPLICA_DB already in the primary"
        return
    fi
    db_exists "$REPLICA_SOURCE" \
        || die "database '$REPLICA_SOURCE' not found at ${PGHOST:-the local socket}: set REPLICA_SOURCE (or DB)"
    say "copying database $REPLICA_SOURCE into the primary as $REPLICA_DB (pg_dump | psql)"
    on "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE \"$REPLICA_DB\" TEMPLATE template0 ENCODING 'UTF8'"
    if ! "$PG_BIN/pg_dump" --no-owner --no-acl "$REPLICA_SOURCE" \
        | on "$PRIMARY_PORT" -d "$REPLICA_DB" -o /dev/null; then
        on "$PRIMARY_PORT" -d postgres -c "DROP DATABASE \"$REPLICA_DB\""
        die "the copy of $REPLICA_SOURCE failed (see above); nothing left behind"
    fi
    on "$PRIMARY_PORT" -d "$REPLICA_DB" -c "ANALYZE"
    local source_store target_store
    for source_store in "$ROOT/.odoo-data/filestore/$REPLICA_SOURCE" \
        "${ODOO_DATA_DIR:-/nonexistent}/filestore/$REPLICA_SOURCE"; do
        target_store=$REPLICA_DIR/odoo-data/filestore/$REPLICA_DB
        if [ -d "$source_store" ] && [ ! -d "$target_store" ]; then
            mkdir -p "$(dirname "$target_store")"
            cp -r "$source_store" "$target_store"
            say "filestore copied from $source_store"
        fi
    done
}

make_standby() {
    [ -f "$STANDBY/PG_VERSION" ] && return
    say "creating the standby with pg_basebackup -R from the primary"
    on "$PRIMARY_PORT" -d postgres -tAc \
        "SELECT pg_create_physical_replication_slot('$SLOT')
         WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')" >/dev/null
    mkdir -p "$STANDBY"
    chmod 700 "$STANDBY"
    [ -z "${PG_OWNER:-}" ] || chown "$PG_OWNER" "$STANDBY"
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL
    # made during the copy; -S keeps the WAL the standby has not received yet
    "${run_pg[@]}" "$PG_BIN/pg_basebackup" -h "$RUN_DIR" -p "$PRIMARY_PORT" -U odoo \
        -D "$STANDBY" -R -X stream -S "$SLOT" -c fast \
        || { rm -rf "$STANDBY"; die "pg_basebackup failed (see above)"; }
}

cmd_start() {
    pg_bin
    ensure_venv
    ensure_postgres
    mkdir -p "$RUN_DIR" "$REPLICA_DIR/odoo-data"
    [ -z "${PG_OWNER:-}" ] || chown "$PG_OWNER" "$REPLICA_DIR" "$RUN_DIR"
    make_primary
    start_cluster "$PRIMARY" "$PRIMARY_PORT" primary
    copy_source
    make_standby
    start_cluster "$STANDBY" "$STANDBY_PORT" standby
    local i
    for i in $(seq 60); do
        [ "$(on "$STANDBY_PORT" -d postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
        sleep 1
    done
    cmd_status
    cat <<EOF
Odoo on the pair (the primary for everything, the standby for read-only requests):
  PGHOST=$RUN_DIR PGPORT=$PRIMARY_PORT PGUSER=odoo python -m odoo -d $REPLICA_DB \\
      --db_replica_host=$RUN_DIR --db_replica_port=$STANDBY_PORT \\
      --data-dir=$REPLICA_DIR/odoo-data --workers=2
EOF
}

cmd_status() {
    pg_bin
    local state=0
    for pair in "primary:$PRIMARY:$PRIMARY_PORT" "standby:$STANDBY:$STANDBY_PORT"; do
        IFS=: read -r name dir port <<<"$pair"
        if running "$dir"; then
            echo "$name: running, port $port, socket in $RUN_DIR"
        else
            echo "$name: stopped"
            state=3
        fi
    done
    [ "$state" = 0 ] || return "$state"
    on "$PRIMARY_PORT" -d postgres -tAc \
        "SELECT 'replication: ' || application_name || ' ' || state || ', ' || sync_state
                || ', replay lag ' || COALESCE(replay_lag::text, '0')
                || ', ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) || ' bytes behind'
           FROM pg_stat_replication"
    on "$STANDBY_PORT" -d postgres -tAc \
        "SELECT 'standby in recovery: ' || pg_is_in_recovery()
                || ', last replayed ' || COALESCE(pg_last_xact_replay_timestamp()::text, '-')"
}

cmd_stop() {
    pg_bin
    local dir name
    for name in standby primary; do
        dir=$REPLICA_DIR/$name
        if running "$dir"; then
            "${run_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
            say "$name stopped"
        else
            say "$name not running"
        fi
    done
}

cmd_destroy() {
    cmd_stop
    rm -rf "$REPLICA_DIR"
    say "$REPLICA_DIR deleted"
}

case "${1:-}" in
start) cmd_start ;;
status) cmd_status ;;
stop) cmd_stop ;;
destroy) cmd_destroy ;;
*) die "usage: scripts/replica.sh start|status|stop|destroy" ;;
esac
