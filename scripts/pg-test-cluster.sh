#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (issue 29): `initdb` into a temporary folder, a private port, listening
# on 127.0.0.1 only, with its unix socket in the same folder, and the durability settings off (tests only: a crash
# loses the cluster, which is thrown away anyway).
#
#   scripts/pg-test-cluster.sh start    start one (or find the one already started) and print its export lines
#   scripts/pg-test-cluster.sh env      print the export lines of the running one (fails when there is none)
#   scripts/pg-test-cluster.sh status   say whether one is running (exit 0) or not (exit 3)
#   scripts/pg-test-cluster.sh stop     stop it and remove its folder (nothing to do when there is none)
#   scripts/pg-test-cluster.sh restart  stop it as a crash would (-m immediate) and start it again on its port (the
#                                       fault test of issue 30); prints nothing on stdout
#   scripts/pg-test-cluster.sh log [N]  the last N (default 40) lines of its server log, and whether it still answers
#   scripts/pg-test-cluster.sh tune     give the running cluster the memory settings docs/operations.md recommends for a
#                                       group's server (shared_buffers a quarter of this machine's memory, work_mem,
#                                       maintenance_work_mem, effective_cache_size, max_wal_size) and restart it: for
#                                       benchmarks of the database a group runs (durability stays off)
#
# Use: eval "$(scripts/pg-test-cluster.sh start)"; ...; scripts/pg-test-cluster.sh stop
# Only the export lines go to stdout; everything else goes to stderr.
#
# As root, the cluster belongs to the `postgres` user (initdb refuses root) and its commands run through
# `runuser -u postgres --`; otherwise it belongs to the user running this. The superuser is that owner, trusted
# without a password (nothing but this machine can reach 127.0.0.1 or the socket folder).
#
# Environment:
#   AFTERDESK_PG_STATE   the file remembering the cluster's folder (default: ${TMPDIR:-/tmp}/afterdesk-pg-test.<uid>),
#                        to run two clusters side by side (two worktrees) give each its own
#   AFTERDESK_PG_BINDIR  where initdb, pg_ctl and postgres are (default: the newest /usr/lib/postgresql/*/bin, else PATH)
#   AFTERDESK_PG_LOCALE  `icu` (default): the database's collation is ICU's en-US, as on a typical managed server, so a
#                        query relying on byte order without COLLATE "C" fails in the tests; `c`: C.UTF-8 throughout
set -euo pipefail

state=${AFTERDESK_PG_STATE:-${TMPDIR:-/tmp}/afterdesk-pg-test.$(id -u)}
locale_mode=${AFTERDESK_PG_LOCALE:-icu}

die() {
  echo "pg-test-cluster: $*" >&2
  exit 1
}
say() { echo "pg-test-cluster: $*" >&2; }

bindir() {
  if [ -n "${AFTERDESK_PG_BINDIR:-}" ]; then
    [ -x "$AFTERDESK_PG_BINDIR/initdb" ] || die "AFTERDESK_PG_BINDIR=$AFTERDESK_PG_BINDIR has no initdb"
    echo "$AFTERDESK_PG_BINDIR"
    return
  fi
  local d
  # Debian keeps the server's programs out of PATH, one folder per major version: take the newest.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  die "no PostgreSQL server programs (initdb, pg_ctl) found: install them with 'scripts/setup.sh tests' (Debian: apt-get install postgresql)"
}

# The owner of the cluster, and how to run a command as that owner.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to own the cluster (apt-get install postgresql makes one)"
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# The cluster's folder, from the state file; empty when none is recorded or the folder is gone.
recorded_dir() {
  [ -f "$state" ] || return 0
  local dir
  dir=$(cat "$state")
  if [ -n "$dir" ] && [ -f "$dir/data/PG_VERSION" ]; then echo "$dir"; fi
}

# Running and answering: pg_ctl's word alone is not enough after a kill -9, when the postmaster's pid is a zombie
# not reaped yet (a container whose first process reaps late).
running() { # dir
  [ -n "$1" ] && as_owner "$BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1 &&
    "$BIN/pg_isready" -q -h "$1/socket" -p "$(port_of "$1")" -t 10
}

