# Shared by the bench/ scripts (sourced, not run): packages, the release build, a private
# throwaway PostgreSQL cluster, API instances on loopback, results, and cleanup on exit.
#
# Nothing here touches the machine's own PostgreSQL: every cluster is initdb'd into a temporary
# directory, listens on 127.0.0.1 on its own port, and is stopped and removed at exit.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"
PG_PORT="${BENCH_PG_PORT:-55432}"
API_PORT_BASE="${BENCH_API_PORT:-18080}"
JWT_SECRET_FOR_BENCH="bench-only-secret-0123456789abcdef0123456789abcdef"
ADMIN_EMAIL="bench-admin@example.ca"
ADMIN_PASSWORD_FOR_BENCH="bench admin passphrase 2026"

WORK="$(mktemp -d /tmp/peer-support-bench.XXXXXX)"
chmod 755 "$WORK"
PG_DIR=""
PG_BIN=""
API_PIDS=()
BG_PIDS=()

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages of the commands that are missing ("command:package" pairs).
need() {
    local missing=()
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]}" >&2
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

need_postgres() {
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    fi
    need psql:postgresql-client
}

# Builds the release binary, or uses $BENCH_BIN (e.g. an older build, to measure before/after).
build_release() {
    if [ -n "${BENCH_BIN:-}" ]; then
        BIN="$BENCH_BIN"
        return
    fi
    need cc:build-essential pkg-config:pkg-config
    [ -e /usr/include/postgresql/libpq-fe.h ] || need_pkg libpq-dev
    echo "building the release binary (cargo build --release)" >&2
    (cd "$ROOT" && cargo build --release --quiet)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/peer-support-api"
    [ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }
}

need_pkg() {
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Runs a PostgreSQL server command as the cluster's owner (initdb refuses root).
pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A private cluster in $WORK/pg on 127.0.0.1:$PG_PORT, trust authentication, database `bench`.
start_private_postgres() {
    need_postgres
    PG_DIR="$WORK/pg"
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
        "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=200" start >/dev/null
    psql_bench_admin -c "CREATE DATABASE bench" >/dev/null
    PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/bench"
}

stop_private_postgres() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}

restart_private_postgres() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
        "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=200" start >/dev/null
}

psql_bench_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench "$@"; }

# api_run URL [NAME=VALUE…] COMMAND…: runs COMMAND with an instance's environment (the
# database, the bench's fixed JWT secret so tokens survive a restart, a temporary data dir);
# the NAME=VALUE pairs override.
api_run() {
    local url="$1"; shift
    env DATABASE_URL="$url" JWT_SECRET="$JWT_SECRET_FOR_BENCH" APP_ENV=development \
        DATA_DIR="$WORK/data" RUST_LOG="${RUST_LOG:-info}" "$@"
}

migrate() {
    api_run "$1" "$BIN" migrate >/dev/null
}

create_admin() {
    api_run "$1" ADMIN_PASSWORD="$ADMIN_PASSWORD_FOR_BENCH" "$BIN" create-admin \
        --email "$ADMIN_EMAIL" >/dev/null
}

# start_api NAME PORT DATABASE_URL [NAME=VALUE…]: starts an instance in the background, waits
# for /readyz, and sets API_PID.
start_api() {
    local name="$1" port="$2" url="$3"; shift 3
    # A simple command (env execs the binary), so $! is the server's own pid, for kill -9.
    env DATABASE_URL="$url" JWT_SECRET="$JWT_SECRET_FOR_BENCH" APP_ENV=development \
        DATA_DIR="$WORK/data" RUST_LOG="${RUST_LOG:-info}" BIND_ADDR="127.0.0.1:$port" "$@" \
        "$BIN" serve >>"$WORK/$name.log" 2>&1 &
    API_PID=$!
    API_PIDS+=("$API_PID")
    wait_ready "$port" || { echo "API $name did not start; log:" >&2; tail -20 "$WORK/$name.log" >&2; exit 1; }
}

wait_ready() {
    local port="$1"
    for _ in $(seq 1 200); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# login EMAIL PASSWORD PORT → access token on stdout.
login() {
    curl -fsS -X POST "http://127.0.0.1:$3/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg e "$1" --arg p "$2" '{email: $e, password: $p}')" | jq -r .access_token
}

now() { date +%s.%N; }

# Everything written with `say` goes to stdout and to the script's results file.
RESULT_FILE=""
begin_results() {
    mkdir -p "$RESULTS_DIR"
    RESULT_FILE="$RESULTS_DIR/$1.txt"
    : >"$RESULT_FILE"
    say "# $1 — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    say "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    say "# commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "${BENCH_BIN:+(binary: $BENCH_BIN)}"
    say "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shares its cores)"
}
say() { echo "$*" | tee -a "$RESULT_FILE"; }

cleanup() {
    local status=$?
    set +e
    for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${API_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${API_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    if [ -n "$PG_DIR" ] && [ -e "$PG_DIR/data/postmaster.pid" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    fi
    if [ "$status" != 0 ] && [ -d "$WORK" ]; then
        echo "failed (exit $status); logs:" >&2
        for log in "$WORK"/*.log; do [ -e "$log" ] && { echo "== $log" >&2; tail -15 "$log" >&2; }; done
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
