#!/usr/bin/env bash
# Installs the system packages Afterdesk needs (Debian/Ubuntu), only those missing.
set -euo pipefail
needed=()
for pkg in libsqlite3-dev libcurl4-openssl-dev sqlite3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y "${needed[@]}"
fi
