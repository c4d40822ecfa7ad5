#!/usr/bin/env bash
# The web pages in a real browser: a fresh demo database, `afterdesk serve` on it (127.0.0.1, stopped at the end),
# then Tests/Browser/web_flow.py drives Debian's chromium through Playwright. Screenshots of every main page, at
# desktop width and at 375 px, go to browser-screenshots/ (SCREENSHOTS to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
SHOTS="${SCREENSHOTS:-browser-screenshots}"
PORT="${BROWSER_TEST_PORT:-18480}"
WORK="$(mktemp -d)"
BIN="$(swift build --show-bin-path)/afterdesk"
[ -x "$BIN" ] || swift build --product afterdesk
"$BIN" demo --db "$WORK/demo.sqlite" --dir "$WORK/demo" --days 7 > "$WORK/demo.txt"
# The server stops by itself after 10 minutes whatever happens to this script.
timeout 600 "$BIN" serve --db "$WORK/demo.sqlite" --host 127.0.0.1 --port "$PORT" --every 3600 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
    sleep 0.2
done
# Another server on the port would answer the health check: this one must be the one running.
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: afterdesk serve did not start:"; cat "$WORK/serve.log"; exit 1; }
rm -rf "$SHOTS"
if ! python3 Tests/Browser/web_flow.py "http://127.0.0.1:$PORT" "$SHOTS" "$WORK/demo/deals-last-12-months.csv" "$WORK/demo.txt"; then
    echo "--- server log ---"; tail -50 "$WORK/serve.log"; exit 1
fi
