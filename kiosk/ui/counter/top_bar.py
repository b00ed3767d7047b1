"""The line above the counter's panels: which counter this is (a picker, locked while a clerk is signed
in), the manager's performance panel, and who is signed in with their sign-out button."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy, QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.widgets import button, label


class CounterBar(QWidget):
    """Counter picker, performance button, clerk's name and sign-out (the last two only with accounts)."""

    def __init__(self, counters: Iterable[tuple[str, int]], with_accounts: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        self.title = label("", "sectionTitle", wrap=False)
        self.counter_picker = QComboBox()
        self.counter_picker.setObjectName("counterPicker")
        for name, number in counters:
            self.counter_picker.addItem(name, number)
        self.performance_button = button("", "", name="performanceButton")
        self.staff_label = label("", "note", wrap=False)
        self.sign_out_button = button("", "", name="signOutButton")
        for widget in (self.performance_button, self.sign_out_button):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        top.addWidget(self.title)
        top.addWidget(self.counter_picker, 1)
        top.addWidget(self.performance_button)
        top.addWidget(self.staff_label)
        top.addWidget(self.sign_out_button)
        self.staff_label.setVisible(with_accounts)
        self.sign_out_button.setVisible(with_accounts)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("counter.title"))
        self.sign_out_button.setText(t("counter.sign_out"))
        self.performance_button.setText(t("report.screen.open_button"))
