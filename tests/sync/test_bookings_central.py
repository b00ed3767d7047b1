"""Bookings at the reference central API, over real HTTP on loopback, on SQLite and on PostgreSQL:
enrollment with the MPP's code brings its booking key, a device of one MPP never gets another's,
codes made by the central check offline with that key, serials count per MPP and day (also with
concurrent creates), the day's list carries cancelled bookings and masked NIKs only, bad input is
refused with a clear message and nothing stored."""

from __future__ import annotations

import json
import threading
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from central_pg import BOTH, Cluster
from sync_helpers import ADMIN_TOKEN, ENROLL_CODE, NIK

from central_api.app import RunningCentral
from central_api.booking_contract import NewBookingBody
from central_api.booking_store import BookingStore
from central_api.bookings import BookingDesk
from central_api.stores import open_store
from kiosk.booking.code import read_booking_code, service_tag
from kiosk.catalog.services import default_catalog_path
from kiosk.sync.bookings_client import decode_key, fetch_booking_key, fetch_bookings, remember_booking_key
from kiosk.sync.central_client import CentralAuthError, CentralClient, DeviceCredentials, credentials_path

CENTRAL_STORES = BOTH  # every test using `central` runs on SQLite and on PostgreSQL (tests/central_pg.py)

MPP = "MPP-3171"
OTHER_MPP = "MPP-3273"
TODAY = date.today()
SERVICES = [s["code"] for s in json.loads(default_catalog_path().read_text(encoding="utf-8"))["services"]]


def book(central: RunningCentral, *, token: str = ADMIN_TOKEN, **changes: Any) -> requests.Response:
    body = {"mpp_code": MPP, "service_code": "KTP-EL", "day": TODAY.isoformat(), "slot": "09:30", "nik": NIK}
    body.update(changes)
    return requests.post(central.url + "/admin/bookings", json=body, headers={"X-Admin-Token": token}, timeout=10)


def cancel(central: RunningCentral, code: str) -> requests.Response:
    return requests.post(f"{central.url}/admin/bookings/{code}/cancel", headers={"X-Admin-Token": ADMIN_TOKEN},
                         timeout=10)


def enrolled(central: RunningCentral, folder: Path, code: str = ENROLL_CODE, mpp_code: str = MPP) -> CentralClient:
    client = CentralClient(central.url, None, data_dir=folder, timeout=10)
    client.enroll(code, device_name="queue-host", mpp_code=mpp_code)
    return client


# -- enrollment and the key ---------------------------------------------------------------------

def test_enrollment_with_the_mpp_code_brings_its_booking_key_and_keeps_it(central: RunningCentral,
                                                                          tmp_path: Path) -> None:
    with enrolled(central, tmp_path / "host") as client:
        creds = client.credentials
        assert creds is not None and creds.mpp_code == MPP and len(decode_key(creds.booking_key)) == 32
        saved = DeviceCredentials.load(credentials_path(tmp_path / "host"))
        assert saved == creds  # kept in the credentials file (0600) with the secret
        assert credentials_path(tmp_path / "host").stat().st_mode & 0o777 == 0o600
        assert creds.booking_key not in repr(creds)
        assert fetch_booking_key(client, MPP) == decode_key(creds.booking_key)  # the same key when asked
    with enrolled(central, tmp_path / "other", code="second-code-2", mpp_code=OTHER_MPP) as other:
        assert other.credentials is not None and other.credentials.booking_key != creds.booking_key


def test_enrollment_without_the_mpp_code_then_the_first_claim_fixes_the_device_s_mpp(
        central: RunningCentral, tmp_path: Path) -> None:
    with CentralClient(central.url, None, data_dir=tmp_path, timeout=10) as client:
        creds = client.enroll(ENROLL_CODE, device_name="old-host")
        assert creds.mpp_code == "" and creds.booking_key == ""
        key = remember_booking_key(client, MPP)  # the first request binds it, and the key is kept
        reloaded = DeviceCredentials.load(credentials_path(tmp_path))
        assert reloaded is not None and reloaded.mpp_code == MPP and decode_key(reloaded.booking_key) == key
        with pytest.raises(CentralAuthError) as refused:
            fetch_booking_key(client, OTHER_MPP)
        assert refused.value.status == 403 and refused.value.code == "other_mpp"
        with pytest.raises(CentralAuthError) as listed:
            fetch_bookings(client, OTHER_MPP, TODAY)
        assert listed.value.code == "other_mpp" and MPP in listed.value.message


