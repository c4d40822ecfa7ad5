# Sourced by the dispatch fault tests (scripts/dispatch-crash-test.sh, scripts/group-fault-test.sh): the local
# providers, a generated dealership's base database, the instant to dispatch at, the settings file, and what a dispatch
# leaves in the database. Needs $bin, $python and $work (and scripts/crash-db.sh sourced first, for `q` and `new_db`).

# Servers that stop when their stdin closes: keep a pipe open to each.
start() { # name script args...
  local name=$1; shift
  mkfifo "$work/$name.in"
  "$python" "$@" < "$work/$name.in" > "$work/$name.port" 2> "$work/$name.err" &
  pids+=($!)
  exec {fd}> "$work/$name.in"
  for _ in $(seq 50); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  [ -s "$work/$name.port" ] || { echo "$name did not start:"; cat "$work/$name.err"; exit 1; }
}

# A generated dealership, planned (made once per backend); dispatched 40 days later, when many touches are due.
base() {  # base BACKEND: the base database's location
  local db; db=$(new_db "$1" base)
  "$bin" demo --db "$db" --dir "$work/gen" --deals-per-day "${DEALS_PER_DAY:-12}" --seed 5 --days 0 > /dev/null
  echo "$db"
}
# when DB: sets now (16:00 UTC on the first Wednesday or Thursday at least 40 days after the first planned touch, that
# is no legal holiday of the states the rules list) and later (2 hours after it). The demo plans from today's date, so
# 40 days on alone fell on a Sunday one day in seven: the store is closed, several states forbid contact, and a third
# of the messages went; the two servers of the group fault test were then done before both were seen sending.
when() {
  local planned_at
  case "$1" in
    postgres://*) planned_at=$(q "$1" "SELECT $(ts 'MIN(planned_at)') FROM touches") ;;
    *) planned_at=$(q "$1" "SELECT MIN(planned_at) FROM touches") ;;
  esac
  now=$("$python" - "$planned_at" <<'PY'
import datetime, sys
day = (datetime.datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00')) + datetime.timedelta(days=40)).date()
fixed = {'01-01', '06-14', '06-19', '07-04', '11-11', '12-24', '12-25', '12-26', '12-31'}
def quiet(d):  # a Wednesday or Thursday, not a fixed-date holiday, not Thanksgiving (the fourth Thursday of November)
    return d.weekday() in (2, 3) and d.strftime('%m-%d') not in fixed and not (d.month == 11 and d.weekday() == 3 and 22 <= d.day <= 28)
while not quiet(day):
    day += datetime.timedelta(days=1)
print(day.strftime('%Y-%m-%dT16:00:00Z'))
PY
)
  later=$("$python" -c "import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')); print((t+datetime.timedelta(hours=2)).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$now")
}

# write_config FILE: the settings of a dispatch through the local providers started by `start sms` and `start smtp`.
write_config() {
  cat > "$1" <<CONF
public_url: https://afterdesk.test
sms_base_url: http://127.0.0.1:$(cat "$work/sms.port")
sms_account_sid: AC1
sms_auth_token: tok
sms_from: "+15125550100"
smtp_url: smtp://127.0.0.1:$(cat "$work/smtp.port")
email_from: Lakeside Motors <service@lakeside.example>
crm_lead_email: leads@crm.example
signing_secret: fixed-for-the-test
CONF
}

stable() {  # stable DB: what a dispatch leaves, in the same columns, order and format on both backends
  case "$1" in
    postgres://*)
      q "$1" "
        SELECT id, status, $(ts due_at), $(ts sent_at), status_reason FROM touches ORDER BY id;
        SELECT idempotency_key, channel, recipient, subject, body, status FROM outbox ORDER BY idempotency_key;
        SELECT touch_id, assignee_id, title, status FROM tasks ORDER BY touch_id;" ;;
    *)
      q "$1" "
        SELECT id, status, due_at, sent_at, status_reason FROM touches ORDER BY id;
        SELECT idempotency_key, channel, recipient, subject, body, status FROM outbox ORDER BY idempotency_key;
        SELECT touch_id, assignee_id, title, status FROM tasks ORDER BY touch_id;
        PRAGMA integrity_check; PRAGMA foreign_key_check;" ;;
  esac
}

count_unique_ids() { grep -h -i '^Message-ID:' "$1"/*.eml 2>/dev/null | sort -u | wc -l; }

