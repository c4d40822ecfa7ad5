#!/usr/bin/env bash
# The command line's exit codes (INTERFACES.md; decided in one place, Sources/afterdesk/ExitCodes.swift): a store error
# of each kind ends a command with its code and its message on standard error. Uses the debug build of `afterdesk`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/debug/afterdesk"
[ -x "$bin" ] || swift build --product afterdesk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failed=0
expect() {  # expect CODE MESSAGE-PART COMMAND...
  local code=$1 part=$2; shift 2
  "$bin" "$@" --db t.sqlite >out.txt 2>err.txt
  local got=$?
  if [ "$got" != "$code" ] || ! grep -q -- "$part" err.txt; then
    echo "FAIL: afterdesk $* exited $got (expected $code) with: $(cat err.txt)"; failed=1
  else
    echo "ok: afterdesk $* → $code"
  fi
}
: > empty.csv
expect 1 "error: no task 999" task done 999 --outcome booked
expect 1 "error: no user named nobody" users disable nobody
expect 64 "error: a user name is one word" users add "two words" --role admin
expect 64 "is not one of sales, fi, manager, bdc" staff add X1 --role pilot
expect 65 "error: empty.csv: the file is empty" import-readings empty.csv
expect 65 "cannot open" import nothere.csv
expect 64 "error: not a US phone number or an email address" opt-outs show nobody
expect 64 "error: not a US phone number or an email address" opt-outs add 555
expect 64 "--channel must be sms, email or phone" consent add 5125550142 --channel fax --evidence "signed form" --date 2026-12-01
expect 64 "error: the evidence of consent is required" consent add 5125550142 --channel sms --evidence " " --date 2026-12-01
expect 64 "error: email does not apply to a phone number" consent add 5125550142 --channel email --evidence "signed form" --date 2026-12-01
expect 64 "error: no state ZZ in the contact rules" compliance rules ZZ
expect 64 "error: TX has no emergency blackout" compliance emergency TX --on
exit $failed
