"""Issue 21 item 9: on the central API a device sees only its own data.

Two enrolled kiosks A and B on one reference server: B cannot read A's statuses, learn whether A's
photo exists, file with A's attachment hash without uploading the bytes, replay A's application, or
take over A's record ids. Also: a database written before ownership and sealing still opens.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from central_pg import BOTH
from sync_helpers import NIK, application_body, as_json, sha, signed_request

from central_api.app import RunningCentral
from central_api.stores import SqliteCentralStore
from central_api.stores.sqlite import SCHEMA
from kiosk.storage.store import Schema, open_database
from kiosk.sync.central_client import CentralClient, DeviceCredentials

CENTRAL_STORES = BOTH  # every test using `central` runs on SQLite and on PostgreSQL (tests/central_pg.py)

PHOTO = b"\xff\xd8 kiosk A's KTP photo " * 200


@pytest.fixture
def other(central: RunningCentral) -> DeviceCredentials:
    """Kiosk B, enrolled with the fixture server's second code."""
    with CentralClient(central.url, None) as client:
        return client.enroll("second-code-2", device_name="kiosk-b")


def _file(central: RunningCentral, creds: DeviceCredentials, body: dict) -> tuple[int, dict]:
    response = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body),
                              headers={"Idempotency-Key": body["id"]})
    return response.status_code, response.json()


def _filed_by_a(central: RunningCentral, client: CentralClient, creds: DeviceCredentials) -> dict:
    assert client.put_attachment(sha(PHOTO), PHOTO, "image/jpeg") is True
    body = application_body(attachments=[{"kind": "ktp_photo", "content_type": "image/jpeg",
                                          "sha256": sha(PHOTO), "size": len(PHOTO)}])
    status, _answer = _file(central, creds, body)
    assert status == 201
    return body


def test_another_devices_application_looks_unknown(
        central: RunningCentral, client: CentralClient, creds: DeviceCredentials,
        other: DeviceCredentials) -> None:
    body = _filed_by_a(central, client, creds)
    mine = signed_request(central, creds, "GET", f"/v1/applications/{body['id']}")
    assert mine.status_code == 200 and mine.json()["status"] == "received"
    theirs = signed_request(central, other, "GET", f"/v1/applications/{body['id']}")
    unknown = signed_request(central, other, "GET", f"/v1/applications/{uuid.uuid4()}")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json() == {"error": "not_found", "message": "No application with this id."}
    ids = as_json({"ids": [body["id"], str(uuid.uuid4())]})
    batch = signed_request(central, other, "POST", "/v1/application-statuses", body=ids)
    assert batch.status_code == 200 and batch.json() == {"statuses": []}
    own_batch = signed_request(central, creds, "POST", "/v1/application-statuses", body=ids)
    assert [s["id"] for s in own_batch.json()["statuses"]] == [body["id"]]


def test_attachments_belong_to_the_devices_that_uploaded_them(
        central: RunningCentral, client: CentralClient, creds: DeviceCredentials,
        other: DeviceCredentials) -> None:
    _filed_by_a(central, client, creds)
    asked = as_json({"sha256": [sha(PHOTO)]})
    # no existence oracle: A's photo is "missing" for B exactly like a hash nobody has
    assert signed_request(central, other, "POST", "/v1/missing-attachments", body=asked).json() == {
        "missing": [sha(PHOTO)]}
    assert signed_request(central, creds, "POST", "/v1/missing-attachments", body=asked).json() == {
        "missing": []}
    # filing with A's hash without the bytes: refused until B uploads them itself
    borrowed = application_body(attachments=[{"kind": "ktp_photo", "content_type": "image/jpeg",
                                              "sha256": sha(PHOTO), "size": len(PHOTO)}])
    status, answer = _file(central, other, borrowed)
    assert status == 409 and answer["error"] == "attachments_missing" and answer["missing"] == [sha(PHOTO)]
    assert central.store.count_applications() == 1
    with CentralClient(central.url, other) as b:
        assert b.put_attachment(sha(PHOTO), PHOTO, "image/jpeg") is True  # new for B, whoever else has it
        assert b.put_attachment(sha(PHOTO), PHOTO, "image/jpeg") is False
    assert _file(central, other, borrowed)[0] == 201
    assert central.store.count("attachments") == 1  # the bytes kept once
    with central.store.reading() as conn:
        owners = {r["device_id"] for r in conn.execute("SELECT device_id FROM attachment_owners").fetchall()}
    assert owners == {creds.device_id, other.device_id}


