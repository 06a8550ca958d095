#!/usr/bin/env bash
# Bursts of 50 concurrent wrong `POST /me/password` (limits off, so every one reaches the
# password check) while wrk reads `GET /api/v1/groups`, on the private PostgreSQL: the reads'
# latency and statuses, and the statuses of the wrong attempts → results/password-burst.txt.
#
#   bench/password-burst.sh                 release build (cargo build --release)
#   BENCH_BIN=target/debug/peer-support-api bench/password-burst.sh    an existing binary
#
# Before issue 13 the password check held a pooled connection through its argon2 hash, so a
# burst like this one took every connection and the reads beside it got 503.
source "$(dirname "$0")/lib.sh"

SECS="${BURST_SECS:-10}"
need wrk:wrk curl:curl jq:jq
build_release
start_private_postgres
migrate "$PG_URL"
create_admin "$PG_URL"
PORT="$API_PORT_BASE"
start_api burst "$PORT" "$PG_URL" AUTH_RATE_LIMITS=false DATABASE_POOL_SIZE=10
TOKEN="$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH" "$PORT")"

begin_results password-burst
say "# API: $(basename "$BIN") ($(file -b "$BIN" | grep -q 'with debug_info' && echo debug || echo release?)), WORKERS=$(nproc), DATABASE_POOL_SIZE=10, AUTH_RATE_LIMITS=false, PostgreSQL"
say "# reads: wrk -t2 -c8 -d${SECS}s GET /api/v1/groups; writes: bursts of 50 concurrent wrong POST /me/password, one after the other, for as long as wrk runs"

BENCH_WRK_DIR="$BENCH_DIR/wrk" wrk -t2 -c8 -d"${SECS}s" --latency -s "$BENCH_DIR/wrk/get.lua" \
    "http://127.0.0.1:$PORT/api/v1/groups" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
BG_PIDS+=("$WRK_PID")
sleep 0.5

wrong='{"current_password":"not the admin passphrase","new_password":"a brand new passphrase"}'
bursts=0
started="$(now)"
while kill -0 "$WRK_PID" 2>/dev/null; do
    seq 50 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
        -X POST "http://127.0.0.1:$PORT/api/v1/me/password" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "$wrong" >>"$WORK/burst.txt"
    bursts=$((bursts + 1))
done
wait "$WRK_PID" || true
ended="$(now)"

say ""
say "## reads (GET /api/v1/groups) during the bursts"
grep -E "Latency Distribution" -A4 "$WORK/wrk.txt" | sed 's/^/    /' | tee -a "$RESULT_FILE"
grep -E "^RESULT" "$WORK/wrk.txt" | tee -a "$RESULT_FILE"
say ""
say "## wrong POST /me/password: $bursts bursts of 50 in $(echo "$ended - $started" | bc) s"
say "status count:"
awk '{print $1}' "$WORK/burst.txt" | sort | uniq -c | sed 's/^/    /' | tee -a "$RESULT_FILE"
say "latency of one wrong attempt (s): $(awk '{print $2}' "$WORK/burst.txt" | sort -n | awk '{a[NR]=$1} END {printf "p50 %.3f, p99 %.3f, max %.3f", a[int(NR*0.5)], a[int(NR*0.99)], a[NR]}')"
if grep -q '^503' "$WORK/burst.txt" || ! grep -q 'non2xx=0 ' "$WORK/wrk.txt"; then
    say "VERDICT: a 503 or another non-2xx read happened"
    exit 1
fi
say "VERDICT: no 503; every read answered 200"
