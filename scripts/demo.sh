#!/usr/bin/env bash
# make demo: the embedded default with simulated clusters.
#   1. builds bin/fedcost and bin/fedcost-agent
#   2. starts `fedcost local` (bucket in ./.fedcost/bucket, API + UI on 127.0.0.1:9090)
#   3. backfills 30 days of 4 simulated clusters (first run only; a second run resumes)
#   4. keeps uploading the open windows every 30 s, like running agents
# Ctrl-C stops everything. Environment: FEDCOST_DEMO_DATA, FEDCOST_DEMO_LISTEN,
# FEDCOST_DEMO_CLUSTERS, FEDCOST_DEMO_DAYS, FEDCOST_DEMO_INTERVAL.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${FEDCOST_DEMO_DATA:-.fedcost}
LISTEN=${FEDCOST_DEMO_LISTEN:-127.0.0.1:9090}
CLUSTERS=${FEDCOST_DEMO_CLUSTERS:-4}
DAYS=${FEDCOST_DEMO_DAYS:-30}
INTERVAL=${FEDCOST_DEMO_INTERVAL:-30s}

make --no-print-directory build >/dev/null
mkdir -p "$DATA"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo: stopped (data kept in $DATA; run make demo again to resume)"
}
trap cleanup INT TERM EXIT

bin/fedcost local --data "$DATA" --listen "$LISTEN" &
pids+=($!)
for _ in $(seq 1 100); do [ -f "$DATA/federated-store.yaml" ] && break; sleep 0.1; done

if [ ! -f "$DATA/.demo-backfilled" ]; then
  echo "demo: backfilling $DAYS days of $CLUSTERS simulated clusters…"
  bin/fedcost-agent simulate --store "$DATA/federated-store.yaml" --clusters "$CLUSTERS" --days "$DAYS" \
    --hourly-hours 48 --containers-per-day 60 --log-level warn
  touch "$DATA/.demo-backfilled"
else
  echo "demo: resuming with the data in $DATA"
fi

bin/fedcost-agent simulate --store "$DATA/federated-store.yaml" --clusters "$CLUSTERS" --days 1 --hourly-hours 2 \
  --containers-per-day 60 --include-open --live --interval "$INTERVAL" --log-level warn &
pids+=($!)

cat <<MSG

demo: fedcost is running on http://$LISTEN (UI in your browser)
  curl -s 'http://$LISTEN/model/allocation?window=7d&aggregate=cluster&accumulate=true'
  curl -s 'http://$LISTEN/model/allocation?window=24h&aggregate=namespace&step=1h&filter=cluster:%22sim-0001%22'
  curl -s 'http://$LISTEN/model/federation/status'
live uploads every $INTERVAL; Ctrl-C stops everything.

MSG
wait "${pids[0]}"
