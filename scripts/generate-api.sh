#!/usr/bin/env bash
# The API's generated code (Sources/AfterdeskAPI/Generated) from docs/openapi.yaml, with swift-openapi-generator's
# command line at the version Package.swift pins. Run it after changing the spec, and commit what it writes.
#   scripts/generate-api.sh          write the files
#   scripts/generate-api.sh --check  regenerate into a temporary folder and fail if the committed files differ
# The generator is built once in .build (about 2 minutes cold on 2 cores), then reused.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=Sources/AfterdeskAPI/Generated
swift build --product swift-openapi-generator >/dev/null
GENERATOR="$(swift build --show-bin-path)/swift-openapi-generator"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$GENERATOR" generate docs/openapi.yaml --config Sources/AfterdeskAPI/openapi-generator-config.yaml \
    --output-directory "$TMP/out" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
if [ "${1:-}" = "--check" ]; then
    if ! diff -r "$OUT" "$TMP/out"; then
        echo "Sources/AfterdeskAPI/Generated is not what docs/openapi.yaml generates: run scripts/generate-api.sh" >&2
        exit 1
    fi
    echo "generated API code matches docs/openapi.yaml"
else
    mkdir -p "$OUT"
    rm -f "$OUT"/*.swift
    cp "$TMP"/out/*.swift "$OUT"/
fi
