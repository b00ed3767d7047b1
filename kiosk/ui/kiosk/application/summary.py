"""The summary before sending: every answer and how many photos, one big button to send."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QWidget

from kiosk.catalog.forms import Field, Form, FormSet, asked, asked_form, display_value
from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.widgets import clear_layout
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Step


class SummaryScreen(Screen):
    """Every answer and how many photos, with one big button to send, and room for "see staff"."""

    step = Step.SUMMARY
    confirm = Signal()
    edit_answers = Signal()
    edit_photos = Signal()

    def __init__(self, forms: FormSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = forms
        self.session: CitizenSession | None = None
        self.form: Form | None = None
        self.title = label("", "title")
        frame, box = card()
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(20)
        self.rows.setVerticalSpacing(8)
        box.addLayout(self.rows)
        self.documents = label("", "body")
        self.documents.setAccessibleName("summaryDocuments")
        box.addWidget(self.documents)
        box.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(frame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.edit_button = button("", "small", self.edit_answers.emit, name="editAnswers")
        self.photos_button = button("", "small", self.edit_photos.emit, name="editPhotos")
        edits = QHBoxLayout()
        edits.setSpacing(16)
        edits.addWidget(self.edit_button)
        edits.addWidget(self.photos_button)
        self.error = label("", "errorBanner")
        self.error.setAccessibleName("summaryError")
        self.error.hide()
        self.status = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.confirm_button = button("", "hero", self._confirm, name="sendApplication")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.scroll_area, 1)
        for row in (edits, self.error, self.status, self.confirm_button):  # low, within reach (issue 16)
            if isinstance(row, QHBoxLayout):
                self.action_row.addLayout(row)
            else:
                self.action_row.addWidget(row)
        self._error: tuple[str, dict[str, object]] | None = None
        self.row_labels: list[tuple[QLabel, QLabel]] = []

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self.form = self.forms.form_for(session.service.code) if session.service else None
        self.set_busy(False)
        self.show_error(None)
        self._fill()

    def reset(self) -> None:
        self.session = self.form = None
        self._clear_rows()
        self.documents.setText("")
        self.show_error(None)

    def set_busy(self, busy: bool) -> None:
        ready = (self.form is not None and self.session is not None and self.session.application is not None
                 and self.session.application.ready(self.form))
        self.confirm_button.setEnabled(not busy and ready)
        self.edit_button.setEnabled(not busy)
        self.photos_button.setEnabled(not busy)
        self.status.setText(self.t("application.summary.busy") if busy
                            else "" if ready or self.form is None else self.t("application.summary.incomplete"))

    def show_error(self, key: str | None, **params: object) -> None:
        self._error = (key, params) if key else None
        self.error.setVisible(key is not None)
        self.error.setText(self.t(key, **params) if key else "")
        self.confirm_button.setText(self.t("application.summary.retry" if key else "application.summary.confirm"))

    def _confirm(self) -> None:
        self.set_busy(True)
        self.confirm.emit()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("application.summary.title"))
        self.edit_button.setText(t("application.summary.edit"))
        self.photos_button.setText(t("application.summary.edit_photos"))
        if self._error is not None:
            self.show_error(self._error[0], **self._error[1])
        else:
            self.show_error(None)
        self._fill()

    def _clear_rows(self) -> None:
        clear_layout(self.rows)
        self.row_labels = []

    def _fill(self) -> None:
        session, form, t = self.session, self.form, self.t
        if session is None or form is None or session.application is None or session.service is None:
            return
        self._clear_rows()
        draft = session.application
        rows = [(t("application.summary.service"), session.service.name.get(t.lang))]
        if session.nik is not None:
            rows.append((t("application.summary.nik"), session.nik.masked))
        for item in asked_form(form, draft.values).fields:
            if item.is_group:  # one row per answer of each person: "Saksi 1: NIK saksi"
                for index, person in enumerate(draft.groups.get(item.id, [])):
                    for sub in item.items:
                        if asked(sub, draft.values):
                            rows.append((f"{item.item_name(index + 1, t.lang)}: {sub.label.get(t.lang)}",
                                         self._shown(sub, person.get(sub.id, ""))))
                continue
            rows.append((item.label.get(t.lang), self._shown(item, draft.values.get(item.id, ""))))
        for i, (name, value) in enumerate(rows):
            key = label(name, "note")
            shown = label(value, "body")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            self.rows.addWidget(key, i, 0)
            self.rows.addWidget(shown, i, 1)
            self.row_labels.append((key, shown))
        self.rows.setColumnStretch(0, 2)
        self.rows.setColumnStretch(1, 3)
        lines = [t("application.summary.documents")]
        for doc in asked_form(form, draft.values).documents:
            have = draft.photo_count(doc.kind)
            lines.append(("✓ " + t("application.summary.document_row", document=doc.label.get(t.lang), count=have))
                         if have else ("• " + t("application.summary.document_none", document=doc.label.get(t.lang))))
        self.documents.setText("\n".join(lines))
        self.documents.setVisible(bool(form.documents))
        self.photos_button.setVisible(bool(form.documents))
        self.set_busy(False)

    def _shown(self, item: Field, value: str) -> str:
        return display_value(item, value, self.t.lang) if value else self.t("application.summary.empty")

    def row_texts(self) -> list[tuple[str, str]]:
        return [(k.text(), v.text()) for k, v in self.row_labels]

    def spoken_text(self) -> str:
        said = ". ".join(f"{k}: {v}" for k, v in self.row_texts())
        return f"{self.title.text()}. {said}. {self.t('application.summary.spoken')}"
