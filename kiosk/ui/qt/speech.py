"""Reading texts aloud with Qt TextToSpeech, and staying silent (never crashing) without a voice.

On Linux the voices come from speech-dispatcher with espeak-ng (package ``libpulse0`` is needed for
the Qt module to import at all). Anything missing — the module, an engine, a voice for the language
— makes :meth:`Speaker.can_speak` false; the UI then hides its speaker button.

The engine lives on its own thread: starting it takes over a second, and a speech-dispatcher that
stopped answering blocks its client forever (seen on our machines). On the GUI thread either would
freeze the kiosk; on the speech thread it only leaves the speaker silent.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QObject, QThread, QTimer, Signal, Slot

log = logging.getLogger(__name__)

_PREFERRED_ENGINES = ("speechd", "flite", "sapi", "winrt", "darwin", "android")
_LOCALES = {"id": (QLocale.Language.Indonesian, QLocale.Country.Indonesia),
            "en": (QLocale.Language.English, QLocale.Country.UnitedStates)}
START_TIMEOUT_MS = 10_000
PROBE_TIMEOUT_S = 2.0


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


class _SpeechWorker(QObject):
    """Owns the QTextToSpeech engine, on the speech thread."""

    ready = Signal(object)  # frozenset of languages with a voice
    spoken = Signal()  # the engine went back to Ready after speaking

    def __init__(self) -> None:
        super().__init__()
        self._tts: Any = None

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

        if state == QTextToSpeech.State.Ready:
            self.spoken.emit()

    @Slot(str, str)
    def say(self, text: str, lang: str) -> None:
        if self._tts is None:
            return
        running = speech_dispatcher_socket() if self._tts.engine() == "speechd" else None
        if running is not None and not speech_dispatcher_answers(running):
            log.warning("speech-dispatcher stopped answering; not speaking")
            return
        try:
            self._tts.stop()
            self._tts.setLocale(QLocale(*_LOCALES[lang]))
            self._tts.say(text)
        except Exception:  # an audio stack failing must never take the kiosk down
            log.exception("text-to-speech failed")

    @Slot()
    def stop(self) -> None:
        if self._tts is not None:
            try:
                self._tts.stop()
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
                log.warning("speech-dispatcher at %s does not answer; speaker stays off (restart it: "
                            "pkill -f speech-dispatcher)", running)
                continue
        if name in engines:
            engine = QTextToSpeech(name, parent)
            if engine.state() != QTextToSpeech.State.Error:
                return engine
            log.warning("text-to-speech engine %s failed: %s", name, engine.errorString())
    log.warning("no usable text-to-speech engine (found: %s)", ", ".join(engines) or "none")
    return None


class Speaker(QObject):
    """Speaks one text at a time in Indonesian or English, if this machine has such a voice."""

    changed = Signal()
    spoken = Signal()  # the last text has been said (so announcements never cut each other off)
    _start = Signal()
    _say = Signal(str, str)
    _stop = Signal()

    def __init__(self, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self._languages: frozenset[str] = frozenset()
        self._thread: QThread | None = None
        self._worker: _SpeechWorker | None = None
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._not_answering)

    def load(self) -> None:
        """Start the voice engine in the background; :attr:`changed` fires when it is known."""
        if self._thread is not None:
            return
        if not self.enabled:
            log.info("text-to-speech: turned off in the configuration")
            self.changed.emit()
            return
        self._thread = QThread()
        self._thread.setObjectName("speech")
        self._worker = _SpeechWorker()
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.start)
        self._say.connect(self._worker.say)
        self._stop.connect(self._worker.stop)
        self._worker.ready.connect(self._ready)
        self._worker.spoken.connect(self.spoken)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()
        self._timeout.start(START_TIMEOUT_MS)
        self._start.emit()

    @property
    def loading(self) -> bool:
        return self._timeout.isActive()

    def can_speak(self, lang: str) -> bool:
        return lang in self._languages

    def say(self, text: str, lang: str) -> bool:
        """Speak ``text`` (interrupting the previous one); False when there is no voice for ``lang``."""
        if not self.can_speak(lang):
            return False
        self._say.emit(text, lang)
        return True

    def stop(self) -> None:
        if self._languages:
            self._stop.emit()

    def shutdown(self) -> None:
        """End the speech thread; a hung speech service is abandoned rather than waited for."""
        self._timeout.stop()
        if self._thread is None:
            return
        self._thread.quit()
        if not self._thread.wait(3000):
            log.warning("text-to-speech thread did not stop; terminating it")
            self._thread.terminate()
            self._thread.wait(1000)
        self._thread = None

    @Slot(object)
    def _ready(self, languages: frozenset[str]) -> None:
        self._timeout.stop()
        self._languages = languages
        log.info("text-to-speech: %s", ", ".join(sorted(languages)) or "no voice; speaker button hidden")
        self.changed.emit()

    def _not_answering(self) -> None:
        log.warning("text-to-speech did not start within %d s (is speech-dispatcher hung?); speaker stays "
                    "off", START_TIMEOUT_MS // 1000)
