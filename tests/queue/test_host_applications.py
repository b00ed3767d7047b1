"""The application filed with a ticket, kept by the queue host for the counter (PUT/GET
/v1/tickets/{id}/application), over real HTTP on loopback: roles, idempotency, validation,
privacy (masked NIK only, answers never in the audit trail, gone after the ticket's day), restarts.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import json
import sqlite3
import time as wallclock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue, QueueAccessDenied
from kiosk.queue.models import (
    ApplicationConflict,
    ApplicationView,
    EventType,
    QueueEvent,
    ServiceRule,
    TicketExpired,
    TicketNotFound,
)
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.wire import application_view_to_json

JAKARTA = ZoneInfo("Asia/Jakarta")
TIMEOUT = 5.0
RULES = [ServiceRule("KIA", "C", daily_quota=500, typical_service_minutes=10)]
TOKENS = {
    "tok-kiosk": DeviceGrant("kiosk-1", "kiosk"),
    "tok-counter": DeviceGrant("loket-2", "counter"),
    "tok-display": DeviceGrant("board-lobby", "display"),
}
KIOSK_ID = TOKENS["tok-kiosk"].device_id  # the host lets only the issuing kiosk attach (issue 21, item 3)
CHILD_NIK = "3171010101150002"
VIEW = ApplicationView(
    application_id="6a0e4c1e-2b7d-4f7e-9d3c-5b1a7f0c2e11", number="APP-20261123-0007", service_code="KIA",
    nik_masked="3171********0001", created_at=datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
    sync_state="pending",
    answers={"child_nik": "3171********0002", "child_name": "SITI AMINAH", "phone": "081234567890"},
    documents={"birth_certificate": 1, "kk": 1})


class Clock:
    """The host's clock, moved by the test (09:00 in Jakarta on 23 November 2026 at first)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Host:
    engine: QueueEngine
    server: RunningServer
    path: Path

    @property
    def url(self) -> str:
        return self.server.url

    def session(self, token: str) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # loopback only
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    def put(self, ticket_id: str, body: Any, token: str = "tok-kiosk") -> requests.Response:
        with self.session(token) as session:
            return session.put(f"{self.url}/v1/tickets/{ticket_id}/application", json=body, timeout=TIMEOUT)

    def get(self, ticket_id: str, token: str = "tok-counter") -> requests.Response:
        with self.session(token) as session:
            return session.get(f"{self.url}/v1/tickets/{ticket_id}/application", timeout=TIMEOUT)

    def stored_views(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM ticket_applications").fetchone()[0])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def start_host(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., Host]]:
    engines: list[QueueEngine] = []
    servers: list[RunningServer] = []

    def start(engine: QueueEngine | None = None, port: int = 0, **app_kw: Any) -> Host:
        if engine is None:
            engine = QueueEngine.open(tmp_path / "queue.db", RULES, JAKARTA, clock=clock)
            engines.append(engine)
        server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3, **app_kw), "127.0.0.1", port)
        servers.append(server)
        return Host(engine, server, tmp_path / "queue.db")

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
def clients(host: Host) -> Iterator[dict[str, HttpQueue]]:
    made = {role: HttpQueue(host.url, f"tok-{role}", timeout=2.0) for role in ("kiosk", "counter", "display")}
    yield made
    for client in made.values():
        client.close()


def body(view: ApplicationView = VIEW, **changes: Any) -> dict[str, Any]:
    return {**application_view_to_json(view), **changes}


def test_kiosk_attaches_and_counter_reads_it(host: Host) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID, nik_masked="3171********0001")
    first = host.put(ticket.ticket.id, body())
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["ticket_id"] == ticket.ticket.id and answer["ticket_number"] == "C-001"
    assert answer["answers"] == VIEW.answers and answer["documents"] == {"birth_certificate": 1, "kk": 1}
    assert answer["nik_masked"] == "3171********0001" and answer["sync_state"] == "pending"
    read = host.get(ticket.ticket.id)
    assert read.status_code == 200 and read.json() == answer
    assert read.headers["Cache-Control"] == "no-store"
    # the ticket now names its application (the status page and the reports use it)
    assert host.engine.get(ticket.ticket.id).application_id == VIEW.application_id


