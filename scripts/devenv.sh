# shellcheck shell=bash
# Sourced by the project's scripts: finds or prepares what sputnik_crm needs to run
# and test on real Odoo 18 and PostgreSQL, and exports what it found:
#   VENV_PY        the project virtualenv's python
#   ODOO_BIN       how to start Odoo (an array: "${ODOO_BIN[@]}")
#   ADDONS_PATH    Odoo's addons plus this repository
#   PG* variables  where PostgreSQL answers
# Every step says what it did and, when it cannot go on, what to set.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_BRANCH=18.0
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
DB=${DB:-sputnik}
PORT=${PORT:-8069}
PGLOCAL_DIR=$ROOT/.pgdata
ODOO_CONF=${ODOO_CONF:-$ROOT/odoo.conf}

say() { printf '[sputnik] %s\n' "$*" >&2; }
die() { printf '[sputnik] error: %s\n' "$*" >&2; exit 1; }

# --- Python environment -------------------------------------------------------
ensure_venv() {
    local req=$ROOT/requirements-dev.txt stamp=$VENV/.requirements.sha
    local want
    want=$(cat "$ROOT/requirements.txt" "$req" | sha256sum | cut -d' ' -f1)
    if [ ! -x "$VENV/bin/python" ]; then
        command -v "$PYTHON" >/dev/null || die "no $PYTHON found: install Python 3.10-3.12 or set PYTHON=/path/to/python3"
        "$PYTHON" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' \
            || die "$("$PYTHON" --version) is not supported: Odoo 18 needs Python 3.10-3.12 (set PYTHON=...)"
        say "creating the virtualenv in $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing the pinned requirements into $VENV"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" \
            || die "pip could not install requirements-dev.txt (see above)"
        echo "$want" > "$stamp"
    fi
    VENV_PY=$VENV/bin/python
    export VENV_PY
}

# --- Odoo ---------------------------------------------------------------------
# Order: an odoo package importable in the virtualenv; the source tree in
# ODOO_SRC; a shallow clone of the official 18.0 branch into .odoo-src/.
odoo_version_of() {  # $1: directory holding odoo/release.py
    "$VENV_PY" - "$1" <<'PY'
import runpy, sys
print(runpy.run_path(sys.argv[1] + "/odoo/release.py")["serie"])
PY
}

ensure_odoo() {
    local pkg_dir="" src="" version
    pkg_dir=$(env -u PYTHONPATH "$VENV_PY" -c \
        'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null || true)
    if [ -n "$pkg_dir" ] && [ -f "$pkg_dir/odoo/release.py" ]; then
        src=$pkg_dir
        say "using the odoo package installed in the virtualenv ($src)"
    elif [ -f "$ODOO_SRC/odoo/release.py" ]; then
        src=$ODOO_SRC
        say "using the Odoo source in ODOO_SRC=$src"
    elif [ -f "$ROOT/.odoo-src/odoo/release.py" ]; then
        src=$ROOT/.odoo-src
        say "using the Odoo source cloned earlier into $src"
    else
        say "no Odoo found in the virtualenv nor in ODOO_SRC=$ODOO_SRC; cloning Odoo $ODOO_BRANCH (shallow)"
        if command -v git >/dev/null && git clone -q --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT_URL" "$ROOT/.odoo-src.part" 2>/dev/null; then
            mv "$ROOT/.odoo-src.part" "$ROOT/.odoo-src"
            src=$ROOT/.odoo-src
        else
            rm -rf "$ROOT/.odoo-src.part"
            die "Odoo 18.0 Community was not found and could not be cloned.
  Set ODOO_SRC to an Odoo 18.0 source tree (the folder holding odoo-bin and odoo/release.py),
  or install Odoo 18.0 into $VENV, e.g. ODOO_SRC=~/src/odoo make test"
        fi
    fi
    version=$(odoo_version_of "$src") || die "cannot read the Odoo version in $src/odoo/release.py"
    [ "$version" = "$ODOO_BRANCH" ] \
        || die "the Odoo found in $src is version $version; sputnik_crm needs Odoo $ODOO_BRANCH (set ODOO_SRC)"
    ODOO_SRC=$src
    # Odoo's own addons: in a git checkout most live in the top-level addons/ folder,
    # in a packaged tree (nightly, pip) all of them live in odoo/addons.
    ADDONS_PATH=$src/odoo/addons
    if [ ! -d "$src/odoo/addons/sale" ] && [ -d "$src/addons/sale" ]; then
        ADDONS_PATH=$src/addons,$ADDONS_PATH
    fi
    ADDONS_PATH=$ADDONS_PATH,$ROOT
    # `python -m odoo` works for a source tree and for an installed package alike.
    PYTHONPATH=$src${PYTHONPATH:+:$PYTHONPATH}
    ODOO_BIN=("$VENV_PY" -m odoo)
    export ODOO_SRC ADDONS_PATH PYTHONPATH
}

# --- PostgreSQL ---------------------------------------------------------------
pg_answers() { "$VENV_PY" "$ROOT/scripts/pgtool.py" ping >/dev/null 2>&1; }

find_pg_bin() {
    local d
    for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
             $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    return 1
}

start_local_pg() {
    local bin owner=""
    bin=$(find_pg_bin) || die "PostgreSQL does not answer (PGHOST=${PGHOST:-<local socket>} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)})
  and no PostgreSQL server binaries (initdb, pg_ctl) are installed to start one.
  Start PostgreSQL >= 13 or point PGHOST/PGPORT/PGUSER/PGPASSWORD at one."
    mkdir -p "$PGLOCAL_DIR/run"
    run_pg=()
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: run the local cluster as an ordinary user.
        if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
        chown -R "$owner" "$PGLOCAL_DIR"
        run_pg=(runuser -u "$owner" --)
    fi
    if [ ! -f "$PGLOCAL_DIR/data/PG_VERSION" ]; then
        say "starting a project-local PostgreSQL cluster in $PGLOCAL_DIR"
        "${run_pg[@]}" "$bin/initdb" -D "$PGLOCAL_DIR/data" -U odoo --auth=trust -E UTF8 >/dev/null
    fi
    if ! "${run_pg[@]}" "$bin/pg_ctl" -D "$PGLOCAL_DIR/data" status >/dev/null 2>&1; then
        "${run_pg[@]}" "$bin/pg_ctl" -D "$PGLOCAL_DIR/data" -l "$PGLOCAL_DIR/server.log" -w \
            -o "-c listen_addresses='' -c unix_socket_directories='$PGLOCAL_DIR/run' -p ${PGLOCAL_PORT:-5432}" start >/dev/null \
            || die "the local PostgreSQL cluster did not start: see $PGLOCAL_DIR/server.log"
    fi
    export PGHOST=$PGLOCAL_DIR/run PGPORT=${PGLOCAL_PORT:-5432} PGUSER=odoo
    unset PGPASSWORD
}

ensure_postgres() {
    if [ "${PG_LOCAL:-0}" != 1 ] && pg_answers; then
        say "PostgreSQL answers at ${PGHOST:-the local socket}${PGPORT:+:$PGPORT} as ${PGUSER:-$(id -un)}"
    elif [ -f "$PGLOCAL_DIR/data/PG_VERSION" ] || [ "${PG_LOCAL:-0}" = 1 ] || [ -z "${PGHOST:-}" ]; then
        start_local_pg
        pg_answers || die "the project-local PostgreSQL in $PGLOCAL_DIR does not answer: see $PGLOCAL_DIR/server.log"
        say "PostgreSQL answers at the project-local cluster ($PGHOST)"
    else
        die "PostgreSQL does not answer at PGHOST=$PGHOST PGPORT=${PGPORT:-5432} as ${PGUSER:-$(id -un)}.
  Start it, correct PGHOST/PGPORT/PGUSER/PGPASSWORD, or unset PGHOST to use a project-local cluster."
    fi
    [ "${PGUSER:-$(id -un)}" != postgres ] \
        || die "Odoo refuses the database user 'postgres': set PGUSER to another role (createuser -s \$USER)"
}

# --- Browser ------------------------------------------------------------------
find_chromium() {
    local b
    for b in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return 0; }
    done
    return 1
}

