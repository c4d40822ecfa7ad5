#!/usr/bin/env bash
# The command line on PostgreSQL (issue 29, step b): the demo on `--db postgres://…` says what SQLite says for the same
# seed; it refuses a database that is not empty unless --reset; then the everyday commands give the same output on the
# PostgreSQL database as on the SQLite file the same demo made; and a bad location (a password in it, a parameter
# but sslmode, TLS the server lacks, an IPv6 address, a missing password file) fails in one line with its exit code;
# a --status that names none exits 64; serve logs its database's newest migration, and a second serve on its port
# says the address is in use; copy-database exits 0 into an empty database and again, 1 onto other data or from a missing file, 64 to a
# file or with a password, and its copy reports what the file reports. Needs AFTERDESK_TEST_POSTGRES_URL (scripts/test.sh starts the cluster; by hand:
# eval "$(scripts/pg-test-cluster.sh start)"); makes and drops its own database. Uses the debug build of `afterdesk`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin="$root/.build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
: "${AFTERDESK_TEST_POSTGRES_URL:?no PostgreSQL: run scripts/test.sh, or eval \"\$(scripts/pg-test-cluster.sh start)\" first}"
server=${AFTERDESK_TEST_POSTGRES_URL%/*}
name="cli_test_$$"
pg="$server/$name"
work=$(mktemp -d)
cleanup() {
  psql "$AFTERDESK_TEST_POSTGRES_URL" -qXc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
  psql "$AFTERDESK_TEST_POSTGRES_URL" -qXc "DROP DATABASE IF EXISTS ${name}_copy WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
psql "$AFTERDESK_TEST_POSTGRES_URL" -qXc "CREATE DATABASE $name" || exit 1
cd "$work"
export AFTERDESK_NOW=2026-11-18T15:00:00Z
unset AFTERDESK_DB AFTERDESK_CONFIG
failed=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

# What differs by nature between the two runs: where the database is, the exports' folder, the random offer links,
# a backup's size and schema version.
normalize() {
  sed -e "s#$pg#DB#g" -e "s#$work/demo.sqlite#DB#g" -e 's#demo\.sqlite#DB#g' -e 's#exports-[sp]#EXPORTS#g' \
    -e 's#/o/[A-Za-z0-9_-]\{10,\}#/o/TOKEN#g' -e 's#backup-[sp]#BACKUP#g' \
    -e 's#^[0-9]\{4\}-[0-9-]*T[0-9:]*[+-][0-9]\{4\} #TIME #' \
    -e 's#: [0-9,]* bytes, \([0-9,]* deals\), schema v[0-9]*#: N bytes, \1, schema vN#' "$1"
}
same() {  # same LABEL: the outputs out-s.txt and out-p.txt, normalized, are equal
  if diff <(normalize out-s.txt) <(normalize out-p.txt) >diff.txt; then
    ok "$1: the same on PostgreSQL as on SQLite ($(wc -l <out-s.txt) lines)"
  else
    fail "$1 differs between SQLite and PostgreSQL:"; head -20 diff.txt
  fi
}
demo() {  # demo s|p DB [--reset]
  local which=$1 db=$2; shift 2
  "$bin" demo --seed 7 --days 14 --deals-per-day 2 --templates "$root/templates" --dir "exports-$which" --db "$db" "$@"
}

demo s demo.sqlite >out-s.txt 2>err-s.txt || fail "the demo on SQLite: $(cat err-s.txt)"
demo p "$pg" >out-p.txt 2>err-p.txt || fail "the demo on PostgreSQL: $(cat err-p.txt)"
same "afterdesk demo --seed 7 --days 14 --deals-per-day 2"
demo p "$pg" >again.txt 2>err.txt
code=$?
if [ "$code" = 1 ] && grep -q -- "--reset" err.txt && [ "$(wc -l <err.txt)" = 1 ]; then
  ok "a second demo on the same PostgreSQL database is refused (exit 1): $(cut -c1-110 err.txt)…"
else
  fail "a second demo without --reset exited $code with: $(cat err.txt)"
fi
demo p "$pg" --reset >reset.txt 2>err.txt || fail "the demo with --reset: $(cat err.txt)"
if grep -q "^Emptied every Afterdesk table" reset.txt && diff <(grep -v "^Emptied" reset.txt | normalize /dev/stdin) <(normalize out-p.txt) >/dev/null; then
  ok "with --reset the tables are emptied and the demo says again what it said"
else
  fail "the demo with --reset"
fi

# The same commands on both databases, in the same order.
sample=$(grep -o "afterdesk explain [A-Z0-9-]*" out-s.txt | head -1 | awk '{print $3}')
[ -n "$sample" ] || fail "the demo named no deal to explain"
both() {  # both LABEL ARGS...: the command on each database; stdin from input.txt when present
  local label=$1; shift
  "$bin" "$@" --db demo.sqlite <"${input:-/dev/null}" >out-s.txt 2>&1; local s=$?
  "$bin" "$@" --db "$pg" <"${input:-/dev/null}" >out-p.txt 2>&1; local p=$?
  [ "$s" = "$p" ] || fail "$label: exit $s on SQLite, $p on PostgreSQL"
  same "$label"
}
both "import (the year again)" import exports-s/deals-last-12-months.csv --no-rejects-file
both "plan" plan --limit 30
both "explain $sample" explain "$sample"
both "run (no provider configured)" run --templates "$root/templates"
both "report" report --as-of 2026-11-18
both "report --by month" report --as-of 2026-11-18 --by month
both "scorecard" scorecard --as-of 2026-11-18
both "tasks --status all" tasks --status all
both "outbox" outbox
printf 'a-long-enough-password-2026\n' >password.txt
input=password.txt both "users add" users add kliu --role admin
unset input
both "users list" users list
both "opt-outs list" opt-outs list
"$bin" backup backup-s --db demo.sqlite >out-s.txt 2>&1 || fail "backup on SQLite: $(cat out-s.txt)"
"$bin" backup backup-p --db "$pg" >out-p.txt 2>&1 || fail "backup on PostgreSQL: $(cat out-p.txt)"
same "backup (the deals counted; the size and the schema's version are each backend's)"

# Bad locations: one line on standard error, and the exit code.
expect() {  # expect CODE PART LOCATION
  "$bin" tasks --db "$3" >/dev/null 2>err.txt
  local got=$?
  if [ "$got" = "$1" ] && grep -q -- "$2" err.txt && [ "$(wc -l <err.txt)" = 1 ] && ! grep -q "hunter2" err.txt; then
    ok "$3 → exit $got: $(cat err.txt)"
  else
    fail "$3 exited $got (expected $1) with: $(cat err.txt)"
  fi
}
expect 64 "never holds its password" "postgres://desk:hunter2@127.0.0.1:5432/afterdesk"
expect 1 "connection refused" "postgres://desk@127.0.0.1:1/afterdesk"
expect 1 "does not exist" "$server/no_such_database_$$"
expect 64 "never holds its password" "postgres://desk@127.0.0.1:5432/afterdesk?password=hunter2"
expect 64 "takes ?sslmode= alone, not ?connect_timeout=" "postgres://desk@127.0.0.1:5432/afterdesk?connect_timeout=hunter2"
expect 1 "the server does not offer TLS" "$pg?sslmode=require"
# An IPv6 address in brackets is connected to (nothing listens on ::1 port 1: refused, not a failed name lookup).
expect 1 "connection refused" "postgres://desk@[::1]:1/afterdesk"
AFTERDESK_DB_PASSWORD_FILE="$work/no-such-file" expect 1 "no-such-file): there is no such file" "postgres://desk@127.0.0.1:1/x"

# A status that names none is a mistake (exit 64), on either database.
for db in demo.sqlite "$pg"; do
  for command in "tasks --status bogus" "outbox --status bogus"; do
    # shellcheck disable=SC2086
    "$bin" $command --db "$db" >/dev/null 2>err.txt
    got=$?
    if [ "$got" = 64 ] && grep -q -- "--status is" err.txt; then ok "$command → 64"; else fail "$command on $db exited $got: $(cat err.txt)"; fi
  done
done

# serve on PostgreSQL logs the schema it runs on; a second serve on the same port says the address is in use, in
# one line, exit 1.
port=$((20000 + $$ % 20000))
timeout 60 "$bin" serve --db "$pg" --templates "$root/templates" --host 127.0.0.1 --port "$port" --every 3600 >serve1.txt 2>&1 &
first=$!
for _ in $(seq 1 100); do grep -q "Server started" serve1.txt && break; sleep 0.2; done
if grep -q "newest=p[0-9]" serve1.txt && grep -q " database" serve1.txt; then ok "serve logs its database's newest migration"; else fail "serve logged no database line: $(head -3 serve1.txt)"; fi
timeout 60 "$bin" serve --db "$pg" --templates "$root/templates" --host 127.0.0.1 --port "$port" --every 3600 >serve2.txt 2>err.txt
got=$?
# (Its log lines go to standard error too: the error is its one line saying so, the last.)
if [ "$got" = 1 ] && tail -1 err.txt | grep -q "^error: cannot listen on 127.0.0.1:$port: it is in use" \
  && [ "$(grep -c '^error' err.txt)" = 1 ]; then
  ok "a second serve on port $port → exit 1: $(tail -1 err.txt)"
else
  fail "a second serve on port $port exited $got with: $(cat err.txt)"
fi
kill -TERM "$first" 2>/dev/null
wait "$first" 2>/dev/null

# copy-database from the command line: its exit codes, and a copy that reports what the SQLite file reports.
copy() {  # copy CODE LABEL ARGS...: copy-database with ARGS exits CODE
  local code=$1 label=$2; shift 2
  "$bin" copy-database "$@" >copy-out.txt 2>copy-err.txt
  local got=$?
  if [ "$got" = "$code" ]; then ok "copy-database $label → exit $got"; else fail "copy-database $label exited $got (expected $code): $(tail -3 copy-err.txt)"; fi
}
psql "$AFTERDESK_TEST_POSTGRES_URL" -qXc "CREATE DATABASE ${name}_copy" || exit 1
copy 0 "into an empty database" --from demo.sqlite --to "$pg"_copy
copy 0 "again (the earlier copy replaced)" --from demo.sqlite --to "$pg"_copy
"$bin" report --as-of 2026-11-18 --by product --db demo.sqlite >out-s.txt 2>&1
"$bin" report --as-of 2026-11-18 --by product --db "$pg"_copy >out-p.txt 2>&1
same "report --by product on the copy"
copy 1 "onto a database holding other data (the demo's)" --from demo.sqlite --to "$pg"
copy 1 "from a file that does not exist" --from missing.sqlite --to "$pg"_copy
copy 64 "to a SQLite file" --from demo.sqlite --to other.sqlite
copy 64 "with a password in the location" --from demo.sqlite --to "postgres://desk:hunter2@127.0.0.1:5432/x"
if grep -q hunter2 copy-out.txt copy-err.txt; then fail "copy-database echoed a password"; else ok "no password echoed"; fi
exit $failed
