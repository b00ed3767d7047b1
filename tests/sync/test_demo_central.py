"""``kiosk demo``'s central API: starts on loopback, enrolls the kiosk once, survives a restart, and
can be switched "off" and "on" to show items waiting and then draining."""

from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.central.demo import start_demo_central
from kiosk.sync.central_client import CentralClient
from kiosk.sync.engine import SyncEngine
from kiosk.sync.outbox import ApplicationStore, NewApplication

from sync_helpers import NIK


def test_demo_central_enrolls_once_and_can_go_offline(data_dir: Path) -> None:
    demo = start_demo_central(data_dir)
    try:
        assert demo.url.startswith("http://127.0.0.1:")
        device = demo.credentials.device_id
        with ApplicationStore(data_dir) as store, CentralClient.from_data_dir(demo.url, data_dir) as client:
            store.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={}))
            engine = SyncEngine(store, client, backoff_base=0.01)
            demo.set_online(False)
            assert not demo.online
            assert engine.sync_once().stopped == "unavailable" and store.counts()["pending"] == 1
            demo.set_online(True)
            assert engine.sync_once().stopped == "drained" and store.counts()["sent"] == 1
    finally:
        demo.stop()
    url, stop = start_demo_central(data_dir)  # a second start keeps the device and what arrived
    try:
        with CentralClient.from_data_dir(url, data_dir) as client:
            assert client.credentials is not None and client.credentials.device_id == device
            assert client.catalog()[0] is not None
    finally:
        stop()
