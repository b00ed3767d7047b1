""""Cek status" at the kiosk, by clicks: the citizen holds the ticket's QR code to the camera (a picture
of a generated code played as the camera) and reads where the ticket stands; and the digital ID (IKD)
QR read on the NIK step."""

from __future__ import annotations

import dataclasses
import logging
import socket
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.config.schema import Config
from kiosk.core import open_survey_store
from kiosk.printing.status import DEMO_STATUS_URL_TEMPLATE, status_url
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.status import status_token
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step
from kiosk.visit.qr_codes import QrReading

NIK = "3171014501900001"


def qr_picture(folder: Path, text: str, name: str = "code.png") -> Path:
    """A QR code held up to a 640×480 camera, saved as the 'camera' picture."""
    code = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
    frame = np.full((480, 640, 3), 110, np.uint8)
    h, w = code.shape
    frame[(480 - h) // 2:(480 - h) // 2 + h, (640 - w) // 2:(640 - w) // 2 + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    path = folder / name
    cv2.imwrite(str(path), frame)
    return path


def with_camera(config: Config, device: str | Path) -> Config:
    return dataclasses.replace(config, camera=dataclasses.replace(config.camera, device=str(device)))


def make_window(qtbot, config: Config, queue, catalog, size: tuple[int, int] = (1080, 1920)) -> KioskWindow:
    window = KioskWindow(config, catalog, queue, Speaker(enabled=False), survey_store=open_survey_store(config))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def click(qtbot, window: QWidget, name: str) -> None:
    widget = window.findChild(QPushButton, name)
    assert widget is not None and widget.isVisible() and widget.isEnabled(), name
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def text_of(window: QWidget, name: str) -> str:
    found = [w for w in window.findChildren(QLabel) if w.accessibleName() == name]
    return found[0].text() if found and found[0].isVisible() else ""


def test_citizen_checks_a_ticket_by_its_qr(qtbot, config: Config, core, tmp_path: Path) -> None:
    core.queue.issue("KTP-EL", request_id="someone-else")
    issued = core.queue.issue("KTP-EL", request_id="mine")
    picture = qr_picture(tmp_path, status_url(DEMO_STATUS_URL_TEMPLATE, issued.ticket.id))
    window = make_window(qtbot, with_camera(config, picture), core.queue, core.catalog)

    click(qtbot, window, "statusButton")
    assert window.current_step == Step.STATUS
    qtbot.waitUntil(lambda: text_of(window, "statusNumber") == f"Nomor {issued.ticket.number}", timeout=10_000)
    assert "1 orang di depan Anda" in text_of(window, "statusMessage")
    assert window.status_check is not None and not window.status_check.scanner.scanning  # camera off again

    core.queue.call_next(2, ["KTP-EL"], actor="c@counter-2")
    core.queue.call_next(5, ["KTP-EL"], actor="c@counter-5")
    click(qtbot, window, "statusAgain")
    qtbot.waitUntil(lambda: "loket 5" in text_of(window, "statusMessage"), timeout=10_000)
    assert text_of(window, "statusMessage") == "Anda dipanggil! Silakan ke loket 5."

    click(qtbot, window, "statusDone")
    assert window.current_step == Step.WELCOME


def test_a_code_that_is_not_ours_gets_a_hint_and_scanning_goes_on(qtbot, config: Config, core,
                                                                  tmp_path: Path) -> None:
    window = make_window(qtbot, with_camera(config, qr_picture(tmp_path, "https://example.com/promo")), core.queue,
                         core.catalog, size=(1920, 1080))
    window.set_language("en")
    click(qtbot, window, "statusButton")
    qtbot.waitUntil(lambda: "not an MPP ticket" in text_of(window, "statusMessage"), timeout=10_000)
    assert window.status_check.scanner.scanning and window.status_check.state == "scanning"


def test_a_camera_that_fails_says_so_and_offers_a_retry(qtbot, config: Config, core, tmp_path: Path) -> None:
    broken = tmp_path / "camera.mp4"
    broken.write_bytes(b"not a video")
    window = make_window(qtbot, with_camera(config, broken), core.queue, core.catalog)
    click(qtbot, window, "statusButton")
    qtbot.waitUntil(lambda: window.status_check.state == "camera", timeout=10_000)
    assert text_of(window, "statusMessage") == "Kamera tidak dapat digunakan. Silakan tanya petugas di meja informasi."
    click(qtbot, window, "statusRetry")
    qtbot.waitUntil(lambda: window.status_check.state == "camera", timeout=10_000)


def test_without_a_camera_status_is_asked_by_number_only(qtbot, config: Config, core, caplog) -> None:
    """The camera is configured but not there: "Cek status" opens on the keys, with no way to scan."""
    window = make_window(qtbot, with_camera(config, "/dev/video97"), core.queue, core.catalog)
    assert not window.findChild(QPushButton, "ikdScanButton").isVisible()
    assert "camera /dev/video97 not found" in caplog.text
    click(qtbot, window, "statusButton")
    screen = window.status_check
    assert screen.state == "typing" and screen.typing.isVisible() and not screen.scanner.isVisible()
    assert not screen.scan_button.isVisible() and not screen.scanner.scanning


def test_a_camera_plugged_in_after_start_is_offered_and_one_unplugged_is_not(
        qtbot, config: Config, core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    """The kiosk booted before its camera was ready: "Cek status" and the digital-ID scan appear once
    it is there, without a restart, and go when it is unplugged (the camera here is a picture file)."""
    import kiosk.ui.kiosk.camera_watch as camera_watch

    monkeypatch.setattr(camera_watch, "CAMERA_PROBE_SECONDS", 0.05)
    caplog.set_level(logging.INFO, logger="kiosk.ui.kiosk.camera_watch")
    issued = core.queue.issue("KTP-EL", request_id="mine")
    camera = tmp_path / "later.png"
    window = make_window(qtbot, with_camera(config, camera), core.queue, core.catalog)
    status_button = window.findChild(QPushButton, "statusButton")
    assert status_button.isVisible() and not window.status_check.camera_offered  # by typed number meanwhile

    qr_picture(tmp_path, status_url(DEMO_STATUS_URL_TEMPLATE, issued.ticket.id), name=camera.name)  # plugged in
    qtbot.waitUntil(lambda: window.status_check.camera_offered, timeout=5_000)
    assert "later.png connected" in caplog.text
    click(qtbot, window, "statusButton")
    qtbot.waitUntil(lambda: text_of(window, "statusNumber") == f"Nomor {issued.ticket.number}", timeout=10_000)
    click(qtbot, window, "statusDone")

    window.show_step(Step.IDENTIFY)
    assert window.findChild(QPushButton, "ikdScanButton").isVisible()
    camera.unlink()  # unplugged
    qtbot.waitUntil(lambda: not window.findChild(QPushButton, "ikdScanButton").isVisible(), timeout=5_000)
    window.wipe()
    assert status_button.isVisible() and not window.status_check.camera_offered


def test_queue_host_down_then_back(qtbot, config: Config, core, tmp_path: Path) -> None:
    """The lookup fails while the host is away; "Coba lagi" asks again without a new scan."""
    from kiosk.queue.host import create_app
    from kiosk.queue.routes.access import DeviceGrant
    from kiosk.queue.server import RunningServer

    issued = core.queue.issue("KTP-EL", request_id="lan")
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = int(probe.getsockname()[1])
    remote = HttpQueue(f"http://127.0.0.1:{port}", "tok-kiosk", timeout=1.0, retries=0)
    window = make_window(qtbot, with_camera(config, qr_picture(tmp_path, status_url(
        DEMO_STATUS_URL_TEMPLATE, issued.ticket.id))), remote, core.catalog)
    server = None
    try:
        click(qtbot, window, "statusButton")
        qtbot.waitUntil(lambda: window.status_check.state == "unavailable", timeout=15_000)
        assert text_of(window, "statusMessage").startswith("Status belum dapat diperiksa sekarang.")
        server = RunningServer(create_app(core.queue.engine, {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}),
                               port=port)
        click(qtbot, window, "statusRetry")
        qtbot.waitUntil(lambda: text_of(window, "statusNumber") == f"Nomor {issued.ticket.number}", timeout=10_000)
    finally:
        window.shutdown()
        remote.close()
        if server is not None:
            server.stop()


@pytest.mark.parametrize("payload, expected", [
    (f"IKD|v1|NIK:{NIK}|NAMA:CONTOH", "valid"),
    ("IKD|v1|NIK:3171014501900000|NAMA:CONTOH", "invalid"),
])
def test_nik_read_from_the_digital_id(qtbot, config: Config, core, tmp_path: Path, payload: str,
                                      expected: str) -> None:
    window = make_window(qtbot, with_camera(config, qr_picture(tmp_path, payload)), core.queue, core.catalog)
    click(qtbot, window, "startButton")
    qtbot.mouseClick(window.screens[Step.SERVICE].tiles["KTP-EL"], Qt.MouseButton.LeftButton)
    click(qtbot, window.screens[Step.REQUIREMENTS], "nextButton")
    assert window.current_step == Step.IDENTIFY
    identify = window.screens[Step.IDENTIFY]
    click(qtbot, window, "ikdScanButton")
    if expected == "valid":
        qtbot.waitUntil(lambda: identify.digits == NIK, timeout=10_000)
        assert identify.masked and not identify.scanner.scanning
        assert identify.message.text() == "NIK terbaca dari KTP digital. Periksa lalu tekan Lanjut."
        click(qtbot, identify, "nextButton")
        assert window.session.nik is not None and window.session.nik.digits == NIK
    else:
        qtbot.waitUntil(lambda: identify.message.objectName() == "fieldError", timeout=10_000)
        assert identify.digits == "" and identify.scanner.scanning  # nothing filled in; keep trying
        click(qtbot, window, "ikdCancel")
        assert not identify.scanner.scanning and identify.keypad.isVisible()


def test_lobby_board_answers_a_ticket_held_to_its_camera(qtbot, config: Config, core, tmp_path: Path) -> None:
    """The board's corner shows the instruction, then the answer in the ticket's language, then goes back."""
    from kiosk.ui.board.status import BoardStatusCheck
    from kiosk.ui.board.window import DisplayWindow

    issued = core.queue.issue("KTP-EL", request_id="board", lang="en")
    board_config = with_camera(config, qr_picture(tmp_path, status_url(DEMO_STATUS_URL_TEMPLATE, issued.ticket.id)))
    board_config = dataclasses.replace(board_config, display=dataclasses.replace(board_config.display,
                                                                                  status_camera=True))
    display = DisplayWindow(board_config, core.catalog, core.queue)
    qtbot.addWidget(display)
    display.resize(1920, 1080)
    display.show()
    corner = display.status_corner
    assert isinstance(corner, BoardStatusCheck) and corner.hint.text().startswith("Cek status")
    qtbot.waitUntil(lambda: corner.number.isVisible(), timeout=10_000)
    assert corner.number.text() == f"Number {issued.ticket.number}"
    assert corner.message.text() == "Waiting to be called.\nYou are next."
    assert corner.result_timer.isActive()
    corner.result_timer.timeout.emit()  # the answer's time is up
    assert corner.hint.isVisible() and not corner.number.isVisible()
    display.shutdown()


def test_board_without_a_camera_keeps_running(qtbot, config: Config, core, caplog) -> None:
    from kiosk.ui.board.window import DisplayWindow

    board_config = dataclasses.replace(with_camera(config, "/dev/video97"), display=dataclasses.replace(
        config.display, status_camera=True))
    display = DisplayWindow(board_config, core.catalog, core.queue)
    qtbot.addWidget(display)
    display.show()
    corner = display.status_corner
    qtbot.waitUntil(lambda: corner.retry_timer.isActive(), timeout=10_000)
    assert not corner.isVisible() and display.now_number.isVisible()
    assert "board status camera unavailable" in caplog.text
    display.shutdown()


def assert_fits(window: KioskWindow, screen: QWidget, size: tuple[int, int], what: str) -> None:
    """Nothing clipped (not even one long word), buttons big, the window keeps its size."""
    assert (window.width(), window.height()) == size
    needed, area = screen.layout().totalMinimumSize(), window.stack.size()
    assert needed.width() <= area.width() and needed.height() <= area.height(), (what, needed, area)
    for widget in screen.findChildren(QWidget):
        if not isinstance(widget, (QLabel, QPushButton)) or not widget.isVisible() or not widget.text():
            continue
        metrics, room = widget.fontMetrics(), widget.contentsRect().width()
        if isinstance(widget, QPushButton):
            assert room >= metrics.horizontalAdvance(widget.text()) and widget.height() >= 72, (what, widget.text())
        else:
            longest = max(widget.text().split(), key=metrics.horizontalAdvance)
            assert metrics.horizontalAdvance(longest) <= room, (what, longest, room)
            if widget.wordWrap():
                assert widget.height() >= widget.heightForWidth(widget.width()) - 2, (what, widget.text()[:30])


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
def test_every_status_state_fits(qtbot, config: Config, core, tmp_path: Path, size: tuple[int, int],
                                 large_text: bool) -> None:
    """Welcome with both small buttons, every Cek status state, and the NIK step with the IKD scan."""
    from kiosk.visit.status_check import ApplicationStanding, StatusReport

    issued = core.queue.issue("KTP-EL", request_id="fit")
    window = make_window(qtbot, with_camera(config, qr_picture(tmp_path, "not ours")), core.queue, core.catalog,
                         size=size)
    window.set_language("id")
    window.set_large_text(large_text)
    window.findChild(QPushButton, "surveyButton").setVisible(True)  # both extras on the welcome screen
    qtbot.wait(5)
    assert_fits(window, window.screens[Step.WELCOME], size, "welcome")
    click(qtbot, window, "statusButton")
    screen = window.status_check
    ticket = screen.checker.check(QrReading("ticket_status", status_token(issued.ticket.id)))
    states = [lambda: screen.scanner.read.emit(QrReading("unknown")), lambda: screen.show_answer(ticket),
              lambda: screen.show_answer(StatusReport("application", application=ApplicationStanding(
                  "APP-K01-20261123-0007", "needs_info"))),
              lambda: screen.show_answer(StatusReport("unavailable")),
              lambda: screen.scanner.camera_failed.emit("test"), screen.start_typing,
              lambda: screen.show_answer(StatusReport("not_found", typed_number="A-077")),
              lambda: screen.show_answer(StatusReport("throttled", typed_number="A-077"))]
    for n, show in enumerate(states):
        show()
        qtbot.wait(5)
        assert_fits(window, screen, size, f"status state {n}")
    window.wipe()
    window.start_normal()
    window.choose_service(core.catalog.service("KTP-EL"))
    window.after_requirements()
    identify = window.screens[Step.IDENTIFY]
    def scanning_without_camera() -> None:  # the picture's code must not change the text mid-check
        identify.start_ikd_scan()
        identify.scanner.stop()

    for n, show in enumerate([lambda: None, scanning_without_camera, lambda: identify._ikd_read(QrReading("unknown")),
                              lambda: identify._ikd_read(QrReading("ikd", NIK))]):
        show()
        qtbot.wait(5)
        assert_fits(window, identify, size, f"identify {n}")
    window.shutdown()
