#!/usr/bin/env bash
# A request body trickled one byte a second (and, for comparison, request headers trickled the
# same way), against the API on SQLite with REQUEST_TIMEOUT_SECS=10 to keep the run short (the
# default is 30). Meanwhile /healthz must keep answering. Results: bench/results/fault-slow-body.txt.
source "$(dirname "$0")/lib.sh"

need curl:curl jq:jq python3:python3
build_release
begin_results fault-slow-body
URL="sqlite://$WORK/sqlite/bench.db"
migrate "$URL"
start_api api 18080 "$URL" REQUEST_TIMEOUT_SECS=10
DRIVE="$BENCH_DIR/lib/drive.py"

python3 "$DRIVE" trickle --port 18080 --length 100 --max-seconds 40 >"$WORK/body.json" &
BODY_PID=$!
BG_PIDS+=("$BODY_PID")
sleep 3
HEALTH="$(curl -sS -o /dev/null -w '%{http_code} in %{time_total} s' http://127.0.0.1:18080/healthz)"
wait "$BODY_PID"
say "REQUEST_TIMEOUT_SECS=10; POST /api/v1/directory/listings declaring a 100-byte body, sent 1 byte/s:"
say "  $(jq -r '"\(.status_line) (\(.content_type)) after \(.elapsed_s) s, \(.bytes_sent) bytes sent"' "$WORK/body.json")"
say "  GET /healthz during the trickle: $HEALTH"
python3 "$DRIVE" trickle --port 18080 --headers --max-seconds 40 >"$WORK/headers.json"
say "the request line and headers themselves sent 1 byte/s (actix client_request_timeout, 5 s):"
say "  $(jq -r '"\(.status_line) (\(.content_type)) after \(.elapsed_s) s, \(.bytes_sent) bytes sent"' "$WORK/headers.json")"
