#!/usr/bin/env bash
# kill -9 an import at several moments, import the same file again, and check the database holds
# exactly what one clean import holds. Uses the debug build of `afterdesk`.
#   scripts/crash-test.sh [sqlite|postgres]   (default sqlite; postgres needs the tests' cluster: scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=".build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
work=$(mktemp -d)
. scripts/lib/backend.sh
backend_setup "${1:-sqlite}" "$work"
trap 'db_drop_all; rm -rf "$work"' EXIT
echo "import crash test on $backend"

# A generated file large enough that an import takes a few seconds.
"$bin" demo --db "$work/gen.sqlite" --dir "$work/gen" --deals-per-day 60 --seed 11 --days 0 > /dev/null
file="$work/gen/deals-last-12-months.csv"
# PostgreSQL imports row by row until issue 29's step (c): a smaller file, killed at later moments.
delays="0.05 0.15 0.3 0.45 0.6 0.8"
if [ "$backend" = postgres ]; then
  head -n 2001 "$file" > "$work/part.csv" && file="$work/part.csv"
  delays="0.5 1.5 3 5"
fi
rows=$(($(wc -l < "$file") - 1))

stable() {
  local checks=""
  [ "$backend" = sqlite ] && checks="PRAGMA integrity_check; PRAGMA foreign_key_check;"
  db_query "$1" "
    SELECT s.code, d.deal_number, d.status, d.fingerprint, c.match_key, v.vin FROM deals d JOIN stores s ON s.id = d.store_id
      JOIN customers c ON c.id = d.customer_id JOIN vehicles v ON v.id = d.vehicle_id ORDER BY 1, 2;
    SELECT d.deal_number, p.product_code, p.outcome, p.price_cents, p.cost_cents, p.reason, p.presumed
      FROM deal_products p JOIN deals d ON d.id = p.deal_id ORDER BY 1, 2;
    SELECT match_key, first_name, last_name, email, phone, consent_sms, consent_email, consent_phone FROM customers ORDER BY 1;
    SELECT vin, year, make, model, in_service_date FROM vehicles ORDER BY 1;
    SELECT d.deal_number, e.product_code, e.kind FROM events e JOIN deals d ON d.id = e.deal_id ORDER BY 1, 2, 3;
    SELECT staff_code, name FROM staff ORDER BY 1;
    $checks"
}

clean=$(db_new clean)
"$bin" import "$file" --db "$clean" --menu menus/default.yaml --no-rejects-file > /dev/null
stable "$clean" > "$work/clean.txt"
echo "clean import: $rows rows, $(db_query "$clean" 'SELECT COUNT(*) FROM deals') deals"

# Half the runs are bulk loads, killed while the customer and VIN indexes are dropped: the next import rebuilds them.
for delay in $delays; do
  db=$(db_new "crash_${delay/./_}")
  bulk=off; case $delay in 0.15|0.45|0.8) bulk=on;; esac
  "$bin" import "$file" --db "$db" --menu menus/default.yaml --no-rejects-file --batch-size 1000 --bulk $bulk > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  landed=$(db_query "$db" 'SELECT COUNT(*) FROM deals' 2>/dev/null || echo 0)
  "$bin" import "$file" --db "$db" --menu menus/default.yaml --no-rejects-file --batch-size 1000 --json > "$work/rerun.json"
  stable "$db" > "$work/crash.txt"
  if ! cmp -s "$work/clean.txt" "$work/crash.txt"; then
    echo "FAIL: kill -9 after ${delay}s ($landed deals had landed) then re-import differs from a clean import"
    diff "$work/clean.txt" "$work/crash.txt" | head -20
    exit 1
  fi
  interrupted=$(db_query "$db" "SELECT COUNT(*) FROM import_runs WHERE status = 'interrupted'")
  if [ "$backend" = sqlite ]; then
    indexes=$(db_query "$db" "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('customers_match', 'vehicles_vin') AND sql LIKE 'CREATE UNIQUE%'")
  else
    indexes=$(db_query "$db" "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ('customers_match', 'vehicles_vin') AND indexdef LIKE 'CREATE UNIQUE%'")
  fi
  [ "$indexes" = 2 ] || { echo "FAIL: the key indexes are missing after the re-import"; exit 1; }
  echo "kill -9 after ${delay}s (bulk $bulk): $landed deals had landed; re-import gives the clean state (interrupted runs marked: $interrupted)"
done
echo "crash test passed on $backend"
