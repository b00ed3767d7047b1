"""ruff and mypy over the whole code base (rules in pyproject.toml), and the shape of the code.

Part of the suite so that the README's test command, and so CI, runs them: a finding fails the build.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 400


def _tool(name: str) -> str:
    return shutil.which(name, path=str(BIN)) or name


@pytest.mark.slow
def test_ruff_finds_nothing() -> None:
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_finds_nothing() -> None:
    result = subprocess.run([_tool("mypy"), "kiosk", "central_api"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def _python_files() -> list[Path]:
    return sorted(p for package in ("kiosk", "central_api") for p in (ROOT / package).rglob("*.py"))


def test_no_module_is_too_long_to_read() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _python_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_class_is_a_god_class() -> None:
    big = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    big[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert big == {}


def test_every_type_ignore_says_why() -> None:
    """``# type: ignore[code]`` with a reason after it, never a bare one (pyproject: mypy)."""
    bare = []
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "# type: ignore" not in line:
                continue
            after = line.split("# type: ignore", 1)[1]
            if not after.startswith("[") or not after.split("]", 1)[1].strip().lstrip("#").strip():
                bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
