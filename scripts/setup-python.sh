#!/bin/sh
# Installs Debian's NumPy for /usr/bin/python3 (package `python3-numpy`), which the NumPy reference adapter
# (examples/python-numpy, test/process-numpy.spec.ts) needs. Idempotent: does nothing when numpy imports.
# Needs root, or sudo.
set -eu
if /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "python3-numpy present: $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-numpy
/usr/bin/python3 -c 'import numpy; print("python3-numpy", numpy.__version__)'
