#!/usr/bin/env bash
# The API killed with kill -9 during a stream of acknowledged writes (anonymous directory listing
# submissions, 201 with an id), on a private PostgreSQL and on SQLite: every id acknowledged
# before the kill is looked up through the restarted API. Results: bench/results/fault-kill.txt.
source "$(dirname "$0")/lib.sh"

need curl:curl jq:jq python3:python3
build_release
begin_results fault-kill
start_private_postgres
SQLITE_URL="sqlite://$WORK/sqlite/bench.db"
BASE="http://127.0.0.1:18080"

# committed URL: how many streamed listings the database holds.
committed() {
    case "$1" in
        postgres://*) psql_bench -Atc "SELECT count(*) FROM directory_listings WHERE name LIKE 'Acknowledged write %'" ;;
        *) python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
               \"SELECT count(*) FROM directory_listings WHERE name LIKE 'Acknowledged write %'\").fetchone()[0])" \
               "${1#sqlite://}" ;;
    esac
}

trial() {
    local backend="$1" url="$2"
    migrate "$url"
    create_admin "$url"
    start_api "api-$backend" 18080 "$url"
    local victim=$API_PID
    python3 "$BENCH_DIR/lib/drive.py" writes --base "$BASE" --threads 8 --seconds 30 --grace 1 \
        --acked "$WORK/acked-$backend.txt" >"$WORK/writes-$backend.json" &
    local writer=$!
    BG_PIDS+=("$writer")
    sleep 4
    kill -9 "$victim"
    wait "$victim" 2>/dev/null || true
    wait "$writer"
    local t0 t1
    t0=$(now)
    start_api "api-$backend-restarted" 18080 "$url"
    t1=$(now)
    local token
    token="$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH" 18080)"
    python3 "$BENCH_DIR/lib/drive.py" find --base "$BASE" --token "$token" \
        --ids "$WORK/acked-$backend.txt" >"$WORK/found-$backend.json"
    local acked found attempts lost refused total
    acked=$(jq .acknowledged "$WORK/writes-$backend.json")
    attempts=$(jq .attempts "$WORK/writes-$backend.json")
    lost=$(jq .in_flight_lost "$WORK/writes-$backend.json")
    refused=$(jq .refused "$WORK/writes-$backend.json")
    found=$(jq .found "$WORK/found-$backend.json")
    total=$(committed "$url")
    say "$backend: 8 clients streamed POST /api/v1/directory/listings; kill -9 after 4 s"
    say "$backend:   attempts $attempts: acknowledged (201) $acked, in flight at the kill (no answer) $lost," \
        "refused while down $refused, other $(jq .other_status "$WORK/writes-$backend.json")"
    say "$backend:   after restart ($(python3 -c "print(f'{$t1 - $t0:.2f}')") s to ready): found $found of $acked acknowledged ids (GET as admin);" \
        "missing: $(jq -c .missing "$WORK/found-$backend.json")"
    say "$backend:   listings in the database: $total; of the $lost requests in flight, $((total - acked)) committed though the client never got their 201"
    kill "$API_PID"
    wait "$API_PID" 2>/dev/null || true
}

trial postgres "$PG_URL"
trial sqlite "$SQLITE_URL"
