#!/usr/bin/env bash
# Everything the tests need on a fresh Debian 12 machine (run as root): headless Chromium for the HTML report test,
# the npm dependencies (npm ci also builds dist/), the Vulkan loader and Mesa lavapipe for gpujs:webgpu (before the
# GL set-up: lavapipe comes from bookworm-backports and moves Mesa's GL driver along, which setup-gpujs.sh then
# checks), Xvfb plus the native `gl` module for gpujs:headlessgl, Debian's python3-onnx, python3-torch and
# python3-numpy (the ONNX checker test of the ort backends, the PyTorch benchmarks, the NumPy process-protocol
# adapter in examples/python-numpy), and Debian's dataset-fashion-mnist (--data fashion-mnist).
# Idempotent: each step checks first. Then run the tests under an X server: xvfb-run -a npm test
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-chromium.sh
bash scripts/setup-python.sh
bash scripts/setup-datasets.sh
npm ci --no-audit --no-fund
bash scripts/setup-webgpu.sh
bash scripts/setup-gpujs.sh
