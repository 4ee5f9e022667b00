#!/usr/bin/env bash
# Sets up sonoedge on a fresh Debian/Ubuntu machine with Node 20: the Debian packages the drivers and
# tests use (only those missing), npm dependencies (no download of onnxruntime's CUDA libraries), build.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# tesseract: the OCR gate reads every outgoing image in the sync process (src/ocr); without it images are held
for pkg in ffmpeg tesseract-ocr tesseract-ocr-eng; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${SONOEDGE_TEST_DEPS:-0}" = 1 ]; then
  for pkg in chromium dicom3tools dcmtk orthanc orthanc-dicomweb socat libopenigtlink-dev g++ llvm-14 poppler-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
npm run build
