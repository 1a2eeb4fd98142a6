#!/usr/bin/env bash
# Installs what the gpujs:headlessgl backend needs on a fresh Debian 12 machine (run as root) and builds the
# native `gl` module that GPU.js uses for GLSL in Node. Idempotent and non-interactive: each step checks first.
#   - system packages: headers to compile `gl` against Mesa and X11, and Xvfb to give it a display at run time
#     (without an X server headless-gl silently returns no context);
#   - `gl` is an optional dependency of gpu.js; npm 11 does not run install scripts of indirect dependencies,
#     and gl's own script first tries to download a prebuilt binary from outside the npm registry, so it is
#     compiled here with node-gyp against the installed Node's headers.
# Tests that use the headlessgl variant must then run under an X server: `xvfb-run -a npm test`.
# gpujs:webgpu's Vulkan driver comes from scripts/setup-webgpu.sh (setup.sh runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(xvfb xauth libxi-dev libx11-dev libxext-dev libgl1-mesa-dev libgl1-mesa-dri pkg-config build-essential python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-gpujs: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -d node_modules/gpu.js ] || npm ci --no-audit --no-fund

gl_works() {
  xvfb-run -a node -e "const gl = require('gl')(1, 1); if (!gl) process.exit(1)" >/dev/null 2>&1
}
if [ -d node_modules/gl ] && gl_works; then
  echo "setup-gpujs: gl already built"
else
  # Restore the package if npm dropped it as a failed optional dependency, without running its install script.
  [ -d node_modules/gl/src ] || npm install --no-save --no-audit --no-fund --ignore-scripts gl@8.1.6
  echo "setup-gpujs: compiling gl (several minutes)"
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  (cd node_modules/gl && npx --no-install node-gyp rebuild --nodedir="$nodedir" --jobs="$(nproc)" >/tmp/setup-gpujs-gl.log 2>&1) || {
    tail -40 /tmp/setup-gpujs-gl.log
    exit 1
  }
  gl_works || { echo "setup-gpujs: gl built but no WebGL context under Xvfb" >&2; exit 1; }
fi
echo "setup-gpujs: ok"
