""""Cek status" on the lobby board: a camera below the screen reads ticket QR codes held up to it.

A corner of the board shows where to hold the code (the guide's corners on an empty square) and one
line of instruction, never the camera's picture: it would show whoever stands in front of the
camera to the whole lobby (a face is specific personal data, UU 27/2022). Frames are decoded, never
drawn. A code of ours turns the corner into the answer (the number and where it stands, in the
ticket's own language) for :data:`RESULT_SECONDS`, then it goes back to scanning. The board never
depends on the camera: when it fails the corner hides and the camera is tried again a minute later.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.i18n import LANGUAGES, Translator
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import label
from kiosk.visit.qr_codes import QrReading
from kiosk.visit.status_check import StatusChecker, StatusReport, can_look_up

log = logging.getLogger(__name__)

RESULT_SECONDS = 12
CAMERA_RETRY_SECONDS = 60


class OutlineScanPanel(QrScanPanel):
    """Reads QR codes like :class:`QrScanPanel` but draws only the guide, never a frame of the camera."""

    def start(self) -> None:
        super().start()
        self.preview.set_feed(None)  # decoded on the feed's thread, never handed to the picture
        self.preview.show_image(None)


class BoardStatusCheck(QFrame):
    """The board's status corner: instruction + where to hold the code, or the answer for a scanned ticket."""

    def __init__(self, checker: StatusChecker, make_source: SourceFactory, ikd_pattern: str, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusCorner")
        self.checker = checker
        self.lang = lang
        self.runner = TaskRunner("display-status-check", self)
        self.report: StatusReport | None = None
        self.hint = label("", "statusHint", align=Qt.AlignmentFlag.AlignCenter)
        self.scanner = OutlineScanPanel(make_source, ikd_pattern)
        self.scanner.setMinimumHeight(180)
        self.scanner.read.connect(self._read)
        self.scanner.camera_failed.connect(self._camera_failed)
        self.number = label("", "statusCornerNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.message = label("", "statusCornerText", align=Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        for widget in (self.hint, self.scanner, self.number, self.message):
            layout.addWidget(widget)
        self.result_timer = QTimer(self)
        self.result_timer.setSingleShot(True)
        self.result_timer.setInterval(RESULT_SECONDS * 1000)
        self.result_timer.timeout.connect(self.show_scanning)
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(CAMERA_RETRY_SECONDS * 1000)
        self.retry_timer.timeout.connect(self.start)
        self.show_scanning()

    def start(self) -> None:
        self.show()
        self.show_scanning()
        self.scanner.start()

    def stop(self) -> None:
        self.result_timer.stop()
        self.retry_timer.stop()
        self.scanner.stop()
        self.runner.stop()
        self.checker.close()

    def show_scanning(self) -> None:
        self.report = None
        self.hint.setText(Translator(self.lang)("status_check.board_hint"))
        self.hint.show()
        self.scanner.show()
        self.number.hide()
        self.message.hide()

    def _read(self, reading: QrReading) -> None:
        if not can_look_up(reading) or self.runner.busy:
            return  # an ID card or a stranger's code: the board stays quiet
        self.runner.run(lambda: self.checker.check(reading), on_done=self.show_answer,
                        on_error=lambda exc: log.warning("board status check failed: %s", exc))

    def show_answer(self, report: StatusReport) -> None:
        """Show what the lookup answered (the screen's one input besides the scanner; also for the screenshots)."""
        self.report = report
        lang = str(report.ticket.get("lang", self.lang)) if report.ticket else self.lang
        heading, lines = report.lines(Translator(lang if lang in LANGUAGES else self.lang))
        self.number.setText(heading)
        self.number.setVisible(bool(heading))
        self.message.setText("\n".join(lines))
        self.message.show()
        self.hint.hide()
        self.result_timer.start()

    def _camera_failed(self, message: str) -> None:
        log.warning("board status camera unavailable (trying again in %d s): %s", CAMERA_RETRY_SECONDS, message)
        self.hide()
        self.retry_timer.start()
