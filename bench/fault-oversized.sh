#!/usr/bin/env bash
# Oversized bodies against the API on SQLite (BODY_LIMIT_BYTES default, 65,536): just over the
# limit with Content-Length, 1 MiB chunked (no length), and 100 MiB declared and streamed.
# Results: bench/results/fault-oversized.txt.
source "$(dirname "$0")/lib.sh"

need curl:curl jq:jq
build_release
begin_results fault-oversized
URL="sqlite://$WORK/sqlite/bench.db"
migrate "$URL"
start_api api 18080 "$URL"
TARGET="http://127.0.0.1:18080/api/v1/directory/listings"

# A JSON document of exactly N bytes: {"name":"xxxx…"}.
body_of() { python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('{\"name\":\"' + 'x'*(n-11) + '\"}')" "$1"; }

try() {
    local label="$1"; shift
    local out
    out="$(curl -sS -o "$WORK/answer.json" -w '%{http_code} %{content_type} %{time_total}' \
        -X POST "$TARGET" -H 'Content-Type: application/json' "$@" 2>"$WORK/curl.err" || true)"
    local type
    type="$(jq -r '.type // empty' "$WORK/answer.json" 2>/dev/null || true)"
    say "$label: HTTP ${out%% *} ($(cut -d' ' -f2 <<<"$out")) type=${type:-none} in $(cut -d' ' -f3 <<<"$out") s $(tr '\n' ' ' <"$WORK/curl.err")"
}

body_of 65536 >"$WORK/at-limit.json"
body_of 65537 >"$WORK/over-limit.json"
[ "$(wc -c <"$WORK/over-limit.json")" = 65537 ] || { echo "body_of is off" >&2; exit 1; }
body_of 1048576 >"$WORK/1mib.json"
head -c 104857600 /dev/zero | tr '\0' 'x' >"$WORK/100mib.json"
try "65,536 bytes (at the limit; refused for its content, not its size)" --data-binary @"$WORK/at-limit.json"
try "65,537 bytes with Content-Length" --data-binary @"$WORK/over-limit.json"
try "1 MiB chunked, no Content-Length" -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/1mib.json"
try "100 MiB with Content-Length" --data-binary @"$WORK/100mib.json"
say "GET /readyz afterwards: $(curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:18080/readyz)"