# Removes the lock files (the data folder's and the socket's) of a postmaster that is gone or a zombie, which the next
# postmaster would otherwise take for a live one, so that the cluster can start again.
clear_stale_pid() { # dir
  local lock pid
  for lock in "$1/data/postmaster.pid" "$1"/socket/.s.PGSQL.*.lock; do
    [ -f "$lock" ] || continue
    pid=$(head -n 1 "$lock")
    if [ ! -d "/proc/$pid" ] || grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; then
      rm -f "$lock"
    fi
  done
}

port_of() { # dir
  cat "$1/port"
}

# A port nothing listens on now (the kernel's choice of a free one on 127.0.0.1).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

print_env() { # dir
  local dir=$1 port
  port=$(port_of "$dir")
  cat <<EOF
export PGHOST=127.0.0.1
export PGPORT=$port
export PGUSER=$owner
export PGDATABASE=postgres
export AFTERDESK_PG_SOCKET_DIR=$dir/socket
export AFTERDESK_TEST_POSTGRES_URL=postgres://$owner@127.0.0.1:$port/postgres
EOF
}

start_server() { # dir -> 0 when started
  local dir=$1
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $(port_of "$dir")" start >/dev/null
}

cmd_start() {
  local dir
  dir=$(recorded_dir)
  if [ -n "$dir" ]; then
    if running "$dir"; then
      say "already running in $dir on port $(port_of "$dir")"
      print_env "$dir"
      return
    fi
    say "restarting the cluster left in $dir"
    clear_stale_pid "$dir"
    start_server "$dir" || die "could not restart the cluster in $dir (see $dir/server.log); 'stop' removes it"
    print_env "$dir"
    return
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to find a free port"
  # A folder left by a start that failed before its cluster was made: remove it (as 'stop' would) before making anew.
  if [ -f "$state" ]; then
    local left
    left=$(cat "$state")
    case "$left" in "${TMPDIR:-/tmp}"/afterdesk-pg.*) rm -rf "$left" ;; esac
    rm -f "$state"
  fi

  dir=$(mktemp -d "${TMPDIR:-/tmp}/afterdesk-pg.XXXXXX")
  # Recorded at once, so that 'stop' removes the folder whatever happens next.
  echo "$dir" >"$state"
  mkdir -p "$dir/socket"
  if [ "$owner" != "$(id -un)" ]; then chown -R "$owner:" "$dir"; fi
  chmod 700 "$dir"

  local locale_args
  case "$locale_mode" in
    icu) locale_args=(--encoding=UTF8 --locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US) ;;
    c) locale_args=(--encoding=UTF8 --locale=C.UTF-8) ;;
    *) die "AFTERDESK_PG_LOCALE must be 'icu' or 'c', not '$locale_mode'" ;;
  esac
  if ! as_owner "$BIN/initdb" -D "$dir/data" -U "$owner" --auth=trust "${locale_args[@]}" >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (the folder $dir is kept for a look; 'stop' removes it)"
  fi
  cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg-test-cluster.sh: a throwaway cluster for tests. Never these settings on a database that matters.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
# swift test runs many cases at once, each with a pool of its own (up to 4 connections) that closes a moment after the
# case ends: room for several hundred at a time on a loaded machine.
max_connections = 1000
EOF
  # A port free now may be taken before the server binds it: try a few.
  local attempt
  for attempt in 1 2 3 4 5; do
    free_port >"$dir/port"
    if start_server "$dir"; then
      say "started in $dir on port $(port_of "$dir") (owner $owner)"
      print_env "$dir"
      return
    fi
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null || break
    say "port $(port_of "$dir") was taken, trying another"
  done
  tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
  die "the server did not start (log: $dir/server.log; 'stop' removes the folder)"
}

cmd_env() {
  local dir
  dir=$(recorded_dir)
  [ -n "$dir" ] && running "$dir" || die "no test cluster is running (state file $state): run 'start' first"
  print_env "$dir"
}

cmd_status() {
  local dir
  dir=$(recorded_dir)
  if [ -n "$dir" ] && running "$dir"; then
    say "running in $dir on port $(port_of "$dir")"
    return 0
  fi
  say "not running"
  return 3
}

