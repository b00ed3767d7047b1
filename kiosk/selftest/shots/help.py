"""Scenes of "Minta bantuan / Call staff": the kiosk's call (sent, answered, not sent), the counter console's
list of calls and the lobby board's corner, in both languages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES
from kiosk.queue.http_client import HttpQueue
from kiosk.selftest.scene import KIOSK_SIZES, save_shot, scratch, tap, wait_for
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.help import HelpCall, HelpStage, kiosk_help
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens on port 9: the queue host "down"


def capture_help(config: Config, out: Path, shots: list[Path]) -> None:
    for lang in LANGUAGES:
        with scratch(dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))) as core:
            _kiosk(core, lang, out, shots)
            _counter_and_board(core, lang, out, shots)


def _kiosk(core: Core, lang: str, out: Path, shots: list[Path]) -> None:
    """The help button on the service list: sent, answered by a counter, and (host down) not sent."""
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    call = kiosk_help(window)  # as the window holds it
    offline = HttpQueue(UNREACHABLE, "selftest", timeout=1.0, retries=0)
    unsent = HelpCall(window, None, offline, window.runner, core.config.device.id, lambda: window.session.lang)
    try:
        window.resize(*KIOSK_SIZES["portrait"])
        window.show()
        window.start_normal()
        tap(window, "helpButton")
        wait_for(lambda: call.stage is HelpStage.RAISED)
        save_shot(window, out / f"kiosk-portrait-{lang}-help-1-raised.png", shots)
        request = core.queue.open_help_requests()[0]
        core.queue.acknowledge_help(request.id, counter=2, actor="selftest/counter-2")
        wait_for(lambda: call.stage is HelpStage.ACKNOWLEDGED)
        save_shot(window, out / f"kiosk-portrait-{lang}-help-2-acknowledged.png", shots)
        call.touch()  # the clerk came: the citizen touches the screen
        unsent.request()
        wait_for(lambda: unsent.stage is HelpStage.OFFLINE)
        save_shot(window, out / f"kiosk-portrait-{lang}-help-3-offline.png", shots)
        unsent.cancel()
    finally:
        for controller in (call, unsent):
            controller.stop()
        window.shutdown()
        window.deleteLater()
        offline.close()


def _counter_and_board(core: Core, lang: str, out: Path, shots: list[Path]) -> None:
    """Two kiosks call: one waits for an answer ("Saya datang"), a clerk of counter 3 goes to the other."""
    waiting = core.queue.raise_help("kiosk-02")
    answered = core.queue.raise_help("kiosk-05")
    core.queue.acknowledge_help(answered.id, counter=3, actor="selftest/counter-3")
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    display = DisplayWindow(core.config, core.catalog, core.queue)
    try:
        counter.resize(1600, 900)
        display.resize(1920, 1080)
        counter.show()
        display.show()
        wait_for(lambda: waiting.id in counter.help_requests.buttons and display.help_corner.isVisible())
        save_shot(counter, out / f"counter-{lang}-5-help-requests.png", shots)
        save_shot(display, out / f"display-{lang}-3-help-corner.png", shots)
    finally:
        for window in (counter, display):
            window.shutdown()
            window.deleteLater()