def test_a_device_enrolled_for_one_mpp_is_refused_another_s_key_and_bookings(central: RunningCentral,
                                                                             tmp_path: Path) -> None:
    assert book(central, mpp_code=OTHER_MPP).status_code == 201
    with enrolled(central, tmp_path) as client:
        for call in (lambda: fetch_booking_key(client, OTHER_MPP), lambda: fetch_bookings(client, OTHER_MPP, TODAY)):
            with pytest.raises(CentralAuthError) as refused:
                call()
            assert refused.value.code == "other_mpp"
        assert fetch_bookings(client, MPP, TODAY) == []  # its own MPP has none


def test_an_old_credentials_file_still_loads_and_signs(central: RunningCentral, tmp_path: Path) -> None:
    with CentralClient(central.url, None, timeout=10) as first:
        creds = first.enroll(ENROLL_CODE)
    path = credentials_path(tmp_path)
    path.write_text(json.dumps({"device_id": creds.device_id, "secret": creds.secret, "base_url": central.url,
                                "enrolled_at": creds.enrolled_at}), encoding="utf-8")  # as written before bookings
    loaded = DeviceCredentials.load(path)
    assert loaded is not None and loaded.device_id == creds.device_id and loaded.mpp_code == ""
    with CentralClient.from_data_dir(central.url, tmp_path, timeout=10) as client:
        assert fetch_bookings(client, MPP, TODAY) == []


def test_a_revoked_device_gets_no_key(central: RunningCentral, tmp_path: Path) -> None:
    with enrolled(central, tmp_path) as client:
        assert client.credentials is not None
        revoked = requests.post(f"{central.url}/admin/devices/{client.credentials.device_id}/revoke",
                                headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=10)
        assert revoked.status_code == 200
        with pytest.raises(CentralAuthError) as refused:
            fetch_booking_key(client, MPP)
        assert refused.value.code == "device_revoked"


# -- making, listing, cancelling -----------------------------------------------------------------

def test_a_booking_s_code_checks_offline_with_the_mpp_s_key(central: RunningCentral, tmp_path: Path) -> None:
    made = book(central, service_code="KK", slot="13:45")
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["display_code"].replace("-", "") == answer["code"] and len(answer["code"]) == 24
    assert answer["qr_text"] == "MPP-BOOKING:" + answer["display_code"]
    with enrolled(central, tmp_path) as client:
        assert client.credentials is not None
        fields = read_booking_code(answer["display_code"].lower(), key=decode_key(client.credentials.booking_key),
                                   mpp_code=MPP, service_codes=SERVICES)
    assert (fields.day, fields.slot, fields.service_code, fields.serial) == (TODAY, time(13, 45), "KK", 1)


def test_serials_count_per_mpp_and_day(central: RunningCentral) -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    serials = [book(central).json()["serial"] for _ in range(3)]
    assert serials == [1, 2, 3]
    assert book(central, day=tomorrow).json()["serial"] == 1
    assert book(central, mpp_code=OTHER_MPP).json()["serial"] == 1
    assert book(central).json()["serial"] == 4


