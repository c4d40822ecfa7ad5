#!/usr/bin/env bash
# What a 95% interval read every morning says when follow-up earns nothing, beside the anytime interval
# (docs/reporting.md, "Daily looks"): simulated stores, a year of daily looks each. Release build; about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product afterdesk-bench >/dev/null
exec "$(swift build -c release --show-bin-path)/afterdesk-bench" daily-looks "$@"
