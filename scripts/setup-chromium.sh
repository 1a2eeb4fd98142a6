#!/bin/sh
# Installs headless Chromium (Debian package `chromium`), which the HTML report test opens the report in.
# Idempotent: does nothing when chromium is already on PATH. Needs root, or sudo.
set -eu
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
chromium --version
