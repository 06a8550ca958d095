#!/usr/bin/env bash
# Benchmarks with wrk on a private PostgreSQL holding 10,000 groups and 100,000 intake
# applications: the public group list, an authenticated application read and log-in, reads
# alone and while 16 clients log in continuously, and the application list at 1,000 versus
# 100,000 rows. Results: stdout and bench/results/load.txt. About four minutes.
#
#   bench/load.sh                       (BENCH_DURATION=12 seconds per run, BENCH_CONNECTIONS=16)
source "$(dirname "$0")/lib.sh"

DURATION="${BENCH_DURATION:-12}"
WARMUP="${BENCH_WARMUP:-2}"
CONNS="${BENCH_CONNECTIONS:-16}"
LOGIN_CONNS=16
THREADS=2
export BENCH_WRK_DIR="$BENCH_DIR/wrk"
export BENCH_EMAIL="$ADMIN_EMAIL" BENCH_PASSWORD="$ADMIN_PASSWORD_FOR_BENCH"

need wrk:wrk curl:curl jq:jq
build_release
begin_results load
start_private_postgres
migrate "$PG_URL"
create_admin "$PG_URL"
# Log-in limits off: the log-in benchmark signs one account in thousands of times a second.
start_api api 18080 "$PG_URL" AUTH_RATE_LIMITS=false
BASE="http://127.0.0.1:18080"
ADMIN_TOKEN="$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH" 18080)"
ADMIN_ID="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $ADMIN_TOKEN" | jq -r .id)"

say "# API: release build, WORKERS=$(nproc) (one per core), DATABASE_POOL_SIZE=10, RUST_LOG=info"
say "# PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), private cluster, default settings (fsync on)"
say "# wrk: -t$THREADS, ${WARMUP} s warm-up then ${DURATION} s measured per row; latencies in ms"
say ""

seed_applications() {
    psql_bench -v first="$1" -v last="$2" -v coordinator="$ADMIN_ID" -f "$BENCH_DIR/sql/seed-applications.sql"
}
psql_bench -f "$BENCH_DIR/sql/seed-groups.sql"
# The newest 1,000 applications first; the 99,000 older ones are added after the 1k runs.
seed_applications 99001 100000

APP_PATHS="$WORK/application-paths.txt"
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")

# run LABEL CONNECTIONS SCRIPT PATH [wrk args…]: a warm-up, then the measured run, then a row.
run() {
    local label="$1" conns="$2" script="$3" path="$4"; shift 4
    wrk -t"$THREADS" -c"$conns" -d"${WARMUP}s" -s "$BENCH_WRK_DIR/$script" "$@" "$BASE$path" >/dev/null
    local from out
    from=$(log_lines)
    out="$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency -s "$BENCH_WRK_DIR/$script" "$@" "$BASE$path")"
    row "$label" "$out" "wrk -t$THREADS -c$conns -d${DURATION}s -s bench/wrk/$script ${path/cursor=*/cursor=…}" \
        "$(server_times "$from" "${path%%\?*}")"
}

# The API's access log: one line per request with its time inside the server.
log_lines() { wc -l <"$WORK/api.log"; }

# server_times FROM_LINE PATH_PREFIX → "p50 p99" in ms of the server's own times (access log)
# for the requests logged since FROM_LINE whose path starts with PATH_PREFIX. wrk's times add
# what the server does not see: waiting in the socket for a descheduled worker, on a machine
# whose two cores also run wrk, PostgreSQL and other people's work.
server_times() {
    tail -n +"$(($1 + 1))" "$WORK/api.log" | awk -v prefix="$2" '
        $3 == "actix_web::middleware::logger]" && index($5, prefix) == 1 {
            t = $8
            if (t ~ /ms$/) { sub(/ms$/, "", t); v = t + 0 }
            else if (t ~ /µs$/) { sub(/µs$/, "", t); v = t / 1000 }
            else if (t ~ /ns$/) { sub(/ns$/, "", t); v = t / 1000000 }
            else { sub(/s$/, "", t); v = t * 1000 }
            print v
        }' | sort -n | awk '{ a[NR] = $1 } END {
            if (NR == 0) { print "- -"; exit }
            printf "%.2f %.2f\n", a[int((NR - 1) * 0.5) + 1], a[int((NR - 1) * 0.99) + 1] }'
}

row() {
    local line
    line="$(grep '^RESULT' <<<"$2")"
    [ -n "$line" ] || { echo "$2" >&2; return 1; }
    local rps p50 p99 non2xx errors
    rps="$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")"
    p50="$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")"
    p99="$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")"
    non2xx="$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$line")"
    errors="$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$line")"
    say "| $1 | $rps | $p50 | $p99 | ${4% *} | ${4#* } | $non2xx | $errors | \`$3\` |"
}

# Before each table: vacuum and checkpoint what the previous runs wrote (every application read
# writes an audit event), so that autovacuum does not land in the middle of a run.
settle() {
    psql_bench -c "VACUUM (ANALYZE)" -c "CHECKPOINT"
}

header() {
    settle
    say ""
    say "## $1"
    say ""
    say "| benchmark | req/s | p50 ms | p99 ms | server p50 ms | server p99 ms | non-2xx | socket errors | command |"
    say "|---|---:|---:|---:|---:|---:|---:|---:|---|"
}

