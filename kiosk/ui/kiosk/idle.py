"""Forgetting a citizen who walked away: the idle question, and the countdown of the final screens.

Any touch on the kiosk window restarts the idle timer. When it runs out mid-walk, the overlay asks
"still there?" and its own countdown wipes the session; "yes" goes on where the citizen was. The
welcome screen never times out, and the final screens (ticket, receipt) have nothing left to
erase: they count down instead, then the kiosk wipes itself for the next person.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.config.schema import KioskSection
from kiosk.ui.qt.widgets import IdleOverlay
from kiosk.visit.flow import FINAL_STEPS, Step

log = logging.getLogger(__name__)

_INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
                 QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchUpdate}


class IdleWindow(Protocol):
    """What the idle watch needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    issuing: bool

    @property
    def current_step(self) -> Step: ...
    @property
    def walking(self) -> bool: ...  # a citizen's walk can be under way (the catalog is there)
    def wipe(self) -> None: ...
    def show_seconds_left(self, seconds: int) -> None: ...


class IdleWatch(QObject):
    """The idle timer, the "still there?" overlay, and the final screens' countdown of one kiosk window."""

    def __init__(self, window: IdleWindow, widget: QWidget, overlay: IdleOverlay, settings: KioskSection) -> None:
        super().__init__(widget)
        self.window, self.widget, self.overlay, self.settings = window, widget, overlay, settings
        self.seconds_left = 0
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(settings.idle_timeout_seconds * 1000)
        self.idle_timer.timeout.connect(self.question)
        self.ticket_timer = QTimer(self)
        self.ticket_timer.setInterval(1000)
        self.ticket_timer.timeout.connect(self._tick)
        overlay.expired.connect(self._expired)
        overlay.still_here.connect(self.restart)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:
        if ev.type() in _INPUT_EVENTS and not self.overlay.counting:
            if isinstance(watched, QWidget) and watched.window() is self.widget:
                self.restart()
        return False

    def restart(self) -> None:
        """Start the idle timer again (a touch, a new step); off on the welcome and the final screens."""
        step = self.window.current_step
        if self.window.walking and step != Step.WELCOME and step not in FINAL_STEPS:
            self.idle_timer.start()
        else:
            self.idle_timer.stop()

    def question(self) -> None:
        """Ask whether the citizen is still there (not while a ticket is being issued)."""
        if self.window.current_step == Step.WELCOME or self.window.issuing:
            self.restart()
            return
        log.info("kiosk idle on %s; asking whether the citizen is still there", self.window.current_step.value)
        self.overlay.start(self.settings.idle_countdown_seconds)

    def _expired(self) -> None:
        log.info("kiosk idle: wiping the session")
        self.window.wipe()

    def start_countdown(self) -> None:
        """A final screen is shown: wipe after ``ticket_screen_seconds``."""
        self.seconds_left = self.settings.ticket_screen_seconds
        self.window.show_seconds_left(self.seconds_left)
        self.ticket_timer.start()

    def extend_countdown(self) -> None:
        """Give the citizen the whole ticket time again (a failed print: time to photograph the screen)."""
        self.seconds_left = max(self.seconds_left, self.settings.ticket_screen_seconds)

    def _tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self.window.wipe()
        else:
            self.window.show_seconds_left(self.seconds_left)

    def stop(self) -> None:
        """Nothing counts down (the session is being wiped)."""
        self.overlay.cancel()
        self.ticket_timer.stop()
        self.idle_timer.stop()

    def shutdown(self) -> None:
        self.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
