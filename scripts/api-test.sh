#!/usr/bin/env bash
# The JSON API against its spec, on a live server: docs/openapi.yaml must be valid OpenAPI 3.1
# (openapi-spec-validator), and schemathesis drives every operation of it with a token, on a server started from a
# fresh demo database (127.0.0.1, stopped at the end). Any 5xx, or any response that breaks the schema, fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${API_TEST_PORT:-18622}"
python3 -m openapi_spec_validator docs/openapi.yaml
source scripts/demo-server.sh
demo_server "$PORT" 3 admin
cd "$WORK"
if ! python3 -m schemathesis.cli run "$OLDPWD/docs/openapi.yaml" --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance --max-examples 15 --seed 2026 --no-color; then
    echo "--- server log ---"; tail -30 "$WORK/serve.log"; exit 1
fi
