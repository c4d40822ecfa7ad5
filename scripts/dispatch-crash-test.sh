#!/usr/bin/env bash
# kill -9 a dispatch (`afterdesk run`) at several moments while it sends through real local servers (a
# Twilio-compatible API and an aiosmtpd SMTP server), restart it, and check that nothing was sent twice, nothing
# was lost, and the database ends exactly as after one uninterrupted dispatch. Then SIGTERM to `afterdesk serve` in
# the middle of its first dispatch: it must finish the page in flight (nothing left in doubt), exit 0, and the next
# run must end as the clean dispatch. On SQLite, then on PostgreSQL (scripts/crash-db.sh: each run on a copy of the
# base database, `CREATE DATABASE … TEMPLATE` there). Uses the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
python=/usr/bin/python3; [ -x "$python" ] || python=python3
work=$(mktemp -d)
source scripts/crash-db.sh
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; crash_db_cleanup; rm -rf "$work"; }
trap cleanup EXIT

source scripts/dispatch-lib.sh

dispatch() { # db sms_log mail_dir [kill_after]
  local db=$1 log=$2 mail=$3 kill_after=${4:-}
  rm -f "$work"/*.in
  start sms Tests/Support/fake_twilio.py "$log" AC1 tok --delay 0.004
  start smtp Tests/Support/smtp_sink.py "$mail"
  write_config "$work/afterdesk.yaml"
  if [ "${kill_after:-}" = "term" ]; then
    # serve dispatches at once on start (its clock is AFTERDESK_NOW); SIGTERM once sending has begun.
    AFTERDESK_NOW="$now" "$bin" serve --db "$db" --config "$work/afterdesk.yaml" --port "${SERVE_PORT:-18611}" --every 3600 \
      > "$work/serve.out" 2>&1 &
    local pid=$!
    for _ in $(seq 300); do [ -s "$log" ] && [ "$(wc -l < "$log")" -ge 20 ] && break; sleep 0.05; done
    local before_term; before_term=$(wc -l < "$log")
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    at_kill=$(q "$db" "SELECT COUNT(*) FILTER (WHERE status = 'sent'), COUNT(*) FILTER (WHERE status = 'sending'), COUNT(*) FILTER (WHERE status = 'queued') FROM outbox")
    echo "$at_kill|$rc|$before_term" > "$work/at-kill"
  elif [ -n "$kill_after" ]; then
    "$bin" run --db "$db" --config "$work/afterdesk.yaml" --now "$now" > /dev/null 2>&1 &
    local pid=$!
    sleep "$kill_after"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    at_kill=$(q "$db" "SELECT COUNT(*) FILTER (WHERE status = 'sent'), COUNT(*) FILTER (WHERE status = 'sending'), COUNT(*) FILTER (WHERE status = 'queued') FROM outbox" 2>/dev/null || echo "?")
    echo "$at_kill" > "$work/at-kill"
  fi
  "$bin" run --db "$db" --config "$work/afterdesk.yaml" --now "$now" > /dev/null
  "$bin" run --db "$db" --config "$work/afterdesk.yaml" --now "$later" > /dev/null   # retries, if any
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
}

run_backend() {  # run_backend BACKEND: the clean dispatch, the kill -9 runs and the SIGTERM, on BACKEND
  local backend=$1 base clean db log mail sms keys texts mails ids delay
  echo "== $backend"
  base=$(base "$backend")
  when "$base"
  clean=$(new_db "$backend" clean "$base")
  local started took
  started=$(date +%s.%N)
  dispatch "$clean" "$work/$backend-clean-sms.jsonl" "$work/$backend-clean-mail"
  took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  stable "$clean" > "$work/clean.txt"
  clean_sms=$(wc -l < "$work/$backend-clean-sms.jsonl")
  clean_mail=$(ls "$work/$backend-clean-mail"/*.eml | wc -l)
  echo "clean dispatch at $now: $clean_sms SMS, $clean_mail emails, in ${took}s"
  [ "$clean_sms" -gt 50 ] || { echo "FAIL: $backend: too few SMS to test ($clean_sms)"; exit 1; }

  # The kills come at moments found from the clean dispatch's time and from where each kill landed (machines, loads
  # and backends differ): the first at 15% of it; the next later when the outbox was not yet written or had messages
  # queued or in doubt, earlier when everything had been sent. The test fails when fewer than 2 of the 4 kills landed
  # midway (messages queued or in doubt at the kill).
  local n=0 midway=0 factor
  delay=$(awk -v t="$took" 'BEGIN { printf "%.2f", t * 0.15 }')
  for _ in 1 2 3 4; do
    n=$((n + 1))
    db=$(new_db "$backend" "crash_$n" "$base")
    log="$work/$backend-sms-$delay.jsonl"; mail="$work/$backend-mail-$delay"
    dispatch "$db" "$log" "$mail" "$delay"
    sms=$(wc -l < "$log")
    keys=$("$python" -c "import json,sys; print(len({json.loads(l)['key'] for l in open(sys.argv[1])}))" "$log")
    texts=$("$python" -c "import json,sys; print(len({(json.loads(l)['to'], json.loads(l)['body']) for l in open(sys.argv[1])}))" "$log")
    mails=$(ls "$mail"/*.eml 2>/dev/null | wc -l)
    ids=$(count_unique_ids "$mail")
    stable "$db" > "$work/crash.txt"
    if [ "$sms" != "$keys" ] || [ "$sms" != "$texts" ] || [ "$sms" != "$clean_sms" ]; then
      echo "FAIL: $backend: kill -9 after ${delay}s: $sms SMS sent for $keys touches ($texts distinct texts); a clean dispatch sends $clean_sms"
      status=1
    elif [ "$ids" != "$clean_mail" ]; then
      echo "FAIL: $backend: kill -9 after ${delay}s: $ids distinct emails, a clean dispatch sends $clean_mail"
      status=1
    elif ! cmp -s "$work/clean.txt" "$work/crash.txt"; then
      echo "FAIL: $backend: kill -9 after ${delay}s: the database differs from a clean dispatch"
      diff "$work/clean.txt" "$work/crash.txt" | head -10
      status=1
    else
      IFS='|' read -r k_sent k_sending k_queued < "$work/at-kill"
      echo "kill -9 after ${delay}s (outbox then: $k_sent sent, $k_sending in doubt, $k_queued queued): $sms SMS, each once; $ids distinct emails ($((mails - ids)) re-sent under the same Message-ID); database equals a clean dispatch"
    fi
    IFS='|' read -r k_sent k_sending k_queued < "$work/at-kill"
    factor=1.5
    if [ "${k_sending:-?}" = "?" ] || [ "${k_queued:-?}" = "?" ]; then :
    elif [ "$k_sending" -gt 0 ] || [ "$k_queued" -gt 0 ]; then midway=$((midway + 1)); factor=1.3
    elif [ "$k_sent" -gt 0 ]; then factor=0.5
    fi
    delay=$(awk -v d="$delay" -v f="$factor" 'BEGIN { printf "%.2f", d * f }')
  done
  if [ "$midway" -lt 2 ]; then
    echo "FAIL: $backend: only $midway of the 4 kills landed midway through a dispatch: too little was tested"
    status=1
  fi

  # SIGTERM to serve mid-dispatch.
  db=$(new_db "$backend" term "$base")
  log="$work/$backend-sms-term.jsonl"; mail="$work/$backend-mail-term"
  dispatch "$db" "$log" "$mail" term
  IFS='|' read -r t_sent t_sending t_queued t_rc t_before < "$work/at-kill"
  sms=$(wc -l < "$log")
  keys=$("$python" -c "import json,sys; print(len({json.loads(l)['key'] for l in open(sys.argv[1])}))" "$log")
  ids=$(count_unique_ids "$mail")
  stable "$db" > "$work/term.txt"
  if [ "$t_rc" != "0" ]; then
    echo "FAIL: $backend: serve exited $t_rc after SIGTERM"; cat "$work/serve.out" | tail -5; status=1
  elif [ "$t_sending" != "0" ]; then
    echo "FAIL: $backend: after SIGTERM $t_sending messages were left in doubt (the page in flight was not finished)"; status=1
  elif [ "$t_queued" = "0" ]; then
    echo "FAIL: $backend: SIGTERM came after the dispatch had ended ($t_sent sent): the test did not stop it mid-dispatch"; status=1
  elif [ "$sms" != "$keys" ] || [ "$sms" != "$clean_sms" ] || [ "$ids" != "$clean_mail" ]; then
    echo "FAIL: $backend: SIGTERM: $sms SMS for $keys touches, $ids emails; a clean dispatch sends $clean_sms and $clean_mail"; status=1
  elif ! cmp -s "$work/clean.txt" "$work/term.txt"; then
    echo "FAIL: $backend: SIGTERM: the database differs from a clean dispatch"; diff "$work/clean.txt" "$work/term.txt" | head -10; status=1
  else
    echo "SIGTERM to serve after $t_before SMS: exit 0, the page in flight finished ($t_sent sent, 0 in doubt, $t_queued queued); the next run: $sms SMS, each once; database equals a clean dispatch"
  fi
}

status=0
for backend in $backends; do run_backend "$backend"; done
exit $status
