"""A plain ticket: issued off the GUI thread when the citizen confirms, then shown and printed.

Printing starts only from the issued ticket, so a printer fault can never cost or repeat a number;
a failed print gives the citizen the whole ticket time again to photograph the screen. The
application path has its own controller (:class:`kiosk.ui.kiosk.application.ApplicationFlow`).
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance

from kiosk.queue.client import QueueClient, QueueUnavailable
from kiosk.queue.models import IssuedTicket
from kiosk.ui.kiosk.confirm import ConfirmScreen
from kiosk.ui.kiosk.idle import IdleWatch
from kiosk.ui.kiosk.ticket import TicketScreen
from kiosk.ui.qt.printing import FAILED, PrintController
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.utils.log import event
from kiosk.visit.flow import CitizenSession, Step, issue_problem

log = logging.getLogger(__name__)


class TicketWindow(Protocol):
    """What issuing needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    session: CitizenSession
    queue: QueueClient
    issuing: bool
    idle: IdleWatch
    ticket_issued: SignalInstance

    @property
    def current_step(self) -> Step: ...
    def show_step(self, step: Step, remember: bool = True) -> None: ...


class TicketFlow(QObject):
    """Issues the ticket the confirm screen asks for and hands it to the ticket screen and the printer."""

    def __init__(self, window: TicketWindow, runner: TaskRunner, printing: PrintController, confirm: ConfirmScreen,
                 ticket: TicketScreen, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window, self.runner, self.printing = window, runner, printing
        self.confirm_screen, self.ticket_screen = confirm, ticket
        confirm.confirm.connect(self.issue)
        printing.state_changed.connect(ticket.print_panel.show_state)
        printing.state_changed.connect(self._print_state)

    def issue(self) -> None:
        window, session = self.window, self.window.session
        assert session.service is not None
        request_id, service, queue = session.request_id(), session.service, window.queue
        window.issuing = True
        self.runner.run(
            lambda: queue.issue(service.code, request_id=request_id, priority=session.priority, lang=session.lang,
                                nik_masked=session.nik.masked if session.nik else None,
                                identity_status=session.identity_status()),
            on_done=lambda issued: self._ready(session, issued),
            on_error=lambda exc: self._failed(session, exc))

    def _ready(self, session: CitizenSession, issued: IssuedTicket) -> None:
        window = self.window
        window.issuing = False
        if session is not window.session:
            log.warning("ticket %s arrived after the session was wiped", issued.ticket.number)
            return
        self.show_ticket(session, issued)

    def show_ticket(self, session: CitizenSession, issued: IssuedTicket) -> None:
        """Show ``issued`` on the ticket screen and print it (also a booking's ticket: kiosk.ui.kiosk.booking)."""
        window = self.window
        session.issued = issued
        event(log, "ticket_issued", "ticket %s issued for %s (%d ahead)", issued.ticket.number,
              issued.ticket.service_code, issued.people_ahead)
        content = self.printing.content_for(issued, session.lang)
        self.ticket_screen.print_panel.start(content, self.printing.first_state)
        window.show_step(Step.TICKET)
        window.ticket_issued.emit(issued)
        self.printing.print_ticket(content)

    def _print_state(self, number: str, state: str, _reason: str) -> None:
        """A failed print leaves the citizen the whole ticket time to photograph the screen."""
        issued = self.window.session.issued
        if state == FAILED and self.window.current_step == Step.TICKET and issued and issued.ticket.number == number:
            self.window.idle.extend_countdown()

    def _failed(self, session: CitizenSession, exc: BaseException) -> None:
        self.window.issuing = False
        if session is not self.window.session:
            return
        self.confirm_screen.set_busy(False)
        problem = issue_problem(exc)
        if problem is None:
            log.error("issuing a ticket failed", exc_info=exc)
        elif isinstance(exc, QueueUnavailable):
            log.warning("queue unavailable while issuing: %s", exc)
        self.confirm_screen.show_error(problem or "confirm.error.unknown")
