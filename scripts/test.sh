#!/usr/bin/env bash
# The test command: unit, store, delivery and server tests, the kill -9 crash tests of import and dispatch, the
# command line's exit codes, the README's install (the one binary, started from another folder), the web pages in a
# real browser (screenshots in browser-screenshots/), then the JSON API against docs/openapi.yaml with schemathesis
# (after checking the generated API code against it),
# then issue 23's attacks on a live server (scripts/security-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh tests
swift build --build-tests
# The committed API code is what docs/openapi.yaml generates (builds the generator once: about 2 min cold, then ~10 s).
scripts/generate-api.sh --check
swift test --skip-build
scripts/crash-test.sh
scripts/dispatch-crash-test.sh
scripts/cli-exit-test.sh
scripts/install-test.sh
scripts/browser-test.sh
scripts/api-test.sh
scripts/security-test.sh
scripts/compliance-test.sh
scripts/trade-test.sh
