"""The fleet page as a browser draws it (issue 22): Debian's headless Chromium driven by Playwright
(``executable_path``: never a browser download), on a laptop and on a 412 px phone. An IT user signs
in through the form, filters by a problem, opens a device's history. Screenshots are written to the
test's tmp dir, or to ``$KIOSK_FLEET_SHOTS`` when set, to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_fixture import browser  # noqa: F401 - the module's Chromium
from playwright.sync_api import Browser, Page, ViewportSize
from test_fleet_page import beat

from central_api.app import RunningCentral
from central_api.fleet_store import FleetStore, now_ms

pytestmark = pytest.mark.slow

LAPTOP = ViewportSize(width=1366, height=768)
PHONE = ViewportSize(width=412, height=915)
TOKEN = "fleet-admin-token-0123"
PASSWORD = "correct horse battery"

_MEASURE = """() => ({
  width: window.innerWidth, pageWidth: document.documentElement.scrollWidth,
  smallest: Math.min(...[...document.querySelectorAll('td, th, h1, h2, p, li, label, a, button, select')]
      .filter((el) => el.getClientRects().length).map((el) => parseFloat(getComputedStyle(el).fontSize))),
  rows: [...document.querySelectorAll('tr.device')].map((tr) => tr.dataset.device),
  lights: [...document.querySelectorAll('tr.device .light')].map((el) => el.innerText),
})"""




@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = RunningCentral(tmp_path / "central.sqlite3", admin_token=TOKEN)
    store: FleetStore = server.app.state.fleet
    store.add_user("ana", PASSWORD)
    now = now_ms()
    store.record("dev-a", beat(device_name="kiosk-lobi-1"), now)
    store.record("dev-b", beat(device_name="kiosk-lobi-2", printer="paper_out", outbox_waiting=120,
                               outbox_oldest_seconds=5400), now - 40_000)
    store.record("dev-c", beat(device_name="loket-3", role="counter", printer="none"), now)
    store.record("dev-q", beat(device_name="queue-host", role="queue-host", printer="none", camera="unused",
                               queue_host="none"), now)
    store.record("dev-d", beat(device_name="kiosk-utama", mpp_code="MPP-3273", mpp_name="MPP Kota Bandung",
                               region="Jawa Barat", build="0.1.0", clock_offset_seconds=-185), now)
    store.record("dev-e", beat(device_name="kiosk-2", mpp_code="MPP-3273", mpp_name="MPP Kota Bandung",
                               region="Jawa Barat"), now - 3 * 3600_000)
    for minute in range(1, 240):
        store.record("dev-b", beat(device_name="kiosk-lobi-2", printer="paper_out" if minute < 50 else "ok",
                                   outbox_waiting=max(0, 120 - minute)), now - minute * 60_000)
    yield server
    server.stop()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KIOSK_FLEET_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Page, path: Path) -> dict[str, Any]:
    path.write_bytes(page.screenshot(full_page=True))  # written here: Playwright's own writer leaves a thread
    measured: dict[str, Any] = page.evaluate(_MEASURE)
    return measured


def sign_in(page: Page, url: str) -> None:
    response = page.goto(url + "/fleet")
    assert response is not None and response.status == 401
    page.fill("#name", "ana")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/fleet")


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_fleet_page_on_a_laptop_and_a_phone(browser: Browser, central: RunningCentral, tmp_path: Path,  # noqa: F811 - the fixture
                                            size: ViewportSize) -> None:
    name = "laptop" if size == LAPTOP else "phone"
    context = browser.new_context(viewport=size, device_scale_factor=1 if size == LAPTOP else 2,
                                  is_mobile=size == PHONE)
    try:
        page = context.new_page()
        sign_in(page, central.url)
        seen = shoot(page, shots(tmp_path) / f"fleet-{name}.png")
        assert seen["width"] == size["width"] and seen["pageWidth"] <= seen["width"], "nothing runs off the side"
        assert seen["smallest"] >= 13
        assert seen["rows"][:2] == ["dev-b", "dev-a"] and set(seen["rows"]) == {"dev-a", "dev-b", "dev-c", "dev-q",
                                                                                "dev-d", "dev-e"}
        assert seen["lights"][0].startswith("MERAH")
        page.select_option("#problem", "paper_out")
        page.click("#apply")
        page.wait_for_load_state()
        filtered = shoot(page, shots(tmp_path) / f"fleet-{name}-paper-out.png")
        assert filtered["rows"] == ["dev-b"] and filtered["width"] == size["width"]
        page.click("text=kiosk-lobi-2")
        page.wait_for_url("**/fleet/devices/dev-b")
        history = shoot(page, shots(tmp_path) / f"fleet-{name}-history.png")
        assert history["width"] == size["width"] and history["pageWidth"] <= history["width"]
        assert page.locator("#history tbody tr").count() >= 4
        assert page.locator("#now-light").inner_text().startswith("MERAH")
    finally:
        context.close()
