""""Paspor / KITAS": a foreign visitor's document number on the on-screen keyboard, checked for form only.

The rules are the domain's (:mod:`kiosk.citizen.travel_document`): spaces and lower case are
normalised as typed, a symbol or too many characters is named under the field, nothing is lost (the
field keeps what was typed). Once accepted the number is only shown masked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.citizen.travel_document import (
    MAX_LENGTH,
    DocumentProblem,
    InvalidTravelDocument,
    check_partial,
    normalise,
    parse_travel_document,
)
from kiosk.i18n import Translator
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import LetterKeyboard, button, explain_disabled, label, restyle, with_reason
from kiosk.visit.flow import CitizenSession, Step


class TravelDocumentScreen(Screen):
    """The passport or KITAS number, typed on our keyboard (or a USB keyboard) and checked as typed."""

    step = Step.TRAVEL_DOCUMENT
    entered = Signal(object)  # a TravelDocument

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.field = QLineEdit()
        self.field.setObjectName("travelDocumentField")
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setMaxLength(MAX_LENGTH + 8)  # room to type past the limit and be told, not silently cut
        self.field.textEdited.connect(self._typed)
        self.message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("travelDocumentMessage")
        self.keyboard = LetterKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(self._backspace)
        self.next_button = button("", "primary", self._submit, name="nextButton")
        self.default_button = self.next_button  # Enter on a USB keyboard (kiosk.ui.qt.screen)
        self.next_area, self.next_reason = with_reason(self.next_button)
        self.info = QVBoxLayout()
        self.info.setSpacing(22)
        for widget in (self.title, self.subtitle, self.field, self.message):
            self.info.addWidget(widget)
        self.info.addStretch(1)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(28)
        self.body.addLayout(self.info, 1)
        self.body.addWidget(self.keyboard, 1)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.next_area)
        self._problem: DocumentProblem | None = None
        self._show_state()

    @property
    def text(self) -> str:
        return self.field.text()

    @property
    def problem(self) -> DocumentProblem | None:
        return self._problem

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.turn_with_orientation(self.body):
            self.body.setStretch(0, 2 if self.landscape else 1)
            self.body.setStretch(1, 3 if self.landscape else 1)

    def enter(self, session: CitizenSession) -> None:
        if session.travel_document is None:
            self.reset()

    def reset(self) -> None:
        self.field.setText("")  # setText clears the undo history too: the next visitor cannot undo into it
        self._problem = None
        self._show_state()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("travel_document.title"))
        self.subtitle.setText(t("travel_document.subtitle", longest=MAX_LENGTH))
        self.next_button.setText(t("travel_document.next"))
        self.keyboard.retranslate(t("keyboard.space"), t("keyboard.backspace"))
        self._show_state()

    def _type(self, key: str) -> None:
        self._set(self.field.text() + key)

    def _backspace(self) -> None:
        self._set(self.field.text()[:-1])

    def _typed(self, text: str) -> None:
        """Typed on a USB keyboard straight into the field."""
        self._set(text)

    def _set(self, text: str) -> None:
        shown = normalise(text)
        if shown != self.field.text():
            self.field.setText(shown)
        self._problem = check_partial(shown) if shown else None
        self._show_state()

    def _show_state(self) -> None:
        t, number = self.t, self.field.text()
        if self._problem is not None:
            why = t("travel_document.next_why_fix")
        elif not number:
            why = t("travel_document.next_why")
        else:
            why = ""
        explain_disabled(self.next_button, self.next_reason, why)
        if self._problem is not None:
            self.message.setObjectName("fieldError")
            self.message.setText(t(self._problem.i18n_key, longest=MAX_LENGTH))
            state = "error"
        else:
            self.message.setObjectName("note")
            self.message.setText(t("travel_document.count", typed=len(number)) if number
                                 else t("travel_document.hint"))
            state = ""
        restyle(self.message, "state", state)
        restyle(self.field, "state", state)

    def _submit(self) -> None:
        try:
            document = parse_travel_document(self.field.text())
        except InvalidTravelDocument as exc:
            self._problem = exc.problem
            self._show_state()
            return
        self.entered.emit(document)

    def spoken_text(self) -> str:
        parts = [self.title.text() + ".", self.subtitle.text()]
        if self._problem is not None:
            parts.append(self.message.text())
        return " ".join(parts)
