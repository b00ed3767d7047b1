"""The architecture as checked contracts (import-linter, configured in pyproject.toml; docs/ARCHITECTURE.md).

Besides running the contracts, these tests make sure they cover every package (a new package that no
contract names would be unprotected) and that they really fail when a forbidden import or a cycle
comes back: each planted violation below must break the contract that forbids it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _layer_names(contract: dict[str, object]) -> set[str]:
    layers = contract["layers"]
    assert isinstance(layers, list)
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


def _children(package: Path) -> set[str]:
    """Subpackages and modules directly in ``package`` (what a layers contract must place)."""
    names = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return names


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_has_its_place_in_the_layers() -> None:
    contracts = _contracts()
    assert _children(ROOT / "kiosk") == _layer_names(contracts["layers"])
    assert _children(ROOT / "kiosk" / "ui") == _layer_names(contracts["ui-roles"])


def test_everything_below_the_ui_is_checked_for_qt() -> None:
    contracts = _contracts()
    layers = [name for layer in contracts["layers"]["layers"] for name in layer.replace(":", "|").split("|")]  # type: ignore[attr-defined]  # a list of str in the TOML
    below_ui = {f"kiosk.{name.strip()}" for name in layers[layers.index("ui") + 1:]}
    assert set(contracts["qt-free"]["source_modules"]) == below_ui | {"central_api"}  # type: ignore[call-overload]  # a list of str in the TOML


def test_only_the_ui_and_the_selftest_build_widgets() -> None:
    offenders = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        if path.relative_to(ROOT / "kiosk").parts[0] in ("ui", "selftest"):  # selftest drives the screens
            continue
        if "QtWidgets" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


PLANTED = [
    # (file to append to, the import planted, the contract it must break)
    ("kiosk/citizen/nik.py", "import kiosk.queue.engine", "Layers: entry points"),
    ("kiosk/queue/wire.py", "import kiosk.queue.client", "No import cycles"),  # client imports wire
    ("kiosk/survey/ikm.py", "import PySide6.QtCore", "Below the UI nothing imports Qt"),
    ("kiosk/ui/kiosk/window.py", "import kiosk.storage.store", "The UI builds no store or client"),
    ("kiosk/queue/client.py", "import kiosk.camera.sources", "Layers: entry points"),
    ("kiosk/ui/counter/__init__.py", "import kiosk.ui.board.window", "UI: the role launcher"),
    ("kiosk/setup/diagnostics.py", "import central_api.app", "Only the command line reaches the reference central API"),
    ("kiosk/ui/app.py", "import kiosk.selftest.tour", "Only the command line runs the self-test"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "planted", "contract"), PLANTED, ids=[p[2].split(":")[0] for p in PLANTED])
def test_a_planted_violation_breaks_its_contract(tmp_path: Path, path: str, planted: str, contract: str) -> None:
    for name in ("kiosk", "central_api"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert _lint(tmp_path).returncode == 0  # the copy is as clean as the original
    with (tmp_path / path).open("a", encoding="utf-8") as file:
        file.write(f"\n{planted}  # planted by tests/test_layering.py\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[1]
    assert contract in broken, result.stdout
    planted_module = planted.split()[-1]
    named = {planted_module, planted_module.rsplit(".", 1)[0], "." + planted_module.rsplit(".", 1)[-1]}
    assert any(name in broken for name in named), broken  # the report names what was imported
