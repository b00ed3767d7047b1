"""The local application store: one transaction per save, encryption at rest, keys, damaged files,
a full disk, retention, and records queued by other areas."""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.storage.store import StoreError
from kiosk.sync.outbox import DB_FILE, KEY_FILE, ApplicationStore
from kiosk.sync.outbox_values import ApplicationDataGone, Attachment, NewApplication

NIK = "3171011508900001"
PHOTO = os.urandom(200_000)


def new_app(**changes: object) -> NewApplication:
    values = dict(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={"alasan": "hilang", "rt": "003"},
                  attachments=[Attachment("ktp_photo", "image/jpeg", PHOTO),
                               Attachment("face", "image/jpeg", b"face-bytes-" + os.urandom(1000))],
                  ticket_number="A012", lang="id")
    values.update(changes)
    return NewApplication(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(data_dir: Path) -> ApplicationStore:
    made = ApplicationStore(data_dir, status_url_template="https://mpp.example.go.id/status/{id}",
                            clock=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=7))))
    yield made
    made.close()


def test_save_writes_application_attachments_and_outbox_entry(store: ApplicationStore) -> None:
    app = new_app()
    saved = store.save(app)
    assert saved.number == "APP-20261123-0001"
    assert saved.status_url == f"https://mpp.example.go.id/status/{app.id}"
    assert store.save(new_app()).number == "APP-20261123-0002"
    assert store.counts() == {"pending": 2, "sending": 0, "sent": 0, "rejected": 0}
    outgoing = store.outgoing_application(app.id)
    assert outgoing.body["nik"] == NIK and outgoing.body["fields"] == {"alasan": "hilang", "rt": "003"}
    assert [a.kind for a in outgoing.attachments] == ["ktp_photo", "face"]
    assert store.blob(outgoing.attachments[0].sha256) == PHOTO
    state = store.status(app.id)
    assert state is not None and state.sync_state == "pending" and state.nik_masked == "3171********0001"


def test_saving_the_same_id_twice_is_harmless_but_other_content_is_refused(store: ApplicationStore) -> None:
    app = new_app()
    assert store.save(app) == store.save(app)
    assert store.counts()["pending"] == 1
    with pytest.raises(ValueError, match="other content"):
        store.save(new_app(id=app.id, fields={"alasan": "rusak"}))


def test_the_same_photo_is_stored_once(store: ApplicationStore) -> None:
    store.save(new_app())
    store.save(new_app())
    with store.db.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM blobs WHERE size=?", (len(PHOTO),)).fetchone()[0] == 1


def test_bad_applications_are_refused_before_anything_is_written(store: ApplicationStore) -> None:
    for bad in (new_app(id="not-a-uuid"), new_app(nik="123"), new_app(service_code=""),
                new_app(attachments=[Attachment("ktp", "image/jpeg", b"")]), new_app(fields={"x": object()}),
                new_app(fields={"x": float("nan")}), new_app(fields={"x": float("inf")})):
        with pytest.raises(ValueError):
            store.save(bad)
    assert sum(store.counts().values()) == 0


@pytest.mark.parametrize("nik", ["3171012345670001",   # month 45
                                 "9971010101900001",   # no such province
                                 "3171013104900001"])  # 31 April
def test_a_nik_that_breaks_the_keypads_rules_is_refused_at_the_store_without_echoing_it(
        store: ApplicationStore, nik: str) -> None:
    """The store is a door of its own: the same NIK rules as the keypad, not just "16 digits"."""
    with pytest.raises(ValueError, match="not a valid NIK") as refused:
        store.save(new_app(nik=nik))
    assert nik not in str(refused.value)
    assert sum(store.counts().values()) == 0


