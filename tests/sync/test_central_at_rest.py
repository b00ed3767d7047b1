"""Issue 21 item 11 (central part): the reference central database holds no NIK and no answer in clear.

A real application (with a photo) and a survey record are filed over HTTP; the SQLite file and its WAL are then
read as bytes, while the server runs and after it stops. The key lives next to the database, 0600. On
PostgreSQL (issue 22) the database's own files and the server's WAL are read the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from central_pg import BOTH, POSTGRES, CentralDb, Cluster, central_db_for
from sync_helpers import ENROLL_CODE, application_body, as_json, sha, signed_request

from central_api.app import RunningCentral
from central_api.stores import SqliteCentralStore, key_path_for, open_store
from kiosk.storage.store import StoreError
from kiosk.sync.central_client import CentralClient

NIK = "3173054708910002"  # valid (a woman born 7 Aug 1991), used nowhere else
ANSWER = "Jalan-Kenanga-Nomor-17-rahasia"
RECORD = "komentar-survei-yang-pribadi"
PHOTO = b"KTP-scan-with-the-citizen's-face " * 300


def _raw(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_nik_and_answers_are_sealed_in_the_file_and_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "central" / "central.sqlite3"
    with RunningCentral(db, enroll_codes=[ENROLL_CODE]) as server:
        with CentralClient(server.url, None) as anonymous:
            creds = anonymous.enroll(ENROLL_CODE)
        with CentralClient(server.url, creds) as client:
            assert client.put_attachment(sha(PHOTO), PHOTO, "image/jpeg") is True
        body = application_body(nik=NIK, fields={"alamat": ANSWER}, attachments=[
            {"kind": "ktp_photo", "content_type": "image/jpeg", "sha256": sha(PHOTO), "size": len(PHOTO)}])
        filed = signed_request(server, creds, "POST", "/v1/applications", body=as_json(body),
                               headers={"Idempotency-Key": body["id"]})
        assert filed.status_code == 201
        with CentralClient(server.url, creds) as client:
            assert client.upload_survey([("s-1", {"comment": RECORD})]).accepted == ["s-1"]
        # the idempotent repeat still works on the sealed row (body_sha256 is of the clear body)
        repeat = signed_request(server, creds, "POST", "/v1/applications", body=as_json(body),
                                headers={"Idempotency-Key": body["id"]})
        assert repeat.status_code == 200 and repeat.json() == filed.json()
        raw = _raw(db)
        assert db.with_name(db.name + "-wal").exists()  # the WAL was really looked at
        for secret in (NIK, ANSWER, RECORD):
            assert secret.encode() not in raw, secret
        assert PHOTO[:40] not in raw and server.store.attachment(sha(PHOTO)) == PHOTO
        found = server.store.application(body["id"], creds.device_id)
        assert found is not None and NIK in found["body"] and ANSWER in found["body"]  # the server still reads it
    for secret in (NIK, ANSWER, RECORD):
        assert secret.encode() not in _raw(db), secret
    key = key_path_for(db)
    assert key.parent == db.parent and key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    reopened = SqliteCentralStore(db)
    try:
        assert reopened.records("survey") == [{"id": "s-1", "payload": {"comment": RECORD}}]
    finally:
        reopened.close()


@pytest.mark.parametrize("central_db", BOTH, indirect=True)
def test_a_missing_or_foreign_key_is_refused_not_replaced(central_db: CentralDb) -> None:
    open_store(central_db.target, central_db.key_path).close()
    key = central_db.key_path or key_path_for(Path(central_db.target))
    original = key.read_bytes()
    key.write_bytes(os.urandom(32))
    with pytest.raises(StoreError, match="does not belong"):
        open_store(central_db.target, central_db.key_path)
    key.unlink()
    with pytest.raises(StoreError, match="missing"):
        open_store(central_db.target, central_db.key_path)
    assert not key.exists()  # not silently replaced by a new key
    key.write_bytes(original)
    open_store(central_db.target, central_db.key_path).close()


def test_postgresql_files_hold_no_nik_answer_record_or_photo(pg_cluster: Cluster, tmp_path: Path,
                                                             request: pytest.FixtureRequest) -> None:
    import psycopg

    db = central_db_for(POSTGRES, tmp_path, request)  # dropped at the end
    with RunningCentral(db.target, key_path=db.key_path, enroll_codes=[ENROLL_CODE]) as server:
        with CentralClient(server.url, None) as anonymous:
            creds = anonymous.enroll(ENROLL_CODE)
        with CentralClient(server.url, creds) as client:
            assert client.put_attachment(sha(PHOTO), PHOTO, "image/jpeg") is True
            assert client.upload_survey([("s-1", {"comment": RECORD})]).accepted == ["s-1"]
        body = application_body(nik=NIK, fields={"alamat": ANSWER}, attachments=[
            {"kind": "ktp_photo", "content_type": "image/jpeg", "sha256": sha(PHOTO), "size": len(PHOTO)}])
        filed = signed_request(server, creds, "POST", "/v1/applications", body=as_json(body),
                               headers={"Idempotency-Key": body["id"]})
        assert filed.status_code == 201
        found = server.store.application(body["id"], creds.device_id)
        assert found is not None and NIK in found["body"]
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # the rows are in the table files now, not only in the WAL
        row = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", (str(db.target).rsplit("/", 1)[1],))
        oid = row.fetchone()[0]  # type: ignore[index]  # the database was just made
    files = [*(pg_cluster.data / "base" / str(oid)).rglob("*"), *(pg_cluster.data / "pg_wal").glob("0*")]
    raw = b"".join(f.read_bytes() for f in files if f.is_file())
    assert len(raw) > 1_000_000 and body["number"].encode() in raw  # the right files were read (the number is clear)
    for secret in (NIK, ANSWER, RECORD):
        assert secret.encode() not in raw, secret
    assert PHOTO[:40] not in raw
