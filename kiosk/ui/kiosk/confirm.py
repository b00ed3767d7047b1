"""The confirm step: what the ticket will say (service, priority, masked NIK, counters) and one button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from kiosk.catalog.services import Catalog
from kiosk.i18n import Translator
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Identity, Step


class ConfirmScreen(Screen):
    step = Step.CONFIRM
    confirm = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.session: CitizenSession | None = None
        self.title = label("", "title")
        frame, box = card()
        self.rows = label("", "body")
        box.addWidget(self.rows)
        self.status = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "errorBanner")
        self.error.hide()
        self.confirm_button = button("", "hero", self._confirm, name="confirmButton")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(frame)
        self.layout_.addStretch(1)
        for widget in (self.error, self.status, self.confirm_button):  # low, right above Back (issue 16)
            self.action_row.addWidget(widget)
        self._error_key: tuple[str, dict[str, object]] | None = None

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self.set_busy(False)
        self.show_error(None)
        self._fill()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("confirm.title"))
        self.confirm_button.setText(t("confirm.button"))
        if self._error_key is not None:
            self.error.setText(t(self._error_key[0], **self._error_key[1]))
        self._fill()

    def set_busy(self, busy: bool) -> None:
        self.confirm_button.setEnabled(not busy)
        self.status.setText(self.t("confirm.busy") if busy else "")

    def show_error(self, key: str | None, **params: object) -> None:
        """Show why the ticket could not be issued; the button stays there to try again."""
        self._error_key = (key, params) if key else None
        self.error.setVisible(key is not None)
        if key:
            self.error.setText(self.t(key, **params))
            self.confirm_button.setText(self.t("confirm.retry"))
        else:
            self.confirm_button.setText(self.t("confirm.button"))

    def _confirm(self) -> None:
        self.set_busy(True)
        self.confirm.emit()

    def _fill(self) -> None:
        session, t = self.session, self.t
        if session is None or session.service is None:
            return
        lines = [t("confirm.service", service=session.service.name.get(t.lang))]
        if session.wanted is not None:  # a NIK-only service: the ticket is for the information desk
            lines.append(t("without_nik.confirm.wanted", service=session.wanted.name.get(t.lang)))
        lines.append(t("confirm.priority", group=t(f"priority.group.{session.priority.value}"))
                     if session.priority else t("confirm.no_priority"))
        if session.nik is not None:
            lines.append(t("confirm.nik", nik=session.nik.masked))
        elif session.travel_document is not None:
            lines.append(t("without_nik.confirm.travel_document", number=session.travel_document.masked))
        elif session.identity is Identity.NO_NIK:
            lines.append(t("without_nik.confirm.no_nik"))
        lines.append(t("confirm.counters", counters=", ".join(str(c) for c in session.service.counters)))
        self.rows.setText("\n".join(lines))

    def spoken_text(self) -> str:
        return f"{self.title.text()}. {self.rows.text()}. {self.t('confirm.spoken')}"
