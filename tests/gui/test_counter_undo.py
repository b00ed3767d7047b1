"""Taking back a no-show pressed by mistake, by clicks: the ticket keeps its place and is called here again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk.core import Core
from kiosk.queue.models import EventType, TicketState
from kiosk.ui.counter.console import CounterWindow


def make_counter(qtbot, core: Core) -> CounterWindow:
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    return window


def test_undo_no_show_calls_the_same_ticket_again(qtbot, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="late")
    core.queue.issue("KTP-EL", request_id="next")
    counter = make_counter(qtbot, core)
    seen: list[EventType] = []
    core.queue.subscribe(lambda e: seen.append(e.type))
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current_number.text() == "A-001")
    qtbot.mouseClick(counter.buttons["no_show"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    assert counter.undo_button.text() == "Urungkan: A-001 hadir" and counter.undo_timer.isActive()

    qtbot.mouseClick(counter.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.number == "A-001")
    assert counter.current.state == TicketState.CALLED and counter.current.counter == counter.counter
    assert counter.message.text() == "A-001 dipanggil lagi ke loket ini."
    assert not counter.undo_button.isVisible()
    assert seen[-2:] == [EventType.REACTIVATED, EventType.CALLED]  # the board announces it again
    qtbot.mouseClick(counter.buttons["start"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.state == TicketState.SERVING)
    counter.shutdown()


def test_the_undo_expires_and_a_new_call_ends_it(qtbot, core: Core) -> None:
    for i in range(3):
        core.queue.issue("KTP-EL", request_id=f"t{i}")
    counter = make_counter(qtbot, core)
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 3)
    for _ in range(2):
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counter.buttons["no_show"].isEnabled())
        qtbot.mouseClick(counter.buttons["no_show"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    assert counter.undo_button.text() == "Urungkan: A-002 hadir"  # only the latest can be taken back
    counter.undo_timer.timeout.emit()  # time is up
    assert not counter.undo_button.isVisible()
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.buttons["no_show"].isEnabled())
    qtbot.mouseClick(counter.buttons["no_show"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)  # nobody waiting: still useful
    qtbot.waitUntil(lambda: counter.message.text() != "A-003 ditandai tidak hadir.")
    assert counter.undo_button.isVisible()
    core.queue.issue("KTP-EL", request_id="t-new")
    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled() and counter.waiting_list.count() == 1)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)  # someone else is called here
    qtbot.waitUntil(lambda: not counter.undo_button.isVisible())
    assert counter.current.number == "A-004"
    counter.shutdown()


def test_ctrl_z_takes_the_no_show_back(qtbot, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="late")
    counter = make_counter(qtbot, core)
    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled() and counter.waiting_list.count() == 1)
    qtbot.keyClick(counter, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: counter.buttons["no_show"].isEnabled())
    qtbot.keyClick(counter, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    qtbot.keyClick(counter, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.state == TicketState.CALLED)
    assert counter.current.number == "A-001" and not counter.undo_button.isVisible()
    counter.shutdown()


def test_calling_a_number_ends_the_undo_and_shows_the_number(qtbot, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="late")
    core.queue.issue("KTP-EL", request_id="other")
    counter = make_counter(qtbot, core)
    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled() and counter.waiting_list.count() == 2)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.buttons["no_show"].isEnabled())
    qtbot.mouseClick(counter.buttons["no_show"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.undo_button.isVisible() and counter.buttons["call_number"].isEnabled())
    qtbot.mouseClick(counter.buttons["call_number"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(counter.call_keypad.findChild(QPushButton, "key2"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.call_go.isEnabled())
    qtbot.mouseClick(counter.call_go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.number == "A-002")
    assert not counter.undo_button.isVisible() and counter.current_number.isVisible()
    assert counter.current_number.text() == "A-002"
    counter.shutdown()
