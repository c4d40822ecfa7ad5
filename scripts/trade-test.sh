#!/usr/bin/env bash
# Issue 25's end-to-end check of the trade's truth through the real binary: a file of used cars sold out of basic
# warranty has its declined service contracts followed up by a plan class that fits, the dealer GAP waiver gets no
# message after the contract, and no preview makes a claim its facts do not support (Tests/Trade/trade_e2e.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${AFTERDESK_BIN:-$(swift build --show-bin-path)/afterdesk}"
[ -x "$BIN" ] || swift build --product afterdesk
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 Tests/Trade/trade_e2e.py "$BIN" "$WORK"
