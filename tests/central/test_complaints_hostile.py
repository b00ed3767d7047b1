"""Hostile and broken complaint bodies at the central API: each answers 422 (413 when huge) with a message
that names the field and never echoes the value; nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from complaint_helpers import call, complaint_body

from central_api.app import RunningCentral
from kiosk.sync.central_client import DeviceCredentials


def stored(central: RunningCentral) -> int:
    with central.store.reading() as conn:
        return int(conn.execute("SELECT COUNT(*) AS n FROM complaints").fetchone()["n"])


@pytest.mark.parametrize(("changes", "field"), [
    ({"text": "Uang\x00diminta"}, "text"),                       # NUL
    ({"text": "x" * 10_000}, "text"),                            # 10,000 characters
    ({"text": ""}, "text"),
    ({"text": 12345}, "text"),                                   # wrong types
    ({"share_contact": "true"}, "share_contact"),
    ({"contact": "0812"}, "contact"),
    ({"contact": {"phone": "+62215551234"}}, "contact.phone"),   # a landline
    ({"contact": {"phone": "+6281234567890", "fax": "1"}}, "contact.fax"),
    ({"category": "pungli"}, "category"),
    ({"reference": "ADU-IIII-OOOO"}, "reference"),               # not Crockford
    ({"status_token": "short"}, "status_token"),
    ({"filed_at": "2026-12-07T03:15:42"}, "filed_at"),           # no offset
    ({"id": "not-a-uuid"}, "id"),
    ({"channel": "web"}, "channel"),
    ({"version": 2}, "version"),
    ({"admin": True}, "admin"),                                  # unknown field
    ({"mpp_code": "mpp 3171; drop"}, "mpp_code"),
])
def test_broken_bodies_are_refused_naming_the_field(central: RunningCentral, creds: DeviceCredentials,
                                                    changes: dict[str, Any], field: str) -> None:
    answer = call(central, creds, "POST", "/complaints", complaint_body(**changes))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_request" and field in answer.json()["message"]
    for value in changes.values():
        if isinstance(value, str) and len(value) > 4:
            assert value not in answer.text  # never echoed
    assert stored(central) == 0


@pytest.mark.parametrize(("changes", "message"), [
    ({"text": "😡😡😡 !!!"}, "text: Please write your complaint in words"),
    ({"contact": None, "share_contact": True}, "share_contact: An anonymous complaint has no contact"),
    ({"contact": {"phone": None, "email": None}}, "contact: Give a mobile number or an e-mail"),
    ({"contact": {"email": "warga@contoh"}}, "email: The e-mail address is not right yet"),
    ({"channel": "counter"}, "filed_by: The counter clerk recording the complaint must sign in first"),
])
def test_the_kiosk_rules_apply_again(central: RunningCentral, creds: DeviceCredentials, changes: dict[str, Any],
                                     message: str) -> None:
    answer = call(central, creds, "POST", "/complaints", complaint_body(**changes))
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_complaint"
    assert message in answer.json()["message"]
    assert "warga" not in answer.text and stored(central) == 0


def test_a_huge_body_is_413_and_broken_json_422(central: RunningCentral, creds: DeviceCredentials) -> None:
    huge = call(central, creds, "POST", "/complaints", raw=json.dumps(complaint_body(text="x" * 2_000_000)).encode())
    assert huge.status_code == 413
    broken = call(central, creds, "POST", "/complaints", raw=b'{"id": "a", "text": ')
    assert broken.status_code == 422
    nan = call(central, creds, "POST", "/complaints", raw=b'{"version": NaN}')
    assert nan.status_code == 422
    assert stored(central) == 0


def test_hostile_actions(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = complaint_body()
    assert call(central, creds, "POST", "/complaints", body).status_code == 201
    base = {"action_id": "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716", "action": "respond", "text": "ok", "officer": "p1"}
    for changes in ({"text": "a\x00b"}, {"text": "y" * 2001}, {"action": "delete"}, {"officer": 7},
                    {"outcome": "lost"}, {"action_id": "x"}, {"state": "closed"}):
        answer = call(central, creds, "POST", f"/complaints/{body['id']}/actions", {**base, **changes})
        assert answer.status_code == 422, (changes, answer.text)
    assert call(central, creds, "POST", "/complaints/not-a-uuid/actions", base).status_code == 422
    unknown = call(central, creds, "POST", "/complaints/0b6f3a52-8d1e-4c0f-9a4b-2e7d5c1f9a30/actions", base)
    assert unknown.status_code == 404
    assert call(central, creds, "GET", f"/complaints/{body['id']}").json()["events"] == []
