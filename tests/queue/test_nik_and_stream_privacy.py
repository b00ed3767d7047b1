"""Issue 21, items 4 and 10: a full NIK never passes as a masked one, and the board's stream carries
only what the board shows. Over real HTTP (a uvicorn server on loopback) and in process.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import json
import threading
import time as wallclock
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from fastapi import FastAPI

from kiosk.queue.client import LocalQueue
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import EventType, QueueEvent, ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.utils.privacy import check_masked_nik, is_masked_nik, mask_nik

JAKARTA = ZoneInfo("Asia/Jakarta")
TIMEOUT = 5.0
FULL_NIK = "3171014501900001"
MASKED = "3171********0001"
RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
TOKENS = {
    "tok-kiosk": DeviceGrant("kiosk-1", "kiosk"),
    "tok-counter": DeviceGrant("console-2", "counter"),
    "tok-display": DeviceGrant("board-lobby", "display"),
}
# What the board neither shows nor may receive (issue 21, item 10).
BOARD_NEVER = ("id", "request_id", "nik_masked", "identity_status", "application_id", "priority")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, JAKARTA)
    yield engine
    engine.close()


@pytest.fixture
def app(engine: QueueEngine) -> FastAPI:
    return create_app(engine, TOKENS, keepalive_seconds=0.3)


@pytest.fixture
def url(app: FastAPI) -> Iterator[str]:
    server = RunningServer(app, "127.0.0.1", 0)
    yield server.url
    server.stop()


def session(token: str) -> requests.Session:
    made = requests.Session()
    made.trust_env = False  # loopback only: never a proxy from the environment
    made.headers["Authorization"] = f"Bearer {token}"
    return made


def database_bytes(tmp_path: Path) -> bytes:
    """The queue's database file and its WAL, as stored."""
    return b"".join(p.read_bytes() for p in tmp_path.glob("queue.db*"))


# -- one validator of masked NIKs -------------------------------------------------------------

def test_a_masked_nik_is_exactly_what_mask_nik_makes_of_a_nik() -> None:
    assert is_masked_nik(mask_nik(FULL_NIK)) and check_masked_nik(MASKED) == MASKED
    for wrong in (FULL_NIK, "3171 0145 0190 0001", "3171********000", "3171*********0001", "****************",
                  "3171********0001\n", "３１７１********0001", "", None, 3171):
        assert not is_masked_nik(wrong), wrong
    with pytest.raises(ValueError, match="nik_masked must be a masked NIK") as refused:
        check_masked_nik(FULL_NIK)
    assert FULL_NIK not in str(refused.value)


# -- item 4: a full NIK as nik_masked ---------------------------------------------------------

@pytest.mark.parametrize("nik", [FULL_NIK, "3171 0145 0190 0001", "3171014501900001 ", "3171****"])
def test_the_host_refuses_a_full_nik_as_nik_masked_by_name_without_echoing_it(
        url: str, engine: QueueEngine, tmp_path: Path, nik: str) -> None:
    with session("tok-kiosk") as kiosk:
        refused = kiosk.post(f"{url}/v1/tickets", json={"service_code": "KTP", "request_id": "r-1",
                                                        "nik_masked": nik}, timeout=TIMEOUT)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid_request" and "nik_masked" in refused.json()["message"]
    assert nik.strip() not in refused.text and "01450190" not in refused.text
    assert engine.waiting() == []  # nothing issued, nothing stored
    assert b"01450190" not in database_bytes(tmp_path)


def test_the_host_takes_a_masked_nik(url: str, engine: QueueEngine) -> None:
    with session("tok-kiosk") as kiosk:
        issued = kiosk.post(f"{url}/v1/tickets", json={"service_code": "KTP", "request_id": "r-1",
                                                       "nik_masked": MASKED}, timeout=TIMEOUT)
    assert issued.status_code == 201, issued.text
    assert issued.json()["ticket"]["nik_masked"] == MASKED and engine.waiting()[0].nik_masked == MASKED


def test_the_in_process_queue_refuses_a_full_nik_too(engine: QueueEngine, tmp_path: Path) -> None:
    queue = LocalQueue(engine, None)  # the one-machine demo: no host in between
    with pytest.raises(ValueError, match="nik_masked") as refused:
        queue.issue("KTP", request_id="r-1", nik_masked=FULL_NIK)
    assert FULL_NIK not in str(refused.value)
    assert engine.waiting() == []
    assert FULL_NIK.encode() not in database_bytes(tmp_path)
    assert queue.issue("KTP", request_id="r-2", nik_masked=MASKED).ticket.nik_masked == MASKED


