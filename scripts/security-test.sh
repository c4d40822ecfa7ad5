#!/usr/bin/env bash
# Issue 23's attacks on a live server: a fresh demo database, `afterdesk serve` on 127.0.0.1 (stopped at the end), then
# Tests/Security/live_probe.py as a stranger, a salesperson, an F&I manager limited to one store, and with a token:
# deeply nested JSON (API, upload page, command line), a burst of parallel password guesses, redirects off the site,
# imports into another store, a negative sale. Any check that fails fails the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SECURITY_TEST_PORT:-18623}"
source scripts/demo-server.sh
demo_server "$PORT" 3 admin
if ! python3 Tests/Security/live_probe.py "http://127.0.0.1:$PORT" "$WORK/demo.sqlite" "$BIN" "$TOKEN" "$WORK"; then
    echo "--- server log ---"; tail -30 "$WORK/serve.log"; exit 1
fi
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: the server died during the probe"; tail -30 "$WORK/serve.log"; exit 1; }
echo "security-test: every attack held"
