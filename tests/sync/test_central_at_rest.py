"""Issue 21 item 11 (central part): the reference central database holds no NIK and no answer in clear.

A real application (with a photo) and a survey record are filed over HTTP; the SQLite file and its WAL are then
read as bytes, while the server runs and after it stops. The key lives next to the database, 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sync_helpers import ENROLL_CODE, application_body, as_json, sha, signed_request

from central_api.app import RunningCentral
from central_api.store import CentralStore, key_path_for
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
    reopened = CentralStore(db)
    try:
        assert reopened.records("survey") == [{"id": "s-1", "payload": {"comment": RECORD}}]
    finally:
        reopened.close()


def test_a_missing_or_foreign_key_is_refused_not_replaced(tmp_path: Path) -> None:
    db = tmp_path / "central.sqlite3"
    CentralStore(db).close()
    key = key_path_for(db)
    original = key.read_bytes()
    key.write_bytes(os.urandom(32))
    with pytest.raises(StoreError, match="does not belong"):
        CentralStore(db)
    key.unlink()
    with pytest.raises(StoreError, match="missing"):
        CentralStore(db)
    assert not key.exists()  # not silently replaced by a new key
    key.write_bytes(original)
    CentralStore(db).close()
