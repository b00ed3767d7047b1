"""Pictures of "Cek status" (kiosk and lobby board) and of the IKD scan for ``kiosk selftest``.

The camera is a still picture (a drawn stand-in); answers come from a real
:class:`~kiosk.visit.status_check.StatusChecker` on the scratch queue, so the words are the ones a citizen
would read.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import cv2

from kiosk.config.schema import Config
from kiosk.queue.status import status_token
from kiosk.selftest.shots.face import stand_in_picture
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step
from kiosk.visit.qr_codes import QrReading
from kiosk.visit.status_check import ApplicationStanding, StatusChecker, StatusReport

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def capture_status(config: Config, out: Path, shots: list[Path]) -> None:
    from kiosk.selftest.scene import save_shot, scratch_core, settle

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
                for lang in (("id", "en") if orientation == "portrait" else ("id",)):
                    window = KioskWindow(core.config, core.catalog, queue, Speaker(enabled=False))
                    prefix = f"status-{orientation}-{lang}"
                    try:
                        window.resize(*size)
                        window.show()
                        window.set_language(lang)
                        screen = window.status_check
                        assert screen is not None
                        window.show_step(Step.STATUS)
                        settle(400)  # the stand-in picture reaches the preview
                        save_shot(window, out / f"{prefix}-01-scanning.png", shots)
                        screen._read(QrReading("unknown"))
                        save_shot(window, out / f"{prefix}-02-not-ours.png", shots)
                        for n, (name, report) in enumerate(answers.items(), start=3):
                            screen.scanner.stop()
                            screen._answered(report)
                            save_shot(window, out / f"{prefix}-{n:02d}-{name}.png", shots)
                        screen._camera_failed("selftest")
                        save_shot(window, out / f"{prefix}-08-camera.png", shots)
                        window.wipe()
                        window.start_normal()
                        window.choose_service(core.catalog.service("KTP-EL"))  # type: ignore[union-attr]
                        window.after_requirements()
                        identify = window.screens[Step.IDENTIFY]
                        identify.start_ikd_scan()  # type: ignore[attr-defined]
                        settle(400)
                        save_shot(window, out / f"{prefix}-09-ikd-scanning.png", shots)
                        identify._ikd_read(QrReading("ikd", "3171014501900001"))  # type: ignore[attr-defined]
                        save_shot(window, out / f"{prefix}-10-ikd-read.png", shots)
                    finally:
                        window.shutdown()
                        window.deleteLater()
            _capture_board(core, out, shots, waiting)
        finally:
            core.close()


def _capture_board(core: object, out: Path, shots: list[Path], answer: StatusReport) -> None:
    from kiosk.selftest.scene import save_shot, settle
    from kiosk.ui.board.window import DisplayWindow

    config = core.config  # type: ignore[attr-defined]
    board_config = dataclasses.replace(config, display=dataclasses.replace(config.display, status_camera=True))
    for lang in ("id", "en"):
        board_config = dataclasses.replace(board_config, device=dataclasses.replace(board_config.device,
                                                                                    language=lang))
        display = DisplayWindow(board_config, core.catalog, core.queue)  # type: ignore[attr-defined]
        try:
            display.resize(1920, 1080)
            display.show()
            settle(400)
            save_shot(display, out / f"board-status-{lang}-01-scanning.png", shots)
            assert display.status_corner is not None
            display.status_corner._answered(answer)
            save_shot(display, out / f"board-status-{lang}-02-answer.png", shots)
        finally:
            display.shutdown()
            display.deleteLater()

