#!/bin/bash
# AuditService's peak memory while it answers large read pages (docs/benchmarks.md, "The read
# side's bounds"). Starts the built AppHost of a checkout (default: this one; build it first with
# `dotnet build src/UserAudit.AppHost`) on a fresh data root, stores 100 events of 900 KB over HTTP,
# then asks for four pages of `limit=100` at once and prints AuditService's peak resident memory
# before and during them. Compare two checkouts in one sitting: `bench/read-memory.sh /path/to/other`.
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
data=$(mktemp -d /tmp/useraudit-read-memory-XXXXXX)
read_key=read-$(openssl rand -hex 16)
ingest_key=ingest-$(openssl rand -hex 16)

stop() {
  pkill -TERM -f "net10.0/UserAudit.AppHost --UserAudit:DataRoot=$data" || true
  for _ in $(seq 1 60); do
    pgrep -f "net10.0/UserAudit.AppHost --UserAudit:DataRoot=$data" > /dev/null || break
    sleep 1
  done
  rm -rf "$data"
}
trap stop EXIT

cd "$repo"
setsid dotnet run --no-build --project src/UserAudit.AppHost -- --UserAudit:DataRoot="$data" \
  --Parameters:audit-api-key="$read_key" --Parameters:audit-ingest-key-bench="$ingest_key" \
  "--AuditService:IngestKeys:bench:0=urn:bench:*" --UserAudit:LogEachEvent=false > "$data/apphost.log" 2>&1 &
for _ in $(seq 1 180); do grep -q "UserAudit is ready" "$data/apphost.log" && break; sleep 1; done
audit=$(grep -o "AuditService: http://localhost:[0-9]*" "$data/apphost.log" | head -1 | sed 's/AuditService: //')
pid=$(pgrep -f "$repo/src/AuditService/bin/.*/AuditService" | head -1)

padding=$(head -c 900000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 100); do
  printf '{"specversion":"1.0","id":"large-%d","source":"urn:bench:read-memory","type":"org.bench.large.v1","datacontenttype":"application/json","data":{"padding":"%s"}}' \
    "$i" "$padding" > "$data/event.json"
  curl -sf -o /dev/null -H "Authorization: Bearer $ingest_key" -H "Content-Type: application/cloudevents+json" \
    --data-binary @"$data/event.json" "$audit/v1/cloudevents"
done
echo "after storing 100 events of 900 KB: peak $(awk '/VmHWM/ {print $2}' /proc/$pid/status) kB"

# Writing 5 to clear_refs resets the peak (VmHWM) to the current resident size.
echo 5 > "/proc/$pid/clear_refs"
start=$(date +%s.%N)
pids=()
for c in 1 2 3 4; do
  curl -sf -o "$data/page$c.json" -H "Authorization: Bearer $read_key" \
    "$audit/v1/audit-events?source=urn:bench:read-memory&limit=100" &
  pids+=($!)
done
wait "${pids[@]}"
end=$(date +%s.%N)
echo "during four lists of limit=100 at once: peak $(awk '/VmHWM/ {print $2}' /proc/$pid/status) kB, $(echo "$end - $start" | bc) s"
python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print('each page:', len(p['items']), 'events, nextCursor', p['nextCursor'])" "$data/page1.json"
