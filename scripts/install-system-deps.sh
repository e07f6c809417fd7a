#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's Chromium for the browser
# tests (Playwright drives it through executable_path; it never downloads a browser) and the
# npm-pinned explorer assets (verified against package-lock.json integrity hashes).
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

if [ -f package-lock.json ] && command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --ignore-scripts --silent
fi
