"""The staff sign-in panel: a member picks their name (and counter) and types a PIN on the keypad.

Shown by the counter console when the building keeps staff accounts
(:class:`~kiosk.staff.directory.StaffDirectory`), and by the complaint officer's console (no counter
to pick: the picker is hidden when ``counters`` is empty). The PIN check (scrypt, slow on purpose)
runs on the console's worker thread, and the signed-in member is handed over through
:attr:`SignInPanel.signed_in`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.staff.directory import LockedOut, StaffDirectory, StaffMember, WrongPin
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import NumericKeypad, button, label, restyle

log = logging.getLogger(__name__)


class SignInPanel(QWidget):
    """Name, counter and PIN; emits the member once the PIN is right. ``title_key``: the heading's text."""

    signed_in = Signal(object)  # StaffMember
    PIN_MAX = 12

    def __init__(self, staff: StaffDirectory | None, counters: Iterable[tuple[str, int]], t: Translator,
                 runner: TaskRunner, parent: QWidget | None = None, *,
                 title_key: str = "counter.login_title") -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self.staff, self.t, self.runner, self.title_key = staff, t, runner, title_key
        self.pin = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 24, 24, 24)
        row.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(14)
        self.title = label("", "sectionTitle")
        self.staff_caption = label("", "caption")
        self.staff_list = QListWidget()
        self.staff_list.setObjectName("staffList")
        for member in (staff.members if staff is not None else ()):
            item = QListWidgetItem(member.name)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setSizeHint(QSize(0, 80))  # a touch target, not a text line
            self.staff_list.addItem(item)
        self.counter_caption = label("", "caption")
        self.counter_picker = QComboBox()
        self.counter_picker.setObjectName("loginCounterPicker")
        for name, number in counters:
            self.counter_picker.addItem(name, number)
        left.addWidget(self.title)
        left.addWidget(self.staff_caption)
        left.addWidget(self.staff_list, 1)
        left.addWidget(self.counter_caption)
        left.addWidget(self.counter_picker)
        self.counter_caption.setVisible(self.counter_picker.count() > 0)
        self.counter_picker.setVisible(self.counter_picker.count() > 0)

        right = QVBoxLayout()
        right.setSpacing(14)
        self.pin_caption = label("", "caption")
        self.pin_display = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.pin_keypad = NumericKeypad(equal_columns=True)
        self.pin_keypad.setObjectName("pinKeypad")
        self.pin_keypad.digit.connect(self._pin_digit)
        self.pin_keypad.backspace.connect(lambda: self._set_pin(self.pin[:-1]))
        self.pin_keypad.clear.connect(lambda: self._set_pin(""))
        self.sign_in_button = button("", "primary", self._sign_in, name="signInButton")
        self.message = label("", "message")
        for widget in (self.pin_caption, self.pin_display, self.pin_keypad, self.sign_in_button, self.message):
            right.addWidget(widget)
        right.addStretch(1)
        row.addLayout(left, 1)
        row.addLayout(right, 1)
        self._set_pin("")

    def _set_pin(self, pin: str) -> None:
        self.pin = pin
        self.pin_display.setText("●" * len(pin) if pin else "—")

    def _pin_digit(self, digit: str) -> None:
        if len(self.pin) < self.PIN_MAX:
            self._set_pin(self.pin + digit)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        restyle(self.message, "error", error)

    def _sign_in(self) -> None:
        staff, item = self.staff, self.staff_list.currentItem()
        if staff is None:
            return
        if item is None or not item.isSelected():
            self.say(self.t("counter.pick_staff"), error=True)
            return
        if not self.pin:
            self.say(self.t("counter.pin_empty"), error=True)
            return
        staff_id, pin = item.data(Qt.ItemDataRole.UserRole), self.pin
        self._set_pin("")
        self.sign_in_button.setEnabled(False)
        # scrypt is slow on purpose: keep it off the GUI thread
        self.runner.run(lambda: staff.sign_in(staff_id, pin), on_done=self._passed, on_error=self._refused)

    def _passed(self, member: StaffMember) -> None:
        self.sign_in_button.setEnabled(True)
        self.say("")
        self.signed_in.emit(member)

    def _refused(self, exc: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        if isinstance(exc, WrongPin):
            self.say(self.t("counter.wrong_pin", left=exc.attempts_left), error=True)
        elif isinstance(exc, LockedOut):
            self.say(self.t("counter.locked", count=math.ceil(exc.seconds_left)), error=True)
        else:
            log.error("staff sign-in failed", exc_info=exc)
            self.say(self.t("counter.action_failed", reason=str(exc)), error=True)

    def reset(self, counter_index: int) -> None:
        """Empty for the next clerk, on the counter the console was at."""
        self._set_pin("")
        self.say("")
        self.staff_list.clearSelection()
        self.staff_list.setCurrentRow(-1)
        self.counter_picker.setCurrentIndex(counter_index)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t(self.title_key))
        self.staff_caption.setText(t("counter.login_staff"))
        self.counter_caption.setText(t("counter.login_counter"))
        self.pin_caption.setText(t("counter.login_pin"))
        self.sign_in_button.setText(t("counter.sign_in"))
        self.pin_keypad.retranslate(t("counter.keypad_clear"), t("keyboard.backspace"))