def test_concurrent_creates_get_distinct_consecutive_serials(central: RunningCentral) -> None:
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(16)

    def create(i: int) -> None:
        start.wait()
        response = book(central, slot=f"{8 + i % 8:02d}:{i % 4 * 15:02d}")
        assert response.status_code == 201, response.text
        answers.append(response.json())

    threads = [threading.Thread(target=create, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a["serial"] for a in answers) == list(range(1, 17))
    assert len({a["code"] for a in answers}) == 16


def test_the_same_request_id_makes_one_booking(central: RunningCentral) -> None:
    first = book(central, request_id="cli-0123456789")
    again = book(central, request_id="cli-0123456789")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert central.store.count("bookings") == 1


def test_the_day_s_list_has_the_cancelled_one_and_masked_niks_only(central: RunningCentral, tmp_path: Path) -> None:
    late, early, gone = (book(central, slot=slot).json() for slot in ("11:00", "08:30", "10:00"))
    assert book(central, day=(TODAY + timedelta(days=2)).isoformat()).status_code == 201  # another day: not listed
    cancelled = cancel(central, gone["display_code"].lower().replace("-", " "))  # typed as a person would
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancel(central, gone["code"]).json()["cancelled_at"] == cancelled.json()["cancelled_at"]  # once
    with enrolled(central, tmp_path) as client:
        listed = fetch_bookings(client, MPP, TODAY)
    assert [b["code"] for b in listed] == [early["code"], gone["code"], late["code"]]  # by slot
    assert [b["state"] for b in listed] == ["booked", "cancelled", "booked"]
    assert listed[1]["cancelled_at"] and listed[0]["cancelled_at"] is None
    assert {b["nik_masked"] for b in listed} == {"3171********0001"}
    assert NIK not in json.dumps(listed)
    assert central.app.state.bookings.nik(early["code"]) == NIK  # kept, sealed, for MPP Digital itself


def test_cancelling_an_unknown_or_malformed_code(central: RunningCentral) -> None:
    made = book(central).json()
    unknown = made["code"][:-1] + ("0" if made["code"][-1] != "0" else "1")
    assert cancel(central, unknown).status_code == 404
    malformed = cancel(central, made["code"][:20])
    assert malformed.status_code == 422 and malformed.json()["error"] == "malformed"
    assert book(central, token="wrong").status_code == 404  # admin routes stay hidden


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "error", "words"), [
    ({"service_code": "KTP-ELEKTRONIK"}, "unknown_service", "KTP-EL, KK, KIA"),
    ({"slot": "24:00"}, "slot_outside_day", "00:00 to 23:59"),
    ({"slot": "07:60"}, "slot_outside_day", "not a time of the day"),
    ({"day": "2026-02-30"}, "invalid_day", "not a date"),
    ({"day": "2024-01-01"}, "past_day", "has passed"),
    ({"day": (TODAY + timedelta(days=400)).isoformat()}, "too_far_ahead", "days ahead"),
    ({"nik": "9971011508900001"}, "invalid_nik", "not a valid NIK"),
    ({"slot": "9:30"}, "invalid_request", "slot"),
    ({"mpp_code": "mpp-3171"}, "invalid_request", "mpp_code"),
])
def test_bad_bookings_are_refused_and_nothing_is_stored(central: RunningCentral, changes: dict[str, str],
                                                        error: str, words: str) -> None:
    refused = book(central, **changes)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == error and words in refused.json()["message"]
    assert central.store.count("bookings") == 0


def test_a_malformed_day_in_the_list_request(central: RunningCentral, tmp_path: Path) -> None:
    with enrolled(central, tmp_path) as client:
        for day in ("2026-02-30", "2026-1-01"):
            response = requests.get(central.url + "/v1/bookings", params={"mpp_code": MPP, "day": day},
                                    headers=_signed(client, f"/v1/bookings?mpp_code={MPP}&day={day}"), timeout=10)
            assert response.status_code == 422 and "day" in response.json()["message"]


def _signed(client: CentralClient, path: str) -> dict[str, str]:
    from kiosk.sync.signing import sign_headers

    assert client.credentials is not None
    return sign_headers(client.credentials.device_id, client.credentials.secret, "GET", path, b"")


def clashing_codes() -> tuple[str, str]:
    """Two service codes whose 16-bit booking tags are equal (found by the birthday bound: a few hundred)."""
    seen: dict[int, str] = {}
    for i in range(100_000):
        code = f"SVC-{i}"
        other = seen.setdefault(service_tag(code), code)
        if other != code:
            return other, code
    raise AssertionError("no clash found")


def test_services_whose_tags_clash_cannot_be_booked(tmp_path: Path) -> None:
    first, second = clashing_codes()
    catalog = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    model = catalog["services"][0]
    catalog["services"] = [model, {**model, "code": first}, {**model, "code": second}]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    with RunningCentral(tmp_path / "c.sqlite3", catalog_path=path, admin_token=ADMIN_TOKEN) as central:
        for code in (first, second):
            refused = book(central, service_code=code)
            assert refused.status_code == 422 and refused.json()["error"] == "service_tag_clash"
            assert first in refused.json()["message"] and second in refused.json()["message"]
        assert book(central, service_code=model["code"]).status_code == 201


def test_two_postgresql_workers_creating_at_once_share_one_serial_counter(pg_cluster: Cluster,
                                                                          tmp_path: Path) -> None:
    """Two stores on one database (two worker processes): the key is made once, serials never repeat."""
    db = pg_cluster.new_database(tmp_path / "central")
    stores = [open_store(db.target, db.key_path) for _ in range(2)]
    try:
        desks = [BookingDesk(BookingStore(store), SERVICES) for store in stores]
        made: list[int] = []
        start = threading.Barrier(20)

        def create(i: int) -> None:
            start.wait()
            booking, _created = desks[i % 2].create(NewBookingBody(
                mpp_code=MPP, service_code="KTP-EL", day=TODAY.isoformat(), slot="10:00", nik=NIK))
            made.append(booking.serial)

        threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(made) == list(range(1, 21))
        assert desks[0].store.key(MPP) == desks[1].store.key(MPP)
    finally:
        for store in stores:
            store.close()
        pg_cluster.drop(db)
