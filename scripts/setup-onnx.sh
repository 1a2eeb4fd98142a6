#!/bin/sh
# Installs Debian's python3-onnx (the ONNX operator definitions and checker, for the test that validates every graph
# the ort backends generate), python3-torch (the PyTorch side of the benchmarks and of the exported-model fixture) and
# python3-numpy, all for /usr/bin/python3. Idempotent: does nothing when the three import. Needs root, or sudo.
set -eu
if /usr/bin/python3 -c 'import onnx, torch, numpy' >/dev/null 2>&1; then
  echo "python3-onnx, python3-torch and python3-numpy present"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-onnx python3-torch python3-numpy
/usr/bin/python3 -c 'import onnx; print("onnx", onnx.__version__)'
