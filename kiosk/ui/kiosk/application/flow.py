"""The application path's controller: builds its screens, does their slow work, tells the window where to go.

Screens only show and emit; :class:`ApplicationFlow` runs the registration lookup, the camera, the
document capture and the filing (:class:`kiosk.applications.filing.ApplicationFiling`: issue the
ticket, then save the application) off the GUI thread, and moves the window on.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from kiosk.applications.documents import capture_document, check_frame
from kiosk.applications.drafts import ApplicationDraft
from kiosk.applications.filing import Filed, FilingRequest, filing_problem
from kiosk.applications.services import ApplicationServices
from kiosk.catalog.forms import Form
from kiosk.catalog.services import Service
from kiosk.queue.client import QueueClient
from kiosk.ui.kiosk.application.documents import DocumentAnalyser, DocumentsScreen
from kiosk.ui.kiosk.application.form import FormScreen
from kiosk.ui.kiosk.application.receipt import ReceiptScreen
from kiosk.ui.kiosk.application.summary import SummaryScreen
from kiosk.ui.qt.camera_view import CameraFeed
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.utils.log import event
from kiosk.visit.flow import CitizenSession, Step, issue_problem

log = logging.getLogger(__name__)


class KioskSteps(Protocol):
    """What the flow needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    session: CitizenSession
    queue: QueueClient
    issuing: bool
    step_changed: SignalInstance
    ticket_issued: SignalInstance

    def show_step(self, step: Step, remember: bool = True) -> None: ...
    def next_after(self, step: Step) -> Step: ...
    def wipe(self) -> None: ...


