#!/usr/bin/env bash
# Checks PostgreSQL's baseline (Sources/AfterdeskPostgres/Schema/PostgresBaseline.swift) without building Swift:
#  1. applies PostgreSQL's migrations, read from the Swift source (scripts/swift-sql.py), to a new database of the
#     throwaway test cluster (scripts/pg-test-cluster.sh; started here, and stopped at the end, unless one is running),
#     each in one transaction, statement by statement through the extended query protocol as postgres-nio must
#     (scripts/pg-extended-apply.py);
#  2. compares its tables, columns, indexes and triggers with SQLite's, table by table (scripts/pg-schema-compare.py):
#     SQLite's schema is made here from SQLite's migrations in the Swift source, or read from a migrated database given
#     with --sqlite FILE (opened read-only, as immutable: nothing is written beside it);
#  3. runs what the baseline should do (scripts/pg-schema-smoke.sql): collations, triggers, identities, cascades.
#
#   scripts/pg-schema-check.sh [--sqlite FILE] [-v]      -v lists every column with its SQLite and PostgreSQL types
set -euo pipefail
cd "$(dirname "$0")/.."

sqlite_file="" verbose=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sqlite) sqlite_file=${2:?--sqlite needs a file}; shift 2 ;;
    -v) verbose=-v; shift ;;
    *) echo "usage: $0 [--sqlite FILE] [-v]" >&2; exit 2 ;;
  esac
done
[ -z "$sqlite_file" ] || [ -f "$sqlite_file" ] || { echo "pg-schema-check: no file $sqlite_file" >&2; exit 1; }
command -v psql >/dev/null || { echo "pg-schema-check: psql is missing (scripts/setup.sh tests installs PostgreSQL)" >&2; exit 1; }

work=$(mktemp -d)
started=""
database="schema_check_$$"
cleanup() {
  if [ -n "${PGPORT:-}" ]; then psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true; fi
  if [ -n "$started" ]; then scripts/pg-test-cluster.sh stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if scripts/pg-test-cluster.sh status 2>/dev/null; then
  eval "$(scripts/pg-test-cluster.sh env)"
else
  eval "$(scripts/pg-test-cluster.sh start)"
  started=yes
fi

echo "== PostgreSQL's migrations, applied to a new database ($database on port $PGPORT)"
psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database"
export PGDATABASE=$database
python3 scripts/swift-sql.py postgres >"$work/postgres.sql"
# One file per migration.
python3 - "$work/postgres.sql" "$work" <<'EOF'
import sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
parts = text.split('-- migration: ')[1:]
with open(f'{out}/names', 'w') as names:
    for i, part in enumerate(parts):
        name, sql = part.split('\n', 1)
        open(f'{out}/{i:03}.sql', 'w').write(sql)
        names.write(f'{i:03} {name}\n')
EOF
while read -r number name; do
  printf 'applied %s: ' "$name"
  python3 scripts/pg-extended-apply.py "$work/$number.sql"
done <"$work/names"

if [ -z "$sqlite_file" ]; then
  echo "== SQLite's migrations (every one shipped), applied to a new SQLite database"
  python3 scripts/swift-sql.py sqlite >"$work/sqlite.sql"
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.close()' \
    "$work/reference.sqlite" "$work/sqlite.sql"
  sqlite_file="$work/reference.sqlite"
fi

echo "== Tables and columns, SQLite ($sqlite_file) against PostgreSQL"
python3 scripts/pg-schema-compare.py $verbose "$sqlite_file"

echo "== What the baseline does"
psql -X -q -v ON_ERROR_STOP=1 -f scripts/pg-schema-smoke.sql
