"""Issue 17: every screen tells the building's time ([site] timezone, as on the tickets and the
board), not the time zone the kiosk PC happens to be set to."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from kiosk.core import Core
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker


def test_the_kiosk_header_clock_is_the_buildings(qtbot: QtBot, core: Core, os_clock_in_sao_paulo: None) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    try:
        building = ZoneInfo(core.config.site.timezone)
        expected = {f"{datetime.now(building):%H:%M}"}
        window.header._tick()
        expected.add(f"{datetime.now(building):%H:%M}")  # a minute may turn between the two reads
        assert window.header.clock.text() in expected
        assert datetime.now().astimezone().utcoffset() != datetime.now(building).utcoffset()  # the test means it
    finally:
        window.shutdown()
