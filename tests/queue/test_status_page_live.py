"""The phone page that calls you (issue 19, item 4), in Debian's headless Chromium driven by Playwright.

A real queue host on loopback; a counter moves the queue over HTTP (:class:`HttpQueue` with a counter's
token) and the page, opened once, follows by itself: waiting → near (3 or fewer ahead) → called → done,
each change on screen within 2 s of the call. Vibration and sound are recorded by stand-ins installed
before the page's script runs (a headless browser has neither). Screenshots of each state are saved
in the test's tmp dir; the delays are printed (``-s``) for the notes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page
from test_status_page_browser import PHONE, SITE_NAME, Clock, browser, save_screenshot  # noqa: F401  (fixture)

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.routes.public import name_site
from kiosk.queue.server import RunningServer
from kiosk.queue.status import status_token

pytestmark = pytest.mark.slow

RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=500, typical_service_minutes=10)]
TOKENS = {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk"), "tok-counter": DeviceGrant("loket-3", "counter")}
CHANGE_SECONDS = 2.0  # the page shows a call within this long

# Stand-ins for what a headless browser lacks, installed before the page's own script: every
# vibration pattern asked for, every beep started, and every CSP violation.
_RECORDERS = """
window.__vibrations = []; window.__beeps = 0; window.__csp = [];
Object.defineProperty(Navigator.prototype, 'vibrate', {configurable: true,
  value: function (pattern) { window.__vibrations.push(pattern); return true; }});
