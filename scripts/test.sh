#!/usr/bin/env bash
# The test command: unit, store, delivery and server tests (the storage contract on SQLite and on PostgreSQL, in a
# throwaway cluster started here, with the cases each backend passed counted; the router, API, page, dispatch and import
# tests on both too), the command line on PostgreSQL against SQLite (scripts/pg-cli-test.sh), the kill -9 crash tests of
# import and dispatch on both databases, two servers on one PostgreSQL database under a kill -9 and a restart of the
# database, the command line's exit codes, the README's install (the one binary, started from another folder), the web pages in a
# real browser (screenshots in browser-screenshots/), then the JSON API against docs/openapi.yaml with schemathesis
# (after checking the generated API code against it),
# then issue 23's attacks on a live server (scripts/security-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh tests
# One throwaway PostgreSQL cluster for this run (its own state file, so a cluster started by hand is left alone),
# stopped when the run ends however it ends; the storage tests make their databases in it (issue 29).
export AFTERDESK_PG_STATE=$(mktemp -u "${TMPDIR:-/tmp}/afterdesk-pg-run.XXXXXX")
export AFTERDESK_TEST_TALLY=$(mktemp "${TMPDIR:-/tmp}/afterdesk-tally.XXXXXX")
# On a failure, PostgreSQL's own last words come first (a cluster that went away says why in its log).
# Then, last (CI shows the end of the output), the command that failed and what the tests wrote to $AFTERDESK_FAILURES.
export AFTERDESK_FAILURES=$(mktemp "${TMPDIR:-/tmp}/afterdesk-failures.XXXXXX")
failed_command=""
trap 'failed_command=$BASH_COMMAND' ERR
trap 'status=$?; if [ $status -ne 0 ]; then scripts/pg-test-cluster.sh log 40 || true; echo "== the test command failed ($status): $failed_command"; cat "$AFTERDESK_FAILURES"; fi; scripts/pg-test-cluster.sh stop || true; rm -f "$AFTERDESK_TEST_TALLY" "$AFTERDESK_FAILURES"' EXIT
eval "$(scripts/pg-test-cluster.sh start)"
# PostgreSQL's baseline against SQLite's schema, table by table, without Swift (seconds).
scripts/pg-schema-check.sh
swift build --build-tests
# The committed API code is what docs/openapi.yaml generates (builds the generator once: about 2 min cold, then ~10 s).
scripts/generate-api.sh --check
# Bounded: the suite takes minutes; a test that waits for ever fails the run here, with the log, instead of CI's limit.
# (-k: a test process that ignores SIGTERM is killed.)
# Its output is kept too: when it fails, what says why (a failed expectation, a crash and its backtrace) is copied to
# $AFTERDESK_FAILURES, printed last, since CI shows only the end of the output and parallel suites go on printing.
swift_log=$(mktemp "${TMPDIR:-/tmp}/afterdesk-swift-test.XXXXXX")
timeout -k 30 "${AFTERDESK_TEST_LIMIT:-1800}" swift test --skip-build 2>&1 | tee "$swift_log" ||
  {
    status=$?
    failed_command="swift test"
    [ $status -ne 124 ] || echo "FAIL: swift test ran past ${AFTERDESK_TEST_LIMIT:-1800} s and was stopped" >>"$AFTERDESK_FAILURES"
    {
      echo "== what swift test said of the failure (from $swift_log):"
      grep -a -n -E -A 40 'Program crashed|Fatal error|Precondition failed|Assertion failed|signal code|[Ee]xited with|afterdesk: a statement on a PostgreSQL' "$swift_log" | head -150 || true
      grep -a -n -E '✘|error:' "$swift_log" | head -60 || true
    } >>"$AFTERDESK_FAILURES"
    exit $status
  }
rm -f "$swift_log"
scripts/backend-tally.sh "$AFTERDESK_TEST_TALLY"
# The command line on PostgreSQL: the demo and the everyday commands say what they say on SQLite.
scripts/pg-cli-test.sh
scripts/crash-test.sh
scripts/dispatch-crash-test.sh
# Two servers on one PostgreSQL database: kill -9 of one mid-dispatch, then PostgreSQL restarted mid-dispatch (issue 30).
timeout -k 10 900 scripts/group-fault-test.sh
scripts/cli-exit-test.sh
scripts/install-test.sh
scripts/browser-test.sh
scripts/api-test.sh
scripts/security-test.sh
scripts/compliance-test.sh
scripts/trade-test.sh
