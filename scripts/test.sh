#!/usr/bin/env bash
# Install everything (system packages, .venv, test tools) and run the whole test suite headless.
# Extra arguments go to pytest, e.g.  scripts/test.sh -k nik
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-tests
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
