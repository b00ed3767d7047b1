""""Cek status" on the kiosk: hold the ticket's (or receipt's) QR code to the camera, read where it stands.

States: scanning (live picture with a guide square) → checking → result (the number, large, and one or
two plain sentences), or "cannot check now" with a retry, or "camera unavailable". A code that is not
ours gets a hint and scanning goes on. The camera is on only while scanning. The lookup
(:class:`kiosk.visit.status_check.StatusChecker`: queue host or central API) runs on a
:class:`~kiosk.ui.qt.tasks.TaskRunner`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.kiosk.base import CameraScreen
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, label, restyle
from kiosk.visit.flow import CitizenSession, Step
from kiosk.visit.qr_codes import QrReading
from kiosk.visit.status_check import StatusChecker, StatusReport, can_look_up

log = logging.getLogger(__name__)


class StatusCheckScreen(CameraScreen):
    step = Step.STATUS
    done = Signal()

    def __init__(self, checker: StatusChecker, make_source: SourceFactory, ikd_pattern: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checker = checker
        self.runner = TaskRunner("kiosk-status-check", self)
        self.state = "scanning"
        self.report: StatusReport | None = None
        self._reading: QrReading | None = None
        self._hint_key = ""

        self.title = label("", "title")
        self.instruction = label("", "subtitle")
        self.scanner = QrScanPanel(make_source, ikd_pattern)
        self.scanner.read.connect(self._read)
        self.scanner.camera_failed.connect(self._camera_failed)
        self.number = label("", "statusNumber", align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("statusNumber")
        self.message = label("", "statusMessage")
        self.message.setAccessibleName("statusMessage")
        self.again_button = button("", "primary", self.scan_again, name="statusAgain")
        self.retry_button = button("", "primary", self._retry, name="statusRetry")
        self.done_button = button("", "", self.done.emit, name="statusDone")

        self.side = QVBoxLayout()
        self.side.setSpacing(20)
        self.side.addStretch(0)  # grows on the answer, so the number and words sit mid-screen
        for text in (self.instruction, self.number, self.message):
            self.side.addWidget(text)
        self.side.addStretch(1)
        for choice in (self.retry_button, self.again_button, self.done_button):
            self.side.addWidget(choice)
        self.set_camera_layout(self.title, self.scanner, self.side)
        self._show("scanning")

    # -- Screen API ------------------------------------------------------------------------------
    def enter(self, session: CitizenSession) -> None:
        self.scan_again()

    def reset(self) -> None:
        self.scanner.stop()
        self.report, self._reading = None, None
        self._show("scanning")

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("status_check.title"))
        self.again_button.setText(t("status_check.again"))
        self.retry_button.setText(t("status_check.retry"))
        self.done_button.setText(t("status_check.done"))
        self._apply_texts()

    def spoken_text(self) -> str:
        if self.state == "result":
            return f"{self.number.text()}. {self.message.text()}".strip(". ")
        return " ".join(p for p in (self.title.text(), self.instruction.text(), self.message.text()) if p)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.turn_camera_layout()

    def stop(self) -> None:
        self.scanner.stop()
        self.runner.stop()
        self.checker.close()

    # -- actions -----------------------------------------------------------------------------------
    def scan_again(self) -> None:
        self.report, self._reading, self._hint_key = None, None, ""
        self._show("scanning")
        self.scanner.start()

    def _read(self, reading: QrReading) -> None:
        if self.state != "scanning":
            return
        if not can_look_up(reading):
            log.info("status check: a QR code that is not ours (%s)", reading.kind)
            self._hint_key = "status_check.not_ours"
            self._apply_texts()
            return
        self.scanner.stop()
        self._look_up(reading)

    def _look_up(self, reading: QrReading) -> None:
        self._reading = reading
        self._show("checking")
        self.runner.run(lambda: self.checker.check(reading), on_done=self.show_answer,
                        on_error=self._lookup_failed)

    def show_answer(self, report: StatusReport) -> None:
        """Show what the lookup answered (the screen's one input besides the scanner; also for the screenshots)."""
        log.info("status check answered: %s", report.kind)
        self.report = report
        self._show("unavailable" if report.kind == "unavailable" else "result")

    def _lookup_failed(self, exc: BaseException) -> None:
        log.error("status check failed", exc_info=exc)
        self.report = StatusReport("unavailable")
        self._show("unavailable")

    def _retry(self) -> None:
        if self.state == "unavailable" and self._reading is not None:
            self._look_up(self._reading)
        else:
            self.scan_again()

    def _camera_failed(self, message: str) -> None:
        log.warning("status check without camera: %s", message)
        self._show("camera")

    # -- presentation ------------------------------------------------------------------------------
    def _show(self, state: str) -> None:
        self.state = state
        self.scanner.setVisible(state in ("scanning", "checking"))
        self.number.setVisible(state == "result" and bool(self.report and self.report.lines(self.t)[0]))
        self.again_button.setVisible(state == "result")
        self.retry_button.setVisible(state in ("unavailable", "camera"))
        self.side.setStretch(0, 0 if state in ("scanning", "checking") else 1)
        self._apply_texts()
        self.layout_.activate()  # lay out now: an answer can arrive between two paints

    def _apply_texts(self) -> None:
        t, state = self.t, self.state
        heading, lines = "", []
        if state == "scanning":
            instruction = t("status_check.scan")
            lines = [t(self._hint_key)] if self._hint_key else [t("status_check.scan_hint")]
        elif state == "checking":
            instruction = t("status_check.checking")
        elif state == "camera":
            instruction, lines = "", [t("status_check.camera_unavailable")]
        else:
            instruction = ""
            heading, lines = (self.report or StatusReport("unavailable")).lines(t)
        self.instruction.setText(instruction)
        self.instruction.setVisible(bool(instruction))
        self.number.setText(heading)
        restyle(self.number, "kind", self.report.kind if self.report else "")
        self.message.setText("\n".join(lines))
        called = bool(state == "result" and self.report and self.report.ticket
                      and self.report.ticket.get("state") == "called" and self.report.ticket.get("valid_today"))
        restyle(self.message, "state", "called" if called else ("error" if self._hint_key and state == "scanning"
                                                                 else ""))
