"""The phone page's delay after a call (issue 19, item 4): from a counter's HTTP call to the page showing it.

A queue host on loopback (a thread of this process), Debian's headless Chromium driven by Playwright at
412×915 (never a downloaded browser), one ticket's page opened once; a counter client (HttpQueue with a
counter's token) calls the tickets ahead one by one, then this one, then finishes it. Each delay runs from
just before the call to the page's ``requestAnimationFrame`` that shows the change; ``--calls`` calls per
round, ``--rounds`` rounds, with the event stream and, separately, with the stream blocked (the 5 s polling
fallback). Prints one JSON object.

    nice .venv/bin/python bench/phone_status.py --rounds 3 --calls 8
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import status_token

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _round(page: Page, url: str, counter: HttpQueue, engine: QueueEngine, calls: int, tag: str) -> list[float]:
    for i in range(calls - 1):
        engine.issue("KTP", request_id=f"{tag}-before-{i}")
    mine = engine.issue("KTP", request_id=f"{tag}-mine").ticket
    page.goto(f"{url}/v1/status/{status_token(mine.id)}", wait_until="load")
    delays: list[float] = []
    current: str | None = None
    for _ in range(calls):
        before = page.evaluate("() => document.getElementById('box').innerText + document.body.dataset.state")
        started = time.perf_counter()
        _finished, called = counter.finish_and_call_next(3, ["KTP"], current, actor="bench@counter-3")
        current = called.id if called is not None else None
        page.wait_for_function("(before) => document.getElementById('box').innerText + document.body.dataset.state"
                               " !== before", arg=before, polling="raf", timeout=15_000)
        delays.append(time.perf_counter() - started)
    if current is not None:
        counter.finish(counter.start(current, actor="bench@counter-3").id, actor="bench@counter-3")
    return delays


def _summary(delays: list[float]) -> dict[str, Any]:
    ordered = sorted(delays)
    return {"calls": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000),
            "max_ms": round(ordered[-1] * 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=8, help="calls per round (the last calls the page's ticket)")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        engine = QueueEngine.open(Path(folder) / "queue.db", [ServiceRule("KTP", "A", 9999, 10)],
                                  ZoneInfo("Asia/Jakarta"))
        server = RunningServer(create_app(engine, {"tok-counter": DeviceGrant("loket-3", "counter")}))
        counter = HttpQueue(server.url, "tok-counter")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for mode in ("stream", "polling"):
                context = browser.new_context(viewport={"width": 412, "height": 915}, is_mobile=True)
                page = context.new_page()
                if mode == "polling":
                    page.route("**/events", lambda route: route.abort())
                delays = [d for r in range(args.rounds)
                          for d in _round(page, server.url, counter, engine, args.calls, f"{mode}-{r}")]
                context.close()
                results[mode] = _summary(delays)
        finally:
            browser.close()
            counter.close()
            server.stop()
            engine.close()
    print(json.dumps({"bench": "phone_status", "chromium": CHROMIUM, **results}))


if __name__ == "__main__":
    main()
