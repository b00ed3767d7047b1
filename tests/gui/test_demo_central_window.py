"""The demo's own central API: applications wait while it is unplugged and drain once it is back."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from central_api.demo import start_demo_central
from kiosk.config.schema import Config
from kiosk.core import open_sync
from kiosk.sync.outbox_values import Attachment, NewApplication
from kiosk.ui.admin.sync_status import DemoCentralPanel
from kiosk.ui.qt.background_sync import BackgroundSync


@pytest.fixture
def demo(config: Config, data_dir: Path) -> Iterator[tuple[object, Config]]:
    central = start_demo_central(data_dir)
    demo_config = dataclasses.replace(config, central=dataclasses.replace(
        config.central, api_url=central.url, sync_interval_seconds=1))
    yield central, demo_config
    central.stop()


def _application(number: int) -> NewApplication:
    return NewApplication(id=str(uuid.uuid4()), service_code="KK", nik="3171014501900001",
                          fields={"reason": f"test {number}"}, ticket_number=f"B-{number:03d}",
                          attachments=[Attachment("kk_photo", "image/jpeg", b"\xff\xd8photo" + bytes([number]))])


def test_unplugging_the_demo_central_api_keeps_applications_waiting_then_they_drain(qtbot, demo) -> None:
    central, config = demo
    sync = BackgroundSync(open_sync(config))
    panel = DemoCentralPanel(central, sync, "id")
    qtbot.addWidget(panel)
    panel.show()
    try:
        assert "TERSAMBUNG" in panel.state.text()
        qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)  # unplug
        assert not central.online and "TERPUTUS" in panel.state.text()
        for n in (1, 2):
            sync.store.save(_application(n))
        sync.worker.sync_now()
        qtbot.waitUntil(lambda: sync.worker.last_report is not None and not sync.worker.running, timeout=15_000)
        assert sync.store.counts("application")["sent"] == 0
        assert sync.store.counts("application")["pending"] == 2
        qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)  # plug back: drains at once
        qtbot.waitUntil(lambda: sync.store.counts("application")["sent"] == 2, timeout=15_000)
        assert central.server.store.count_applications() == 2
        qtbot.waitUntil(lambda: panel.panel.count_labels["sent"].text() == "2", timeout=10_000)
    finally:
        panel.shutdown()
        sync.shutdown()
