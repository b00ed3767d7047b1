"""Whether a ticket can be had now, for every service (issue 17, item 3): the engine, the host, the clients.

The read must say exactly what ``issue()`` would do: a sweep through a week asks both at every step.
"""

from __future__ import annotations

import statistics
import time as wallclock
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.availability import (
    Availability,
    AvailabilitySnapshot,
    snapshot_from_json,
    snapshot_to_json,
)
from kiosk.queue.client import LocalQueue
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import Closed, OpeningHours, PriorityGroup, QuotaFull, ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

JAKARTA = ZoneInfo("Asia/Jakarta")
HOURS = OpeningHours(time(8), time(15), frozenset(range(5)))  # Monday to Friday, 08:00-15:00
RULES = [ServiceRule("KTP", "A", daily_quota=50, typical_service_minutes=10),
         ServiceRule("KK", "A", daily_quota=50, typical_service_minutes=8),
         ServiceRule("SIP", "B", daily_quota=2, typical_service_minutes=15)]
SOON = 30  # minutes: the default of [site] closing_soon_minutes


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2025, Jakarta time; the 16th is a Monday."""
    return datetime(2025, 6, day, hour, minute, tzinfo=JAKARTA)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(local(16, 9))


@pytest.fixture
def make(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., QueueEngine]]:
    engines: list[QueueEngine] = []

    def make(rules: list[ServiceRule] = RULES, hours: OpeningHours | None = HOURS,
             reserved: float = 0.0) -> QueueEngine:
        engine = QueueEngine.open(tmp_path / f"q{len(engines)}.db", rules, JAKARTA, hours=hours, clock=clock,
                                  priority_reserved_share=reserved)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def states(snapshot: AvailabilitySnapshot) -> dict[str, Availability]:
    return {s.service_code: s.state for s in snapshot.services}


@pytest.mark.parametrize(("now", "state", "closes_at"), [
    pytest.param(local(16, 9), Availability.OPEN, local(16, 15), id="monday-morning"),
    pytest.param(local(16, 14, 29), Availability.OPEN, local(16, 15), id="31-minutes-before-closing"),
    pytest.param(local(16, 14, 30), Availability.CLOSING_SOON, local(16, 15), id="30-minutes-before-closing"),
    pytest.param(local(16, 14, 59), Availability.CLOSING_SOON, local(16, 15), id="last-minute"),
])
def test_open_and_closing_soon_say_when_ticket_hours_end(make: Callable[..., QueueEngine], clock: Clock,
                                                         now: datetime, state: Availability,
                                                         closes_at: datetime) -> None:
    engine = make()
    clock.now = now.astimezone(UTC)
    snapshot = engine.availability(SOON)
    assert [s.service_code for s in snapshot.services] == ["KTP", "KK", "SIP"]
    ktp = snapshot.of("KTP")
    assert ktp is not None and ktp.state is state and ktp.can_issue
    assert ktp.closes_at == closes_at and ktp.closes_at.utcoffset() == timedelta(hours=7)  # local, for "15:00"
    assert ktp.remaining == 50 and ktp.next_open is None
    assert engine.issue("KTP", request_id="r").ticket.number == "A-001"  # and issue() agrees


@pytest.mark.parametrize(("now", "next_open"), [
    pytest.param(local(16, 7, 59), local(16, 8), id="before-opening"),
    pytest.param(local(16, 15), local(17, 8), id="at-closing"),
    pytest.param(local(21, 10), local(23, 8), id="saturday"),
])
def test_closed_says_when_tickets_can_be_had_again_as_issue_does(make: Callable[..., QueueEngine], clock: Clock,
                                                                now: datetime, next_open: datetime) -> None:
    engine = make()
    clock.now = now.astimezone(UTC)
    snapshot = engine.availability(SOON)
    assert set(states(snapshot).values()) == {Availability.CLOSED}
    sip = snapshot.of("SIP")
    assert sip is not None and not sip.can_issue and sip.next_open == next_open and sip.closes_at is None
    with pytest.raises(Closed) as refused:
        engine.issue("SIP", request_id="r")
    assert refused.value.next_open == sip.next_open


def test_a_full_quota_turns_walk_ins_away_but_never_a_priority_citizen(
        make: Callable[..., QueueEngine], clock: Clock) -> None:
    """UU 25/2009 art. 29 (issue 20, item 4): priority tickets are issued past the quota; only closing refuses them."""
    engine = make()
    engine.issue("SIP", request_id="a")
    assert (sip := engine.availability(SOON).of("SIP")) is not None and sip.remaining == 1
    engine.issue("SIP", request_id="b", priority=PriorityGroup.ELDERLY)  # priority tickets count toward the quota
    snapshot = engine.availability(SOON)
    sip = snapshot.of("SIP")
    assert sip is not None and sip.state is Availability.QUOTA_FULL and sip.remaining == 0
    assert not sip.can_issue_for(priority=False) and sip.can_issue_for(priority=True)
    assert sip.next_open == local(17, 8)  # tomorrow's opening: quotas reset at local midnight
    assert states(snapshot)["KTP"] is Availability.OPEN  # the shared prefix does not share the quota
    with pytest.raises(QuotaFull):
        engine.issue("SIP", request_id="walk-in")
    numbers = [engine.issue("SIP", request_id=f"p-{group.value}", priority=group).ticket.number
               for group in (PriorityGroup.ELDERLY, PriorityGroup.DISABILITY, PriorityGroup.PREGNANT)]
    assert numbers == ["B-003", "B-004", "B-005"]  # past the quota of 2, one number each
    clock.now = local(16, 16).astimezone(UTC)
    assert states(engine.availability(SOON))["SIP"] is Availability.CLOSED  # closed first, as issue() checks
    with pytest.raises(Closed):  # closing time holds for everyone
        engine.issue("SIP", request_id="late", priority=PriorityGroup.ELDERLY)


def test_a_reserved_share_holds_tickets_back_for_priority_citizens(make: Callable[..., QueueEngine]) -> None:
    """[queue] priority_reserved_share 0.2 of a quota of 10: walk-ins stop at 8 while priority used fewer than 2."""
    engine = make([ServiceRule("KTP", "A", daily_quota=10, typical_service_minutes=10)], reserved=0.2)
    for i in range(8):
        engine.issue("KTP", request_id=f"w{i}")
    ktp = engine.availability(SOON).of("KTP")
    assert ktp is not None and ktp.state is Availability.QUOTA_FULL and ktp.remaining == 0
    with pytest.raises(QuotaFull):
        engine.issue("KTP", request_id="w8")
    engine.issue("KTP", request_id="p0", priority=PriorityGroup.ELDERLY)
    engine.issue("KTP", request_id="p1", priority=PriorityGroup.CHILD)
    engine.issue("KTP", request_id="p2", priority=PriorityGroup.DISABILITY)  # past the reserve: still a ticket
    with pytest.raises(QuotaFull):
        engine.issue("KTP", request_id="w9")
    quiet = make([ServiceRule("KTP", "A", daily_quota=10, typical_service_minutes=10)], reserved=0.2)
    for i in range(3):  # priority tickets use their reserve first, then the common quota
        quiet.issue("KTP", request_id=f"p{i}", priority=PriorityGroup.ELDERLY)
    ktp = quiet.availability(SOON).of("KTP")
    assert ktp is not None and ktp.remaining == 7


def test_a_reserved_share_outside_its_range_is_refused(make: Callable[..., QueueEngine]) -> None:
    with pytest.raises(ValueError, match="priority_reserved_share"):
        make(reserved=1.0)


def test_a_transfer_in_does_not_use_the_receiving_quota(make: Callable[..., QueueEngine]) -> None:
    engine = make()
    ticket = engine.issue("KK", request_id="r").ticket
    engine.transfer(ticket.id, "SIP", actor="clerk")
    sip = engine.availability(SOON).of("SIP")
    assert sip is not None and sip.state is Availability.OPEN and sip.remaining == 2


def test_without_ticket_hours_nobody_is_told_to_come_back_at_midnight(make: Callable[..., QueueEngine],
                                                                     clock: Clock) -> None:
    engine = make(rules=[ServiceRule("SIP", "B", daily_quota=0, typical_service_minutes=15),
                         ServiceRule("KTP", "A", daily_quota=5, typical_service_minutes=10)], hours=None)
    clock.now = local(21, 23, 50).astimezone(UTC)
    snapshot = engine.availability(SOON)
    assert states(snapshot) == {"SIP": Availability.QUOTA_FULL, "KTP": Availability.OPEN}  # never closing soon
    sip = snapshot.of("SIP")
    assert sip is not None and sip.next_open is None and sip.closes_at is None


def test_the_read_agrees_with_issue_at_every_step_of_a_week(make: Callable[..., QueueEngine], clock: Clock) -> None:
    """One source of truth: whatever the read says, issue() does, for every service, open or not."""
    engine = make(rules=[ServiceRule("KTP", "A", daily_quota=30, typical_service_minutes=10),
                         ServiceRule("SIP", "B", daily_quota=3, typical_service_minutes=15)])
    clock.now = local(16, 0, 7).astimezone(UTC)
    seen: set[Availability] = set()
    for step in range(7 * 24 * 60 // 23):
        snapshot = engine.availability(SOON)
        for service in snapshot.services:
            seen.add(service.state)
            try:
                engine.issue(service.service_code, request_id=f"{step}-{service.service_code}")
                outcome = "issued"
            except Closed as exc:
                outcome = "closed"
                assert exc.next_open == service.next_open
            except QuotaFull:
                outcome = "quota_full"
            expected = "issued" if service.can_issue else service.state.value
            assert outcome == expected, (clock.now.astimezone(JAKARTA), service)
        clock.now += timedelta(minutes=23)
    assert seen == set(Availability)


def test_the_wire_format_keeps_local_times() -> None:
    engine_less = AvailabilitySnapshot(local(16, 14, 40), ())
    assert snapshot_from_json(snapshot_to_json(engine_less)) == engine_less


def test_one_read_for_39_services_is_cheap(make: Callable[..., QueueEngine], clock: Clock) -> None:
    rules = [ServiceRule(f"S{i:02d}", f"P{i}", daily_quota=100, typical_service_minutes=10) for i in range(39)]
    engine = make(rules=rules)
    for i in range(0, 39, 3):
        engine.issue(f"S{i:02d}", request_id=f"r{i}")
    timings = []
    for _ in range(200):
        started = wallclock.perf_counter()
        snapshot = engine.availability(SOON)
        timings.append(wallclock.perf_counter() - started)
    assert len(snapshot.services) == 39 and snapshot.of("S00") is not None
    median_ms = statistics.median(timings) * 1000
    print(f"availability of 39 services: median {median_ms:.3f} ms, max {max(timings) * 1000:.3f} ms")
    assert median_ms < 20  # measured ~0.3 ms; a tenth of a slow kiosk frame at worst


# -- the host and the two clients ---------------------------------------------------------------
TOKENS = {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk"), "tok-display": DeviceGrant("board", "display")}


@pytest.fixture
def served(make: Callable[..., QueueEngine], clock: Clock) -> Iterator[tuple[QueueEngine, str]]:
    engine = make()
    clock.now = local(16, 14, 45).astimezone(UTC)
    engine.issue("SIP", request_id="a")
    engine.issue("SIP", request_id="b")
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    yield engine, server.url
    server.stop()


def get(url: str, token: str, **params: Any) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False  # loopback only
        return session.get(url + "/v1/services/availability", params=params,
                           headers={"Authorization": f"Bearer {token}"}, timeout=5)


def test_the_host_serves_the_read_to_kiosks_and_both_clients_agree(served: tuple[QueueEngine, str]) -> None:
    engine, url = served
    answer = get(url, "tok-kiosk")
    assert answer.status_code == 200
    body = answer.json()
    assert [(s["service_code"], s["state"]) for s in body["services"]] == [
        ("KTP", "closing_soon"), ("KK", "closing_soon"), ("SIP", "quota_full")]
    assert body["services"][0]["closes_at"] == "2025-06-16T15:00:00+07:00"
    assert get(url, "tok-kiosk", closing_soon_minutes=10).json()["services"][0]["state"] == "open"
    remote = HttpQueue(url, "tok-kiosk", timeout=2.0)
    try:
        assert remote.availability(SOON) == LocalQueue(engine, None).availability(SOON) == engine.availability(SOON)
    finally:
        remote.close()


@pytest.mark.parametrize(("token", "params", "status"), [
    pytest.param("tok-display", {}, 403, id="a-lobby-board-does-not-issue"),
    pytest.param("nobody", {}, 401, id="no-known-token"),
    pytest.param("tok-kiosk", {"closing_soon_minutes": 241}, 422, id="over-the-config-limit"),
    pytest.param("tok-kiosk", {"closing_soon_minutes": "soon"}, 422, id="not-a-number"),
    pytest.param("tok-kiosk", {"priority": "elderly"}, 422, id="unknown-parameter"),
])
def test_the_host_refuses_odd_requests(served: tuple[QueueEngine, str], token: str, params: dict[str, Any],
                                       status: int) -> None:
    answer = get(served[1], token, **params)
    assert answer.status_code == status
    assert "error" in answer.json()
