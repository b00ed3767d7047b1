"""The counter's view of the application a citizen filed at the kiosk, beside the ticket in hand.

Read-only: the clerk checks the answers and the photographed documents against the originals and
serves the citizen without retyping anything. The kiosk attached the application to the ticket in
the queue; the lookup (``find(ticket_id)``: ``QueueClient.application_of``, on a building's LAN the
queue host) runs on the panel's own background thread, only for a ticket that carries an
application. The panel stays hidden otherwise, and reads again when the queue says the
application changed (its sync state to MPP Digital).

It opens in the full height of the console's right column (the waiting line folds to its title line
meanwhile), each answer under its question across the whole width: in a four-line box beside the
questions a long STR number ran under the scrollbar. A long unbroken value (a registration number)
may wrap anywhere; :meth:`ApplicationPanel.row_texts` gives the values as filed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.applications.drafts import FiledApplication, describe_application
from kiosk.catalog.forms import FormSet
from kiosk.i18n import Translator
from kiosk.queue.models import ApplicationView, EventType, QueueEvent, Ticket, identity_checked_at_counter
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import label

log = logging.getLogger(__name__)

ApplicationFinder = Callable[[str], "ApplicationView | None"]  # ticket id → its application
BREAK = "\u200b"  # zero-width space: where a long token may wrap
WRAP_AFTER = 12  # characters of an unbroken token between possible breaks


def breakable(text: str) -> str:
    """``text`` with places a label may wrap inside tokens longer than :data:`WRAP_AFTER` characters."""
    return " ".join(word if len(word) <= WRAP_AFTER else BREAK.join(
        word[i:i + WRAP_AFTER] for i in range(0, len(word), WRAP_AFTER)) for word in text.split(" "))


class ApplicationPanel(QFrame):
    """Answers, document counts and sync state of the current ticket's application."""

    shown = Signal(object)  # FiledApplication | None, once the lookup answered

    def __init__(self, find: ApplicationFinder, forms: FormSet | None, t: Translator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("current")
        # not self.find: that name is QWidget.find (a widget by window id)
        self._find, self.forms, self.t = find, forms, t
        self.runner = TaskRunner("counter-applications", self)
        self.application: FiledApplication | None = None
        self._ticket: tuple[str, str | None] | None = None  # (ticket id, application id) on screen
        self._identity = "none"  # the ticket's identity status: the clerk checks it at the counter (issue 16)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(8)
        self.title = label("", "sectionTitle")
        self.header = label("", "caption")
        self.header.setAccessibleName("applicationHeader")
        self.state = label("", "note")
        host = QWidget()
        self.rows = QGridLayout(host)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setVerticalSpacing(2)
        self.rows.setColumnStretch(0, 1)
        self.rows.setHorizontalSpacing(14)
        self.answers_area = scroll = QScrollArea()
        scroll.setObjectName("applicationRows")
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.title, self.header, self.state):
            box.addWidget(widget)
        box.addWidget(scroll, 1)
        self.row_labels: list[tuple[Any, Any]] = []
        self.hide()

    def show_ticket(self, ticket: Ticket | None) -> None:
        """Show the application filed with ``ticket``; hidden (no lookup) when it carries none."""
        key = (ticket.id, ticket.application_id) if ticket is not None else None
        if key == self._ticket:
            return
        self._ticket = key
        self._identity = ticket.identity_status if ticket is not None else "none"
        if key is None or key[1] is None:
            self._fill(None)
            if ticket is not None:
                self._no_form_without_nik(ticket)
            return
        self._look_up(key)

    def _no_form_without_nik(self, ticket: Ticket) -> None:
        """A service with a form, taken without a NIK: no form came from the kiosk (MPP Digital's needs the
        NIK), so the clerk fills it in with the citizen, after checking the identity."""
        if ticket.identity_status not in ("no_nik", "travel_document") or self.forms is None \
                or self.forms.form_for(ticket.service_code) is None:
            return
        self.title.setText(self.t("without_nik.application.title"))
        self.header.setText(self.t(f"without_nik.application.{ticket.identity_status}"))
        self.state.setText("")
        self.answers_area.hide()
        self.show()

    def on_queue_event(self, event: QueueEvent) -> None:
        """Read again when the application on screen changed at the queue (a newer sync state)."""
        if event.type is EventType.APPLICATION_UPDATED and self._ticket is not None \
                and self._ticket[0] == event.ticket.id:
            self._look_up(self._ticket)

    def _look_up(self, key: tuple[str, str | None]) -> None:
        find, forms, lang = self._find, self.forms, self.t.lang

        def job() -> FiledApplication | None:
            view = find(key[0])
            if view is None:
                return None
            form = forms.form_for(view.service_code) if forms is not None else None
            return describe_application(view, form, lang)

        def failed(exc: BaseException) -> None:
            log.warning("application of ticket %s unreadable: %s", key[0], exc)  # the error, never the answers
            if self._ticket == key:
                self._ticket = None  # the console's next refresh (any queue change) tries again
                self._fill(None)
                self.title.setText(self.t("application.counter.title"))
                self.header.setText(self.t("application.counter.unavailable"))
                self.state.setText("")
                self.show()

        self.runner.run(job, on_done=lambda app: self._fill(app) if self._ticket == key else None, on_error=failed)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        if self._ticket is not None and self._ticket[1] is not None:
            self._look_up(self._ticket)

    def _fill(self, application: FiledApplication | None) -> None:
        t = self.t
        self.application = application
        while self.rows.count():
            taken = self.rows.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()  # gone from the screen now, deleted on the next loop
                widget.deleteLater()
        self.row_labels = []
        for row in range(self.rows.rowCount()):
            self.rows.setRowStretch(row, 0)
        self.setVisible(application is not None)
        self.answers_area.show()
        if application is not None:
            self.title.setText(t("application.counter.title"))
            self.header.setText(t("application.counter.number", number=application.number,
                                  nik=application.nik_masked))
            state = t("application.counter.state", state=t(f"application.state.{application.state}")
                      if t.has(f"application.state.{application.state}") else application.state)
            if application.details_deleted:  # the kiosk's retention removed the answers already
                state += "\n" + t("application.counter.details_deleted")
            if identity_checked_at_counter(self._identity):
                state += "\n" + t("without_nik.application.checked")
            self.state.setText(state)
            rows = list(application.rows)
            if application.documents:
                rows.append((t("application.counter.documents"), ""))
                rows += [(f"  {name}", t("application.counter.photos", count=count))
                         for name, count in application.documents]
            documents = len(rows) - len(application.documents)  # from here: one short line each
            for i, (name, value) in enumerate(rows):
                key, shown = label(name, "note"), label(breakable(value), "")
                shown.setContentsMargins(0, 0, 0, 10)  # a gap before the next question
                if i >= documents or not value:  # a document's photo count beside its name
                    self.rows.addWidget(key, 2 * i, 0, 1, 1 if value else 2)
                    self.rows.addWidget(shown, 2 * i, 1)
                else:
                    self.rows.addWidget(key, 2 * i, 0, 1, 2)
                    self.rows.addWidget(shown, 2 * i + 1, 0, 1, 2)
                self.row_labels.append((key, shown))
            self.rows.setRowStretch(2 * len(rows), 1)  # answers at the top, the room below
        self.shown.emit(application)

    def row_texts(self) -> list[tuple[str, str]]:
        return [(k.text(), v.text().replace(BREAK, "")) for k, v in self.row_labels]

    def shutdown(self) -> None:
        self.runner.stop()
