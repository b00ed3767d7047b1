"""The architecture as a checked contract: the domain never imports Qt, the UI never opens
SQLite or HTTP itself (import-linter, configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_kiosk_ui_builds_widgets() -> None:
    offenders = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        if path.relative_to(ROOT / "kiosk").parts[0] in ("ui", "selftest"):  # selftest drives the screens
            continue
        if "QtWidgets" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