def test_the_same_view_again_is_harmless_and_a_new_sync_state_updates(host: Host) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert host.put(ticket.id, body()).status_code == 201
    again = host.put(ticket.id, body())  # the kiosk retrying after a lost answer
    assert again.status_code == 200 and again.json()["attached_at"] == again.json()["updated_at"]
    types = [e["type"] for e in host.engine.events(ticket.id)]
    assert types == ["issued", "application_attached"]  # nothing written for the retry
    newer = host.put(ticket.id, body(sync_state="sent"))
    assert newer.status_code == 200 and newer.json()["sync_state"] == "sent"
    assert host.get(ticket.id).json()["sync_state"] == "sent"
    trail = host.engine.events(ticket.id)
    assert [e["type"] for e in trail] == ["issued", "application_attached", "application_updated"]
    assert trail[1]["actor"] == "kiosk-1"
    assert trail[1]["detail"] == {"application": "APP-20261123-0007", "sync_state": "pending"}
    assert trail[2]["detail"] == {"application": "APP-20261123-0007", "sync_state": "sent"}


def test_only_the_kiosk_attaches_and_only_the_counter_reads(host: Host) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    for token in ("tok-counter", "tok-display"):
        refused = host.put(ticket.id, body(), token=token)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert host.put(ticket.id, body()).status_code == 201
    for token in ("tok-kiosk", "tok-display"):  # personal data: not for the kiosk or the lobby board
        refused = host.get(ticket.id, token=token)
        assert refused.status_code == 403 and "SITI" not in refused.text
    with requests.get(f"{host.url}/v1/tickets/{ticket.id}/application", timeout=TIMEOUT) as anonymous:
        assert anonymous.status_code == 401


def test_unknown_ticket_and_ticket_without_application_are_404(host: Host) -> None:
    for answer in (host.put("no-such-ticket", body()), host.get("no-such-ticket")):
        assert answer.status_code == 404 and answer.json()["error"] == "ticket_not_found"
    plain = host.engine.issue("KIA", request_id="walk-in", actor=KIOSK_ID).ticket
    missing = host.get(plain.id)
    assert missing.status_code == 404
    assert missing.json()["error"] == "no_application" and "no application" in missing.json()["message"]


@pytest.mark.parametrize("change, where", [
    ({"nik_masked": "3171014501900001"}, "nik_masked"),  # a full NIK is refused, never stored
    ({"nik": "3171014501900001"}, "nik"),  # nothing else rides along
    ({"answers": {f"field_{i}": "x" for i in range(101)}}, "answers"),
    ({"answers": {"child_name": "A" * 1001}}, "answers.child_name"),
    ({"answers": {"Bad Key": "x"}}, "answers"),
    ({"documents": {"kk": -1}}, "documents.kk"),
    ({"sync_state": "lost"}, "sync_state"),
    ({"created_at": "2026-11-23T09:05:00"}, "created_at"),  # no UTC offset
    ({"answers": {f"field_{i}": "x" * 900 for i in range(30)}}, "at most 20000 characters"),
])
def test_invalid_views_are_refused_by_name_without_echoing_values(host: Host, change: dict[str, Any],
                                                                   where: str) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    refused = host.put(ticket.id, body(**change))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid_request" and where in refused.json()["message"]
    assert "3171014501900001" not in refused.text and "xxxxxxxx" not in refused.text
    assert host.stored_views() == 0


def test_one_ticket_one_application(host: Host) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert host.put(ticket.id, body()).status_code == 201
    other = host.put(ticket.id, body(replace(VIEW, application_id="0c9d2b7a-1111-4a4a-8b8b-123456789abc",
                                             number="APP-20261123-0008")))
    assert other.status_code == 409
    assert other.json()["error"] == "application_conflict" and other.json()["application"] == "APP-20261123-0007"


def test_answers_stay_out_of_the_audit_trail_and_the_full_nik_out_of_the_database(host: Host) -> None:
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert host.put(ticket.id, body()).status_code == 201
    trail = str(host.engine.events(ticket.id))
    assert "SITI" not in trail and "0812" not in trail
    raw = b"".join(p.read_bytes() for p in host.path.parent.glob("queue.db*"))  # the file and its WAL
    assert CHILD_NIK.encode() not in raw and b"3171014501900001" not in raw
    assert b"SITI AMINAH" not in raw and b"child_name" not in raw  # the answers are there for the day, sealed
    key = host.path.parent / "application-views.key"
    assert key.stat().st_size == 32 and key.stat().st_mode & 0o777 == 0o600


