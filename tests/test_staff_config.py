"""The console's sign-in list comes from [counter] staff_file; a broken file stops the start-up clearly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kiosk.config.schema import Config, CounterSection
from kiosk.core import build_core
from kiosk.staff.directory import StaffDirectory
from kiosk.storage.data_dir import StartupError

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "staff.example.toml"


def test_example_staff_file_signs_in_with_its_pin() -> None:
    directory = StaffDirectory.load(EXAMPLE)
    assert directory.sign_in("siti", "123456").name == "Siti Rahayu"


def test_core_loads_the_staff_file(config: Config) -> None:
    core = build_core(dataclasses.replace(config, counter=CounterSection(staff_file=str(EXAMPLE))))
    try:
        assert core.staff is not None
    finally:
        core.close()


def test_broken_staff_file_is_a_startup_error(config: Config, tmp_path: Path) -> None:
    bad = tmp_path / "staff.toml"
    bad.write_text("[[staff]]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(StartupError, match="staff.toml"):
        build_core(dataclasses.replace(config, counter=CounterSection(staff_file=str(bad))))
