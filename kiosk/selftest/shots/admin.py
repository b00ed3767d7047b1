"""Pictures of the admin screens for ``kiosk selftest``: PIN pad, menu, diagnostics, every setup page.

Shots are named ``admin-<orientation>-<lang>-<n>-<what>.png`` and ``setup-<orientation>-<lang>-<n>-<page>.png``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES, Language, Translator
from kiosk.selftest.scene import save_shot, scratch_core, tap, tap_keys, wait_for
from kiosk.setup.checks import Level
from kiosk.staff.admin_gate import DEMO_PIN, AdminGate
from kiosk.ui.admin.diagnostics import DiagnosticsPage
from kiosk.ui.admin.menu import AdminDoor
from kiosk.ui.admin.qt_checks import check_voice
from kiosk.ui.admin.setup_wizard import PAGES, SetupWizard
from kiosk.ui.admin.style import admin_style
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.qt.theme import Scale

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def capture_admin(config: Config, out: Path, shots: list[Path], *, voice: Config) -> None:
    """``voice``: the configuration the self-test checked (the pictures themselves are taken with the
    speaker off): the diagnostics shots show the very finding the self-test printed."""
    level, detail, *_advice = check_voice(voice)
    for orientation, size in SIZES.items():
        for lang in LANGUAGES:
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                local = dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))
                core = scratch_core(local, Path(scratch))
                try:
                    _admin_door(core, size, out / f"admin-{orientation}-{lang}", shots, (level, detail))
                finally:
                    core.close()
            _setup_pages(config, size, lang, out / f"setup-{orientation}-{lang}", shots)


def _admin_door(core: Core, size: tuple[int, int], prefix: Path, shots: list[Path],
                voice: tuple[Level, str]) -> None:
    """The PIN pad (typing, a wrong PIN), the menu and diagnostics, by taps; the demo PIN opens it."""
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    gate = AdminGate("")  # the demo PIN: the warning about it shows on the menu
    door = AdminDoor(window, core.config, "kiosk", gate, lock_close=False,
                     voice_result=lambda: voice, on_exit=lambda _code: None)

    def shot(name: str) -> None:
        save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

    try:
        window.resize(*size)
        window.show()
        door.open()
        tap_keys(window, "12")
        shot("1-pin")
        tap_keys(window, "99")
        tap(window, "pinEnter")
        message = door.panel.pin_page.message
        wait_for(lambda: message.property("error") is True, 10_000)  # checked off the GUI thread: the refusal
        shot("2-pin-wrong")
        tap_keys(window, DEMO_PIN)
        tap(window, "pinEnter")
        wait_for(lambda: door.panel.stack.currentWidget() is door.panel.menu, 10_000)
        shot("3-menu")
        tap(window, "menu_diagnostics")
        page = door.panel.page
        assert isinstance(page, DiagnosticsPage)
        wait_for(lambda: not page.running, 30_000)
        shot("4-diagnostics")
    finally:
        door.shutdown()
        window.shutdown()
        window.deleteLater()


def _setup_pages(config: Config, size: tuple[int, int], lang: Language, prefix: Path, shots: list[Path]) -> None:
    """Every page of the setup wizard (typed on a keyboard by regional IT: the PIN fields are filled in)."""
    wizard = SetupWizard(config, Path(tempfile.gettempdir()) / "kiosk-selftest-site.toml", Translator(lang))
    wizard.setObjectName("adminPanel")
    try:
        wizard.resize(*size)
        wizard.setStyleSheet(admin_style(Scale.for_size(*size)))
        wizard.show()
        for index, name in enumerate(PAGES):
            wizard.go_to(index)
            if name == "camera":
                wait_for(lambda: not wizard.runner.busy)
            if name == "pin":
                wizard.pin_first.setText("4826")
                wizard.pin_second.setText("4827")
                wizard.next()  # shows the mismatch message
            save_shot(wizard, prefix.with_name(f"{prefix.name}-{index + 1}-{name}.png"), shots)
    finally:
        wizard.shutdown()
        wizard.deleteLater()
