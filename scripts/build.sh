#!/usr/bin/env bash
# Build the one-folder app: dist/mpp-kiosk/ (run dist/mpp-kiosk/mpp-kiosk). Linux; for Windows see
# docs/regional-it.md ("Building on Windows"). Uses the project's .venv (made by scripts/setup.sh).
# Set KIOSK_MODEL_DIR to a folder holding face_landmarker.task to ship the face model inside the build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    echo "No .venv here: run 'bash scripts/setup.sh' first." >&2
    exit 2
fi
if ! .venv/bin/python -c "import PyInstaller" 2>/dev/null; then
    .venv/bin/pip install -q 'pyinstaller>=6.5'   # the project's "build" extra
fi
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build.spec
echo "Built: $(pwd)/dist/mpp-kiosk  ($(du -sh dist/mpp-kiosk | cut -f1)); check it: dist/mpp-kiosk/mpp-kiosk selftest --out /tmp/selftest"
