"""The one-machine demo's window placement (issue 17): the counter console gets at least its minimum
size (on 1366×768 it used to get 929×388, its buttons on top of each other), the board the rest of the
right column; windows overlap only when the screen is too small, and then a log line says so."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QRect, QSize

from kiosk.core import Core
from kiosk.ui.app import BOARD_MIN, RoleWindows, demo_placement
from kiosk.ui.counter.console import MIN_SIZE
from kiosk.ui.qt.speech import Speaker

CONSOLE_MIN = QSize(*MIN_SIZE)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (2560, 1440), (1680, 1050)])
def test_a_large_screen_fits_every_window_side_by_side(width: int, height: int) -> None:
    screen = QRect(0, 0, width, height)
    placed = demo_placement(screen, kiosk=True, counter_min=CONSOLE_MIN, board=True)
    assert placed.kiosk is not None and placed.counter is not None and placed.board is not None
    assert placed.overlaps == ()
    boxes = (placed.kiosk, placed.counter, placed.board)
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert not boxes[a].intersects(boxes[b]), (boxes[a], boxes[b])
    assert all(screen.contains(box) for box in boxes)
    assert placed.counter.width() >= CONSOLE_MIN.width() and placed.counter.height() >= CONSOLE_MIN.height()
    assert placed.board.height() >= BOARD_MIN.height()
    assert placed.kiosk.height() * 9 // 16 == placed.kiosk.width()  # portrait, as the kiosk stands


def test_the_demo_on_a_1366x768_screen(qtbot, core: Core, caplog: pytest.LogCaptureFixture) -> None:
    windows = RoleWindows(core, "all-in-one", Speaker(enabled=False))
    for window in windows.windows:
        qtbot.addWidget(window)
    screen = QRect(0, 0, 1366, 768)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.app"):
            windows.show(fullscreen=False, screen=screen)
        assert windows.counter is not None and windows.display is not None and windows.kiosk is not None
        console = windows.counter.geometry()
        assert console.width() >= CONSOLE_MIN.width() and console.height() >= CONSOLE_MIN.height()
        assert screen.contains(console) and screen.contains(windows.display.geometry())
        assert screen.contains(windows.kiosk.geometry())
        board = windows.display.geometry()
        assert board.bottom() > console.bottom() and board.left() > windows.kiosk.geometry().right()  # the rest
        assert "too small for the demo's windows side by side" in caplog.text
        assert "the console covers the kiosk" in caplog.text
    finally:
        windows.shutdown()


def test_no_overlap_no_log_line(qtbot, core: Core, caplog: pytest.LogCaptureFixture) -> None:
    windows = RoleWindows(core, "all-in-one", Speaker(enabled=False))
    for window in windows.windows:
        qtbot.addWidget(window)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.app"):
            windows.show(fullscreen=False, screen=QRect(0, 0, 1920, 1080))
        assert windows.counter is not None and windows.display is not None
        assert not windows.counter.geometry().intersects(windows.display.geometry())
        assert windows.counter.width() >= CONSOLE_MIN.width()
        assert "too small" not in caplog.text
    finally:
        windows.shutdown()
