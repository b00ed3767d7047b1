"""The kiosk's two bars: the header above (where and when: the MPP, the step, the clock; nothing to touch)
and the bottom bar (Back, Cancel, help, read aloud, text size, language), within a seated person's reach.

Issue 16, item 3: on a 32" portrait kiosk with its lower edge 750 mm above the floor, the old top
bar put Back and Cancel at about 1.4 m, out of reach from a wheelchair (the limit is 1.2 m, ADA 308).
Everything a citizen touches now sits in the lower part of the screen; tests/gui/test_reach.py
computes each target's height above the floor from ``[kiosk] screen_lower_edge_mm`` and
``screen_height_mm``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.qt.icons import CONTROLS, decorate
from kiosk.ui.qt.widgets import FlowRows, button, label


class Header(QFrame):
    """Top of every kiosk screen: the building's name, where the citizen is in the walk, the time."""

    def __init__(self, tz: tzinfo, site_name: str = "", parent: QWidget | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``tz``: the building's time zone ([site] timezone), as on the tickets and the board; the
        kiosk PC's own clock may be set to another."""
        super().__init__(parent)
        self.setObjectName("header")
        self.tz, self.now = tz, now
        self.grid = grid = QGridLayout(self)
        grid.setContentsMargins(20, 10, 20, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.site = label(site_name, "siteName")
        self.site.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clock = label("", "clock", wrap=False)
        self.step = label("", "stepLabel", align=Qt.AlignmentFlag.AlignCenter)  # two lines in large text
        self.step.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.site, 0, 0)
        grid.addWidget(self.clock, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.step, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)
        self._tick()

    def _tick(self) -> None:
        self.clock.setText(f"{self.now().astimezone(self.tz):%H:%M}")

    def stop(self) -> None:
        self._timer.stop()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        top = self.window()
        self.set_wide(top.width() > top.height() * 1.2)

    def set_wide(self, wide: bool) -> None:
        """Landscape: the step between the name and the clock, one row; portrait: under them."""
        self.grid.removeWidget(self.step)
        if wide:
            self.grid.addWidget(self.step, 0, 1)
            self.grid.addWidget(self.clock, 0, 2, Qt.AlignmentFlag.AlignRight)
            self.grid.setColumnStretch(1, 1)
        else:
            self.grid.addWidget(self.step, 1, 0, 1, 2)
            self.grid.addWidget(self.clock, 0, 1, Qt.AlignmentFlag.AlignRight)
            self.grid.setColumnStretch(1, 0)

    def set_step(self, text: str) -> None:
        self.step.setText(text)
        self.step.setVisible(bool(text))


class BottomBar(QFrame):
    """Bottom of every kiosk screen: go back, start over, call staff, read aloud, text size, language.

    The way out (Back, help, Cancel) comes first, right under the screen's own main button, so Back
    and "Lanjut" are a hand's width apart; the citizen's settings follow. The buttons flow in that
    order onto as few rows as the width allows (two in portrait, three with large text), never
    cutting a word: every row taken here is a row the screen above has no longer within reach.
    """

    back = Signal()
    home = Signal()
    help = Signal()  # "Minta bantuan": the window connects what a help request does
    language = Signal(str)
    large_text = Signal(bool)
    speak = Signal()
    guide = Signal(bool)  # the audio guide's toggle (kiosk.ui.qt.audio_guide), shown once a guide is attached

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bottomBar")
        self.back_button = button("", "small", self.back.emit, name="backButton")
        self.help_button = button("", "small", self.help.emit, name="helpButton")
        self.home_button = button("", "small", self.home.emit, name="homeButton")
        self.speak_button = button("", "small", self.speak.emit, name="speakButton")
        self.guide_button = button("", "toggle", name="audioGuideButton")
        self.text_size = button("", "toggle", name="textSize")
        # One language button, the other language's (a row's width is short in portrait)
        self.lang_id = button("Indonesia", "small", lambda: self.language.emit("id"), name="langId")
        self.lang_en = button("English", "small", lambda: self.language.emit("en"), name="langEn")
        self.nav = [self.back_button, self.help_button, self.home_button]
        self.settings = [self.speak_button, self.guide_button, self.text_size, self.lang_id, self.lang_en]
        self.guide_offered = False
        self.guide_button.hide()
        for toggle in (self.text_size, self.guide_button):
            toggle.setCheckable(True)
        self.text_size.toggled.connect(self.large_text.emit)
        self.guide_button.toggled.connect(self.guide.emit)
        for widget, meaning in ((self.back_button, "back"), (self.help_button, "help"), (self.home_button, "cancel"),
                                (self.speak_button, "speak"), (self.guide_button, "guide"),
                                (self.text_size, "text_size"), (self.lang_id, "language"),
                                (self.lang_en, "language")):
            decorate(widget, CONTROLS[meaning])
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 10, 16, 10)
        self.flow = FlowRows([*self.nav, *self.settings], spacing=10, short_to_the_right=True, first_fit=True)
        box.addWidget(self.flow)

    # -- state ------------------------------------------------------------------------------------
    def set_navigation(self, can_go_back: bool, can_go_home: bool) -> None:
        self.back_button.setVisible(can_go_back)
        self.home_button.setVisible(can_go_home)

    def set_state(self, lang: str, large_text: bool, can_speak: bool, show_languages: bool = True) -> None:
        self.lang_id.setVisible(show_languages and lang != "id")
        self.lang_en.setVisible(show_languages and lang != "en")
        self.text_size.blockSignals(True)
        self.text_size.setChecked(large_text)
        self.text_size.blockSignals(False)
        self.speak_button.setVisible(can_speak)
        self.guide_button.setVisible(can_speak and self.guide_offered)
        self.flow.arrange()

    def retranslate(self, back: str, home: str, text_size: str, speak: str, help_text: str) -> None:
        self.back_button.setText(back)
        self.home_button.setText(home)
        self.text_size.setText(text_size)
        self.speak_button.setText(speak)
        self.help_button.setText(help_text)
