#!/usr/bin/env bash
# Installs what the gpujs:webgpu backend needs on a Debian 12 machine (run as root); idempotent, non-interactive.
#   - libvulkan1: the Vulkan loader that dawn.node (npm package `webgpu`) opens;
#   - mesa-vulkan-drivers from bookworm-backports: Mesa 25's lavapipe, a Vulkan driver on the CPU for machines
#     without a GPU (Debian 12's own Mesa 22 lavapipe gives dawn.node no adapter). Mesa's packages share one
#     library (mesa-libgallium) at one exact version, so apt moves the GL driver (libgl1-mesa-dri, llvmpipe) that
#     gpujs:headlessgl uses to Mesa 25 as well; scripts/setup-gpujs.sh then checks that headless-gl still works.
# The backports entry reuses the mirror and keyring of the machine's own Debian entry, so no host name is
# written here. The backend finds the lavapipe driver itself (backends/gpujs/webgpu.ts); nothing to export.
set -euo pipefail

# Mesa 25 names lavapipe's driver manifest without an architecture suffix (Mesa 22: lvp_icd.x86_64.json).
ICD=/usr/share/vulkan/icd.d/lvp_icd.json

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# Mesa's major version from the installed package, e.g. 25 for 25.0.7-2~bpo12+1.
mesa_vulkan_major() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^([0-9]+:)?([0-9]+).*/\2/'; }

if installed libvulkan1 && installed mesa-vulkan-drivers && [ "$(mesa_vulkan_major)" -ge 24 ] && [ -f "$ICD" ]; then
  echo "setup-webgpu: libvulkan1 and mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  exit 0
fi

# The URI and keyring of the entry that serves the suite `bookworm` (deb822 .sources files first, then one-line lists).
debian_entry() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""; key = ""; types = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) uris = substr($i, 6)
          else if ($i ~ /^Suites:/) suites = " " substr($i, 8) " "
          else if ($i ~ /^Signed-By:/) key = substr($i, 11)
          else if ($i ~ /^Types:/) types = " " substr($i, 7) " "
        }
        if (types ~ / deb / && suites ~ /[ \t]bookworm[ \t]/) { split(uris, u, " "); gsub(/^[ \t]+|[ \t]+$/, "", key); print u[1] "\t" key; exit }
      }' "$f"
  done | head -1
  if [ -f /etc/apt/sources.list ]; then awk '$1 == "deb" {
      opts = ""; i = 2
      if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) opts = opts " " $(i++); opts = opts " " $(i++) }
      if ($(i + 1) == "bookworm") { key = ""; if (match(opts, /signed-by=[^] ]+/)) key = substr(opts, RSTART + 10, RLENGTH - 10); print $i "\t" key; exit }
    }' /etc/apt/sources.list; fi
}

if ! grep -rqsE '(^|[[:space:]])bookworm-backports([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  entry="$(debian_entry | head -1)"
  uri="${entry%%$'\t'*}"
  keyring="${entry#*$'\t'}"
  [ -n "$uri" ] || { echo "setup-webgpu: no apt entry for Debian bookworm found to derive the backports mirror from" >&2; exit 1; }
  [ -n "$keyring" ] && [ "$keyring" != "$entry" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "setup-webgpu: adding bookworm-backports from $uri"
  cat >/etc/apt/sources.list.d/diffspec-bookworm-backports.sources <<SOURCES
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: $keyring
SOURCES
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libvulkan1
apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers
[ -f "$ICD" ] || { echo "setup-webgpu: $ICD missing after installing mesa-vulkan-drivers" >&2; exit 1; }
echo "setup-webgpu: ok (mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
