#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job on the built-in default dealership.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift run afterdesk demo "$@"
