#!/usr/bin/env bash
# Every fault script, one after the other (about two minutes). Each writes its own
# bench/results/fault-*.txt.
set -euo pipefail
cd "$(dirname "$0")"
for fault in db-stop kill slow-body oversized two-instances; do
    echo "== fault-$fault"
    "./fault-$fault.sh"
done