cmd_stop() {
  if [ ! -f "$state" ]; then
    say "no test cluster to stop"
    return
  fi
  local dir
  dir=$(cat "$state")
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    if [ -f "$dir/data/PG_VERSION" ] && running "$dir"; then
      # fast: roll back open transactions and disconnect (a test may have left a connection open)
      as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null ||
        as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ||
        die "could not stop the server in $dir"
    fi
    case "$dir" in
      "${TMPDIR:-/tmp}"/afterdesk-pg.*) rm -rf "$dir" ;;
      *) die "refusing to remove $dir: not a folder this script made" ;;
    esac
    say "stopped, and removed $dir"
  else
    say "the recorded folder '$dir' is gone already"
  fi
  rm -f "$state"
}

cmd_restart() {
  local dir
  dir=$(recorded_dir)
  [ -n "$dir" ] || die "no test cluster to restart"
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null || die "could not stop the server in $dir"
  start_server "$dir" || die "could not start the server in $dir again (see $dir/server.log)"
  say "restarted in $dir on port $(port_of "$dir")"
}

cmd_tune() {
  local dir mem_kb
  dir=$(recorded_dir)
  [ -n "$dir" ] && running "$dir" || die "no test cluster is running (state file $state): run 'start' first"
  mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || true)
  [ -n "$mem_kb" ] || die "cannot read this machine's memory from /proc/meminfo"
  # In a container with a memory limit, the limit (cgroup v2) is the memory there is.
  local limit
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || true)
  case "$limit" in '' | max) ;; *) if [ $((limit / 1024)) -lt "$mem_kb" ]; then mem_kb=$((limit / 1024)); fi ;; esac
  # docs/operations.md, "The settings that matter": a quarter of the memory for shared_buffers (at most 8 GB here), the
  # operating system's cache for the rest; sorts and index builds in memory; checkpoints spaced out for big imports.
  local shared=$((mem_kb / 4 / 1024)) cache=$((mem_kb * 3 / 4 / 1024))
  if [ "$shared" -gt 8192 ]; then shared=8192; fi
  "$BIN/psql" -X -q -h "$dir/socket" -p "$(port_of "$dir")" -U "$owner" -d postgres -v ON_ERROR_STOP=1 \
    -c "ALTER SYSTEM SET shared_buffers = '${shared}MB'" \
    -c "ALTER SYSTEM SET effective_cache_size = '${cache}MB'" \
    -c "ALTER SYSTEM SET work_mem = '64MB'" \
    -c "ALTER SYSTEM SET maintenance_work_mem = '512MB'" \
    -c "ALTER SYSTEM SET max_wal_size = '8GB'" >&2 || die "could not set the cluster's memory settings"
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || die "could not stop the server in $dir"
  start_server "$dir" ||
    die "could not start the server in $dir with the new settings (see $dir/server.log; they are in its data/postgresql.auto.conf; 'stop' removes the folder)"
  say "tuned (shared_buffers ${shared}MB, effective_cache_size ${cache}MB, work_mem 64MB, maintenance_work_mem 512MB, max_wal_size 8GB) and restarted in $dir on port $(port_of "$dir")"
}

cmd_log() { # lines
  local dir
  dir=$(recorded_dir)
  [ -n "$dir" ] || { say "no test cluster recorded"; return 0; }
  if running "$dir"; then say "running in $dir on port $(port_of "$dir")"; else say "NOT running (folder $dir)"; fi
  echo "--- the last ${1:-40} lines of $dir/server.log ---" >&2
  tail -n "${1:-40}" "$dir/server.log" >&2 2>/dev/null || true
}

case "${1:-}" in
  log) BIN=$(bindir); cmd_log "${2:-40}" ;;
  tune) BIN=$(bindir); cmd_tune ;;
  restart) BIN=$(bindir); cmd_restart ;;
  start) BIN=$(bindir); cmd_start ;;
  env) BIN=$(bindir); cmd_env ;;
  status) BIN=$(bindir); cmd_status ;;
  stop) BIN=$(bindir); cmd_stop ;;
  *)
    echo "usage: $0 start|env|status|stop|restart|log [N]|tune" >&2
    exit 2
    ;;
esac
