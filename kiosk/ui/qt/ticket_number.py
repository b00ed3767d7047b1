"""A ticket's number typed on the touchscreen: one key per letter printed on tickets, then the digits.

Shared by the survey's way in (:class:`kiosk.ui.survey.pages.EntryPage`) and "Cek status" by number
(:class:`kiosk.ui.kiosk.status_check.StatusCheckScreen`). :class:`TicketNumberInput` makes the parts
(the field showing "A - 12", the letter keys, our numeric keypad and their captions) and keeps what
was typed; each screen lays the parts out its own way. Object names stay as the tests find them:
``ticketEntry`` (accessible name of the field), ``prefix<L>`` (letter keys), ``key<d>`` (keypad).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton

from kiosk.ui.qt.widgets import NumericKeypad, button, label

MAX_DIGITS = 4  # a service issues at most 9999 tickets a day
LETTERS_PER_ROW = 7  # two rows at most: the keys to touch fit low, within reach


class TicketNumberInput(QObject):
    """The parts to type a ticket number with, and the number typed (``letter``, ``digits``).

    The keys change the number themselves and emit :attr:`changed`; :meth:`show_number` sets it
    from outside (a screen that keeps its own copy) without emitting."""

    changed = Signal()
    letter_picked = Signal(str)

    def __init__(self, letters: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.letter, self.digits = "", ""
        self.field = label("", "ticketEntry", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.field.setAccessibleName("ticketEntry")
        self.letters_caption = label("", "sectionTitle")
        self.letter_buttons: dict[str, QPushButton] = {}
        self.letter_grid = QGridLayout()
        self.letter_grid.setSpacing(10)
        for i, letter in enumerate(letters):
            key = button(letter, "letter", partial(self._pick, letter), name=f"prefix{letter}")
            key.setCheckable(True)
            self.letter_buttons[letter] = key
            self.letter_grid.addWidget(key, i // LETTERS_PER_ROW, i % LETTERS_PER_ROW)
        self.digits_caption = label("", "sectionTitle")
        self.keypad = NumericKeypad()
        keys = self.keypad.layout()
        if isinstance(keys, QGridLayout):  # "0" as wide as "Kosongkan" beside it, not squeezed between
            for column in range(keys.columnCount()):
                keys.setColumnStretch(column, 1)
        self.keypad.digit.connect(self._type)
        self.keypad.backspace.connect(lambda: self._set(self.letter, self.digits[:-1]))
        self.keypad.clear.connect(lambda: self._set("", ""))
        self.show_number("", "")

    @property
    def typed(self) -> str:
        """What was typed as printed ("A-12"; the queue writes "A-012"), or "" when nothing was."""
        return f"{self.letter}-{self.digits}" if self.letter or self.digits else ""

    @property
    def complete(self) -> bool:
        return bool(self.letter and self.digits)

    def retranslate(self, letters_caption: str, digits_caption: str, clear: str, backspace: str) -> None:
        self.letters_caption.setText(letters_caption)
        self.digits_caption.setText(digits_caption)
        self.keypad.retranslate(clear, backspace)

    def show_number(self, letter: str, digits: str) -> None:
        """Show (and keep) ``letter`` and ``digits``; emits nothing."""
        self.letter, self.digits = letter, digits[:MAX_DIGITS]
        self.field.setText(f"{letter or '_'} - {self.digits or '___'}")
        for key, widget in self.letter_buttons.items():
            widget.setChecked(key == letter)

    def clear(self) -> None:
        self.show_number("", "")

    def _pick(self, letter: str) -> None:
        self._set(letter, self.digits)
        self.letter_picked.emit(letter)

    def _type(self, digit: str) -> None:
        if len(self.digits) < MAX_DIGITS:
            self._set(self.letter, self.digits + digit)

    def _set(self, letter: str, digits: str) -> None:
        self.show_number(letter, digits)
        self.changed.emit()
