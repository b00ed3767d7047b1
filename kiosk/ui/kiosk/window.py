"""The lobby kiosk window: runs the citizen's walk through the screens, wipes it when left idle.

The window owns the :class:`~kiosk.visit.flow.CitizenSession` and decides the next step; queue calls go
through a :class:`~kiosk.ui.qt.tasks.TaskRunner` so a slow or absent queue host never freezes the
screen. Anything unexpected sends the kiosk back to the welcome screen (see :mod:`kiosk.ui.app`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog, Service
from kiosk.citizen.nik import Nik
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient, QueueUnavailable
from kiosk.queue.models import IssuedTicket, PriorityGroup, QueueEvent, WaitPreview
from kiosk.setup.diagnostics import camera_present
from kiosk.survey.store import SurveyStore
from kiosk.ui.kiosk.application import ApplicationFlow, ApplicationServices
from kiosk.ui.kiosk.screens import (
    ConfirmScreen,
    IdentifyScreen,
    PriorityScreen,
    RequirementsScreen,
    Screen,
    ServiceScreen,
    TicketScreen,
    UnavailableScreen,
    WelcomeScreen,
)
from kiosk.ui.kiosk.survey import SurveyFlow, survey_style
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.printing import FAILED, PrintController, PrinterAttentionBadge
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale, kiosk_style, tile_style
from kiosk.ui.qt.widgets import Header, IdleOverlay
from kiosk.utils.log import event
from kiosk.visit.flow import FINAL_STEPS, CitizenSession, Step, issue_problem, steps_for

if TYPE_CHECKING:
    from kiosk.identity.check import PendingFaces
    from kiosk.identity.face_services import FaceServices
    from kiosk.ui.kiosk.status_check import StatusCheckScreen

log = logging.getLogger(__name__)

CAMERA_PROBE_SECONDS = 10.0  # how soon a camera plugged in after start is offered for QR reading

_INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
                 QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchUpdate}


class KioskWindow(QWidget):
    """The citizen-facing touchscreen."""

    step_changed = Signal(str)
    ticket_issued = Signal(object)
    first_frame = Signal()

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient, speaker: Speaker,
                 parent: QWidget | None = None, *, applications: ApplicationServices | None = None,
                 face_services: FaceServices | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.config = config
        self.catalog = catalog
        self.queue = queue
        self.speaker = speaker
        self.face_check_available = False  # the face-check step registers itself here
        # live face check (issue 5): only with [face] enabled and the model installed
        # (imported only then: OpenCV and the identity client cost ~0.9 s of start-up otherwise)
        self.face_services = face_services
        if face_services is None and config.face.enabled:
            from kiosk.identity.face_services import face_services_from_config

            self.face_services = face_services_from_config(config)
        self.applications = applications   # forms, store and camera for services with an application
        self.application_flow: ApplicationFlow | None = None
        self.survey: SurveyFlow | None = None  # "Nilai layanan kami" (kiosk.ui.kiosk.survey)
        self.status_check: StatusCheckScreen | None = None  # "Cek status" (kiosk.ui.kiosk.status_check)
        self.survey_store = SurveyStore(config.data_dir / "survey.db")  # opened on first use, off the GUI thread
        self.session = CitizenSession(lang=config.device.language, large_text=config.kiosk.large_text)
        self.t = Translator(self.session.lang)
        self.runner = TaskRunner("kiosk-queue", self)
        self.printing = PrintController(config, catalog, self)
        self._history: list[Step] = []
        self._scale: Scale | None = None
        self._issuing = False
        self._first_frame_logged = False

        self.header = Header()
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        # The window has the size of the screen, never the size its content asks for: type sizes
        # follow the window size, so letting content grow the window would feed back on itself.
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.overlay = IdleOverlay(self)
        self.printer_badge = PrinterAttentionBadge(self, self.printing)  # for staff: paper out, offline...

        self.screens: dict[Step, Screen] = {}
        self.camera_probe_timer: QTimer | None = None  # with [camera] qr_scanning: is the camera there?
        self._camera_seen: bool | None = None
        if catalog is None:
            self.unavailable = UnavailableScreen()
            self.stack.addWidget(self.unavailable)
        else:
            self._build_screens(catalog)

        self.header.back.connect(self.go_back)
        self.header.home.connect(self.wipe)
        self.header.language.connect(self.set_language)
        self.header.large_text.connect(self.set_large_text)
        self.header.speak.connect(self.speak)
        speaker.changed.connect(self._update_header)
        self.overlay.expired.connect(self._idle_expired)
        self.overlay.still_here.connect(self._restart_idle)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(config.kiosk.idle_timeout_seconds * 1000)
        self.idle_timer.timeout.connect(self._idle_question)
        self.ticket_timer = QTimer(self)
        self.ticket_timer.setInterval(1000)
        self.ticket_timer.timeout.connect(self._ticket_tick)
        self._ticket_seconds = 0
        QApplication.instance().installEventFilter(self)

        self.queue_events: QueueEvents | None = None
        self.purge_timer: QTimer | None = None
        pending = self.face_services.pending if self.face_services is not None else None
        if pending is not None and self.face_check_available:
            self._watch_pending_faces(pending)

        self._apply_style()
        self.retranslate()
        if catalog is not None:
            self.show_step(Step.WELCOME)

    # -- construction -------------------------------------------------------------------------
    def _build_screens(self, catalog: Catalog) -> None:
        welcome = WelcomeScreen(self.config.site.name)
        welcome.start.connect(self.start_normal)
        welcome.priority.connect(lambda: self.show_step(Step.PRIORITY))
        welcome.language.connect(self.set_language)
        priority = PriorityScreen()
        priority.chosen.connect(self.choose_priority)
        service = ServiceScreen(catalog)
        service.chosen.connect(self.choose_service)
        requirements = RequirementsScreen(catalog)
        requirements.proceed.connect(self.after_requirements)
        identify = IdentifyScreen()
        identify.identified.connect(self.identified)
        confirm = ConfirmScreen(catalog)
        confirm.confirm.connect(self.issue_ticket)
        ticket = TicketScreen(catalog)
        ticket.done.connect(self.wipe)
        self.printing.state_changed.connect(ticket.print_panel.show_state)
        self.printing.state_changed.connect(self._print_state)
        for screen in (welcome, priority, service, requirements, identify, confirm, ticket):
            self.screens[screen.step] = screen
            self.stack.addWidget(screen)
        if self.face_services is not None and self.face_services.available:
            from kiosk.ui.kiosk.face import FaceScreen

            face = FaceScreen(self.face_services)
            face.finished.connect(self.face_finished)
            face.speak = lambda text: self.speaker.say(text, self.session.lang)
            self.screens[face.step] = face
            self.stack.addWidget(face)
            self.face_check_available = True
        if self.config.camera.qr_scanning:
            self._build_status_check(welcome)
            from kiosk.camera.sources import source_from_config

            config = self.config
            identify.enable_ikd_scan(lambda: source_from_config(config), config.camera.ikd_qr_pattern)
            # Offered only while the camera is there: a kiosk often boots before its USB camera is
            # ready, and a camera may be unplugged for cleaning. Looking is one directory listing.
            self._probe_camera()
            self.camera_probe_timer = QTimer(self)
            self.camera_probe_timer.setInterval(int(CAMERA_PROBE_SECONDS * 1000))
            self.camera_probe_timer.timeout.connect(self._probe_camera)
            self.camera_probe_timer.start()
        self.survey = SurveyFlow(self.survey_store, catalog, self.runner, finder=self.queue.find)
        self.survey.finished.connect(self.wipe)
        welcome.survey.connect(self.start_survey)
        welcome.survey_button.setVisible(self.survey.can_find_numbers)
        self.screens[Step.SURVEY] = self.survey
        self.stack.addWidget(self.survey)
        if self.applications is not None:
            self.application_flow = ApplicationFlow(self, self.applications)
            for screen in self.application_flow.screens:
                self.screens[screen.step] = screen
                self.stack.addWidget(screen)

    def _probe_camera(self) -> None:
        """Show or hide "Cek status" and the digital-ID scan as the configured camera comes and goes."""
        present = camera_present(self.config.camera.device)
        if present == self._camera_seen:
            return
        if present:
            if self._camera_seen is not None:
                log.info("camera %s connected: \"Cek status\" and the digital-ID scan are offered",
                         self.config.camera.device)
        else:
            log.warning("camera %s not found: no \"Cek status\" and no digital-ID scan until it is connected "
                        "([camera] device; looked for every %g s)", self.config.camera.device, CAMERA_PROBE_SECONDS)
        self._camera_seen = present
        welcome = self.screens[Step.WELCOME]
        assert isinstance(welcome, WelcomeScreen)
        welcome.status_button.setVisible(present)
        identify = self.screens[Step.IDENTIFY]
        assert isinstance(identify, IdentifyScreen)
        identify.set_ikd_offered(present)

    def _build_status_check(self, welcome: WelcomeScreen) -> None:
        """"Cek status": the camera reads a ticket's or receipt's QR (the queue or the central API answers)."""
        from kiosk.camera.sources import source_from_config
        from kiosk.ui.kiosk.status_check import StatusCheckScreen
        from kiosk.visit.status_check import StatusChecker

        config = self.config
        outbox = self.applications.store if self.applications is not None else None
        screen = StatusCheckScreen(StatusChecker.from_config(config, self.queue, outbox),
                                   lambda: source_from_config(config), config.camera.ikd_qr_pattern)
        screen.done.connect(self.wipe)
        welcome.status.connect(lambda: self.show_step(Step.STATUS))
        self.status_check = screen
        self.screens[screen.step] = screen
        self.stack.addWidget(screen)

    def _watch_pending_faces(self, pending: PendingFaces) -> None:
        """Face pictures kept for counter verification go as soon as the counter has seen the citizen
        (the queue says so), and every day's leftovers go at midnight (UU 27/2022: no longer than needed)."""
        from kiosk.identity.check import face_to_release

        def changed(queue_event: QueueEvent) -> None:
            ref = face_to_release(queue_event)
            if ref is not None:
                self.runner.run(lambda: pending.release(ref),
                                on_done=lambda gone: gone and log.info("pending face of ticket %s deleted after "
                                                                       "the counter", queue_event.ticket.number))

        self.queue_events = QueueEvents(self.queue, self)
        self.queue_events.changed.connect(changed)
        self.purge_timer = QTimer(self)
        self.purge_timer.setSingleShot(True)
        self.purge_timer.timeout.connect(lambda: self.purge_pending_faces(pending))
        self._arm_purge_timer()

    def purge_pending_faces(self, pending: PendingFaces) -> None:
        self.runner.run(pending.purge, on_done=lambda n: n and log.info("%d pending face(s) of past days deleted", n),
                        on_error=lambda exc: log.warning("pending faces not purged: %s", exc))
        self._arm_purge_timer()

    def _arm_purge_timer(self) -> None:
        if self.purge_timer is not None:
            now = datetime.now()  # PendingFaces keeps days by this machine's calendar
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
            self.purge_timer.start(int((midnight - now).total_seconds() * 1000))

    # -- navigation ----------------------------------------------------------------------------
    @property
    def current_step(self) -> Step:
        widget = self.stack.currentWidget()
        return widget.step if isinstance(widget, Screen) else Step.WELCOME

    def screen(self, step: Step) -> Screen:
        return self.screens[step]

    def show_step(self, step: Step, remember: bool = True) -> None:
        if remember and self.stack.currentWidget() is not None and self.current_step != step:
            if step == Step.WELCOME:
                self._history.clear()
            elif self.current_step not in FINAL_STEPS:
                self._history.append(self.current_step)
        screen = self.screens[step]
        screen.enter(self.session)
        self.stack.setCurrentWidget(screen)
        self._update_header()
        self.speaker.stop()
        if step in FINAL_STEPS:
            self._ticket_seconds = self.config.kiosk.ticket_screen_seconds
            screen.set_seconds_left(self._ticket_seconds)  # type: ignore[attr-defined]
            self.ticket_timer.start()
        else:
            self.ticket_timer.stop()
        self._restart_idle()
        log.info("kiosk step %s", step.value)
        self.step_changed.emit(step.value)

    def start_survey(self) -> None:
        """Rate a finished ticket: the citizen types its number (see kiosk.ui.kiosk.survey)."""
        assert self.survey is not None
        self.survey.start_with_number()
        self.show_step(Step.SURVEY)

    def go_back(self) -> None:
        if self.current_step in FINAL_STEPS or self.current_step == Step.WELCOME:
            return
        if self.current_step == Step.SURVEY and self.survey is not None and self.survey.back():
            return  # a page back inside the survey
        if self._issuing:
            return  # a ticket is being issued: leaving now could lose the answer
        target = self._history.pop() if self._history else Step.WELCOME
        self.show_step(target, remember=False)

    def start_normal(self) -> None:
        self.session.priority = None
        self.show_step(Step.SERVICE)

    def choose_priority(self, group: PriorityGroup) -> None:
        self.session.priority = group
        self.show_step(Step.SERVICE)

    def choose_service(self, service: Service) -> None:
        self.session.service = service
        self.session.nik = None
        self.show_step(Step.REQUIREMENTS)
        self.runner.run(lambda: self.queue.preview(service.code),
                        on_done=lambda p: self._preview_ready(service, p),
                        on_error=lambda exc: log.warning("wait preview unavailable: %s", exc))

    def _preview_ready(self, service: Service, preview: WaitPreview) -> None:
        if self.session.service is service:
            self.screens[Step.REQUIREMENTS].set_preview(  # type: ignore[attr-defined]
                preview.people_ahead, preview.estimated_wait_minutes)

    def steps(self) -> list[Step]:
        """This citizen's steps: the application path when the service has a form here."""
        form = (self.application_flow.form_for(self.session.service)
                if self.application_flow and not self.session.form_skipped else None)
        return steps_for(self.session.service, face_check_available=self.face_check_available, form=form)

    def _next_after(self, step: Step) -> Step:
        steps = self.steps()
        return steps[steps.index(step) + 1]

    def after_requirements(self) -> None:
        self.show_step(self._next_after(Step.REQUIREMENTS))

    def identified(self, nik: Nik) -> None:
        self.session.nik = nik
        self.session.face_verified = False  # a new NIK needs a new face check
        log.info("citizen identified by NIK %s", nik.masked)
        self.show_step(self._next_after(Step.IDENTIFY))

    def face_finished(self, outcome: str) -> None:
        """The face step ended: verified or counter → on to confirm; desk → the session ends here."""
        log.info("face step finished: %s", outcome)
        if outcome == "desk":
            self.wipe()
        else:
            self.show_step(self._next_after(Step.FACE))

    def issue_ticket(self) -> None:
        session = self.session
        assert session.service is not None
        request_id = session.request_id()
        service = session.service
        self._issuing = True
        self.runner.run(
            lambda: self.queue.issue(service.code, request_id=request_id, priority=session.priority,
                                     lang=session.lang, nik_masked=session.nik.masked if session.nik else None,
                                     identity_status=session.identity_status()),
            on_done=lambda issued: self._ticket_ready(session, issued),
            on_error=lambda exc: self._ticket_failed(session, exc))

    def _ticket_ready(self, session: CitizenSession, issued: IssuedTicket) -> None:
        self._issuing = False
        if session is not self.session:
            log.warning("ticket %s arrived after the session was wiped", issued.ticket.number)
            return
        session.issued = issued
        event(log, "ticket_issued", "ticket %s issued for %s (%d ahead)", issued.ticket.number,
              issued.ticket.service_code, issued.people_ahead)
        # Printing starts only now, from the issued ticket: a printer fault can never cost or repeat a number.
        content = self.printing.content_for(issued, session.lang)
        self.screens[Step.TICKET].print_panel.start(content, self.printing.first_state)  # type: ignore[attr-defined]
        self.show_step(Step.TICKET)
        self.ticket_issued.emit(issued)
        self.printing.print_ticket(content)

    def _print_state(self, number: str, state: str, _reason: str) -> None:
        """A failed print leaves the citizen the whole ticket time to photograph the screen."""
        issued = self.session.issued
        if state == FAILED and self.current_step == Step.TICKET and issued and issued.ticket.number == number:
            self._ticket_seconds = max(self._ticket_seconds, self.config.kiosk.ticket_screen_seconds)

    def _ticket_failed(self, session: CitizenSession, exc: BaseException) -> None:
        self._issuing = False
        if session is not self.session:
            return
        confirm: ConfirmScreen = self.screens[Step.CONFIRM]  # type: ignore[assignment]
        confirm.set_busy(False)
        problem = issue_problem(exc)
        if problem is None:
            log.error("issuing a ticket failed", exc_info=exc)
        elif isinstance(exc, QueueUnavailable):
            log.warning("queue unavailable while issuing: %s", exc)
        confirm.show_error(problem or "confirm.error.unknown")

    # -- session-wide settings -----------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.session.lang = lang
        self.t = Translator(lang)
        self.retranslate()

    def set_large_text(self, large: bool) -> None:
        self.session.large_text = large
        self._apply_style()
        self._update_header()

    def speak(self) -> None:
        widget = self.stack.currentWidget()
        text = widget.spoken_text() if isinstance(widget, Screen) else ""
        if text:
            self.speaker.say(text, self.session.lang)

    def retranslate(self) -> None:
        t = self.t
        self.header.retranslate(t("header.back"), t("header.home"), t("header.text_size"), t("header.speak"))
        self.overlay.retranslate(t("idle.question"), t("idle.stay"), lambda s: t("idle.countdown", seconds=s))
        if self.catalog is None:
            self.unavailable.retranslate(t)
        for screen in self.screens.values():
            screen.retranslate(t)
        self._update_header()

    def _update_header(self) -> None:
        step = self.current_step if self.screens else Step.WELCOME
        steps = self.steps()
        if step in steps and step not in FINAL_STEPS and self.session.service is not None:
            text = self.t("header.step", n=steps.index(step) + 1, total=len(steps))
        elif step == Step.SERVICE:
            text = self.t("header.step_first")
        else:
            text = ""
        in_flow = step != Step.WELCOME and step not in FINAL_STEPS and bool(self.screens)
        self.header.set_navigation(can_go_back=in_flow, can_go_home=in_flow, step_text=text)
        self.header.set_state(self.session.lang, self.session.large_text, self.speaker.can_speak(self.session.lang),
                              show_languages=step != Step.WELCOME)

    def _apply_style(self) -> None:
        """Re-style only when the sizes change: a style sheet re-polishes every widget."""
        scale = Scale.for_size(self.width(), self.height(), self.session.large_text)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(kiosk_style(scale) + tile_style(scale) + survey_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())

    def paintEvent(self, paint_event: QPaintEvent) -> None:
        super().paintEvent(paint_event)
        if not self._first_frame_logged:
            self._first_frame_logged = True
            event(log, "first_frame", "kiosk first frame painted")
            self.first_frame.emit()

    # -- idle and wipe -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:
        if ev.type() in _INPUT_EVENTS and not self.overlay.counting:
            if isinstance(watched, QWidget) and watched.window() is self:
                self._restart_idle()
        return False

    def _restart_idle(self) -> None:
        # The ticket screen has its own countdown, and nothing left to erase there.
        if self.catalog is not None and self.current_step != Step.WELCOME and self.current_step not in FINAL_STEPS:
            self.idle_timer.start()
        else:
            self.idle_timer.stop()

    def _idle_question(self) -> None:
        if self.current_step == Step.WELCOME or self._issuing:
            self._restart_idle()
            return
        log.info("kiosk idle on %s; asking whether the citizen is still there", self.current_step.value)
        self.overlay.start(self.config.kiosk.idle_countdown_seconds)

    def _idle_expired(self) -> None:
        log.info("kiosk idle: wiping the session")
        self.wipe()

    def _ticket_tick(self) -> None:
        self._ticket_seconds -= 1
        if self._ticket_seconds <= 0:
            self.wipe()
        else:
            self.screens[self.current_step].set_seconds_left(self._ticket_seconds)  # type: ignore[attr-defined]

    def wipe(self) -> None:
        """Forget the citizen: inputs, choices, language, text size; back to welcome."""
        self.overlay.cancel()
        self.ticket_timer.stop()
        self.idle_timer.stop()
        self.speaker.stop()
        self.session = CitizenSession(lang=self.config.device.language, large_text=self.config.kiosk.large_text)
        self.t = Translator(self.session.lang)
        for screen in self.screens.values():
            screen.reset()
        self._history.clear()
        self._apply_style()
        self.retranslate()
        if self.screens:
            self.show_step(Step.WELCOME, remember=False)

    def recover(self) -> None:
        """After an unexpected error: start over on the welcome screen, as if left idle."""
        self.wipe()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        QApplication.instance().removeEventFilter(self)
        for timer in (self.idle_timer, self.ticket_timer, self.purge_timer, self.camera_probe_timer):
            if timer is not None:
                timer.stop()
        if self.queue_events is not None:
            self.queue_events.close()
        self.overlay.cancel()
        self.header.stop()
        self.speaker.stop()
        if self.application_flow is not None:
            self.application_flow.shutdown()
        if self.survey is not None:
            self.survey.stop()
        if self.status_check is not None:
            self.status_check.stop()
        face = self.screens.get(Step.FACE)
        if face is not None:
            face.reset()  # camera off, identity client closed
            face.runner.stop()  # type: ignore[attr-defined]
        self.runner.stop()
        self.printing.stop()
        self.survey_store.close()
