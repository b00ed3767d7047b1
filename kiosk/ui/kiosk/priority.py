"""The priority step: the groups served first by law (elderly, disability, pregnancy, small children, disaster)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from kiosk.i18n import Translator
from kiosk.queue.models import PriorityGroup
from kiosk.ui.qt.icons import PRIORITY_GROUPS, decorate
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, label
from kiosk.visit.flow import Step


class PriorityScreen(Screen):
    step = Step.PRIORITY
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.buttons: dict[PriorityGroup, QPushButton] = {}
        self.grid = QGridLayout()
        self.grid.setSpacing(18)
        for group in PriorityGroup:
            self.buttons[group] = button("", "priority", partial(self.chosen.emit, group),
                                         name=f"priority_{group.value}")
            decorate(self.buttons[group], PRIORITY_GROUPS[group.value])
        self._columns = 0
        self._place_buttons(1)
        self.note = label("", "note")
        self.layout_.addWidget(self.note)
        self.layout_.addStretch(1)  # the groups low, within reach; what is read above
        self.action_row.addLayout(self.grid)

    def _place_buttons(self, columns: int) -> None:
        """One column in portrait, two in landscape (five tall buttons do not fit 1080 px high)."""
        if columns == self._columns:
            return
        self._columns = columns
        for i, widget in enumerate(self.buttons.values()):
            self.grid.addWidget(widget, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_buttons(2 if self.landscape else 1)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("priority.title"))
        self.subtitle.setText(t("priority.subtitle"))
        self.note.setText(t("priority.note"))
        for group, widget in self.buttons.items():
            widget.setText(t(f"priority.group.{group.value}"))

    def spoken_text(self) -> str:
        groups = ", ".join(self.t(f"priority.group.{g.value}") for g in PriorityGroup)
        return f"{self.t('priority.title')}. {self.t('priority.subtitle')} {groups}."
