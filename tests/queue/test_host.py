"""The queue host (kiosk.queue.host) over real HTTP: a uvicorn server on loopback in a thread.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import itertools
import json
import threading
import time as wallclock
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import OpeningHours, PriorityGroup, ServiceRule, Ticket, TicketState
from kiosk.queue.openapi import openapi_document
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.wire import ticket_from_json, ticket_to_json

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT / "docs" / "api" / "queue.openapi.json"
JAKARTA = ZoneInfo("Asia/Jakarta")
TIMEOUT = 5.0
RULES = [
    ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10),
    ServiceRule("KK", "A", daily_quota=500, typical_service_minutes=8),
    ServiceRule("SIP", "B", daily_quota=1, typical_service_minutes=15),
]
TOKENS = {
    "tok-kiosk": DeviceGrant("kiosk-1", "kiosk"),
    "tok-counter": DeviceGrant("console-2", "counter"),
    "tok-display": DeviceGrant("board-lobby", "display"),
    "tok-admin": DeviceGrant("it-admin", "admin"),
}
KIOSK, COUNTER, DISPLAY, ADMIN = (f"tok-{r}" for r in ("kiosk", "counter", "display", "admin"))


@dataclass
class Host:
    url: str
    engine: QueueEngine

    def session(self, token: str | None) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # loopback only: never a proxy from the environment
        if token is not None:
            session.headers["Authorization"] = f"Bearer {token}"
        return session


@pytest.fixture
def start_host(tmp_path: Path) -> Iterator[Callable[..., Host]]:
    running: list[tuple[RunningServer, QueueEngine]] = []

    def start(**engine_kw: Any) -> Host:
        engine = QueueEngine.open(tmp_path / f"queue-{len(running)}.db", RULES, JAKARTA, **engine_kw)
        server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3), "127.0.0.1", 0)
        running.append((server, engine))
        return Host(server.url, engine)

    yield start
    for server, engine in running:
        server.stop()
        engine.close()


@pytest.fixture
def host(start_host: Callable[..., Host]) -> Host:
    return start_host()


@pytest.fixture
def sessions(host: Host) -> Iterator[dict[str | None, requests.Session]]:
    made = {token: host.session(token) for token in (None, KIOSK, COUNTER, DISPLAY, ADMIN, "wrong")}
    yield made
    for session in made.values():
        session.close()


_ids = itertools.count()


def issue(session: requests.Session, url: str, service: str = "KTP", **extra: Any) -> requests.Response:
    body = {"service_code": service, "request_id": f"req-{next(_ids)}-{uuid.uuid4().hex[:6]}", **extra}
    return session.post(f"{url}/v1/tickets", json=body, timeout=TIMEOUT)


# -- basics -----------------------------------------------------------------------------------

def test_health_needs_no_token_and_gives_utc_time(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    reply = sessions[None].get(f"{host.url}/v1/health", timeout=TIMEOUT)
    assert reply.status_code == 200
    body = reply.json()
    assert body["ok"] is True
    moment = datetime.fromisoformat(body["time"])
    assert moment.utcoffset() == timedelta(0)
    assert abs(moment - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dG9rLWtpb3Nr"},
                                     {"Authorization": "Bearer "}])
def test_missing_or_unknown_token_is_401_json(host: Host, headers: dict[str, str]) -> None:
    with host.session(None) as session:
        for method, path in [("get", "/v1/board"), ("post", "/v1/tickets"), ("get", "/v1/events")]:
            reply = session.request(method, f"{host.url}{path}", headers=headers, json={}, timeout=TIMEOUT)
            assert reply.status_code == 401, (path, reply.text)
            assert reply.headers["WWW-Authenticate"].startswith("Bearer")
            body = reply.json()
            assert body["error"] == "unauthorized" and body["message"]


# (method, path template, body) -> roles allowed (admin always is).
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("post", "/v1/tickets", {"service_code": "KTP", "request_id": "{rid}"}, {"kiosk"}),
    ("get", "/v1/tickets/{tid}", None, {"kiosk", "counter"}),
    ("get", "/v1/services/KTP/preview", None, {"kiosk", "counter"}),
    ("get", "/v1/waiting?services=KTP,KK", None, {"kiosk", "counter"}),
    ("get", "/v1/counters/1/current", None, {"kiosk", "counter"}),
    ("get", "/v1/counters/1/stats", None, {"kiosk", "counter"}),
    ("get", "/v1/board?recent=3", None, {"kiosk", "counter", "display"}),
    ("post", "/v1/counters/1/call-next", {"services": ["SIP"]}, {"counter"}),
    ("post", "/v1/counters/1/call", {"number": "Z-999"}, {"counter"}),
    ("post", "/v1/tickets/{tid}/recall", None, {"counter"}),
    ("post", "/v1/tickets/{tid}/start", None, {"counter"}),
    ("post", "/v1/tickets/{tid}/finish", None, {"counter"}),
    ("post", "/v1/tickets/{tid}/no-show", None, {"counter"}),
    ("post", "/v1/tickets/{tid}/reactivate", None, {"counter"}),
    ("post", "/v1/tickets/{tid}/cancel", {"counter": 1}, {"counter"}),
    ("post", "/v1/tickets/{tid}/transfer", {"to_service": "KK"}, {"counter"}),
]


def test_each_role_may_do_exactly_its_part(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    """403 for a role outside an endpoint's list; otherwise the request gets past the gate."""
    ticket = issue(sessions[KIOSK], host.url).json()["ticket"]
    for role in ("kiosk", "counter", "display", "admin"):
        session = sessions[f"tok-{role}"]
        for method, template, body, allowed in ENDPOINTS:
            path = template.format(tid=ticket["id"])
            payload = json.loads(json.dumps(body).replace("{rid}", uuid.uuid4().hex)) if body else None
            reply = session.request(method, f"{host.url}{path}", json=payload, timeout=TIMEOUT)
            if role == "admin" or role in allowed:
                assert reply.status_code not in (401, 403), (role, path, reply.text)
            else:
                assert reply.status_code == 403, (role, path, reply.text)
                assert reply.json()["error"] == "forbidden"


