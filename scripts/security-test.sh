#!/usr/bin/env bash
# Issue 23's attacks on a live server: a fresh demo database, `afterdesk serve` on 127.0.0.1 (stopped at the end), then
# Tests/Security/live_probe.py as a stranger, a salesperson, an F&I manager limited to one store, and with a token:
# deeply nested JSON (API, upload page, command line), a burst of parallel password guesses, redirects off the site,
# imports into another store, a negative sale. Any check that fails fails the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SECURITY_TEST_PORT:-18623}"
WORK="$(mktemp -d)"
BIN="$(swift build --show-bin-path)/afterdesk"
[ -x "$BIN" ] || swift build --product afterdesk
"$BIN" demo --db "$WORK/demo.sqlite" --dir "$WORK/demo" --days 3 > /dev/null
TOKEN=$("$BIN" tokens add admin --db "$WORK/demo.sqlite" 2>&1 | grep -o 'adk_[A-Za-z0-9_-]*' | head -1)
[ -n "$TOKEN" ] || { echo "FAIL: no API token was made"; exit 1; }
timeout 600 "$BIN" serve --db "$WORK/demo.sqlite" --host 127.0.0.1 --port "$PORT" --every 3600 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
    sleep 0.2
done
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: afterdesk serve did not start:"; cat "$WORK/serve.log"; exit 1; }
if ! python3 Tests/Security/live_probe.py "http://127.0.0.1:$PORT" "$WORK/demo.sqlite" "$BIN" "$TOKEN" "$WORK"; then
    echo "--- server log ---"; tail -30 "$WORK/serve.log"; exit 1
fi
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: the server died during the probe"; tail -30 "$WORK/serve.log"; exit 1; }
echo "security-test: every attack held"
