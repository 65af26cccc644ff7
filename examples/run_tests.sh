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
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
    || echo "[setup] could not install chromium; the browser test of the HTML report will be skipped"
fi
# A CJK font for the Chinese chart labels of report.html (WenQuanYi Micro Hei, ~5 MB; fonts-noto-cjk also works).
if [ -z "$(fc-list :lang=zh 2>/dev/null)" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "[setup] installing fonts-wqy-microhei"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } \
    || echo "[setup] could not install a CJK font; the Chinese report test will fail (charts show boxes)"
fi
python -m pytest -q "$@"
