"""Pictures beside words (issue 16, item 5): an icon on every priority group, agency tab, service tile, and on
Back, Cancel, help, read aloud, language and text size; legible with large text; in colours that keep contrast."""

from __future__ import annotations

import pytest
import qtawesome
from PySide6.QtWidgets import QPushButton
from test_contrast import ratio, rgba

from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.queue.models import PriorityGroup
from kiosk.ui.kiosk.priority import PriorityScreen
from kiosk.ui.kiosk.service_choice import ServiceScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt import icons, theme
from kiosk.visit.flow import Step

BAR_BUTTONS = ("backButton", "helpButton", "homeButton", "speakButton", "audioGuideButton", "textSize", "langId",
               "langEn")


def bar_button(kiosk: KioskWindow, name: str) -> QPushButton:
    found = kiosk.bar.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_every_icon_name_exists_in_the_font(qtbot) -> None:
    """A misspelt name would raise when drawn on a citizen's screen: each one is drawn here once."""
    names = [*icons.CONTROLS.values(), *icons.PRIORITY_GROUPS.values(), *icons.AGENCIES.values(),
             *(name for _pattern, name in icons.SERVICES), icons.OTHER]
    for name in names:
        assert not qtawesome.icon(name).isNull(), name


def test_every_priority_group_and_every_catalog_service_has_its_own_picture() -> None:
    assert set(icons.PRIORITY_GROUPS) == {g.value for g in PriorityGroup}
    catalog = load_catalog(default_catalog_path())
    generic = [s.code for s in catalog.services if icons.service_icon(s.code, s.agency) == icons.OTHER]
    assert generic == []
    assert {a.code for a in catalog.agencies} <= set(icons.AGENCIES)
    assert icons.service_icon("SIP-PERAWAT-BARU", "DPMPTSP") == "fa6s.user-nurse"
    assert icons.service_icon("AKTA-LAHIR", "DUKCAPIL") == "fa6s.baby"
    assert icons.service_icon("SOMETHING-NEW", "DUKCAPIL") == icons.AGENCIES["DUKCAPIL"]  # its agency's


def test_each_named_control_carries_an_icon(qtbot, kiosk: KioskWindow) -> None:
    for name in BAR_BUTTONS:
        assert not bar_button(kiosk, name).icon().isNull(), name
    priority = kiosk.screens[Step.PRIORITY]
    assert isinstance(priority, PriorityScreen)
    for group, widget in priority.buttons.items():
        assert not widget.icon().isNull(), group
        assert widget.property("iconName") == icons.PRIORITY_GROUPS[group.value]
    service = kiosk.screens[Step.SERVICE]
    assert isinstance(service, ServiceScreen)
    for code, tab in service.tabs.items():
        assert not tab.icon().isNull(), code
    kiosk.show_step(Step.SERVICE)
    qtbot.wait(5)
    for code, tile in service.tiles.items():
        assert tile.icon is not None and not tile.icon.pixmap().isNull(), code
        assert tile.icon.icon_name == icons.service_icon(code, service.catalog.service(code).agency)


def test_icons_grow_with_large_text(qtbot, kiosk: KioskWindow) -> None:
    """The icon follows the type size: large text makes Back's arrow and the tiles' pictures larger too."""
    kiosk.show_step(Step.SERVICE)
    qtbot.wait(5)
    service = kiosk.screens[Step.SERVICE]
    assert isinstance(service, ServiceScreen)
    tile_icon = service.tiles["KTP-EL"].icon
    assert tile_icon is not None
    before = (kiosk.bar.back_button.iconSize().height(), tile_icon.pixmap().height())
    kiosk.set_large_text(True)
    qtbot.wait(5)
    after = (kiosk.bar.back_button.iconSize().height(), tile_icon.pixmap().height())
    assert after[0] >= 1.2 * before[0] and after[1] >= 1.2 * before[1], (before, after)
    assert before[0] >= 28 and before[1] >= 40  # legible at the normal size already (px on a 1080 px side)


@pytest.mark.parametrize(("colour", "fills"), [
    (icons.ON_LIGHT, (theme.PAPER, theme.SURFACE, theme.PRIORITY, theme.DISABLED_FILL)),
    (icons.ON_PRIMARY, (theme.PRIMARY, theme.PRIMARY_DARK)),
    (icons.ON_TILE, (theme.PAPER, theme.DISABLED_FILL)),  # a tile, and a tile while pressed
    (icons.DISABLED, (theme.DISABLED_FILL,)),
])
def test_icon_colours_keep_contrast(colour: str, fills: tuple[str, ...]) -> None:
    """Pictures are read like words here: 4.5:1 at least (WCAG asks 3:1 for graphics), 3:1 when disabled."""
    minimum = 3.0 if colour == icons.DISABLED else 4.5
    for fill in fills:
        icon, behind = rgba(colour), rgba(fill)
        assert icon is not None and behind is not None
        assert ratio(icon, behind) >= minimum, f"{colour} on {fill}: {ratio(icon, behind):.2f}"
