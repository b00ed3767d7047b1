#!/usr/bin/env bash
# Install what MPP Kiosk needs on a fresh Debian/Ubuntu machine with Python 3.11+:
#   system packages (Qt's X11/xcb libraries, a virtual screen, voices, PDF tools),
#   a virtualenv in .venv, and the app itself (with its test tools when --with-tests is given).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--with-tests" ] && with_tests=1

apt_packages=(
  # Qt widgets (PySide6 wheels) on a bare system
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 fonts-dejavu-core
  # a real window on X11 or on the virtual screen Xvfb
  xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
  libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0
  # Qt TextToSpeech/Multimedia import (libpulse0) and Indonesian voices (speech-dispatcher + espeak-ng)
  libpulse0 speech-dispatcher speech-dispatcher-espeak-ng espeak-ng
  # PDF → PNG for looking at tickets and reports
  poppler-utils
  # USB receipt printers (pyusb talks to them through libusb)
  libusb-1.0-0
)
# the status page's browser tests (tests/queue/test_status_page_browser.py): Debian's Chromium, driven by Playwright;
# the central API's tests on PostgreSQL (tests/central_pg.py starts a throwaway server from Debian's package)
if [ $with_tests = 1 ]; then apt_packages+=(chromium postgresql); fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = "none" ]; then
    echo "setup: please install these system packages as root, then run again: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$python_bin" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python_bin" -m venv .venv
fi

extras="."
[ $with_tests = 1 ] && extras=".[test]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$with_tests"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages (first time takes about a minute)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e "$extras"
  .venv/bin/python -m pip check
  rm -f .venv/.installed-*
  touch "$stamp"
fi
