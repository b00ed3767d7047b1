"""HttpQueue (kiosk.queue.http_client) against a real queue host on loopback.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import sys
import threading
import time as wallclock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import requests
from fastapi import FastAPI

from kiosk.queue.client import QueueUnavailable
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue, QueueAccessDenied
from kiosk.queue.models import (
    Closed,
    EventType,
    IllegalTransition,
    OpeningHours,
    QueueEvent,
    QuotaFull,
    RequestIdConflict,
    ServiceRule,
    TicketNotFound,
    TicketState,
    UnknownService,
)
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

JAKARTA = ZoneInfo("Asia/Jakarta")
TIMEOUT = 5.0
RULES = [
    ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10),
    ServiceRule("SIP", "B", daily_quota=1, typical_service_minutes=15),
]
TOKENS = {
    "tok-kiosk": DeviceGrant("kiosk-1", "kiosk"),
    "tok-counter": DeviceGrant("console-2", "counter"),
    "tok-admin": DeviceGrant("it-admin", "admin"),
}


@dataclass
class Host:
    engine: QueueEngine
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def client_count(self) -> int:
        app = cast(FastAPI, self.server.server.config.app)
        return int(app.state.event_hub.client_count)


@pytest.fixture
def start_host(tmp_path: Path) -> Iterator[Callable[..., Host]]:
    engines: list[QueueEngine] = []
    servers: list[RunningServer] = []

    def start(port: int = 0, engine: QueueEngine | None = None, **engine_kw: Any) -> Host:
        if engine is None:
            engine = QueueEngine.open(tmp_path / f"queue-{len(engines)}.db", RULES, JAKARTA, **engine_kw)
            engines.append(engine)
        server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3), "127.0.0.1", port)
        servers.append(server)
        return Host(engine, server)

    yield start
    for server in servers:
        if server.thread.is_alive():
            server.stop()
    for engine in engines:
        engine.close()


@pytest.fixture
def host(start_host: Callable[..., Host]) -> Host:
    return start_host()


@pytest.fixture
def make_client() -> Iterator[Callable[..., HttpQueue]]:
    clients: list[HttpQueue] = []

    def make(url: str, token: str = "tok-admin", **kw: Any) -> HttpQueue:
        kw.setdefault("timeout", 2.0)
        client = HttpQueue(url, token, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = wallclock.monotonic() + timeout
    while not condition():
        if wallclock.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        wallclock.sleep(0.02)


def test_importing_the_client_does_not_import_the_host_framework() -> None:
    code = "import sys, kiosk.queue.http_client; print('fastapi' in sys.modules or 'uvicorn' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == "False"


def test_issue_and_idempotent_retry(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    client = make_client(host.url, "tok-kiosk")
    first = client.issue("KTP", request_id="req-1", lang="en")
    again = client.issue("KTP", request_id="req-1", lang="en")
    assert first.ticket.number == "A-001" and first.ticket.state is TicketState.ISSUED
    assert again == first
    assert first.ticket == host.engine.get(first.ticket.id)
    with pytest.raises(RequestIdConflict) as info:
        client.issue("SIP", request_id="req-1")
    assert info.value.request_id == "req-1" and info.value.ticket == first.ticket


def test_preview_waiting_and_board(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    client = make_client(host.url)
    assert client.preview("KTP").people_ahead == 0
    client.issue("KTP", request_id="r1")
    preview = client.preview("KTP")
    assert preview.service_code == "KTP" and preview.people_ahead == 1
    assert preview.estimated_wait_minutes == host.engine.preview("KTP").estimated_wait_minutes
    assert [t.number for t in client.waiting()] == ["A-001"]
    assert client.waiting(["SIP"]) == []
    assert client.board() == host.engine.board()


def test_counter_flow_through_the_client(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    kiosk = make_client(host.url, "tok-kiosk")
    clerk = make_client(host.url, "tok-counter")
    issued = kiosk.issue("KTP", request_id="r1")
    assert clerk.current_at(3) is None
    called = clerk.call_next(3, ["KTP"], actor="console-2/counter-3")
    assert called is not None and called.id == issued.ticket.id
    assert called.state is TicketState.CALLED and called.counter == 3
    assert clerk.current_at(3) == called
    assert clerk.start(called.id, actor="console-2/counter-3").state is TicketState.SERVING
    done = clerk.finish(called.id, actor="console-2/counter-3")
    assert done.state is TicketState.DONE and done == clerk.get(called.id)
    assert clerk.call_next(3, ["KTP"], actor="console-2/counter-3") is None
    assert clerk.counter_stats(3) == host.engine.counter_stats(3)


def test_refused_transition_carries_the_current_state(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    client = make_client(host.url)
    issued = client.issue("KTP", request_id="r1")
    with pytest.raises(IllegalTransition) as info:
        client.finish(issued.ticket.id, actor="console-2/counter-1")
    assert info.value.current_state is TicketState.ISSUED
    assert info.value.action == "finish"
    assert info.value.ticket == issued.ticket


def test_quota_and_closed_are_rebuilt(start_host: Callable[..., Host], make_client: Callable[..., HttpQueue]) -> None:
    open_host = start_host()
    client = make_client(open_host.url)
    client.issue("SIP", request_id="s1")
    with pytest.raises(QuotaFull) as quota:
        client.issue("SIP", request_id="s2")
    assert (quota.value.service, quota.value.quota) == ("SIP", 1)
    shut = start_host(hours=OpeningHours(open=time(8), close=time(8, 1), weekdays=frozenset()))
    with pytest.raises(Closed):
        make_client(shut.url).issue("KTP", request_id="c1")


def test_unknown_service_and_ticket(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    client = make_client(host.url)
    with pytest.raises(UnknownService) as service:
        client.preview("NOPE")
    assert service.value.service == "NOPE"
    with pytest.raises(TicketNotFound) as ticket:
        client.get("no-such-id")
    assert ticket.value.key == "no-such-id"


def test_wrong_token_is_access_denied(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    with pytest.raises(QueueAccessDenied) as unknown:
        make_client(host.url, "tok-wrong").preview("KTP")
    assert unknown.value.status == 401 and "device_token" in str(unknown.value)
    with pytest.raises(QueueAccessDenied) as role:  # a kiosk may not call
        make_client(host.url, "tok-kiosk").call_next(1, ["KTP"], actor="x")
    assert role.value.status == 403


def test_unavailable_after_retries_when_the_host_is_down(host: Host,
                                                         make_client: Callable[..., HttpQueue]) -> None:
    url = host.url
    host.server.stop()
    client = make_client(url, timeout=0.5, retries=2)
    started = wallclock.monotonic()
    with pytest.raises(QueueUnavailable) as info:
        client.issue("KTP", request_id="r1")
    assert wallclock.monotonic() - started < 3
    assert url in str(info.value)
    with pytest.raises(QueueUnavailable):  # changing calls are tried once
        client.call_next(1, ["KTP"], actor="x")


def test_retried_issue_after_a_5xx_gets_the_ticket(host: Host, make_client: Callable[..., HttpQueue],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(host.url, retries=2)
    real = requests.Session.request
    calls: list[str] = []

    def flaky(self: requests.Session, method: str, url: str, **kw: Any) -> requests.Response:
        calls.append(method)
        response = real(self, method, url, **kw)
        if len(calls) == 1:  # the host issued the ticket but the answer was lost behind a 502
            response.status_code = 502
        return response

    monkeypatch.setattr(requests.Session, "request", flaky)
    issued = client.issue("KTP", request_id="r1")
    assert len(calls) == 2 and issued.ticket.number == "A-001"
    assert [t.number for t in host.engine.waiting()] == ["A-001"]


def test_subscribe_receives_events_and_unsubscribe_stops(host: Host, make_client: Callable[..., HttpQueue]) -> None:
    client = make_client(host.url, "tok-kiosk")
    got: list[QueueEvent] = []
    arrived = threading.Event()

    def listener(event: QueueEvent) -> None:
        got.append(event)
        arrived.set()

    unsubscribe = client.subscribe(listener)
    readers = [t for t in threading.enumerate() if t.name == "queue-events"]
    assert len(readers) == 1 and not readers[0].daemon
    wait_until(lambda: host.client_count() == 1, "the event stream to connect")
    issued = client.issue("KTP", request_id="r1")
    assert arrived.wait(TIMEOUT)
    assert got[0].type is EventType.ISSUED and got[0].ticket == issued.ticket
    started = wallclock.monotonic()
    unsubscribe()
    assert wallclock.monotonic() - started < 2
    assert not readers[0].is_alive()
    wait_until(lambda: host.client_count() == 0, "the host to drop the stream")


def test_close_stops_subscriptions(host: Host) -> None:
    client = HttpQueue(host.url, "tok-kiosk", timeout=2.0)
    client.subscribe(lambda _event: None)
    reader = next(t for t in threading.enumerate() if t.name == "queue-events")
    wait_until(lambda: host.client_count() == 1, "the event stream to connect")
    client.close()
    assert not reader.is_alive()
    with pytest.raises(QueueUnavailable):
        client.preview("KTP")


def test_subscription_survives_a_host_restart(start_host: Callable[..., Host],
                                              make_client: Callable[..., HttpQueue]) -> None:
    first = start_host()
    port = first.server.port
    client = make_client(first.url, "tok-kiosk")
    got: list[QueueEvent] = []
    resyncs: list[int] = []
    client.subscribe(got.append, on_resync=lambda: resyncs.append(1))
    wait_until(lambda: first.client_count() == 1, "the event stream to connect")
    assert resyncs == []  # the first connection needs no resync
    first.server.stop()
    try:
        second = start_host(port=port, engine=first.engine)  # the same engine and database file
    except RuntimeError:
        pytest.skip(f"port {port} could not be bound again right away")
    wait_until(lambda: second.client_count() == 1, "the event stream to reconnect")
    wait_until(lambda: resyncs == [1], "views to be told to redraw (events may have been missed)")
    issued = client.issue("KTP", request_id="after-restart")
    wait_until(lambda: any(e.ticket.id == issued.ticket.id for e in got), "the event after the restart")
