#!/usr/bin/env bash
# Issue 30's faults, on PostgreSQL: two `afterdesk serve` on one database dispatch a generated dealership's due touches
# (thousands of messages) through local Twilio-compatible and SMTP servers.
#   1. Both send; then the holder of the scheduler's lease is killed with kill -9 in the middle of its dispatch, and the
#      other finishes alone (it takes the lease, reconciles what the dead one left in doubt, decides and sends the rest).
#   2. Both send; then PostgreSQL itself is restarted as a crash would stop it (-m immediate); both servers must be
#      sending again within 60 s of its return, on their own, and finish.
# Each ends checked as the dispatch crash test checks (scripts/dispatch-crash-test.sh): each SMS once at the provider,
# an email at most re-sent under the same Message-ID, nothing lost, and the database as a clean dispatch leaves it
# (sent_at aside: the servers' clocks run, from the clean dispatch's instant). The counts are printed.
#      A server PostgresNIO left waiting for ever on a statement lost as its connection closed ends itself 15 s on
#      (StatementWatch, exit 1, to be started again by its service manager): the test says so and checks the rest.
# FAULT_SCENARIOS names the scenarios to run, in order (default "killed restarted"); a name again runs it again on a
# fresh copy, to look for a rare fault (FAULT_SCENARIOS="restarted restarted restarted"). FAULT_KEEP_LOGS=DIR keeps the
# servers' whole output.
# Needs the test cluster (scripts/test.sh starts it: AFTERDESK_TEST_POSTGRES_URL and AFTERDESK_PG_STATE). Uses the debug
# build. About two minutes (FAULT_DEALS_PER_DAY, default 25: about 2,100 messages, 1,000 of them SMS).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
python=/usr/bin/python3; [ -x "$python" ] || python=python3
work=$(mktemp -d)
AFTERDESK_CRASH_BACKENDS=postgres
source scripts/crash-db.sh
source scripts/dispatch-lib.sh
pids=()
servers=()
declare -A server_out=() # each server's output, by pid
cleanup() {
  for p in "${servers[@]}" "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  crash_db_cleanup
  # FAULT_KEEP_LOGS=DIR keeps the servers' whole output (a failed stop's is cut to its last lines above).
  [ -z "${FAULT_KEEP_LOGS:-}" ] || { mkdir -p "$FAULT_KEEP_LOGS" && cp "$work"/*.out "$work"/*stacks.txt "$FAULT_KEEP_LOGS"/ 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT
: "${AFTERDESK_PG_STATE:?names the test cluster to restart: run scripts/test.sh, or set it and start one with scripts/pg-test-cluster.sh start}"
status=0
# Said here and kept for the end of the test command's output (scripts/test.sh prints $AFTERDESK_FAILURES last).
fail() { echo "FAIL: group fault test: $*" | tee -a "${AFTERDESK_FAILURES:-/dev/null}"; status=1; }
# psql never waits long on a database that does not answer.
export PGCONNECT_TIMEOUT=10 PGOPTIONS="-c statement_timeout=60s"

# What a dispatch leaves, sent_at aside (the servers' clocks run on from $now; the clean dispatch's stands still).
outcome() { # DB
  q "$1" "
    SELECT id, status, $(ts due_at), status_reason FROM touches ORDER BY id;
    SELECT idempotency_key, channel, recipient, subject, body, status FROM outbox ORDER BY idempotency_key;
    SELECT touch_id, assignee_id, title, status FROM tasks ORDER BY touch_id;"
}
counts() { q "$1" "SELECT COUNT(*) FILTER (WHERE status = 'sent'), COUNT(*) FILTER (WHERE status = 'sending'), COUNT(*) FILTER (WHERE status = 'queued') FROM outbox"; }

providers() { # tag: the local SMS and SMTP servers, logging to $work/TAG-sms.jsonl and $work/TAG-mail
  rm -f "$work"/*.in
  start sms Tests/Support/fake_twilio.py "$work/$1-sms.jsonl" AC1 tok --delay "${SMS_DELAY:-0.01}"
  start smtp Tests/Support/smtp_sink.py "$work/$1-mail"
  write_config "$work/afterdesk.yaml"
}
stop_providers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pids=(); }

# serve_two DB TAG: two servers on DB, their clocks running from $now, a round every 2 s, a 6 s lease renewed every 2 s.
serve_two() {
  local db=$1 tag=$2 i
  servers=()
  for i in 1 2; do
    AFTERDESK_NOW="$now" AFTERDESK_CLOCK=running "$bin" serve --db "$db" --config "$work/afterdesk.yaml" \
      --port "$((${FAULT_PORT:-18641} + i))" --every 2 --scheduler-lease 6 --scheduler-renew 2 > "$work/$tag-serve$i.out" 2>&1 &
    servers+=($!)
    server_out[$!]="$work/$tag-serve$i.out"
  done
}

# until_ SECONDS CONDITION...: polls CONDITION every 0.2 s (at least once); false when SECONDS pass first.
until_() {
  local deadline=$((SECONDS + $1)); shift
  while :; do
    "$@" && return 0
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]; }
sms_count() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
# Both servers have claimed messages, a tenth of the clean dispatch's SMS is out, and messages are still queued.
both_sending() { # db log
  local claimers queued
  claimers=$(q "$1" "SELECT COUNT(DISTINCT claimed_by) FROM outbox WHERE claimed_by IS NOT NULL")
  queued=$(q "$1" "SELECT COUNT(*) FROM outbox WHERE status = 'queued'")
  # The lease's holder has a page in flight: what its death leaves in doubt is the other's to reconcile.
  in_flight=$(q "$1" "SELECT COUNT(*) FROM outbox o JOIN leases l ON l.name = 'scheduler' AND o.claimed_by = l.holder WHERE o.status = 'sending'")
  [ "$claimers" -ge 2 ] && [ "$(sms_count "$2")" -ge $((clean_sms / 10)) ] && [ "$queued" -gt 0 ] && [ "$in_flight" -gt 0 ]
}
# Everything the clean dispatch sent at $now is sent, nothing is in doubt.
finished() { # db
  local c; c=$(counts "$1"); IFS='|' read -r f_sent f_sending _ <<<"$c"
  [ "$f_sent" -ge "$clean_sent" ] && [ "$f_sending" = 0 ]
}
per_server() { q "$1" "SELECT COUNT(*) FROM outbox WHERE status = 'sent' GROUP BY claimed_by ORDER BY 1 DESC" | paste -sd/ -; }

# check TAG DB: the exactly-once checks against the clean dispatch.
check() {
  local tag=$1 db=$2 log="$work/$1-sms.jsonl" mail="$work/$1-mail" sms keys texts mails ids
  sms=$(sms_count "$log")
  keys=$("$python" -c "import json,sys; print(len({json.loads(l)['key'] for l in open(sys.argv[1])}))" "$log")
  texts=$("$python" -c "import json,sys; print(len({(json.loads(l)['to'], json.loads(l)['body']) for l in open(sys.argv[1])}))" "$log")
  mails=$(ls "$mail"/*.eml 2>/dev/null | wc -l)
  ids=$(count_unique_ids "$mail")
  repeats=0
  if [ -f "$log.repeats" ]; then repeats=$(wc -l < "$log.repeats"); fi
  outcome "$db" > "$work/$tag.txt"
  if [ "$repeats" != 0 ]; then
    fail "$tag: $repeats SMS sent again under a key the provider already had (its idempotency saved them; Afterdesk must not rely on it)"
  elif [ "$sms" != "$keys" ] || [ "$sms" != "$texts" ] || [ "$sms" != "$clean_sms" ]; then
    fail "$tag: $sms SMS at the provider for $keys touches ($texts distinct texts); a clean dispatch sends $clean_sms"
    # What differs, and the SMS the provider lacks as the outbox has them: where a text stopped is where to look.
    { diff "$work/clean.txt" "$work/$tag.txt" | head -10; } || true
    "$python" -c "import json,sys; print('\\n'.join(sorted({json.loads(l)['key'] for l in open(sys.argv[1])})))" "$log" > "$work/$tag-keys.txt"
    q "$db" "SELECT idempotency_key, status, attempts, $(ts next_attempt_at), claimed_by, last_error FROM outbox
             WHERE channel = 'sms' ORDER BY idempotency_key" |
      while IFS='|' read -r key rest; do grep -qxF "$key" "$work/$tag-keys.txt" || echo "not at the provider: $key|$rest"; done | head -10 || true
  elif [ "$ids" != "$clean_mail" ]; then
    fail "$tag: $ids distinct emails; a clean dispatch sends $clean_mail"
  elif ! cmp -s "$work/clean.txt" "$work/$tag.txt"; then
    fail "$tag: the database differs from a clean dispatch"; { diff "$work/clean.txt" "$work/$tag.txt" | head -10; } || true
  else
    echo "$tag: $sms SMS, each once at the provider and none sent again under its key; $ids distinct emails ($((mails - ids)) re-sent under the same Message-ID); the database equals a clean dispatch"
  fi
}

# What a server says when StatementWatch ends it (exit 1): a statement PostgresNIO lost as its connection closed.
watch_said="afterdesk: a statement on a PostgreSQL connection that closed"

# said TAG: what each server of TAG said last, and how a crash ended it (its fatal error and the frames of the crashed
# thread, not the loaded images a backtrace ends with, which are all its last lines show).
said() {
  local f
  for f in "$work/$1-serve"*.out; do
    echo "==> ${f##*/}: its last lines"
    grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$f" | tail -n 15 || true
    if grep -q -E 'Fatal error|Program crashed|CONTINUATION MISUSE' "$f"; then
      echo "==> ${f##*/}: how it ended"
      grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T|^0x|^$' "$f" | grep -v -E '^Images|^Backtrace took' | head -n 40 || true
    fi
  done
}

