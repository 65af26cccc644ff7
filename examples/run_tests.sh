#!/usr/bin/env bash
# Install everything on a fresh machine and run the whole test suite (CPU, offline, about 10 minutes).
#   bash examples/run_tests.sh [extra pytest args]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source examples/setup_env.sh
# A real browser for the HTML report test: Debian's Chromium and its driver (no download at run time).
if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "[setup] installing chromium + chromium-driver"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
python -m pytest -q "$@"
