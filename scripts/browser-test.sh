#!/usr/bin/env bash
# The web pages in a real browser: a fresh demo database, `afterdesk serve` on it (127.0.0.1, stopped at the end),
# then Tests/Browser/web_flow.py drives Debian's chromium through Playwright. Screenshots of every main page, at
# desktop width and at 375 px, go to browser-screenshots/ (SCREENSHOTS to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
SHOTS="${SCREENSHOTS:-browser-screenshots}"
PORT="${BROWSER_TEST_PORT:-18480}"
source scripts/demo-server.sh
demo_server "$PORT" 7
rm -rf "$SHOTS"
if ! python3 Tests/Browser/web_flow.py "http://127.0.0.1:$PORT" "$SHOTS" "$WORK/demo/deals-last-12-months.csv" "$WORK/demo.txt" "$WORK/demo.sqlite"; then
    echo "--- server log ---"; tail -50 "$WORK/serve.log"; exit 1
fi
