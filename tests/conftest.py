"""Shared fixtures. Strict by default: Qt warnings, logged errors, and threads or timers left
running after a test all fail it (after qutebrowser's logfail and napari's dangling-object checks).
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_MODEL_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "models"))

import pytest

from kiosk.config.schema import Config, DeviceSection, KioskSection

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def config(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Built-in defaults with a private data folder, no voice, and windowed screens."""
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return Config(device=DeviceSection(data_dir=str(data_dir), fullscreen=False),
                  kiosk=KioskSection(speech="off"))


@pytest.fixture
def core(config: Config) -> Iterator[object]:
    from kiosk.core import build_core

    built = build_core(config)
    yield built
    built.close()


# -- strictness -------------------------------------------------------------------------------

class _ErrorLogCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def allow_log_errors() -> Iterator[list[logging.LogRecord]]:
    """Request this fixture in a test that provokes errors on purpose; it collects their records."""
    catcher = _ErrorLogCatcher()
    logging.getLogger().addHandler(catcher)
    yield catcher.records
    logging.getLogger().removeHandler(catcher)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    catcher = _ErrorLogCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    yield
    root.removeHandler(catcher)
    if "allow_log_errors" in request.fixturenames:
        return
    if catcher.records:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in catcher.records)
        pytest.fail(f"unexpected errors were logged:\n{lines}")


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = []
    for thread in set(threading.enumerate()) - before:
        if isinstance(thread, threading._DummyThread):  # a QThread running Python: the Qt check covers it
            continue
        thread.join(timeout=2)
        if thread.is_alive() and not thread.daemon:
            leftover.append(thread.name)
    if leftover:
        pytest.fail(f"threads left running: {leftover}")


@pytest.fixture(autouse=True)
def _no_dangling_qt_objects(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail when a test leaves a QThread running or a QTimer active (napari's conftest idea)."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QThread, QTimer

    threads: weakref.WeakSet[QThread] = weakref.WeakSet()
    timers: weakref.WeakSet[QTimer] = weakref.WeakSet()
    thread_start, timer_start = QThread.start, QTimer.start

    def track_thread(self: QThread, *args: object) -> None:
        threads.add(self)
        thread_start(self, *args)

    def track_timer(self: QTimer, *args: object) -> None:
        timers.add(self)
        timer_start(self, *args)

    monkeypatch.setattr(QThread, "start", track_thread)
    monkeypatch.setattr(QTimer, "start", track_timer)
    yield
    problems = []
    for thread in list(threads):
        try:
            if thread.isRunning():
                problems.append(f"QThread {thread.objectName() or thread!r} still running")
        except RuntimeError:  # C++ object already deleted: fine
            pass
    for timer in list(timers):
        try:
            if timer.isActive():
                parent = timer.parent()
                problems.append(f"QTimer (parent {type(parent).__name__ if parent else None}) still active")
        except RuntimeError:
            pass
    if problems:
        pytest.fail("Qt objects left running: " + "; ".join(problems))
