"""Counter console and lobby board in the demo, driven by clicks and shortcuts, plus the speaker."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_touch import click
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.core import Core
from kiosk.queue.models import PriorityGroup, TicketState
from kiosk.staff.directory import StaffDirectory, hash_pin
from kiosk.ui.app import RoleWindows
from kiosk.ui.board.announcer import Announcer
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow, building_counters
from kiosk.ui.qt.speech import Speaker, speech_dispatcher_answers


@pytest.fixture
def counter(qtbot, core: Core) -> Iterator[CounterWindow]:
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield window


@pytest.fixture
def display(qtbot, core: Core) -> Iterator[DisplayWindow]:
    window = DisplayWindow(core.config, core.catalog, core.queue)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    yield window


def test_counters_come_from_the_catalog(core: Core) -> None:
    counters = building_counters(core.config, core.catalog)
    assert list(counters) == [1, 2, 3, 4, 5, 6, 7, 8]  # 8: the information desk (issue 16)
    assert "KTP-EL" in counters[1] and "SIP-PERAWAT-BARU" in counters[6]


def test_call_start_finish_by_clicks(qtbot, counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="a", nik_masked="3171********0001", identity_status="to_verify_at_counter")
    core.queue.issue("KTP-EL", request_id="b")
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current_number.text() == "A-001")
    assert "3171********0001" in counter.current_detail.text()
    # One key per citizen: with a ticket in hand "Panggil berikutnya" finishes it first, and says so;
    # "Selesai" needs no "Mulai layani" first (issue 17).
    assert counter.buttons["call_next"].isEnabled() and counter.buttons["finish"].isEnabled()
    assert counter.buttons["call_next"].text().startswith("Selesai, panggil berikutnya")
    qtbot.mouseClick(counter.buttons["start"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.state == TicketState.SERVING)
    qtbot.mouseClick(counter.buttons["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is None)
    qtbot.waitUntil(lambda: "1 dilayani" in counter.stats.text())
    assert counter.message.text() == "A-001 selesai."


@pytest.mark.parametrize("size", [(1366, 768), (1600, 900), (1920, 1080), (1280, 1024)])
def test_every_button_fits_on_common_monitors_with_the_longest_ticket_detail(qtbot, core: Core,
                                                                              size: tuple[int, int]) -> None:
    """A priority ticket recalled once, whose identity is checked at the counter: the most lines under
    the number. No button may be cut off (seen at 1600×900 and 1366×768 before gaps scaled)."""
    core.queue.issue("KTP-EL", request_id="a", priority=PriorityGroup.DISABILITY, nik_masked="3171********0001",
                     identity_status="to_verify_at_counter")
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.perform("call_next")
    qtbot.waitUntil(lambda: window.current is not None)
    window.perform("recall")
    qtbot.waitUntil(lambda: window.current is not None and window.current.recalls == 1)
    assert len(window.current_detail.text().splitlines()) == 3
    qtbot.wait(50)  # layouts settle
    assert window.console.minimumSizeHint().height() <= size[1]
    stack_bottom = window.action_stack.mapTo(window, window.action_stack.rect().bottomLeft()).y()
    for name, widget in window.buttons.items():
        top_left = widget.mapTo(window, widget.rect().topLeft())
        assert widget.height() >= widget.minimumSizeHint().height(), name
        assert top_left.y() + widget.height() - 1 <= stack_bottom, name
        assert top_left.x() + widget.width() <= size[0], name


def test_keyboard_shortcuts_and_priority_marking(qtbot, counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="normal")
    elderly = core.queue.issue("KTP-EL", request_id="elderly", priority=PriorityGroup.ELDERLY).ticket
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    mark, head, name = counter.waiting_list.item(0).text().split("\n")  # the row "Panggil berikutnya" takes
    assert mark == "▶ BERIKUTNYA  [F1]" and counter.waiting_list.item(0).isSelected()
    assert head.startswith("★ A-002") and "menunggu 0 mnt" in head
    assert name.startswith("KTP Elektronik") and "KTP-EL" not in counter.waiting_list.item(1).text()
    qtbot.keyClick(counter, Qt.Key.Key_F2)  # call priority
    qtbot.waitUntil(lambda: counter.current is not None)
    assert counter.current.number == "A-002"
    qtbot.keyClick(counter, Qt.Key.Key_F6)  # no-show
    qtbot.waitUntil(lambda: counter.current is None)
    assert core.queue.get(elderly.id).state == TicketState.NO_SHOW


def test_nobody_waiting_is_said_plainly(qtbot, counter: CounterWindow) -> None:
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.message.text() != "")
    assert counter.message.text() == "Tidak ada antrean yang menunggu untuk loket ini."


def test_board_shows_and_flashes_a_new_call_without_personal_data(qtbot, display: DisplayWindow,
                                                                  counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="a", nik_masked="3171********0001")
    qtbot.waitUntil(lambda: display.board is not None and display.board.waiting_by_service.get("KTP-EL") == 1)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.now_number.text() == "A-001")
    assert display.now_counter.text() == "→ LOKET 1"
    assert display.flash_timer.isActive()
    texts = " ".join(label.text() for label in display.findChildren(QLabel))
    assert "*" not in texts and not re.search(r"\d{16}", texts)


def test_two_calls_in_the_same_instant_are_both_announced_in_order(qtbot, core: Core) -> None:
    speaker = Speaker(enabled=False)
    announcer = Announcer(speaker, "id")
    announcer.chime_ms = 1
    announcer.seconds_per_word = 0.001
    said: list[str] = []
    announcer.announcing.connect(said.append)
    display = DisplayWindow(core.config, core.catalog, core.queue, announcer)
    qtbot.addWidget(display)
    display.resize(1920, 1080)
    display.show()
    core.queue.issue("KTP-EL", request_id="a")
    core.queue.issue("KTP-EL", request_id="b")
    core.queue.call_next(1, ["KTP-EL"], actor="test")  # both calls land before the board is read once
    core.queue.call_next(2, ["KTP-EL"], actor="test")
    qtbot.waitUntil(lambda: sum("silakan" in s for s in said) == 4)  # each sentence twice
    sentences = [s for s in said if "silakan" in s]
    assert "loket satu" in sentences[0] and "loket dua" in sentences[2]
    qtbot.waitUntil(lambda: display.now_number.text() == "A-002")
    speaker.shutdown()


def test_demo_builds_all_three_windows_and_stops_cleanly(qtbot, core: Core) -> None:
    windows = RoleWindows(core, "all-in-one", Speaker(enabled=False))
    for window in windows.windows:
        qtbot.addWidget(window)
    windows.show(fullscreen=False)
    assert windows.kiosk and windows.counter and windows.display
    assert all(w.isVisible() for w in windows.windows)
    windows.shutdown()


def test_speaker_off_is_silent(qtbot) -> None:
    silent = Speaker(enabled=False)
    with qtbot.waitSignal(silent.changed, timeout=1000):
        silent.load()
    assert not silent.can_speak("id") and not silent.say("x", "id")
    silent.shutdown()


def test_hung_speech_service_leaves_the_speaker_silent_not_frozen(qtbot, tmp_path, monkeypatch) -> None:
    """A speech-dispatcher that accepts but never answers (seen on our machines) must not hang us."""
    path = tmp_path / "speechd.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(5)  # accepts connections in the kernel backlog, never replies
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
    speaker = Speaker(enabled=True, espeak=None, clips_dir=tmp_path)  # no fallback voice: silent, not frozen
    try:
        started = time.monotonic()
        with qtbot.waitSignal(speaker.changed, timeout=15_000):
            speaker.load()
            ticks = []
            timer = QTimer()
            timer.timeout.connect(lambda: ticks.append(1))
            timer.start(100)
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the GUI thread keeps running
            timer.stop()
        assert time.monotonic() - started < 8
        assert not speaker.can_speak("id") and not speaker.say("Nomor antrean", "id")
    finally:
        speaker.shutdown()
        server.close()


def test_speech_dispatcher_probe_answers_from_a_real_ssip_peer(tmp_path) -> None:
    path = tmp_path / "ok.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(200)
            conn.sendall(b"208 OK CLIENT NAME SET\r\n")
            conn.recv(200)

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        assert speech_dispatcher_answers(path, timeout=2)
    finally:
        thread.join(5)
        server.close()
    assert not speech_dispatcher_answers(tmp_path / "missing.sock", timeout=0.5)


# -- staff sign-in, transfer, call a number ---------------------------------------------------

PIN = "2468"


@pytest.fixture(scope="module")
def staff_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pin_hash = hash_pin(PIN)
    path = tmp_path_factory.mktemp("staff") / "staff.toml"
    path.write_text(f'[[staff]]\nid = "rina"\nname = "Rina Wulandari"\npin_hash = "{pin_hash}"\n\n'
                    f'[[staff]]\nid = "budi"\nname = "Budi Santoso"\npin_hash = "{pin_hash}"\n', encoding="utf-8")
    return path


@pytest.fixture
def staffed(qtbot, core: Core, staff_file: Path) -> Iterator[CounterWindow]:
    window = CounterWindow(core.config, core.catalog, core.queue, staff=StaffDirectory.load(staff_file),
                           survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield window


def press_keys(qtbot, keypad: QWidget, digits: str) -> None:
    for digit in digits:
        click(qtbot, keypad.findChild(QPushButton, f"key{digit}"))


def sign_in(qtbot, window: CounterWindow, row: int, pin: str, counter_index: int = 0) -> None:
    item = window.staff_list.item(row)
    qtbot.mouseClick(window.staff_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.staff_list.visualItemRect(item).center())
    assert window.staff_list.currentItem() is item
    window.login_counter_picker.setCurrentIndex(counter_index)  # an offscreen combo popup cannot be clicked
    press_keys(qtbot, window.pin_keypad, pin)
    click(qtbot, window.sign_in_button)


def test_without_accounts_the_console_opens_directly(counter: CounterWindow) -> None:
    assert counter.pages.currentWidget() is counter.console
    assert not counter.sign_out_button.isVisible() and counter.counter_picker.isEnabled()


def test_sign_in_by_clicks_puts_the_clerk_in_the_audit_actor(qtbot, staffed: CounterWindow, core: Core) -> None:
    ticket = core.queue.issue("KTP-EL", request_id="a").ticket
    assert staffed.pages.currentWidget() is staffed.login_page
    qtbot.keyClick(staffed, Qt.Key.Key_F1)  # no actions before signing in
    assert all(not widget.isEnabled() for widget in staffed.buttons.values())
    sign_in(qtbot, staffed, 0, PIN)
    qtbot.waitUntil(lambda: staffed.pages.currentWidget() is staffed.console)
    assert staffed.staff_member is not None and staffed.staff_member.id == "rina"
    assert not staffed.counter_picker.isEnabled()  # the counter is locked until sign-out
    assert "Rina Wulandari" in staffed.staff_label.text()
    assert core.queue.get(ticket.id).state == TicketState.ISSUED
    qtbot.waitUntil(lambda: staffed.buttons["call_next"].isEnabled())
    click(qtbot, staffed.buttons["call_next"])
    qtbot.waitUntil(lambda: staffed.current_number.text() == "A-001")
    called = [e for e in core.queue.engine.events(ticket.id) if e["type"] == "called"]
    assert called[-1]["actor"] == f"{core.config.device.id}/rina/counter-1"


def test_pin_is_masked_and_wrong_pins_lock_the_account(qtbot, core: Core, staff_file: Path) -> None:
    now = [100.0]
    window = CounterWindow(core.config, core.catalog, core.queue,
                           staff=StaffDirectory.load(staff_file, clock=lambda: now[0]), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    click(qtbot, window.sign_in_button)
    assert window.login_message.text() == "Pilih nama Anda dulu."
    item = window.staff_list.item(1)
    qtbot.mouseClick(window.staff_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.staff_list.visualItemRect(item).center())
    press_keys(qtbot, window.pin_keypad, "12")
    assert window.pin_display.text() == "●●"
    click(qtbot, window.pin_keypad.findChild(QPushButton, "keyBackspace"))
    assert window.pin_display.text() == "●"
    click(qtbot, window.pin_keypad.findChild(QPushButton, "keyClear"))
    click(qtbot, window.sign_in_button)
    assert window.login_message.text() == "Ketik PIN Anda dulu."
    for left in (4, 3, 2, 1):
        sign_in(qtbot, window, 1, "1111")
        qtbot.waitUntil(lambda n=left: window.login_message.text() == f"PIN salah. Sisa percobaan: {n}.")
        assert window.pin_display.text() == "—"  # the PIN is cleared after every attempt
    sign_in(qtbot, window, 1, "1111")
    qtbot.waitUntil(lambda: window.login_message.text() == "Terlalu banyak PIN salah. Coba lagi dalam 60 detik.")
    now[0] += 20
    sign_in(qtbot, window, 1, PIN)  # even the right PIN waits out the lock
    qtbot.waitUntil(lambda: window.login_message.text() == "Terlalu banyak PIN salah. Coba lagi dalam 40 detik.")
    assert window.pages.currentWidget() is window.login_page and window.staff_member is None
    now[0] += 41
    sign_in(qtbot, window, 1, PIN)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.console)
    assert window.staff_member.id == "budi"


def test_sign_out_returns_to_the_sign_in_panel(qtbot, staffed: CounterWindow, core: Core) -> None:
    sign_in(qtbot, staffed, 0, PIN)
    qtbot.waitUntil(lambda: staffed.pages.currentWidget() is staffed.console)
    click(qtbot, staffed.sign_out_button)
    assert staffed.pages.currentWidget() is staffed.login_page
    assert staffed.staff_member is None and staffed.pin_display.text() == "—"
    core.queue.issue("KTP-EL", request_id="a")
    staffed.perform("call_next")  # refused while signed out
    assert core.queue.current_at(1) is None
    sign_in(qtbot, staffed, 1, PIN, counter_index=1)
    qtbot.waitUntil(lambda: staffed.pages.currentWidget() is staffed.console)
    assert staffed.counter == 2 and staffed.counter_picker.currentData() == 2
    assert staffed._actor == f"{core.config.device.id}/budi/counter-2"


def test_transfer_by_clicks_keeps_the_number(qtbot, staffed: CounterWindow, core: Core) -> None:
    other = next(s.code for s in core.catalog.services if s.code != "KTP-EL")
    ticket = core.queue.issue("KTP-EL", request_id="a").ticket
    sign_in(qtbot, staffed, 0, PIN)
    qtbot.waitUntil(lambda: staffed.buttons["call_next"].isEnabled())
    assert not staffed.buttons["transfer"].isEnabled()  # nothing in hand yet
    click(qtbot, staffed.buttons["call_next"])
    qtbot.waitUntil(lambda: staffed.buttons["transfer"].isEnabled())
    click(qtbot, staffed.buttons["transfer"])
    assert staffed.action_stack.currentWidget() is staffed.transfer_panel
    assert not staffed.transfer_buttons["KTP-EL"].isEnabled()  # not to its own service
    click(qtbot, staffed.transfer_cancel)
    assert staffed.action_stack.currentWidget() is staffed.work_page
    qtbot.keyClick(staffed, Qt.Key.Key_F7)
    assert staffed.action_stack.currentWidget() is staffed.transfer_panel
    click(qtbot, staffed.transfer_buttons[other])
    qtbot.waitUntil(lambda: core.queue.get(ticket.id).service_code == other)
    moved = core.queue.get(ticket.id)
    assert moved.number == "A-001" and moved.state == TicketState.ISSUED
    qtbot.waitUntil(lambda: staffed.current is None and staffed.action_stack.currentWidget() is staffed.work_page)
    assert staffed.message.text().startswith("A-001 dialihkan ke ")
    event = core.queue.engine.events(ticket.id)[-1]
    assert event["type"] == "transferred" and event["actor"] == f"{core.config.device.id}/rina/counter-1"


def test_call_a_number_by_clicks_with_clear_errors(qtbot, staffed: CounterWindow, core: Core) -> None:
    for request in ("a", "b", "c"):
        core.queue.issue("KTP-EL", request_id=request)
    core.queue.call_specific(2, "A-001", actor="elsewhere")
    sign_in(qtbot, staffed, 0, PIN)
    qtbot.waitUntil(lambda: staffed.buttons["call_number"].isEnabled() and staffed.waiting_list.count() == 2)
    qtbot.keyClick(staffed, Qt.Key.Key_F8)
    assert staffed.action_stack.currentWidget() is staffed.call_panel
    assert list(staffed.prefix_buttons) == ["A"]
    click(qtbot, staffed.prefix_buttons["A"])
    assert not staffed.call_go.isEnabled()
    press_keys(qtbot, staffed.call_keypad, "9")
    assert staffed.call_display.text() == "A-009"
    click(qtbot, staffed.call_go)
    qtbot.waitUntil(lambda: staffed.message.text() == "Nomor A-009 tidak ada hari ini.")
    assert staffed.action_stack.currentWidget() is staffed.call_panel  # stays open to correct the number
    click(qtbot, staffed.call_keypad.findChild(QPushButton, "keyClear"))
    press_keys(qtbot, staffed.call_keypad, "001")
    assert staffed.call_display.text() == "A-001"
    qtbot.waitUntil(lambda: staffed.call_go.isEnabled())
    click(qtbot, staffed.call_go)
    qtbot.waitUntil(lambda: staffed.message.text() == "A-001 tidak sedang menunggu (dipanggil).")
    click(qtbot, staffed.call_keypad.findChild(QPushButton, "keyBackspace"))
    press_keys(qtbot, staffed.call_keypad, "3")
    qtbot.waitUntil(lambda: staffed.call_go.isEnabled())
    click(qtbot, staffed.call_go)
    qtbot.waitUntil(lambda: staffed.current_number.text() == "A-003")
    assert staffed.action_stack.currentWidget() is staffed.work_page
    assert staffed.message.text() == "A-003 dipanggil."
    event = [e for e in core.queue.engine.events() if e["number"] == "A-003"][-1]
    assert event["type"] == "called" and event["detail"]["mode"] == "specific"
    assert event["actor"] == f"{core.config.device.id}/rina/counter-1"
    assert not staffed.buttons["call_number"].isEnabled()  # only while idle


def test_cancel_closes_the_call_panel(qtbot, counter: CounterWindow) -> None:
    qtbot.waitUntil(lambda: counter.buttons["call_number"].isEnabled())
    click(qtbot, counter.buttons["call_number"])
    assert counter.call_hint.text() == "Tidak ada nomor yang menunggu untuk loket ini."
    click(qtbot, counter.call_cancel)
    assert counter.action_stack.currentWidget() is counter.work_page


class _SlowReads:
    """The demo queue, with reads of the waiting line let through one at a time (a slow host)."""

    def __init__(self, queue: object) -> None:
        self._queue = queue
        self.held = False
        self.permits = threading.Semaphore(0)

    def waiting(self, *args: object, **kwargs: object) -> object:
        if self.held:
            self.permits.acquire(timeout=5)
        return self._queue.waiting(*args, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self._queue, name)


def test_a_background_reread_never_swallows_a_clerks_click(qtbot, core: Core) -> None:
    queue = _SlowReads(core.queue)
    counter = CounterWindow(core.config, core.catalog, queue, survey_store=core.survey)
    qtbot.addWidget(counter)
    counter.resize(1600, 900)
    counter.show()
    core.queue.issue("KTP-EL", request_id="a")
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 1 and counter.buttons["call_next"].isEnabled())
    queue.held = True
    core.queue.issue("KTP-EL", request_id="b")  # other kiosks: the console re-reads while reads are slow
    qtbot.wait(100)
    core.queue.issue("KTP-EL", request_id="c")  # ...and owes one more read
    qtbot.wait(100)
    queue.permits.release()  # the first read comes back while the second is under way
    qtbot.waitUntil(lambda: counter.waiting_list.count() >= 2)
    assert counter.buttons["call_next"].isEnabled()
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    queue.held = False
    queue.permits.release()
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.number == "A-001")
    counter.shutdown()
