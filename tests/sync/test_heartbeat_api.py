"""``POST /v1/heartbeat`` on the reference central API (issue 22): a device's health summary kept as its
latest and in 7 days of history; every bad input refused with its status and nothing stored. On SQLite
and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from central_pg import BOTH
from sync_helpers import ADMIN_TOKEN, NIK, as_json, signed_request

from central_api.app import RunningCentral
from central_api.fleet_contract import HeartbeatBody
from central_api.fleet_store import DAY_MS, FleetStore, now_ms
from kiosk.storage.store import SchemaTooNew
from kiosk.sync.central_client import DeviceCredentials

CENTRAL_STORES = BOTH  # every test using `central` runs on SQLite and on PostgreSQL (tests/central_pg.py)


def beat(**changes: Any) -> dict[str, Any]:
    body = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "build": "0.1.0",
            "config_hash": "9f86d081884c7d65", "role": "kiosk", "device_name": "kiosk-01", "mpp_code": "MPP-3171",
            "mpp_name": "MPP Jakarta Pusat", "region": "DKI Jakarta", "uptime_seconds": 3600, "outbox_waiting": 2,
            "outbox_oldest_seconds": 90, "last_sync_at": None, "printer": "ok", "camera": "ok",
            "disk_free_mb": 20_000, "queue_host": "reachable", "clock_offset_seconds": 0.5}
    body.update(changes)
    return body


def send(central: RunningCentral, creds: DeviceCredentials, body: bytes, **kwargs: Any) -> requests.Response:
    return signed_request(central, creds, "POST", "/v1/heartbeat", body=body, **kwargs)


def fleet(central: RunningCentral) -> FleetStore:
    store: FleetStore = central.app.state.fleet
    return store


def test_a_heartbeat_is_kept_as_latest_and_in_history(central: RunningCentral, creds: DeviceCredentials) -> None:
    first = send(central, creds, as_json(beat(outbox_waiting=5)))
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["interval_seconds"] == 60 and abs(answer["server_time"] - datetime.now(UTC).timestamp()) < 5
    assert send(central, creds, as_json(beat(outbox_waiting=1))).status_code == 200
    latest = fleet(central).latest_of(creds.device_id)
    assert latest is not None and latest.summary["outbox_waiting"] == 1
    assert fleet(central).count_history(creds.device_id) == 2


def in_six_minutes() -> str:
    return (datetime.now(UTC) + timedelta(minutes=6)).isoformat()


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"nik": NIK}, 422, "invalid_request"),  # an unknown field: never stored
    ({"region": f"Jakarta {NIK}"}, 422, "invalid_request"),  # no NIK in a place name
    ({"mpp_name": "Budi 12345 Santoso"}, 422, "invalid_request"),
    ({"region": "x" * 1_100_000}, 413, "too_large"),  # over 1 MB of text
    ({"region": "x" * 900_000}, 422, "invalid_request"),  # under the body limit, over the field's
    ({"printer": "on fire"}, 422, "invalid_request"),
    ({"outbox_waiting": -1}, 422, "invalid_request"),
    ({"clock_offset_seconds": False}, 422, "invalid_request"),  # strict: false is not a number
    ({"measured_at": in_six_minutes}, 422, "from_the_future"),  # made when the test runs
    ({"measured_at": "2026-11-23T09:00:00"}, 422, "invalid_request"),  # no offset
])
def test_bad_heartbeats_are_refused_and_nothing_is_stored(central: RunningCentral, creds: DeviceCredentials,
                                                          changes: dict[str, Any], status: int, code: str) -> None:
    body = beat(**{k: v() if callable(v) else v for k, v in changes.items()})
    response = send(central, creds, as_json(body))
    assert (response.status_code, response.json()["error"]) == (status, code), response.text[:300]
    assert NIK not in response.text
    assert fleet(central).latest() == [] and fleet(central).count_history() == 0


def test_a_slightly_fast_clock_is_still_accepted(central: RunningCentral, creds: DeviceCredentials) -> None:
    ahead = (datetime.now(UTC) + timedelta(minutes=4)).isoformat()
    assert send(central, creds, as_json(beat(measured_at=ahead))).status_code == 200


def test_bad_signature_and_unsigned_are_refused(central: RunningCentral, creds: DeviceCredentials) -> None:
    body = as_json(beat())
    assert send(central, creds, body, secret="not-the-secret").json()["error"] == "bad_signature"
    unsigned = requests.post(central.url + "/v1/heartbeat", data=body, headers={"Content-Type": "application/json"},
                             timeout=5)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "unsigned")
    old = datetime.now(UTC).timestamp() - 3600
    assert send(central, creds, body, now=old).json()["error"] == "clock_skew"
    assert fleet(central).count_history() == 0


def test_a_revoked_device_is_refused(central: RunningCentral, creds: DeviceCredentials) -> None:
    assert send(central, creds, as_json(beat())).status_code == 200
    hidden = requests.post(f"{central.url}/admin/devices/{creds.device_id}/revoke", headers={"X-Admin-Token": "no"},
                           timeout=5)
    assert hidden.status_code == 404  # like every admin route: a wrong token sees nothing
    revoked = requests.post(f"{central.url}/admin/devices/{creds.device_id}/revoke",
                            headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5)
    assert revoked.status_code == 200
    refused = send(central, creds, as_json(beat(outbox_waiting=99)))
    assert (refused.status_code, refused.json()["error"]) == (403, "device_revoked")
    assert fleet(central).count_history() == 1
    latest = fleet(central).latest_of(creds.device_id)
    assert latest is not None and latest.summary["outbox_waiting"] == 2


def test_an_older_heartbeat_never_replaces_a_newer_one_and_history_keeps_seven_days(central: RunningCentral) -> None:
    store = fleet(central)
    now = now_ms()
    store.record("dev-a", beat(outbox_waiting=1), received_ms=now)
    store.record("dev-a", beat(outbox_waiting=7), received_ms=now - 60_000)  # arrived late
    store.record("dev-a", beat(), received_ms=now - 8 * DAY_MS)
    latest = store.latest_of("dev-a")
    assert latest is not None and latest.summary["outbox_waiting"] == 1
    assert store.prune(now - 7 * DAY_MS) == 1
    assert [s.received_ms for s in store.history("dev-a", 0)] == [now - 60_000, now]


def test_fleet_tables_written_by_a_newer_version_are_refused(central: RunningCentral) -> None:
    with central.store.transaction() as conn:
        conn.execute("UPDATE central_meta SET value = '99' WHERE key = 'schema:fleet'")
    with pytest.raises(SchemaTooNew):
        FleetStore(central.store)


def test_what_is_stored_is_the_typed_summary(central: RunningCentral, creds: DeviceCredentials) -> None:
    send(central, creds, as_json(beat()))
    with central.store.reading() as conn:
        row = conn.execute("SELECT summary FROM fleet_latest").fetchone()
    assert set(json.loads(row["summary"])) == set(beat())


def test_the_contract_documents_the_heartbeat_with_an_example_it_accepts() -> None:
    document = json.loads((Path(__file__).resolve().parents[2] / "docs" / "api" / "central.openapi.json").read_text())
    operation = document["paths"]["/v1/heartbeat"]["post"]
    assert {"200", "401", "403", "413", "422", "503"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["HeartbeatBody"]
    assert schema["additionalProperties"] is False
    for example in schema["examples"]:
        HeartbeatBody.model_validate_json(json.dumps(example))
