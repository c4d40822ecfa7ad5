#!/usr/bin/env bash
# Issue 24's end-to-end check of the opt-out ledger through the real binary and a live `afterdesk serve`: a customer's
# STOP (and "Please stop texting me") survives a changed re-export with consent Y and a new deal with consent Y; after
# the re-plan, `run --dry-run` sends that number nothing (Tests/Compliance/optout_e2e.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${COMPLIANCE_TEST_PORT:-18641}"
BIN="${AFTERDESK_BIN:-$(swift build --show-bin-path)/afterdesk}"
[ -x "$BIN" ] || swift build --product afterdesk
for body in "STOP" "Please stop texting me"; do
    WORK="$(mktemp -d)"
    echo "--- $body"
    if ! python3 Tests/Compliance/optout_e2e.py "$BIN" "$WORK" "$PORT" "$body"; then
        echo "--- server log ---"; tail -20 "$WORK/serve.log" 2>/dev/null || true; rm -rf "$WORK"; exit 1
    fi
    rm -rf "$WORK"
done
echo "compliance-test: a STOP held through re-exports, a new deal and a re-plan"
