""""Cek status" by the ticket's typed number (issue 19, item 3), by clicks: the letter key, the digits on
our keypad, "Cek status"; with and without a camera, in Indonesian and English, a number not issued
today, a queue host that is down and then back, and a kiosk that asks too often."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from test_status_check import click, make_window, text_of, with_camera

from kiosk.config.schema import Config
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import NUMBER_STANDING_FIELDS
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.visit.flow import Step

NO_CAMERA = "/dev/video97"


def type_number(qtbot, window: KioskWindow, letter: str, digits: str) -> None:
    """Touch the letter, then each digit, on the status screen (the survey has keys of the same names)."""
    screen = window.status_check
    assert screen is not None and screen.state == "typing"
    click(qtbot, screen, f"prefix{letter}")
    for digit in digits:
        click(qtbot, screen, f"key{digit}")


def press(qtbot, screen: QWidget, name: str) -> None:
    widget = screen.findChild(QPushButton, name)
    assert widget is not None and widget.isVisible(), name
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(("lang", "heading", "ahead"), [
    ("id", "Nomor A-002", "1 orang di depan Anda"),
    ("en", "Number A-002", "1 person ahead of you"),
])
def test_a_typed_number_says_where_the_ticket_stands(qtbot, config: Config, core, lang: str, heading: str,
                                                     ahead: str) -> None:
    core.queue.issue("KTP-EL", request_id="first")
    mine = core.queue.issue("KTP-EL", request_id="mine", lang="en", nik_masked="3171********0001").ticket
    assert mine.number == "A-002"
    window = make_window(qtbot, with_camera(config, NO_CAMERA), core.queue, core.catalog)
    click(qtbot, window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
    click(qtbot, window, "statusButton")
    screen = window.status_check
    assert window.current_step == Step.STATUS and screen.state == "typing"
    assert not screen.check_button.isEnabled() and screen.check_reason.isVisible()  # says what is missing
    type_number(qtbot, window, "A", "2")
    assert text_of(screen, "ticketEntry") == "A - 2" and screen.check_button.isEnabled()
    click(qtbot, screen, "statusCheckNumber")
    qtbot.waitUntil(lambda: text_of(window, "statusNumber") == heading, timeout=10_000)
    assert ahead in text_of(window, "statusMessage")
    assert set(screen.report.ticket) == set(NUMBER_STANDING_FIELDS)  # nothing personal, no language, no application
    assert "3171" not in screen.spoken_text()

    core.queue.call_next(4, ["KTP-EL"], actor="c@counter-4")
    core.queue.call_next(6, ["KTP-EL"], actor="c@counter-6")
    click(qtbot, window, "statusAgain")
    assert screen.state == "typing" and text_of(screen, "ticketEntry") == "_ - ___"  # a new number, from empty
    type_number(qtbot, window, "A", "002")
    click(qtbot, screen, "statusCheckNumber")
    called = {"id": "Anda dipanggil! Silakan ke loket 6.", "en": "You are called! Please go to counter 6."}[lang]
    qtbot.waitUntil(lambda: text_of(window, "statusMessage") == called, timeout=10_000)
    click(qtbot, window, "statusDone")
    assert window.current_step == Step.WELCOME


@pytest.fixture
def still_camera(tmp_path: Path) -> Path:
    """A camera that sees no code (a grey picture)."""
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), np.full((480, 640, 3), 110, np.uint8))
    return path


def test_with_a_camera_typing_is_one_touch_away(qtbot, config: Config, core, still_camera: Path) -> None:
    issued = core.queue.issue("KTP-EL", request_id="mine").ticket
    window = make_window(qtbot, with_camera(config, still_camera), core.queue, core.catalog, size=(1920, 1080))
    click(qtbot, window, "statusButton")
    screen = window.status_check
    qtbot.waitUntil(lambda: screen.scanner.scanning, timeout=10_000)
    assert screen.state == "scanning" and not screen.typing.isVisible()
    click(qtbot, window, "statusTypeNumber")
    assert screen.state == "typing" and not screen.scanner.scanning and not screen.scanner.isVisible()
    assert screen.scan_button.isVisible()  # and back to the camera with one touch
    type_number(qtbot, window, "A", "1")
    click(qtbot, screen, "statusCheckNumber")
    qtbot.waitUntil(lambda: text_of(window, "statusNumber") == f"Nomor {issued.number}", timeout=10_000)
    assert not screen.scanner.scanning  # the camera stays off for a typed number
    click(qtbot, window, "statusAgain")
    assert screen.state == "typing"
    click(qtbot, window, "statusScanQr")
    qtbot.waitUntil(lambda: screen.scanner.scanning, timeout=10_000)
    assert screen.state == "scanning"
    window.shutdown()


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Nomor A-077 tidak ada hari ini. Periksa tiket Anda."),
    ("en", "Number A-077 was not issued today. Check your ticket."),
])
def test_a_number_not_issued_today_stays_to_be_corrected(qtbot, config: Config, core, lang: str,
                                                         expected: str) -> None:
    core.queue.issue("KTP-EL", request_id="only-one")
    window = make_window(qtbot, with_camera(config, NO_CAMERA), core.queue, core.catalog)
    window.set_language(lang)
    click(qtbot, window, "statusButton")
    screen = window.status_check
    type_number(qtbot, window, "A", "77")
    click(qtbot, screen, "statusCheckNumber")
    qtbot.waitUntil(lambda: text_of(screen, "statusEntryMessage") == expected, timeout=10_000)
    assert screen.state == "typing" and text_of(screen, "ticketEntry") == "A - 77"  # kept, to correct
    assert screen.entry_message.objectName() == "fieldError"
    assert expected in screen.spoken_text()
    press(qtbot, screen, "keyBackspace")
    assert text_of(screen, "statusEntryMessage") == ""  # touching a key clears the old answer
    press(qtbot, screen, "keyClear")
    type_number(qtbot, window, "A", "1")
    click(qtbot, screen, "statusCheckNumber")
    qtbot.waitUntil(lambda: text_of(window, "statusNumber") != "", timeout=10_000)


@pytest.fixture
def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@pytest.fixture
def lan_queue(free_port: int) -> Iterator[HttpQueue]:
    remote = HttpQueue(f"http://127.0.0.1:{free_port}", "tok-kiosk", timeout=1.0, retries=0)
    yield remote
    remote.close()


def test_queue_host_down_then_back(qtbot, config: Config, core, free_port: int, lan_queue: HttpQueue) -> None:
    """Over the LAN: the host is away (a clear message and "Coba lagi"), then back (the same number answers)."""
    from kiosk.queue.host import create_app

    issued = core.queue.issue("KTP-EL", request_id="lan").ticket
    window = make_window(qtbot, with_camera(config, NO_CAMERA), lan_queue, core.catalog)
    server = None
    try:
        click(qtbot, window, "statusButton")
        type_number(qtbot, window, "A", "1")
        click(qtbot, window.status_check, "statusCheckNumber")
        qtbot.waitUntil(lambda: window.status_check.state == "unavailable", timeout=15_000)
        assert text_of(window, "statusMessage").startswith("Status belum dapat diperiksa sekarang.")
        server = RunningServer(create_app(core.queue.engine, {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}),
                               port=free_port)
        click(qtbot, window, "statusRetry")
        qtbot.waitUntil(lambda: text_of(window, "statusNumber") == f"Nomor {issued.number}", timeout=10_000)
    finally:
        window.shutdown()
        if server is not None:
            server.stop()


def test_a_kiosk_asking_too_often_is_slowed_down(qtbot, config: Config, core, free_port: int, lan_queue: HttpQueue,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.queue.host import create_app
    from kiosk.queue.routes import lookup

    monkeypatch.setattr(lookup, "DEFAULT_LIMITS", lookup.LookupLimits(burst=2, per_second=0.01))
    core.queue.issue("KTP-EL", request_id="one")
    server = RunningServer(create_app(core.queue.engine, {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}),
                           port=free_port)
    window = make_window(qtbot, with_camera(config, NO_CAMERA), lan_queue, core.catalog)
    try:
        click(qtbot, window, "statusButton")
        screen = window.status_check
        for digit in "12":  # two lookups: the burst
            type_number(qtbot, window, "A", digit)
            click(qtbot, screen, "statusCheckNumber")
            qtbot.waitUntil(lambda: screen.state in ("result", "typing") and screen.report is not None, timeout=10_000)
            click(qtbot, window, "statusAgain") if screen.state == "result" else press(qtbot, screen, "keyClear")
        type_number(qtbot, window, "A", "3")
        click(qtbot, screen, "statusCheckNumber")
        qtbot.waitUntil(lambda: text_of(screen, "statusEntryMessage").startswith("Terlalu banyak pencarian"),
                        timeout=10_000)
        assert screen.state == "typing" and text_of(screen, "ticketEntry") == "A - 3"
    finally:
        window.shutdown()
        server.stop()
