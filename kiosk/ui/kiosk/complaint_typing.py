"""The pages of "Sampaikan pengaduan" typed on the kiosk's own keys: the complaint's text and the contact.

The keys are the application form's (:class:`~kiosk.ui.kiosk.application.form.FormKeyboard`: letters,
digits and a few signs) and the phone keypad; both side by side with the words in landscape.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QFontInfo, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.form import FormKeyboard
from kiosk.ui.kiosk.complaint_pages import Page
from kiosk.ui.qt.icons import COMPLAINTS, decorate
from kiosk.ui.qt.theme import DANGER, PLACEHOLDER, PRIMARY
from kiosk.ui.qt.widgets import FlowRows, NumericKeypad, button, label, restyle


def capitalised(text: str, typed: str) -> str:
    """The keyboard types small letters: a sentence's first letter is made a capital."""
    start = not text.strip() or text.rstrip(" ").endswith((".", "?", "!", "\n"))
    return typed.upper() if start and typed.isalpha() else typed


class TextPage(Page):
    """The complaint in the citizen's words, on our keyboard, with a count against the stated limit."""

    side_by_side = True
    gap_stretch = 0

    changed = Signal(str)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.t = Translator()
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("complaintText")
        self.edit.setTabChangesFocus(True)
        self.edit.setStyleSheet(f"QPlainTextEdit {{ border: 4px solid {PRIMARY}; border-radius: 14px; padding: 8px; "
                                f"placeholder-text-color: {PLACEHOLDER}; }} "
                                f"QPlainTextEdit[state=\"error\"] {{ border-color: {DANGER}; }}")
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.edit.setMinimumHeight(140)
        self.edit.textChanged.connect(lambda: self.changed.emit(self.edit.toPlainText()))
        self.count = label("", "note")
        self.count.setAccessibleName("complaintCount")
        self.message = label("", "fieldError")
        self.message.setAccessibleName("complaintTextMessage")
        self.message.hide()
        self.top.addWidget(self.edit, 1)
        self.top.addWidget(self.count)
        self.top.addWidget(self.message)
        self.box.setStretch(0, 1)  # the text box takes the room left above the keyboard
        self.keyboard = FormKeyboard()
        self.keyboard.show_signs_for("text")
        self.keyboard.typed.connect(self.type)
        self.keyboard.backspace.connect(self.backspace)
        self.bottom.addWidget(self.keyboard)

    @property
    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        if text != self.edit.toPlainText():
            self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)

    def type(self, typed: str) -> None:
        text = self.text
        if typed == " " and (not text or text.endswith(" ")):
            return  # one space at a time, none first
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self.edit.insertPlainText(capitalised(text, typed))
        self.edit.ensureCursorVisible()

    def backspace(self) -> None:
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self.edit.textCursor().deletePreviousChar()

    def show_count(self, length: int) -> None:
        self.count.setText(self.t("complaint_filing.text.count", count=length, limit=self.limit))
        over = length > self.limit
        self.count.setObjectName("fieldError" if over else "note")
        restyle(self.count, "over", over)

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        restyle(self.edit, "state", "error" if text else "")

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("complaint_filing.text.title"))
        self.hint.setText(t("complaint_filing.text.hint", limit=self.limit))
        self.edit.setPlaceholderText(t("complaint_filing.text.placeholder"))
        self.keyboard.retranslate(t)

    def spoken_text(self) -> str:
        return " ".join(t for t in (super().spoken_text(), self.count.text(), self.message.text()) if t)


CONTACT_WAYS = ("phone", "email", "anonymous")


class ContactPage(Page):
    """Phone, e-mail or anonymous, with why it is asked; the number or address on the right keys."""

    side_by_side = True

    way_chosen = Signal(str)
    changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.t = Translator()
        self.way = ""
        self.field = QLineEdit()
        self.field.setObjectName("complaintContact")
        self.field.setMaxLength(254)
        self.field.textEdited.connect(self.changed.emit)
        self.note = label("", "body")
        self.note.setAccessibleName("complaintAnonymousNote")
        self.message = label("", "fieldError")
        self.message.setAccessibleName("complaintContactMessage")
        self.message.hide()
        for widget in (self.field, self.note, self.message):
            self.top.addWidget(widget)
        self.top.addStretch(1)  # landscape: the words packed at the top of their column
        self.ways: dict[str, QPushButton] = {}
        for way in CONTACT_WAYS:
            # "choice": a chosen toggle's look, a lower and narrower button (the keys need the height)
            choice = button("", "choice", partial(self.way_chosen.emit, way), name=f"complaintWay_{way}")
            choice.setCheckable(True)
            decorate(choice, COMPLAINTS[way])
            self.ways[way] = choice
        self.way_rows = FlowRows(list(self.ways.values()))  # on two rows when large text needs it
        self.bottom.addWidget(self.way_rows)
        self.inputs = QStackedWidget()
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self._type)
        self.keypad.backspace.connect(lambda: self._set(self.field.text()[:-1]))
        self.keypad.clear.connect(lambda: self._set(""))
        self.keyboard = FormKeyboard()
        self.keyboard.show_signs_for("email")
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(lambda: self._set(self.field.text()[:-1]))
        self.nothing = QWidget()
        for keys in (self.nothing, self.keypad, self.keyboard):
            self.inputs.addWidget(keys)
        self.bottom.addWidget(self.inputs)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit_field)

    def _type(self, typed: str) -> None:
        self._set(self.field.text() + typed)

    def _set(self, value: str) -> None:
        self.field.setText(value)
        self.fit_field()
        self.changed.emit(value)

    def fit_field(self) -> None:
        """A long e-mail address in smaller type rather than cut off (the theme's size when it fits)."""
        field = self.field
        field.setStyleSheet("")
        text = field.text() or field.placeholderText()
        if not text or not field.isVisible():
            return
        option = QStyleOptionFrame()
        field.initStyleOption(option)
        room = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field).width() - 8
        needed = field.fontMetrics().horizontalAdvance(text)
        if room > 0 and needed > room:
            px = max(18, int(QFontInfo(field.font()).pixelSize() * room / needed * 0.95))
            field.setStyleSheet(f"QLineEdit {{ font-size: {px}px; letter-spacing: 0px; }}")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:  # large text on or off: the field's type again
            self._refit.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit.start()

    def show_way(self, way: str, value: str) -> None:
        """The chosen way, its field and keys; ``value`` what was typed for it."""
        self.way = way
        for name, choice in self.ways.items():
            choice.setChecked(name == way)
        self.field.setVisible(way in ("phone", "email"))
        if self.field.text() != value:
            self.field.setText(value)
        self.note.setVisible(way == "anonymous")
        self.inputs.setCurrentWidget(self.keypad if way == "phone" else self.keyboard if way == "email"
                                     else self.nothing)
        self.inputs.setVisible(way in ("phone", "email"))
        self.field.setPlaceholderText(self.t(f"complaint_filing.contact.{way}_placeholder") if way in (
            "phone", "email") else "")
        self.fit_field()

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        restyle(self.field, "state", "error" if text else "")

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("complaint_filing.contact.title"))
        self.hint.setText(t("complaint_filing.contact.why"))
        self.note.setText(t("complaint_filing.contact.anonymous_note"))
        for way, choice in self.ways.items():
            choice.setText(t(f"complaint_filing.contact.{way}"))
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self.keyboard.retranslate(t)
        self.show_way(self.way, self.field.text())

    def spoken_text(self) -> str:
        parts = [super().spoken_text(), *(b.text() for b in self.ways.values())]
        if self.note.isVisible():
            parts.append(self.note.text())
        return " ".join([*parts, self.message.text()])
