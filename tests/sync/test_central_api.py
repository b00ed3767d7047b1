"""The reference central API over real HTTP on loopback: enrollment, signatures, idempotency,
attachments by hash, limits, statuses, catalog, records."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from central_pg import BOTH
from sync_helpers import ADMIN_TOKEN, ENROLL_CODE, application_body, as_json, sha, signed_request

from central_api.app import RunningCentral
from central_api.contract import MAX_ATTACHMENT_BYTES, MAX_JSON_BYTES
from kiosk.sync.central_client import CentralClient, CentralRejected, DeviceCredentials

CENTRAL_STORES = BOTH  # every test using `central` runs on SQLite and on PostgreSQL (tests/central_pg.py)

# -- enrollment -------------------------------------------------------------------------------

def test_enrollment_code_is_one_time_but_a_lost_answer_can_be_fetched_again(central: RunningCentral) -> None:
    body = {"code": ENROLL_CODE, "device_name": "k1", "request_id": "req-0000000001"}
    first = requests.post(central.url + "/v1/enroll", json=body, timeout=5)
    assert first.status_code == 201
    again = requests.post(central.url + "/v1/enroll", json=body, timeout=5)
    assert again.status_code == 200 and again.json() == first.json()
    other = requests.post(central.url + "/v1/enroll", json={**body, "request_id": "req-0000000002"}, timeout=5)
    assert other.status_code == 403 and other.json()["error"] == "enroll_refused"
    unknown = requests.post(central.url + "/v1/enroll", json={**body, "code": "nope-nope"}, timeout=5)
    assert unknown.status_code == 403


def test_enroll_saves_credentials_readable_only_by_the_owner(central: RunningCentral, data_dir) -> None:
    with CentralClient(central.url, None, data_dir=data_dir) as client:
        creds = client.enroll(ENROLL_CODE)
    saved = data_dir / "central-device.json"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert DeviceCredentials.load(saved) == creds
    assert creds.secret not in repr(creds)
    with CentralClient.from_data_dir(central.url, data_dir) as again:
        assert again.catalog()[0] is not None  # signed with the saved secret


# -- signatures -------------------------------------------------------------------------------

def test_unsigned_unknown_and_badly_signed_requests_are_refused(central: RunningCentral,
                                                                creds: DeviceCredentials) -> None:
    assert requests.get(central.url + "/v1/catalog", timeout=5).json()["error"] == "unsigned"
    stranger = DeviceCredentials("dev-unknown", "x" * 40)
    response = signed_request(central, stranger, "GET", "/v1/catalog")
    assert response.status_code == 401 and response.json()["error"] == "unknown_device"
    response = signed_request(central, creds, "GET", "/v1/catalog", secret="wrong-secret")
    assert response.status_code == 401 and response.json()["error"] == "bad_signature"


def test_a_changed_body_breaks_the_signature(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = as_json({"sha256": ["a" * 64]})
    headers = __import__("kiosk.sync.signing", fromlist=["x"]).sign_headers(
        creds.device_id, creds.secret, "POST", "/v1/missing-attachments", body)
    tampered = as_json({"sha256": ["b" * 64]})
    response = requests.post(central.url + "/v1/missing-attachments", data=tampered,
                             headers={**headers, "Content-Type": "application/json"}, timeout=5)
    assert response.status_code == 401 and response.json()["error"] == "bad_signature"
    good = requests.post(central.url + "/v1/missing-attachments", data=body,
                         headers={**headers, "Content-Type": "application/json"}, timeout=5)
    assert good.status_code == 200


def test_clock_skew_is_refused_with_the_server_time(central: RunningCentral, creds: DeviceCredentials) -> None:
    response = signed_request(central, creds, "GET", "/v1/catalog", now=time.time() - 3600)
    assert response.status_code == 401
    data = response.json()
    assert data["error"] == "clock_skew" and abs(data["server_time"] - time.time()) < 60


def test_the_client_corrects_a_wrong_clock_once(central: RunningCentral, creds: DeviceCredentials,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with CentralClient(central.url, creds) as client:
        client._clock_offset = -7200.0  # as if the kiosk's clock were two hours behind
        data, etag = client.catalog()
    assert data is not None and etag


def test_a_replayed_request_is_refused(central: RunningCentral, creds: DeviceCredentials) -> None:
    first = signed_request(central, creds, "GET", "/v1/catalog", nonce="n" * 32)
    assert first.status_code == 200
    replay = signed_request(central, creds, "GET", "/v1/catalog", nonce="n" * 32)
    assert replay.status_code == 401 and replay.json()["error"] == "replayed"


# -- applications -----------------------------------------------------------------------------

def test_application_idempotency_codes(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = application_body()
    key = {"Idempotency-Key": body["id"]}
    first = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body), headers=key)
    assert first.status_code == 201 and first.json()["status"] == "received"
    repeat = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body), headers=key)
    assert repeat.status_code == 200 and repeat.json() == first.json()
    assert repeat.headers["Idempotent-Replayed"] == "true"
    changed = signed_request(central, creds, "POST", "/v1/applications",
                             body=as_json({**body, "fields": {"alasan": "rusak"}}), headers=key)
    assert changed.status_code == 422 and changed.json()["error"] == "idempotency_conflict"
    assert central.store.count_applications() == 1
    no_key = signed_request(central, creds, "POST", "/v1/applications", body=as_json(application_body()))
    assert no_key.status_code == 400 and no_key.json()["error"] == "idempotency_key_missing"
    wrong_key = signed_request(central, creds, "POST", "/v1/applications", body=as_json(application_body()),
                               headers={"Idempotency-Key": str(uuid.uuid4())})
    assert wrong_key.status_code == 422


def test_a_retry_while_the_first_is_in_flight_gets_409(central: RunningCentral, creds: DeviceCredentials) -> None:
    central.faults.in_flight_delay_s = 0.6
    body = application_body()
    key = {"Idempotency-Key": body["id"]}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(signed_request, central, creds, "POST", "/v1/applications", body=as_json(body),
                            headers=key)
        time.sleep(0.25)
        second = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body), headers=key)
        assert second.status_code == 409 and second.json()["error"] == "in_flight"
        assert second.headers["Retry-After"] == "1"
        assert first.result().status_code == 201
    central.faults.in_flight_delay_s = 0
    after = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body), headers=key)
    assert after.status_code == 200


def test_an_application_needs_its_attachments_first(central: RunningCentral, client: CentralClient) -> None:
    photo = b"\xff\xd8 a document photo" * 100
    ref = {"kind": "ktp_photo", "content_type": "image/jpeg", "sha256": sha(photo), "size": len(photo)}
    body = application_body(attachments=[ref])
    response = signed_request(central, client.credentials, "POST", "/v1/applications", body=as_json(body),
                              headers={"Idempotency-Key": body["id"]})
    assert response.status_code == 409 and response.json()["missing"] == [sha(photo)]
    assert central.store.count_applications() == 0
    assert client.put_attachment(sha(photo), photo, "image/jpeg") is True
    receipt = client.put_application(body["id"], {k: v for k, v in body.items() if k != "id"})
    assert receipt.created and receipt.number == "APP-20261123-0001"


def test_invalid_application_is_refused_with_a_reason_and_nothing_is_stored(central: RunningCentral,
                                                                            creds: DeviceCredentials) -> None:
    body = application_body(nik="12345")
    response = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body),
                              headers={"Idempotency-Key": body["id"]})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request" and "nik" in response.json()["message"]
    broken = signed_request(central, creds, "POST", "/v1/applications", body=b'{"id": ',
                            headers={"Idempotency-Key": body["id"]})
    assert broken.status_code == 422
    assert central.store.count_applications() == 0


# -- attachments ------------------------------------------------------------------------------

def test_attachments_by_hash(central: RunningCentral, client: CentralClient) -> None:
    data = b"\x89PNG fake image bytes" * 50
    digest = sha(data)
    assert client.missing_attachments([digest, "0" * 64]) == {digest, "0" * 64}
    assert client.put_attachment(digest, data, "image/png") is True
    assert client.put_attachment(digest, data, "image/png") is False  # identical re-upload: nothing new
    assert client.missing_attachments([digest, "0" * 64]) == {"0" * 64}
    assert central.store.attachment(digest) == data
    with pytest.raises(CentralRejected) as refused:
        client.put_attachment("1" * 64, data, "image/png")
    assert refused.value.status == 422 and refused.value.code == "hash_mismatch"
    assert central.store.attachment("1" * 64) is None


def test_oversized_bodies_get_413_and_nothing_is_stored(central: RunningCentral, client: CentralClient) -> None:
    big = b"\0" * (MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(CentralRejected) as refused:
        client.put_attachment(sha(big), big, "image/jpeg")
    assert refused.value.status == 413 and "larger" in refused.value.message
    assert central.store.attachment(sha(big)) is None
    huge_fields = application_body(fields={"x": "y" * MAX_JSON_BYTES})
    response = signed_request(central, client.credentials, "POST", "/v1/applications", body=as_json(huge_fields),
                              headers={"Idempotency-Key": huge_fields["id"]})
    assert response.status_code == 413
    assert central.store.count_applications() == 0


# -- statuses, catalog, records ---------------------------------------------------------------

def test_status_changes_are_visible_to_the_kiosk_and_the_public_page(central: RunningCentral,
                                                                   client: CentralClient) -> None:
    body = application_body()
    client.put_application(body["id"], {k: v for k, v in body.items() if k != "id"})
    assert client.application_status(body["id"]).status == "received"
    changed = requests.post(f"{central.url}/admin/applications/{body['id']}/status",
                            json={"status": "approved", "note": "Selesai, silakan ambil."},
                            headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5)
    assert changed.status_code == 200
    assert [s.status for s in client.application_statuses([body["id"], str(uuid.uuid4())])] == ["approved"]
    public = requests.get(f"{central.url}/v1/public/applications/{body['id']}", timeout=5).json()
    assert public == {"number": "APP-20261123-0001", "status": "approved", "updated_at": public["updated_at"]}
    assert "nik" not in requests.get(f"{central.url}/status/{body['id']}", timeout=5).text.lower()
    no_admin = requests.post(f"{central.url}/admin/applications/{body['id']}/status", json={"status": "completed"},
                             timeout=5)
    assert no_admin.status_code == 404


def test_catalog_with_etag(client: CentralClient) -> None:
    data, etag = client.catalog()
    assert data is not None and len(data["services"]) > 10 and etag
    assert client.catalog(etag) == (None, etag)
    assert client.catalog('"stale"')[0] == data


def test_records_are_kept_once_and_a_reused_id_is_a_conflict(central: RunningCentral, client: CentralClient) -> None:
    first = client.upload_survey([("r1", {"rating": 5}), ("r2", {"rating": 3})])
    assert first.accepted == ["r1", "r2"] and not first.duplicates and not first.conflicts
    again = client.upload_survey([("r1", {"rating": 5}), ("r2", {"rating": 4}), ("r3", {"rating": 1})])
    assert again.accepted == ["r3"] and again.duplicates == ["r1"] and set(again.conflicts) == {"r2"}
    assert client.upload_queue_stats([("2026-11-23/kiosk-01", {"issued": 120})]).accepted == ["2026-11-23/kiosk-01"]
    assert [r["payload"]["rating"] for r in central.store.records("survey")] == [5, 3, 1]
    assert len(central.store.records("queue_stats")) == 1


def test_injected_failures_and_drops(central: RunningCentral, client: CentralClient) -> None:
    from kiosk.sync.central_client import CentralUnavailable

    central.faults.fail_rate = 1.0
    with pytest.raises(CentralUnavailable, match="503"):
        client.catalog()
    central.faults.fail_rate = 0.0
    central.faults.drop_after_commit_rate = 1.0
    body = application_body()
    with pytest.raises(CentralUnavailable):
        client.put_application(body["id"], {k: v for k, v in body.items() if k != "id"})
    assert central.store.count_applications() == 1  # committed, the answer was lost
    central.faults.drop_after_commit_rate = 0.0
    receipt = client.put_application(body["id"], {k: v for k, v in body.items() if k != "id"})
    assert receipt.created is False and central.store.count_applications() == 1


def test_health_is_open_and_reports_the_matcher(central: RunningCentral) -> None:
    data = requests.get(central.url + "/v1/health", timeout=5).json()
    assert data["ok"] is True and data["matcher"] is False


def test_concurrent_kiosks_filing_the_same_id_store_it_once(central: RunningCentral, client: CentralClient) -> None:
    body = application_body()
    rest = {k: v for k, v in body.items() if k != "id"}
    results: list[str] = []
    lock = threading.Lock()

    def file_it() -> None:
        try:
            outcome = "created" if client_for_thread().put_application(body["id"], rest).created else "replayed"
        except Exception as exc:
            outcome = type(exc).__name__
        with lock:
            results.append(outcome)

    def client_for_thread() -> CentralClient:
        return CentralClient(central.url, client.credentials)

    threads = [threading.Thread(target=file_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("created") == 1
    assert central.store.count_applications() == 1


def test_registration_lookup_by_nik(tmp_path) -> None:
    from central_api.matcher import Registration, load_registrations
    from kiosk.sync.central_client import registration_lookup

    register = tmp_path / "ids.toml"
    register.write_text('[[registration]]\nnik = "3171011508900001"\nregistration_number = "STR-0001"\n'
                        'profession = "perawat"\n', encoding="utf-8")
    registrations = load_registrations(register)
    assert registrations["3171011508900001"] == Registration("3171011508900001", "STR-0001", "perawat")
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=["reg-code-1"], registrations=registrations) as server:
        with CentralClient(server.url, None) as client:
            client.enroll("reg-code-1")
            assert client.lookup_registration("3171011508900001") == "STR-0001"
            assert client.lookup_registration("3171015505990009") is None
            lookup = registration_lookup(client)
            assert lookup("3171011508900001") == "STR-0001"
            server.faults.fail_rate = 1.0
            assert lookup("3171011508900001") is None  # unreachable: the citizen types it
    register.write_text('[[registration]]\nnik = "1"\nregistration_number = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"registration\[0\]\.nik"):
        load_registrations(register)
