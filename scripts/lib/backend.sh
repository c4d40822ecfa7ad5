# Shell helpers for the tests that run on either backend (sourced): a database is named by a location, a SQLite path
# or a PostgreSQL URL on the test cluster (AFTERDESK_TEST_POSTGRES_URL, which scripts/test.sh sets).
#   backend_setup sqlite|postgres WORKDIR   choose the backend for db_* below
#   db_new NAME                          prints the location of a new, empty database called NAME
#   db_copy FROM_NAME TO_NAME            prints the location of TO_NAME, a copy of FROM_NAME (closed: no one using it)
#   db_query LOCATION SQL                runs SQL (one or more statements), rows as `a|b|c` lines
#   db_drop_all                          drops the PostgreSQL databases made here (the SQLite files go with WORKDIR)
backend_setup() {
  backend=$1
  backend_work=$2
  backend_made=()
  backend_prefix="ct_$$_"
  if [ "$backend" = postgres ]; then
    [ -n "${AFTERDESK_TEST_POSTGRES_URL:-}" ] || {
      echo "no PostgreSQL for this test: run it from scripts/test.sh, or eval \"\$(scripts/pg-test-cluster.sh start)\" first" >&2
      return 1
    }
  fi
}

db_location() { # NAME
  if [ "$backend" = postgres ]; then echo "${AFTERDESK_TEST_POSTGRES_URL%/*}/$backend_prefix$1"; else echo "$backend_work/$1.sqlite"; fi
}

db_new() { # NAME
  if [ "$backend" = postgres ]; then
    psql -q -v ON_ERROR_STOP=1 "$AFTERDESK_TEST_POSTGRES_URL" -c "CREATE DATABASE $backend_prefix$1" >/dev/null
    backend_made+=("$backend_prefix$1")
  else
    rm -f "$backend_work/$1.sqlite"
  fi
  db_location "$1"
}

db_copy() { # FROM_NAME TO_NAME
  if [ "$backend" = postgres ]; then
    psql -q -v ON_ERROR_STOP=1 "$AFTERDESK_TEST_POSTGRES_URL" \
      -c "CREATE DATABASE $backend_prefix$2 TEMPLATE $backend_prefix$1" >/dev/null
    backend_made+=("$backend_prefix$2")
  else
    cp "$backend_work/$1.sqlite" "$backend_work/$2.sqlite"
  fi
  db_location "$2"
}

db_query() { # LOCATION SQL
  if [ "$backend" = postgres ]; then
    PGTZ=UTC psql -X -q -At -F'|' -v ON_ERROR_STOP=1 "$1" -c "$2"
  else
    sqlite3 "$1" "$2"
  fi
}

db_drop_all() {
  [ "$backend" = postgres ] || return 0
  local name
  for name in "${backend_made[@]}"; do
    psql -q "$AFTERDESK_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
