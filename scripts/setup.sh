#!/usr/bin/env bash
# Installs the system packages Afterdesk needs (Debian/Ubuntu), only those missing. python3-aiosmtpd and
# libxml2-utils and openssl are for the tests (a real SMTP server; xmllint for ADF leads; a private CA for SMTP over TLS);
# chromium and PyPI's playwright drive the web pages in a real browser (never `playwright install`: Debian's chromium).
# `scripts/setup.sh tests` adds what only the tests need (the browser; PostgreSQL, whose tests start a throwaway cluster
# of their own with scripts/pg-test-cluster.sh: Debian 12's `postgresql` is PostgreSQL 15, its server programs in
# /usr/lib/postgresql/15/bin; gdb, to show where a test process that will not stop waits); the demo needs none of it.
set -euo pipefail
packages=(libsqlite3-dev libcurl4-openssl-dev sqlite3 python3 python3-aiosmtpd libxml2-utils openssl curl)
if [ "${1:-}" = "tests" ]; then packages+=(python3-pip chromium postgresql gdb); fi
needed=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y "${needed[@]}"
fi
# PyPI, for the tests: playwright and axe-playwright-python (the browser test and its accessibility audit),
# openapi-spec-validator and schemathesis (the API test).
if [ "${1:-}" = "tests" ]; then
  for module in playwright:playwright axe_playwright_python:axe-playwright-python openapi_spec_validator:openapi-spec-validator schemathesis:schemathesis; do
    python3 -c "import ${module%%:*}" >/dev/null 2>&1 && continue
    python3 -m pip install --quiet "${module##*:}" || python3 -m pip install --quiet --break-system-packages "${module##*:}"
  done
fi
