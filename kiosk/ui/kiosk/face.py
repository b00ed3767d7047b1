"""The face step of the citizen flow (between NIK and confirm): consent, live check, identity outcome.

States, each with its own words and buttons: consent → searching / hint / challenge (live preview with
the oval) → checking → success, failure (retry), information desk, offline deferral, counter. The
camera is on only between "I agree" and the end of the live check; "I prefer not to" and "I cannot do
this" lead to counter verification at any time. The screen emits :attr:`FaceScreen.finished` with
``"verified"``, ``"counter"`` (identity checked at the counter; the ticket is marked so) or ``"desk"``
(go to the information desk; the window ends the session).

Capture and analysis run on the camera feed's threads (:mod:`kiosk.ui.qt.camera_view`); the identity call
runs on a :class:`~kiosk.ui.qt.tasks.TaskRunner`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPainterPath, QPen, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QProgressBar, QVBoxLayout, QWidget

from kiosk.camera.facecheck import FaceCheckSnapshot
from kiosk.camera.liveness import Phase
from kiosk.i18n import Translator
from kiosk.identity.check import IdentityCheck, IdentityDecision, IdentityOutcome
from kiosk.identity.consent import Answer
from kiosk.identity.face_services import FaceServices
from kiosk.ui.kiosk.base import CameraScreen
from kiosk.ui.qt.camera_view import CameraFeed, CameraPreview, turn_arrow
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, label
from kiosk.visit.flow import CitizenSession, Step

log = logging.getLogger(__name__)

OVAL_WIDTH = 0.42  # of the picture's width; matches the default face-size gates (0.22-0.62)
OVAL_COLOURS = {"searching": "#f8fafc", "hint": "#f59e0b", "baseline": "#22c55e", "challenge": "#22c55e",
                "checking": "#22c55e", "success": "#16a34a", "failure": "#dc2626"}
FAILURE_TEXT = {"timeout": "face.result.timeout", "several_faces": "face.result.several_faces",
                "flat_motion": "face.result.not_live", "no_motion": "face.result.not_live",
                "late_response": "face.result.timeout", "wrong_action": "face.result.follow_instruction",
                "too_early": "face.result.follow_instruction",
                "not_matched": "face.result.not_matched",
                "pad": "face.result.use_real_face"}  # no detail an attacker could tune against


def oval_rect(image_rect: QRectF) -> QRectF:
    width = image_rect.width() * OVAL_WIDTH
    height = min(image_rect.height() * 0.86, width * 1.3)
    return QRectF(image_rect.center().x() - width / 2, image_rect.center().y() - height / 2, width, height)


class FaceScreen(CameraScreen):
    step = Step.FACE
    finished = Signal(str)  # "verified", "counter" or "desk"

    def __init__(self, services: FaceServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.speak: Callable[[str], None] | None = None  # set by the window when a voice exists
        self.runner = TaskRunner("kiosk-face-identity", self)
        self.feed: CameraFeed | None = None
        self.session: CitizenSession | None = None
        self.identity: IdentityCheck | None = None
        self.state = "consent"
        self.liveness_failures = 0
        self._reason = ""
        self._text_key = ""
        self._step_key = ""
        self._spoken_key = ""

        self.title = label("", "title")
        self.instruction = label("", "title", align=Qt.AlignmentFlag.AlignCenter)  # the live instruction is the heading
        self.body = label("", "body")
        self.mark = label("✓", "ticketNumber", align=Qt.AlignmentFlag.AlignCenter)  # success, seen from afar
        self.note = label("", "note")
        self.preview = CameraPreview()
        self.preview.setObjectName("facePreview")
        self.preview.set_overlay(self._paint_oval)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(18)
        self.progress_text = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.agree_button = button("", "primary", self._agree, name="faceAgree")
        self.decline_button = button("", "", self._decline, name="faceDecline")
        self.retry_button = button("", "primary", self._retry, name="faceRetry")
        self.continue_button = button("", "primary", self._continue, name="faceContinue")
        self.counter_button = button("", "", lambda: self._finish("counter"), name="faceToCounter")
        self.cannot_button = button("", "", lambda: self._finish("counter"), name="faceCannot")

        # Portrait: picture above, words and buttons below. Landscape: picture left, words right.
        self.side = QVBoxLayout()
        self.side.setSpacing(18)
        for shown in (self.instruction, self.mark, self.body, self.note, self.progress, self.progress_text):
            self.side.addWidget(shown)
        self.side.addStretch(1)
        # Not ``self.actions``: that would hide QWidget.actions().
        self.outcome_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.outcome_row.setSpacing(20)
        for choice in (self.retry_button, self.continue_button, self.counter_button):
            self.outcome_row.addWidget(choice)
        self.side.addLayout(self.outcome_row)
        for choice in (self.agree_button, self.decline_button, self.cannot_button):
            self.side.addWidget(choice)
        self.set_camera_layout(self.title, self.preview, self.side)
        self._progress = 0.0
        self._step_info: tuple[int, int] | None = None  # (step number, steps in all) of the challenge
        self._seconds: float | None = None  # left for the challenge step
        self._show("consent")

    # -- Screen API ------------------------------------------------------------------------------
    def enter(self, session: CitizenSession) -> None:
        self.session = session
        if self.identity is None:
            self.identity = self.services.identity_check()
        if self.feed is None and self.state not in ("checking",):
            self._show("consent")

    def reset(self) -> None:
        self._stop_camera()
        self.session = None
        if self.identity is not None:
            identity, self.identity = self.identity, None
            if self.runner.busy:  # a call in flight: close the client after it, on the same thread
                self.runner.run(identity.close)
            else:
                identity.close()
        self.liveness_failures = 0
        self.preview.show_image(None)
        self._show("consent")

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self._apply_texts()

    def spoken_text(self) -> str:
        parts = [self.title.text(), self.body.text(), self.instruction.text()]
        return " ".join(p for p in parts if p and not self._hidden(p))

    def _hidden(self, text: str) -> bool:
        return not any(w.text() == text and w.isVisible() for w in (self.title, self.body, self.instruction))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.landscape
        if self.turn_camera_layout():
            self.outcome_row.setDirection(QBoxLayout.Direction.TopToBottom if landscape
                                          else QBoxLayout.Direction.LeftToRight)
        # portrait: the picture as wide as the screen at 4:3 (no black bars); landscape: it takes the left part
        if landscape:
            self.preview.setMinimumHeight(120)
            self.preview.setMaximumHeight(16_777_215)
        else:
            margins = self.layout_.contentsMargins()
            self.preview.setFixedHeight(int((self.width() - margins.left() - margins.right()) * 0.75))

    def hideEvent(self, event: QHideEvent) -> None:
        self._stop_camera()
        super().hideEvent(event)

    # -- camera --------------------------------------------------------------------------------
    def _agree(self) -> None:
        self._record_consent("given")
        self._start_camera()

    def _decline(self) -> None:
        self._record_consent("declined")
        self._finish("counter")

    def _record_consent(self, answer: Answer) -> None:
        """Keep the answer as an audit record (kiosk.identity.consent), off the GUI thread."""
        session = self.session
        request_id = session.request_id() if session is not None and session.service is not None else None
        service = session.service.code if session is not None and session.service is not None else None
        self.runner.run(functools.partial(self.services.record_consent, answer, ticket_request_id=request_id,
                                          service=service))

    def _start_camera(self) -> None:
        self._stop_camera()
        source = self.services.make_source()
        recording = bool(getattr(source, "recording", False))  # a demo/test file: judge every frame of it
        self.feed = CameraFeed(source, self.services.make_check, self, source_waits_for_analyser=recording,
                               lockstep=recording)
        self.preview.set_feed(self.feed)
        self.feed.result_ready.connect(self._on_result)
        self.feed.camera_failed.connect(self._camera_failed)
        self.feed.analysis_failed.connect(self._camera_failed)
        self.feed.ended.connect(self._source_ended)
        self._show("searching", "face.hint.no_face")
        self.feed.start()

    def _stop_camera(self) -> None:
        if self.feed is not None:
            feed, self.feed = self.feed, None
            self.preview.set_feed(None)
            feed.stop()
            feed.deleteLater()

    def _camera_failed(self, message: str) -> None:
        log.warning("face step without camera/analysis: %s", message)
        self._stop_camera()
        self._show("camera_unavailable", "face.result.camera_unavailable")

    def _source_ended(self) -> None:
        """A file source played out before a decision: like a challenge not done in time."""
        if self.state in ("searching", "hint", "baseline", "challenge"):
            self._stop_camera()
            self.liveness_failures += 1
            self._failure("timeout")

    def _on_result(self) -> None:
        if self.feed is None:
            return
        snapshot: FaceCheckSnapshot | None = self.feed.latest_result()
        if snapshot is None:
            return
        self.apply_snapshot(snapshot)

    def apply_snapshot(self, snapshot: FaceCheckSnapshot) -> None:
        """Show what the analysis says now (also used for the screenshots)."""
        state = snapshot.state
        if state.phase is Phase.SEARCHING:
            self._show("searching", "face.hint.no_face")
        elif state.phase is Phase.HINT:
            self._show("hint", f"face.hint.{state.hint or 'look_straight'}")
        elif state.phase is Phase.BASELINE:
            self._show("baseline", "face.hint.baseline", progress=state.progress)  # also the pause between steps
        elif state.phase is Phase.CHALLENGE and state.step:
            self._show("challenge", f"face.step.{state.step}", progress=state.progress,
                       step=(state.step_index + 1, state.steps_total), seconds=state.seconds_left)
            self.preview.set_turn_arrow(turn_arrow(state.step, self.preview.mirror))  # as they see themselves
        elif state.phase is Phase.FAILED and state.decision is not None:
            self._stop_camera()
            self.liveness_failures += 1
            self._failure(state.decision.reason)
        elif state.phase is Phase.PASSED:
            self._stop_camera()
            self._check_identity(snapshot.face_jpeg)

    # -- outcomes ------------------------------------------------------------------------------
    def _failure(self, reason: str) -> None:
        self._reason = reason
        self._show("failure", FAILURE_TEXT.get(reason, "face.result.not_live"))

    def _check_identity(self, face_jpeg: bytes | None) -> None:
        session, identity = self.session, self.identity
        if session is None or identity is None or session.nik is None or not face_jpeg:
            self._finish("counter")
            return
        self._show("checking", "face.result.checking", progress=1.0)
        nik, ref, pending = session.nik.digits, session.request_id(), self.services.pending

        def job() -> IdentityDecision:
            decision = identity.verify(nik, face_jpeg)
            if decision.outcome is IdentityOutcome.DEFERRED and pending is not None:
                pending.keep(ref, face_jpeg)  # encrypted until the counter verifies or the day ends
            return decision

        self.runner.run(job, on_done=lambda d: self._identity_done(session, d),
                        on_error=lambda exc: self._identity_failed(session, exc))

    def _identity_done(self, session: CitizenSession, decision: IdentityDecision) -> None:
        if session is self.session:  # not a late answer for a citizen who has left
            self.show_identity_decision(decision)

    def show_identity_decision(self, decision: IdentityDecision) -> None:
        """Show what MPP Digital's 1:1 match decided (also used for the screenshots)."""
        outcome = decision.outcome
        if outcome is IdentityOutcome.VERIFIED:
            self._show("success", "face.result.success_body", progress=1.0)
        elif outcome is IdentityOutcome.RETRY:
            self._failure("not_matched")
        elif outcome is IdentityOutcome.GO_TO_DESK:
            self._show("desk", "face.result.desk_body")
        else:
            self._show("deferred", "face.result.deferred_body")

    def _identity_failed(self, session: CitizenSession, exc: BaseException) -> None:
        log.warning("identity check could not finish: %s", exc)
        if session is self.session:
            self._show("deferred", "face.result.deferred_body")

    def _retry(self) -> None:
        self._start_camera()

    def _continue(self) -> None:
        outcomes = {"success": "verified", "desk": "desk"}
        self._finish(outcomes.get(self.state, "counter"))

    def _finish(self, outcome: str) -> None:
        self._stop_camera()
        if outcome == "verified" and self.session is not None:
            self.session.face_verified = True
        self.finished.emit(outcome)

    @property
    def can_retry(self) -> bool:
        tries_left = self.identity is None or self.identity.attempts < self.identity.max_attempts
        return self.liveness_failures < self.services.limits.max_attempts and tries_left

    # -- drawing -------------------------------------------------------------------------------
    def _show(self, state: str, text_key: str = "", *, progress: float = 0.0,
              step: tuple[int, int] | None = None, seconds: float | None = None) -> None:
        changed = state != self.state or text_key != self._text_key
        self.state, self._text_key = state, text_key
        if state != "challenge":
            self.preview.set_turn_arrow(None)
        self._progress, self._step_info, self._seconds = progress, step, seconds
        if changed or state == "challenge":
            self._apply_texts()
        if changed and state in ("challenge", "success", "failure", "desk", "deferred") and self.speak is not None:
            if self._spoken_key != text_key:
                self._spoken_key = text_key
                self.speak(self.instruction.text() if state == "challenge"
                           else f"{self.title.text()}. {self.body.text()}")
        self.preview.update()

    def _apply_texts(self) -> None:
        t, state = self.t, self.state
        live = state in ("searching", "hint", "baseline", "challenge", "checking")
        results = {"success": ("face.result.success_title", "face.result.success_body"),
                   "failure": ("face.result.failure_title", self._text_key),
                   "desk": ("face.result.desk_title", "face.result.desk_body"),
                   "deferred": ("face.result.deferred_title", "face.result.deferred_body"),
                   "counter": ("face.result.counter_title", "face.result.counter_body"),
                   "camera_unavailable": ("face.result.counter_title", "face.result.camera_unavailable")}
        self.title.setText(t("face.title") if state not in results else t(results[state][0]))
        self.title.setVisible(not live)  # while live, the instruction is the heading (the header names the step)
        if state == "consent":
            self.body.setText(t("face.consent.subtitle"))
            self.note.setText(t("face.consent.purpose"))
        elif state in results:
            self.body.setText(t(results[state][1]))
        self.instruction.setText(t(self._text_key) if live and self._text_key else "")
        self.agree_button.setText(t("face.consent.agree"))
        self.decline_button.setText(t("face.consent.decline"))
        self.retry_button.setText(t("face.action.retry"))
        self.continue_button.setText(t("face.action.done") if state == "desk" else t("face.action.continue"))
        self.counter_button.setText(t("face.action.to_counter"))
        self.cannot_button.setText(t("face.action.cannot"))
        if state == "challenge" and self._step_info:
            n, total = self._step_info
            secs = max(0, int(round(self._seconds or 0)))
            self.progress_text.setText(t("face.step.progress", n=n, total=total) + "  ·  "
                                       + t("face.step.seconds_left", seconds=secs))
        else:
            self.progress_text.setText("")
        self.progress.setValue(int(self._progress * 100))
        # what is visible in each state
        self.body.setVisible(state == "consent" or state in results)
        self.note.setVisible(state == "consent")
        self.mark.setVisible(state == "success")
        self.instruction.setVisible(live)
        self.preview.setVisible(live or state == "failure")
        self.progress.setVisible(live)
        self.progress_text.setVisible(state == "challenge")
        self.agree_button.setVisible(state == "consent")
        self.decline_button.setVisible(state == "consent")
        self.cannot_button.setVisible(live and state != "checking")
        self.retry_button.setVisible(state == "failure" and self.can_retry)
        self.continue_button.setVisible(state in ("success", "deferred", "counter", "camera_unavailable", "desk"))
        self.counter_button.setVisible(state == "failure")

    def _paint_oval(self, painter: QPainter, image_rect: QRectF) -> None:
        oval = oval_rect(image_rect)
        shade = QPainterPath()
        shade.addRect(image_rect)
        hole = QPainterPath()
        hole.addEllipse(oval)
        painter.fillPath(shade.subtracted(hole), QColor(15, 23, 42, 130))
        pen = QPen(QColor(OVAL_COLOURS.get(self.state, "#f8fafc")))
        pen.setWidthF(max(4.0, image_rect.width() / 110))
        painter.setPen(pen)
        painter.drawEllipse(oval)

    def show_still(self, image: np.ndarray | None) -> None:
        """A still picture in the preview (screenshots; the camera stays off)."""
        self.preview.show_image(image)
