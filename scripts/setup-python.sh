#!/usr/bin/env bash
# Debian's Python packages for /usr/bin/python3 (the system interpreter; a `python3` earlier on PATH may be another):
#   - python3-numpy: the NumPy process-protocol adapter (examples/python-numpy);
#   - python3-onnx: the ONNX checker test of every graph the ort backends generate (test/ort/onnxChecker.spec.ts);
#   - python3-torch: the PyTorch baseline of `npm run bench` and the PyTorch-exported ONNX fixture's script.
# Idempotent: installs only what is missing. Run as root (or with sudo available).
set -eu
packages=(python3-numpy python3-onnx python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "setup-python: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import numpy, onnx, torch; print("setup-python: numpy", numpy.__version__, "onnx", onnx.__version__, "torch", torch.__version__)'
