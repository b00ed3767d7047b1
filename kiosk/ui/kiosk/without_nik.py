"""Identifying without a NIK (issue 16): what happens then, said before the citizen queues.

The identify step offers "Saya tidak membawa KTP / tidak tahu NIK" and "Paspor / KITAS". Either way
the ticket is marked so the clerk checks the identity; the face check and the application form, which
need the NIK, are left out and this screen says so and why. A service that cannot be done without a NIK
(the catalog's ``nik_required``; the rule is :func:`kiosk.visit.flow.without_nik_outcome`) says so here
and offers a ticket to the information desk instead. :class:`WithoutNikFlow` adds the two screens to the
kiosk window and moves the citizen between them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog, Service
from kiosk.citizen.travel_document import TravelDocument
from kiosk.i18n import Translator
from kiosk.ui.kiosk.identify import IdentifyScreen
from kiosk.ui.kiosk.travel_document import TravelDocumentScreen
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Identity, Step, without_nik_outcome

log = logging.getLogger(__name__)

Skipped = Callable[[Service], tuple[bool, bool]]  # (face check, application form) the path would have had


class FormFinder(Protocol):
    def form_for(self, service: Service | None) -> object | None: ...


class WithoutNikScreen(Screen):
    """"Identitas diperiksa di loket": what is skipped and why, or the information desk instead."""

    step = Step.WITHOUT_NIK
    proceed = Signal()
    to_desk = Signal()
    type_nik = Signal()
    done = Signal()

    def __init__(self, catalog: Catalog, skipped: Skipped, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog, self.skipped = catalog, skipped
        self.session: CitizenSession | None = None
        self.outcome = "queue"
        self.title = label("", "title")
        frame, box = card()
        self.body = label("", "body")
        self.body.setAccessibleName("withoutNikBody")
        self.notes = label("", "note")
        self.notes.setAccessibleName("withoutNikNotes")
        box.addWidget(self.body)
        box.addWidget(self.notes)
        self.next_button = button("", "primary", self.proceed.emit, name="withoutNikNext")
        self.desk_button = button("", "primary", self.to_desk.emit, name="deskButton")
        self.done_button = button("", "primary", self.done.emit, name="withoutNikDone")
        self.nik_button = button("", "", self.type_nik.emit, name="typeNikButton")
        actions = QVBoxLayout()
        actions.setSpacing(18)
        for widget in (self.nik_button, self.next_button, self.desk_button, self.done_button):
            actions.addWidget(widget)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(frame)
        self.layout_.addStretch(1)
        self.layout_.addLayout(actions)

    def enter(self, session: CitizenSession) -> None:
        session.back_to_wanted()  # back here from the desk's confirm: the choice is made again
        self.session = session
        self._fill()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.next_button.setText(t("without_nik.next"))
        self.desk_button.setText(t("without_nik.desk_button"))
        self.done_button.setText(t("without_nik.done"))
        self.nik_button.setText(t("without_nik.type_nik"))
        self._fill()

    def _fill(self) -> None:
        session, t = self.session, self.t
        if session is None or session.service is None:
            return
        service = session.service
        name = service.name.get(t.lang)
        self.outcome = without_nik_outcome(service, self.catalog)
        notes: list[str] = []
        if self.outcome == "queue":
            self.title.setText(t("without_nik.title"))
            document = session.travel_document
            self.body.setText(t("without_nik.travel_body", service=name, number=document.masked) if document
                              else t("without_nik.queue_body", service=name))
            face, form = self.skipped(service)
            notes += [t("without_nik.face_skipped")] if face else []
            notes += [t("without_nik.form_skipped")] if form else []
        else:
            self.title.setText(t("without_nik.desk_title"))
            self.body.setText(t(f"without_nik.{self.outcome}_body", service=name))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.next_button.setVisible(self.outcome == "queue")
        self.desk_button.setVisible(self.outcome == "desk")
        self.done_button.setVisible(self.outcome == "no_desk")
        self.nik_button.setVisible(self.outcome != "queue" and session.identity is Identity.NO_NIK)

    def spoken_text(self) -> str:
        return " ".join(text for text in (self.title.text() + ".", self.body.text(), self.notes.text()) if text)


class WithoutNikWindow(Protocol):
    """What this flow needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    session: CitizenSession
    screens: dict[Step, Screen]
    stack: QStackedWidget
    face_check_available: bool

    @property
    def application_flow(self) -> FormFinder | None: ...  # the application path, when this kiosk files forms

    def show_step(self, step: Step, remember: bool = True) -> None: ...
    def wipe(self) -> None: ...


class WithoutNikFlow(QObject):
    """Adds the passport/KITAS and without-NIK screens to the window and connects the identify step's choices."""

    def __init__(self, window: WithoutNikWindow, identify: IdentifyScreen, catalog: Catalog,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window, self.catalog = window, catalog
        self.travel = TravelDocumentScreen()
        self.screen = WithoutNikScreen(catalog, self._skipped)
        for screen in (self.travel, self.screen):
            window.screens[screen.step] = screen
            window.stack.addWidget(screen)
        identify.without_nik.connect(self.no_nik)
        identify.travel_document.connect(self.ask_document)
        self.travel.entered.connect(self.document_entered)
        self.screen.proceed.connect(lambda: window.show_step(Step.CONFIRM))
        self.screen.to_desk.connect(self.to_desk)
        self.screen.type_nik.connect(lambda: window.show_step(Step.IDENTIFY))
        self.screen.done.connect(window.wipe)

    def _skipped(self, service: Service) -> tuple[bool, bool]:
        """What a NIK would have brought on this kiosk: the face check, the application form."""
        face = service.face_check and self.window.face_check_available
        flow = self.window.application_flow
        form = service.application_form and flow is not None and flow.form_for(service) is not None
        return face, form

    def no_nik(self) -> None:
        self.window.session.identify_without_nik(Identity.NO_NIK)
        log.info("citizen identifies without a NIK (identity checked at the counter)")
        self.window.show_step(Step.WITHOUT_NIK)

    def ask_document(self) -> None:
        session = self.window.session
        if session.identity is not Identity.TRAVEL_DOCUMENT:
            session.identify_without_nik(Identity.TRAVEL_DOCUMENT)  # the path counts the number's step
        self.window.show_step(Step.TRAVEL_DOCUMENT)

    def document_entered(self, document: TravelDocument) -> None:
        self.window.session.identify_without_nik(Identity.TRAVEL_DOCUMENT, document)
        log.info("citizen identified by passport/KITAS %s", document.masked)
        self.window.show_step(Step.WITHOUT_NIK)

    def to_desk(self) -> None:
        desk = self.catalog.desk()
        if desk is None:  # the screen offers the desk only when the catalog names one
            return
        self.window.session.go_to_desk(desk)
        log.info("service needs a NIK: ticket for the information desk %s instead", desk.code)
        self.window.show_step(Step.CONFIRM)