def test_personal_data_is_encrypted_at_rest(store: ApplicationStore, data_dir: Path) -> None:
    store.save(new_app(fields={"nama_ibu": "SITI AMINAH"}))
    store.close()
    raw = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.name.startswith(DB_FILE))
    assert NIK.encode() not in raw
    assert b"SITI AMINAH" not in raw
    assert PHOTO[:64] not in raw
    assert (data_dir / KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_a_tampered_ciphertext_is_detected_not_decrypted(store: ApplicationStore) -> None:
    app = new_app()
    store.save(app)
    other = new_app()
    store.save(other)
    with store.db.transaction() as conn:  # copy another row's sealed NIK onto this row
        conn.execute("UPDATE applications SET nik_enc=(SELECT nik_enc FROM applications WHERE id=?) WHERE id=?",
                     (other.id, app.id))
    with pytest.raises(ApplicationDataGone, match="integrity"):
        store.outgoing_application(app.id)


def test_a_missing_or_foreign_key_stops_the_store_without_replacing_anything(data_dir: Path) -> None:
    with ApplicationStore(data_dir) as store:
        store.save(new_app())
    key = data_dir / KEY_FILE
    original = key.read_bytes()
    key.unlink()
    with pytest.raises(StoreError, match="key .*missing"):
        ApplicationStore(data_dir)
    assert not key.exists()
    key.write_bytes(os.urandom(32))
    with pytest.raises(StoreError, match="does not belong"):
        ApplicationStore(data_dir)
    key.write_bytes(original)
    with ApplicationStore(data_dir) as store:
        assert store.counts()["pending"] == 1


def test_a_damaged_database_is_reported_and_left_untouched(data_dir: Path) -> None:
    with ApplicationStore(data_dir) as store:
        for _ in range(3):
            store.save(new_app())
    path = data_dir / DB_FILE
    data = bytearray(path.read_bytes())
    data[4096:8192] = os.urandom(4096)  # wreck a page in the middle
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        ApplicationStore(data_dir)
    assert path.read_bytes() == before
    garbage = data_dir / "other"
    garbage.mkdir()
    (garbage / DB_FILE).write_bytes(b"this is not sqlite at all" * 10)
    with pytest.raises(StoreError, match="untouched"):
        ApplicationStore(garbage)


def test_a_full_disk_during_save_raises_a_human_error_and_writes_nothing(store: ApplicationStore) -> None:
    store.save(new_app())
    with store.db.reading() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 5}")  # room for a few pages only: the disk is "full"
    big = new_app(attachments=[Attachment("ktp_photo", "image/jpeg", os.urandom(2_000_000))])
    with pytest.raises(StoreError, match="disk is full"):
        store.save(big)
    assert store.counts()["pending"] == 1
    assert store.status(big.id) is None
    with store.db.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 2
        assert conn.execute("SELECT last FROM day_numbers").fetchone()[0] == 1


def test_retention_deletes_personal_data_only_after_confirmed_sync_plus_the_period(store: ApplicationStore) -> None:
    synced, waiting = new_app(), new_app(attachments=[Attachment("ktp_photo", "image/jpeg", PHOTO)])
    store.save(synced)
    store.save(waiting)
    seq = {i.ref_id: i.seq for i in store.items()}
    store.mark_sent(seq[synced.id], central_status="received")
    now = datetime.now(UTC)
    assert store.purge_expired(30, now=now) == 0
    assert store.purge_expired(30, now=now + timedelta(days=31)) == 1
    with pytest.raises(ApplicationDataGone, match="retention"):
        store.outgoing_application(synced.id)
    assert store.outgoing_application(waiting.id).body["nik"] == NIK
    assert store.blob(store.outgoing_application(waiting.id).attachments[0].sha256) == PHOTO  # shared photo kept
    state = store.status(synced.id)
    assert state is not None and state.nik_masked == "3171********0001" and state.sync_state == "sent"


def test_records_from_other_areas_share_the_ordered_outbox(store: ApplicationStore) -> None:
    store.save(new_app())
    assert store.enqueue_record("survey", "s-1", {"rating": 5}) is True
    assert store.enqueue_record("survey", "s-1", {"rating": 5}) is False
    store.enqueue_record("queue_stats", "2026-11-23/kiosk-01", {"issued": 40})
    assert [i.kind for i in store.due()] == ["application", "survey", "queue_stats"]
    assert store.record_payload(store.due()[1]) == {"rating": 5}
    assert store.counts("survey")["pending"] == 1
    with pytest.raises(ValueError):
        store.enqueue_record("application", "x", {})


def test_rejected_items_keep_their_reason_and_can_be_sent_again(store: ApplicationStore) -> None:
    app = new_app()
    store.save(app)
    item = store.due()[0]
    store.mark_rejected(item.seq, "HTTP 422 invalid_request: nik: bad")
    [rejected] = store.items(state="rejected")
    assert rejected.reason.endswith("nik: bad") and rejected.number == "APP-20261123-0001"
    assert store.due() == []
    assert store.requeue(item.seq) is True and len(store.due()) == 1


def test_a_committed_save_survives_a_reopen(data_dir: Path) -> None:
    with ApplicationStore(data_dir) as store:
        saved = store.save(new_app())
        assert store.db.utils.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with ApplicationStore(data_dir) as again:
        assert again.status(saved.id) is not None
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_find_by_ticket_and_the_backlog_for_diagnostics(store: ApplicationStore, data_dir: Path) -> None:
    from kiosk.config.schema import Config, DeviceSection
    from kiosk.sync import backlog

    config = Config(device=DeviceSection(data_dir=str(data_dir)))
    assert backlog(Config(device=DeviceSection(data_dir=str(data_dir / "none")))) == (0, 0.0)
    app = new_app(ticket_number="B007")
    store.save(app)
    assert store.find_by_ticket("B007") == app.id
    assert store.find_by_ticket("B007", day="2026-11-23", tz=timezone(timedelta(hours=7))) == app.id
    assert store.find_by_ticket("B007", day="2026-11-24") is None
    assert store.find_by_ticket("Z999") is None
    waiting, hours = backlog(config)
    assert waiting == 1 and hours > 0
    store.mark_sent(store.due()[0].seq)
    assert backlog(config) == (0, 0.0)
