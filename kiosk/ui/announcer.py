"""The lobby's voice: chime, then "Nomor antrian A dua belas, silakan menuju loket tiga", twice.

Calls queue up and are said one after another, never cutting each other off. Without a voice
for the language the chime still sounds (the board flashes for deaf visitors anyway); without
audio at all the announcer stays silent. Nothing here may ever stop the board.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from kiosk.announce import announcement
from kiosk.paths import assets_dir
from kiosk.ui.speech import Speaker

log = logging.getLogger(__name__)

CHIME_MS = 1200          # the chime plays about 0.9 s
SECONDS_PER_WORD = 0.5   # fallback when the engine does not say when it is done
REPEATS = 2


def chime_player() -> Callable[[], None]:
    """Play assets/chime.wav through Qt Multimedia, or do nothing when there is no audio."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError as exc:
        log.warning("no Qt Multimedia (%s): announcements without chime", exc)
        return lambda: None
    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(assets_dir() / "chime.wav")))
    effect.setVolume(0.8)

    def play() -> None:
        try:
            effect.play()
        except Exception:
            log.exception("chime failed")

    play.effect = effect  # type: ignore[attr-defined]  # keep it alive as long as the player
    return play


class Announcer(QObject):
    """Says queued calls in order: chime, sentence, sentence."""

    announcing = Signal(str)   # each part as it starts: "chime" or the sentence
    idle = Signal()

    def __init__(self, speaker: Speaker, lang: str, chime: Callable[[], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.speaker = speaker
        self.lang = lang
        self.chime = chime if chime is not None else (lambda: None)
        self.chime_ms = CHIME_MS
        self.seconds_per_word = SECONDS_PER_WORD
        self._calls: deque[tuple[str, int]] = deque()
        self._steps: deque[str] = deque()
        self._speaking = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._next_step)
        speaker.spoken.connect(self._spoken)

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or bool(self._steps) or bool(self._calls)

    def announce(self, number: str, counter: int) -> None:
        self._calls.append((number, counter))
        log.info("announcing %s to counter %d (%d waiting)", number, counter, len(self._calls) - 1)
        if not self._timer.isActive() and not self._steps:
            self._next_call()

    def stop(self) -> None:
        self._calls.clear()
        self._steps.clear()
        self._timer.stop()
        self.speaker.stop()

    def _next_call(self) -> None:
        if not self._calls:
            self.idle.emit()
            return
        number, counter = self._calls.popleft()
        try:
            sentence = announcement(number, counter, self.lang)
        except ValueError:
            log.warning("cannot read out ticket number %r", number)
            self._next_call()
            return
        self._steps.extend(["chime", *([sentence] * REPEATS)])
        self._next_step()

    def _next_step(self) -> None:
        if not self._steps:
            self._next_call()
            return
        step = self._steps.popleft()
        self._speaking = False
        self.announcing.emit(step)
        if step == "chime":
            self.chime()
            self._timer.start(self.chime_ms)
        elif self.speaker.say(step, self.lang):
            # Wait for the engine to say it is done; the timer is only a safety net.
            self._speaking = True
            self._timer.start(int((len(step.split()) * self.seconds_per_word + 3) * 1000))
        else:
            self._timer.start(0)  # no voice: the chime and the flashing board must do

    def _spoken(self) -> None:
        if self._speaking and self._timer.isActive():
            self._speaking = False
            self._timer.start(300)  # a short pause between the two readings
