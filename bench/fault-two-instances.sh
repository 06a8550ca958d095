#!/usr/bin/env bash
# Two API instances on one private PostgreSQL placing applicants into one group at once: three
# rounds, each a group of capacity 8 and 50 applicants ready to place, the 50 place requests
# released together and split between the instances. Counts what the API answered and what the
# database holds. Results: bench/results/fault-two-instances.txt.
source "$(dirname "$0")/lib.sh"

need curl:curl jq:jq python3:python3
build_release
begin_results fault-two-instances
start_private_postgres
migrate "$PG_URL"
create_admin "$PG_URL"
# Sign-up limits off: the set-up registers 150 applicants from one address.
start_api a 18081 "$PG_URL" AUTH_RATE_LIMITS=false
start_api b 18082 "$PG_URL" AUTH_RATE_LIMITS=false
DRIVE="$BENCH_DIR/lib/drive.py"
ROUNDS=3 CAPACITY=8 APPLICANTS=50

python3 "$DRIVE" program --base http://127.0.0.1:18081 --admin-email "$ADMIN_EMAIL" \
    --admin-password "$ADMIN_PASSWORD_FOR_BENCH" --capacity "$CAPACITY" \
    --applicants "$APPLICANTS" --groups "$ROUNDS" --out "$WORK/program.json"
say "two instances (127.0.0.1:18081 and :18082) on one PostgreSQL; per round: a group of" \
    "capacity $CAPACITY, $APPLICANTS ready applicants, $APPLICANTS POST …/place released at once, alternating instances"
for round in $(seq 0 $((ROUNDS - 1))); do
    python3 "$DRIVE" race --bases http://127.0.0.1:18081,http://127.0.0.1:18082 \
        --program "$WORK/program.json" --round "$round" >"$WORK/race.json"
    group=$(jq -r .group "$WORK/race.json")
    read -r seats placements placed waitlisted <<<"$(psql_bench -AtF' ' -c "
        SELECT (SELECT seats_taken FROM program_groups WHERE id = '$group'),
               (SELECT count(*) FROM placements WHERE group_id = '$group' AND status = 'confirmed'),
               (SELECT count(*) FROM intake_applications WHERE placed_group_id = '$group' AND status = 'placed'),
               (SELECT count(*) FROM intake_applications WHERE waitlist_group_id = '$group' AND status = 'waitlisted')")"
    say "round $((round + 1)): answers $(jq -c .statuses "$WORK/race.json") → $(jq -c .outcomes "$WORK/race.json")," \
        "per instance $(jq -c .by_instance "$WORK/race.json");" \
        "database: seats_taken $seats, confirmed placements $placements, placed $placed, waitlisted $waitlisted;" \
        "group $(jq -r .group_status "$WORK/race.json") — $([ "$placements" -le "$CAPACITY" ] && echo "never over capacity" || echo "OVER CAPACITY")"
done
