#!/usr/bin/env bash
# The JSON API against its spec, on a live server: docs/openapi.yaml must be valid OpenAPI 3.1
# (openapi-spec-validator), and schemathesis drives every operation of it with a token, on a server started from a
# fresh demo database (127.0.0.1, stopped at the end). Any 5xx, or any response that breaks the schema, fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${API_TEST_PORT:-18622}"
WORK="$(mktemp -d)"
BIN="$(swift build --show-bin-path)/afterdesk"
[ -x "$BIN" ] || swift build --product afterdesk
python3 -m openapi_spec_validator docs/openapi.yaml
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
# Another server on the port would answer the health check: this one must be the one running.
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: afterdesk serve did not start:"; cat "$WORK/serve.log"; exit 1; }
cd "$WORK"
if ! python3 -m schemathesis.cli run "$OLDPWD/docs/openapi.yaml" --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance --max-examples 15 --seed 2026 --no-color; then
    echo "--- server log ---"; tail -30 "$WORK/serve.log"; exit 1
fi