# run_during_logins LABEL CONNECTIONS SCRIPT PATH [wrk args…]: the same run while 16 clients
# log in continuously; a row for the reads and one for the log-ins beside them.
run_during_logins() {
    local label="$1" conns="$2" script="$3" path="$4"; shift 4
    wrk -t1 -c"$LOGIN_CONNS" -d"$((WARMUP + DURATION + 2))s" --latency \
        -s "$BENCH_WRK_DIR/login.lua" "$BASE/api/v1/auth/login" >"$WORK/logins.out" &
    local login_pid=$!
    BG_PIDS+=("$login_pid")
    local from
    from=$(log_lines)
    sleep 1
    run "$label, during 16 log-ins" "$conns" "$script" "$path" "$@"
    wait "$login_pid"
    row "  (the 16 log-in clients meanwhile)" "$(cat "$WORK/logins.out")" \
        "wrk -t1 -c$LOGIN_CONNS -d$((WARMUP + DURATION + 2))s -s bench/wrk/login.lua /api/v1/auth/login" \
        "$(server_times "$from" /api/v1/auth/login)"
}

# The cursor of the page halfway through the list, as the API encodes it (base64url of
# "<created_at in µs>|<id>"): where a client paging through the whole list passes.
deep_cursor() {
    psql_bench -Atc "SELECT translate(replace(rtrim(encode(convert_to(
            (extract(epoch FROM created_at) * 1000000)::bigint || '|' || id, 'UTF8'), 'base64'), '='),
            E'\n', ''), '+/', '-_')
        FROM intake_applications ORDER BY created_at, id
        OFFSET (SELECT count(*) / 2 FROM intake_applications) LIMIT 1"
}

list_runs() {
    run "application list, first page ($1 rows)" "$CONNS" get.lua \
        "/api/v1/intake-applications" "${AUTH[@]}"
    run "application list, page halfway ($1 rows)" "$CONNS" get.lua \
        "/api/v1/intake-applications?cursor=$(deep_cursor)" "${AUTH[@]}"
    run "application list, overdue=true ($1 rows)" "$CONNS" get.lua \
        "/api/v1/intake-applications?overdue=true" "${AUTH[@]}"
}

header "List latency: 1,000 applications"
list_runs "1,000"

seed_applications 1 99000
say ""
say "# seeded: $(psql_bench -Atc 'SELECT count(*) FROM program_groups') groups," \
    "$(psql_bench -Atc 'SELECT count(*) FROM intake_applications') applications"

header "List latency: 100,000 applications"
list_runs "100,000"

# The plans of the benchmarked queries as the API sends them (see bench/results/load-plans.txt).
explain() {
    echo "== $1"
    psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $2" | grep -v '^$'
    echo
}
CURSOR_ROW="$(psql_bench -AtF' ' -c "SELECT created_at, id FROM intake_applications
                                     ORDER BY created_at, id OFFSET 50000 LIMIT 1")"
CURSOR_AT="${CURSOR_ROW% *}" CURSOR_ID="${CURSOR_ROW##* }"
{
    echo "# EXPLAIN ANALYZE on the private PostgreSQL, 10,000 groups and 100,000 applications"
    echo
    explain "application list, first page" \
        "SELECT * FROM intake_applications ORDER BY created_at, id LIMIT 21"
    explain "application list, page halfway, the keyset predicate before (OR only)" \
        "SELECT * FROM intake_applications
         WHERE (created_at > '$CURSOR_AT' OR (created_at = '$CURSOR_AT' AND id > '$CURSOR_ID'))
         ORDER BY created_at, id LIMIT 21"
    explain "application list, page halfway, the keyset predicate now (with created_at >=)" \
        "SELECT * FROM intake_applications WHERE created_at >= '$CURSOR_AT'
         AND (created_at > '$CURSOR_AT' OR (created_at = '$CURSOR_AT' AND id > '$CURSOR_ID'))
         ORDER BY created_at, id LIMIT 21"
    OVERDUE="SELECT * FROM intake_applications WHERE respond_by < now() AND first_response_at IS NULL
         AND status <> ALL ('{withdrawn,closed}') ORDER BY created_at, id LIMIT 21"
    echo "== application list, overdue=true, without intake_applications_awaiting_response_idx"
    psql_bench -c "BEGIN" -c "DROP INDEX IF EXISTS intake_applications_awaiting_response_idx" \
        -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $OVERDUE" -c "ROLLBACK" | grep -v '^$'
    echo
    explain "application list, overdue=true, as migrated" "$OVERDUE"
    explain "application read" \
        "SELECT * FROM intake_applications WHERE id = md5('application5000')::uuid::text LIMIT 1"
    explain "public group list, first page" \
        "SELECT * FROM program_groups ORDER BY created_at, id LIMIT 21"
} >"$RESULTS_DIR/load-plans.txt"
say "# query plans: bench/results/load-plans.txt"

psql_bench -Atc "SELECT '/api/v1/intake-applications/' || id FROM intake_applications
                 ORDER BY md5(id) LIMIT 10000" >"$APP_PATHS"
export BENCH_PATHS="$APP_PATHS"

header "Reads and log-in, 10,000 groups and 100,000 applications"
run "public group list (anonymous)" "$CONNS" get.lua "/api/v1/groups"
run "application read (admin, random id)" "$CONNS" random-path.lua \
    "/api/v1/intake-applications/" "${AUTH[@]}"
run "log-in" "$LOGIN_CONNS" login.lua "/api/v1/auth/login"
run_during_logins "public group list (anonymous)" "$CONNS" get.lua "/api/v1/groups"
run_during_logins "application read (admin, random id)" "$CONNS" random-path.lua \
    "/api/v1/intake-applications/" "${AUTH[@]}"

say ""
say "# audit events written by the application reads and lists: $(psql_bench -Atc 'SELECT count(*) FROM audit_events')"
