"""Pictures of "Cek status" (kiosk and lobby board) and of the IKD scan for ``kiosk selftest``.

The camera is a still picture (a drawn stand-in); a typed number is typed by taps on the screen's keys;
answers come from a real
:class:`~kiosk.visit.status_check.StatusChecker` on the scratch queue, so the words are the ones a citizen
would read.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
from PySide6.QtWidgets import QWidget

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES, Language
from kiosk.queue.status import status_token
from kiosk.selftest.scene import SAMPLE_NIK, save_shot, scratch_core, settle, tap, tap_keys
from kiosk.selftest.shots.face import stand_in_picture
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.kiosk.identify import IdentifyScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step
from kiosk.visit.qr_codes import QrReading
from kiosk.visit.status_check import ApplicationStanding, StatusChecker, StatusReport

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def capture_status(config: Config, out: Path, shots: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        picture = Path(scratch) / "camera.png"
        cv2.imwrite(str(picture), stand_in_picture())
        camera = dataclasses.replace(config.camera, device=str(picture), qr_scanning=True)
        core = scratch_core(dataclasses.replace(config, camera=camera), Path(scratch) / "data")
        try:
            queue = core.queue
            for i in range(3):
                queue.issue("KTP-EL", request_id=f"status-shot-{i}")
            mine = queue.issue("KTP-EL", request_id="status-shot-mine", lang="id").ticket
            checker = StatusChecker(queue)
            waiting = checker.check(QrReading("ticket_status", status_token(mine.id)))
            queue.call_specific(2, mine.number, actor="selftest@counter-2")
            called = checker.check(QrReading("ticket_status", status_token(mine.id)))
            application = StatusReport("application", application=ApplicationStanding("APP-20261123-0007",
                                                                                      "in_review"))
            answers = {"waiting": waiting, "called": called, "application": application,
                       "not-found": StatusReport("not_found"), "unavailable": StatusReport("unavailable")}
            for orientation, size in SIZES.items():
                for lang in LANGUAGES if orientation == "portrait" else ("id",):
                    _kiosk_status(core, size, lang, answers,
                                  functools.partial(_save_as, out / f"status-{orientation}-{lang}", shots))
            _capture_board(core, out, shots, waiting)
        finally:
            core.close()


def _save_as(prefix: Path, shots: list[Path], window: QWidget, name: str) -> None:
    save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)


def _kiosk_status(core: Core, size: tuple[int, int], lang: Language, answers: dict[str, StatusReport],
                  shot: Callable[[QWidget, str], None]) -> None:
    """'Cek status' and the digital-ID scan, reached by taps; what the camera reads comes through the
    scanner's signal, the lookup's answers through :meth:`StatusCheckScreen.show_answer`."""
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
        tap(window, "statusButton")
        screen = window.status_check
        assert screen is not None and screen.scanner is not None  # the scratch config has a camera
        settle(400)  # the stand-in picture reaches the preview
        shot(window, "01-scanning")
        screen.scanner.read.emit(QrReading("unknown"))  # a stranger's code held to the camera
        shot(window, "02-not-ours")
        for n, (name, report) in enumerate(answers.items(), start=3):
            screen.scanner.stop()
            screen.show_answer(report)
            shot(window, f"{n:02d}-{name}")
        screen.scanner.camera_failed.emit("selftest")  # the camera unplugged
        shot(window, "08-camera")
        _typed_number(window, shot)
        window.wipe()
        tap(window, "startButton")
        tap(window, "KTP-EL")
        tap(window, "nextButton")
        tap(window, "ikdScanButton")
        settle(400)
        shot(window, "12-ikd-scanning")
        identify = window.screens[Step.IDENTIFY]
        assert isinstance(identify, IdentifyScreen) and identify.scanner is not None
        identify.scanner.read.emit(QrReading("ikd", SAMPLE_NIK))  # the digital ID's code read
        shot(window, "13-ikd-read")
    finally:
        window.shutdown()
        window.deleteLater()


def _typed_number(window: KioskWindow, shot: Callable[[QWidget, str], None]) -> None:
    """"Cek status" by typed number: the keys, a number not issued today, then a waiting ticket's answer."""
    screen = window.status_check
    assert screen is not None
    tap(screen, "statusTypeNumber")  # the camera failed: type the number instead
    shot(window, "09-typing")
    for number, name in (("77", "10-typed-not-found"), ("3", "11-typed-answer")):
        tap(screen, "keyClear")
        tap(screen, "prefixA")
        tap_keys(screen, number)
        tap(screen, "statusCheckNumber")
        for _ in range(100):  # the lookup runs on the screen's worker: at most 5 s
            if screen.state != "checking":
                break
            settle(50)
        shot(window, name)


def _capture_board(core: Core, out: Path, shots: list[Path], answer: StatusReport) -> None:
    config = core.config
    board_config = dataclasses.replace(config, display=dataclasses.replace(config.display, status_camera=True))
    for lang in LANGUAGES:
        board_config = dataclasses.replace(board_config, device=dataclasses.replace(board_config.device,
                                                                                    language=lang))
        display = DisplayWindow(board_config, core.catalog, core.queue)
        try:
            display.resize(1920, 1080)
            display.show()
            settle(400)
            save_shot(display, out / f"board-status-{lang}-01-scanning.png", shots)
            assert display.status_corner is not None
            display.status_corner.show_answer(answer)
            save_shot(display, out / f"board-status-{lang}-02-answer.png", shots)
        finally:
            display.shutdown()
            display.deleteLater()
