"""Reading texts aloud with Qt TextToSpeech, and staying silent (never crashing) without a voice.

On Linux the voices come from speech-dispatcher with espeak-ng (package ``libpulse0`` is needed for
the Qt module to import at all). Anything missing — the module, an engine, a voice for the language
— makes :meth:`Speaker.can_speak` false; the UI then hides its speaker button.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QLocale, QObject

log = logging.getLogger(__name__)

_PREFERRED_ENGINES = ("speechd", "flite", "sapi", "winrt", "darwin", "android")
_LOCALES = {"id": QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia),
            "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)}


class Speaker(QObject):
    """Speaks one text at a time in Indonesian or English, if this machine has such a voice."""

    def __init__(self, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tts: Any = None
        self._languages: set[str] = set()
        if enabled:
            self._tts = self._create_engine()
            if self._tts is not None:
                self._languages = self._find_languages()
        log.info("text-to-speech: %s", ", ".join(sorted(self._languages)) or "no voice; speaker button hidden")

    def can_speak(self, lang: str) -> bool:
        return lang in self._languages

    def say(self, text: str, lang: str) -> bool:
        """Speak ``text`` (interrupting the previous one); False when there is no voice for ``lang``."""
        if not self.can_speak(lang):
            return False
        try:
            self._tts.stop()
            self._tts.setLocale(_LOCALES[lang])
            self._tts.say(text)
        except Exception:  # an audio stack failing must never take the kiosk down
            log.exception("text-to-speech failed; turning the speaker off")
            self._languages.clear()
            return False
        return True

    def stop(self) -> None:
        if self._tts is not None:
            try:
                self._tts.stop()
            except Exception:
                log.exception("text-to-speech stop failed")

    def _create_engine(self) -> Any:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            log.warning("text-to-speech unavailable (%s); install libpulse0 and speech-dispatcher-espeak-ng", exc)
            return None
        engines = QTextToSpeech.availableEngines()
        for name in _PREFERRED_ENGINES:
            if name in engines:
                engine = QTextToSpeech(name, self)
                if engine.state() != QTextToSpeech.State.Error:
                    return engine
                log.warning("text-to-speech engine %s failed: %s", name, engine.errorString())
        if engines:
            log.warning("no usable text-to-speech engine among %s", engines)
        return None

    def _find_languages(self) -> set[str]:
        found = set()
        try:
            available = {(loc.language(), loc.territory()) for loc in self._tts.availableLocales()}
            languages = {loc.language() for loc in self._tts.availableLocales()}
        except Exception:
            log.exception("could not list text-to-speech voices")
            return set()
        for lang, locale in _LOCALES.items():
            if (locale.language(), locale.territory()) in available or locale.language() in languages:
                found.add(lang)
        return found
