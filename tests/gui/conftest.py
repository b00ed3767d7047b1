"""Fixtures of the GUI tests (the shared ones of every test folder are in tests/conftest.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from gui_touch import COUNTER_TOKEN, KIOSK_TOKEN

from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.core import Core, service_rules
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.ui.kiosk.welcome import WelcomeScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


@pytest.fixture
def kiosk(qtbot, core: Core) -> Iterator[KioskWindow]:
    """The kiosk window, portrait 1080×1920, speech off, over the in-process queue (a module may define its own)."""
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    show_every_way_in(window)
    window.show()
    yield window
    window.shutdown()


def show_every_way_in(window: KioskWindow) -> None:
    """The welcome screen as on a kiosk that also offers bookings and complaints: all its buttons shown."""
    welcome = window.screens.get(Step.WELCOME)
    if isinstance(welcome, WelcomeScreen):
        welcome.booking_button.show()
        welcome.complaint_button.show()


@pytest.fixture
def queue_host(tmp_path: Path) -> Iterator[str]:
    """The building's queue host on loopback (shipped catalog), for one kiosk and one counter token."""
    catalog = load_catalog(default_catalog_path())
    engine = QueueEngine.open(tmp_path / "host.db", service_rules(catalog), ZoneInfo("Asia/Jakarta"))
    server = RunningServer(create_app(engine, {KIOSK_TOKEN: DeviceGrant("kiosk-01", "kiosk"),
                                               COUNTER_TOKEN: DeviceGrant("loket-01", "counter")}))
    yield server.url
    server.stop()
    engine.close()


@pytest.fixture
def os_clock_in_sao_paulo() -> Iterator[None]:
    """This machine's own time zone is not the building's (UTC-3 against WIB, UTC+7)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Sao_Paulo"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()
