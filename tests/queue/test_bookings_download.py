"""The queue host's bookings from a real reference central API on loopback (issue 19): the key fetched when
the credentials lack it, today's bookings downloaded with their cancellations, codes made after the last
download still checking in, and an unreachable central API logged once while the host keeps what it has."""

from __future__ import annotations

import dataclasses
import logging
import time as wallclock
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from central_api.app import RunningCentral
from kiosk.app.commands.roles import _start_bookings
from kiosk.catalog.services import default_catalog_path
from kiosk.config.schema import Config
from kiosk.queue.bookings import BookingDownloader, BookingSettings
from kiosk.queue.checkin import CheckInAnswer, CheckInRefusal
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import ServiceRule
from kiosk.sync.bookings_client import fetch_bookings, remember_booking_key
from kiosk.sync.central_client import CentralClient

TZ = ZoneInfo("Asia/Jakarta")
MPP = "MPP-3171"
ADMIN = "admin-token-for-bookings"
ENROLL = "bookings-enroll-code-1"
RULES = [ServiceRule("KTP-EL", "A", daily_quota=100, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=100, typical_service_minutes=8)]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = RunningCentral(tmp_path / "central.db", enroll_codes=[ENROLL], catalog_path=default_catalog_path(),
                            admin_token=ADMIN)
    yield server
    server.stop()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "queue.db", RULES, TZ)
    opened.bookings.configure(BookingSettings(enabled=True, early_minutes=30, late_minutes=15, mpp_code=MPP))
    yield opened
    opened.close()


def now_slot() -> str:
    local = datetime.now(UTC).astimezone(TZ)
    return f"{local.hour:02d}:{local.minute:02d}"


def book(central: RunningCentral, slot: str, service: str = "KTP-EL") -> dict[str, str]:
    answer = requests.post(central.url + "/admin/bookings", headers={"X-Admin-Token": ADMIN}, timeout=10, json={
        "mpp_code": MPP, "service_code": service, "day": datetime.now(UTC).astimezone(TZ).date().isoformat(),
        "slot": slot, "nik": "3171011508900001"})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_host_fetches_its_key_downloads_today_and_checks_in(central: RunningCentral, engine: QueueEngine,
                                                                 tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    kept, gone = book(central, now_slot()), book(central, now_slot(), "KK")
    assert requests.post(f"{central.url}/admin/bookings/{gone['code']}/cancel", headers={"X-Admin-Token": ADMIN},
                         timeout=10).status_code == 200
    client = CentralClient(central.url, None, data_dir=tmp_path / "host", timeout=5)
    client.enroll(ENROLL, device_name="queue-host")  # enrolled before bookings existed: no key kept
    downloader = BookingDownloader(engine.bookings, lambda day: fetch_bookings(client, MPP, day),
                                   lambda: remember_booking_key(client, MPP), timedelta(minutes=5),
                                   on_stop=client.close)
    assert check_in(engine, kept["display_code"]).refusal is CheckInRefusal.NOT_READY
    assert downloader.run_once() and engine.bookings.has_key
    assert downloader.last is not None and (downloader.last.stored, downloader.last.cancelled) == (2, 1)
    first = check_in(engine, kept["qr_text"])
    assert first.outcome == "issued" and first.booking is not None and first.booking.nik_masked.startswith("3171")
    assert check_in(engine, gone["display_code"]).refusal is CheckInRefusal.CANCELLED
    after = book(central, now_slot())  # made after the last download
    central.stop()  # and the central API goes away
    with caplog.at_level(logging.WARNING, logger="kiosk.queue.bookings"):
        assert not downloader.run_once() and not downloader.run_once()
    assert len([r for r in caplog.records if "cannot download" in r.getMessage()]) == 1  # logged once
    late = check_in(engine, after["display_code"], request_id="r2")
    assert late.outcome == "issued" and late.booking is not None and late.booking.nik_masked == ""
    assert check_in(engine, gone["display_code"]).refusal is CheckInRefusal.CANCELLED  # what it had is kept
    downloader.stop()


def check_in(engine: QueueEngine, text: str, request_id: str = "r1") -> CheckInAnswer:
    return engine.bookings.check_in(text, kiosk="kiosk-1", request_id=request_id)


def test_the_queue_host_role_starts_downloads_from_its_config(central: RunningCentral, engine: QueueEngine,
                                                              tmp_path: Path) -> None:
    made = book(central, now_slot())
    with CentralClient(central.url, None, data_dir=tmp_path / "host", timeout=5) as client:
        client.enroll(ENROLL, device_name="queue-host", mpp_code=MPP)  # the key comes with enrollment
    base = Config()
    config = dataclasses.replace(
        base, site=dataclasses.replace(base.site, mpp_code=MPP),
        device=dataclasses.replace(base.device, data_dir=str(tmp_path / "host")),
        central=dataclasses.replace(base.central, api_url=central.url, allow_insecure_http=True),
        bookings=dataclasses.replace(base.bookings, enabled=True, early_minutes=20, late_minutes=5))
    downloader = _start_bookings(config, engine)
    assert downloader is not None
    try:
        assert engine.bookings.settings.early_minutes == 20 and engine.bookings.has_key  # from the credentials
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while downloader.last is None and datetime.now(UTC) < deadline:
            wallclock.sleep(0.05)
        assert downloader.last is not None and downloader.last.stored == 1
        assert check_in(engine, made["display_code"]).outcome == "issued"
    finally:
        downloader.stop()
    off = dataclasses.replace(config, bookings=dataclasses.replace(config.bookings, enabled=False))
    assert _start_bookings(off, engine) is None
    assert check_in(engine, made["display_code"], "r9").refusal is CheckInRefusal.NOT_READY


def test_the_demo_checks_in_its_central_s_bookings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kiosk demo``: its own central API makes today's bookings; the in-process queue downloads them."""
    from kiosk.app.commands.roles import _start_demo_central

    monkeypatch.setenv("TZ", "Asia/Jakarta")  # the demo central's "now" is this machine's local time
    wallclock.tzset()
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    base = Config()
    central, config = _start_demo_central(dataclasses.replace(
        base, device=dataclasses.replace(base.device, data_dir=str(tmp_path / "demo"))))
    assert central is not None and config.bookings.enabled
    engine = QueueEngine.open(tmp_path / "demo-queue.db", [
        ServiceRule(code, prefix, 100, 10) for code, prefix in (("KTP-EL", "A"), ("KK", "B"), ("KIA", "C"),
                                                                ("AKTA-LAHIR", "D"))], TZ)
    downloader = _start_bookings(config, engine)
    try:
        assert downloader is not None
        deadline = wallclock.monotonic() + 10
        while downloader.last is None and wallclock.monotonic() < deadline:
            wallclock.sleep(0.05)
        assert downloader.last is not None and (downloader.last.stored, downloader.last.cancelled) == (4, 1)
        by_state = {b["state"]: b for b in reversed(central.bookings)}
        on_time = next(b for b in central.bookings if b["service_code"] == "KTP-EL")
        assert check_in(engine, on_time["display_code"]).outcome in ("issued", "choose")  # quarter-hour slot
        assert check_in(engine, by_state["cancelled"]["display_code"], "r2").refusal is CheckInRefusal.CANCELLED
    finally:
        if downloader is not None:
            downloader.stop()
        engine.close()
        central.stop()
        monkeypatch.undo()
        wallclock.tzset()
