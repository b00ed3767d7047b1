"""The contract of a full-window step of the citizen's walk: shown for a step, filled from the session.

Here, below the roles, because the kiosk's steps and the survey (shown by the kiosk and by the
counter) both are such screens.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QBoxLayout, QVBoxLayout, QWidget

from kiosk.config.schema import KioskSection
from kiosk.i18n import Translator
from kiosk.visit.flow import CitizenSession, Step

REACH_LIMIT_MM = 1200  # a seated person's forward reach (ADA 308.2.1: 48 in; EN 301 549 §8.3.2.1)


def reach_line(window_height: int, lower_edge_mm: float, screen_height_mm: float) -> int:
    """The pixel row of a full-screen window at :data:`REACH_LIMIT_MM` above the floor, for the screen's
    mounting (``[kiosk] screen_lower_edge_mm`` and ``screen_height_mm``); 0 when all of it is in reach."""
    above = (REACH_LIMIT_MM - lower_edge_mm) * window_height / screen_height_mm  # px in reach
    return max(0, round(window_height - above))


def set_reach_line(screens: Iterable[Screen], window_height: int, kiosk: KioskSection) -> None:
    """Tell each screen of a full-screen window where the reach line is, for the configured mounting."""
    line = reach_line(window_height, kiosk.screen_lower_edge_mm, kiosk.screen_height_mm)
    for screen in screens:
        screen.set_reach(line)


class Screen(QWidget):
    """One step of the flow. Subclasses fill themselves from the session when shown."""

    step: Step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # ``layout_`` holds what the screen shows, ``action_row`` its main buttons ("Lanjut", "Ambil
        # nomor"): always at the bottom, right above the bottom bar and its Back, within a seated
        # person's reach (issue 16, item 3). A screen puts what is only read at the top of
        # ``layout_`` and a stretch above anything else to touch, so that sits low too.
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(22)
        self.layout_ = QVBoxLayout()
        self.layout_.setContentsMargins(36, 28, 36, 0)
        self.layout_.setSpacing(22)
        self.action_row = QVBoxLayout()
        self.action_row.setContentsMargins(36, 0, 36, 12)
        self.action_row.setSpacing(12)
        self.outer.addLayout(self.layout_, 1)
        self.outer.addLayout(self.action_row)
        self.t = Translator()
        self._landscape = False
        self.reach_y = 0  # the window's pixel row of the reach line: nothing to touch above it
        self.default_button: QAbstractButton | None = None  # what Enter on a USB keyboard presses, when enabled

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the screen's default button (a staff member or a visitor with a USB keyboard)."""
        button = self.default_button
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and button is not None and button.isEnabled():
            button.click()
        else:
            super().keyPressEvent(event)

    def set_reach(self, y: int) -> None:
        """From the window: where, in its rows, the reach line is (see :func:`reach_line`)."""
        self.reach_y = y

    def reach_in_screen(self) -> int:
        """The reach line in this screen's own rows (the header above it moves it)."""
        top = self.window()
        return self.reach_y - (self.mapTo(top, QPoint(0, 0)).y() if top is not self else 0)

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
