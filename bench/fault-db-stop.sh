#!/usr/bin/env bash
# The database stopped under load: a private PostgreSQL is stopped (`pg_ctl stop -m fast`) while
# wrk and a probe request the group list, left down for a few seconds, and started again. The
# API process is never restarted. Measures the time to the first 503, what the 503s carry, and
# the time from the database's return to the first 200. Results: bench/results/fault-db-stop.txt.
source "$(dirname "$0")/lib.sh"

need wrk:wrk curl:curl jq:jq python3:python3
build_release
begin_results fault-db-stop
start_private_postgres
migrate "$PG_URL"
# The defaults that matter here: DATABASE_TIMEOUT_MS=1000, DATABASE_POOL_SIZE=10.
start_api api 18080 "$PG_URL"
API_BEFORE=$API_PID
BASE="http://127.0.0.1:18080"
export BENCH_WRK_DIR="$BENCH_DIR/wrk"

UP=4 DOWN=6 AFTER=5
TOTAL=$((UP + DOWN + AFTER + 2))
wrk -t1 -c8 -d"${TOTAL}s" -s "$BENCH_WRK_DIR/get.lua" "$BASE/api/v1/groups" >"$WORK/wrk.out" &
WRK_PID=$!
BG_PIDS+=("$WRK_PID")
python3 "$BENCH_DIR/lib/drive.py" probe --base "$BASE" --path /api/v1/groups --threads 4 \
    --seconds "$((TOTAL - 1))" --pause 0.01 --out "$WORK/probe.jsonl" &
PROBE_PID=$!
BG_PIDS+=("$PROBE_PID")

sleep "$UP"
T_STOP=$(now)
stop_private_postgres
T_STOPPED=$(now)
sleep "$DOWN"
T_START=$(now)
restart_private_postgres
T_STARTED=$(now)
wait "$PROBE_PID"
wait "$WRK_PID"

say "API on a private PostgreSQL; load: wrk -t1 -c8 on GET /api/v1/groups plus 4 probe clients"
say "pg_ctl stop -m fast took $(python3 -c "print(f'{$T_STOPPED - $T_STOP:.2f}')") s; database down ${DOWN} s;" \
    "pg_ctl start took $(python3 -c "print(f'{$T_STARTED - $T_START:.2f}')") s"
python3 - "$WORK/probe.jsonl" "$T_STOP" "$T_STOPPED" "$T_START" "$T_STARTED" <<'EOF' | tee -a "$RESULT_FILE"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
t_stop, t_stopped, t_start, t_started = map(float, sys.argv[2:6])
rows.sort(key=lambda r: r["end"])
def tally(subset):
    counts = {}
    for r in subset:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return dict(sorted(counts.items()))
outage = [r for r in rows if t_stopped <= r["start"] and r["end"] <= t_start]
edges = [r for r in rows if t_stop <= r["end"] and r["start"] <= t_started and r not in outage]
print(f"probe requests asked and answered while the database was down: {tally(outage)} "
      f"(0 = no answer); straddling the stop or the start: {tally(edges)}")
first_503 = next((r for r in rows if r["status"] == 503 and r["end"] >= t_stop), None)
if first_503:
    print(f"first 503: {first_503['end'] - t_stop:.2f} s after pg_ctl stop began "
          f"({first_503['end'] - t_stopped:.2f} s after it returned)")
steady = [r for r in rows if r["status"] == 503 and r["start"] >= t_stopped]
if steady:
    d = sorted(r["end"] - r["start"] for r in steady)
    print(f"503s asked while the database was down: {len(d)}, each answered in "
          f"median {statistics.median(d):.2f} s, min {d[0]:.2f} s, max {d[-1]:.2f} s")
all_503 = [r for r in rows if r["status"] == 503]
with_retry = sum(1 for r in all_503 if r["retry_after"] is not None)
problem = sum(1 for r in all_503 if (r["content_type"] or "").startswith("application/problem+json"))
retry_values = sorted({r["retry_after"] for r in all_503 if r["retry_after"] is not None})
print(f"503s with Retry-After: {with_retry} of {len(all_503)} (values {retry_values}); "
      f"application/problem+json: {problem} of {len(all_503)}")
others = {r["status"] for r in outage + edges} - {200, 503}
print(f"other statuses during the outage: {sorted(others) or 'none'}")
first_200 = next((r for r in rows if r["status"] == 200 and r["end"] >= t_started), None)
if first_200:
    print(f"first 200 after the restart: {first_200['end'] - t_started:.2f} s after pg_ctl start "
          f"returned ({first_200['end'] - t_start:.2f} s after it began)")
after = [r for r in rows if r["start"] >= t_started + 1.0]
bad = [r for r in after if r["status"] != 200]
print(f"answers from 1 s after the restart to the end: {len(after)}, not 200: {len(bad)}")
EOF
if kill -0 "$API_BEFORE" 2>/dev/null; then
    say "API process $API_BEFORE alive throughout (never restarted)"
else
    say "API process $API_BEFORE died"
fi
say "wrk meanwhile: $(grep '^RESULT' "$WORK/wrk.out")"
