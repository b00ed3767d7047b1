"""A booking code typed on the touchscreen: one key per character of the code's alphabet, shown in groups.

The parts of :class:`BookingCodeInput` (the six groups of four as printed on the booking, the keys, ⌫ and
"Kosongkan") are laid out by :class:`kiosk.ui.kiosk.booking.BookingCheckInScreen`. The keys are those of
the code (:data:`kiosk.visit.booking_checkin.KEYS`: digits, then the letters without I, L, O, U), in
alphabetical order, as in the keypad of :mod:`kiosk.ui.qt.ticket_number`: a visitor who does not type on
keyboards finds a letter faster in ABC order than on QWERTY. Object names: ``code<c>`` (a key),
``codeBackspace``, ``codeClear``, ``codeGroup`` (style) with accessible names ``codeGroup1``..``6``.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from kiosk.booking.code import CODE_LENGTH
from kiosk.ui.qt.widgets import button, label, restyle
from kiosk.visit.booking_checkin import GROUP, KEYS, grouped

COLUMNS = 10  # digits on the first row, the letters in two rows of ten, Y and Z beside ⌫ and "Kosongkan"
TYPED_ON_KEYBOARD = {"I": "1", "L": "1", "O": "0"}  # a USB keyboard's letters read as the code reads them


class BookingCodeInput(QObject):
    """The code's keys and its display in groups; keeps what was typed (``typed``: up to 24 characters)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.typed = ""
        self.display = QWidget()
        self.display.setObjectName("bookingCodeField")
        self.display.setAccessibleName("bookingCodeField")
        groups = QGridLayout(self.display)
        groups.setContentsMargins(0, 0, 0, 0)
        groups.setSpacing(12)
        self.groups = []
        for i in range(CODE_LENGTH // GROUP):
            group = label("", "codeGroup", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
            group.setAccessibleName(f"codeGroup{i + 1}")
            self.groups.append(group)
            groups.addWidget(group, i // 3, i % 3)
        self.keyboard = QWidget()
        self.keyboard.setObjectName("bookingKeys")
        keys = QGridLayout(self.keyboard)
        keys.setContentsMargins(0, 0, 0, 0)
        keys.setSpacing(10)
        self.keys: dict[str, QPushButton] = {}
        for i, char in enumerate(KEYS):
            key = button(char, "key", partial(self.type, char), name=f"code{char}")
            self.keys[char] = key
            keys.addWidget(key, i // COLUMNS, i % COLUMNS)
        last_row, used = divmod(len(KEYS), COLUMNS)
        rest = COLUMNS - used
        self.backspace_button = button("⌫", "keyText", self.backspace, name="codeBackspace")
        self.clear_button = button("", "keyText", self.clear, name="codeClear")
        keys.addWidget(self.backspace_button, last_row, used, 1, rest - rest // 2)
        keys.addWidget(self.clear_button, last_row, used + rest - rest // 2, 1, rest // 2)
        for column in range(COLUMNS):
            keys.setColumnStretch(column, 1)
        self._show()

    @property
    def complete(self) -> bool:
        return len(self.typed) == CODE_LENGTH

    def retranslate(self, backspace: str, clear: str) -> None:
        self.backspace_button.setText("⌫ " + backspace)
        self.clear_button.setText(clear)

    def type(self, char: str) -> None:
        """One more character (from a key, or a USB keyboard: I and L read as 1, O as 0, others ignored)."""
        char = TYPED_ON_KEYBOARD.get(char.upper(), char.upper())
        if char not in KEYS or len(char) != 1 or self.complete:
            return
        self.set_code(self.typed + char)

    def backspace(self) -> None:
        self.set_code(self.typed[:-1])

    def clear(self) -> None:
        self.set_code("")

    def set_code(self, code: str) -> None:
        """Show (and keep) ``code`` (canonical characters, at most 24) and tell the screen."""
        self.show_code(code)
        self.changed.emit()

    def show_code(self, code: str) -> None:
        """Show ``code`` without telling anyone (a reset, or the code read from a QR)."""
        self.typed = code[:CODE_LENGTH]
        self._show()

    def set_compact(self, compact: bool) -> None:
        """Landscape: the keyboard's smaller keys (as the form's letters), so the code, the keys and "Lanjut"
        fit the height; portrait has the room for the keypad's large keys."""
        variant = "letter" if compact else "key"
        if self.keys["0"].property("variant") != variant:
            for key in self.keys.values():
                restyle(key, "variant", variant)
            for key in (self.backspace_button, self.clear_button):
                restyle(key, "variant", "letter" if compact else "keyText")

    def set_enabled(self, enabled: bool) -> None:
        """Keys off while the code is checked: the answer is about the code on screen."""
        self.keyboard.setEnabled(enabled)

    def spoken(self) -> str:
        """The typed code read one character at a time, group by group."""
        return ", ".join(" ".join(g.replace("_", "")) for g in grouped(self.typed) if g.strip("_"))

    def _show(self) -> None:
        current = len(self.typed) // GROUP  # the group the next character goes into
        for i, (group, text) in enumerate(zip(self.groups, grouped(self.typed), strict=True)):
            group.setText(text)
            restyle(group, "state", "current" if i == current else ("full" if i < current else ""))
        self.backspace_button.setEnabled(bool(self.typed))
        self.clear_button.setEnabled(bool(self.typed))
