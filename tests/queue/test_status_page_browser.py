"""The status page behind the ticket's QR, as a phone's browser draws it (issue 17).

A real queue host on loopback and Debian's headless Chromium driven by Playwright (never a browser
download: ``executable_path`` points at the system's ``chromium``, installed by
``scripts/setup.sh --with-tests``). What is checked comes from the rendered DOM: the number on one
line inside the screen, the MPP's name at the top, large type, the ticket's language. Each test saves
a screenshot in its tmp dir to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser_fixture import browser  # noqa: F401 - the module's Chromium
from playwright.sync_api import Browser, Page, ViewportSize

from kiosk.config.schema import SiteSection
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import ServiceRule
from kiosk.queue.phone_page import status_page
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.routes.public import name_site
from kiosk.queue.server import RunningServer
from kiosk.queue.status import TOKEN_LENGTH, status_token

pytestmark = pytest.mark.slow

PHONE = ViewportSize(width=412, height=915)  # a common Android phone's CSS viewport
SITE_NAME = SiteSection().name  # the site config's default name, as the host is told it
RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
NIK_MASKED = "3171********0001"

# Every text a citizen reads on the page (not the number) is at least this large, in CSS px; the
# sentences saying where the ticket stands at least _LINE_PX; the number at least _NUMBER_PX.
_TEXT_PX, _LINE_PX, _NUMBER_PX = 22, 26, 72

# What the page looks like to a program: one measurement per element the citizen reads.
_MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                       bottom: r.bottom}; };
  const lines = (el) => { const range = document.createRange(); range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size; };
  const number = document.querySelector('.number');
  const texts = [...document.querySelectorAll('body *')].filter((el) =>
      [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length);
  return {
    lang: document.documentElement.lang, title: document.title, width: window.innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    site: {text: document.querySelector('.site').innerText, box: box(document.querySelector('.site'))},
    number: number && {text: number.innerText, box: box(number), lines: lines(number),
                       overflow: number.scrollWidth - number.clientWidth,
                       px: parseFloat(getComputedStyle(number).fontSize)},
    status: [...document.querySelectorAll('.box p')].map((p) => ({text: p.innerText,
                                                                  px: parseFloat(getComputedStyle(p).fontSize)})),
    texts: texts.map((el) => ({text: el.innerText, px: parseFloat(getComputedStyle(el).fontSize),
                               box: box(el)})),
    body: document.body.innerText,
  };
}"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Host:
    url: str
    engine: QueueEngine




@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811 - the fixture
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"),
                              clock=Clock())
    app = create_app(engine, {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}, counters_serving=lambda _c: 1)
    name_site(app, SITE_NAME)
    server = RunningServer(app, "127.0.0.1", 0)
    try:
        yield Host(server.url, engine)
    finally:
        server.stop()
        engine.close()


def save_screenshot(page: Page, path: Path) -> None:
    """Written here, not with ``screenshot(path=...)``: Playwright would write it from a thread pool that
    outlives the test (tests/conftest.py fails a test that leaves threads running)."""
    path.write_bytes(page.screenshot(full_page=True))


def open_page(page: Page, url: str, shot: Path) -> dict[str, Any]:
    response = page.goto(url, wait_until="load")
    assert response is not None
    save_screenshot(page, shot)
    measured: dict[str, Any] = page.evaluate(_MEASURE)
    measured["status_code"] = response.status
    return measured


def assert_readable_on_a_phone(seen: dict[str, Any], number: str) -> None:
    """The number on one line inside the screen, the MPP named at the top, every text large."""
    assert seen["pageWidth"] <= seen["width"], "the page scrolls sideways"
    shown = seen["number"]
    assert shown["text"] == number
    assert shown["lines"] == 1, f"the number {number} is broken over {shown['lines']} lines"
    assert shown["overflow"] <= 0 and 0 <= shown["box"]["left"] and shown["box"]["right"] <= seen["width"]
    assert shown["px"] >= _NUMBER_PX
    assert seen["site"]["text"] == SITE_NAME
    assert seen["site"]["box"]["top"] < shown["box"]["top"] and seen["site"]["box"]["top"] < 40
    small = [(t["text"], t["px"]) for t in seen["texts"] if t["px"] < _TEXT_PX]
    assert not small, f"text smaller than {_TEXT_PX} px: {small}"
    assert seen["status"] and all(line["px"] >= _LINE_PX for line in seen["status"])


@pytest.mark.parametrize(("lang", "label", "ahead"), [
    ("id", "Nomor antrean Anda", "1 orang di depan Anda"),
    ("en", "Your queue number", "1 person ahead of you"),
])
def test_waiting_ticket_on_a_412_px_phone(host: Host, phone: Page, tmp_path: Path,
                                          lang: str, label: str, ahead: str) -> None:
    host.engine.issue("KTP", request_id=f"before-{lang}")
    mine = host.engine.issue("KTP", request_id=f"mine-{lang}", nik_masked=NIK_MASKED, lang=lang,
                             identity_status="to_verify_at_counter").ticket
    seen = open_page(phone, f"{host.url}/v1/status/{status_token(mine.id)}", tmp_path / f"status-waiting-{lang}.png")

    assert seen["status_code"] == 200 and seen["lang"] == lang
    assert_readable_on_a_phone(seen, mine.number)
    assert label in seen["body"] and ahead in seen["body"] and mine.number in seen["title"]
    assert "3171" not in seen["body"] and mine.id not in seen["body"]  # no NIK, no device-API id
    # the ticket is still waiting: nobody was called, whatever the browser asked
    assert host.engine.get(mine.id).state.value == "issued"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_called_ticket_says_where_to_go_on_yellow(host: Host, phone: Page, tmp_path: Path, lang: str) -> None:
    engine = host.engine
    mine = engine.issue("KTP", request_id=f"called-{lang}", lang=lang).ticket
    while engine.get(mine.id).state.value == "issued":
        called = engine.call_next(12, ["KTP"], actor="t")
        if called is not None and called.id != mine.id:
            engine.finish(engine.start(called.id, actor="t").id, actor="t")
    seen = open_page(phone, f"{host.url}/v1/status/{status_token(mine.id)}", tmp_path / f"status-called-{lang}.png")

    assert_readable_on_a_phone(seen, mine.number)
    go, counter = {"id": ("Silakan ke loket 12", "Loket 12"), "en": ("Please go to counter 12", "Counter 12")}[lang]
    assert go in seen["body"]
    big = phone.evaluate("""() => { const go = document.querySelector('.box .go');
        return {text: go.innerText, px: parseFloat(getComputedStyle(go).fontSize),
                background: getComputedStyle(document.querySelector('.box')).backgroundColor}; }""")
    assert big["text"] == counter and big["px"] >= 44  # the counter alone, large (11vw: 45 px on 412)
    assert big["background"] == "rgb(255, 212, 0)"  # on yellow


def test_unknown_ticket_still_names_the_mpp(host: Host, phone: Page, tmp_path: Path) -> None:
    seen = open_page(phone, f"{host.url}/v1/status/{'Z' * TOKEN_LENGTH}", tmp_path / "status-not-found.png")
    assert seen["status_code"] == 404 and seen["number"] is None
    assert seen["site"]["text"] == SITE_NAME and "Tiket tidak ditemukan" in seen["body"]
    assert all(t["px"] >= _TEXT_PX for t in seen["texts"]) and seen["pageWidth"] <= seen["width"]


@pytest.mark.parametrize(("width", "number", "state", "lang"), [
    (320, "W-1000", "issued", "id"), (320, "M-888", "called", "en"), (360, "M-888", "issued", "id"),
    (412, "W-1000", "called", "en"), (1280, "A-005", "issued", "id"),
])
def test_the_widest_numbers_fit_small_phones_on_one_line(browser: Browser, tmp_path: Path,  # noqa: F811 - the fixture
                                                         width: int, number: str, state: str, lang: str) -> None:
    """The page itself (no host needed), with wide letters, a four-digit number and a two-digit counter
    on narrow screens: the number and the counter each stay on one line."""
    status = {"number": number, "state": state, "valid_today": True, "day": "2026-11-23", "people_ahead": 12,
              "estimated_wait_minutes": 130, "counter": 12 if state == "called" else None, "application": None}
    long_name = "Mal Pelayanan Publik Kabupaten Kepulauan Seribu Provinsi DKI Jakarta"
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.set_content(status_page(status, lang, "09:41", long_name))
        save_screenshot(page, tmp_path / f"status-{width}-{state}.png")
        seen = page.evaluate(_MEASURE)
        go_lines = page.evaluate("""() => { const go = document.querySelector('.go'); if (!go) return 0;
            const range = document.createRange(); range.selectNodeContents(go);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size; }""")
    finally:
        context.close()
    shown = seen["number"]
    assert shown["lines"] == 1 and shown["overflow"] <= 0 and shown["box"]["right"] <= width
    assert seen["pageWidth"] <= width and seen["site"]["text"] == long_name
    assert shown["px"] >= (60 if width < 400 else _NUMBER_PX)
    assert shown["px"] <= 128  # a desktop gets a large number, not a wall-sized one
    assert go_lines == (1 if state == "called" else 0)  # "Counter 12" on one line
