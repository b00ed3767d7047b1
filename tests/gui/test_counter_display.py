"""Counter console and lobby board in the demo, driven by clicks and shortcuts, plus the speaker."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from kiosk.core import Core
from kiosk.queue.models import PriorityGroup, TicketState
from kiosk.ui.app import RoleWindows
from kiosk.ui.counter import CounterWindow, building_counters
from kiosk.ui.display import DisplayWindow
from kiosk.ui.speech import Speaker, speech_dispatcher_answers


@pytest.fixture
def counter(qtbot, core: Core) -> Iterator[CounterWindow]:
    window = CounterWindow(core.config, core.catalog, core.queue)
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
    assert list(counters) == [1, 2, 3, 4, 5, 6, 7]
    assert "KTP-EL" in counters[1] and "SIP-PERAWAT-BARU" in counters[6]


def test_call_start_finish_by_clicks(qtbot, counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="a", nik_masked="3171********0001", identity_status="to_verify_at_counter")
    core.queue.issue("KTP-EL", request_id="b")
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current_number.text() == "A-001")
    assert "3171********0001" in counter.current_detail.text()
    assert not counter.buttons["call_next"].isEnabled()
    qtbot.mouseClick(counter.buttons["start"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is not None and counter.current.state == TicketState.SERVING)
    qtbot.mouseClick(counter.buttons["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.current is None)
    qtbot.waitUntil(lambda: "1 dilayani" in counter.stats.text())
    assert counter.message.text() == "A-001 selesai."


def test_keyboard_shortcuts_and_priority_marking(qtbot, counter: CounterWindow, core: Core) -> None:
    core.queue.issue("KTP-EL", request_id="normal")
    elderly = core.queue.issue("KTP-EL", request_id="elderly", priority=PriorityGroup.ELDERLY).ticket
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
    assert counter.waiting_list.item(0).text().startswith("★ A-002")
    assert counter.waiting_list.item(0).text().endswith("menunggu 0 mnt")
    qtbot.keyClick(counter, Qt.Key.Key_F2)  # call priority
    qtbot.waitUntil(lambda: counter.current is not None)
    assert counter.current.number == "A-002"
    qtbot.keyClick(counter, Qt.Key.Key_F6)  # no-show
    qtbot.waitUntil(lambda: counter.current is None)
    assert core.queue.get(elderly.id).state == TicketState.NO_SHOW


def test_nobody_waiting_is_said_plainly(qtbot, counter: CounterWindow) -> None:
    qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.message.text() != "")
    assert counter.message.text() == "Tidak ada antrian yang menunggu untuk loket ini."


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
    speaker = Speaker(enabled=True)
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
        assert not speaker.can_speak("id") and not speaker.say("Nomor antrian", "id")
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
