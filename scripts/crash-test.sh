#!/usr/bin/env bash
# kill -9 an import at several moments, import the same file again, and check the database holds
# exactly what one clean import holds: on SQLite, then on PostgreSQL (scripts/crash-db.sh), and the two clean imports
# hold the same. Uses the debug build of `afterdesk`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=".build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
work=$(mktemp -d)
source scripts/crash-db.sh
trap 'crash_db_cleanup; rm -rf "$work"' EXIT

# A generated file large enough that an import takes a few seconds.
"$bin" demo --db "$work/gen.sqlite" --dir "$work/gen" --deals-per-day 60 --seed 11 --days 0 > /dev/null
year="$work/gen/deals-last-12-months.csv"
# PostgreSQL imports slower than SQLite (docs/postgresql.md, Benchmarks): its runs take the first 1,500 deals in smaller
# batches. On both, the kills come at moments found from the time a whole import took on this machine (measured first)
# and from where each kill landed, so they land before, between and in the batches however fast or loaded the machine
# is; the test fails when too few land midway.
head -n 1501 "$year" > "$work/gen/deals-1500.csv"

stable() {  # stable DB: what an import leaves, in the same columns, order and format on both backends
  local bool=""
  case "$1" in postgres://*) bool="::int";; esac
  q "$1" "
    SELECT s.code, d.deal_number, d.status, d.fingerprint, c.match_key, v.vin FROM deals d JOIN stores s ON s.id = d.store_id
      JOIN customers c ON c.id = d.customer_id JOIN vehicles v ON v.id = d.vehicle_id ORDER BY 1, 2;
    SELECT d.deal_number, p.product_code, p.outcome, p.price_cents, p.cost_cents, p.reason, p.presumed$bool
      FROM deal_products p JOIN deals d ON d.id = p.deal_id ORDER BY 1, 2;
    SELECT match_key, first_name, last_name, email, phone, consent_sms$bool, consent_email$bool, consent_phone$bool
      FROM customers ORDER BY 1;
    SELECT vin, year, make, model, in_service_date FROM vehicles ORDER BY 1;
    SELECT d.deal_number, e.product_code, e.kind FROM events e JOIN deals d ON d.id = e.deal_id ORDER BY 1, 2, 3;
    SELECT staff_code, name FROM staff ORDER BY 1;"
  case "$1" in
    postgres://*) ;;
    *) q "$1" "PRAGMA integrity_check; PRAGMA foreign_key_check;" ;;
  esac
}

key_indexes() {  # the two unique key indexes a bulk load drops and the next import rebuilds
  case "$1" in
    postgres://*) q "$1" "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ('customers_match', 'vehicles_vin') AND indexdef LIKE 'CREATE UNIQUE%'" ;;
    *) q "$1" "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('customers_match', 'vehicles_vin') AND sql LIKE 'CREATE UNIQUE%'" ;;
  esac
}

for backend in $backends; do
  echo "== $backend"
  file=$year; [ "$backend" = postgres ] && file="$work/gen/deals-1500.csv"
  rows=$(($(wc -l < "$file") - 1))
  batch=1000; [ "$backend" = postgres ] && batch=250
  clean=$(new_db "$backend" clean)
  started=$(date +%s.%N)
  "$bin" import "$file" --db "$clean" --menu menus/default.yaml --no-rejects-file --batch-size $batch > /dev/null
  took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  stable "$clean" > "$work/clean-$backend.txt"
  total=$(q "$clean" 'SELECT COUNT(*) FROM deals')
  echo "clean import: $rows rows, $total deals, in ${took}s"

  # Half the runs are bulk loads, killed while the customer and VIN indexes are dropped: the next import rebuilds them.
  # The first kill comes at a tenth of the clean import's time; each next one later when the kill landed midway or
  # before anything landed, earlier when the import had already finished (machines and loads differ).
  delay=$(awk -v t="$took" 'BEGIN { printf "%.2f", t * 0.1 }')
  n=0 midway=0
  for _ in 1 2 3 4 5 6; do
    n=$((n + 1)); bulk=off; [ $((n % 2)) = 0 ] && bulk=on  # every other run a bulk load
    db=$(new_db "$backend" "crash_$n")
    "$bin" import "$file" --db "$db" --menu menus/default.yaml --no-rejects-file --batch-size $batch --bulk $bulk > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    landed=$(q "$db" 'SELECT COUNT(*) FROM deals' 2>/dev/null || echo 0)
    "$bin" import "$file" --db "$db" --menu menus/default.yaml --no-rejects-file --batch-size $batch --json > "$work/rerun.json"
    stable "$db" > "$work/crash.txt"
    if ! cmp -s "$work/clean-$backend.txt" "$work/crash.txt"; then
      echo "FAIL: $backend: kill -9 after ${delay}s ($landed deals had landed) then re-import differs from a clean import"
      diff "$work/clean-$backend.txt" "$work/crash.txt" | head -20
      exit 1
    fi
    interrupted=$(q "$db" "SELECT COUNT(*) FROM import_runs WHERE status = 'interrupted'")
    [ "$(key_indexes "$db")" = 2 ] || { echo "FAIL: $backend: the key indexes are missing after the re-import"; exit 1; }
    echo "kill -9 after ${delay}s (bulk $bulk): $landed deals had landed; re-import gives the clean state (interrupted runs marked: $interrupted)"
    factor=1.4
    # Midway: the killed run had begun (the re-import found it and marked it interrupted), or some deals had landed.
    if [ "$interrupted" -gt 0 ] || { [ "$landed" -gt 0 ] && [ "$landed" -lt "$total" ]; }; then midway=$((midway + 1)); fi
    [ "$landed" -ge "$total" ] && factor=0.5
    delay=$(awk -v d="$delay" -v f="$factor" 'BEGIN { printf "%.2f", d * f }')
  done
  if [ "$midway" -lt 3 ]; then
    echo "FAIL: $backend: only $midway of the 6 kills landed midway through an import: too little was tested"
    exit 1
  fi
  echo "$midway of the 6 kills landed midway through an import"
done
if [ -f "$work/clean-postgres.txt" ]; then
  # The same file imported into a new SQLite database holds what PostgreSQL holds (SQLite's dump ends with its two
  # PRAGMA checks' "ok").
  small=$(new_db sqlite small)
  "$bin" import "$work/gen/deals-1500.csv" --db "$small" --menu menus/default.yaml --no-rejects-file > /dev/null
  if cmp -s <(stable "$small" | grep -v '^ok$') "$work/clean-postgres.txt"; then
    echo "a clean import holds the same on PostgreSQL as on SQLite ($(wc -l < "$work/clean-postgres.txt") lines)"
  else
    echo "FAIL: a clean import differs between SQLite and PostgreSQL"
    diff <(stable "$small" | grep -v '^ok$') "$work/clean-postgres.txt" | head -10
    exit 1
  fi
fi
echo "crash test passed"