ensure_browser() {
    if find_chromium >/dev/null; then
        say "browser for the UI tests: $(find_chromium)"
    elif [ "${CI:-}" = true ]; then
        die "Chromium is not installed and CI=true: browser tests may not be skipped (apt-get install chromium)"
    else
        say "warning: Chromium not found, the browser tests will be reported as skipped (apt-get install chromium)"
    fi
}

# Odoo's options shared by run and test. Odoo connects through libpq, which reads
# PGHOST, PGPORT, PGUSER and PGPASSWORD itself: no password on a command line.
# ODOO_OPTS adds any other Odoo option (e.g. ODOO_OPTS="--log-level=debug").
odoo_common_args() {
    if [ ! -f "$ODOO_CONF" ]; then
        say "writing $ODOO_CONF from odoo.conf.template (edit it to change Odoo's options)"
        cp "$ROOT/odoo.conf.template" "$ODOO_CONF"
    fi
    # shellcheck disable=SC2206
    ODOO_ARGS=(-c "$ODOO_CONF" --addons-path="$ADDONS_PATH" --data-dir="$ROOT/.odoo-data" ${ODOO_OPTS:-})
}

db_exists() {  # $1: database name
    "$VENV_PY" "$ROOT/scripts/pgtool.py" exists "$1"
}

# Install sputnik_crm with its demo data and Ukrainian into a new database, or
# upgrade it in place in an existing one: an existing database is never dropped.
install_or_upgrade() {  # $1: database name
    if db_exists "$1"; then
        say "database '$1' exists: upgrading sputnik_crm in place (no record is dropped)"
        "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$1" -u sputnik_crm --stop-after-init --no-http
    else
        say "database '$1' does not exist: creating it with sputnik_crm, its demo data and Ukrainian"
        "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$1" -i sputnik_crm --load-language=uk_UA \
            --without-demo= --stop-after-init --no-http
    fi
}

# Run Odoo once (--stop-after-init) on database $2 with the remaining arguments,
# its log in .odoo-data/$1.log. A failure, or an error or warning in the log,
# stops with the end of the log: a clean install of sputnik_crm logs none.
odoo_logged() {  # $1: log name, $2: database, then Odoo's arguments
    local log=$ROOT/.odoo-data/$1.log db=$2
    shift 2
    mkdir -p "$(dirname "$log")"
    : > "$log"
    if ! "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$db" --stop-after-init --no-http \
            --log-level=warn --logfile="$log" "$@"; then
        tail -n 60 "$log" >&2
        die "odoo $* failed on '$db' (full log: $log)"
    fi
    if grep -E ' (ERROR|CRITICAL|WARNING) ' "$log" >/dev/null; then
        grep -E -A 12 ' (ERROR|CRITICAL|WARNING) ' "$log" | head -n 60 >&2
        die "odoo $* logged errors or warnings on '$db' (full log: $log)"
    fi
}
