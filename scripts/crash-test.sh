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
# PostgreSQL imports several times slower than SQLite (docs/postgresql.md, Benchmarks): its runs take the first 1,500 deals in
# smaller batches, and are killed later, so that the kills still land before, between and in its batches.
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
  clean=$(new_db "$backend" clean)
  "$bin" import "$file" --db "$clean" --menu menus/default.yaml --no-rejects-file > /dev/null
  stable "$clean" > "$work/clean-$backend.txt"
  echo "clean import: $rows rows, $(q "$clean" 'SELECT COUNT(*) FROM deals') deals"

  # Half the runs are bulk loads, killed while the customer and VIN indexes are dropped: the next import rebuilds them.
  delays="0.05 0.15 0.3 0.45 0.6 0.8" batch=1000
  [ "$backend" = postgres ] && delays="0.1 0.8 1.5 2.5 3.5 5" batch=250
  n=0
  for delay in $delays; do
    db=$(new_db "$backend" "crash_${delay/./_}")
    n=$((n + 1)); bulk=off; [ $((n % 2)) = 0 ] && bulk=on  # every other run a bulk load
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
  done
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
