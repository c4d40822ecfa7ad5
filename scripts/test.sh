#!/usr/bin/env bash
# The test command: unit and store tests, then the kill -9 crash test of the import.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
scripts/crash-test.sh