# -- item 10: the board's stream ---------------------------------------------------------------

def read_events(url: str, token: str, act: Any, wanted: int) -> list[tuple[str, str]]:
    """``(type, raw JSON)`` of the first ``wanted`` events the stream sends after ``act()``."""
    got: list[tuple[str, str]] = []
    deadline = wallclock.monotonic() + TIMEOUT
    with session(token) as reader, reader.get(f"{url}/v1/events", stream=True, timeout=(TIMEOUT, TIMEOUT)) as reply:
        assert reply.status_code == 200
        lines = reply.iter_lines(decode_unicode=True)
        assert next(lines) == ": connected"  # subscribed: what happens now reaches us
        act()
        kind = ""
        for line in lines:
            assert wallclock.monotonic() < deadline, f"only {len(got)} of {wanted} events arrived"
            text = str(line)
            if text.startswith("event:"):
                kind = text.partition(":")[2].strip()
            elif text.startswith("data:"):
                got.append((kind, text.partition(":")[2].strip()))
                if len(got) == wanted:
                    return got
    raise AssertionError("the stream ended")


def issue_and_call(engine: QueueEngine) -> Any:
    def act() -> None:
        engine.issue("KTP", request_id="req-secret-1", nik_masked=MASKED, identity_status="to_verify_at_counter",
                     application_id="app-0c9d2b7a", priority="pregnant")
        engine.call_next(3, ["KTP"], actor="console-2@counter-3")
    return act


def test_the_board_reads_from_the_stream_only_what_it_shows(url: str, engine: QueueEngine) -> None:
    events = read_events(url, "tok-display", issue_and_call(engine), 2)
    ticket = engine.current_at(3)
    assert ticket is not None
    assert [kind for kind, _ in events] == ["issued", "called"]
    for _kind, raw in events:
        event = json.loads(raw)
        assert set(event) == {"type", "at", "counter", "ticket"}
        assert set(event["ticket"]) == {"number", "service_code", "state"}
        assert not set(BOARD_NEVER) & set(event["ticket"])
        for secret in (ticket.id, "req-secret-1", "3171", "to_verify", "app-0c9d2b7a", "pregnant", "console-2"):
            assert secret not in raw
    called = json.loads(events[1][1])
    assert called["counter"] == 3 and called["ticket"] == {"number": "A-001", "service_code": "KTP", "state": "called"}


@pytest.mark.parametrize("token", ["tok-kiosk", "tok-counter"])
def test_kiosks_and_counters_keep_what_they_use_but_never_the_nik_or_application(url: str, engine: QueueEngine,
                                                                                   token: str) -> None:
    events = read_events(url, token, issue_and_call(engine), 2)
    current = engine.current_at(3)
    assert current is not None
    for _kind, raw in events:
        event = json.loads(raw)
        ticket = event["ticket"]
        # the kiosk deletes a pending face by request id, the counter rereads an application by ticket id
        assert ticket["id"] == current.id and ticket["request_id"] == "req-secret-1"
        assert ticket["identity_status"] == "to_verify_at_counter" and event["actor"]
        assert "nik_masked" not in ticket and "application_id" not in ticket
        assert MASKED not in raw and "app-0c9d2b7a" not in raw


def test_the_board_client_reads_its_view_into_events(url: str, app: FastAPI, engine: QueueEngine) -> None:
    board = HttpQueue(url, "tok-display", timeout=2.0)
    got: list[QueueEvent] = []
    called = threading.Event()

    def listener(event: QueueEvent) -> None:
        got.append(event)
        if event.type is EventType.CALLED:
            called.set()

    board.subscribe(listener)
    try:
        deadline = wallclock.monotonic() + TIMEOUT
        while app.state.event_hub.client_count == 0:
            assert wallclock.monotonic() < deadline, "the board's stream did not connect"
            wallclock.sleep(0.05)
        issue_and_call(engine)()
        assert called.wait(TIMEOUT)
    finally:
        board.close()
    event = got[-1]
    assert event.counter == 3 and event.ticket.number == "A-001" and event.ticket.service_code == "KTP"
    assert event.ticket.id == "" and event.ticket.request_id == "" and event.ticket.nik_masked is None
    assert event.ticket.application_id is None and event.ticket.priority is None and event.actor == ""
