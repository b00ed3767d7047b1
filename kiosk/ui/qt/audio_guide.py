"""The audio guide (``[kiosk] audio_guide``): every new screen read aloud, and each button as it is pressed.

For a citizen who cannot read the screen, with headphones in the kiosk's jack. It only listens:
the screens' own :meth:`~kiosk.ui.qt.screen.Screen.spoken_text` (what "Bacakan" reads) and the
press of any button in the window; the flow itself does not know the guide exists. Without a voice
it says nothing and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QStackedWidget, QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.bars import BottomBar
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.speech import Speaker

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
_SYMBOLS = re.compile(r"[^\w\s.,:;!?()'/%+-]+")  # arrows, emoji: read as nothing


def button_words(widget: QAbstractButton) -> str:
    """What a button says aloud: its accessible name, else its text without symbols."""
    name = widget.accessibleName() or widget.text()
    return " ".join(_SYMBOLS.sub(" ", name.replace("&", "")).split())


class AudioGuide(QObject):
    """Reads ``stack``'s new screens and the buttons pressed inside ``root`` while turned on."""

    def __init__(self, root: QWidget, stack: QStackedWidget, speaker: Speaker, lang: Callable[[], str],
                 enabled: bool = False, *, visit: Callable[[], object] | None = None,
                 bar: BottomBar | None = None) -> None:
        """``lang``: the session's current language; ``enabled``: the configured default; ``visit``:
        the current citizen's session (a new one turns the guide back to the default); ``bar``:
        offers the citizen's toggle there."""
        super().__init__(root)
        self.root, self.stack, self.speaker, self.lang = root, stack, speaker, lang
        self.default = enabled
        self.enabled = enabled
        self._visit = visit
        self._seen = visit() if visit is not None else None
        self.bar = bar
        stack.currentChanged.connect(self._screen_changed)
        if bar is not None:
            bar.guide_offered = True
            bar.guide.connect(self.set_enabled)
            bar.language.connect(lambda _lang: QTimer.singleShot(0, self._show_toggle))
            speaker.changed.connect(self._show_toggle)
            self._show_toggle()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_enabled(self, on: bool) -> None:
        """The citizen's toggle; turning it on says so and reads the screen at once."""
        if on == self.enabled:
            return
        self.enabled = on
        self._show_toggle()
        if on:
            self.read_screen(Translator(self.lang())("voice.guide_on"))
        else:
            self.speaker.stop()

    def reset(self) -> None:
        """A new citizen: back to the configured default."""
        self.enabled = self.default
        self._show_toggle()

    def _show_toggle(self) -> None:
        if self.bar is None:
            return
        toggle = self.bar.guide_button
        toggle.blockSignals(True)
        toggle.setChecked(self.enabled)
        toggle.blockSignals(False)
        toggle.setText(Translator(self.lang())("voice.guide"))
        toggle.setVisible(self.speaker.can_speak(self.lang()))

    def read_screen(self, before: str = "") -> None:
        widget = self.stack.currentWidget()
        text = " ".join(filter(None, [before, widget.spoken_text() if isinstance(widget, Screen) else ""]))
        if self.enabled and text:
            self.speaker.say(text, self.lang())

    def _screen_changed(self, _index: int) -> None:
        if self._visit is not None and (visit := self._visit()) is not self._seen:
            self._seen = visit
            self.reset()
        # Later, not now: the window silences the voice right after switching screens.
        if self.enabled:
            QTimer.singleShot(0, self.read_screen)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (self.enabled and event.type() in _PRESSES and isinstance(watched, QAbstractButton)
                and watched.isEnabled() and self.root.isAncestorOf(watched)):
            words = button_words(watched)
            if words:
                self.speaker.say(words, self.lang())
        return False  # the press goes on to the button as usual
