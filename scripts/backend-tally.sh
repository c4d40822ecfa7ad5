#!/usr/bin/env bash
# Prints how many storage cases each backend passed (the tally file `swift test` wrote through AFTERDESK_TEST_TALLY),
# and fails when PostgreSQL passed none, or fewer than SQLite's file backend: every case runs on every backend, and no
# case is skipped because a database is missing.
#   scripts/backend-tally.sh TALLY_FILE
set -euo pipefail
tally=$1
[ -s "$tally" ] || { echo "backend tally: no storage case passed on any backend ($tally is empty)" >&2; exit 1; }
echo "storage cases passed, per backend:"
cut -f1 "$tally" | sort | uniq -c | awk '{ printf "  %-14s %d\n", $2, $1 }'
sqlite=$(awk -F'\t' '$1 == "sqlite-file"' "$tally" | sort -u | wc -l)
postgres=$(awk -F'\t' '$1 == "postgres"' "$tally" | sort -u | wc -l)
if [ "$postgres" -eq 0 ]; then
  echo "backend tally: PostgreSQL ran no storage case" >&2
  exit 1
fi
if [ "$postgres" -lt "$sqlite" ]; then
  echo "backend tally: PostgreSQL passed $postgres storage cases, SQLite $sqlite" >&2
  exit 1
fi
