"""Configuration: defaults, the documented example, and one clear error per mistake (exit code 2)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.config.schema import SECTIONS, Config, ConfigError, CounterEntry, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "site.example.toml"


def test_defaults_run_the_demo_offline() -> None:
    config = Config()
    assert config.device.role == "all-in-one"
    assert config.queue.host_url == ""
    assert config.central.api_url == ""
    assert config.kiosk.idle_timeout_seconds == 60


def test_example_documents_every_key_with_its_default() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    defaults = Config()
    for section in SECTIONS:
        declared = {f.name for f in dataclasses.fields(getattr(defaults, section))}
        assert set(data[section]) == declared, f"[{section}] in the example differs from config.py"
        for key in declared:
            assert data[section][key] == _toml_value(getattr(getattr(defaults, section), key)), f"{section}.{key}"
    counter_keys = {f.name for f in dataclasses.fields(CounterEntry)}
    assert set(data["counters"][0]) == counter_keys
    text = EXAMPLE.read_text(encoding="utf-8")
    for section in SECTIONS:
        for field in dataclasses.fields(getattr(defaults, section)):
            line = next(i for i, row in enumerate(text.splitlines()) if row.startswith(f"{field.name} ="))
            assert text.splitlines()[line - 1].startswith("#"), f"{section}.{field.name} has no comment above it"


def _toml_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def test_example_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.counters[0].name == "Loket 1 Dukcapil"
    assert config.source == str(EXAMPLE)


@pytest.mark.parametrize(("toml", "key", "says"), [
    ("[kiosk]\nidle_timeout_seconds = 5", "kiosk.idle_timeout_seconds", "allowed 15 to 600"),
    ("[kiosk]\nidle_timeout = 60", "kiosk.idle_timeout", "unknown key"),
    ('[device]\nrole = "robot"', "device.role",
     "'kiosk', 'counter', 'display', 'complaints', 'queue-host', 'all-in-one'"),
    ('[device]\nlanguage = "fr"', "device.language", "'id', 'en'"),
    ("[sitee]\nname = 'x'", "sitee", "unknown section"),
    ('[printer]\npaper_width_mm = "80"', "printer.paper_width_mm", "80, 58"),
    ('[site]\nopening_hours = "8-16"', "site.opening_hours", "HH:MM-HH:MM"),
    ('[site]\ntimezone = "Asia/Singapore"', "site.timezone", "Asia/Jakarta"),
    ('[kiosk]\nlarge_text = "yes"', "kiosk.large_text", "true or false"),
    ('[queue]\nhost_url = "10.0.0.5:8700"', "queue.host_url", "wrong form"),
    ('[queue]\nhost_url = "http://10.0.0.5:8700"', "queue.device_token", "is required"),
    ("[[counters]]\nname = 'x'", "counters[0].number", "required"),
    ("[[counters]]\nnumber = 1\n[[counters]]\nnumber = 1", "counters", "same number"),
    ("[kiosk]\nidle_timeout_seconds = 20\nidle_countdown_seconds = 30", "kiosk.idle_countdown_seconds", "shorter"),
    ('site = "x"', "[site]", "must be a table"),
    ('[site]\nopen_days = "mon"', "site.open_days", "must be a list"),
    ('[site]\nopen_days = ["monday"]', "site.open_days[0]", "'mon'"),
])
def test_each_mistake_names_file_key_and_what_is_allowed(toml: str, key: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(tomllib.loads(toml), "site.toml")
    assert info.value.key == key
    message = str(info.value)
    assert message.startswith(f"site.toml: {key}: ")
    assert says in message


@pytest.mark.parametrize(("content", "says"), [
    (b"[kiosk\nidle = 3", "not valid TOML"),
    (b"\xff\xfe[kiosk]", "not UTF-8"),
])
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=says):
        load_config(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_command_line_exits_2_with_one_line_naming_the_key(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[device]\nrole = "robot"\n', encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: device.role: 'robot' is not allowed" in err
    assert "Traceback" not in err


def test_config_check_prints_effective_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nname = "MPP Kota Bogor"\n', encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 0
    assert '"name": "MPP Kota Bogor"' in capsys.readouterr().out


@pytest.mark.slow
def test_python_dash_m_is_the_same_command(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[kiosk]\nidle_timeout_seconds = 1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(path), "config", "check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "kiosk.idle_timeout_seconds" in result.stderr
