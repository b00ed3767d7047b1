"""The checks that need Qt (the voice, the OS spooler's printer), and every check in the order people see.

Both ``kiosk selftest`` and the diagnostics screen ask :func:`all_checks`; the UI-free checks are
:data:`kiosk.setup.checks.CHECKS`.
"""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, QTimer

from kiosk.config.schema import Config
from kiosk.i18n.keyed import Keyed
from kiosk.printing.health import printer_health
from kiosk.setup.checks import CHECKS, CheckFn, CheckResult, Level
from kiosk.ui.qt.application import application
from kiosk.ui.qt.printing import SystemPrinterSink
from kiosk.ui.qt.speech import Speaker

# Checks that need the GUI thread (Qt objects, an event loop); the diagnostics screen asks the
# running app for these instead of running them on its worker thread.
GUI_THREAD_CHECKS = frozenset({"voice"})


def voice_finding(config: Config, speaker: Speaker) -> tuple[Level, str]:
    """The one answer to "does the voice work?", from a speaker that was asked to load.

    The self-test (:func:`check_voice`), the diagnostics screen of a running kiosk and the kiosk's
    read-aloud button all go by ``speaker.can_speak``, so they cannot disagree."""
    if config.kiosk.speech == "off":
        return "ok", Keyed("speaker turned off in the configuration", "admin.finding.voice.off")
    if speaker.loading:
        return "warning", Keyed("the voice is still starting; check again in a few seconds",
                                "admin.finding.voice.starting")
    voices = [lang for lang in ("id", "en") if speaker.can_speak(lang)]
    if "id" not in voices:
        return "warning", Keyed("no Indonesian voice: the speaker button is hidden. Install espeak-ng (and "
                                "libpulse0, speech-dispatcher, speech-dispatcher-espeak-ng)",
                                "admin.finding.voice.no_id")
    chosen = "; ".join(f"{lang} via {', '.join(speaker.engines[lang])}" for lang in voices)  # as tried, in order
    return "ok", Keyed(f"voices for: {chosen}",
                       "admin.finding.voice.id_en" if "en" in voices else "admin.finding.voice.id_only")


def check_voice(config: Config) -> CheckResult:
    """A speaker of its own, given the kiosk's start-up time to answer, then :func:`voice_finding`."""
    if config.kiosk.speech == "off":
        return voice_finding(config, Speaker(enabled=False))
    application()
    speaker = Speaker(enabled=True)
    loop = QEventLoop()
    speaker.changed.connect(loop.quit)
    QTimer.singleShot(12_000, loop.quit)
    speaker.load()
    if speaker.loading:
        loop.exec()
    try:
        level, detail = voice_finding(config, speaker)
    finally:
        speaker.shutdown()
    return (level, detail, "admin.advice.voice") if level != "ok" else (level, detail)


def check_printer_paper(config: Config) -> CheckResult:
    """The printer's own answer (paper, cover) and the last print job's outcome (kiosk.printing.health)."""
    system_sink = None
    if config.printer.kind == "system":
        system_sink = SystemPrinterSink
    return printer_health(config, system_sink=system_sink)


def all_checks() -> list[tuple[str, CheckFn]]:
    """Every check, in the order shown: the UI-free ones with these two after the ones they follow."""
    checks = list(CHECKS)
    checks.insert([name for name, _ in checks].index("queue") + 1, ("voice", check_voice))
    checks.insert([name for name, _ in checks].index("printer") + 1, ("printer_paper", check_printer_paper))
    return checks