def test_a_lost_views_key_loses_only_the_view_and_the_next_update_brings_it_back(
        start_host: Callable[..., Host], clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    first = start_host()
    ticket = first.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert first.put(ticket.id, body()).status_code == 201
    first.server.stop()
    first.engine.close()
    (first.path.parent / "application-views.key").unlink()  # lost (a data folder restored without it)
    reopened = QueueEngine.open(first.path, RULES, JAKARTA, clock=clock)
    try:
        assert reopened.application_of(ticket.id) is None
        assert "cannot be read" in caplog.text and "SITI" not in caplog.text
        attached, outcome = reopened.attach_application(ticket.id, replace(VIEW, sync_state="sent"),
                                                       actor=KIOSK_ID)
        assert outcome == "updated" and reopened.application_of(ticket.id) == attached
    finally:
        reopened.close()


def test_a_view_written_before_views_were_sealed_is_still_read(host: Host) -> None:
    """A host upgraded during the day: views it stored in clear text that morning stay readable."""
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert host.put(ticket.id, body()).status_code == 201
    clear = json.dumps(body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    with host.engine.db.transaction() as conn:
        conn.execute("UPDATE ticket_applications SET view = ? WHERE ticket_id = ?", (clear, ticket.id))
    read = host.get(ticket.id)
    assert read.status_code == 200 and read.json()["answers"]["child_name"] == "SITI AMINAH"


def test_a_restarted_host_still_has_todays_application(start_host: Callable[..., Host], clock: Clock) -> None:
    first = start_host()
    ticket = first.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert first.put(ticket.id, body()).status_code == 201
    first.server.stop()
    first.engine.close()
    reopened = QueueEngine.open(first.path, RULES, JAKARTA, clock=clock)
    try:
        second = start_host(engine=reopened)
        read = second.get(ticket.id)
        assert read.status_code == 200 and read.json()["answers"]["child_name"] == "SITI AMINAH"
        second.server.stop()
    finally:
        reopened.close()


def test_yesterdays_applications_are_deleted_when_the_host_starts(start_host: Callable[..., Host],
                                                                  clock: Clock) -> None:
    first = start_host()
    ticket = first.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert first.put(ticket.id, body()).status_code == 201
    first.server.stop()
    clock.now += timedelta(days=1)
    second = start_host(engine=first.engine)
    assert second.stored_views() == 0
    gone = second.get(ticket.id)
    assert gone.status_code == 404 and gone.json()["error"] == "no_application"
    late = second.put(ticket.id, body())  # a kiosk retrying the next morning
    assert late.status_code == 409 and late.json()["error"] == "ticket_expired" and late.json()["day"] == "2026-11-23"
    assert second.stored_views() == 0


def test_a_running_host_deletes_them_after_midnight(start_host: Callable[..., Host], clock: Clock) -> None:
    host = start_host(purge_every_seconds=0.05)
    ticket = host.engine.issue("KIA", request_id="r-1", actor=KIOSK_ID).ticket
    assert host.put(ticket.id, body()).status_code == 201
    wallclock.sleep(0.2)
    assert host.stored_views() == 1  # still today: kept
    clock.now += timedelta(hours=15)  # 00:00 in Jakarta, with no one filing anything
    deadline = wallclock.monotonic() + TIMEOUT
    while host.stored_views() and wallclock.monotonic() < deadline:
        wallclock.sleep(0.02)
    assert host.stored_views() == 0


# -- the same through the terminals' HTTP client ----------------------------------------------

def test_http_client_round_trip_and_errors(host: Host, clients: dict[str, HttpQueue], clock: Clock) -> None:
    kiosk, counter = clients["kiosk"], clients["counter"]
    ticket = kiosk.issue("KIA", request_id="r-1").ticket
    plain = kiosk.issue("KIA", request_id="r-2").ticket
    events: list[QueueEvent] = []
    host.engine.subscribe(events.append)
    assert kiosk.attach_application(ticket.id, VIEW) == VIEW
    assert kiosk.attach_application(ticket.id, VIEW) == VIEW  # idempotent
    assert counter.application_of(ticket.id) == VIEW
    assert counter.application_of(plain.id) is None
    assert [e.type for e in events] == [EventType.APPLICATION_ATTACHED]
    with pytest.raises(TicketNotFound):
        counter.application_of("no-such-ticket")
    with pytest.raises(QueueAccessDenied):
        kiosk.application_of(ticket.id)
    with pytest.raises(ApplicationConflict) as conflict:
        kiosk.attach_application(ticket.id, replace(VIEW, application_id="other-1", number="APP-X"))
    assert conflict.value.ticket.number == "C-001" and conflict.value.attached_number == "APP-20261123-0007"
    clock.now += timedelta(days=1)
    with pytest.raises(TicketExpired) as expired:
        kiosk.attach_application(plain.id, VIEW)
    assert expired.value.ticket.day == "2026-11-23"
