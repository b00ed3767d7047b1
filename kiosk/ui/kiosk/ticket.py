"""The ticket step: the number, large, where to go, how many are ahead, and the print or QR fallback."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.i18n import Translator
from kiosk.queue.models import identity_checked_at_counter
from kiosk.ui.qt.printing import TicketPrintPanel
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Step


class TicketScreen(Screen):
    step = Step.TICKET
    done = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.session: CitizenSession | None = None
        self.heading = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.number = label("", "ticketNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("ticketNumber")
        self.service = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.counters = label("", "body")
        self.ahead = label("", "body")
        self.estimate = label("", "body")
        self.identity = label("", "banner")
        self.booking_note = label("", "banner")  # a booking's ticket: called from its slot (issue 19)
        self.booking_note.setAccessibleName("ticketBookingNote")
        for fact in (self.counters, self.ahead, self.estimate):
            box.addWidget(fact)
        self.instructions = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.done_button = button("", "primary", self.done.emit, name="doneButton")
        details = QVBoxLayout()
        details.setSpacing(22)
        for widget in (self.heading, self.number, self.service, frame, self.identity, self.booking_note):
            details.addWidget(widget)
        details.addStretch(1)
        self.print_panel = TicketPrintPanel()  # "printing…", or the number's QR when the paper fails
        side = QVBoxLayout()
        side.setSpacing(22)
        side.addWidget(self.print_panel, 1)
        side.addStretch(1)
        side.addWidget(self.instructions)  # the last thing of the page in portrait: at the bottom, in reach
        side.addWidget(self.done_button)
        # Portrait: the print panel and the button under the details; landscape: beside them (resizeEvent).
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addLayout(details, 1)
        self.body.addLayout(side, 1)
        self.layout_.addLayout(self.body, 1)
        self._seconds_left = 0

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self._fill()

    def set_seconds_left(self, seconds: int) -> None:
        self._seconds_left = seconds
        self.done_button.setText(self.t("ticket.done", seconds=seconds))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.heading.setText(t("ticket.heading"))
        self.instructions.setText(t("ticket.instructions"))
        self.print_panel.retranslate(t)
        self.set_seconds_left(self._seconds_left)
        self._fill()

    def reset(self) -> None:
        self.print_panel.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.landscape
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self.body.setStretch(0, 1 if landscape else 0)  # portrait: the details as tall as they need, no gap

    def _fill(self) -> None:
        if self.session is None or self.session.issued is None or self.session.service is None:
            return
        t, issued, service = self.t, self.session.issued, self.session.service
        self.number.setText(issued.ticket.number)
        self.service.setText(service.name.get(t.lang))
        self.counters.setText(t("ticket.counters", counters=", ".join(str(c) for c in service.counters)))
        self.ahead.setText(t("ticket.ahead", count=issued.people_ahead) if issued.people_ahead
                           else t("ticket.nobody_ahead"))
        self.estimate.setText(t("ticket.estimate", wait=t.minutes(issued.estimated_wait_minutes)))
        status = issued.ticket.identity_status
        needs_check = identity_checked_at_counter(status)
        self.identity.setVisible(needs_check)
        key = "ticket.verify_at_counter" if status == "to_verify_at_counter" else f"without_nik.ticket.{status}"
        self.identity.setText(t(key) if needs_check else "")
        slot, again = issued.ticket.booking, self.session.booked == "again"  # a booking's ticket (issue 19)
        note = [t("booking_checkin.ticket_again")] if again else []
        note += [t("booking_checkin.ticket_note", slot=slot)] if slot else []
        self.booking_note.setVisible(bool(note))
        self.booking_note.setText(" ".join(note))

    def spoken_text(self) -> str:
        if self.session is None or self.session.issued is None:
            return ""
        return " ".join([self.heading.text(), self.t("ticket.spoken_number", number=spell_ticket(
            self.session.issued.ticket.number)), self.counters.text() + ".", self.ahead.text() + ".",
            self.instructions.text()])


def spell_ticket(number: str) -> str:
    """"A-012" read as "A 0 1 2" so a voice says each character."""
    return " ".join(ch for ch in number if ch != "-")