# settle TAG DB: stops the servers still running (SIGTERM), then the retries a clean dispatch runs at $later.
settle() {
  local p
  for p in "${servers[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  # A server stops within seconds of SIGTERM (its page in flight ends whole, its pool closes) and exits 0. One still
  # running 10 s after it is said, with where its threads wait (gdb, when the machine lets it attach); serve bounds its
  # own stop (Stopping, Sources/AfterdeskWorkflows/Setup/Stopping.swift: its watchdog exits 75 s after the signal), so
  # one running 90 s after it, one that exits otherwise than 0, or one that says its stop was cut short fails the test.
  local stopping=$SECONDS rc
  for p in "${servers[@]}"; do
    until_ $((stopping + 10 - SECONDS)) gone "$p" && continue
    echo "$1: server $p still running 10 s after SIGTERM; its last lines and threads:"
    tail -n 8 "$work/$1-serve"*.out || true
    if command -v gdb > /dev/null; then
      timeout 60 gdb -p "$p" -batch -ex "thread apply all bt 30" > "$work/$1-$p-stacks.txt" 2>&1 || true
      [ -z "${FAULT_KEEP_STACKS:-}" ] || cp "$work/$1-$p-stacks.txt" "$FAULT_KEEP_STACKS" || true
      if grep -q '^#' "$work/$1-$p-stacks.txt"; then
        grep -E '^#' "$work/$1-$p-stacks.txt" | grep -v -E ' in (__|futex|syscall|epoll|pthread_cond)' | head -40 || true
      else
        tail -n 3 "$work/$1-$p-stacks.txt" || true
      fi
    fi
  done
  # gdb stops a process while it looks: the deadline counts from after the looks, 90 s at least from the signal.
  local deadline=$((SECONDS > stopping + 30 ? SECONDS + 60 : stopping + 90))
  for p in "${servers[@]}"; do
    if until_ $((deadline - SECONDS)) gone "$p"; then
      rc=0; wait "$p" 2>/dev/null || rc=$?
      if [ "$rc" = 0 ]; then
        echo "$1: server $p stopped $((SECONDS - stopping)) s after SIGTERM"
      elif [[ $1 == restarted* ]] && [ "$rc" = 1 ] && grep -q "$watch_said" "${server_out[$p]}"; then
        # StatementWatch (Sources/AfterdeskPostgres/Support/StatementWatch.swift): after PostgreSQL's restart, a statement
        # PostgresNIO lost in the instant between its check and its write; the process ended to be started again, as
        # designed, and the database is checked below all the same. Said where CI shows it. (A statement written unchecked
        # is caught by ConnectionWaitTests, every time; here it would be one restart in three.)
        echo "NOTE: $1: server $p exited 1 after PostgreSQL's restart: a statement lost as its connection closed (StatementWatch)" |
          tee -a "${AFTERDESK_FAILURES:-/dev/null}"
      else
        fail "$1: server $p exited $rc after SIGTERM ($((SECONDS - stopping)) s), not 0"
        said "$1" | tee -a "${AFTERDESK_FAILURES:-/dev/null}" || true
      fi
      continue
    fi
    fail "$1: server $p still running $((SECONDS - stopping)) s after SIGTERM"
    said "$1" | tee -a "${AFTERDESK_FAILURES:-/dev/null}" || true
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if grep -l -E 'connections still open|stop took too long|still running .* after the signal|Cancellation took longer|CONTINUATION MISUSE' "$work/$1-serve"*.out; then
    fail "$1: a server's stop was cut short (its output above)"
  fi
  servers=()
  timeout 180 "$bin" run --db "$2" --config "$work/afterdesk.yaml" --now "$later" > /dev/null || fail "$1: the retries at $later failed ($?)"
  stop_providers
  check "$1" "$2"
}

