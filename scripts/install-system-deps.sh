#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's Chromium for the browser
# tests (Playwright drives it through executable_path; it never downloads a browser) and the
# explorer's pinned JavaScript assets, fetched by our own Python code from the pinned tarball
# and checked against its integrity hash (npm is not needed). Fails loudly when either is
# missing: the test suite never skips for lack of a prerequisite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "chromium is missing; install it with: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

"${PYTHON:-.venv/bin/python}" scripts/fetch-explorer-assets.py
