# Sourced by the crash tests: the same test on SQLite and on PostgreSQL. `backends` lists the ones to run
# (AFTERDESK_CRASH_BACKENDS, default both); PostgreSQL needs AFTERDESK_TEST_POSTGRES_URL (scripts/test.sh starts the
# cluster; by hand: eval "$(scripts/pg-test-cluster.sh start)"). Each database a test makes on PostgreSQL is named
# with the test's process id (crash_PID_NAME) and dropped when it ends (`crash_db_cleanup`, from the test's EXIT trap).
backends=${AFTERDESK_CRASH_BACKENDS:-sqlite postgres}
case " $backends " in
  *" postgres "*)
    if [ -z "${AFTERDESK_TEST_POSTGRES_URL:-}" ]; then
      echo "FAIL: no PostgreSQL for the crash test: run scripts/test.sh, or eval \"\$(scripts/pg-test-cluster.sh start)\""
      echo "      (or AFTERDESK_CRASH_BACKENDS=sqlite for SQLite alone)"
      exit 1
    fi
    crash_pg_server=${AFTERDESK_TEST_POSTGRES_URL%/*}
    ;;
esac

# pg_admin SQL: a statement on the cluster's maintenance database.
pg_admin() { psql -XAtq -d "$AFTERDESK_TEST_POSTGRES_URL" -c "$1"; }

# new_db BACKEND NAME [TEMPLATE]: a new database (a copy of TEMPLATE, a location new_db gave, when given); prints its
# location. SQLite: a file in $work (the template copied). PostgreSQL: CREATE DATABASE … TEMPLATE, tried again for a
# few seconds while the template's last connections end.
new_db() {
  local backend=$1 name=$2 template=${3:-}
  if [ "$backend" = sqlite ]; then
    [ -z "$template" ] || cp "$template" "$work/$name.sqlite"
    echo "$work/$name.sqlite"
    return
  fi
  local db="crash_$$_$name" sql
  sql="CREATE DATABASE $db"
  [ -z "$template" ] || sql="$sql TEMPLATE ${template##*/}"
  for _ in $(seq 50); do pg_admin "$sql" 2>/dev/null && break; sleep 0.1; done
  pg_admin "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 || { echo "FAIL: cannot create $db" >&2; exit 1; }
  echo "$crash_pg_server/$db"
}

# q DB SQL: the rows of SQL (statements separated by ;), columns separated by |, NULL as nothing, on either backend.
q() {
  case "$1" in
    postgres://*) psql -XAtq -v ON_ERROR_STOP=1 -F '|' -d "$1" <<<"$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}

# ts COLUMN: on PostgreSQL, an instant written as SQLite keeps it (2026-11-18T15:00:00Z), so both dumps read alike.
ts() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"; }

crash_db_cleanup() {
  case " $backends " in *" postgres "*) ;; *) return 0 ;; esac
  local db
  for db in $(pg_admin "SELECT datname FROM pg_database WHERE datname LIKE 'crash\\_$$\\_%'" 2>/dev/null); do
    pg_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
