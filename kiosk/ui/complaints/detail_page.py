"""One complaint: what the citizen wrote, how to reach them, both clocks, what happened, and the actions.

The officer types on an ordinary keyboard (a desk, not the lobby's touchscreen). Which actions are
offered is the domain's rule (:func:`kiosk.complaints.desk.offered_actions`); a button that does
not apply says why beside it. What was typed is kept per complaint until the central API confirms
it: an outage, a refusal or a look at another complaint loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.complaints.deadlines import WorkingCalendar, clock_view
from kiosk.complaints.desk import OUTCOMES, ActionKind, offered_actions
from kiosk.complaints.record import ComplaintEvent, ComplaintRecord
from kiosk.complaints.states import MAX_AGENCY_CHARS
from kiosk.i18n import Translator
from kiosk.ui.complaints.list_page import when
from kiosk.ui.qt.widgets import button, label, restyle

ACTIONS: tuple[ActionKind, ...] = ("respond", "forward", "close")


class ComplaintDetailPage(QWidget):
    """Shows one :class:`ComplaintRecord`; :attr:`acted` asks the window to send an action."""

    acted = Signal(str, str)  # action kind, complaint id
    back = Signal()

    def __init__(self, t: Translator, calendar: WorkingCalendar, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintDetailPage")
        self.t, self.calendar, self.tz = t, calendar, tz
        self.record: ComplaintRecord | None = None
        self.drafts: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.back_button = button("", "", self.back.emit, name="detailBack")
        self.title = label("", "sectionTitle")
        head.addWidget(self.back_button, 0)
        head.addWidget(self.title, 1)
        outer.addLayout(head)
        body = QHBoxLayout()
        outer.addLayout(body, 1)
        body.addWidget(self._facts(), 3)
        body.addWidget(self._actions(), 2)

    def _facts(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        column = QVBoxLayout(inner)
        self.summary = label("", "caption")
        self.summary.setObjectName("detailSummary")
        self.first_clock = label("", "note")
        self.first_clock.setObjectName("firstResponseClock")
        self.resolution_clock = label("", "note")
        self.resolution_clock.setObjectName("resolutionClock")
        self.text_heading = label("", "caption")
        self.text = label("")
        self.text.setObjectName("complaintText")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contact = label("", "note")
        self.contact.setObjectName("complaintContact")
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.events_caption = label("", "caption")
        self.events = QListWidget()
        self.events.setObjectName("eventList")
        self.events.setWordWrap(True)
        self.no_events = label("", "note")
        for widget in (self.summary, self.first_clock, self.resolution_clock, self.text_heading, self.text,
                       self.contact, self.events_caption, self.no_events):
            column.addWidget(widget)
        column.addWidget(self.events, 3)
        column.addStretch(1)
        scroll.setWidget(inner)
        return scroll

    def _actions(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        self.text_caption = label("", "caption")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("actionText")
        self.editor.textChanged.connect(self._remember)
        self.agency_caption = label("", "caption")
        self.agency = QLineEdit()
        self.agency.setObjectName("agencyField")
        self.agency.setMaxLength(MAX_AGENCY_CHARS)
        self.outcome_caption = label("", "caption")
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcomePicker")
        for outcome in OUTCOMES:
            self.outcome.addItem(outcome, outcome)
        self.buttons = {action: button("", "primary" if action == "respond" else "",
                                       partial(self._press, action), name=f"{action}Button")
                        for action in ACTIONS}
        self.reason = label("", "note")
        self.reason.setObjectName("actionReason")
        self.message = label("", "message")
        self.message.setObjectName("detailMessage")
        grid.addWidget(self.text_caption, 0, 0, 1, 2)
        grid.addWidget(self.editor, 1, 0, 1, 2)
        grid.addWidget(self.buttons["respond"], 2, 0, 1, 2)
        grid.addWidget(self.agency_caption, 3, 0, 1, 2)
        grid.addWidget(self.agency, 4, 0)
        grid.addWidget(self.buttons["forward"], 4, 1)
        grid.addWidget(self.outcome_caption, 5, 0, 1, 2)
        grid.addWidget(self.outcome, 6, 0)
        grid.addWidget(self.buttons["close"], 6, 1)
        grid.addWidget(self.reason, 7, 0, 1, 2)
        grid.addWidget(self.message, 8, 0, 1, 2)
        grid.setRowStretch(1, 1)
        return box

    # -- showing ------------------------------------------------------------------------------

    def show_record(self, record: ComplaintRecord, now: datetime) -> None:
        same = self.record is not None and self.record.id == record.id
        self.record = record
        t, tz = self.t, self.tz
        self.title.setText(t("complaint_console.detail_title", reference=record.reference))
        self.summary.setText(t("complaint_console.summary", category=t(f"complaint_rules.category.{record.category}"),
                               state=t(f"complaint_rules.state.{record.state}"), filed=when(record.filed_at, tz),
                               channel=t(f"complaint_console.channel.{record.channel}"),
                               service=record.service_code or "–"))
        clocks = clock_view(record, calendar=self.calendar, now=now)
        self.first_clock.setText(self._clock_line("first_response", clocks.first_response_due,
                                                  clocks.clocks.first_response.value))
        self.resolution_clock.setText(self._clock_line("resolution", clocks.resolution_due,
                                                       clocks.clocks.resolution.value))
        restyle(self.first_clock, "error", clocks.clocks.first_response.value == "overdue")
        restyle(self.resolution_clock, "error", clocks.clocks.resolution.value == "overdue")
        self.text.setText(record.text)
        self.contact.setText(self._contact_line(record))
        self.events.clear()
        for event in record.events:
            self.events.addItem(self._event_line(event))
        self.events.setVisible(bool(record.events))
        self.no_events.setVisible(not record.events)
        if not same:
            self.editor.setPlainText(self.drafts.get(record.id, ""))
            self.agency.setText(record.forwarded_to or "")
            self.say("")
        self._offer(record)

    def _clock_line(self, which: str, due: datetime, state: str) -> str:
        line = self.t(f"complaint_rules.clock.{which}", due=when(due, self.tz))
        mark = "⚠ " if state in ("overdue", "missed") else ""
        return f"{mark}{line} — {self.t(f'complaint_rules.clock.{state}')}"

    def _contact_line(self, record: ComplaintRecord) -> str:
        t = self.t
        if record.anonymous:
            return t("complaint_console.contact_anonymous")
        parts = [p for p in (record.phone, record.email) if p]
        consent = t("complaint_console.share_yes" if record.share_contact else "complaint_console.share_no")
        return t("complaint_console.contact", contact=" · ".join(parts) or "–", consent=consent)

    def _event_line(self, event: ComplaintEvent) -> str:
        t = self.t
        known = t.has(f"complaint_console.event.{event.action}")
        head = f"{when(event.at, self.tz)} — {t(f'complaint_console.event.{event.action}') if known else event.action}"
        if event.agency:
            head += f" → {event.agency}"
        if event.outcome and t.has(f"complaint_rules.outcome.{event.outcome}"):
            head += f": {t(f'complaint_rules.outcome.{event.outcome}')}"
        if event.officer:
            head += f" ({event.officer})"
        return f"{head}\n{event.text}" if event.text else head

    def _offer(self, record: ComplaintRecord) -> None:
        allowed = offered_actions(record.state)
        for action, widget in self.buttons.items():
            widget.setEnabled(action in allowed)
        self.agency.setEnabled("forward" in allowed)
        self.outcome.setEnabled("close" in allowed)
        self.editor.setReadOnly(not allowed)
        self.reason.setText("" if allowed else self.t("complaint_console.closed_no_actions"))

    def set_busy(self, busy: bool) -> None:
        if busy:
            for widget in self.buttons.values():
                widget.setEnabled(False)
        elif self.record is not None:
            self._offer(self.record)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        restyle(self.message, "error", error)

    # -- acting -------------------------------------------------------------------------------

    def _remember(self) -> None:
        if self.record is not None:
            self.drafts[self.record.id] = self.editor.toPlainText()

    def typed(self) -> str:
        return self.editor.toPlainText().strip()

    def agency_text(self) -> str:
        return self.agency.text().strip()

    def outcome_value(self) -> str:
        return str(self.outcome.currentData())

    def sent(self, complaint_id: str) -> None:
        """The central API took the action: the draft is done with."""
        self.drafts.pop(complaint_id, None)
        if self.record is not None and self.record.id == complaint_id:
            self.editor.setPlainText("")

    def _press(self, action: str) -> None:
        if self.record is not None:
            self.acted.emit(action, self.record.id)

    def point_at(self, field: str) -> None:
        """Put the cursor where the problem is (the text, the agency, the outcome)."""
        {"agency": self.agency, "outcome": self.outcome}.get(field, self.editor).setFocus()

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.back_button.setText(t("complaint_console.back"))
        self.events_caption.setText(t("complaint_console.events"))
        self.no_events.setText(t("complaint_console.no_events"))
        self.text_heading.setText(t("complaint_console.text_heading"))
        self.text_caption.setText(t("complaint_console.text_caption"))
        self.editor.setPlaceholderText(t("complaint_console.text_placeholder"))
        self.agency_caption.setText(t("complaint_console.agency_caption"))
        self.agency.setPlaceholderText(t("complaint_console.agency_placeholder"))
        self.outcome_caption.setText(t("complaint_console.outcome_caption"))
        for i, outcome in enumerate(OUTCOMES):
            self.outcome.setItemText(i, t(f"complaint_rules.outcome.{outcome}"))
        for action, widget in self.buttons.items():
            widget.setText(t(f"complaint_console.button.{action}"))
