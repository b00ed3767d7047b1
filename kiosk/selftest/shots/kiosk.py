"""Scenes of the citizen's kiosk: the whole walk, in both languages, portrait and landscape, normal and large text."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES
from kiosk.queue.models import PriorityGroup
from kiosk.selftest.scene import KIOSK_SIZES, SAMPLE_NIK, save_shot, scratch_core, wait_for
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def capture_kiosk(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                core = scratch_core(config, Path(scratch))
                try:
                    _walk_kiosk(core, lang, size, out / f"kiosk-{orientation}-{lang}", shots)
                finally:
                    core.close()
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        core = scratch_core(config, Path(scratch))
        try:
            for lang in LANGUAGES:  # what the kiosk shows when its catalog could not be loaded
                window = KioskWindow(core.config, None, core.queue, Speaker(enabled=False))
                window.resize(*KIOSK_SIZES["portrait"])
                window.set_language(lang)
                window.show()
                save_shot(window, out / f"kiosk-portrait-{lang}-unavailable.png", shots)
                window.shutdown()
                window.deleteLater()
        finally:
            core.close()


def _walk_kiosk(core: Core, lang: str, size: tuple[int, int], prefix: Path, shots: list[Path]) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False))
    try:
        window.resize(*size)
        window.show()
        window.set_language(lang)

        def shot(name: str) -> None:
            save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        for i in range(4):  # a realistic waiting line
            core.queue.issue("KTP-EL", request_id=f"selftest-{i}")
        shot("01-welcome")
        window.show_step(Step.PRIORITY)
        shot("02-priority")
        window.choose_priority(PriorityGroup.ELDERLY)
        shot("03-services")
        services = window.screens[Step.SERVICE]
        services.set_keyboard_visible(True)
        services.search.setText("akta")
        shot("04-search")
        services.search.setText("zzqx")
        shot("05-search-empty")
        services.reset()
        assert core.catalog is not None
        window.choose_service(core.catalog.service("KTP-EL"))
        wait_for(lambda: window.screens[Step.REQUIREMENTS]._preview is not None)  # type: ignore[attr-defined]
        shot("06-requirements")
        window.after_requirements()
        shot("07-identify-empty")
        identify = window.screens[Step.IDENTIFY]
        for digit in "99":
            identify._type_digit(digit)  # type: ignore[attr-defined]
        shot("08-identify-error")
        identify.reset()
        for digit in SAMPLE_NIK:
            identify._type_digit(digit)  # type: ignore[attr-defined]
        shot("09-identify-valid")
        window.set_large_text(True)
        shot("10-identify-large-text")
        window.set_large_text(False)
        identify._submit()  # type: ignore[attr-defined]
        shot("11-confirm")
        window.screens[Step.CONFIRM].show_error("confirm.error.offline")  # type: ignore[attr-defined]
        shot("12-confirm-offline")
        window.screens[Step.CONFIRM].show_error(None)  # type: ignore[attr-defined]
        window.issue_ticket()
        wait_for(lambda: window.current_step == Step.TICKET)
        shot("13-ticket")
        ticket_screen = window.screens[Step.TICKET]
        ticket_screen.print_panel.show_state(  # type: ignore[attr-defined]
            ticket_screen.print_panel.number, "failed", "paper_out")  # type: ignore[attr-defined]
        shot("13-ticket-print-failed")
        window.show_step(Step.REQUIREMENTS)
        window.overlay.start(core.config.kiosk.idle_countdown_seconds)
        shot("14-still-there")
        window.overlay.cancel()
    finally:
        window.shutdown()
        window.deleteLater()