class ApplicationFlow(QObject):
    """Builds the application screens and does their slow work; the kiosk window owns one."""

    saved = Signal(object)   # SavedApplication, after the receipt is shown

    def __init__(self, window: KioskSteps, services: ApplicationServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.services = services
        self.filing = services.filing(window.queue)
        self.runner = TaskRunner("kiosk-applications", self)
        self.form_screen = FormScreen(services.forms)
        self.documents_screen = DocumentsScreen(services.forms, camera_available=services.camera is not None)
        self.summary_screen = SummaryScreen(services.forms)
        self.receipt_screen = ReceiptScreen()
        self.feed: CameraFeed | None = None  # runs only while the document step is on screen
        self.form_screen.finished.connect(lambda: window.show_step(window.next_after(Step.FORM)))
        self.form_screen.lookup_wanted.connect(self._look_up_registration)
        self.form_screen.skipped.connect(self._skip_form)
        self.documents_screen.finished.connect(lambda: window.show_step(window.next_after(Step.DOCUMENTS)))
        self.documents_screen.capture_wanted.connect(self._capture)
        self.summary_screen.confirm.connect(self.submit)
        self.summary_screen.edit_answers.connect(self._edit_answers)
        self.summary_screen.edit_photos.connect(lambda: window.show_step(Step.DOCUMENTS))
        self.receipt_screen.done.connect(window.wipe)
        if services.camera is not None:
            window.step_changed.connect(self._step_changed)
        # The counter sees a filed application through the queue (attached to its ticket). That
        # runs on its own thread after the receipt, again every few seconds until the queue has it
        # (and with each newer sync state): a queue host down at filing time never loses the view.
        self.views_runner: TaskRunner | None = None
        self.views_pusher: Refresher | None = None
        self.views_timer = QTimer(self)
        self.last_push: Any = None  # the last kiosk.applications.views.PushReport
        if services.views is not None:
            queue = window.queue
            self.views_runner = TaskRunner("kiosk-counter-views", self)
            self.views_pusher = Refresher(self.views_runner, lambda: services.push_views(queue),
                                          on_done=self._pushed, on_error=self._push_failed)
            self.views_timer.setInterval(services.push_interval_seconds * 1000)
            self.views_timer.timeout.connect(self.push_views)
            self.views_timer.start()

    @property
    def screens(self) -> tuple[Screen, ...]:
        return (self.form_screen, self.documents_screen, self.summary_screen, self.receipt_screen)

    def form_for(self, service: Service | None) -> Form | None:
        return self.services.form_for(service)

    def _step_changed(self, step: str) -> None:
        """The camera runs only while the document step is on screen (it is shared with the face check)."""
        if step == Step.DOCUMENTS.value:
            self._start_camera()
        else:
            self._stop_camera()

    def _start_camera(self) -> None:
        if self.feed is not None or self.services.camera is None:
            return
        try:
            source = self.services.camera()
        except Exception as exc:  # a bad [camera] device setting: documents go to the counter
            log.warning("document camera unavailable: %s", exc)
            self.documents_screen.set_camera_failed()
            return
        feed = CameraFeed(source, DocumentAnalyser, self)
        feed.result_ready.connect(self._camera_result)
        feed.camera_failed.connect(self._camera_failed)
        feed.analysis_failed.connect(self._camera_failed)
        self.feed = feed
        feed.start()

    def _camera_result(self) -> None:
        result = self.feed.latest_result() if self.feed is not None else None
        if result is not None:
            self.documents_screen.show_frame(*result)

    def _camera_failed(self, reason: str) -> None:
        log.warning("document camera unavailable: %s", reason)
        self.documents_screen.set_camera_failed()

    def _stop_camera(self) -> None:
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop()
            feed.deleteLater()

    def _skip_form(self) -> None:
        """The citizen would rather have the clerk fill it in: forget the answers, take a plain ticket."""
        session = self.window.session
        if session.application is not None:
            session.application.forget()
        session.application = None
        session.form_skipped = True
        self.window.show_step(Step.CONFIRM)

    def _edit_answers(self) -> None:
        self.form_screen.start_at(0)
        self.window.show_step(Step.FORM)

    def _look_up_registration(self, draft: ApplicationDraft) -> None:
        lookup, session = self.services.lookup_registration, self.window.session
        if lookup is None or session.nik is None:
            self.form_screen.registration_found(draft, None)
            return
        digits = session.nik.digits

        def failed(exc: BaseException) -> None:
            log.warning("registration lookup failed: %s", exc)
            self.form_screen.registration_found(draft, None)

        self.runner.run(lambda: lookup(digits), on_done=lambda number: self.form_screen.registration_found(
            draft, number), on_error=failed)

    def _capture(self, image: np.ndarray) -> None:
        frame = image.copy()

        def failed(exc: BaseException) -> None:
            log.warning("document capture failed: %s", exc)
            self.documents_screen.show_capture(None, check_frame(frame))

        self.runner.run(lambda: capture_document(frame),
                        on_done=lambda result: self.documents_screen.show_capture(result[1], result[0]),
                        on_error=failed)

    def submit(self) -> None:
        """Issue the queue number, then save the application with it, in one job off the GUI thread."""
        window, session = self.window, self.window.session
        form = self.form_for(session.service)
        draft = session.application
        if form is None or draft is None or session.nik is None or session.service is None:
            return
        request = FilingRequest(draft=draft, form=form, nik=session.nik, service_code=session.service.code,
                                request_id=session.request_id(), lang=session.lang, priority=session.priority,
                                identity_status=session.identity_status())
        filing = self.filing
        window.issuing = True
        self.runner.run(lambda: filing.file(request), on_done=lambda filed: self._saved(session, filed),
                        on_error=lambda exc: self._failed(session, exc))

    def _saved(self, session: CitizenSession, filed: Filed) -> None:
        window = self.window
        window.issuing = False
        issued, saved = filed.issued, filed.saved
        if session is not window.session:
            log.warning("application %s saved after the session was wiped", saved.number)
            return
        session.issued, session.saved_application = issued, saved
        event(log, "application_filed", "application %s filed for %s with ticket %s", saved.number,
              issued.ticket.service_code, issued.ticket.number)
        window.show_step(Step.RECEIPT)
        window.ticket_issued.emit(issued)
        self.saved.emit(saved)
        self.push_views()

    def push_views(self) -> None:
        """Give the queue the counter's views it lacks (and newer sync states), off the GUI thread."""
        if self.views_pusher is not None:
            self.views_pusher.request()

    def _pushed(self, report: Any) -> None:
        self.last_push = report

    def _push_failed(self, exc: BaseException) -> None:
        log.warning("sending application views to the queue failed: %s", exc)

    def _failed(self, session: CitizenSession, exc: BaseException) -> None:
        self.window.issuing = False
        if session is not self.window.session:
            return
        problem = filing_problem(exc, issue_problem)
        self.summary_screen.set_busy(False)
        self.summary_screen.show_error(problem.key, **problem.params)

    def shutdown(self) -> None:
        self._stop_camera()
        self.views_timer.stop()
        self.runner.stop()
        if self.views_runner is not None:
            self.views_runner.stop()
        self.services.close()
