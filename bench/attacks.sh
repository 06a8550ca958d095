#!/usr/bin/env bash
# The attacks of issue 14, replayed against the API on a private PostgreSQL (loopback only,
# bounded): made-up methods against /metrics, one proxy in front of everyone, a stranger guessing
# an owner's password, an anonymous flood of directory submissions, crafted cursors and dates.
# Results: bench/results/attacks.txt. `BENCH_BIN=target/debug/peer-support-api` skips the release
# build.
source "$(dirname "$0")/lib.sh"

need curl:curl jq:jq python3:python3
build_release
begin_results attacks
start_private_postgres
migrate "$PG_URL"
create_admin "$PG_URL"
start_api api 18080 "$PG_URL" TRUSTED_PROXIES=127.0.0.1/32
BASE=http://127.0.0.1:18080

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# 1. 300 made-up 20 kB methods, raw (HTTP clients refuse to send them).
before=$(curl -s "$BASE/metrics" | wc -c)
python3 - <<'PY'
import socket
for i in range(300):
    s = socket.create_connection(("127.0.0.1", 18080))
    method = ("M%03d" % i) + "X" * 20000
    s.sendall(f"{method} /api/v1/groups HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    s.recv(4096)
    s.close()
PY
after=$(curl -s "$BASE/metrics" | wc -c)
say "300 made-up 20 kB methods: /metrics $before bytes before, $after after; longest access-log line $(awk '{ print length }' "$WORK/api.log" | sort -n | tail -1) characters"

# 2. One address behind the proxy fails 31 log-ins; another client behind it logs in.
ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH" 18080)
attempt() { # CLIENT EMAIL PASSWORD
    status -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' -H "X-Forwarded-For: $1" \
        -d "$(jq -cn --arg e "$2" --arg p "$3" '{email: $e, password: $p}')"
}
codes=""
for i in $(seq 1 31); do codes+="$(attempt 203.0.113.7 "guess$i@example.ca" wrong) "; done
say "31 bad log-ins from 203.0.113.7 behind the proxy: $(tr ' ' '\n' <<<"$codes" | sort | uniq -c | tr -s ' \n' ' ')"
say "the admin's correct log-in from 198.51.100.20 behind the same proxy: $(attempt 198.51.100.20 "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH")"

# 3. A stranger's 100 guesses at the admin's account, then the admin from elsewhere.
codes=""
for i in $(seq 1 100); do codes+="$(attempt 203.0.113.66 "$ADMIN_EMAIL" "guess $i") "; done
say "a stranger's 100 guesses at the admin account: $(tr ' ' '\n' <<<"$codes" | sort | uniq -c | tr -s ' \n' ' ')"
say "the admin from 198.51.100.5 right after: $(attempt 198.51.100.5 "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FOR_BENCH")"

# 4. 1,000 anonymous directory submissions from one address.
listing='{"organization":"Peer Support Society","name":"Flood","description":"Weekly peer support for people living with an operational stress injury.","audiences":["first_responders"],"province":"ON","city":"Ottawa","delivery":"in_person","languages":["en"],"cost":"free","contacts":{"phone":"1-613-555-0100","website":"https://peers.example.org","available_24_7":false}}'
codes=""
start=$(now)
for i in $(seq 1 1000); do
    codes+="$(status -X POST "$BASE/api/v1/directory/listings" -H 'Content-Type: application/json' -d "$listing") "
done
say "1,000 anonymous directory submissions in $(python3 -c "print(round($(now) - $start, 1))") s: $(tr ' ' '\n' <<<"$codes" | sort | uniq -c | tr -s ' \n' ' '); rows stored: $(psql_bench -tAc 'SELECT count(*) FROM directory_listings')"

# 5. Crafted cursors and dates on every list.
b64() { python3 -c "import base64,sys; print(base64.urlsafe_b64encode(sys.argv[1].encode().decode('unicode_escape').encode()).decode().rstrip('='))" "$1"; }
for cursor in "$(b64 '1764000000000000|a\x00b')" "$(b64 '-7890000000000000000|x')" "$(b64 '253402300800000000|x')"; do
    for list in groups intake-applications directory/listings me/notifications audit-events; do
        say "cursor $cursor on /$list: $(status -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/api/v1/$list?cursor=$cursor")"
    done
done
say "GET /feedback-summary?to=+262142-12-31: $(status -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/api/v1/feedback-summary?from=2026-01-01&to=%2B262142-12-31")"
say "GET /audit-events?since=-250000-01-01T00:00:00Z: $(status -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/api/v1/audit-events?since=-250000-01-01T00:00:00Z")"
server_errors=$(grep -E '\] [A-Z]+ \S+ 5[0-9]{2} ' "$WORK/api.log" || true)
say "answers 5xx in the access log: $(grep -c . <<<"$server_errors" || true)"
[ -z "$server_errors" ] || sed -E 's/rid=.*//' <<<"$server_errors" | head -5 | while read -r line; do say "  $line"; done
