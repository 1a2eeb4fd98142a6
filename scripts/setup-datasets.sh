#!/bin/sh
# Installs the image data sets the training commands read (Debian packages, nothing downloaded at run time):
# Fashion-MNIST's gzipped IDX files under /usr/share/datasets/fashion-mnist (`--data fashion-mnist`).
# Idempotent: does nothing when the files are present. Needs root, or sudo.
set -eu
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "dataset-fashion-mnist present"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends dataset-fashion-mnist
