"""The sync engine against the reference central API over real HTTP on loopback, with faults."""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from pathlib import Path

import pytest
import requests
from central_pg import BOTH
from sync_helpers import ADMIN_TOKEN, NIK, application_body

from central_api.app import RunningCentral
from kiosk.sync.central_client import CentralClient, DeviceCredentials
from kiosk.sync.engine import SyncEngine, sync_status
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication

SHARED_PHOTO = os.urandom(30_000)


def new_app(index: int, *, attachments: bool = True) -> NewApplication:
    files = [Attachment("ktp_photo", "image/jpeg", os.urandom(20_000) + index.to_bytes(4, "big")),
             Attachment("pas_foto", "image/jpeg", SHARED_PHOTO)] if attachments else []
    return NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={"n": index},
                          attachments=files, ticket_number=f"A{index:03d}")


@pytest.fixture
def store(data_dir: Path) -> ApplicationStore:
    made = ApplicationStore(data_dir)
    yield made
    made.close()


def engine_for(store: ApplicationStore, client: CentralClient, tmp_path: Path | None = None) -> SyncEngine:
    return SyncEngine(store, client, backoff_base=0.001, backoff_max=0.01, rng=random.Random(3),
                      catalog_cache=(tmp_path / "catalog.json") if tmp_path else None)


@pytest.mark.slow
@pytest.mark.parametrize("central_db", BOTH, indirect=True)
def test_200_applications_arrive_exactly_once_through_failures_and_lost_answers(
        central: RunningCentral, client: CentralClient, store: ApplicationStore) -> None:
    saved = [store.save(new_app(i)) for i in range(200)]
    central.faults.fail_rate = 0.30
    central.faults.drop_after_commit_rate = 0.10
    engine = engine_for(store, client)
    report = engine.drain(max_seconds=240)
    central.faults.off()
    assert report.stopped == "drained", report
    assert report.retries > 50  # the faults really happened
    assert store.counts() == {"pending": 0, "sending": 0, "sent": 200, "rejected": 0}
    # exactly 200, each once, in the order they were saved
    assert central.store.application_ids() == [s.id for s in saved]
    for app_id in central.store.application_ids():
        body = json.loads(central.store.application(app_id)["body"])
        local = store.outgoing_application(app_id)
        assert body["nik"] == NIK and body["number"] == local.body["number"]
        for ref in body["attachments"]:
            data = central.store.attachment(ref["sha256"])
            assert data is not None and hashlib.sha256(data).hexdigest() == ref["sha256"]
            assert data == store.blob(ref["sha256"])
    assert central.store.count("attachments") == 201  # the shared photo once


def test_a_refused_item_is_flagged_with_the_reason_and_the_rest_still_go(
        central: RunningCentral, client: CentralClient, store: ApplicationStore) -> None:
    first, second, third = (store.save(new_app(i, attachments=False)) for i in range(3))
    # the server already holds the second id with another body (e.g. a restored backup of another kiosk)
    other = application_body(second.id)
    client.put_application(second.id, {k: v for k, v in other.items() if k != "id"})
    report = engine_for(store, client).drain()
    assert report.sent == 2 and report.rejected == 1 and report.stopped == "drained"
    [rejected] = store.items(state="rejected")
    assert rejected.ref_id == second.id and "422 idempotency_conflict" in rejected.reason
    assert {first.id, third.id} <= set(central.store.application_ids())
    status = sync_status(store)
    assert status["counts"]["rejected"] == 1 and "different body" in status["rejected"][0]["reason"]


def test_a_refused_device_stops_the_pass_without_blaming_the_items(
        central: RunningCentral, creds: DeviceCredentials, store: ApplicationStore) -> None:
    store.save(new_app(0, attachments=False))
    with CentralClient(central.url, DeviceCredentials(creds.device_id, "not-the-secret")) as wrong:
        report = engine_for(store, wrong).drain(max_seconds=5)
    assert report.stopped == "not_accepted" and "signature" in report.error
    assert store.counts()["pending"] == 1 and store.counts()["rejected"] == 0


def test_unreachable_server_leaves_items_pending_with_the_error(store: ApplicationStore, creds: DeviceCredentials,
                                                                central: RunningCentral) -> None:
    store.save(new_app(0, attachments=False))
    with CentralClient("http://127.0.0.1:9", creds, timeout=1) as nowhere:
        report = engine_for(store, nowhere).drain()
    assert report.stopped == "unavailable"
    [item] = store.items()
    assert item.state == "pending" and item.attempts == 1 and "ConnectionError" in item.last_error


def test_statuses_catalog_and_records_are_pulled_and_pushed(
        central: RunningCentral, client: CentralClient, store: ApplicationStore, tmp_path: Path) -> None:
    saved = store.save(new_app(0))
    store.enqueue_record("survey", "s-1", {"rating": 4})
    store.enqueue_record("survey", "s-2", {"rating": 5})
    store.enqueue_record("queue_stats", "2026-11-23/kiosk-01", {"issued": 12})
    engine = engine_for(store, client, tmp_path)
    report = engine.sync_once()
    assert report.sent == 4 and report.catalog_updated
    assert json.loads((tmp_path / "catalog.json").read_text())["services"]
    assert [r["id"] for r in central.store.records("survey")] == ["s-1", "s-2"]
    requests.post(f"{central.url}/admin/applications/{saved.id}/status", json={"status": "approved", "note": "ok"},
                  headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5).raise_for_status()
    again = engine.sync_once()
    assert again.statuses_updated == 1 and not again.catalog_updated  # ETag unchanged
    state = store.status(saved.id)
    assert state is not None and state.central_status == "approved" and state.central_note == "ok"


def test_backoff_grows_exponentially_with_jitter_and_a_cap(store: ApplicationStore, client: CentralClient) -> None:
    engine = SyncEngine(store, client, backoff_base=1.0, backoff_max=60.0, rng=random.Random(1))
    for failures, full in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (12, 60.0)):
        delays = [engine.backoff_delay(failures) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 40  # jittered


def test_backoff_starts_over_once_an_item_got_through(central: RunningCentral, client: CentralClient,
                                                      store: ApplicationStore) -> None:
    for i in range(40):
        store.save(new_app(i, attachments=False))
    central.faults.fail_rate = 0.3
    waits: list[float] = []
    engine = SyncEngine(store, client, backoff_base=0.001, backoff_max=1.0, rng=random.Random(5),
                        sleep=waits.append)
    report = engine.drain(max_seconds=60)
    assert report.stopped == "drained" and report.sent == 40 and len(waits) >= 5
    # long runs of failures in a row are rare at 30 %; without the reset every wait would climb to the cap
    assert max(waits) < 0.1
