"""The lobby kiosk window: runs the citizen's walk through the screens, wipes it when left idle.

The window owns the :class:`~kiosk.visit.flow.CitizenSession` and decides the next step; queue calls go
through a :class:`~kiosk.ui.qt.tasks.TaskRunner` so a slow or absent queue host never freezes the
screen. Anything unexpected sends the kiosk back to the welcome screen (see :mod:`kiosk.ui.app`).
Its helpers: the plain ticket (:mod:`~kiosk.ui.kiosk.ticket_flow`), the application path
(:mod:`~kiosk.ui.kiosk.application`), the survey (:mod:`kiosk.ui.survey`), the idle watch
(:mod:`~kiosk.ui.kiosk.idle`) and the pending faces' cleanup (:mod:`~kiosk.ui.kiosk.pending_faces`).
What it works with (queue, stores, services) is handed in by the composition root (:mod:`kiosk.core`).
Above the steps, the header (where and when, nothing to touch); below them, the bottom bar with every
control, within a seated person's reach (:mod:`kiosk.ui.qt.bars`; its ``help`` signal, "Minta bantuan",
is connected to the help request).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.applications.services import ApplicationServices
from kiosk.catalog.services import Catalog, Service
from kiosk.citizen.nik import Nik
from kiosk.complaints.filing import ComplaintFiling
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.models import PriorityGroup, WaitPreview
from kiosk.survey.model import SurveyRecorder
from kiosk.ui.kiosk.application.flow import ApplicationFlow
from kiosk.ui.kiosk.application.receipt import ReceiptScreen
from kiosk.ui.kiosk.availability import AvailabilityWatch
from kiosk.ui.kiosk.booking import BookingCheckInScreen, add_booking_checkin
from kiosk.ui.kiosk.camera_watch import CameraWatch
from kiosk.ui.kiosk.complaint import ComplaintScreen, attach_complaint_filing
from kiosk.ui.kiosk.confirm import ConfirmScreen
from kiosk.ui.kiosk.help import kiosk_help
from kiosk.ui.kiosk.identify import IdentifyScreen
from kiosk.ui.kiosk.idle import IdleWatch
from kiosk.ui.kiosk.priority import PriorityScreen
from kiosk.ui.kiosk.privacy_notice import PrivacyNotice
from kiosk.ui.kiosk.requirements import RequirementsScreen
from kiosk.ui.kiosk.service_choice import ServiceScreen
from kiosk.ui.kiosk.ticket import TicketScreen
from kiosk.ui.kiosk.ticket_flow import TicketFlow
from kiosk.ui.kiosk.unavailable import UnavailableScreen
from kiosk.ui.kiosk.welcome import WelcomeScreen
from kiosk.ui.kiosk.without_nik import WithoutNikFlow
from kiosk.ui.qt.audio_guide import AudioGuide
from kiosk.ui.qt.bars import BottomBar, Header
from kiosk.ui.qt.printing import PrintController, PrinterAttentionBadge
from kiosk.ui.qt.screen import Screen, set_reach_line
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale, kiosk_style, tile_style
from kiosk.ui.qt.widgets import IdleOverlay
from kiosk.ui.survey.faces import survey_style
from kiosk.ui.survey.flow import SurveyFlow
from kiosk.utils.log import event
from kiosk.visit.flow import FINAL_STEPS, CitizenSession, Step, step_position

if TYPE_CHECKING:
    from kiosk.identity.face_services import FaceServices
    from kiosk.ui.kiosk.face import FaceScreen
    from kiosk.ui.kiosk.pending_faces import PendingFaceCleanup
    from kiosk.ui.kiosk.status_check import StatusCheckScreen

log = logging.getLogger(__name__)


class KioskWindow(QWidget):
    """The citizen-facing touchscreen."""

    step_changed = Signal(str)
    ticket_issued = Signal(object)
    first_frame = Signal()

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient, speaker: Speaker,
                 parent: QWidget | None = None, *, applications: ApplicationServices | None = None,
                 survey_store: SurveyRecorder, face_services: FaceServices | None = None,
                 complaints: ComplaintFiling | None = None) -> None:
        """``survey_store`` (``Core.survey``), ``applications`` and ``face_services`` come from the
        composition root (:mod:`kiosk.core`); their owner closes them after the window."""
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.config = config
        self.catalog = catalog
        self.queue = queue
        self.speaker = speaker
        self.face_check_available = False  # the face-check step registers itself here
        self.face_services = face_services  # the live face check (issue 5): [face] enabled, model installed
        self.applications = applications   # forms, store and camera for services with an application
        self.application_flow: ApplicationFlow | None = None
        self.tickets: TicketFlow | None = None  # the plain-ticket path (kiosk.ui.kiosk.ticket_flow)
        self.survey: SurveyFlow | None = None  # "Nilai layanan kami" (kiosk.ui.survey)
        self.face_screen: FaceScreen | None = None  # the face check (kiosk.ui.kiosk.face), when available
        self.status_check: StatusCheckScreen | None = None  # "Cek status" (kiosk.ui.kiosk.status_check)
        self.booking: BookingCheckInScreen | None = None  # "Saya sudah booking" (kiosk.ui.kiosk.booking)
        self.complaints = complaints  # filing to the outbox: "Sampaikan pengaduan" (kiosk.ui.kiosk.complaint)
        self.complaint_screen: ComplaintScreen | None = None
        # The file opens on first use, off the GUI thread.
        self.survey_store = survey_store
        self.session = CitizenSession(lang=config.device.language, large_text=config.kiosk.large_text)
        self.t = Translator(self.session.lang)
        self.runner = TaskRunner("kiosk-queue", self)
        self.printing = PrintController(config, catalog, self)
        self._history: list[Step] = []
        self._scale: Scale | None = None
        self.issuing = False  # a ticket is being issued: going back or idling out could lose the answer
        self._first_frame_logged = False

        self.header, self.bar = Header(ZoneInfo(config.site.timezone), config.site.name), BottomBar()
        self.stack = QStackedWidget()
        self.column = layout = QVBoxLayout(self)
        # The window has the size of the screen, never the size its content asks for: type sizes
        # follow the window size, so letting content grow the window would feed back on itself.
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar)
        self.overlay = IdleOverlay(self)
        self.printer_badge = PrinterAttentionBadge(self, self.printing)  # for staff: paper out, offline...

        self.screens: dict[Step, Screen] = {}
        self.camera_watch: CameraWatch | None = None  # with [camera] qr_scanning: is the camera there?
        if catalog is None:
            self.unavailable = UnavailableScreen()
            self.stack.addWidget(self.unavailable)
        else:
            self._build_screens(catalog)

        self.bar.back.connect(self.go_back)
        self.bar.home.connect(self.wipe)
        self.bar.language.connect(self.set_language)
        self.bar.large_text.connect(self.set_large_text)
        self.bar.speak.connect(self.speak)
        speaker.changed.connect(self._update_header)
        # [kiosk] audio_guide: every new screen and the pressed button read aloud (a headphone jack)
        self.audio_guide = AudioGuide(self, self.stack, speaker, lambda: self.session.lang, config.kiosk.audio_guide,
                                      visit=lambda: self.session, bar=self.bar)
        self.idle = IdleWatch(self, self, self.overlay, config.kiosk)
        self.idle_timer, self.ticket_timer = self.idle.idle_timer, self.idle.ticket_timer
        self.help_call = kiosk_help(self)  # "Minta bantuan" (kiosk.ui.kiosk.help): the bar's button → staff

        self.face_cleanup: PendingFaceCleanup | None = None
        self.purge_timer: QTimer | None = None  # midnight: the day's leftover pending faces go
        pending = self.face_services.pending if self.face_services is not None else None
        if pending is not None and self.face_check_available:
            from kiosk.ui.kiosk.pending_faces import PendingFaceCleanup  # the identity client: face check only

            self.face_cleanup = PendingFaceCleanup(self.queue, pending, self.runner, self)
            self.purge_timer = self.face_cleanup.purge_timer

        self._apply_style()
        self.retranslate()
        if catalog is not None:
            self.show_step(Step.WELCOME)

    # -- construction -------------------------------------------------------------------------
    def _build_screens(self, catalog: Catalog) -> None:
        welcome = WelcomeScreen(self.config.site.name)
        welcome.start.connect(self.start_normal)
        welcome.priority.connect(lambda: self.show_step(Step.PRIORITY))
        welcome.language.connect(self.bar.language)  # as the bar's: the audio guide's toggle follows it too
        priority = PriorityScreen()
        priority.chosen.connect(self.choose_priority)
        service = ServiceScreen(catalog)
        service.chosen.connect(self.choose_service)
        requirements = RequirementsScreen(catalog)
        requirements.proceed.connect(self.after_requirements)
        # "Kuota habis", "Tutup", "Segera tutup (15:00)" before anything is typed (issue 17): one read of
        # every service on the queue runner, each time the list or the requirements are shown.
        site = self.config.site
        self.availability = AvailabilityWatch(lambda: self.queue.availability(site.closing_soon_minutes),
                                              self.runner, self)
        service.watch_availability(self.availability)
        requirements.watch_availability(self.availability)
        identify = IdentifyScreen()
        identify.identified.connect(self.identified)
        identify.attach_privacy_notice(self._privacy_notice("identify"))
        confirm = ConfirmScreen(catalog)
        ticket = TicketScreen(catalog)
        ticket.done.connect(self.wipe)
        self.tickets = TicketFlow(self, self.runner, self.printing, confirm, ticket, self)
        steps: tuple[Screen, ...] = (welcome, priority, service, requirements, identify, confirm, ticket)
        for screen in steps:
            self.screens[screen.step] = screen
            self.stack.addWidget(screen)
        self.without_nik = WithoutNikFlow(self, identify, catalog, self)  # no KTP, or a passport/KITAS
        if self.face_services is not None and self.face_services.available:
            from kiosk.ui.kiosk.face import FaceScreen

            face = FaceScreen(self.face_services)
            face.finished.connect(self.face_finished)
            face.speak = self._say
            self.face_screen = face
            self.screens[face.step] = face
            self.stack.addWidget(face)
            self.face_check_available = True
        self._build_status_check(welcome, catalog)  # by typed number always; by QR too with [camera] qr_scanning
        if self.config.bookings.enabled:  # "Saya sudah booking": typed, or by QR with [camera] qr_scanning
            self.booking = add_booking_checkin(self, welcome, catalog)
        if self.complaints is not None:  # registers Step.COMPLAINT and shows welcome's button
            self.complaint_screen = attach_complaint_filing(self, self.complaints, welcome)
        if self.config.camera.qr_scanning:
            from kiosk.camera.sources import source_from_config

            config = self.config
            identify.enable_ikd_scan(lambda: source_from_config(config), config.camera.ikd_qr_pattern)
            offers = [identify.set_ikd_offered] + [screen.offer_camera for screen in (self.status_check, self.booking)
                                                   if screen is not None]
            self.camera_watch = CameraWatch(config.camera.device, offers, self)  # offered while it is there
        self.survey = SurveyFlow(self.survey_store, catalog, self.runner, finder=self.queue.find)
        self.survey.finished.connect(self.wipe)
        welcome.survey.connect(self.start_survey)
        welcome.survey_button.setVisible(self.survey.can_find_numbers)
        self.screens[Step.SURVEY] = self.survey
        self.stack.addWidget(self.survey)
        if self.applications is not None:
            self.application_flow = ApplicationFlow(self, self.applications, self)
            self.application_flow.form_screen.attach_privacy_notice(self._privacy_notice("application"))
            for page in self.application_flow.screens:
                self.screens[page.step] = page
                self.stack.addWidget(page)

    def _privacy_notice(self, which: str) -> PrivacyNotice:
        return PrivacyNotice(which, self.config.site.name, self.config.central.retention_days)

    def _build_status_check(self, welcome: WelcomeScreen, catalog: Catalog) -> None:
        """"Cek status": by the ticket's typed number, and with a camera by its or a receipt's QR."""
        from kiosk.ui.kiosk.status_check import status_check_screen

        outbox = self.applications.store if self.applications is not None else None
        screen = self.status_check = status_check_screen(self.config, self.queue, catalog, outbox)
        screen.done.connect(self.wipe)
        welcome.status.connect(lambda: self.show_step(Step.STATUS))
        welcome.status_button.show()
        self.screens[screen.step] = screen
        self.stack.addWidget(screen)

    # -- navigation ----------------------------------------------------------------------------
    @property
    def current_step(self) -> Step:
        widget = self.stack.currentWidget()
        return widget.step if isinstance(widget, Screen) else Step.WELCOME

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
            self.idle.start_countdown()
        else:
            self.ticket_timer.stop()
        self.idle.restart()
        log.info("kiosk step %s", step.value)
        self.step_changed.emit(step.value)

    def start_survey(self) -> None:
        """Rate a finished ticket: the citizen types its number (see kiosk.ui.survey)."""
        assert self.survey is not None
        self.survey.start_with_number()
        self.show_step(Step.SURVEY)

    def go_back(self) -> None:
        if self.current_step in FINAL_STEPS or self.current_step == Step.WELCOME:
            return
        if self.screens[self.current_step].back():
            return  # a page back inside the step (the survey's or the form's previous question)
        if self.issuing:
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
        self.session.forget_identity()
        self.show_step(Step.REQUIREMENTS)
        self.runner.run(lambda: self.queue.preview(service.code),
                        on_done=lambda p: self._preview_ready(service, p),
                        on_error=lambda exc: log.warning("wait preview unavailable: %s", exc))

    def _preview_ready(self, service: Service, preview: WaitPreview) -> None:
        requirements = self.screens[Step.REQUIREMENTS]
        if self.session.service is service and isinstance(requirements, RequirementsScreen):
            requirements.set_preview(preview.people_ahead, preview.estimated_wait_minutes)

    def steps(self) -> list[Step]:
        """This citizen's steps: the application path when the service has a form here."""
        form = (self.application_flow.form_for(self.session.service)
                if self.application_flow and not self.session.form_skipped else None)
        return self.session.steps(face_check_available=self.face_check_available, form=form)

    def next_after(self, step: Step) -> Step:
        steps = self.steps()
        return steps[steps.index(step) + 1]

    def after_requirements(self) -> None:
        self.show_step(self.next_after(Step.REQUIREMENTS))

    def identified(self, nik: Nik) -> None:
        self.session.identify_by_nik(nik)  # a new NIK needs a new face check
        log.info("citizen identified by NIK %s", nik.masked)
        self.show_step(self.next_after(Step.IDENTIFY))

    def face_finished(self, outcome: str) -> None:
        """The face step ended: verified or counter → on to confirm; desk → the session ends here."""
        log.info("face step finished: %s", outcome)
        if outcome == "desk":
            self.wipe()
        else:
            self.show_step(self.next_after(Step.FACE))

    def issue_ticket(self) -> None:
        """The citizen confirmed: issue the plain ticket (kiosk.ui.kiosk.ticket_flow)."""
        assert self.tickets is not None
        self.tickets.issue()

    # -- session-wide settings -----------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.session.lang = lang
        self.t = Translator(lang)
        self.retranslate()

    def set_large_text(self, large: bool) -> None:
        self.session.large_text = large
        self._apply_style()
        self._update_header()

    def _say(self, text: str) -> None:
        self.speaker.say(text, self.session.lang)

    def speak(self) -> None:
        widget = self.stack.currentWidget()
        text = widget.spoken_text() if isinstance(widget, Screen) else ""
        if text:
            self.speaker.say(text, self.session.lang)

    def retranslate(self) -> None:
        t = self.t
        self.bar.retranslate(t("header.back"), t("header.home"), t("header.text_size"), t("header.speak"),
                             t("bar.help"))
        self.overlay.retranslate(t("idle.question"), t("idle.stay"), lambda s: t("idle.countdown", count=s))
        if self.catalog is None:
            self.unavailable.retranslate(t)
        for screen in self.screens.values():
            screen.retranslate(t)
        self._update_header()

    def _update_header(self) -> None:
        step = self.current_step if self.screens else Step.WELCOME
        position = step_position(self.steps(), step) if self.session.service is not None else None
        if position is not None:  # the counting rule: kiosk.visit.flow.step_position
            text = self.t("header.step", n=position[0], total=position[1])
        elif step == Step.SERVICE:
            text = self.t("header.step_first")
        else:
            text = ""
        in_flow = step != Step.WELCOME and step not in FINAL_STEPS and bool(self.screens)
        self.header.set_step(text)
        self.bar.set_navigation(can_go_back=in_flow, can_go_home=in_flow)
        self.bar.set_state(self.session.lang, self.session.large_text, self.speaker.can_speak(self.session.lang),
                           show_languages=step != Step.WELCOME)
        self.column.activate()  # the bar's rows, and so the screen's height, now (tests and shots look at once)

    def _apply_style(self) -> None:
        """Re-style only when the sizes change: a style sheet re-polishes every widget."""
        scale = Scale.for_size(self.width(), self.height(), self.session.large_text)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(kiosk_style(scale) + tile_style(scale) + survey_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        set_reach_line(self.screens.values(), self.height(), self.config.kiosk)
        self._apply_style()
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())

    def paintEvent(self, paint_event: QPaintEvent) -> None:
        super().paintEvent(paint_event)
        if not self._first_frame_logged:
            self._first_frame_logged = True
            event(log, "first_frame", "kiosk first frame painted")
            self.first_frame.emit()

    # -- idle and wipe (kiosk.ui.kiosk.idle) --------------------------------------------------
    @property
    def walking(self) -> bool:
        """A citizen's walk can be under way (without a catalog the kiosk only says it is unavailable)."""
        return self.catalog is not None

    @property
    def _ticket_seconds(self) -> int:
        return self.idle.seconds_left

    def show_seconds_left(self, seconds: int) -> None:
        screen = self.screens[self.current_step]
        if isinstance(screen, (TicketScreen, ReceiptScreen)):  # the final steps count down to the wipe
            screen.set_seconds_left(seconds)

    def wipe(self) -> None:
        """Forget the citizen: inputs, choices, language, text size; back to welcome."""
        self.help_call.end_session()  # an open call for staff closes with the session
        self.idle.stop()
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
        self.idle.shutdown()
        if self.face_cleanup is not None:
            self.face_cleanup.stop()
        if self.camera_watch is not None:
            self.camera_watch.stop()
        self.header.stop()
        self.speaker.stop()
        if self.application_flow is not None:
            self.application_flow.shutdown()
        if self.survey is not None:
            self.survey.stop()
        if self.status_check is not None:
            self.status_check.stop()
        if self.face_screen is not None:
            self.face_screen.reset()  # camera off, identity client closed
            self.face_screen.runner.stop()
        if self.booking is not None:
            self.booking.stop()
        if self.complaint_screen is not None:
            self.complaint_screen.stop()
        self.help_call.stop()
        self.runner.stop()
        self.printing.stop()
