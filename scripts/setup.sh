#!/usr/bin/env bash
# Installs the system packages Afterdesk needs (Debian/Ubuntu), only those missing. python3-aiosmtpd and
# libxml2-utils and openssl are for the tests (a real SMTP server; xmllint for ADF leads; a private CA for SMTP over TLS).
set -euo pipefail
needed=()
for pkg in libsqlite3-dev libcurl4-openssl-dev sqlite3 python3 python3-aiosmtpd libxml2-utils openssl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y "${needed[@]}"
fi