def test_replaying_another_devices_application_reveals_nothing(
        central: RunningCentral, client: CentralClient, creds: DeviceCredentials,
        other: DeviceCredentials) -> None:
    body = _filed_by_a(central, client, creds)
    with CentralClient(central.url, other) as b:
        b.put_attachment(sha(PHOTO), PHOTO, "image/jpeg")  # even holding the bytes, the id stays A's
    status, answer = _file(central, other, body)  # the very same body, signed by B
    assert status == 422 and answer["error"] == "idempotency_conflict"
    assert set(answer) == {"error", "message"}
    assert "received_at" not in json.dumps(answer) and body["number"] not in json.dumps(answer)
    assert central.store.application(body["id"], other.device_id) is None
    found = central.store.application(body["id"], creds.device_id)
    assert found is not None and found["device_id"] == creds.device_id
    # A's own repeat still gets its stored answer
    assert _file(central, creds, body)[0] == 200


def test_a_record_id_filed_by_another_device_is_a_conflict_without_data(
        central: RunningCentral, client: CentralClient, other: DeviceCredentials) -> None:
    assert client.upload_survey([("r1", {"rating": 5})]).accepted == ["r1"]
    with CentralClient(central.url, other) as b:
        same = b.upload_survey([("r1", {"rating": 5})])  # the same payload: not even "duplicate"
        different = b.upload_survey([("r1", {"rating": 1})])
    for result in (same, different):
        assert result.accepted == [] and result.duplicates == [] and list(result.conflicts) == ["r1"]
        assert "5" not in result.conflicts["r1"]
    assert same.conflicts == different.conflicts
    assert client.upload_survey([("r1", {"rating": 5})]).duplicates == ["r1"]
    assert [r["payload"] for r in central.store.records("survey")] == [{"rating": 5}]


def test_a_database_from_before_ownership_and_sealing_opens_and_is_sealed(tmp_path: Path) -> None:
    path = tmp_path / "central.sqlite3"
    body = application_body(attachments=[{"kind": "ktp_photo", "content_type": "image/jpeg",
                                          "sha256": sha(PHOTO), "size": len(PHOTO)}],
                            fields={"alasan": "legacy-answer-text"})
    old = open_database(path, Schema("central", SCHEMA.migrations[:1]))
    with old.transaction() as conn:
        conn.execute("INSERT INTO applications(id, device_id, body_sha256, body, number, service_code, status,"
                     " response, received_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (body["id"], "dev-a", "0" * 64, json.dumps(body), body["number"], body["service_code"],
                      "received", "{}", "2026-01-01", "2026-01-01"))
        conn.execute("INSERT INTO attachments(sha256, content_type, size, data, received_at) VALUES (?,?,?,?,?)",
                     (sha(PHOTO), "image/jpeg", len(PHOTO), PHOTO, "2026-01-01"))
        conn.execute("INSERT INTO records(kind, id, device_id, body_sha256, payload, received_at) VALUES "
                     "('survey', 'r1', 'dev-a', 'x', '{\"comment\": \"legacy-record-text\"}', '2026-01-01')")
    old.close()

    store = SqliteCentralStore(path)
    try:
        found = store.application(body["id"], "dev-a")
        assert found is not None and json.loads(found["body"]) == body
        assert store.attachment_sizes([sha(PHOTO)], "dev-a") == {sha(PHOTO): len(PHOTO)}  # owner from the body
        assert store.missing([sha(PHOTO)], "dev-b") == [sha(PHOTO)]
        assert store.attachment(sha(PHOTO)) == PHOTO
        assert store.records("survey") == [{"id": "r1", "payload": {"comment": "legacy-record-text"}}]
        with store.db.reading() as conn:
            assert conn.execute("SELECT body FROM applications").fetchone()[0] == ""
            assert conn.execute("SELECT payload FROM records").fetchone()[0] == ""
            assert conn.execute("SELECT sealed FROM attachments").fetchone()[0] == 1
    finally:
        store.close()
    raw = path.read_bytes()
    assert NIK.encode() not in raw and b"legacy-answer-text" not in raw and b"legacy-record-text" not in raw
    SqliteCentralStore(path).close()  # sealing is done once; a second open changes nothing and works
