"""The central API on PostgreSQL with two uvicorn workers, killed with SIGKILL (the whole process group,
as a crash of the service would) again and again while a kiosk drains to it (issue 22): after it comes
back, every application has arrived exactly once, in order, attachments intact. Nothing of an
interrupted request stays behind: its transaction rolls back and its in-flight claim (an advisory
lock) goes with its connection. A restart of two workers takes seconds, so three kills. The kiosk
killed mid-drain (SQLite server) is tests/sync/test_sync_process.py.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from central_pg import CentralDb, Cluster, free_port
from sync_helpers import NIK

from central_api.stores import CentralStore, open_store
from kiosk.sync.central_client import CentralClient
from kiosk.sync.engine import SyncEngine, SyncReport
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CODE = "crash-test-enroll-code-0001"
APPLICATIONS = 120
KILLS = 3


class CentralProcess:
    """``kiosk central-api`` as its own process group on a fixed port, killed and started again."""

    def __init__(self, db: CentralDb, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [sys.executable, "-m", "kiosk", "central-api", "--port", str(self.port), "--db", str(db.target),
                        "--enroll-code", CODE, "--latency-ms", "5", "--workers", str(workers)]
        if db.key_path:
            self.command += ["--key", str(db.key_path)]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
        env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen(self.command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            assert self.proc.poll() is None and time.monotonic() < deadline, "the central API did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)  # the workers too: nothing shuts down cleanly
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def central_db(pg_cluster: Cluster, tmp_path: Path) -> Iterator[CentralDb]:
    made = pg_cluster.new_database(tmp_path / "central")
    yield made
    pg_cluster.drop(made)


@pytest.fixture
def server(central_db: CentralDb) -> Iterator[CentralProcess]:
    made = CentralProcess(central_db, workers=2)
    made.start()
    yield made
    made.stop()


def test_killing_the_central_api_mid_drain_loses_and_doubles_nothing(server: CentralProcess, central_db: CentralDb,
                                                                     data_dir: Path) -> None:
    shared = os.urandom(4000)
    with ApplicationStore(data_dir) as outbox:
        ids = [outbox.save(NewApplication(
            id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={"i": i},
            attachments=[Attachment("ktp_photo", "image/jpeg", os.urandom(2000) + i.to_bytes(4, "big")),
                         Attachment("pas_foto", "image/jpeg", shared)])).id for i in range(APPLICATIONS)]
        with CentralClient(server.url, None, data_dir=data_dir) as anonymous:
            creds = anonymous.enroll(CODE)
        reports: list[SyncReport] = []
        with CentralClient(server.url, creds, timeout=5) as client:
            engine = SyncEngine(outbox, client, backoff_base=0.02, backoff_max=0.2, rng=random.Random(5))
            drain = threading.Thread(target=lambda: reports.append(engine.drain(max_seconds=180)))
            drain.start()
            rng = random.Random(20261207)
            arrived = []
            try:
                for _ in range(KILLS):
                    time.sleep(rng.uniform(0.5, 1.0))
                    server.kill()
                    arrived.append(_count(central_db))
                    server.start()
            finally:
                drain.join(240)
        assert reports and reports[0].stopped == "drained", reports
        assert 0 < arrived[0] and arrived[-1] < APPLICATIONS  # the kills landed during the drain
        assert outbox.counts() == {"pending": 0, "sending": 0, "sent": APPLICATIONS, "rejected": 0}
        store = open_store(central_db.target, central_db.key_path)
        try:
            assert store.application_ids() == ids  # each once, in order
            for app_id in ids:
                for attachment in outbox.outgoing_application(app_id).attachments:
                    stored = store.attachment(attachment.sha256)
                    assert stored is not None and hashlib.sha256(stored).hexdigest() == attachment.sha256
        finally:
            store.close()


def _count(db: CentralDb) -> int:
    store: CentralStore = open_store(db.target, db.key_path)
    try:
        return store.count_applications()
    finally:
        store.close()
