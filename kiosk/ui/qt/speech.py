"""Reading texts aloud: speech-dispatcher, else espeak-ng directly, else recorded word clips.

Three engines, tried in this order for each language (chosen once at start, off the GUI thread,
and logged in one line):

1. **speech-dispatcher** through Qt TextToSpeech (``libpulse0``, ``speech-dispatcher-espeak-ng``).
   It is a service that may not answer (no sound device at boot, a hung daemon): the engine lives on
   its own thread, its socket is probed with a timeout, and its start has a deadline.
2. **espeak-ng** run directly (:mod:`kiosk.voice.espeak`): the text becomes a WAV in a temp file on
   a background thread, then Qt Multimedia plays it. Needs no service.
3. **word clips** (:mod:`kiosk.voice.clips`, ``assets/voice``), for texts whose every word has one
   (the lobby's announcements).

A failure while speaking is logged and the same text goes to the next engine; nothing is raised
into a screen. :meth:`Speaker.can_speak` is true when any engine serves the language, so the
"Bacakan" button and the diagnostics (:func:`kiosk.ui.admin.qt_checks.voice_finding`) agree.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QLocale, QObject, QThread, QTimer, QUrl, Signal, Slot

from kiosk.ui.qt.tasks import TaskRunner
from kiosk.utils.paths import assets_dir
from kiosk.voice.clips import ClipLibrary, ClipsUnavailable, library_for
from kiosk.voice.espeak import espeak_binary, espeak_languages, synthesise

log = logging.getLogger(__name__)

DISPATCHER, ESPEAK, CLIPS = "speech-dispatcher", "espeak-ng", "clips"
_PREFERRED_ENGINES = ("speechd", "flite", "sapi", "winrt", "darwin", "android")
_LOCALES = {"id": (QLocale.Language.Indonesian, QLocale.Country.Indonesia),
            "en": (QLocale.Language.English, QLocale.Country.UnitedStates)}
START_TIMEOUT_MS = 10_000
PROBE_TIMEOUT_S = 2.0
AFTER_WAV_MS = 200  # a played WAV counts as said this long after its length
DISPATCHER_START_MS = 1500  # speech-dispatcher silent this long after a request counts as failed


def speech_dispatcher_socket() -> Path | None:
    """Where libspeechd will connect (SPEECHD_ADDRESS, then the runtime dir, then ~/.cache)."""
    address = os.environ.get("SPEECHD_ADDRESS", "")
    if address.startswith("unix_socket:"):
        return Path(address.split(":", 1)[1])
    if address:
        return None  # inet socket: not probed
    candidates = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "speech-dispatcher" / "speechd.sock")
    candidates.append(Path.home() / ".cache" / "speech-dispatcher" / "speechd.sock")
    return next((c for c in candidates if c.exists()), None)


def speech_dispatcher_answers(path: Path, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Ask a running speech-dispatcher for a reply, with a timeout.

    A hung dispatcher accepts connections but never answers; libspeechd (inside Qt) would then
    block forever while holding Python's lock, freezing every thread. A plain socket can time out.
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            sock.sendall(b"SET SELF CLIENT_NAME mpp:kiosk:probe\r\n")
            reply = sock.recv(200)
            sock.sendall(b"QUIT\r\n")
    except OSError:
        return False
    return reply.startswith(b"2")


def speech_dispatcher_cancel(path: Path, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Silence speech-dispatcher over our own socket, with a timeout.

    ``QTextToSpeech.stop()`` goes through libspeechd, which deadlocked this process when the
    dispatcher's audio output had failed mid-sentence (no sound device): measured by bench/voice.py."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            sock.sendall(b"SET SELF CLIENT_NAME mpp:kiosk:cancel\r\n")
            sock.recv(200)
            sock.sendall(b"CANCEL all\r\n")
            reply = sock.recv(200)
            sock.sendall(b"QUIT\r\n")
    except OSError:
        return False
    return reply.startswith(b"2")


class _SpeechWorker(QObject):
    """Owns the QTextToSpeech engine, on the speech thread. Reports per utterance (``gen``)."""

    ready = Signal(object)  # frozenset of languages with a voice
    started = Signal(int)  # the engine is speaking utterance gen
    spoken = Signal(int)  # the engine went back to Ready after speaking gen
    failed = Signal(int, str)  # gen could not be said: the Speaker tries the next engine

    def __init__(self) -> None:
        super().__init__()
        self._tts: Any = None
        self._gen = 0
        self._speaking = False

    @Slot()
    def start(self) -> None:
        languages: frozenset[str] = frozenset()
        try:
            self._tts = _create_engine(self)
            if self._tts is not None:
                self._tts.stateChanged.connect(self._state_changed)
                available = {loc.language() for loc in self._tts.availableLocales()}
                languages = frozenset(lang for lang, (language, _) in _LOCALES.items() if language in available)
        except Exception:
            log.exception("text-to-speech failed to start")
        self.ready.emit(languages)

    def _state_changed(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if state == QTextToSpeech.State.Speaking:
            self._speaking = True
            self.started.emit(self._gen)
        elif state == QTextToSpeech.State.Ready and self._speaking:
            self._speaking = False
            self.spoken.emit(self._gen)
        elif state == QTextToSpeech.State.Error:
            self._speaking = False
            self.failed.emit(self._gen, str(self._tts.errorString()))

    @Slot(str, str, int)
    def say(self, text: str, lang: str, gen: int) -> None:
        if self._tts is None:
            self.failed.emit(gen, "not started")
            return
        running = speech_dispatcher_socket() if self._tts.engine() == "speechd" else None
        if running is not None and not speech_dispatcher_answers(running):
            self.failed.emit(gen, "speech-dispatcher stopped answering")
            return
        try:
            self._silence()
            self._gen, self._speaking = gen, False
            self._tts.setLocale(QLocale(*_LOCALES[lang]))
            self._tts.say(text)
        except Exception as exc:  # an audio stack failing must never take the kiosk down
            self.failed.emit(gen, f"{type(exc).__name__}: {exc}")

    def _silence(self) -> None:
        running = speech_dispatcher_socket() if self._tts.engine() == "speechd" else None
        if running is not None:
            speech_dispatcher_cancel(running)  # never libspeechd's own stop (see above)
        else:
            self._tts.stop()

    @Slot()
    def stop(self) -> None:
        if self._tts is not None:
            try:
                self._speaking = False
                self._silence()
            except Exception:
                log.exception("text-to-speech stop failed")


def _create_engine(parent: QObject) -> Any:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError as exc:
        log.warning("text-to-speech unavailable (%s); install libpulse0 and speech-dispatcher-espeak-ng", exc)
        return None
    engines = QTextToSpeech.availableEngines()
    for name in _PREFERRED_ENGINES:
        if name == "speechd" and name in engines:
            running = speech_dispatcher_socket()
            if running is not None and not speech_dispatcher_answers(running):
                log.warning("speech-dispatcher at %s does not answer; the next voice takes over "
                            "(restart speech-dispatcher to use it again)", running)
                continue
        if name in engines:
            engine = QTextToSpeech(name, parent)
            if engine.state() != QTextToSpeech.State.Error:
                return engine
            log.warning("text-to-speech engine %s failed: %s", name, engine.errorString())
    log.warning("no usable text-to-speech engine (found: %s)", ", ".join(engines) or "none")
    return None




class WavPlayer(Protocol):
    """Plays one WAV file at a time (tests inject one that records what would be played)."""

    def play(self, path: Path) -> None: ...

    def stop(self) -> None: ...


class QtWavPlayer(QObject):
    """Qt Multimedia's player on the GUI thread; ``playing`` fires when the output really starts."""

    playing = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.playbackStateChanged.connect(self._state)
        self._player.errorOccurred.connect(lambda _e, text: log.warning("playing speech failed: %s", text))

    def _state(self, state: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if state == QMediaPlayer.PlaybackState.PlayingState:
            self.playing.emit()

    def play(self, path: Path) -> None:
        self._player.stop()
        self._player.setSource(QUrl())  # the same file name may hold new speech: reload it
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()

    def stop(self) -> None:
        self._player.stop()


def qt_wav_player() -> WavPlayer | None:
    """A :class:`QtWavPlayer`, or None when Qt Multimedia cannot load (then no espeak-ng nor clips)."""
    try:
        return QtWavPlayer()
    except ImportError as exc:
        log.warning("no Qt Multimedia (%s): espeak-ng and the word clips cannot be played", exc)
        return None


def _multimedia_loads() -> bool:
    """Qt Multimedia imports (it needs libpulse0); the player itself is made on first use."""
    try:
        import PySide6.QtMultimedia  # noqa: F401  # only whether it loads
    except ImportError as exc:
        log.warning("no Qt Multimedia (%s): espeak-ng and the word clips cannot be played", exc)
        return False
    return True


_WavEngines = tuple[str | None, frozenset[str], dict[str, ClipLibrary]]  # espeak-ng, its languages, clips


def _probe_wav_engines(espeak: str | None, clips_dir: Path) -> _WavEngines:
    """espeak-ng's languages and the complete clip sets (a background job: runs programs, reads files)."""
    languages = espeak_languages(espeak) if espeak else frozenset()
    clips = {lang: lib for lang in _LOCALES if (lib := library_for(lang, clips_dir)) is not None}
    return espeak, languages, clips


class Speaker(QObject):
    """Speaks one text at a time in Indonesian or English through the first engine that works."""

    changed = Signal()
    spoken = Signal()  # the last text has been said (so announcements never cut each other off)
    started = Signal(str)  # audio output started, with the engine's name (tap → first sound)
    _start = Signal()
    _say = Signal(str, str, int)
    _stop = Signal()

    def __init__(self, enabled: bool = True, parent: QObject | None = None, *, player: WavPlayer | None = None,
                 espeak: str | None = "", clips_dir: Path | None = None, dispatcher: bool = True) -> None:
        """``player``: how WAVs are played (default Qt Multimedia); ``espeak``: the program ("" = look on
        PATH at load, None = not used); ``clips_dir``: the word clips (default ``assets/voice``);
        ``dispatcher``: whether to try speech-dispatcher at all."""
        super().__init__(parent)
        self.enabled = enabled
        self.engines: dict[str, tuple[str, ...]] = {}  # the choice, per language, in the order tried
        self._player = player
        self._espeak = espeak
        self._clips_dir = clips_dir if clips_dir is not None else assets_dir() / "voice"
        self._dispatcher = dispatcher
        self._clips: dict[str, ClipLibrary] = {}
        self._dispatcher_languages: frozenset[str] | None = None
        self._wav: _WavEngines | None = None
        self._decided = False
        self._gen = 0
        self._utterance: tuple[int, str, str, tuple[str, ...], int] | None = None  # gen, text, lang, engines, i
        self._tmp: Path | None = None
        self._files = itertools.cycle(("say-a.wav", "say-b.wav"))  # never overwrite the file playing
        self._runner: TaskRunner | None = None
        self._thread: QThread | None = None
        self._worker: _SpeechWorker | None = None
        self.said_at = 0.0  # monotonic time of the last say(), for the benchmark
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._not_answering)
        self._wav_done = QTimer(self)
        self._wav_done.setSingleShot(True)
        self._wav_done.timeout.connect(self.spoken)
        self._dispatcher_deadline = QTimer(self)  # seen: after a cancel with no sound device, silent
        self._dispatcher_deadline.setSingleShot(True)
        self._dispatcher_deadline.timeout.connect(self._dispatcher_silent)

    def load(self) -> None:
        """Find the engines in the background; :attr:`changed` fires once the choice is made."""
        if self._runner is not None or self._decided:
            return
        if not self.enabled:
            log.info("voice: turned off in the configuration")
            self._decided = True
            self.changed.emit()
            return
        self._runner = TaskRunner("speech-wav", self)
        espeak, clips_dir = self._espeak, self._clips_dir
        self._runner.run(lambda: _probe_wav_engines(espeak_binary() if espeak == "" else espeak, clips_dir),
                         on_done=self._wav_ready, on_error=self._wav_failed)
        self._timeout.start(START_TIMEOUT_MS)
        if not self._dispatcher:
            self._dispatcher_languages = frozenset()
            return
        self._thread = QThread()
        self._thread.setObjectName("speech")
        self._worker = _SpeechWorker()
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.start)
        self._say.connect(self._worker.say)
        self._stop.connect(self._worker.stop)
        self._worker.ready.connect(self._dispatcher_ready)
        self._worker.started.connect(lambda gen: self._audio_started(gen, DISPATCHER))
        self._worker.spoken.connect(self._dispatcher_spoken)
        self._worker.failed.connect(self._engine_failed)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()
        self._start.emit()

    @property
    def loading(self) -> bool:
        return self._runner is not None and not self._decided

    def can_speak(self, lang: str) -> bool:
        return bool(self.engines.get(lang))

    def say(self, text: str, lang: str) -> bool:
        """Speak ``text`` (interrupting the previous one); False when no engine can say it in ``lang``."""
        engines = tuple(e for e in self.engines.get(lang, ()) if e != CLIPS or self._clips[lang].covers(text))
        if not engines or not text.strip():
            return False
        self._halt()
        self.said_at = time.monotonic()
        self._utterance = (self._gen, text, lang, engines, 0)
        self._attempt()
        return True

    def stop(self) -> None:
        if self._utterance is not None:
            self._halt()

    def shutdown(self) -> None:
        """End the speech threads; a hung speech service is abandoned rather than waited for."""
        self._timeout.stop()
        self._halt()
        if self._runner is not None:
            self._runner.stop(3000)
        if self._thread is not None:
            self._thread.quit()
            if not self._thread.wait(3000):
                log.warning("text-to-speech thread did not stop; terminating it")
                self._thread.terminate()
                self._thread.wait(1000)
            self._thread = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- speaking ------------------------------------------------------------------------------
    def _halt(self) -> None:
        """Silence whatever is speaking; late reports of that utterance are then ignored."""
        self._gen += 1
        self._utterance = None
        self._wav_done.stop()
        self._dispatcher_deadline.stop()
        if DISPATCHER in itertools.chain.from_iterable(self.engines.values()):
            self._stop.emit()
        if self._player is not None:
            try:
                self._player.stop()
            except Exception:
                log.exception("stopping the speech player failed")

    def _attempt(self) -> None:
        """Hand the current utterance to its current engine."""
        if self._utterance is None:
            return
        gen, text, lang, engines, index = self._utterance
        engine = engines[index]
        if engine == DISPATCHER:
            self._dispatcher_deadline.start(DISPATCHER_START_MS)
            self._say.emit(text, lang, gen)
            return
        assert self._runner is not None and self._tmp is not None
        out = self._tmp / next(self._files)
        espeak = self._wav[0] if self._wav else None
        library = self._clips.get(lang)

        def render() -> float:
            if engine == ESPEAK and espeak:
                return synthesise(espeak, text, lang, out)
            if engine == CLIPS and library is not None:
                return library.render(text, out)
            raise ClipsUnavailable(f"{engine} is not set up for {lang}")

        self._runner.run(render, on_done=lambda seconds: self._play(gen, out, seconds),
                         on_error=lambda exc: self._engine_failed(gen, f"{type(exc).__name__}: {exc}"))

    def _play(self, gen: int, path: Path, seconds: float) -> None:
        if self._utterance is None or self._utterance[0] != gen:
            return
        if self._player is None:
            self._player = qt_wav_player()  # on first use: loading Qt's audio backends takes a while
        if self._player is None:
            self._engine_failed(gen, "no Qt Multimedia player")
            return
        try:
            self._player.play(path)
        except Exception as exc:
            self._engine_failed(gen, f"playing failed: {exc}")
            return
        self._audio_started(gen, self._utterance[3][self._utterance[4]])
        self._wav_done.start(int(seconds * 1000) + AFTER_WAV_MS)

    def _audio_started(self, gen: int, engine: str) -> None:
        if self._utterance is not None and self._utterance[0] == gen:
            self._dispatcher_deadline.stop()
            self.started.emit(engine)

    def _dispatcher_silent(self) -> None:
        if self._utterance is not None:
            self._engine_failed(self._utterance[0], f"no sound within {DISPATCHER_START_MS} ms")

    def _dispatcher_spoken(self, gen: int) -> None:
        if self._utterance is not None and self._utterance[0] == gen:
            self.spoken.emit()

    @Slot(int, str)
    def _engine_failed(self, gen: int, reason: str) -> None:
        """Log it and give the same text to the next engine; speech-dispatcher is not asked again."""
        if self._utterance is None or self._utterance[0] != gen:
            return
        _, text, lang, engines, index = self._utterance
        engine = engines[index]
        self._dispatcher_deadline.stop()
        if engine == DISPATCHER:
            self._stop.emit()
            self.engines = {k: tuple(e for e in v if e != DISPATCHER) for k, v in self.engines.items()}
        if index + 1 >= len(engines):
            log.warning("voice: %s failed (%s); no other voice for %s, silent", engine, reason, lang)
            self._utterance = None
            self.spoken.emit()  # an announcer waiting for the end goes on
            return
        log.warning("voice: %s failed (%s); trying %s", engine, reason, engines[index + 1])
        self._utterance = (self._gen, text, lang, engines, index + 1)
        self._attempt()

    # -- the choice, once at start --------------------------------------------------------------
    @Slot(object)
    def _dispatcher_ready(self, languages: frozenset[str]) -> None:
        self._dispatcher_languages = languages
        self._decide()

    def _wav_ready(self, found: _WavEngines) -> None:
        self._wav = found
        self._decide()

    def _wav_failed(self, exc: BaseException) -> None:
        log.warning("voice: looking for espeak-ng and the word clips failed: %s", exc)
        self._wav = (None, frozenset(), {})
        self._decide()

    def _not_answering(self) -> None:
        if self._dispatcher_languages is None:
            log.warning("text-to-speech did not start within %d s (is speech-dispatcher hung?); not using it",
                        START_TIMEOUT_MS // 1000)
            self._dispatcher_languages = frozenset()
        if self._wav is None:
            self._wav = (None, frozenset(), {})
        self._decide()

    def _decide(self) -> None:
        if self._decided or self._dispatcher_languages is None or self._wav is None:
            return
        self._decided = True
        self._timeout.stop()
        espeak, espeak_langs, clips = self._wav
        if (espeak_langs or clips) and self._player is None and not _multimedia_loads():
            espeak_langs, clips = frozenset(), {}
        if espeak_langs or clips:
            self._tmp = Path(tempfile.mkdtemp(prefix="mpp-voice-"))
        self._clips = clips
        for lang in _LOCALES:
            chosen = ((DISPATCHER,) if lang in self._dispatcher_languages else ()) + \
                     ((ESPEAK,) if lang in espeak_langs else ()) + ((CLIPS,) if lang in clips else ())
            if chosen:
                self.engines[lang] = chosen
        log.info("voice: %s", "; ".join(f"{lang} via {', '.join(chosen)}" for lang, chosen in self.engines.items())
                 or "none (no speech-dispatcher, espeak-ng or word clips): read-aloud button hidden")
        self.changed.emit()
