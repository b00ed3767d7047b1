"""The contract of a full-window step of the citizen's walk: shown for a step, filled from the session.

Here, below the roles, because the kiosk's steps and the survey (shown by the kiosk and by the
counter) both are such screens.
"""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.visit.flow import CitizenSession, Step


class Screen(QWidget):
    """One step of the flow. Subclasses fill themselves from the session when shown."""

    step: Step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(36, 28, 36, 28)
        self.layout_.setSpacing(22)
        self.t = Translator()
        self._landscape = False

    def turn_with_orientation(self, body: QBoxLayout) -> bool:
        """From ``resizeEvent``: lay ``body`` side by side when the screen is wide, stacked when tall;
        True when the orientation changed (the screen then adjusts what else depends on it)."""
        landscape = self.landscape
        if landscape == self._landscape:
            return False
        self._landscape = landscape
        body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        return True

    @property
    def landscape(self) -> bool:
        """Wide enough to put things side by side (1920×1080 kiosks) rather than stacked."""
        return self.width() > self.height() * 1.2

    def retranslate(self, t: Translator) -> None:
        self.t = t

    def back(self) -> bool:
        """One page back inside this screen (a form's previous question); False when there is none
        and the header's Back leaves the step. One Back button, so no second "previous" on a page."""
        return False

    def enter(self, session: CitizenSession) -> None:
        """Called each time the screen is shown."""

    def reset(self) -> None:
        """Forget everything the citizen entered (the kiosk is shared by strangers)."""

    def spoken_text(self) -> str:
        return ""
