"""The GUI's periodic sync: passes run on the worker thread, the report comes back by signal, and
the next pass follows by itself (also after the central API comes back)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sync_helpers import NIK

from central_api.app import RunningCentral
from kiosk.sync.central_client import CentralClient
from kiosk.sync.engine import SyncEngine
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication
from kiosk.ui.qt.sync_worker import SyncWorker


def test_worker_drains_in_the_background_and_keeps_going(qtbot, central: RunningCentral, client: CentralClient,
                                                         data_dir: Path) -> None:
    store = ApplicationStore(data_dir)
    for i in range(3):
        store.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={"i": i}))
    central.faults.fail_rate = 1.0  # the central API is "down" at first
    engine = SyncEngine(store, client, backoff_base=0.05, backoff_max=0.1)
    worker = SyncWorker(engine, interval_seconds=0.2)
    try:
        with qtbot.waitSignal(worker.synced, timeout=10_000) as first:
            worker.start(first_delay_seconds=0)
        assert first.args[0].stopped == "unavailable" and store.counts()["pending"] == 3
        central.faults.fail_rate = 0.0  # back online: the worker retries by itself
        qtbot.waitUntil(lambda: store.counts()["sent"] == 3, timeout=10_000)
        assert central.store.count_applications() == 3
        with qtbot.waitSignal(worker.synced, timeout=10_000):
            worker.sync_now()
    finally:
        worker.stop()
        store.close()