if (window.AudioContext) {
  const make = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    const osc = make.call(this); const start = osc.start.bind(osc);
    osc.start = function (...args) { window.__beeps += 1; return start(...args); }; return osc; };
}
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
"""


@dataclass
class Host:
    url: str
    engine: QueueEngine
    counter: HttpQueue


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"), clock=Clock())
    app = create_app(engine, TOKENS, counters_serving=lambda _c: 1, keepalive_seconds=15.0)
    name_site(app, SITE_NAME)
    server = RunningServer(app, "127.0.0.1", 0)
    counter = HttpQueue(server.url, "tok-counter", timeout=5.0)
    try:
        yield Host(server.url, engine, counter)
    finally:
        counter.close()
        server.stop()
        engine.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811  (the imported fixture)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.add_init_script(_RECORDERS)
    try:
        yield context.new_page()
    finally:
        context.close()


def seen(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("""() => ({state: document.body.dataset.state, title: document.title,
        alert: document.getElementById('alert').hidden ? '' : document.getElementById('alert').innerText,
        box: document.getElementById('box').innerText, vibrations: window.__vibrations, beeps: window.__beeps,
        csp: window.__csp, refresh: document.getElementById('refresh').innerText,
        sound: document.getElementById('sound').hidden ? '' : document.getElementById('sound').innerText})"""))


def after(action: Any, page: Page, expression: str, delays: list[float]) -> None:
    """Do ``action`` (a counter's call over HTTP) and wait until the page shows it; the delay goes in ``delays``."""
    started = time.perf_counter()
    action()
    page.wait_for_function(expression, polling="raf", timeout=CHANGE_SECONDS * 1000)
    delays.append(time.perf_counter() - started)


def box_says(text: str) -> str:
    return f"() => document.getElementById('box').innerText.includes({text!r})"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_page_follows_the_queue_and_calls_the_citizen(host: Host, phone: Page, tmp_path: Path,
                                                           lang: str) -> None:
    engine, counter = host.engine, host.counter
    for i in range(5):
        engine.issue("KTP", request_id=f"before-{i}")
    engine.issue("KK", request_id="other-service")  # another service's calls do not move this ticket
    mine = engine.issue("KTP", request_id="mine", lang=lang, nik_masked="3171********0001").ticket
    response = phone.goto(f"{host.url}/v1/status/{status_token(mine.id)}", wait_until="load")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy and "unsafe" not in policy
    assert response.headers["referrer-policy"] == "no-referrer"

    words = {"id": {"ahead": "5 orang di depan Anda", "sound": "Sentuh untuk mengaktifkan suara",
                    "near": "Giliran Anda hampir tiba", "called": "Anda dipanggil!", "title": "DIPANGGIL ke loket 3",
                    "near_title": "Hampir giliran Anda", "done": "Selesai dilayani",
                    "closer": ("2 orang di depan", "1 orang di depan", "Anda berikutnya")},
             "en": {"ahead": "5 people ahead of you", "sound": "Tap to turn on sound",
                    "near": "Your turn is near", "called": "You are called!", "title": "CALLED to counter 3",
                    "near_title": "Your turn is near", "done": "Served. Thank you.",
                    "closer": ("2 people ahead", "1 person ahead", "You are next")}}[lang]
    first = seen(phone)
    assert first["state"] == "waiting" and words["ahead"] in first["box"] and first["alert"] == ""
    assert first["sound"] == words["sound"]
    save_screenshot(phone, tmp_path / f"phone-live-{lang}-1-waiting.png")
    phone.tap("#sound")  # the citizen's one touch: browsers play sound and vibrate only after one
    phone.wait_for_function("() => document.getElementById('sound').hidden")
    assert seen(phone)["beeps"] == 1

    delays: list[float] = []
    current: list[str | None] = [None]

    def call_next() -> None:
        finished, called = counter.finish_and_call_next(3, ["KTP"], current[0], actor="c@counter-3")
        current[0] = called.id if called is not None else None

    after(call_next, phone, box_says(words["ahead"].replace("5", "4")), delays)  # 5 → 4: still waiting
    assert seen(phone)["state"] == "waiting" and seen(phone)["vibrations"] == [100]  # only the touch's
    after(call_next, phone, "() => document.body.dataset.state === 'near'", delays)  # 3 ahead: near
    near = seen(phone)
    assert words["near"] in near["alert"] and near["title"].startswith(words["near_title"])
    assert near["vibrations"][-1] == [300, 150, 300] and near["beeps"] == 1 + 2
    save_screenshot(phone, tmp_path / f"phone-live-{lang}-2-near.png")
    for standing in words["closer"]:
        after(call_next, phone, box_says(standing), delays)
    assert len(seen(phone)["vibrations"]) == 2  # near rings once, not at each step
    after(call_next, phone, "() => document.body.dataset.state === 'called'", delays)
    called = seen(phone)
    assert current[0] == mine.id and called["alert"] == words["called"] and called["title"].startswith(words["title"])
    assert called["vibrations"][-1] == [600, 200, 600, 200, 600] and called["beeps"] == 1 + 2 + 3
    save_screenshot(phone, tmp_path / f"phone-live-{lang}-3-called.png")
    after(lambda: (counter.start(mine.id, actor="c@counter-3"), counter.finish(mine.id, actor="c@counter-3")),
          phone, "() => document.body.dataset.state === 'done'", delays)
    done = seen(phone)
    assert words["done"] in done["box"] and done["alert"] == "" and done["sound"] == ""
    save_screenshot(phone, tmp_path / f"phone-live-{lang}-4-done.png")
    assert done["csp"] == [] and "3171" not in phone.inner_text("body")
    print(f"\nphone page delay after a call ({lang}, {len(delays)} calls): "
          f"p50 {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")
    assert max(delays) < CHANGE_SECONDS


def test_without_the_stream_the_page_polls(host: Host, phone: Page, tmp_path: Path) -> None:
    """A proxy that drops the event stream: the page falls back to asking every 5 s."""
    engine = host.engine
    engine.issue("KTP", request_id="first")
    mine = engine.issue("KTP", request_id="mine", lang="id").ticket
    phone.route("**/events", lambda route: route.abort())
    phone.goto(f"{host.url}/v1/status/{status_token(mine.id)}", wait_until="load")
    assert seen(phone)["state"] == "near"
    host.counter.call_next(2, ["KTP"], actor="c@counter-2")
    host.counter.call_next(3, ["KTP"], actor="c@counter-3")
    phone.wait_for_function("() => document.body.dataset.state === 'called'", timeout=8_000)
    assert "Silakan ke loket 3" in seen(phone)["box"]
    save_screenshot(phone, tmp_path / "phone-live-polling-called.png")


def test_the_stream_and_the_view_answer_only_known_tickets(host: Host) -> None:
    import requests

    mine = host.engine.issue("KTP", request_id="mine", lang="en").ticket
    with requests.Session() as http:
        http.trust_env = False
        view = http.get(f"{host.url}/v1/status/{status_token(mine.id)}/view", timeout=5).json()
        assert view["state"] == "near" and view["number"] == mine.number and view["title"].startswith("Your turn")
        assert http.get(f"{host.url}/v1/status/{'Q' * 22}/view", timeout=5).status_code == 404
        assert http.get(f"{host.url}/v1/status/{'Q' * 22}/events", timeout=5).status_code == 404
        with http.get(f"{host.url}/v1/status/{status_token(mine.id)}/events", stream=True, timeout=5) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines(decode_unicode=True)
            first = [next(lines) for _ in range(6)]
    assert "event: view" in first and any(line.startswith("data: ") and mine.number in line for line in first)


def test_open_streams_are_counted_in_all_and_per_ticket() -> None:
    """Past the limits a page is told "busy" and polls instead; a closed stream frees its slot."""
    from kiosk.queue.routes.public import StreamSlots

    slots = StreamSlots(total=3, per_token=2)
    with slots.slot("a") as first, slots.slot("a") as second, slots.slot("a") as third:
        assert (first, second, third) == (True, True, False)  # per ticket
        with slots.slot("b") as other, slots.slot("c") as over:
            assert other and not over  # in all
    with slots.slot("a") as again:
        assert again
