"""What every scene of the self-test tour shares: waiting for the app to settle, saving a picture, a scratch core."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QWidget

from kiosk.config.schema import Config
from kiosk.core import Core, build_core

W = TypeVar("W", bound=QWidget)

SAMPLE_NIK = "3171014501900001"
KIOSK_SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def settle(ms: int = 60) -> None:
    """Let queued signals, background answers and layouts run before a picture is taken."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def wait_for(condition: Callable[[], bool], timeout_ms: int = 5000) -> bool:
    """Let the app run until ``condition()`` holds (or the time is up); its last value."""
    waited = 0
    while not condition() and waited < timeout_ms:
        settle(20)
        waited += 20
    return condition()


def save_shot(widget: QWidget, path: Path, shots: list[Path]) -> None:
    """Grab the widget as drawn once the event queue has settled, and note the PNG in ``shots``."""
    settle()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    shots.append(path)


@contextlib.contextmanager
def scratch(config: Config) -> Iterator[Core]:
    """A scratch core on a throw-away folder, closed and deleted after the scene."""
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as folder:
        core = scratch_core(config, Path(folder))
        try:
            yield core
        finally:
            core.close()


def scratch_core(config: Config, folder: Path) -> Core:
    """The configured app on a throw-away data folder, speech off: sample tickets never reach a real queue."""
    scratch = dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(folder)),
                                  kiosk=dataclasses.replace(config.kiosk, speech="off"))
    return build_core(scratch)


def widget_named(root: QWidget, name: str, kind: type[W]) -> W:
    """The visible widget called ``name`` under ``root`` (its objectName), as the GUI tests find them."""
    for found in root.findChildren(kind, name):
        if found.isVisible():
            return found
    raise LookupError(f"no visible {kind.__name__} named {name!r} on {type(root).__name__}")


def tap(root: QWidget, name: str) -> None:
    """Press what is called ``name`` as a finger would: a shown, enabled button by its objectName, or a
    service tile by its accessible name (tiles wrap long names, so they are frames, not buttons)."""
    target: QWidget
    try:
        target = widget_named(root, name, QAbstractButton)
    except LookupError:
        tiles = [w for w in root.findChildren(QWidget, "tile") if w.accessibleName() == name and w.isVisible()]
        if not tiles:
            raise
        target = tiles[0]
    if not target.isEnabled():
        raise LookupError(f"{name!r} on {type(root).__name__} is disabled")
    QTest.mouseClick(target, Qt.MouseButton.LeftButton)
    settle(10)


def tap_keys(root: QWidget, keys: str, name_of: Callable[[str], str] = lambda ch: f"key{ch}") -> None:
    """Type ``keys`` on an on-screen keypad or keyboard, one tap per key (``key7``, ``letterA``...)."""
    for ch in keys:
        tap(root, name_of(ch))


def letter_key(ch: str) -> str:
    """The on-screen keyboard's button for a character (``letterA``, ``letterSpace``)."""
    return "letterSpace" if ch == " " else f"letter{ch.upper()}"


def type_on_screen(root: QWidget, text: str) -> None:
    """Type on whichever on-screen keyboard shows: the keypad for digits when it is up, else the letters
    and signs (``key7``, ``letterA``, ``letterSpace``, ``sign46``), as the GUI tests' ``type_text`` does."""
    for ch in text:
        if ch.isdigit():
            try:
                tap(root, f"key{ch}")
                continue
            except LookupError:
                pass
        tap(root, letter_key(ch) if ch == " " or ch.isalnum() else f"sign{ord(ch)}")
