"""``kiosk selftest --out DIR``: is this installation sound? Writes ``DIR/selftest.json`` and PNGs.

Each check says ok, warning (works, but something is missing, e.g. no voice) or error (fix before
use); the exit code is 1 when any check is an error. The checks are
:mod:`kiosk.setup.checks` (and the two that need Qt, :mod:`kiosk.ui.admin.qt_checks`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from kiosk import __version__
from kiosk.config.schema import Config
from kiosk.setup.checks import Check, run_check
from kiosk.ui.admin.qt_checks import all_checks

log = logging.getLogger(__name__)


def run_selftest(config: Config, out: Path) -> int:
    """Run every check, take every screenshot, write ``selftest.json``; 0 when nothing is an error."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)
    checks = [run_check(name, fn, config) for name, fn in all_checks()]
    screens: list[str] = []
    try:
        from kiosk.selftest.tour import capture_all

        screens = [str(p) for p in capture_all(config, out)]
        checks.append(Check("screens", True, f"{len(screens)} screenshots in {out}"))
    except Exception as exc:
        log.exception("taking screenshots failed")
        checks.append(Check("screens", False, f"screens could not be drawn: {exc}", "error"))
    ok = all(c.ok for c in checks)
    report = {"ok": ok, "version": __version__, "checks": [asdict(c) for c in checks], "screens": screens}
    (out / "selftest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    for check in checks:
        advice = f" -> {check.advice}" if check.advice else ""
        print(f"{check.level.upper():8} {check.name:12} {check.detail}{advice}")
    print(f"selftest {'passed' if ok else 'FAILED'}: {out / 'selftest.json'}")
    return 0 if ok else 1
