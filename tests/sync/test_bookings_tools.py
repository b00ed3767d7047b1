"""The tools around bookings: ``kiosk central-api bookings add|list|cancel`` against a running server,
``kiosk sync enroll`` sending the site's MPP code, and the demo's central with today's bookings."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sync_helpers import ADMIN_TOKEN, ENROLL_CODE, NIK

from central_api.app import RunningCentral
from central_api.demo import DEMO_BOOKINGS, start_demo_central
from kiosk.app.cli import main
from kiosk.booking.code import read_booking_code
from kiosk.sync.bookings_client import decode_key
from kiosk.sync.central_client import DeviceCredentials, credentials_path

MPP = "MPP-3171"


def bookings_cli(central: RunningCentral, *args: str, token: str = ADMIN_TOKEN) -> list[str]:
    return ["central-api", "bookings", *args[:1], "--url", central.url, "--admin-token", token, *args[1:]]


def test_add_list_and_cancel_from_the_command_line(central: RunningCentral, capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    assert main(bookings_cli(central, "add", "--mpp", MPP, "--service", "KK", "--slot", "10:15", "--nik", NIK)) == 0
    out = capsys.readouterr().out
    code = out.split("code: ")[1].split()[0]
    assert "3171********0001" in out and NIK not in out and f"QR:   MPP-BOOKING:{code}" in out
    assert main(bookings_cli(central, "add", "--mpp", MPP, "--service", "KTP-EL", "--slot", "08:00", "--nik", NIK)) == 0
    capsys.readouterr()
    assert main(bookings_cli(central, "cancel", code.lower())) == 0
    assert "cancelled " + code in capsys.readouterr().out
    assert main(bookings_cli(central, "list", "--mpp", MPP)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"2 bookings of {MPP} on {date.today().isoformat()}"
    assert lines[1].split()[:3] == ["08:00", "KTP-EL", "booked"]
    assert lines[2].split()[:3] == ["10:15", "KK", "cancelled"]
    assert main(bookings_cli(central, "list", "--mpp", MPP, "--json")) == 0
    assert [b["state"] for b in json.loads(capsys.readouterr().out)["bookings"]] == ["booked", "cancelled"]


def test_the_command_line_says_what_is_wrong(central: RunningCentral, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(bookings_cli(central, "add", "--mpp", MPP, "--service", "PASPOR", "--slot", "10:00",
                             "--nik", NIK)) == 1
    assert "Not booked: service_code: 'PASPOR' is not in the catalog; use one of KTP-EL" in capsys.readouterr().err
    assert main(bookings_cli(central, "add", "--mpp", MPP, "--service", "KK", "--slot", "25:00", "--nik", NIK)) == 1
    assert "not a time of the day" in capsys.readouterr().err
    assert main(bookings_cli(central, "cancel", "0000-0000-0000-0000-0000-0000")) == 1
    assert "No booking has this code" in capsys.readouterr().err
    assert main(bookings_cli(central, "list", "--mpp", MPP, token="wrong")) == 1
    assert "wrong admin token" in capsys.readouterr().err
    monkeypatch.delenv("KIOSK_CENTRAL_ADMIN_TOKEN", raising=False)
    assert main(["central-api", "bookings", "list", "--url", central.url, "--mpp", MPP]) == 2
    assert central.store.count("bookings") == 0


def test_sync_enroll_sends_the_site_s_mpp_code(central: RunningCentral, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "host-data"
    site = tmp_path / "site.toml"
    site.write_text(f'[site]\nmpp_code = "{MPP}"\n[device]\ndata_dir = "{data}"\n[central]\n'
                    f'api_url = "{central.url}"\nallow_insecure_http = true\n', encoding="utf-8")
    assert main(["--config", str(site), "sync", "enroll", ENROLL_CODE]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["mpp_code"] == MPP and printed["booking_key"] is True  # says it has one, never prints it
    saved = DeviceCredentials.load(credentials_path(data))
    assert saved is not None and saved.mpp_code == MPP and len(decode_key(saved.booking_key)) == 32


def test_the_demo_central_makes_today_s_bookings_once(tmp_path: Path) -> None:
    demo = start_demo_central(tmp_path)
    try:
        assert demo.credentials.mpp_code == "MPP-DEMO"
        key = decode_key(demo.credentials.booking_key)
        assert len(demo.bookings) == len(DEMO_BOOKINGS)
        assert sorted(b["state"] for b in demo.bookings) == ["booked", "booked", "booked", "cancelled"]
        services = [service for _what, _minutes, service, _nik, _cancelled in DEMO_BOOKINGS]
        for booking in demo.bookings:  # each checks with the key the demo's device holds
            fields = read_booking_code(booking["display_code"], key=key, mpp_code="MPP-DEMO", service_codes=services)
            assert fields.day == date.today() and fields.service_code == booking["service_code"]
        lines = demo.booking_lines()
        assert len(lines) == 4 and all(b["display_code"] in "\n".join(lines) for b in demo.bookings)
        first = demo.bookings
    finally:
        demo.stop()
    again = start_demo_central(tmp_path)  # a restart the same day: the same bookings, none added
    try:
        assert again.bookings == first
    finally:
        again.stop()


def test_demo_slots_stay_within_today() -> None:
    from central_api.demo import _slot_today

    late_evening = datetime(2026, 12, 7, 23, 20)
    assert _slot_today(late_evening, 120, late_evening.date()) == "23:45"
    early = datetime(2026, 12, 7, 0, 40)
    assert _slot_today(early, -120, early.date()) == "00:00"


def test_a_demo_device_enrolled_before_bookings_gets_its_key_at_the_next_start(tmp_path: Path) -> None:
    start_demo_central(tmp_path).stop()
    path = credentials_path(tmp_path)
    old = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({k: old[k] for k in ("device_id", "secret", "base_url", "enrolled_at")}),
                    encoding="utf-8")  # as an older demo left it
    demo = start_demo_central(tmp_path)
    try:
        assert demo.credentials.device_id == old["device_id"]  # the same device, not a new enrollment
        assert demo.credentials.booking_key == old["booking_key"]
        saved = DeviceCredentials.load(path)
        assert saved is not None and saved.booking_key == old["booking_key"] and saved.mpp_code == "MPP-DEMO"
    finally:
        demo.stop()
