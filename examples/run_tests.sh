#!/usr/bin/env bash
# Install everything on a fresh machine and run the whole test suite (CPU, offline, about 10 minutes).
#   bash examples/run_tests.sh [extra pytest args]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source examples/setup_env.sh
python -m pytest -q "$@"
