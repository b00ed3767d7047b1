"""The fleet page of the reference central API (issue 22): who may read it, what it shows, its filters and
sorting, a device's history, and its render time with 500 devices."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from central_api.app import RunningCentral
from central_api.fleet_store import FleetStore, now_ms

TOKEN = "fleet-admin-token-0123"
ADMIN = {"X-Admin-Token": TOKEN}


def beat(**changes: Any) -> dict[str, Any]:
    body = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "build": "0.2.0",
            "config_hash": "9f86d081884c7d65", "role": "kiosk", "device_name": "kiosk-01", "mpp_code": "MPP-3171",
            "mpp_name": "MPP Jakarta Pusat", "region": "DKI Jakarta", "uptime_seconds": 3600, "outbox_waiting": 0,
            "outbox_oldest_seconds": None, "last_sync_at": None, "printer": "ok", "camera": "ok",
            "disk_free_mb": 20_000, "queue_host": "reachable", "clock_offset_seconds": 0.5}
    body.update(changes)
    return body


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = RunningCentral(tmp_path / "central.sqlite3", admin_token=TOKEN)
    yield server
    server.stop()


def fleet(central: RunningCentral) -> FleetStore:
    store: FleetStore = central.app.state.fleet
    return store


def populate(central: RunningCentral) -> None:
    now = now_ms()
    store = fleet(central)
    store.record("dev-a", beat(device_name="kiosk-a"), now)
    store.record("dev-b", beat(device_name="kiosk-b", printer="paper_out", outbox_waiting=120,
                               outbox_oldest_seconds=600), now)
    store.record("dev-c", beat(device_name="kiosk-c", mpp_code="MPP-3273", mpp_name="MPP Bandung",
                               region="Jawa Barat", build="0.1.0", clock_offset_seconds=-300), now)
    store.record("dev-d", beat(device_name="kiosk-d", mpp_code="MPP-3273", mpp_name="MPP Bandung",
                               region="Jawa Barat"), now - 15 * 60_000)


def get(central: RunningCentral, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(central.url + path, timeout=10, **kwargs)


def devices(html: str) -> list[tuple[str, str]]:
    """(device id, light) of every row, in page order."""
    return re.findall(r'data-device="([^"]+)" data-light="(\w+)"', html)


def test_without_a_token_or_session_the_page_answers_401_with_the_sign_in_form(central: RunningCentral) -> None:
    populate(central)
    for headers in ({}, {"X-Admin-Token": "wrong"}, {"Authorization": "Bearer wrong"}):
        refused = get(central, "/fleet", headers=headers)
        assert refused.status_code == 401 and 'action="/fleet/login"' in refused.text
        assert "kiosk-a" not in refused.text
    assert get(central, "/fleet/devices/dev-a").status_code == 401
    assert get(central, "/fleet", headers=ADMIN).status_code == 200
    assert get(central, "/fleet", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_an_it_user_signs_in_and_a_forged_session_does_not(central: RunningCentral) -> None:
    populate(central)
    hidden = requests.put(central.url + "/admin/it-users/ana", json={"password": "correct horse battery"}, timeout=5)
    assert hidden.status_code == 404  # the admin routes stay hidden without the token
    added = requests.put(central.url + "/admin/it-users/ana", json={"password": "correct horse battery"},
                         headers=ADMIN, timeout=5)
    assert added.status_code == 200
    session = requests.Session()
    wrong = session.post(central.url + "/fleet/login", data={"name": "ana", "password": "wrong horse"}, timeout=5)
    assert wrong.status_code == 401 and not session.cookies
    signed_in = session.post(central.url + "/fleet/login", data={"name": "ana", "password": "correct horse battery"},
                             timeout=5)
    assert signed_in.status_code == 200 and signed_in.url.endswith("/fleet") and "kiosk-b" in signed_in.text
    cookie = session.cookies.get("fleet_session", path="/fleet")
    assert cookie and cookie.startswith("ana.")
    name, expiry, mac = cookie.split(".")
    forged = f"admin.{expiry}.{mac}"
    assert get(central, "/fleet", cookies={"fleet_session": forged}).status_code == 401
    admin = requests.Session()
    assert admin.post(central.url + "/fleet/login", data={"name": "admin", "password": TOKEN},
                      timeout=5).status_code == 200


def test_mpps_group_their_devices_with_a_light_and_the_reasons(central: RunningCentral) -> None:
    populate(central)
    page = get(central, "/fleet", headers=ADMIN)
    html = page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<meta http-equiv="refresh" content="60">' in html
    assert devices(html) == [("dev-b", "red"), ("dev-a", "green"), ("dev-d", "red"), ("dev-c", "yellow")]
    assert html.index('data-mpp="MPP-3171"') < html.index('data-mpp="MPP-3273"')  # both have a red device: by code
    assert 'data-reason="paper_out"' in html and 'data-reason="backlog"' in html
    assert 'data-reason="not_seen"' in html and 'data-reason="old_build"' in html
    assert 'data-reason="clock_off"' in html
    assert "Kertas habis" in html and "Paper out" in html  # Indonesian first, English beside it


def test_filters_by_region_and_problem_and_sorts(central: RunningCentral) -> None:
    populate(central)
    west_java = get(central, "/fleet?region=Jawa+Barat", headers=ADMIN).text
    assert [d for d, _ in devices(west_java)] == ["dev-d", "dev-c"]
    paper = get(central, "/fleet?problem=paper_out", headers=ADMIN).text
    assert [d for d, _ in devices(paper)] == ["dev-b"]
    troubled = get(central, "/fleet?problem=any", headers=ADMIN).text
    assert "dev-a" not in [d for d, _ in devices(troubled)]
    by_backlog = get(central, "/fleet?sort=backlog&order=desc", headers=ADMIN).text
    assert devices(by_backlog)[0][0] == "dev-b"
    nothing = get(central, "/fleet?region=Papua", headers=ADMIN).text
    assert devices(nothing) == [] and 'id="empty"' in nothing


def test_every_value_is_escaped(central: RunningCentral) -> None:
    fleet(central).record("dev-x", beat(region="<script>alert(1)</script>", mpp_name='"><img src=x>'), now_ms())
    html = get(central, "/fleet", headers=ADMIN).text
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src=x>" not in html


def test_a_devices_page_shows_seven_days_by_hour(central: RunningCentral) -> None:
    store = fleet(central)
    now = now_ms()
    for minute in range(0, 180, 1):  # three hours of heartbeats, paper running out in the last one
        store.record("dev-a", beat(printer="paper_out" if minute < 30 else "ok"), now - minute * 60_000)
    store.record("dev-a", beat(), now - 9 * 86_400_000)  # older than 7 days: not shown
    page = get(central, "/fleet/devices/dev-a", headers=ADMIN)
    assert page.status_code == 200
    rows = re.findall(r"<tr><td data-label=\"Jam / Hour\">([^<]+)</td>", page.text)
    assert 3 <= len(rows) <= 4 and rows == sorted(rows, reverse=True)
    assert 'data-reason="paper_out"' in page.text
    assert get(central, "/fleet/devices/dev-unknown", headers=ADMIN).status_code == 404


def test_the_page_renders_500_devices_within_half_a_second(central: RunningCentral) -> None:
    store = fleet(central)
    now = now_ms()
    for i in range(500):
        store.record(f"dev-{i:03d}", beat(device_name=f"kiosk-{i:03d}", mpp_code=f"MPP-{i // 5:04d}",
                                          region=("DKI Jakarta", "Jawa Barat", "Bali")[i % 3],
                                          printer="paper_out" if i % 17 == 0 else "ok"), now)
    get(central, "/fleet", headers=ADMIN)  # warm
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        page = get(central, "/fleet", headers=ADMIN)
        timings.append(time.perf_counter() - started)
    assert len(devices(page.text)) == 500
    print(f"fleet page with 500 devices: best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms, "
          f"{len(page.content) // 1024} KiB")
    assert sorted(timings)[2] < 0.5


def test_guessing_passwords_is_slowed_down(central: RunningCentral) -> None:
    answers = [requests.post(central.url + "/fleet/login", data={"name": "admin", "password": f"guess-{i}"},
                             timeout=5).status_code for i in range(12)]
    assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
