#!/usr/bin/env bash
# Install everything and start the one-machine demo: kiosk, counter console and lobby display,
# with the queue inside the process and no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no screen found; running on a virtual screen (Xvfb). To see the screens without a"
  echo "      display, run:  .venv/bin/kiosk selftest --out selftest-out  and open the PNGs."
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/kiosk demo "$@"
fi
exec .venv/bin/kiosk demo "$@"
