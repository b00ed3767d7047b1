"""The queue host's devices file: every mistake is named with its file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.queue.devices import DevicesError, load_devices

TOKEN = "x" * 24


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "devices.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads() -> None:
    devices = load_devices(Path(__file__).resolve().parents[2] / "config" / "devices.example.toml")
    assert [d.role for d in devices] == ["kiosk", "counter", "display"]


@pytest.mark.parametrize(("text", "says"), [
    ("", "no [[device]]"),
    ("[[device]]\nid = 'k'\nrole = 'kiosk'\n", "exactly the keys"),
    (f"[[device]]\nid = 'k'\nrole = 'robot'\ntoken = '{TOKEN}'\n", "device[0].role"),
    ("[[device]]\nid = 'k'\nrole = 'kiosk'\ntoken = 'short'\n", "at least 24"),
    (f"[[device]]\nid = 'a'\nrole = 'kiosk'\ntoken = '{TOKEN}'\n[[device]]\nid = 'b'\nrole = 'kiosk'\n"
     f"token = '{TOKEN}'\n", "two devices"),
    (f"[[device]]\nid = 'a'\nrole = 'kiosk'\ntoken = '{TOKEN}'\n[[device]]\nid = 'a'\nrole = 'kiosk'\n"
     f"token = '{'y' * 24}'\n", "device[1].id"),
    ("[[device]\n", "cannot be read"),
])
def test_mistakes_are_named(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(DevicesError, match=r"devices\.toml") as info:
        load_devices(write(tmp_path, text))
    assert says in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DevicesError, match="not found"):
        load_devices(tmp_path / "nope.toml")
