"""Scenes of the citizen's kiosk: the whole walk, in both languages, portrait and landscape, normal and large text."""

from __future__ import annotations

from pathlib import Path

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES
from kiosk.queue.models import PriorityGroup
from kiosk.selftest.scene import (
    KIOSK_SIZES,
    SAMPLE_NIK,
    letter_key,
    save_shot,
    scratch,
    tap,
    tap_keys,
    wait_for,
)
from kiosk.ui.kiosk.confirm import ConfirmScreen
from kiosk.ui.kiosk.requirements import RequirementsScreen
from kiosk.ui.kiosk.ticket import TicketScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def capture_kiosk(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            with scratch(config) as core:
                _walk_kiosk(core, lang, size, out / f"kiosk-{orientation}-{lang}", shots)
    with scratch(config) as core:
        for lang in LANGUAGES:  # what the kiosk shows when its catalog could not be loaded
            window = KioskWindow(core.config, None, core.queue, Speaker(enabled=False), survey_store=core.survey)
            window.resize(*KIOSK_SIZES["portrait"])
            window.set_language(lang)
            window.show()
            save_shot(window, out / f"kiosk-portrait-{lang}-unavailable.png", shots)
            window.shutdown()
            window.deleteLater()


def _walk_kiosk(core: Core, lang: str, size: tuple[int, int], prefix: Path, shots: list[Path]) -> None:
    """The whole walk by taps on named buttons, as the GUI tests press them."""
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")

        def shot(name: str) -> None:
            save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        for i in range(4):  # a realistic waiting line
            core.queue.issue("KTP-EL", request_id=f"selftest-{i}")
        shot("01-welcome")
        tap(window, "priorityButton")
        shot("02-priority")
        tap(window, f"priority_{PriorityGroup.ELDERLY.value}")
        shot("03-services")
        tap(window, "keyboardButton")
        tap_keys(window, "akta", letter_key)
        shot("04-search")
        tap(window, "clearSearchButton")
        tap_keys(window, "zzqx", letter_key)
        shot("05-search-empty")
        tap(window, "clearSearchButton")
        tap(window, "keyboardButton")
        tap(window, "KTP-EL")
        requirements = window.screens[Step.REQUIREMENTS]
        wait_for(lambda: isinstance(requirements, RequirementsScreen) and requirements.waiting_known)
        shot("06-requirements")
        tap(window, "nextButton")
        shot("07-identify-empty")
        tap_keys(window, "99")
        shot("08-identify-error")
        tap(window, "keyClear")
        tap_keys(window, SAMPLE_NIK)
        shot("09-identify-valid")
        tap(window, "textSize")
        shot("10-identify-large-text")
        tap(window, "textSize")
        tap(window, "nextButton")
        shot("11-confirm")
        confirm = window.screens[Step.CONFIRM]
        assert isinstance(confirm, ConfirmScreen)
        confirm.show_error("confirm.error.offline")  # what the screen says when the queue cannot be reached
        shot("12-confirm-offline")
        confirm.show_error(None)
        tap(window, "confirmButton")
        wait_for(lambda: window.current_step == Step.TICKET)
        shot("13-ticket")
        ticket = window.screens[Step.TICKET]
        assert isinstance(ticket, TicketScreen)
        ticket.print_panel.show_state(ticket.print_panel.number, "failed", "paper_out")  # a printer out of paper
        shot("13-ticket-print-failed")
        window.show_step(Step.REQUIREMENTS)
        window.overlay.start(core.config.kiosk.idle_countdown_seconds)
        shot("14-still-there")
        window.overlay.cancel()
    finally:
        window.shutdown()
        window.deleteLater()
