"""The admin menu fits both orientations (issue 17, item 6: in portrait its three bottom buttons were
clipped to "eluar ke deskto", "ulai ulang aplika", "embali ke kios")."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fit_checks import cut_off
from PySide6.QtWidgets import QWidget

from kiosk.staff.admin_gate import AdminGate, make_pin_hash
from kiosk.ui.admin.menu import AdminDoor
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker


@pytest.fixture
def kiosk(qtbot, core) -> Iterator[KioskWindow]:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_admin_menu_fits_both_orientations(qtbot, kiosk: KioskWindow, config, size: tuple[int, int],
                                           lang: str) -> None:
    kiosk.resize(*size)
    config = dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))
    door = AdminDoor(kiosk, config, "kiosk", AdminGate(make_pin_hash("4826")), lock_close=False,
                     on_exit=lambda code: None)
    try:
        door.open()
        door.panel.show_menu()
        qtbot.wait(20)
        menu = door.panel.menu
        needed = menu.layout().totalMinimumSize()
        assert needed.width() <= menu.width() and needed.height() <= menu.height()
        problems = cut_off(menu.findChildren(QWidget), f"admin menu {size}")
        assert problems == [], "\n" + "\n".join(problems)
        for name in ("exit", "restart", "close"):
            widget = menu.buttons[name]
            assert widget.isVisible() and menu.rect().contains(widget.geometry()), name
    finally:
        door.shutdown()
