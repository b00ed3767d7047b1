"""The call-a-number panel (F8): the clerk picks a service letter and types the number on the keypad,
for a citizen called out of order (or a no-show who came back)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.models import IllegalTransition, Ticket, TicketNotFound
from kiosk.ui.counter.keypad import counter_keypad
from kiosk.ui.qt.widgets import button, label, restyle


class CallNumberPanel(QFrame):
    """Builds a number such as "A-012" from a letter and digits; emits it when the clerk presses Call."""

    go = Signal(str)
    cancelled = Signal()
    NUMBER_MAX_DIGITS = 4

    def __init__(self, t: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callPanel")
        self.t = t
        self.prefix: str | None = None
        self.digits = ""
        self.busy = False  # a clerk's action is under way: no second call
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.title = label("", "sectionTitle")
        self.hint = label("", "note")
        self.display = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.prefix_row = QHBoxLayout()
        self.prefix_row.setSpacing(12)
        self.prefix_buttons: dict[str, QPushButton] = {}
        self.go_button = button("", "primary", self._go, name="callNumberGo")
        self.cancel = button("", "", self.cancelled.emit, name="callNumberCancel")
        for widget in (self.title, self.hint, self.display):
            left.addWidget(widget)
        left.addLayout(self.prefix_row)
        left.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.go_button)
        actions.addWidget(self.cancel)
        left.addLayout(actions)
        self.keypad = counter_keypad("callKeypad")
        self.keypad.digit.connect(self._digit)
        self.keypad.backspace.connect(lambda: self._set(self.prefix, self.digits[:-1]))
        self.keypad.clear.connect(lambda: self._set(self.prefix, ""))
        row.addLayout(left, 2)
        row.addWidget(self.keypad, 3)

    @property
    def number(self) -> str:
        """The number being built, e.g. "A-012"; empty until a letter and a digit are chosen."""
        if not self.prefix or not self.digits:
            return ""
        return f"{self.prefix}-{(self.digits.lstrip('0') or '0').zfill(3)}"

    def start(self, waiting: Iterable[Ticket]) -> None:
        """Empty, with a letter per service waiting; the only letter is chosen already."""
        self._set(None, "")
        self.show_letters(waiting)
        if len(self.prefix_buttons) == 1:
            self._set(next(iter(self.prefix_buttons)), "")

    def show_letters(self, waiting: Iterable[Ticket]) -> None:
        """One button per letter of the numbers waiting for this counter."""
        prefixes = sorted({ticket.number.split("-", 1)[0] for ticket in waiting if "-" in ticket.number})
        if prefixes == list(self.prefix_buttons):
            return
        for widget in self.prefix_buttons.values():
            self.prefix_row.removeWidget(widget)
            widget.deleteLater()
        self.prefix_buttons.clear()  # the same dict: the console shows it as its prefix_buttons
        for prefix in prefixes:
            widget = button(prefix, "", partial(self._choose, prefix), name=f"prefix{prefix}")
            self.prefix_buttons[prefix] = widget
            self.prefix_row.addWidget(widget)
        if self.prefix not in self.prefix_buttons:
            self.prefix = None
        self._set(self.prefix, self.digits)

    def _choose(self, prefix: str) -> None:
        self._set(prefix, self.digits)

    def _digit(self, digit: str) -> None:
        if len(self.digits) < self.NUMBER_MAX_DIGITS:
            self._set(self.prefix, self.digits + digit)

    def _set(self, prefix: str | None, digits: str) -> None:
        self.prefix, self.digits = prefix, digits
        self.display.setText(self.number or f"{prefix or '?'}-{digits or '___'}")
        for code, widget in self.prefix_buttons.items():
            if widget.property("variant") != ("primary" if code == prefix else ""):
                restyle(widget, "variant", "primary" if code == prefix else "")
        self.set_busy(self.busy)
        self.hint.setText(self.t("counter.call_number_hint") if self.prefix_buttons
                          else self.t("counter.no_prefixes"))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.go_button.setEnabled(bool(self.number) and not busy)

    def _go(self) -> None:
        if self.number:
            self.set_busy(True)
            self.go.emit(self.number)

    def failure(self, number: str, exc: BaseException) -> str | None:
        """What to tell the clerk when ``number`` could not be called; None for errors that are not about it."""
        if isinstance(exc, TicketNotFound):
            return self.t("counter.not_found", number=number)
        if isinstance(exc, IllegalTransition):
            return self.t("counter.not_waiting", number=exc.ticket.number,
                          state=self.t(f"counter.state.{exc.current_state.value}"))
        return None

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("counter.call_number_title"))
        self.go_button.setText(t("counter.call_go"))
        self.cancel.setText(t("counter.cancel"))
        self.keypad.retranslate(t("counter.keypad_clear"), t("keyboard.backspace"))
        self._set(self.prefix, self.digits)
