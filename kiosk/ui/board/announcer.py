"""The lobby's voice: chime, then "Nomor antrean A dua belas, silakan menuju loket tiga", twice.

Calls queue up and are said one after another, never cutting each other off. The sentence is
spoken by the text-to-speech voice when one exists for the language, else pieced together from
word clips (``kiosk/voice/clips.py``), else only the chime sounds (the board flashes for deaf
visitors anyway); without audio at all the announcer stays silent. Nothing here may ever stop the
board.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from kiosk.config.schema import Config
from kiosk.ui.qt.speech import Speaker
from kiosk.utils.paths import assets_dir
from kiosk.voice.announcements import announcement
from kiosk.voice.clips import ClipLibrary, ClipsUnavailable, library_for

log = logging.getLogger(__name__)

CHIME_MS = 1200          # the chime plays about 0.9 s
SECONDS_PER_WORD = 0.5   # fallback when the engine does not say when it is done
REPEATS = 2


def wav_player() -> Callable[[Path], None] | None:
    """Something that plays a WAV file through Qt Multimedia; None when there is no audio."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError as exc:
        log.warning("no Qt Multimedia (%s): announcements without chime or clips", exc)
        return None
    effect = QSoundEffect()
    effect.setVolume(0.8)

    def play(path: Path) -> None:
        try:
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.play()  # plays once loaded when the file is new
        except Exception:
            log.exception("playing %s failed", path.name)

    play.effect = effect  # type: ignore[attr-defined]  # keep it alive as long as the player
    return play


class Announcer(QObject):
    """Says queued calls in order: chime, sentence, sentence."""

    announcing = Signal(str)   # each part as it starts: "chime" or the sentence
    idle = Signal()

    def __init__(self, speaker: Speaker, lang: str, chime: Callable[[], None] | None = None,
                 parent: QObject | None = None, *, clips: ClipLibrary | None = None,
                 play_wav: Callable[[Path], None] | None = None) -> None:
        super().__init__(parent)
        self.speaker = speaker
        self.lang = lang
        self.chime = chime if chime is not None else (lambda: None)
        self.clips = clips if play_wav is not None else None
        self.play_wav = play_wav
        self._clip_dir = Path(tempfile.gettempdir()) / "mpp-kiosk-voice"
        self._clip_files = itertools.cycle(("call-a.wav", "call-b.wav"))  # never overwrite the one playing
        self._rendered: tuple[str, Path, float] | None = None
        self.chime_ms = CHIME_MS
        self.seconds_per_word = SECONDS_PER_WORD
        self.clip_time_scale = 1.0  # tests shorten the wait for a clip to finish playing
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
        elif (seconds := self._play_clips(step)) is not None:
            self._timer.start(int((seconds + 0.4) * 1000 * self.clip_time_scale))
        else:
            self._timer.start(0)  # no voice: the chime and the flashing board must do

    def _play_clips(self, sentence: str) -> float | None:
        """Say ``sentence`` from word clips; its length in seconds, or None when that cannot be done."""
        if self.clips is None or self.play_wav is None:
            return None
        if self._rendered is None or self._rendered[0] != sentence:
            path = self._clip_dir / next(self._clip_files)
            try:
                seconds = self.clips.render(sentence, path)
            except (ClipsUnavailable, OSError) as exc:
                log.warning("announcement clips unavailable: %s", exc)
                self.clips = None  # chime only from now on; the log says why once
                return None
            self._rendered = (sentence, path, seconds)
        _, path, seconds = self._rendered
        self.play_wav(path)
        return seconds

    def _spoken(self) -> None:
        if self._speaking and self._timer.isActive():
            self._speaking = False
            self._timer.start(300)  # a short pause between the two readings


def make_announcer(config: Config, speaker: Speaker) -> Announcer:
    """The display's announcer as configured: voice, else word clips, else chime; all off with speech = off."""
    if config.kiosk.speech != "auto":
        return Announcer(speaker, config.device.language)
    player = wav_player()
    configured = config.display.voice_clips_dir
    folder = Path(configured).expanduser() if configured else assets_dir() / "voice"
    clips = library_for(config.device.language, folder)
    if clips is None:
        log.warning("no complete set of announcement clips for %s in %s: without a voice only the chime sounds",
                    config.device.language, folder)
    chime = (lambda: player(assets_dir() / "chime.wav")) if player is not None else None
    return Announcer(speaker, config.device.language, chime, clips=clips, play_wav=player)
