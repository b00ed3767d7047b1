"""Renamed config keys: an installed site.toml with an old key keeps working, the writer moves it."""

from __future__ import annotations

import dataclasses
import json
import logging
import tomllib
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.config import schema
from kiosk.config.schema import SECTIONS, Config, ConfigError, load_config
from kiosk.config.site_file import read_document, write_site_config

# One move inside a section and one out of a section that no longer exists.
MOVES = {"kiosk.idle_timeout": "kiosk.idle_timeout_seconds", "board.recent_calls": "display.recent_calls"}


@pytest.fixture
def renamed(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(schema, "RENAMED", dict(MOVES))
    return MOVES


def _site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_renamed_key_points_at_a_declared_key() -> None:
    declared = {f"{s}.{f.name}" for s in SECTIONS for f in dataclasses.fields(getattr(Config(), s))}
    for old, new in schema.RENAMED.items():
        assert old.count(".") == 1, f"{old}: write old names as section.key"
        assert new in declared, f"{old} -> {new}: {new} is not a key of the schema"
        assert old not in declared, f"{old} is still a key of the schema; it cannot also be an old name"


def test_an_old_key_loads_under_its_new_name_with_one_warning(
        tmp_path: Path, renamed: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    path = _site(tmp_path, "[kiosk]\nidle_timeout = 90\nlarge_text = true\n\n[board]\nrecent_calls = 9\n")
    with caplog.at_level(logging.WARNING, logger="kiosk.config"):
        config = load_config(path)
    assert config.kiosk.idle_timeout_seconds == 90
    assert config.kiosk.large_text is True  # the rest of the section is untouched
    assert config.display.recent_calls == 9
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    first = next(w for w in warnings if "kiosk.idle_timeout " in w)
    assert first.startswith(f"{path}: ") and "kiosk.idle_timeout_seconds" in first
    assert any("board.recent_calls" in w and "display.recent_calls" in w for w in warnings)


def test_a_file_with_only_new_keys_loads_without_a_warning(
        tmp_path: Path, renamed: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    path = _site(tmp_path, "[kiosk]\nidle_timeout_seconds = 90\n")
    with caplog.at_level(logging.WARNING, logger="kiosk.config"):
        assert load_config(path).kiosk.idle_timeout_seconds == 90
    assert caplog.records == []


def test_old_and_new_key_in_one_file_is_an_error_naming_both(tmp_path: Path, renamed: dict[str, str]) -> None:
    path = _site(tmp_path, "[board]\nrecent_calls = 9\n\n[display]\nrecent_calls = 4\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "board.recent_calls"
    message = str(info.value)
    assert message.startswith(f"{path}: board.recent_calls: ")
    assert "display.recent_calls" in message and "both" in message


def test_a_wrong_value_under_an_old_name_is_still_refused(tmp_path: Path, renamed: dict[str, str]) -> None:
    path = _site(tmp_path, "[kiosk]\nidle_timeout = 5\n")
    with pytest.raises(ConfigError, match="allowed 15 to 600") as info:
        load_config(path)
    assert info.value.key == "kiosk.idle_timeout_seconds"


def test_the_writer_writes_the_new_key_and_drops_the_old_one(tmp_path: Path, renamed: dict[str, str],
                                                             caplog: pytest.LogCaptureFixture) -> None:
    path = _site(tmp_path, '[site]\nname = "MPP Kota Bogor"\n\n[kiosk]\nidle_timeout = 90\n\n'
                           "[board]\nrecent_calls = 9\n")
    config = write_site_config(path, {"device": {"id": "kiosk-07"}})
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "board" not in written
    assert "idle_timeout" not in written["kiosk"]
    assert written["kiosk"]["idle_timeout_seconds"] == 90
    assert written["display"]["recent_calls"] == 9
    assert written["site"]["name"] == "MPP Kota Bogor" and written["device"]["id"] == "kiosk-07"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kiosk.config"):
        assert load_config(path) == config
    assert caplog.records == []  # nothing old is left to warn about


def test_the_wizard_s_value_for_a_new_key_replaces_the_old_key(tmp_path: Path, renamed: dict[str, str]) -> None:
    path = _site(tmp_path, "[board]\nrecent_calls = 9\n")
    assert read_document(path) == {"display": {"recent_calls": 9}}
    config = write_site_config(path, {"display": {"recent_calls": 3}})
    assert config.display.recent_calls == 3
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"display": {"recent_calls": 3}}


def test_the_writer_refuses_a_file_with_both_names(tmp_path: Path, renamed: dict[str, str]) -> None:
    text = "[kiosk]\nidle_timeout = 90\nidle_timeout_seconds = 120\n"
    path = _site(tmp_path, text)
    with pytest.raises(ConfigError, match="kiosk.idle_timeout_seconds"):
        write_site_config(path, {"device": {"id": "kiosk-07"}})
    assert path.read_text(encoding="utf-8") == text  # nothing written


def test_config_check_shows_the_value_under_the_new_key(tmp_path: Path, renamed: dict[str, str],
                                                        capsys: pytest.CaptureFixture[str],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    path = _site(tmp_path, "[kiosk]\nidle_timeout = 90\n")
    with caplog.at_level(logging.WARNING, logger="kiosk.config"):
        assert main(["--config", str(path), "config", "check"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["config"]["kiosk"]["idle_timeout_seconds"] == 90
    assert "idle_timeout" not in shown["config"]["kiosk"]
    assert any("kiosk.idle_timeout_seconds" in r.getMessage() for r in caplog.records)
