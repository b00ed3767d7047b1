"""Issue 21 item 12 (central part): one NIK validator at the central door. Application, identity and
lookup bodies whose NIK fails the NIK rules (:func:`kiosk.citizen.nik.parse_nik`: province, birth date)
are refused 422 ``invalid_nik`` without echoing the NIK, and nothing is stored."""

from __future__ import annotations

import base64

import pytest
from central_pg import BOTH
from sync_helpers import NIK, application_body, as_json, signed_request

from central_api.app import RunningCentral
from kiosk.sync.central_client import DeviceCredentials

CENTRAL_STORES = BOTH  # every test using `central` runs on SQLite and on PostgreSQL (tests/central_pg.py)

BAD_NIKS = {
    "3171013102900001": "date",  # 31 February 1990
    "9971011508900001": "province",  # no province 99
    "3171011513900001": "month",  # month 13
}
FACE = base64.b64encode(b"\xff\xd8 not really a face").decode()


@pytest.mark.parametrize("nik", sorted(BAD_NIKS))
def test_a_nik_that_breaks_the_rules_is_refused_at_every_door(central: RunningCentral, creds: DeviceCredentials,
                                                              nik: str) -> None:
    body = application_body(nik=nik)
    doors = [("/v1/applications", body, {"Idempotency-Key": body["id"]}),
             ("/v1/identity/verify", {"nik": nik, "face_jpeg_base64": FACE}, {}),
             ("/v1/registrations/lookup", {"nik": nik}, {})]
    for path, payload, headers in doors:
        response = signed_request(central, creds, "POST", path, body=as_json(payload), headers=headers)
        assert response.status_code == 422, (path, response.text)
        answer = response.json()
        assert answer["error"] == "invalid_nik" and BAD_NIKS[nik] in answer["message"], path
        assert nik not in response.text and nik[:12] not in response.text, path
    assert central.store.count_applications() == 0


def test_a_valid_nik_still_passes(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = application_body(nik=NIK)
    filed = signed_request(central, creds, "POST", "/v1/applications", body=as_json(body),
                           headers={"Idempotency-Key": body["id"]})
    assert filed.status_code == 201
    lookup = signed_request(central, creds, "POST", "/v1/registrations/lookup", body=as_json({"nik": NIK}))
    assert lookup.status_code == 200 and lookup.json()["found"] is False
