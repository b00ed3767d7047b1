"""The requirements screen names the regulation a service's requirements come from (issue 20, item 1)."""

from __future__ import annotations

from gui_touch import click, named

from kiosk.core import Core
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def test_the_source_of_the_requirements_is_shown(qtbot, core: Core) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["SIP-PERAWAT-BARU"])
    source = window.screens[Step.REQUIREMENTS].source
    service = core.catalog.service("SIP-PERAWAT-BARU")
    assert service.source and source.isVisible()
    assert source.text() == f"Dasar aturan: {service.source}"
    window.set_language("en")
    assert source.text() == f"Rules: {service.source}"
    window.shutdown()
