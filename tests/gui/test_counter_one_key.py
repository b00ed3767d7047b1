"""The counter at rush hour (issue 17), driven by keys and clicks: one key per citizen, "Selesai" right
after a call, the undo of a finish pressed by mistake, a waiting line a tired clerk reads at a glance
(names, ★, 64 px rows, who is next), the filed application in the column's full height, and a console
that keeps its buttons apart at its minimum size, window manager or not."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fit_checks import cut_off
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.catalog.forms import load_forms
from kiosk.core import Core
from kiosk.queue.models import ApplicationView, PriorityGroup, TicketState
from kiosk.ui.app import RoleWindows
from kiosk.ui.counter.console import MIN_SIZE, CounterWindow, building_counters
from kiosk.ui.counter.waiting_list import MIN_ROW_HEIGHT, NEXT_ROLE
from kiosk.ui.qt.speech import Speaker

S = TicketState
LONG_STR = "QR0000012345678901234567890123456789012345"


@pytest.fixture
def counter(qtbot, core: Core) -> Iterator[CounterWindow]:
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey,
                           application_finder=core.queue.application_of, forms=load_forms())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield window
    window.shutdown()


def settled(counter: CounterWindow) -> bool:
    return counter._actions_in_flight == 0 and counter.buttons["call_next"].isEnabled()


def test_one_key_per_citizen(qtbot, counter: CounterWindow, core: Core) -> None:
    tickets = [core.queue.issue("KTP-EL", request_id=f"r{i}").ticket for i in range(4)]
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 4)
    keys = 0
    while any(core.queue.get(t.id).state is not S.DONE for t in tickets):
        qtbot.waitUntil(lambda: settled(counter))
        qtbot.keyClick(counter, Qt.Key.Key_F1)
        keys += 1
        qtbot.waitUntil(lambda: counter._actions_in_flight == 0)  # the queue answered
        if keys == 2:
            qtbot.waitUntil(lambda: counter.current is not None and counter.current.number == "A-002")
            assert counter.message.text() == "A-001 selesai · A-002 dipanggil."
    assert keys == len(tickets) + 1  # the last F1 finishes the last citizen and finds nobody
    qtbot.waitUntil(lambda: counter.current is None and counter.message.text().startswith("A-004 selesai."))
    started = [core.queue.get(t.id) for t in tickets]
    assert all(t.started_at == t.called_at for t in started)  # served time runs from the call


def test_finish_right_after_the_call(qtbot, counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="a")
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 1)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.buttons["finish"].isEnabled())
    assert counter.current.state is S.CALLED
    qtbot.mouseClick(counter.buttons["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is None and counter.message.text() == "A-001 selesai.")


def test_a_finish_pressed_by_mistake_is_taken_back(qtbot, counter: CounterWindow, core: Core) -> None:
    first, second = (core.queue.issue("KTP-EL", request_id=f"r{i}").ticket for i in range(2))
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    qtbot.keyClick(counter, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: settled(counter) and counter.current is not None)
    qtbot.keyClick(counter, Qt.Key.Key_F1)  # the citizen still had a question
    qtbot.waitUntil(lambda: counter.undo_button.isVisible())
    assert counter.undo_button.text() == "Urungkan: A-001 belum selesai"
    assert counter.current_number.isVisible() and counter.current_number.text() == "A-002"  # kept in sight
    qtbot.mouseClick(counter.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.id == first.id)
    assert core.queue.get(first.id).state is S.SERVING
    back = core.queue.get(second.id)
    assert back.state is S.ISSUED and back.arrived_at == second.arrived_at
    assert not counter.undo_button.isVisible()
    assert [e["type"] for e in core.queue.engine.events()][-2:] == ["uncalled", "reopened"]
    qtbot.waitUntil(lambda: settled(counter))
    qtbot.keyClick(counter, Qt.Key.Key_F5)  # a plain finish can be taken back by Ctrl+Z as well
    qtbot.waitUntil(lambda: counter.undo_button.isVisible() and counter.current is None)
    qtbot.keyClick(counter, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.state is S.SERVING)


def test_the_line_names_services_marks_priority_and_who_is_next(qtbot, counter: CounterWindow,
                                                                core: Core) -> None:
    for i, priority in enumerate([None, None, PriorityGroup.ELDERLY, PriorityGroup.PREGNANT,
                                  PriorityGroup.DISABILITY, None]):
        core.queue.issue("KTP-EL" if i % 2 else "IKD", request_id=f"r{i}", priority=priority)
    services = building_counters(core.config, core.catalog)[counter.counter]
    assert {"IKD", "KTP-EL"} <= set(services)
    for _ in range(7):  # through a priority streak: the mark always follows the queue's own rule
        qtbot.waitUntil(lambda: settled(counter) and counter.waiting.next_id
                        == getattr(core.queue.next_up(counter.counter, services), "id", None))
        if counter.waiting.next_id is None:
            break
        line = counter.waiting_list
        rows = [line.item(i) for i in range(line.count())]
        for item in rows:
            assert line.visualItemRect(item).height() >= MIN_ROW_HEIGHT
            assert "KTP-EL" not in item.text() and "\nIKD" not in item.text()
            assert ("★" in item.text()) == (item.data(Qt.ItemDataRole.UserRole) == "priority")
        names = {core.catalog.service(code).name.get("id") for code in ("IKD", "KTP-EL")}
        assert all(item.text().split("\n")[-1] in names for item in rows)  # the catalog's names, in Indonesian
        marked = [item for item in rows if item.data(NEXT_ROLE)]
        assert len(marked) == 1 and marked[0].isSelected() and marked[0].text().startswith("▶ BERIKUTNYA")
        expected = counter.waiting.next_id
        qtbot.keyClick(counter, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda expected=expected: counter.current is not None and counter.current.id == expected)


def test_the_application_fills_the_column_and_a_long_str_stays_clear_of_the_scrollbar(
        qtbot, counter: CounterWindow, core: Core) -> None:
    number = next(n for n, codes in building_counters(core.config, core.catalog).items()
                  if "SIP-PERAWAT-BARU" in codes)
    counter.counter_picker.setCurrentIndex(counter.counter_picker.findData(number))
    ticket = core.queue.issue("SIP-PERAWAT-BARU", request_id="sip").ticket
    core.queue.attach_application(ticket.id, ApplicationView(
        application_id="app-1", number="MPP-20261206-0001", service_code="SIP-PERAWAT-BARU",
        nik_masked="3171********0001", created_at=datetime.now(UTC), sync_state="sent",
        answers={"str_number": LONG_STR, "facility_name": "RSUD Kota Contoh", "practice_city": "Kota Contoh",
                 "practice_address": "Jl. Jenderal Sudirman No. 123, Kelurahan Contoh, Kecamatan Contoh"}))
    core.queue.call_specific(number, ticket.number, actor="test")
    panel = counter.application_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.isVisible() and panel.application is not None)
    qtbot.wait(50)
    assert panel.height() >= 0.6 * counter.height()  # not a four-line box
    assert not counter.waiting_list.isVisible() and "berikutnya" not in counter.waiting.title.text()
    assert dict(panel.row_texts())["Nomor STR"] == LONG_STR  # as filed, whole
    viewport = panel.answers_area.viewport()
    for _key, value in panel.row_labels:
        right = value.mapTo(viewport, value.rect().topRight()).x()
        assert right < viewport.width(), value.text()  # never under the scrollbar
        assert value.sizeHint().width() <= viewport.width() or value.wordWrap()
    assert cut_off([v for _k, v in panel.row_labels], "application") == []


@pytest.mark.parametrize("size", [(929, 388), (1024, 600), (1280, 720), (1366, 728)])
def test_the_minimum_size_is_honoured_and_buttons_never_overlap(qtbot, core: Core, size: tuple[int, int]) -> None:
    """The demo on a 1366×768 screen gave the console 929×388 without a window manager to enforce anything."""
    core.queue.issue("KTP-EL", request_id="a", priority=PriorityGroup.DISABILITY, nik_masked="3171********0001",
                     identity_status="to_verify_at_counter")
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.setGeometry(0, 0, *size)
    window.show()
    window.perform("call_next")
    qtbot.waitUntil(lambda: window.current is not None and len(window.current_detail.text().splitlines()) == 3)
    qtbot.waitUntil(lambda: window._actions_in_flight == 0)
    qtbot.wait(100)  # the re-read after the call lands too
    assert window.width() >= MIN_SIZE[0] and window.height() >= MIN_SIZE[1]
    assert window.console.minimumSizeHint().height() <= window.height()
    boxes = {name: button.geometry().translated(button.mapTo(window, button.rect().topLeft()) - button.pos())
             for name, button in window.buttons.items()}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not box_a.intersects(box_b), (a, b)
    for name, button in window.buttons.items():
        assert button.height() >= button.minimumSizeHint().height(), name
        assert window.rect().contains(boxes[name]), name
    assert cut_off(list(window.buttons.values()), f"console {size}") == []
    window.shutdown()


def test_the_demo_gives_the_console_at_least_its_minimum(qtbot, core: Core) -> None:
    windows = RoleWindows(core, "all-in-one", Speaker(enabled=False))
    for window in windows.windows:
        qtbot.addWidget(window)
    windows.show(fullscreen=False)
    assert windows.counter is not None
    console: QWidget = windows.counter
    assert console.width() >= MIN_SIZE[0] and console.height() >= MIN_SIZE[1]
    windows.shutdown()
