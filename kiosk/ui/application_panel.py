"""The counter's view of the application a citizen filed at the kiosk, beside the ticket in hand.

Read-only: the clerk checks the answers and the photographed documents against the originals and
serves the citizen without retyping anything. The lookup (``find(ticket_number, day)``, e.g.
:func:`kiosk.applications.application_for_ticket` on this machine's store) runs on the panel's own
background thread; the panel stays hidden when the ticket has no application.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.applications import FiledApplication, describe_application
from kiosk.forms import FormSet
from kiosk.i18n import Translator
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.widgets import label

log = logging.getLogger(__name__)

ApplicationFinder = Callable[[str, str], "Mapping[str, Any] | None"]


class ApplicationPanel(QFrame):
    """Answers, document counts and sync state of the current ticket's application."""

    shown = Signal(object)  # FiledApplication | None, once the lookup answered

    def __init__(self, find: ApplicationFinder, forms: FormSet | None, t: Translator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("current")
        self.find, self.forms, self.t = find, forms, t
        self.runner = TaskRunner("counter-applications", self)
        self.application: FiledApplication | None = None
        self._ticket: tuple[str, str] | None = None
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
        self.rows.setHorizontalSpacing(14)
        self.rows.setVerticalSpacing(4)
        self.rows.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.title, self.header, self.state):
            box.addWidget(widget)
        box.addWidget(scroll, 1)
        self.row_labels: list[tuple[Any, Any]] = []
        self.hide()

    def show_ticket(self, number: str | None, day: str | None) -> None:
        """Look up the application of ``number`` (that ``day``); hide when there is none."""
        key = (number, day) if number and day else None
        if key == self._ticket:
            return
        self._ticket = key
        if key is None:
            self._fill(None)
            return
        find, forms, lang = self.find, self.forms, self.t.lang

        def job() -> FiledApplication | None:
            body = find(*key)
            if body is None:
                return None
            form = forms.form_for(str(body.get("service_code", ""))) if forms is not None else None
            return describe_application(body, form, lang)

        def failed(exc: BaseException) -> None:
            log.warning("application of ticket %s unreadable: %s", key[0], exc)
            if self._ticket == key:
                self._fill(None)
                self.title.setText(self.t("application.counter.title"))
                self.header.setText(self.t("application.counter.unavailable"))
                self.show()

        self.runner.run(job, on_done=lambda app: self._fill(app) if self._ticket == key else None, on_error=failed)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        if self._ticket is not None:
            ticket, self._ticket = self._ticket, None
            self.show_ticket(*ticket)

    def _fill(self, application: FiledApplication | None) -> None:
        t = self.t
        self.application = application
        while self.rows.count():
            taken = self.rows.takeAt(0)
            if taken.widget() is not None:
                taken.widget().hide()  # gone from the screen now, deleted on the next loop
                taken.widget().deleteLater()
        self.row_labels = []
        self.setVisible(application is not None)
        if application is not None:
            self.title.setText(t("application.counter.title"))
            self.header.setText(t("application.counter.number", number=application.number,
                                  nik=application.nik_masked))
            self.state.setText(t("application.counter.state", state=t(f"application.state.{application.state}")
                                 if t.has(f"application.state.{application.state}") else application.state))
            rows = list(application.rows)
            if application.documents:
                rows.append((t("application.counter.documents"), ""))
                rows += [(f"  {name}", t("application.counter.photos", count=count))
                         for name, count in application.documents]
            for i, (name, value) in enumerate(rows):
                key, shown = label(name, "note"), label(value, "")
                self.rows.addWidget(key, i, 0)
                self.rows.addWidget(shown, i, 1)
                self.row_labels.append((key, shown))
        self.shown.emit(application)

    def row_texts(self) -> list[tuple[str, str]]:
        return [(k.text(), v.text()) for k, v in self.row_labels]

    def shutdown(self) -> None:
        self.runner.stop()
