"""The lobby board after a counter's undo (issue 17): "Panggil berikutnya" finished A-001 and called
A-002, the clerk took the finish back; A-002 is back in line, so the board must stop sending it to
LOKET 1 and show A-001 there again (it redraws from the queue's board read)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from kiosk.core import Core
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow


@pytest.fixture
def windows(qtbot, core: Core) -> Iterator[tuple[CounterWindow, DisplayWindow]]:
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    display = DisplayWindow(core.config, core.catalog, core.queue)
    for window, size in ((counter, (1366, 768)), (display, (1920, 1080))):
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
    yield counter, display
    counter.shutdown()


def settled(counter: CounterWindow) -> bool:
    return counter._actions_in_flight == 0 and counter.buttons["call_next"].isEnabled()


def test_a_call_taken_back_leaves_the_board(qtbot, windows: tuple[CounterWindow, DisplayWindow],
                                            core: Core) -> None:
    counter, display = windows
    for i in range(2):
        core.queue.issue("KTP-EL", request_id=f"r{i}")
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.now_number.text() == "A-001")
    qtbot.waitUntil(lambda: settled(counter))
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)  # finish A-001, call A-002
    qtbot.waitUntil(lambda: display.now_number.text() == "A-002")
    qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    qtbot.mouseClick(counter.undo_button, Qt.MouseButton.LeftButton)  # the citizen still had a question
    qtbot.waitUntil(lambda: display.now_number.text() == "A-001", timeout=5000)
    assert display.now_counter.text() == "→ LOKET 1"
    assert display.board is not None
    assert [c.number for c in display.board.recent_calls] == ["A-001"]  # A-002 is in line, not called
    assert [c.number for c in display.board.now_serving] == ["A-001"]
