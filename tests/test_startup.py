"""Start-up problems regional IT must see clearly: read-only or full data folder, broken catalog."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.app.cli import main
from kiosk.config.schema import Config, KioskSection
from kiosk.core import build_core
from kiosk.storage.data_dir import StartupError, prepare_data_dir


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[object]:
    """Mount a tiny tmpfs (root only, like CI): the honest way to get a full or read-only disk."""
    mounts: list[Path] = []

    def make(size: str = "1m", read_only: bool = False) -> Path:
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a small file system")
        point = tmp_path / f"mnt{len(mounts)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount tmpfs here: {result.stderr.decode().strip()}")
        mounts.append(point)
        return point

    yield make
    for point in mounts:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_read_only_data_dir_is_refused_clearly(tmpfs: object) -> None:
    folder = tmpfs(read_only=True)  # type: ignore[operator]
    with pytest.raises(StartupError, match="read-only|cannot be"):
        prepare_data_dir(folder / "data")


def test_full_disk_is_refused_clearly(tmpfs: object) -> None:
    folder = tmpfs(size="1m")  # type: ignore[operator]
    with pytest.raises(StartupError, match="full"):
        prepare_data_dir(folder)


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StartupError, match="cannot be created"):
        prepare_data_dir(blocker / "data")


def test_command_line_exits_2_on_a_bad_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{blocker}/data"\n', encoding="utf-8")
    assert main(["--config", str(site), "run", "kiosk", "--windowed"]) == 2
    assert "Cannot start: data folder" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "{", '{"version": "1", "agencies": [], "services": []}'])
def test_broken_catalog_does_not_stop_start_up(config: Config, tmp_path: Path, content: str,
                                               allow_log_errors: list) -> None:
    path = tmp_path / "services.json"
    path.write_text(content, encoding="utf-8")
    config = dataclasses.replace(config, kiosk=KioskSection(catalog_path=str(path), speech="off"))
    core = build_core(config)
    try:
        assert core.catalog is None
        assert str(path) in (core.catalog_error or "")
        assert any("service catalog unavailable" in r.getMessage() for r in allow_log_errors)
    finally:
        core.close()


def test_newer_queue_database_is_refused_at_start(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    core = build_core(config)
    core.close()
    db = sqlite3.connect(config.data_dir / "queue.db")
    db.execute("PRAGMA user_version = 999")
    db.close()
    site = config.data_dir.parent / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{config.data_dir}"\n[kiosk]\nspeech = "off"\n', encoding="utf-8")
    assert main(["--config", str(site), "run", "kiosk", "--windowed"]) == 2
    err = capsys.readouterr().err
    assert "newer version of MPP Kiosk" in err and "left untouched" in err


@pytest.mark.slow
def test_no_arguments_prints_help() -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "selftest" in result.stdout and "demo" in result.stdout


def test_a_broken_staff_file_stops_the_complaint_console_with_a_message(tmp_path: Path, capsys: Any) -> None:
    """The officers' staff file is read when the console is built: a broken one is a clear start-up error."""
    staff = tmp_path / "staff.toml"
    staff.write_text("[[staff]\nid = ", encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{tmp_path}/data"\n[counter]\nstaff_file = "{staff}"\n', encoding="utf-8")
    assert main(["--config", str(site), "run", "complaints", "--windowed"]) == 2
    err = capsys.readouterr().err
    assert "Cannot start" in err and "staff.toml" in err
