"""The lobby board read from the back of the lobby (issue 17 item 5), its clock and its camera corner.

Sizes are measured from the rendered board: the rows of pixels that differ from the background
inside each label (the "ink"), so a number drawn in capitals and digits measures its cap height.
On a 55" 1080p panel one pixel is about 0.63 mm.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.printing.status import DEMO_STATUS_URL_TEMPLATE, status_url
from kiosk.queue.models import BoardState, PriorityGroup
from kiosk.queue.wire import board_from_json, board_to_json
from kiosk.ui.board.window import DisplayWindow

LANDSCAPE, PORTRAIT = (1920, 1080), (1080, 1920)
MM_PER_PX = 0.63


class HostWithoutPriority:
    """The demo's queue as an older host sends its board: the calls' ``priority`` left out of the JSON."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def board(self, recent: int = 8) -> BoardState:
        data = board_to_json(self._queue.board(recent=recent))
        for call in (*data["now_serving"], *data["recent_calls"]):
            del call["priority"]
        return board_from_json(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def ink_rows(image: QImage, widget: QWidget, window: QWidget) -> tuple[int, int] | None:
    """First and last row (window coordinates) of ``widget`` holding pixels unlike its background."""
    origin = widget.mapTo(window, widget.rect().topLeft())
    background = image.pixelColor(origin.x(), origin.y())
    rows = [y for y in range(origin.y(), min(image.height(), origin.y() + widget.height()))
            if any(_differs(image.pixelColor(x, y), background)
                   for x in range(origin.x(), min(image.width(), origin.x() + widget.width()), 2))]
    return (rows[0], rows[-1]) if rows else None


def _differs(colour: Any, background: Any) -> bool:
    return (abs(colour.red() - background.red()) + abs(colour.green() - background.green())
            + abs(colour.blue() - background.blue())) > 150


def ink_height(image: QImage, widget: QWidget, window: QWidget) -> int:
    rows = ink_rows(image, widget, window)
    assert rows is not None, f"{widget.objectName()} {widget.text() if isinstance(widget, QLabel) else ''} is empty"
    return rows[1] - rows[0] + 1


def assert_whole(label: QLabel, window: QWidget) -> None:
    """The label is inside the window and its text is not cut (as wide as one line, or as tall as its lines)."""
    top_left = label.mapTo(window, label.rect().topLeft())
    assert top_left.x() >= 0 and top_left.y() >= 0, label.objectName()
    assert top_left.x() + label.width() <= window.width() and top_left.y() + label.height() <= window.height()
    metrics = label.fontMetrics()
    if label.wordWrap():
        needed = metrics.boundingRect(QRect(0, 0, label.width(), 10_000), int(Qt.TextFlag.TextWordWrap), label.text())
        assert needed.height() <= label.height(), (label.objectName(), label.text())
    else:
        assert metrics.horizontalAdvance(label.text()) <= label.width(), (label.objectName(), label.text())


def board_window(qtbot: QtBot, config: Config, core: Core, size: tuple[int, int], queue: Any = None) -> DisplayWindow:
    window = DisplayWindow(config, core.catalog, queue or core.queue)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def settle(qtbot: QtBot, window: DisplayWindow, number: str) -> QImage:
    qtbot.waitUntil(lambda: window.now_number.text() == number)
    window.flash_timer.stop()
    window._flashes_left = 1
    window._flash()  # back to the resting colours
    qtbot.wait(50)
    return window.grab().toImage()


def call_some(core: Core, with_priority: bool = False) -> str:
    """Seven calls at counters 1–5; the last number. With a priority one: A-007 (called 2nd to last, at 5)."""
    for index in range(6 if with_priority else 7):
        core.queue.issue("KTP-EL", request_id=f"r{index}")
    last = None
    for counter in (1, 2, 3, 4, 5, 1, 2):
        if with_priority and counter == 5:
            core.queue.issue("KTP-EL", request_id="p", priority=PriorityGroup.ELDERLY)
        last = core.queue.call_next(counter, ["KTP-EL"], actor="test")
    assert last is not None
    return last.number


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_call_and_the_past_calls_are_read_from_the_back(qtbot: QtBot, config: Config, core: Core,
                                                            size: tuple[int, int]) -> None:
    """"A-007 → LOKET 2" with the counter ≥ 70 % of the number's height (one line in landscape), and at
    least four past calls at ≥ 90 px capitals, every text whole and on the screen."""
    number = call_some(core)
    window = board_window(qtbot, config, core, size)
    image = settle(qtbot, window, number)
    number_rows = ink_rows(image, window.now_number, window)
    counter_rows = ink_rows(image, window.now_counter, window)
    assert number_rows is not None and counter_rows is not None
    number_px, counter_px = number_rows[1] - number_rows[0] + 1, counter_rows[1] - counter_rows[0] + 1
    assert window.now_counter.text() == "→ LOKET 2"
    assert counter_px >= 0.70 * number_px, (counter_px, number_px)
    assert number_px >= 150
    if size == LANDSCAPE:  # one line: the same baseline (within the round digits' overshoot)
        assert abs(number_rows[1] - counter_rows[1]) <= 6, (number_rows, counter_rows)
    past = [cell for cell in window.recent.cells if cell.isVisible()]
    assert len(past) >= 4
    assert [cell.text().split("\u2009")[0] for cell in past[:4]] == ["A-006", "A-005", "A-004", "A-003"]
    for cell in past:
        assert ink_height(image, cell, window) >= 90, cell.text()
    for label in (window.now_number, window.now_counter, *past, window.waiting, window.clock):
        assert_whole(label, window)
    assert window.waiting.fontMetrics().capHeight() >= 40  # 25 mm, was 33 px


def test_a_long_counter_name_shrinks_the_line_and_keeps_the_share(qtbot: QtBot, config: Config, core: Core) -> None:
    english = dataclasses.replace(config, device=dataclasses.replace(config.device, language="en"))
    for index in range(12):
        core.queue.issue("KTP-EL", request_id=f"r{index}")
    core.queue.call_next(12, ["KTP-EL"], actor="test")
    window = board_window(qtbot, english, core, LANDSCAPE)
    image = settle(qtbot, window, "A-001")
    assert window.now_counter.text() == "→ COUNTER 12"
    assert ink_height(image, window.now_counter, window) >= 0.70 * ink_height(image, window.now_number, window)
    assert_whole(window.now_counter, window)


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_priority_calls_are_marked_with_a_star_and_a_word(qtbot: QtBot, config: Config, core: Core,
                                                          size: tuple[int, int]) -> None:
    """The host's ``priority`` boolean shows as ★ and "PRIORITAS" (never the group)."""
    window = board_window(qtbot, config, core, size)
    number = call_some(core, with_priority=True)
    image = settle(qtbot, window, number)
    assert not window.now_priority.isVisible()  # the latest call is not a priority one
    cells = {cell.text().replace("\u2009", " "): cell for cell in window.recent.cells if cell.isVisible()}
    starred = [text for text in cells if text.startswith("★")]
    assert starred == ["★ A-007 → 5"]
    assert window.recent.legend.isVisible() and window.recent.legend.text() == "★ = prioritas"
    assert ink_height(image, cells[starred[0]], window) >= 90
    shown = " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible()).lower()
    assert "lansia" not in shown and "elderly" not in shown

    core.queue.issue("KK", request_id="pregnant", priority=PriorityGroup.PREGNANT)
    called = core.queue.call_next(3, ["KK"], actor="test")
    assert called is not None
    settle(qtbot, window, called.number)
    assert window.now_priority.isVisible() and window.now_priority.text() == "★ PRIORITAS"


def test_a_host_without_the_priority_field_shows_no_star(qtbot: QtBot, config: Config, core: Core) -> None:
    window = board_window(qtbot, config, core, LANDSCAPE, queue=HostWithoutPriority(core.queue))
    number = call_some(core, with_priority=True)
    settle(qtbot, window, number)
    assert not any(cell.text().startswith("★") for cell in window.recent.cells)
    assert not window.recent.legend.isVisible() and not window.now_priority.isVisible()


def test_the_clock_shows_the_buildings_time_not_the_machines(qtbot: QtBot, config: Config, core: Core,
                                                             os_clock_in_sao_paulo: None) -> None:
    window = board_window(qtbot, config, core, LANDSCAPE)
    expected = {datetime.now(ZoneInfo(config.site.timezone)).strftime("%d/%m/%Y  %H:%M")}
    window._tick()
    expected.add(datetime.now(ZoneInfo(config.site.timezone)).strftime("%d/%m/%Y  %H:%M"))  # a minute turned
    assert window.clock.text() in {f"{text} WIB" for text in expected}


def test_the_clock_names_the_zone_as_the_ticket_does(qtbot: QtBot, config: Config, core: Core) -> None:
    """The issue's case: 18:25 UTC on 6 December is 01:25 WIB on the 7th (the board said 06/12 18:25)."""
    window = DisplayWindow(config, core.catalog, core.queue, clock=lambda: datetime(2026, 12, 6, 18, 25, tzinfo=UTC))
    qtbot.addWidget(window)
    assert window.clock.text() == "07/12/2026  01:25 WIB"
    makassar = dataclasses.replace(config, site=dataclasses.replace(config.site, timezone="Asia/Makassar"))
    other = DisplayWindow(makassar, core.catalog, core.queue, clock=lambda: datetime(2026, 12, 6, 18, 25, tzinfo=UTC))
    qtbot.addWidget(other)
    assert other.clock.text() == "07/12/2026  02:25 WITA"


GREEN = (0, 200, 0)  # BGR and RGB alike: a colour the board itself never draws


def person_and_code(folder: Path, text: str) -> Path:
    """A camera picture: someone (a green field) holding a ticket's QR code."""
    code = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:] = GREEN
    h, w = code.shape
    frame[(480 - h) // 2:(480 - h) // 2 + h, (640 - w) // 2:(640 - w) // 2 + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    path = folder / "camera.png"
    cv2.imwrite(str(path), frame)
    return path


def test_the_status_corner_reads_codes_but_never_shows_the_camera_picture(qtbot: QtBot, config: Config, core: Core,
                                                                          tmp_path: Path) -> None:
    issued = core.queue.issue("KTP-EL", request_id="board")
    picture = person_and_code(tmp_path, status_url(DEMO_STATUS_URL_TEMPLATE, issued.ticket.id))
    board_config = dataclasses.replace(
        config, camera=dataclasses.replace(config.camera, device=str(picture)),
        display=dataclasses.replace(config.display, status_camera=True))
    window = board_window(qtbot, board_config, core, LANDSCAPE)
    corner = window.status_corner
    assert corner is not None
    qtbot.waitUntil(lambda: corner.scanner.feed is not None and corner.scanner.feed.stats["frames_read"] >= 3,
                    timeout=10_000)
    qtbot.wait(200)  # frames that would have been drawn are drawn by now
    assert corner.hint.text().startswith("Cek status")
    image = corner.grab().toImage()
    greens = sum(1 for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
                 if (image.pixelColor(x, y).red(), image.pixelColor(x, y).green(), image.pixelColor(x, y).blue())
                 == GREEN)
    assert greens == 0 and corner.scanner.preview.frames_shown == 0
    qtbot.waitUntil(lambda: corner.number.isVisible(), timeout=10_000)  # the code was still read
    assert issued.ticket.number in corner.number.text()
    window.shutdown()


def test_the_flash_keeps_the_call_readable(qtbot: QtBot, config: Config, core: Core) -> None:
    """Flashing for deaf visitors turns the box yellow and the call dark: never yellow on yellow."""
    number = call_some(core)
    window = board_window(qtbot, config, core, LANDSCAPE)
    settle(qtbot, window, number)
    window._flashes_left = 2
    window._flash()  # the yellow phase
    image = window.grab().toImage()
    assert ink_height(image, window.now_number, window) >= 150
    assert ink_height(image, window.now_counter, window) >= 110