def test_display_can_open_the_event_stream_but_kiosk_cannot_call(
        host: Host, sessions: dict[str | None, requests.Session]) -> None:
    with sessions[DISPLAY].get(f"{host.url}/v1/events", stream=True, timeout=TIMEOUT) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
    reply = sessions[KIOSK].post(f"{host.url}/v1/counters/1/call-next", json={"services": ["KTP"]}, timeout=TIMEOUT)
    assert reply.status_code == 403


# -- issuing ----------------------------------------------------------------------------------

def test_issue_then_retry_with_the_same_request_id(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    body = {"service_code": "KTP", "request_id": "kiosk-1-0001", "priority": "elderly", "lang": "en",
            "nik_masked": "3171********0001", "identity_status": "verified"}
    first = sessions[KIOSK].post(f"{host.url}/v1/tickets", json=body, timeout=TIMEOUT)
    assert first.status_code == 201, first.text
    issued = first.json()
    assert set(issued) == {"ticket", "people_ahead", "estimated_wait_minutes"}
    ticket = issued["ticket"]
    assert ticket["number"] == "A-001" and ticket["state"] == "issued" and ticket["priority"] == "elderly"
    assert ticket["lang"] == "en" and ticket["identity_status"] == "verified"
    assert datetime.fromisoformat(ticket["issued_at"]).utcoffset() == timedelta(0)

    again = sessions[KIOSK].post(f"{host.url}/v1/tickets", json=body, timeout=TIMEOUT)
    assert again.status_code == 200, again.text
    assert again.json()["ticket"]["id"] == ticket["id"] and again.json()["ticket"]["number"] == "A-001"
    assert len(host.engine.waiting()) == 1
    assert [e["actor"] for e in host.engine.events(ticket["id"])] == ["kiosk-1"]

    conflict = sessions[KIOSK].post(f"{host.url}/v1/tickets", json={**body, "service_code": "SIP"}, timeout=TIMEOUT)
    assert conflict.status_code == 422
    assert conflict.json()["error"] == "request_id_conflict"

    fetched = sessions[COUNTER].get(f"{host.url}/v1/tickets/{ticket['id']}", timeout=TIMEOUT)
    assert fetched.status_code == 200 and fetched.json() == ticket


def test_issue_validation_unknown_service_and_quota(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    kiosk = sessions[KIOSK]
    missing_id = kiosk.post(f"{host.url}/v1/tickets", json={"service_code": "KTP"}, timeout=TIMEOUT)
    assert missing_id.status_code == 422
    bad_priority = issue(kiosk, host.url, priority="vip")
    assert bad_priority.status_code == 422

    unknown = issue(kiosk, host.url, service="PASPOR")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_service" and "PASPOR" in unknown.json()["message"]
    assert kiosk.get(f"{host.url}/v1/services/PASPOR/preview", timeout=TIMEOUT).status_code == 404
    assert kiosk.get(f"{host.url}/v1/tickets/nope", timeout=TIMEOUT).json()["error"] == "ticket_not_found"

    assert issue(kiosk, host.url, service="SIP").status_code == 201
    full = issue(kiosk, host.url, service="SIP")
    assert full.status_code == 409 and full.json()["error"] == "quota_full"

    preview = kiosk.get(f"{host.url}/v1/services/KTP/preview", timeout=TIMEOUT)
    assert preview.json() == {"service_code": "KTP", "people_ahead": 0, "estimated_wait_minutes": 0}


def test_closed_queue_is_409_with_next_open(start_host: Callable[..., Host]) -> None:
    closed = start_host(hours=OpeningHours(open=time(8), close=time(8, 1), weekdays=frozenset()))
    with closed.session(KIOSK) as kiosk:
        reply = issue(kiosk, closed.url)
    assert reply.status_code == 409
    assert reply.json()["error"] == "closed" and reply.json()["next_open"] is None


# -- counters ---------------------------------------------------------------------------------

def test_call_start_finish_happy_path(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    counter, url = sessions[COUNTER], host.url
    number = issue(sessions[KIOSK], url).json()["ticket"]["number"]

    called = counter.post(f"{url}/v1/counters/2/call-next", json={"services": ["KTP", "KK"]}, timeout=TIMEOUT)
    assert called.status_code == 200, called.text
    ticket = called.json()
    assert ticket["number"] == number and ticket["state"] == "called" and ticket["counter"] == 2
    assert counter.get(f"{url}/v1/counters/2/current", timeout=TIMEOUT).json()["id"] == ticket["id"]

    started = counter.post(f"{url}/v1/tickets/{ticket['id']}/start", json={"counter": 2}, timeout=TIMEOUT)
    assert started.status_code == 200 and started.json()["state"] == "serving"
    finished = counter.post(f"{url}/v1/tickets/{ticket['id']}/finish", timeout=TIMEOUT)
    assert finished.status_code == 200 and finished.json()["state"] == "done"
    assert finished.json()["finished_at"] is not None

    empty = counter.post(f"{url}/v1/counters/2/call-next", json={"services": ["KTP"]}, timeout=TIMEOUT)
    assert empty.status_code == 204
    assert counter.get(f"{url}/v1/counters/2/current", timeout=TIMEOUT).status_code == 204
    stats = counter.get(f"{url}/v1/counters/2/stats", timeout=TIMEOUT).json()
    assert stats["called"] == 1 and stats["served"] == 1

    actors = [(e["type"], e["actor"]) for e in host.engine.events(ticket["id"])]
    assert actors == [("issued", "kiosk-1"), ("called", "console-2@counter-2"), ("started", "console-2@counter-2"),
                      ("finished", "console-2")]


def test_finish_before_call_is_409_with_current_state(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    ticket = issue(sessions[KIOSK], host.url).json()["ticket"]
    reply = sessions[COUNTER].post(f"{host.url}/v1/tickets/{ticket['id']}/finish", timeout=TIMEOUT)
    assert reply.status_code == 409
    body = reply.json()
    assert body["error"] == "illegal_transition" and body["state"] == "issued"
    assert ticket["number"] in body["message"]


def test_recall_limit_no_show_reactivate_transfer_and_call_specific(
        start_host: Callable[..., Host]) -> None:
    host = start_host(max_recalls=1)
    with host.session(KIOSK) as kiosk, host.session(COUNTER) as counter:
        url = host.url
        ticket = issue(kiosk, url, service="KK").json()["ticket"]
        called = counter.post(f"{url}/v1/counters/3/call", json={"number": ticket["number"].lower()}, timeout=TIMEOUT)
        assert called.status_code == 200 and called.json()["counter"] == 3
        assert counter.post(f"{url}/v1/tickets/{ticket['id']}/recall", timeout=TIMEOUT).json()["recalls"] == 1
        limit = counter.post(f"{url}/v1/tickets/{ticket['id']}/recall", timeout=TIMEOUT)
        assert limit.status_code == 409 and limit.json() | {"message": ""} == {
            "error": "illegal_transition", "message": "", "state": "called"}
        assert counter.post(f"{url}/v1/tickets/{ticket['id']}/no-show", timeout=TIMEOUT).json()["state"] == "no_show"
        assert counter.post(f"{url}/v1/tickets/{ticket['id']}/reactivate", timeout=TIMEOUT).json()["state"] == "issued"
        moved = counter.post(f"{url}/v1/tickets/{ticket['id']}/transfer", json={"to_service": "KTP", "counter": 3},
                             timeout=TIMEOUT)
        assert moved.status_code == 200 and moved.json()["service_code"] == "KTP"
        assert moved.json()["number"] == ticket["number"]
        waiting = counter.get(f"{url}/v1/waiting", params={"services": "KTP,SIP"}, timeout=TIMEOUT).json()
        assert [t["id"] for t in waiting] == [ticket["id"]]
        assert counter.get(f"{url}/v1/waiting?services=KK", timeout=TIMEOUT).json() == []
        bad = counter.post(f"{url}/v1/tickets/{ticket['id']}/transfer", json={"to_service": "NOPE"}, timeout=TIMEOUT)
        assert bad.status_code == 404
        cancelled = counter.post(f"{url}/v1/tickets/{ticket['id']}/cancel", timeout=TIMEOUT)
        assert cancelled.json()["state"] == "cancelled"


def test_board(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    numbers = [issue(sessions[KIOSK], host.url).json()["ticket"]["number"] for _ in range(3)]
    issue(sessions[KIOSK], host.url, service="SIP")
    for counter in (1, 2):
        sessions[COUNTER].post(f"{host.url}/v1/counters/{counter}/call-next", json={"services": ["KTP"]},
                               timeout=TIMEOUT)
    board = sessions[DISPLAY].get(f"{host.url}/v1/board", params={"recent": 5}, timeout=TIMEOUT)
    assert board.status_code == 200
    body = board.json()
    assert [(c["counter"], c["number"]) for c in body["now_serving"]] == [(1, numbers[0]), (2, numbers[1])]
    assert [c["number"] for c in body["recent_calls"]] == [numbers[1], numbers[0]]
    assert body["waiting_by_service"] == {"KTP": 1, "KK": 0, "SIP": 1}
    assert datetime.fromisoformat(body["now_serving"][0]["called_at"]).utcoffset() == timedelta(0)


# -- the event stream -------------------------------------------------------------------------

def _sse_messages(reply: requests.Response, deadline: float) -> Iterator[tuple[str, str]]:
    """(field, value) lines of an SSE stream until ``deadline`` (monotonic); comments as ("", text)."""
    for line in reply.iter_lines(decode_unicode=True):
        raw = str(line)  # str already (decode_unicode); requests types it as str | bytes
        if wallclock.monotonic() > deadline:
            raise AssertionError("the event did not arrive in time")
        if not raw:
            continue
        if raw.startswith(":"):
            yield "", raw[1:].strip()
        else:
            name, _, value = raw.partition(":")
            yield name, value.strip()


def test_event_stream_delivers_issued_and_keepalive(host: Host, sessions: dict[str | None, requests.Session]) -> None:
    deadline = wallclock.monotonic() + TIMEOUT
    with sessions[DISPLAY].get(f"{host.url}/v1/events", stream=True, timeout=(TIMEOUT, TIMEOUT)) as reply:
        assert reply.status_code == 200
        lines = _sse_messages(reply, deadline)
        assert next(lines) == ("", "connected")  # subscribed: what happens now reaches us
        number = issue(sessions[KIOSK], host.url).json()["ticket"]["number"]
        kind = None
        for name, value in lines:
            if name == "event":
                kind = value
            elif name == "data" and kind == "issued":
                event = json.loads(value)
                assert event["type"] == "issued" and event["ticket"]["number"] == number
                assert "actor" not in event and "id" not in event["ticket"]  # the board's view (issue 21)
                break
        assert ("", "keepalive") in lines  # the host's keepalive is 0.3 s here
    # closing the stream unsubscribes; the server fixture then stops promptly


def test_closing_the_stream_unsubscribes(tmp_path: Path) -> None:
    engine = QueueEngine.open(tmp_path / "own.db", RULES, JAKARTA)
    app = create_app(engine, TOKENS)
    server = RunningServer(app, "127.0.0.1", 0)
    try:
        with Host(server.url, engine).session(DISPLAY) as session:
            with session.get(f"{server.url}/v1/events", stream=True, timeout=(TIMEOUT, TIMEOUT)) as reply:
                assert next(reply.iter_lines()) == b": connected"
                assert app.state.event_hub.client_count == 1
        deadline = wallclock.monotonic() + TIMEOUT
        while app.state.event_hub.client_count and wallclock.monotonic() < deadline:
            wallclock.sleep(0.05)
        assert app.state.event_hub.client_count == 0
    finally:
        server.stop()
        engine.close()


def test_event_stream_ends_when_the_server_stops(tmp_path: Path) -> None:
    engine = QueueEngine.open(tmp_path / "own.db", RULES, JAKARTA)
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    try:
        session = Host(server.url, engine).session(DISPLAY)
        with session, session.get(f"{server.url}/v1/events", stream=True, timeout=(TIMEOUT, TIMEOUT)) as reply:
            assert next(reply.iter_lines()) == b": connected"
            started = wallclock.monotonic()
            server.stop()
            assert wallclock.monotonic() - started < 3
    finally:
        server.stop()
        engine.close()


# -- concurrency ------------------------------------------------------------------------------

def test_concurrent_issues_get_unique_numbers(host: Host) -> None:
    def kiosk(n: int) -> list[str]:
        with host.session(KIOSK) as session:
            numbers = []
            for _ in range(20):
                reply = issue(session, host.url)
                assert reply.status_code == 201, reply.text
                numbers.append(reply.json()["ticket"]["number"])
            return numbers

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(kiosk, range(10), timeout=30))
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == 200 and len(set(numbers)) == 200
    assert sorted(numbers) == [f"A-{i:03d}" for i in range(1, 201)]


def test_concurrent_counters_never_call_the_same_ticket(host: Host) -> None:
    for i in range(40):
        host.engine.issue("KTP" if i % 2 else "KK", request_id=f"seed-{i}",
                          priority=PriorityGroup.ELDERLY if i % 7 == 0 else None)
    barrier = threading.Barrier(5, timeout=TIMEOUT)

    def counter(n: int) -> list[str]:
        called: list[str] = []
        with host.session(COUNTER) as session:
            barrier.wait()
            while True:
                reply = session.post(f"{host.url}/v1/counters/{n}/call-next", json={"services": ["KTP", "KK"]},
                                     timeout=TIMEOUT)
                if reply.status_code == 204:
                    return called
                assert reply.status_code == 200, reply.text
                assert reply.json()["counter"] == n
                called.append(reply.json()["id"])

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(counter, range(1, 6), timeout=30))
    ids = [t for batch in results for t in batch]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert all(t.state is TicketState.CALLED for t in (host.engine.get(i) for i in ids))


# -- wire format and API description ----------------------------------------------------------

def test_ticket_json_round_trip() -> None:
    moment = datetime(2025, 6, 16, 2, 0, 0, 123456, tzinfo=UTC)
    ticket = Ticket(id="t1", number="A-001", service_code="KTP", prefix="A", seq=1, day="2025-06-16",
                    priority=PriorityGroup.PREGNANT, state=TicketState.SERVING, arrived_at=moment,
                    issued_at=moment, called_at=moment + timedelta(minutes=3), started_at=moment + timedelta(minutes=4),
                    finished_at=None, counter=2, recalls=1, request_id="r1", identity_status="none",
                    nik_masked=None, lang="id", application_id=None)
    data = ticket_to_json(ticket)
    assert data["state"] == "serving" and data["priority"] == "pregnant"
    assert data["arrived_at"] == "2025-06-16T02:00:00.123456+00:00"
    assert json.loads(json.dumps(data)) == data
    assert ticket_from_json({**data, "added_later": 1}) == ticket
    local = {**data, "called_at": "2025-06-16T09:03:00.123456+07:00"}
    assert ticket_from_json(local).called_at == ticket.called_at


def test_committed_openapi_file_is_current() -> None:
    assert OPENAPI_FILE.exists(), \
        "generate it with kiosk.queue.openapi.write_openapi(Path('docs/api/queue.openapi.json'))"
    assert json.loads(OPENAPI_FILE.read_text(encoding="utf-8")) == json.loads(json.dumps(openapi_document()))


def test_every_operation_has_examples_recorded_from_a_real_session() -> None:
    document = openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path in ("/v1/health", "/v1/events", "/v1/status/{token}/events"):  # streams: no JSON to record
                continue
            where = f"{method.upper()} {path}: record an example in kiosk/queue/api_examples.py"
            if "requestBody" in operation:
                assert all("example" in c for c in operation["requestBody"]["content"].values()), where
            answers = [r for code, r in operation["responses"].items() if code.startswith("2")]
            assert any("example" in c for r in answers for c in r.get("content", {}).values()), where
    issued = document["paths"]["/v1/tickets"]["post"]["responses"]["201"]["content"]["application/json"]["example"]
    assert issued["ticket"]["number"] == "A-001" and issued["ticket"]["nik_masked"] == "3171********0001"


def test_a_stream_reader_too_far_behind_gets_one_resync_instead_of_the_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from kiosk.queue.routes import hub as hub_module

    monkeypatch.setattr(hub_module, "QUEUE_SIZE", 3)
    hub = hub_module.EventHub()

    async def overflow() -> list[tuple[str, str]]:
        with hub.client() as queue:
            for i in range(5):
                hub._offer(queue, ("called", str(i)))
            return [queue.get_nowait() for _ in range(queue.qsize())]

    assert asyncio.run(overflow()) == [("resync", "{}"), ("called", "4")]
