"""``kiosk demo``'s central API: starts on loopback, enrolls the kiosk once, survives a restart, and
can be switched "off" and "on" to show items waiting and then draining."""

from __future__ import annotations

import uuid
from pathlib import Path

from sync_helpers import NIK

from central_api.demo import start_demo_central
from kiosk.sync.central_client import CentralClient
from kiosk.sync.engine import SyncEngine
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication


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


def test_engine_for_config_uses_the_saved_credentials(data_dir: Path) -> None:
    import dataclasses

    from kiosk.config.schema import Config, DeviceSection
    from kiosk.sync.engine import engine_for_config

    demo = start_demo_central(data_dir)
    config = Config(device=DeviceSection(data_dir=str(data_dir)))
    config = dataclasses.replace(config, central=dataclasses.replace(config.central, api_url=demo.url))
    try:
        with ApplicationStore(data_dir) as store:
            saved = store.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={}))
            engine = engine_for_config(config, store)
            try:
                report = engine.sync_once()
            finally:
                engine.close()
            assert report.sent == 1 and report.catalog_updated
            assert (data_dir / "central-catalog.json").exists()
            shown = store.public_status(saved.id)
            assert shown is not None and shown["sync_state"] == "sent" and shown["central_status"] == "received"
            assert "nik" not in " ".join(shown)
    finally:
        demo.stop()
