"""The queue host under concurrent load: 20 kiosks issue while 10 counters call, over real HTTP.

No timing is asserted (speed is bench/queue_host.py's job); only correctness under contention:
every number unique, no ticket called by two counters, every issued ticket accounted for.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

pytestmark = pytest.mark.slow

KIOSKS, ISSUES_EACH, COUNTERS = 20, 15, 10
SERVICES = ["KTP", "KK"]
RULES = [ServiceRule("KTP", "A", daily_quota=1000, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=1000, typical_service_minutes=8)]
TOKENS = {**{f"tok-kiosk-{i}": DeviceGrant(f"kiosk-{i}", "kiosk") for i in range(KIOSKS)},
          **{f"tok-counter-{i}": DeviceGrant(f"loket-{i}", "counter") for i in range(1, COUNTERS + 1)},
          "tok-admin": DeviceGrant("it-admin", "admin")}
TIMEOUT = 10.0


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"))
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    try:
        yield server.url
    finally:
        server.stop()
        engine.close()


def session(token: str) -> requests.Session:
    made = requests.Session()
    made.trust_env = False  # loopback only
    made.headers["Authorization"] = f"Bearer {token}"
    return made


def _assert_numbered_without_gaps(numbers: list[str], prefixes: tuple[str, ...]) -> None:
    for prefix in prefixes:
        seqs = sorted(int(n.split("-")[1]) for n in numbers if n.startswith(f"{prefix}-"))
        assert seqs == list(range(1, len(seqs) + 1))


def test_concurrent_issue_and_call_keep_numbers_unique_and_lose_nothing(url: str) -> None:
    issued: list[dict[str, Any]] = []
    called: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    kiosks_done = threading.Event()
    go = threading.Barrier(KIOSKS + COUNTERS)

    def kiosk(i: int) -> None:
        with session(f"tok-kiosk-{i}") as s:
            go.wait()
            for n in range(ISSUES_EACH):
                reply = s.post(f"{url}/v1/tickets", timeout=TIMEOUT, json={
                    "service_code": SERVICES[(i + n) % len(SERVICES)], "request_id": f"k{i}-{n}-{uuid.uuid4().hex}"})
                if reply.status_code != 201:
                    errors.append(f"issue {reply.status_code}: {reply.text}")
                    continue
                issued.append(reply.json()["ticket"])

    def counter(n: int) -> None:
        with session(f"tok-counter-{n}") as s:
            go.wait()
            # call while the kiosks issue; stop once they are done and the line is empty (or after enough calls)
            while len(called) < KIOSKS * ISSUES_EACH * 2 // 3:
                reply = s.post(f"{url}/v1/counters/{n}/call-next", json={"services": SERVICES}, timeout=TIMEOUT)
                if reply.status_code == 204:
                    if kiosks_done.is_set():
                        return
                    kiosks_done.wait(0.005)
                    continue
                if reply.status_code != 200:
                    errors.append(f"call-next {reply.status_code}: {reply.text}")
                    return
                ticket = reply.json()
                called.append((n, ticket))
                for action in ("start", "finish"):
                    done = s.post(f"{url}/v1/tickets/{ticket['id']}/{action}", json={"counter": n}, timeout=TIMEOUT)
                    if done.status_code != 200:
                        errors.append(f"{action} {done.status_code}: {done.text}")

    kiosk_threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)]
    counter_threads = [threading.Thread(target=counter, args=(n,)) for n in range(1, COUNTERS + 1)]
    for thread in kiosk_threads + counter_threads:
        thread.start()
    for thread in kiosk_threads:
        thread.join(60)
    kiosks_done.set()
    for thread in counter_threads:
        thread.join(60)
    assert not any(t.is_alive() for t in kiosk_threads + counter_threads)
    assert errors == []

    # every issue answered with a fresh number, numbered 1..n per prefix without gaps
    assert len(issued) == KIOSKS * ISSUES_EACH
    numbers = [t["number"] for t in issued]
    assert len(set(numbers)) == len(numbers)
    assert len({t["id"] for t in issued}) == len(issued)
    _assert_numbered_without_gaps(numbers, ("A", "B"))

    # no ticket went to two counters (nor twice to one)
    called_ids = [t["id"] for _, t in called]
    assert called, "the counters called nobody"
    assert len(set(called_ids)) == len(called_ids)

    # waiting + called (all finished here) = issued, with nothing in two places
    with session("tok-admin") as admin:
        waiting = admin.get(f"{url}/v1/waiting", timeout=TIMEOUT).json()
        waiting_ids = {t["id"] for t in waiting}
        issued_ids = {t["id"] for t in issued}
        assert waiting_ids.isdisjoint(called_ids)
        assert waiting_ids | set(called_ids) == issued_ids
        assert len(waiting) + len(called) == len(issued)
        for counter_no, ticket in called[:: max(1, len(called) // 20)]:  # a sample, from the host's own records
            stored = admin.get(f"{url}/v1/tickets/{ticket['id']}", timeout=TIMEOUT).json()
            assert stored["state"] == "done" and stored["counter"] == counter_no
        board = admin.get(f"{url}/v1/board", params={"recent": 100}, timeout=TIMEOUT).json()
        assert sum(board["waiting_by_service"].values()) == len(waiting)
        recent = [c["number"] for c in board["recent_calls"]]
        assert len(set(recent)) == len(recent)
