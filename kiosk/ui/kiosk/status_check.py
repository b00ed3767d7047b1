""""Cek status" on the kiosk: type the ticket's number, or hold its (or a receipt's) QR code to the camera.

Typing needs no camera, so the screen is always there; the camera's way is offered while a camera is
configured and connected (the window says so with :meth:`StatusCheckScreen.offer_camera`). States:
typing (the letter keys, our keypad, "Cek status") or scanning (live picture with a guide square) →
checking → result (the number, large, and one or two plain sentences), or "cannot check now" with a
retry, or "camera unavailable" (with the way to type instead). A typed number that is not today's
stays on the screen with the reason under it, to be corrected; a code that is not ours gets a hint
and scanning goes on. The camera is on only while scanning. The lookup
(:class:`kiosk.visit.status_check.StatusChecker`: queue host or central API) runs on a
:class:`~kiosk.ui.qt.tasks.TaskRunner`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.ui.kiosk.base import CameraScreen
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.ticket_number import TicketNumberInput
from kiosk.ui.qt.widgets import button, explain_disabled, label, restyle, set_reason_beside, with_reason
from kiosk.visit.flow import CitizenSession, Step
from kiosk.visit.qr_codes import DEFAULT_IKD_PATTERN, QrReading
from kiosk.visit.status_check import StatusChecker, StatusReport, can_look_up

log = logging.getLogger(__name__)

Lookup = Callable[[], StatusReport]


def status_check_screen(config: Config, queue: QueueClient, catalog: Catalog, outbox: Any = None) -> StatusCheckScreen:
    """The screen for this kiosk: the catalog's ticket letters, and the camera with ``[camera] qr_scanning``;
    ``outbox`` (the kiosk's filed applications) answers for receipts not sent yet."""
    from kiosk.camera.sources import source_from_config

    camera = (lambda: source_from_config(config)) if config.camera.qr_scanning else None
    return StatusCheckScreen(StatusChecker.from_config(config, queue, outbox),
                             sorted({s.ticket_prefix for s in catalog.services}), camera, config.camera.ikd_qr_pattern)


class StatusCheckScreen(CameraScreen):
    step = Step.STATUS
    done = Signal()

    def __init__(self, checker: StatusChecker, letters: Sequence[str], make_source: SourceFactory | None = None,
                 ikd_pattern: str = DEFAULT_IKD_PATTERN, parent: QWidget | None = None) -> None:
        """``letters``: the ticket prefixes of the catalog; ``make_source``: the camera ([camera] qr_scanning),
        None on a kiosk without one (typing only)."""
        super().__init__(parent)
        self.checker = checker
        self.runner = TaskRunner("kiosk-status-check", self)
        self.state = "typing"
        self.report: StatusReport | None = None
        self._lookup: Lookup | None = None  # the last lookup, for "Coba lagi"
        self._typed_lookup = False  # the last lookup was a typed number (its answer's "again" goes back to typing)
        self._hint_key = ""
        self._entry_error = ""  # why the typed number was not found, said under it
        self.camera_offered = make_source is not None

        self.title = label("", "title")
        self.instruction = label("", "subtitle")
        self.scanner = QrScanPanel(make_source, ikd_pattern) if make_source is not None else None
        if self.scanner is not None:
            self.scanner.read.connect(self._read)
            self.scanner.camera_failed.connect(self._camera_failed)
        self.typing = self._typing_panel(letters)
        self.number = label("", "statusNumber", align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("statusNumber")
        self.message = label("", "statusMessage")
        self.message.setAccessibleName("statusMessage")
        self.check_button = button("", "primary", self.check_typed, name="statusCheckNumber")
        self.check_area, self.check_reason = with_reason(self.check_button)
        set_reason_beside(self.check_area, True)
        self.type_button = button("", "", self.start_typing, name="statusTypeNumber")
        self.scan_button = button("", "", self.scan_again, name="statusScanQr")
        self.again_button = button("", "primary", self._again, name="statusAgain")
        self.retry_button = button("", "primary", self._retry, name="statusRetry")
        self.done_button = button("", "", self.done.emit, name="statusDone")

        self.side = QVBoxLayout()
        self.side.setSpacing(20)
        self.side.addStretch(0)  # grows on the answer, so the number and words sit mid-screen
        for text in (self.instruction, self.number, self.message):
            self.side.addWidget(text)
        self.side.addStretch(1)
        for choice in (self.check_area, self.retry_button, self.again_button):
            self.side.addWidget(choice)
        row = QHBoxLayout()  # the other way and "Selesai" side by side: the words above keep their height
        row.setSpacing(16)
        for choice in (self.type_button, self.scan_button, self.done_button):
            row.addWidget(choice, 1)
        self.side.addLayout(row)
        picture = self.scanner or QWidget()  # no camera: an empty place, never shown
        picture.setVisible(self.scanner is not None)
        self.set_camera_layout(self.title, picture, self.side)
        self.main.insertWidget(1, self.typing, 4)
        self._show("typing")

    def _typing_panel(self, letters: Sequence[str]) -> QWidget:
        """The number's field (with what is wrong with it under it), the letter keys and the keypad."""
        self.entry = TicketNumberInput(letters, self)
        self.entry.changed.connect(self._typed)
        self.type_hint = label("", "subtitle")
        self.entry_message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.entry_message.setAccessibleName("statusEntryMessage")
        panel = QWidget()
        panel.setObjectName("statusTyping")
        self.typing_body = QBoxLayout(QBoxLayout.Direction.TopToBottom, panel)
        self.typing_body.setContentsMargins(0, 0, 0, 0)
        self.typing_body.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(14)
        left.addWidget(self.type_hint)
        left.addStretch(1)  # the keys low, within reach
        for widget in (self.entry.field, self.entry_message, self.entry.letters_caption):
            left.addWidget(widget)
        left.addLayout(self.entry.letter_grid)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addStretch(1)  # the keypad low too, beside or under the letters
        right.addWidget(self.entry.digits_caption)
        right.addWidget(self.entry.keypad)
        self.typing_body.addLayout(left, 2)
        self.typing_body.addLayout(right, 3)
        return panel

    # -- Screen API ------------------------------------------------------------------------------
    def enter(self, session: CitizenSession) -> None:
        if self.camera_offered:
            self.scan_again()
        else:
            self.start_typing()

    def reset(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        self.report, self._lookup, self._typed_lookup = None, None, False
        self.entry.clear()
        self._entry_error = ""
        self._show("typing")

    def offer_camera(self, present: bool) -> None:
        """From the window: the configured camera is there (or gone); typing stays offered either way."""
        self.camera_offered = present and self.scanner is not None
        if not self.camera_offered and self.state == "scanning":
            self.start_typing()
        else:
            self._show(self.state)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("status_check.title"))
        self.entry.retranslate(t("status_number.letter"), t("status_number.number"), t("identify.clear"),
                               t("keyboard.backspace"))
        self.check_button.setText(t("status_number.check"))
        self.type_button.setText(t("status_number.type_button"))
        self.scan_button.setText(t("status_number.scan_button"))
        self.again_button.setText(t("status_check.again"))
        self.retry_button.setText(t("status_check.retry"))
        self.done_button.setText(t("status_check.done"))
        self._apply_texts()

    def spoken_text(self) -> str:
        if self.state == "result":
            return f"{self.number.text()}. {self.message.text()}".strip(". ")
        parts = ((self.title.text(), self.t("status_number.type"), self.entry_message.text()) if self.state == "typing"
                 else (self.title.text(), self.instruction.text(), self.message.text()))
        return " ".join(p for p in parts if p)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.turn_camera_layout():
            self.typing_body.setDirection(QBoxLayout.Direction.LeftToRight if self._landscape
                                          else QBoxLayout.Direction.TopToBottom)
            self._show(self.state)  # the hint and the room of the keys move with the orientation

    def stop(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        self.runner.stop()
        self.checker.close()

    # -- actions -----------------------------------------------------------------------------------
    def start_typing(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        self.report, self._hint_key, self._entry_error = None, "", ""
        self._show("typing")

    def scan_again(self) -> None:
        if self.scanner is None:
            self.start_typing()
            return
        self.report, self._lookup, self._hint_key = None, None, ""
        self._show("scanning")
        self.scanner.start()

    def check_typed(self) -> None:
        """"Cek status" under the keypad: look the typed number up."""
        if self.state != "typing" or not self.entry.complete:
            return
        typed, checker = self.entry.typed, self.checker
        self._typed_lookup = True
        self._look_up(lambda: checker.check_number(typed))

    def _typed(self) -> None:
        self._entry_error = ""  # a key touched: the last answer no longer applies
        self._apply_texts()

    def _read(self, reading: QrReading) -> None:
        if self.state != "scanning":
            return
        if not can_look_up(reading):
            log.info("status check: a QR code that is not ours (%s)", reading.kind)
            self._hint_key = "status_check.not_ours"
            self._apply_texts()
            return
        if self.scanner is not None:
            self.scanner.stop()
        checker = self.checker
        self._typed_lookup = False
        self._look_up(lambda: checker.check(reading))

    def _look_up(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._show("checking")
        self.runner.run(lookup, on_done=self.show_answer, on_error=self._lookup_failed)

    def show_answer(self, report: StatusReport) -> None:
        """Show what the lookup answered (the screen's one input besides the scanner and the keys; also for
        the screenshots). A typed number not found (or asked too often) goes back to the keys, kept."""
        log.info("status check answered: %s", report.kind)
        self.report = report
        if report.typed_number and report.kind in ("not_found", "throttled"):
            self._entry_error = report.lines(self.t)[1][0]
            self._show("typing")
            return
        self._show("unavailable" if report.kind == "unavailable" else "result")

    def _lookup_failed(self, exc: BaseException) -> None:
        log.error("status check failed", exc_info=exc)
        self.report = StatusReport("unavailable")
        self._show("unavailable")

    def _retry(self) -> None:
        if self.state == "unavailable" and self._lookup is not None:
            self._look_up(self._lookup)
        else:
            self.scan_again()

    def _again(self) -> None:
        """"Cek tiket lain": the same way as this one (typing starts from an empty number)."""
        if self._typed_lookup or not self.camera_offered:
            self.entry.clear()
            self.start_typing()
        else:
            self.scan_again()

    def _camera_failed(self, message: str) -> None:
        log.warning("status check without camera: %s", message)
        self._show("camera")

    # -- presentation ------------------------------------------------------------------------------
    def _show(self, state: str) -> None:
        self.state = state
        typing, scanning = state == "typing" or (state == "checking" and self._typed_lookup), state == "scanning"
        if self.scanner is not None:
            self.scanner.setVisible(not typing and state in ("scanning", "checking"))
        self.typing.setVisible(typing)
        self.number.setVisible(state == "result" and bool(self.report and self.report.lines(self.t)[0]))
        self.check_area.setVisible(typing)
        self.again_button.setVisible(state == "result")
        self.retry_button.setVisible(state in ("unavailable", "camera"))
        self.type_button.setVisible(scanning or state == "camera")
        self.scan_button.setVisible(state == "typing" and self.camera_offered)
        self.done_button.setVisible(not typing)  # while typing, the bar's Back leaves: the keys keep the room
        self.side.setStretch(0, 0 if state in ("scanning", "checking", "typing") else 1)
        # Stacked, the keys take the height the words do not need and the room left goes above the letters,
        # so every key sits low, within reach; side by side, the keypad gets the wider column
        stacked = not self._landscape  # as laid out (turn_camera_layout), not as the size now says
        self.main.setStretch(2, 0 if typing and stacked else 2)
        self.typing_body.setStretch(0, 1 if stacked else 2)
        self.typing_body.setStretch(1, 0 if stacked else 3)
        self._apply_texts()
        self.layout_.activate()  # lay out now: an answer can arrive between two paints

    def _apply_texts(self) -> None:
        t, state = self.t, self.state
        heading, lines = "", []
        # What to do: above the keys when stacked; in landscape in the side column, where there is room
        hint_beside = self._landscape
        self.type_hint.setText(t("status_number.type"))
        self.type_hint.setVisible(not hint_beside)
        if state == "typing":
            instruction = t("status_number.type") if hint_beside else ""
        elif state == "scanning":
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
        self.message.setVisible(bool(lines))
        self._apply_entry_texts()
        called = bool(state == "result" and self.report and self.report.ticket
                      and self.report.ticket.get("state") == "called" and self.report.ticket.get("valid_today"))
        restyle(self.message, "state", "called" if called else ("error" if self._hint_key and state == "scanning"
                                                                 else ""))

    def _apply_entry_texts(self) -> None:
        t = self.t
        self.entry_message.setText(self._entry_error)
        self.entry_message.setVisible(bool(self._entry_error))
        self.entry_message.setObjectName("fieldError" if self._entry_error else "note")
        restyle(self.entry_message, "state", "error" if self._entry_error else "")
        why = ("" if self.state != "typing" else t("status_number.why_letter") if not self.entry.letter
               else t("status_number.why_number") if not self.entry.digits else "")
        explain_disabled(self.check_button, self.check_reason, why)
        if self.state == "checking":
            self.check_button.setEnabled(False)  # asked once; the answer comes in a moment
