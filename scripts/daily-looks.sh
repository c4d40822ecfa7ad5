#!/usr/bin/env bash
# What a 95% interval read every morning says when follow-up earns nothing, beside the anytime interval
# (docs/reporting.md, "Daily looks"): 1,000 simulated stores per lift, a year of daily looks each. The simulation is
# small: the debug build the tests use is enough (about 15 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product afterdesk-bench >/dev/null
exec "$(swift build --show-bin-path)/afterdesk-bench" daily-looks "$@"
