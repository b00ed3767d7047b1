"""Lobby announcements: queued, in order, never cut off; silent but harmless without a voice."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.core import Core
from kiosk.ui.announcer import Announcer
from kiosk.ui.counter import CounterWindow
from kiosk.ui.display import DisplayWindow
from kiosk.ui.speech import Speaker


def make(lang: str = "id") -> tuple[Announcer, list[str], list[int]]:
    speaker = Speaker(enabled=False)
    chimes: list[int] = []
    announcer = Announcer(speaker, lang, chime=lambda: chimes.append(1))
    announcer.chime_ms = 5
    parts: list[str] = []
    announcer.announcing.connect(parts.append)
    return announcer, parts, chimes


def test_calls_queue_up_in_order_each_chime_then_twice(qtbot) -> None:
    announcer, parts, chimes = make()
    with qtbot.waitSignal(announcer.idle, timeout=3000):
        announcer.announce("A-012", 3)
        announcer.announce("B-001", 10)  # arrives while the first is still being said
    first = "Nomor antrian A dua belas, silakan menuju loket tiga."
    second = "Nomor antrian B satu, silakan menuju loket sepuluh."
    assert parts == ["chime", first, first, "chime", second, second]
    assert len(chimes) == 2
    assert not announcer.busy


def test_english_board(qtbot) -> None:
    announcer, parts, _ = make("en")
    with qtbot.waitSignal(announcer.idle, timeout=3000):
        announcer.announce("K-045", 12)
    assert parts[1] == "Queue number K forty-five, please go to counter twelve."


def test_a_bad_number_is_skipped_not_fatal(qtbot) -> None:
    announcer, parts, _ = make()
    announcer.announce("???", 1)
    announcer.announce("A-001", 1)
    qtbot.waitUntil(lambda: len(parts) == 3 and not announcer.busy, timeout=3000)
    assert parts[0] == "chime" and "A satu" in parts[1]


def test_board_announces_each_new_call(qtbot, core: Core) -> None:
    announcer, parts, _ = make()
    display = DisplayWindow(core.config, core.catalog, core.queue, announcer)
    counter = CounterWindow(core.config, core.catalog, core.queue)
    for window in (display, counter):
        qtbot.addWidget(window)
        window.show()
    core.queue.issue("KTP-EL", request_id="a")
    qtbot.waitUntil(lambda: display.board is not None and display.board.waiting_by_service.get("KTP-EL") == 1)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    assert "Nomor antrian A satu, silakan menuju loket satu." in parts
