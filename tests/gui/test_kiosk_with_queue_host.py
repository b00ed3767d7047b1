"""A kiosk and a counter console of a real building: the queue is the queue host, over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from kiosk.catalog import default_catalog_path, load_catalog
from kiosk.config import Config, QueueSection
from kiosk.core import Core, build_core, service_rules
from kiosk.flow import Step
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import DeviceGrant, RunningServer, create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.ui.citizen.window import KioskWindow
from kiosk.ui.counter import CounterWindow
from kiosk.ui.speech import Speaker

KIOSK_TOKEN = "kiosk-token-0123456789abcdef"
COUNTER_TOKEN = "counter-token-0123456789abcdef"


@pytest.fixture
def queue_host(tmp_path: Path) -> Iterator[str]:
    catalog = load_catalog(default_catalog_path())
    engine = QueueEngine.open(tmp_path / "host.db", service_rules(catalog), ZoneInfo("Asia/Jakarta"))
    server = RunningServer(create_app(engine, {KIOSK_TOKEN: DeviceGrant("kiosk-01", "kiosk"),
                                               COUNTER_TOKEN: DeviceGrant("loket-01", "counter")}))
    yield server.url
    server.stop()
    engine.close()


def walk_to_confirm(kiosk: KioskWindow, core: Core) -> None:
    kiosk.start_normal()
    kiosk.choose_service(core.catalog.service("KTP-EL"))
    kiosk.after_requirements()
    for digit in "3171014501900001":
        kiosk.screens[Step.IDENTIFY]._type_digit(digit)
    kiosk.screens[Step.IDENTIFY]._submit()


def terminal(config: Config, url: str, token: str) -> Core:
    return build_core(dataclasses.replace(config, queue=QueueSection(host_url=url, device_token=token)))


def test_ticket_from_the_kiosk_is_called_at_the_counter(qtbot, config: Config, queue_host: str) -> None:
    kiosk_core = terminal(config, queue_host, KIOSK_TOKEN)
    counter_core = terminal(config, queue_host, COUNTER_TOKEN)
    try:
        assert isinstance(kiosk_core.queue, HttpQueue)
        kiosk = KioskWindow(kiosk_core.config, kiosk_core.catalog, kiosk_core.queue, Speaker(enabled=False))
        counter = CounterWindow(counter_core.config, counter_core.catalog, counter_core.queue)
        for window in (kiosk, counter):
            qtbot.addWidget(window)
            window.show()
        walk_to_confirm(kiosk, kiosk_core)
        with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000) as blocker:
            qtbot.mouseClick(kiosk.screens[Step.CONFIRM].confirm_button, Qt.MouseButton.LeftButton)
        assert blocker.args[0].ticket.number == "A-001"
        qtbot.waitUntil(lambda: counter.waiting_list.count() == 1 and "A-001" in counter.waiting_list.item(0).text(),
                        timeout=10_000)  # arrived through the host's event stream
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counter.current_number.text() == "A-001", timeout=10_000)
    finally:
        kiosk_core.close()
        counter_core.close()


def test_unreachable_host_tells_the_citizen_to_retry(qtbot, config: Config, tmp_path: Path) -> None:
    core = terminal(config, "http://127.0.0.1:9", KIOSK_TOKEN)  # nothing listens on port 9
    try:
        kiosk = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False))
        qtbot.addWidget(kiosk)
        kiosk.show()
        walk_to_confirm(kiosk, core)
        confirm = kiosk.screens[Step.CONFIRM]
        qtbot.mouseClick(confirm.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: confirm.error.isVisible(), timeout=15_000)
        assert "Sistem antrian belum terhubung" in confirm.error.text()
        assert confirm.confirm_button.text() == "Coba lagi"
    finally:
        core.close()
