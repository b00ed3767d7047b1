"""Complaints through the outbox to ``POST /v1/complaints``, exactly once: a lost answer, 5xx, a 422
conflict, the central API down across several rounds and for a (simulated) day, and killed mid-drain."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from central_pg import free_port

from central_api.app import RunningCentral
from central_api.stores import open_store
from kiosk.catalog.services import default_catalog_path
from kiosk.complaints.filing import COMPLAINT_KIND, ComplaintFiling
from kiosk.complaints.model import Category, NewComplaint
from kiosk.sync.central_client import CentralClient, DeviceCredentials
from kiosk.sync.engine import SyncEngine, SyncReport, sync_status
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import ApplicationDataGone

ROOT = Path(__file__).resolve().parents[2]
MPP = "MPP-3171"


@pytest.fixture
def outbox(data_dir: Path) -> Iterator[ApplicationStore]:
    made = ApplicationStore(data_dir)
    yield made
    made.close()


def file_complaints(outbox: ApplicationStore, count: int) -> list[str]:
    filing = ComplaintFiling(outbox, mpp_code=MPP, status_url_template="https://c.example/{reference}/{token}")
    return [filing.file(NewComplaint(Category.FACILITIES, f"Kursi ruang tunggu nomor {n} patah.", anonymous=True)).id
            for n in range(count)]


def engine_for(outbox: ApplicationStore, client: CentralClient) -> SyncEngine:
    return SyncEngine(outbox, client, backoff_base=0.001, backoff_max=0.01, rng=random.Random(4))


def central_ids(central: RunningCentral) -> list[str]:
    with central.store.reading() as conn:
        return [r["id"] for r in conn.execute("SELECT id FROM complaints ORDER BY filed_ms, id").fetchall()]


def test_complaints_arrive_once_through_failures_and_lost_answers(central: RunningCentral, client: CentralClient,
                                                                    outbox: ApplicationStore) -> None:
    ids = file_complaints(outbox, 40)
    central.faults.fail_rate = 0.3               # 503 before anything
    central.faults.drop_after_commit_rate = 0.2  # stored, then the answer is lost
    report = engine_for(outbox, client).drain(max_seconds=120)
    central.faults.off()
    assert report.stopped == "drained" and report.retries > 5, report
    assert outbox.counts(COMPLAINT_KIND) == {"pending": 0, "sending": 0, "sent": 40, "rejected": 0}
    assert sorted(central_ids(central)) == sorted(ids)  # each once
    assert engine_for(outbox, client).drain().sent == 0  # nothing is sent again


def test_a_conflict_is_rejected_with_its_reason_and_the_rest_go(central: RunningCentral, client: CentralClient,
                                                                outbox: ApplicationStore) -> None:
    first, second, third = file_complaints(outbox, 3)
    [item] = [i for i in outbox.items(kind=COMPLAINT_KIND) if i.ref_id == second]
    other = {**outbox.record_payload(item), "text": "Isi yang lain dari kiosk lain."}
    client.post_json("/complaints", other)  # the server already holds this id with another body
    report = engine_for(outbox, client).drain()
    assert (report.sent, report.rejected, report.stopped) == (2, 1, "drained")
    [rejected] = outbox.items(state="rejected")
    assert rejected.ref_id == second and "422 idempotency_conflict" in rejected.reason
    assert {first, third} <= set(central_ids(central))
    assert "different body" in sync_status(outbox)["rejected"][0]["reason"]


def test_the_outbox_holds_them_while_the_api_is_down_for_a_day(creds: DeviceCredentials, outbox: ApplicationStore,
                                                                central: RunningCentral) -> None:
    """Time travel: a drain of 24 hours against a closed port, with the clock and the sleeps simulated."""
    ids = file_complaints(outbox, 5)
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    with CentralClient(f"http://127.0.0.1:{free_port()}", creds, timeout=1) as nowhere:
        engine = SyncEngine(outbox, nowhere, backoff_base=1.0, backoff_max=300.0, rng=random.Random(1),
                            sleep=sleep, monotonic=lambda: clock[0])
        report = engine.drain(max_seconds=24 * 3600)
    assert report.stopped == "unavailable" and clock[0] > 23 * 3600
    assert report.retries > 250  # backed off to 2.5-5 minutes between tries, all day
    assert outbox.counts(COMPLAINT_KIND) == {"pending": 5, "sending": 0, "sent": 0, "rejected": 0}
    first = outbox.items(kind=COMPLAINT_KIND)[0]
    assert first.attempts == report.retries and "ConnectionError" in first.last_error
    with CentralClient(central.url, creds, timeout=5) as back:
        assert engine_for(outbox, back).drain().sent == 5  # the API is back: all five, once
    assert sorted(central_ids(central)) == sorted(ids)


def test_down_then_up_across_sync_rounds(tmp_path: Path, outbox: ApplicationStore, data_dir: Path) -> None:
    """The real server stopped for three rounds and started again on the same port and database."""
    port = free_port()
    server = RunningCentral(tmp_path / "c.sqlite3", port=port, enroll_codes=["down-then-up-code-1"],
                            catalog_path=default_catalog_path())
    with CentralClient(server.url, None, data_dir=data_dir) as anonymous:
        creds = anonymous.enroll("down-then-up-code-1", mpp_code=MPP)
    ids = file_complaints(outbox, 3)
    server.stop()
    with CentralClient(f"http://127.0.0.1:{port}", creds, timeout=2) as client:
        engine = engine_for(outbox, client)
        for _round in range(3):
            assert engine.sync_once().stopped == "unavailable"
        assert outbox.counts(COMPLAINT_KIND)["pending"] == 3
        ids += file_complaints(outbox, 2)  # citizens keep filing meanwhile
        again = RunningCentral(tmp_path / "c.sqlite3", port=port, catalog_path=default_catalog_path())
        try:
            report = engine.sync_once()
            assert (report.stopped, report.sent) == ("drained", 5)
            assert sorted(central_ids(again)) == sorted(ids)
        finally:
            again.stop()


class CentralProcess:
    """``kiosk central-api`` on SQLite as its own process group on a fixed port: killed, started again."""

    def __init__(self, db: Path, code: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.command = [sys.executable, "-m", "kiosk", "central-api", "--port", str(self.port), "--db", str(db),
                        "--enroll-code", code, "--latency-ms", "20"]
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
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def complaint_ids(self) -> list[str]:
        store = open_store(self.db)
        try:
            with store.reading() as conn:
                return [r["id"] for r in conn.execute("SELECT id FROM complaints").fetchall()]
        finally:
            store.close()


@pytest.mark.slow
def test_killing_the_central_api_mid_drain_loses_and_doubles_nothing(tmp_path: Path, data_dir: Path,
                                                                     outbox: ApplicationStore) -> None:
    server = CentralProcess(tmp_path / "central.sqlite3", "kill-complaints-code-1")
    server.start()
    try:
        ids = file_complaints(outbox, 60)
        with CentralClient(server.url, None, data_dir=data_dir) as anonymous:
            creds = anonymous.enroll("kill-complaints-code-1", mpp_code=MPP)
        reports: list[SyncReport] = []
        with CentralClient(server.url, creds, timeout=5) as client:
            engine = SyncEngine(outbox, client, backoff_base=0.02, backoff_max=0.2, rng=random.Random(5))
            drain = threading.Thread(target=lambda: reports.append(engine.drain(max_seconds=120)))
            drain.start()
            arrived = []
            try:
                for _ in range(2):
                    time.sleep(0.4)
                    server.kill()  # SIGKILL mid-request: some complaint's answer never comes
                    arrived.append(len(server.complaint_ids()))
                    server.start()
            finally:
                drain.join(150)
        assert reports and reports[0].stopped == "drained", reports
        assert 0 < arrived[0] < 60, arrived  # really killed mid-way
        assert reports[0].retries >= 2
        assert outbox.counts(COMPLAINT_KIND) == {"pending": 0, "sending": 0, "sent": 60, "rejected": 0}
        assert sorted(server.complaint_ids()) == sorted(ids)  # every one, once
    finally:
        server.stop()


def test_a_filed_complaint_payload_round_trips(central: RunningCentral, client: CentralClient,
                                               outbox: ApplicationStore) -> None:
    filing = ComplaintFiling(outbox, mpp_code=MPP, status_url_template="",
                             clock=lambda: datetime(2026, 12, 7, tzinfo=UTC))
    receipt = filing.file(NewComplaint(Category.STAFF_CONDUCT, "Petugas loket 2 membentak warga lansia.",
                                       phone="+62 812-3456-7890", share_contact=True, service_code="KTP-EL",
                                       ticket_number="a-007", channel="counter", filed_by="clerk-1"))
    assert engine_for(outbox, client).drain().sent == 1
    found = central.app.state.complaints.get(receipt.id)  # the officer's view, through the routes' store
    assert found is not None and found["reference"] == receipt.reference
    assert found["contact"] == {"phone": "+6281234567890", "email": None} and found["channel"] == "counter"
    assert found["filed_by"] == "clerk-1" and found["ticket_number"] == "A-007"
    assert found["filed_at"] == "2026-12-07T00:00:00+00:00"


def test_retention_forgets_a_sent_complaint_but_never_an_unsent_one(central: RunningCentral, client: CentralClient,
                                                                     outbox: ApplicationStore) -> None:
    sent, = file_complaints(outbox, 1)
    assert engine_for(outbox, client).drain().sent == 1
    waiting, = file_complaints(outbox, 1)
    later = datetime.now(UTC) + timedelta(days=31)
    assert outbox.purge_expired(30, now=datetime.now(UTC)) == 0  # not yet
    assert outbox.purge_expired(30, now=later) == 1
    items = {i.ref_id: i for i in outbox.items(kind=COMPLAINT_KIND)}
    with pytest.raises(ApplicationDataGone):
        outbox.record_payload(items[sent])
    assert outbox.record_payload(items[waiting])["text"].startswith("Kursi")  # still to be sent: kept
    assert sorted(central_ids(central)) == [sent]
