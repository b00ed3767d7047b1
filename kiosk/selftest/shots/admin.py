"""Pictures of the admin screens for ``kiosk selftest``: PIN pad, menu, diagnostics, every setup page.

Shots are named ``admin-<orientation>-<lang>-<n>-<what>.png`` and ``setup-<orientation>-<lang>-<n>-<page>.png``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.i18n import LANGUAGES, Translator
from kiosk.staff.admin_gate import AdminGate
from kiosk.ui.admin.menu import AdminDoor
from kiosk.ui.admin.style import admin_style
from kiosk.ui.qt.theme import Scale

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
ADMIN_SHOTS_PER_VIEW = 4  # pin, wrong pin, menu, diagnostics


def capture_admin(config: Config, out: Path, shots: list[Path]) -> None:
    from kiosk.selftest.scene import save_shot, scratch_core, wait_for
    from kiosk.ui.admin.setup_wizard import PAGES, SetupWizard
    from kiosk.ui.kiosk.window import KioskWindow
    from kiosk.ui.qt.speech import Speaker

    gate = AdminGate("")  # the demo PIN: the note about it shows on the pad
    for orientation, size in SIZES.items():
        for lang in LANGUAGES:
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                local = dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))
                core = scratch_core(local, Path(scratch))
                window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False))
                door = AdminDoor(window, core.config, "kiosk", gate, lock_close=False,
                                 voice_result=lambda: ("warning", "no Indonesian voice installed"),
                                 on_exit=lambda _code: None)
                prefix = f"admin-{orientation}-{lang}"
                try:
                    window.resize(*size)
                    window.show()
                    door.open()
                    for digit in "12":
                        door.panel.pin_page.type_digit(digit)
                    save_shot(window, out / f"{prefix}-1-pin.png", shots)
                    door.panel.pin_page._answered(gate_wrong(2))  # what a wrong PIN shows
                    save_shot(window, out / f"{prefix}-2-pin-wrong.png", shots)
                    door.panel.show_menu()
                    save_shot(window, out / f"{prefix}-3-menu.png", shots)
                    door.panel.open_entry(next(e for e in _entries() if e.key == "diagnostics"))
                    page = door.panel.page
                    wait_for(lambda: not page.running, 30_000)  # type: ignore[union-attr]
                    save_shot(window, out / f"{prefix}-4-diagnostics.png", shots)
                finally:
                    door.shutdown()
                    window.shutdown()
                    window.deleteLater()
                    core.close()
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
                    save_shot(wizard, out / f"setup-{orientation}-{lang}-{index + 1}-{name}.png", shots)
            finally:
                wizard.shutdown()
                wizard.deleteLater()


def gate_wrong(attempts_left: int) -> object:
    from kiosk.staff.admin_gate import Attempt

    return Attempt("wrong", attempts_left=attempts_left)


def _entries() -> list:  # type: ignore[type-arg]
    from kiosk.ui.admin.menu import MENU_ENTRIES

    return MENU_ENTRIES
