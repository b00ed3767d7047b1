"""The receipt: the queue number, the application number and a QR code to check its status later."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.widgets import qr_pixmap
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Step


class ReceiptScreen(Screen):
    """The queue number, the application number and a QR code for its status: photograph-able."""

    step = Step.RECEIPT
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CitizenSession | None = None
        self.heading = label("", "fieldOk", align=Qt.AlignmentFlag.AlignCenter)
        self.ticket_caption = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        self.ticket = label("", "ticketNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.ticket.setAccessibleName("receiptTicket")
        self.counters = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.number = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("applicationNumber")
        self.qr = QLabel()
        self.qr.setObjectName("statusQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_text = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        self.sync = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.number, self.qr, self.qr_text):
            box.addWidget(widget)
        self.done_button = button("", "primary", self.done.emit, name="receiptDone")
        numbers = QVBoxLayout()
        numbers.setSpacing(18)
        for widget in (self.heading, self.ticket_caption, self.ticket, self.counters, self.sync):
            numbers.addWidget(widget)
        numbers.addStretch(1)
        # Portrait: queue number above the QR card; landscape: side by side.
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(28)
        self.body.addLayout(numbers)
        self.body.addWidget(frame)
        self.layout_.addLayout(self.body, 1)
        self.action_row.addWidget(self.done_button)
        self._seconds_left = 0
        self._qr_for: tuple[str, int] | None = None

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self._fill()

    def reset(self) -> None:
        self.session = None
        self.ticket.setText("")
        self.number.setText("")
        self.qr.clear()
        self._qr_for = None

    def set_seconds_left(self, seconds: int) -> None:
        self._seconds_left = seconds
        self.done_button.setText(self.t("application.receipt.done", seconds=seconds))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.heading.setText(t("application.receipt.heading"))
        self.ticket_caption.setText(t("application.receipt.ticket"))
        self.qr_text.setText(t("application.receipt.qr"))
        self.sync.setText(t("application.receipt.sync"))
        self.set_seconds_left(self._seconds_left)
        self._fill()

    def _fill(self) -> None:
        session, t = self.session, self.t
        if session is None or session.saved_application is None:
            return
        saved = session.saved_application
        self.ticket.setText(session.issued.ticket.number if session.issued else "—")
        if session.service is not None:
            self.counters.setText(t("application.receipt.counters",
                                    counters=", ".join(str(c) for c in session.service.counters)))
        self.number.setText(t("application.receipt.number", number=getattr(saved, "number", "")))
        self._draw_qr()

    def _draw_qr(self) -> None:
        session = self.session
        if session is None or session.saved_application is None:
            return
        url = str(getattr(session.saved_application, "status_url", "") or "")
        size = max(200, min(self.width(), self.height()) // 3)
        if url and self._qr_for != (url, size):
            self._qr_for = (url, size)
            self.qr.setPixmap(qr_pixmap(url, size))
        self.qr.setVisible(bool(url))
        self.qr_text.setVisible(bool(url))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.turn_with_orientation(self.body)
        self._draw_qr()

    def spoken_text(self) -> str:
        session = self.session
        if session is None or session.saved_application is None:
            return ""
        from kiosk.ui.kiosk.ticket import spell_ticket

        ticket = spell_ticket(session.issued.ticket.number) if session.issued else ""
        return self.t("application.receipt.spoken", ticket=ticket,
                      number=" ".join(str(getattr(session.saved_application, "number", ""))))
