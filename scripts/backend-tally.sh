#!/usr/bin/env bash
# Prints how many test cases each backend passed (the tally file `swift test` wrote through AFTERDESK_TEST_TALLY): the
# storage contract's (sqlite-file, sqlite-memory, postgres) and the router, API, page, dispatch and import tests'
# (sqlite, postgres; suites marked `.talliedByBackend`). Fails when PostgreSQL passed none, or fewer than SQLite's file
# cases and SQLite's cases together: every such case runs on both, and none is skipped because a database is missing.
#   scripts/backend-tally.sh TALLY_FILE
set -euo pipefail
tally=$1
[ -s "$tally" ] || { echo "backend tally: no storage case passed on any backend ($tally is empty)" >&2; exit 1; }
echo "test cases passed, per backend:"
cut -f1 "$tally" | sort | uniq -c | awk '{ printf "  %-14s %d\n", $2, $1 }'
sqlite=$(awk -F'\t' '$1 == "sqlite-file" || $1 == "sqlite"' "$tally" | wc -l)
postgres=$(awk -F'\t' '$1 == "postgres"' "$tally" | wc -l)
if [ "$postgres" -eq 0 ]; then
  echo "backend tally: PostgreSQL ran no test case" >&2
  exit 1
fi
if [ "$postgres" -lt "$sqlite" ]; then
  echo "backend tally: PostgreSQL passed $postgres cases, SQLite (file and server tests) $sqlite" >&2
  exit 1
fi
