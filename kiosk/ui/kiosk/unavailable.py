"""The page shown instead of the citizen's walk when the kiosk cannot work (no service catalog)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import label
from kiosk.visit.flow import Step


class UnavailableScreen(Screen):
    """Shown instead of the flow when the kiosk cannot work (no service catalog)."""

    step = Step.WELCOME

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.layout_.addStretch(2)

    def retranslate(self, t: Translator) -> None:
        """Both languages at once: nobody can switch language on a kiosk that does not work."""
        super().retranslate(t)
        other = Translator("en" if t.lang == "id" else "id")
        self.title.setText(f"{t('unavailable.title')}\n{other('unavailable.title')}")
        self.body.setText(f"{t('unavailable.body')}\n\n{other('unavailable.body')}")

    def spoken_text(self) -> str:
        return f"{self.title.text()}. {self.body.text()}"
