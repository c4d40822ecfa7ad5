# Sourced by the tests that need a live server (browser-test.sh, api-test.sh, security-test.sh):
#   demo_server PORT DAYS [TOKEN_USER]
# makes a fresh demo database in a temporary folder ($WORK: demo.sqlite, demo/ with its files, demo.txt with its
# output), optionally an API token for TOKEN_USER ($TOKEN), and starts `afterdesk serve` on 127.0.0.1:PORT ($SERVER;
# its log in $WORK/serve.log), stopped and cleaned up when the calling script exits, and by itself after 10 minutes
# whatever happens to it. $BIN is the debug build's `afterdesk`.
demo_server() {
    local port=$1 days=$2 token_user=${3:-}
    WORK="$(mktemp -d)"
    BIN="$(swift build --show-bin-path)/afterdesk"
    [ -x "$BIN" ] || swift build --product afterdesk
    "$BIN" demo --db "$WORK/demo.sqlite" --dir "$WORK/demo" --days "$days" > "$WORK/demo.txt"
    if [ -n "$token_user" ]; then
        TOKEN=$("$BIN" tokens add "$token_user" --db "$WORK/demo.sqlite" 2>&1 | grep -o 'adk_[A-Za-z0-9_-]*' | head -1)
        [ -n "$TOKEN" ] || { echo "FAIL: no API token was made"; exit 1; }
    fi
    timeout 600 "$BIN" serve --db "$WORK/demo.sqlite" --host 127.0.0.1 --port "$port" --every 3600 > "$WORK/serve.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
        sleep 0.2
    done
    # Another server on the port would answer the health check: this one must be the one running.
    kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: afterdesk serve did not start:"; cat "$WORK/serve.log"; exit 1; }
}
