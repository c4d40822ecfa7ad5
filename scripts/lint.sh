#!/usr/bin/env bash
# The shape of the code, checked in CI (docs/architecture.md, "Habits"):
#  - swift-format lint --strict with .swift-format (4 spaces, 140 columns). Lines longer than 140 are left only inside
#    string literals that swift-format cannot break (SQL, messages, CSV fixtures whose rows are data).
#  - no file over 400 lines and no function over 60 lines, unless its comment says "on purpose" and why.
#  - every file the README and docs/ name in backticks exists (scripts/doc-paths.py).
set -euo pipefail
cd "$(dirname "$0")/.."
swift-format lint --strict --recursive --parallel Sources Tests Fuzz Package.swift
python3 scripts/shape.py 60 400 Sources Tests Fuzz
python3 scripts/doc-paths.py