began=$SECONDS
echo "== two servers on one PostgreSQL database"
base=$(DEALS_PER_DAY=${FAULT_DEALS_PER_DAY:-25} base postgres)
when "$base"
echo "a generated dealership on PostgreSQL in $((SECONDS - began)) s"

# The clean dispatch: one `afterdesk run` at $now, then the retries at $later.
clean=$(new_db postgres clean "$base")
providers clean
"$bin" run --db "$clean" --config "$work/afterdesk.yaml" --now "$now" > /dev/null
clean_sent=$(q "$clean" "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
"$bin" run --db "$clean" --config "$work/afterdesk.yaml" --now "$later" > /dev/null
stop_providers
outcome "$clean" > "$work/clean.txt"
clean_sms=$(sms_count "$work/clean-sms.jsonl")
clean_mail=$(ls "$work/clean-mail"/*.eml | wc -l)
echo "clean dispatch at $now: $clean_sms SMS, $clean_mail emails ($clean_sent messages sent at once); $((SECONDS - began)) s in"
[ "$clean_sms" -ge 1000 ] || fail "too few SMS to test ($clean_sms): FAULT_DEALS_PER_DAY is too low"

# 1. kill -9 the lease's holder while both send.
killed() { # TAG
  local tag=$1
  db=$(new_db postgres "$tag" "$base")
  providers "$tag"
  serve_two "$db" "$tag"
  if ! until_ 90 both_sending "$db" "$work/$tag-sms.jsonl"; then
    fail "$tag: the two servers were not both sending within 90 s"; tail -n 5 "$work/$tag"-serve*.out
  else
    holder=$(q "$db" "SELECT holder FROM leases WHERE name = 'scheduler'")
    victim=$(echo "$holder" | cut -d: -f2)
    case " ${servers[*]} " in *" $victim "*) ;; *) fail "$tag: the lease's holder '$holder' is not one of the two servers"; victim="" ;; esac
    IFS='|' read -r k_sent k_sending k_queued <<<"$(counts "$db")"
    k_split=$(per_server "$db")
    [ -z "$victim" ] || kill -9 "$victim"
    killed_at=$SECONDS
    survivor=""; for p in "${servers[@]}"; do [ "$p" = "$victim" ] || survivor=$p; done
    servers=("$survivor")
    echo "kill -9 of the holder (pid $victim) after $(sms_count "$work/$tag-sms.jsonl") SMS: the outbox then $k_sent sent ($k_split by server), $k_sending in doubt, $k_queued queued"
    if until_ 120 finished "$db"; then
      left=$(q "$db" "SELECT COUNT(*) FROM outbox WHERE claimed_by = '$holder' AND status <> 'sent'")
      echo "the other server finished alone in $((SECONDS - killed_at)) s (sent by server: $(per_server "$db")); the dead one's claims not sent: $left"
    else
      fail "$tag: the other server did not finish within 120 s ($(counts "$db") sent|sending|queued)"; tail -n 5 "$work/$tag-serve"*.out
    fi
  fi
  settle "$tag" "$db"
  echo "$((SECONDS - began)) s in"
}

# 2. PostgreSQL restarted as a crash would stop it, while both send.
restarted() { # TAG
  local tag=$1
  db=$(new_db postgres "$tag" "$base")
  providers "$tag"
  serve_two "$db" "$tag"
  log="$work/$tag-sms.jsonl"
  if ! until_ 90 both_sending "$db" "$log"; then
    fail "$tag: the two servers were not both sending within 90 s"; tail -n 5 "$work/$tag"-serve*.out
  else
    before=$(sms_count "$log")
    scripts/pg-test-cluster.sh restart
    back_at=$SECONDS
    at_return=$(q "$db" "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
    # Sending again: messages the servers recorded sent in the database since it returned (not SMS from a page in flight
    # at the crash, which go out without it).
    again() { [ "$(q "$db" "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")" -gt $((at_return + 50)) ] || finished "$db"; }
    if until_ 60 again; then
      echo "PostgreSQL restarted after $before SMS; the servers were sending again $((SECONDS - back_at)) s after it was back"
    else
      fail "$tag: no server was sending 60 s after PostgreSQL was back ($at_return messages sent then)"
      tail -n 5 "$work/$tag"-serve*.out
    fi
    for i in 1 2; do
      if curl -fsS --max-time 10 "http://127.0.0.1:$((${FAULT_PORT:-18641} + i))/health?scope=server" > /dev/null; then :
      elif grep -q "$watch_said" "$work/$tag-serve$i.out"; then
        echo "NOTE: $tag: server $i ended itself after the restart (StatementWatch, exit 1)"
      else
        fail "$tag: server $i does not say it is healthy after the restart"
      fi
    done
    if until_ 120 finished "$db"; then
      echo "both finished $((SECONDS - back_at)) s after the restart (sent by server: $(per_server "$db"))"
    else
      fail "$tag: the servers did not finish within 120 s of the restart ($(counts "$db") sent|sending|queued)"
    fi
  fi
  settle "$tag" "$db"
}

# FAULT_SCENARIOS: which, in order (a name again runs it again, on a fresh copy: a rare fault is looked for so).
kills=0
restarts=0
for scenario in ${FAULT_SCENARIOS:-killed restarted}; do
  case $scenario in
    killed) kills=$((kills + 1)); killed "killed$([ $kills = 1 ] || echo $kills)" ;;
    restarted) restarts=$((restarts + 1)); restarted "restarted$([ $restarts = 1 ] || echo $restarts)" ;;
    *) fail "FAULT_SCENARIOS: no scenario $scenario (killed, restarted)" ;;
  esac
done
echo "group fault tests: $((SECONDS - began)) s"
exit $status
