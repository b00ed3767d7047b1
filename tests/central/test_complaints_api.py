"""The complaint endpoints of the reference central API over real HTTP on loopback, on both stores:
filing once, the officer's list and actions with the state rules, one MPP's complaints kept from another."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from central_pg import BOTH
from complaint_helpers import ADMIN_TOKEN, ENROLL_CODES, PHONE, TEXT, action, call, complaint_body, enroll

from central_api.app import RunningCentral
from kiosk.sync.central_client import DeviceCredentials

CENTRAL_STORES = BOTH


def filed(central: RunningCentral, creds: DeviceCredentials, **changes: Any) -> dict[str, Any]:
    body = complaint_body(**changes)
    answer = call(central, creds, "POST", "/complaints", body, headers={"Idempotency-Key": body["id"]})
    assert answer.status_code == 201, answer.text
    return body


def test_filing_is_idempotent_by_id(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = complaint_body()
    first = call(central, creds, "POST", "/complaints", body)
    assert first.status_code == 201
    assert first.json()["reference"] == body["reference"] and first.json()["state"] == "received"
    again = call(central, creds, "POST", "/complaints", body)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = call(central, creds, "POST", "/complaints", {**body, "text": "Lain lagi."})
    assert changed.status_code == 422 and changed.json()["error"] == "idempotency_conflict"
    other = enroll(central, ENROLL_CODES[1])
    stolen = call(central, other, "POST", "/complaints", body)  # the same id from another device
    assert stolen.status_code == 422 and stolen.json()["error"] == "idempotency_conflict"
    listed = call(central, creds, "GET", "/complaints", query={"mpp_code": "MPP-3171", "state": "all"}).json()
    assert [c["id"] for c in listed["complaints"]] == [body["id"]]


def test_the_officer_reads_and_acts_by_the_rules(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds)
    desk = enroll(central, ENROLL_CODES[1])  # the officer's console, same MPP
    found = call(central, desk, "GET", f"/complaints/{body['id']}").json()
    assert found["text"] == TEXT and found["contact"] == {"phone": "+6281234567890", "email": None}
    assert found["state"] == "received" and found["events"] == [] and found["anonymous"] is False
    respond = action("respond")
    answered = call(central, desk, "POST", f"/complaints/{body['id']}/actions", respond)
    assert answered.status_code == 200 and answered.json()["state"] == "responded"
    first_response_at = answered.json()["first_response_at"]
    assert first_response_at
    repeat = call(central, desk, "POST", f"/complaints/{body['id']}/actions", respond)
    assert repeat.status_code == 200 and repeat.headers["Idempotent-Replayed"] == "true"
    assert len(repeat.json()["events"]) == 1  # applied once
    reused = call(central, desk, "POST", f"/complaints/{body['id']}/actions", {**respond, "text": "Lain."})
    assert reused.status_code == 422 and reused.json()["error"] == "idempotency_conflict"
    forwarded = call(central, desk, "POST", f"/complaints/{body['id']}/actions",
                     action("forward", "Diteruskan.", agency="Disdukcapil Kota Contoh")).json()
    assert forwarded["state"] == "forwarded" and forwarded["forwarded_to"] == "Disdukcapil Kota Contoh"
    assert forwarded["first_response_at"] == first_response_at  # the first action stopped that clock
    closed = call(central, desk, "POST", f"/complaints/{body['id']}/actions",
                  action("close", "Uang dikembalikan.", outcome="resolved")).json()
    assert closed["state"] == "closed" and closed["outcome"] == "resolved" and closed["closed_at"]
    assert [e["action"] for e in closed["events"]] == ["respond", "forward", "close"]
    refused = call(central, desk, "POST", f"/complaints/{body['id']}/actions", action("respond"))
    assert refused.status_code == 409 and refused.json()["error"] == "not_allowed"
    assert "closed" in refused.json()["message"]
    open_now = call(central, desk, "GET", "/complaints", query={"mpp_code": "MPP-3171"}).json()["complaints"]
    closed_now = call(central, desk, "GET", "/complaints", query={"mpp_code": "MPP-3171", "state": "closed"})
    assert open_now == [] and [c["id"] for c in closed_now.json()["complaints"]] == [body["id"]]


@pytest.mark.parametrize(("extra", "field"), [({}, "agency"), ({"agency": "X"}, "agency"), ({"outcome": "resolved"},
                                                                                          "outcome")])
def test_an_action_missing_its_part_is_refused(central: RunningCentral, creds: DeviceCredentials,
                                               extra: dict[str, str], field: str) -> None:
    body = filed(central, creds)
    kind = "forward" if field == "agency" and not extra else "respond"
    answer = call(central, creds, "POST", f"/complaints/{body['id']}/actions", action(kind, **extra))
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_action"
    assert answer.json()["message"].startswith(f"{field}: ")
    close = call(central, creds, "POST", f"/complaints/{body['id']}/actions", action("close"))
    assert close.status_code == 422 and "outcome" in close.json()["message"]


def test_two_officers_closing_at_once_close_once(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds)
    answers: list[int] = []

    def close(officer: str) -> None:
        answers.append(call(central, creds, "POST", f"/complaints/{body['id']}/actions",
                            action("close", officer=officer, outcome="resolved")).status_code)

    threads = [threading.Thread(target=close, args=(f"petugas-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409, 409, 409]
    events = call(central, creds, "GET", f"/complaints/{body['id']}").json()["events"]
    assert len(events) == 1


def test_another_mpp_sees_nothing(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds)
    stranger = enroll(central, ENROLL_CODES[2], mpp_code="MPP-3172")
    listed = call(central, stranger, "GET", "/complaints", query={"mpp_code": "MPP-3171"})
    assert listed.status_code == 403 and listed.json()["error"] == "other_mpp"
    assert call(central, stranger, "GET", "/complaints", query={"mpp_code": "MPP-3172"}).json() == {"complaints": []}
    assert call(central, stranger, "GET", f"/complaints/{body['id']}").status_code == 404
    acted = call(central, stranger, "POST", f"/complaints/{body['id']}/actions", action("respond"))
    assert acted.status_code == 404
    misfiled = call(central, stranger, "POST", "/complaints", complaint_body())  # names MPP-3171
    assert misfiled.status_code == 422 and misfiled.json()["error"] == "other_mpp"


def test_text_contact_and_answers_are_sealed_at_rest(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds)
    call(central, creds, "POST", f"/complaints/{body['id']}/actions", action("respond", "Jawaban rahasia 42."))
    with central.store.reading() as conn:
        rows = [bytes(v) for r in conn.execute("SELECT text_enc, contact_enc FROM complaints").fetchall()
                for v in (r["text_enc"], r["contact_enc"])]
        rows += [bytes(r["text_enc"]) for r in conn.execute("SELECT text_enc FROM complaint_events").fetchall()]
        token_rows = [r["token_sha256"] for r in conn.execute("SELECT token_sha256 FROM complaints").fetchall()]
    assert rows and not any(TEXT.encode() in v or b"6281234567890" in v or b"rahasia" in v for v in rows)
    assert token_rows and body["status_token"] not in token_rows  # only its hash
    assert PHONE.replace(" ", "")[1:] not in str(rows)


def test_anonymous_complaint_has_no_contact(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds, contact=None, share_contact=False)
    found = call(central, creds, "GET", f"/complaints/{body['id']}").json()
    assert found["contact"] is None and found["anonymous"] is True


def test_a_revoked_device_files_and_reads_nothing(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = filed(central, creds)
    desk = enroll(central, ENROLL_CODES[1])
    revoked = requests.post(f"{central.url}/admin/devices/{desk.device_id}/revoke",
                            headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5)
    assert revoked.status_code == 200, revoked.text
    for method, path, payload in (("GET", f"/complaints/{body['id']}", None),
                                  ("POST", f"/complaints/{body['id']}/actions", action("respond")),
                                  ("POST", "/complaints", complaint_body())):
        answer = call(central, desk, method, path, payload)
        assert answer.status_code == 403 and answer.json()["error"] == "device_revoked", (method, path)
    listed = call(central, desk, "GET", "/complaints", query={"mpp_code": "MPP-3171"})
    assert listed.status_code == 403 and listed.json()["error"] == "device_revoked"
