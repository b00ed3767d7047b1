"""The ticket engine (kiosk.queue.engine): numbering, quotas, calling order, states, audit, processes.

There is deliberately no ``tests/queue/__init__.py``: without a ``tests/__init__.py``, pytest's default
import mode would name that package ``queue`` and shadow the standard library's ``queue`` module
("'queue' is not a package"). As a plain module, this file is importable by the spawned workers below.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import sqlite3
import time as wallclock
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import (
    BoardCall,
    Closed,
    EventType,
    IllegalTransition,
    OpeningHours,
    PriorityGroup,
    QueueEvent,
    QuotaFull,
    RecallLimitReached,
    RequestIdConflict,
    ServiceRule,
    Ticket,
    TicketNotFound,
    TicketState,
    UnknownService,
)
from kiosk.queue.schema import QUEUE_SCHEMA

UTC = UTC
JAKARTA = ZoneInfo("Asia/Jakarta")
JAYAPURA = ZoneInfo("Asia/Jayapura")
MONDAY_9AM_WIB = datetime(2025, 6, 16, 2, 0, tzinfo=UTC)  # 2025-06-16 is a Monday
CLERK = "clerk-1"

# KTP and KK share prefix A (one sequence); SIP has its own.
RULES = [
    ServiceRule("KTP", "A", daily_quota=50, typical_service_minutes=10),
    ServiceRule("KK", "A", daily_quota=50, typical_service_minutes=8),
    ServiceRule("SIP", "B", daily_quota=50, typical_service_minutes=15),
]
S = TicketState


class FakeClock:
    """Injected clock: tests move time explicitly, never sleep."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9AM_WIB)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "queue.sqlite3"


@pytest.fixture
def make(db_path: Path, clock: FakeClock) -> Iterator[Callable[..., QueueEngine]]:
    engines: list[QueueEngine] = []

    def factory(**kw: Any) -> QueueEngine:
        kw.setdefault("clock", clock)
        rules = kw.pop("rules", RULES)
        tz = kw.pop("tz", JAKARTA)
        path = kw.pop("path", db_path)
        engine = QueueEngine.open(path, rules, tz, **kw)
        engines.append(engine)
        return engine

    yield factory
    for engine in engines:
        engine.close()


@pytest.fixture
def engine(make: Callable[..., QueueEngine]) -> QueueEngine:
    return make()


_request_ids = itertools.count()


def issue(engine: QueueEngine, clock: FakeClock, service: str = "KTP",
          priority: PriorityGroup | None = None) -> Ticket:
    """Issue one ticket a minute after the previous one, so arrival order is unambiguous."""
    clock.advance(minutes=1)
    return engine.issue(service, request_id=f"req-{next(_request_ids)}", priority=priority).ticket


def serve(engine: QueueEngine, clock: FakeClock, ticket: Ticket, minutes: float) -> Ticket:
    engine.call_specific(1, ticket.number, actor=CLERK)
    engine.start(ticket.id, actor=CLERK)
    clock.advance(minutes=minutes)
    return engine.finish(ticket.id, actor=CLERK)


def labels(tickets: list[Ticket | None], names: dict[str, str]) -> list[str]:
    return [names[t.id] if t else "-" for t in tickets]


# -- numbering -------------------------------------------------------------------------------------

def test_numbers_are_zero_padded_and_shared_prefixes_share_one_sequence(engine: QueueEngine,
                                                                          clock: FakeClock) -> None:
    numbers = [issue(engine, clock, service).number for service in ("KTP", "KK", "SIP", "KTP", "SIP")]
    assert numbers == ["A-001", "A-002", "B-001", "A-003", "B-002"]
    ticket = engine.find("A-002")
    assert (ticket.service_code, ticket.prefix, ticket.seq, ticket.day) == ("KK", "A", 2, "2025-06-16")
    assert engine.find("a-002") == ticket
    assert ticket.arrived_at.tzinfo is not None and ticket.arrived_at.utcoffset() == timedelta(0)


def test_sequence_keeps_growing_past_999(engine: QueueEngine, clock: FakeClock) -> None:
    with engine.db.transaction() as conn:
        conn.execute("INSERT INTO sequences(day, prefix, last_seq) VALUES ('2025-06-16', 'A', 998)")
    assert [issue(engine, clock).number for _ in range(2)] == ["A-999", "A-1000"]


@pytest.mark.parametrize(("tz", "last_minute", "midnight"), [
    pytest.param(JAKARTA, datetime(2025, 6, 16, 16, 59, tzinfo=UTC), datetime(2025, 6, 16, 17, 0, tzinfo=UTC),
                 id="Asia/Jakarta-UTC+7"),
    pytest.param(JAYAPURA, datetime(2025, 6, 16, 14, 59, tzinfo=UTC), datetime(2025, 6, 16, 15, 0, tzinfo=UTC),
                 id="Asia/Jayapura-UTC+9"),
])
def test_numbers_and_quota_reset_at_local_midnight(make: Callable[..., QueueEngine], clock: FakeClock, tz: ZoneInfo,
                                                   last_minute: datetime, midnight: datetime) -> None:
    engine = make(tz=tz, rules=[ServiceRule("KTP", "A", daily_quota=2, typical_service_minutes=10)])
    clock.now = last_minute - timedelta(hours=1)
    engine.issue("KTP", request_id="r1")
    clock.now = last_minute
    before = engine.issue("KTP", request_id="r2").ticket
    with pytest.raises(QuotaFull):
        engine.issue("KTP", request_id="r3")
    clock.now = midnight
    after = engine.issue("KTP", request_id="r4").ticket
    assert (before.number, before.day) == ("A-002", "2025-06-16")
    assert (after.number, after.day) == ("A-001", "2025-06-17")


def test_the_same_instant_is_a_different_local_day_in_jakarta_and_jayapura(
        make: Callable[..., QueueEngine], clock: FakeClock, tmp_path: Path) -> None:
    clock.now = datetime(2025, 6, 16, 16, 0, tzinfo=UTC)  # 23:00 WIB on the 16th, 01:00 WIT on the 17th
    jakarta = make(tz=JAKARTA, path=tmp_path / "jakarta.sqlite3")
    jayapura = make(tz=JAYAPURA, path=tmp_path / "jayapura.sqlite3")
    assert jakarta.issue("KTP", request_id="x").ticket.day == "2025-06-16"
    assert jayapura.issue("KTP", request_id="x").ticket.day == "2025-06-17"


# -- issuing rules ---------------------------------------------------------------------------------

def test_quota_counts_tickets_issued_for_the_service_but_not_transfers_in(
        make: Callable[..., QueueEngine], clock: FakeClock) -> None:
    engine = make(rules=[ServiceRule("KTP", "A", 2, 10), ServiceRule("SIP", "B", 1, 15)])
    first = issue(engine, clock, "KTP")
    issue(engine, clock, "KTP")
    with pytest.raises(QuotaFull) as caught:
        issue(engine, clock, "KTP")
    assert (caught.value.service, caught.value.quota) == ("KTP", 2)
    issue(engine, clock, "SIP")
    engine.transfer(first.id, "SIP", actor=CLERK)  # a transfer in is always accepted...
    with pytest.raises(QuotaFull):
        issue(engine, clock, "SIP")  # ...and does not free KTP's quota or use SIP's
    with pytest.raises(QuotaFull):
        issue(engine, clock, "KTP")
    engine.cancel(first.id, actor=CLERK)
    with pytest.raises(QuotaFull):
        issue(engine, clock, "KTP")  # a cancelled ticket was still issued


def test_unknown_service_and_rule_updates(engine: QueueEngine, clock: FakeClock) -> None:
    with pytest.raises(UnknownService):
        issue(engine, clock, "PASPOR")
    engine.update_rules([*RULES, ServiceRule("PASPOR", "C", 10, 20)])
    assert issue(engine, clock, "PASPOR").number == "C-001"
    with pytest.raises(ValueError, match="twice"):
        engine.update_rules([RULES[0], RULES[0]])


WEEKDAYS = OpeningHours(time(8, 0), time(15, 0), frozenset(range(5)))


@pytest.mark.parametrize(("local_now", "next_open_local"), [
    pytest.param(datetime(2025, 6, 16, 7, 59), datetime(2025, 6, 16, 8, 0), id="monday-before-opening"),
    pytest.param(datetime(2025, 6, 16, 15, 0), datetime(2025, 6, 17, 8, 0), id="monday-at-closing"),
    pytest.param(datetime(2025, 6, 20, 16, 0), datetime(2025, 6, 23, 8, 0), id="friday-evening"),
    pytest.param(datetime(2025, 6, 21, 10, 0), datetime(2025, 6, 23, 8, 0), id="saturday"),
])
def test_closed_outside_opening_hours(make: Callable[..., QueueEngine], clock: FakeClock, local_now: datetime,
                                      next_open_local: datetime) -> None:
    engine = make(hours=WEEKDAYS)
    clock.now = local_now.replace(tzinfo=JAKARTA).astimezone(UTC)
    with pytest.raises(Closed) as caught:
        engine.issue("KTP", request_id="r")
    assert caught.value.next_open == next_open_local.replace(tzinfo=JAKARTA)
    assert caught.value.next_open is not None and caught.value.next_open.utcoffset() == timedelta(0)
    assert engine.waiting() == []


def test_open_hours_boundaries_and_never_open(make: Callable[..., QueueEngine], clock: FakeClock,
                                              tmp_path: Path) -> None:
    engine = make(hours=WEEKDAYS)
    clock.now = datetime(2025, 6, 16, 8, 0, tzinfo=JAKARTA).astimezone(UTC)
    assert engine.issue("KTP", request_id="at-opening").ticket.number == "A-001"
    clock.now = datetime(2025, 6, 16, 14, 59, 59, tzinfo=JAKARTA).astimezone(UTC)
    assert engine.issue("KTP", request_id="last-second").ticket.number == "A-002"
    never = make(path=tmp_path / "never.sqlite3", hours=OpeningHours(time(8), time(15), frozenset()))
    with pytest.raises(Closed) as caught:
        never.issue("KTP", request_id="r")
    assert caught.value.next_open is None


def test_request_id_makes_issue_idempotent_even_days_later(make: Callable[..., QueueEngine],
                                                           clock: FakeClock) -> None:
    engine = make(rules=[ServiceRule("KTP", "A", 1, 10)], hours=WEEKDAYS)
    events: list[QueueEvent] = []
    engine.subscribe(events.append)
    first = engine.issue("KTP", request_id="kiosk-7:abc", priority=PriorityGroup.ELDERLY)
    again = engine.issue("KTP", request_id="kiosk-7:abc", priority="elderly")
    assert again.ticket == first.ticket
    with pytest.raises(QuotaFull):
        engine.issue("KTP", request_id="other")  # quota 1 was used once, not twice
    clock.advance(days=5, hours=12)  # Saturday night, closed, another day
    assert engine.issue("KTP", request_id="kiosk-7:abc", priority="elderly").ticket == first.ticket
    assert [e.type for e in events] == [EventType.ISSUED]
    with pytest.raises(RequestIdConflict):
        engine.issue("KTP", request_id="kiosk-7:abc")  # same id, different body: a client bug
    with engine.db.reading() as conn:
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_request_id_and_daily_number_are_unique_in_the_schema(engine: QueueEngine, clock: FakeClock) -> None:
    issue(engine, clock)
    copy = ("INSERT INTO tickets SELECT {id}, {number}, service_code, issued_service, prefix, seq, day, priority, "
            "state, arrived_at, issued_at, called_at, started_at, finished_at, counter, recalls, {request_id}, "
            "identity_status, nik_masked, lang, application_id, booking FROM tickets")
    for columns in ({"id": "'x'", "number": "'A-999'", "request_id": "request_id"},
                    {"id": "'y'", "number": "number", "request_id": "'another'"}):
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), engine.db.transaction() as conn:
            conn.execute(copy.format(**columns))


def test_issue_validates_its_arguments(engine: QueueEngine) -> None:
    with pytest.raises(ValueError):
        engine.issue("KTP", request_id="")
    with pytest.raises(ValueError):
        engine.issue("KTP", request_id="r", identity_status="maybe")
    with pytest.raises(ValueError):
        engine.issue("KTP", request_id="r", priority="vip")
    issued = engine.issue("KTP", request_id="r", nik_masked="3171********0001", identity_status="to_verify_at_counter",
                          lang="en")
    assert (issued.ticket.nik_masked, issued.ticket.identity_status, issued.ticket.lang) == (
        "3171********0001", "to_verify_at_counter", "en")


def test_clock_must_be_timezone_aware(make: Callable[..., QueueEngine]) -> None:
    engine = make(clock=lambda: datetime(2025, 6, 16, 9, 0))
    with pytest.raises(ValueError, match="aware"):
        engine.issue("KTP", request_id="r")


# -- calling order ---------------------------------------------------------------------------------

def scripted_line(engine: QueueEngine, clock: FakeClock, script: str) -> dict[str, str]:
    """Issue tickets in the order of ``script`` ("N1 P1 ..."); returns id -> label."""
    names = {}
    for name in script.split():
        ticket = issue(engine, clock, "KTP", PriorityGroup.PREGNANT if name.startswith("P") else None)
        names[ticket.id] = name
    return names


def test_priority_ratio_two_to_one_exact_call_order(engine: QueueEngine, clock: FakeClock) -> None:
    names = scripted_line(engine, clock, "N1 N2 P1 P2 P3 N3 P4")
    calls = [engine.call_next(1, ["KTP", "KK"], actor=CLERK) for _ in range(8)]
    assert labels(calls, names) == ["P1", "P2", "N1", "P3", "P4", "N2", "N3", "-"]


def test_priority_ratio_is_configurable(make: Callable[..., QueueEngine], clock: FakeClock) -> None:
    engine = make(priority_ratio=1)
    names = scripted_line(engine, clock, "N1 N2 P1 P2 P3")
    calls = [engine.call_next(1, ["KTP"], actor=CLERK) for _ in range(5)]
    assert labels(calls, names) == ["P1", "N1", "P2", "N2", "P3"]


def test_priority_only_takes_only_priority_tickets_and_counts_in_the_streak(engine: QueueEngine,
                                                                            clock: FakeClock) -> None:
    names = scripted_line(engine, clock, "N1 N2")
    assert engine.call_next(1, ["KTP"], actor=CLERK, priority_only=True) is None
    assert len(engine.waiting()) == 2  # nothing was touched
    names |= scripted_line(engine, clock, "P1 P2 P3")
    calls = [engine.call_next(1, ["KTP"], actor=CLERK, priority_only=True) for _ in range(2)]
    calls.append(engine.call_next(1, ["KTP"], actor=CLERK))
    assert labels(calls, names) == ["P1", "P2", "N1"]


def test_no_starvation_under_a_stream_of_priority_tickets(engine: QueueEngine, clock: FakeClock) -> None:
    names = scripted_line(engine, clock, "N1 N2 N3 " + " ".join(f"P{i}" for i in range(1, 13)))
    calls = labels([engine.call_next(1, ["KTP"], actor=CLERK) for _ in range(9)], names)
    assert [c[0] for c in calls] == list("PPN" * 3)
    assert [c for c in calls if c[0] == "N"] == ["N1", "N2", "N3"]
    # Once normals are gone, priority tickets keep flowing.
    rest = labels([engine.call_next(1, ["KTP"], actor=CLERK) for _ in range(7)], names)
    assert rest == ["P7", "P8", "P9", "P10", "P11", "P12", "-"]


def test_priority_streak_is_per_counter_and_kept_in_the_database(make: Callable[..., QueueEngine],
                                                                 clock: FakeClock) -> None:
    first, second = make(), make()  # two engines on one file, as two processes would be
    names = scripted_line(first, clock, "N1 N2 P1 P2 P3 P4")
    calls = [first.call_next(1, ["KTP"], actor=CLERK), first.call_next(1, ["KTP"], actor=CLERK),
             second.call_next(2, ["KTP"], actor="clerk-2"),  # counter 2 has its own streak
             second.call_next(1, ["KTP"], actor=CLERK)]  # counter 1's streak is 2, whichever process asks
    assert labels(calls, names) == ["P1", "P2", "P3", "N1"]


def test_call_next_only_serves_the_counters_services_of_today(engine: QueueEngine, clock: FakeClock) -> None:
    sip = issue(engine, clock, "SIP")
    kk = issue(engine, clock, "KK")
    assert engine.call_next(1, ["KTP"], actor=CLERK) is None
    assert engine.call_next(1, [], actor=CLERK) is None
    assert engine.call_next(1, ["KK", "SIP"], actor=CLERK) == engine.get(sip.id)
    clock.advance(days=1)
    assert engine.call_next(1, ["KK"], actor=CLERK) is None  # yesterday's leftovers are not called
    assert engine.get(kk.id).state is S.ISSUED


# -- the state machine ---------------------------------------------------------------------------

ACTIONS: dict[str, Callable[[QueueEngine, Ticket], Ticket]] = {
    "call": lambda e, t: e.call_specific(1, t.number, actor=CLERK),
    "recall": lambda e, t: e.recall(t.id, actor=CLERK),
    "start": lambda e, t: e.start(t.id, actor=CLERK),
    "finish": lambda e, t: e.finish(t.id, actor=CLERK),
    "no_show": lambda e, t: e.no_show(t.id, actor=CLERK),
    "reactivate": lambda e, t: e.reactivate(t.id, actor=CLERK),
    "transfer": lambda e, t: e.transfer(t.id, "SIP", actor=CLERK),
    "cancel": lambda e, t: e.cancel(t.id, actor=CLERK),
}
ALLOWED: dict[TicketState, dict[str, TicketState]] = {
    S.ISSUED: {"call": S.CALLED, "transfer": S.ISSUED, "cancel": S.CANCELLED},
    S.CALLED: {"recall": S.CALLED, "start": S.SERVING, "no_show": S.NO_SHOW, "transfer": S.ISSUED,
               "cancel": S.CANCELLED, "finish": S.DONE},  # finished at once: started at the call (issue 17)
    S.SERVING: {"finish": S.DONE, "transfer": S.ISSUED},
    S.DONE: {},
    S.NO_SHOW: {"call": S.CALLED, "reactivate": S.ISSUED},
    S.CANCELLED: {},
}


def bring_to(engine: QueueEngine, clock: FakeClock, state: TicketState) -> Ticket:
    ticket = issue(engine, clock)
    if state is S.ISSUED:
        return ticket
    if state is S.CANCELLED:
        return engine.cancel(ticket.id, actor=CLERK)
    ticket = engine.call_specific(1, ticket.number, actor=CLERK)
    if state is S.NO_SHOW:
        return engine.no_show(ticket.id, actor=CLERK)
    if state is S.CALLED:
        return ticket
    ticket = engine.start(ticket.id, actor=CLERK)
    return ticket if state is S.SERVING else engine.finish(ticket.id, actor=CLERK)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(S))
def test_state_machine(engine: QueueEngine, clock: FakeClock, state: TicketState, action: str) -> None:
    ticket = bring_to(engine, clock, state)
    assert ticket.state is state
    audit_before = engine.events(ticket.id)
    expected = ALLOWED[state].get(action)
    if expected is None:
        with pytest.raises(IllegalTransition) as caught:
            ACTIONS[action](engine, ticket)
        assert caught.value.current_state is state
        assert caught.value.ticket == ticket
        assert engine.get(ticket.id) == ticket  # nothing changed...
        assert engine.events(ticket.id) == audit_before  # ...and nothing was written
    else:
        after = ACTIONS[action](engine, ticket)
        assert after.state is expected
        assert engine.get(ticket.id) == after
        assert len(engine.events(ticket.id)) > len(audit_before)


def test_unknown_ticket(engine: QueueEngine) -> None:
    with pytest.raises(TicketNotFound):
        engine.start("no-such-id", actor=CLERK)
    with pytest.raises(TicketNotFound):
        engine.call_specific(1, "Z-001", actor=CLERK)
    with pytest.raises(TicketNotFound):
        engine.get("no-such-id")


def test_recall_limit(make: Callable[..., QueueEngine], clock: FakeClock) -> None:
    engine = make(max_recalls=3)
    ticket = bring_to(engine, clock, S.CALLED)
    for n in range(1, 4):
        assert engine.recall(ticket.id, actor=CLERK).recalls == n
    with pytest.raises(RecallLimitReached) as caught:
        engine.recall(ticket.id, actor=CLERK)
    assert isinstance(caught.value, IllegalTransition) and caught.value.current_state is S.CALLED
    assert engine.get(ticket.id).recalls == 3
    assert engine.no_show(ticket.id, actor=CLERK).state is S.NO_SHOW


def test_no_show_then_reactivate_keeps_the_original_arrival_position(engine: QueueEngine, clock: FakeClock) -> None:
    first, second, third = (issue(engine, clock) for _ in range(3))
    assert engine.call_next(1, ["KTP"], actor=CLERK) == engine.get(first.id)
    engine.recall(first.id, actor=CLERK)
    engine.no_show(first.id, actor=CLERK)
    assert [t.id for t in engine.waiting()] == [second.id, third.id]
    back = engine.reactivate(first.id, actor="clerk-2")
    assert (back.state, back.arrived_at, back.counter, back.called_at, back.recalls) == (
        S.ISSUED, first.arrived_at, None, None, 0)
    assert [t.id for t in engine.waiting()] == [first.id, second.id, third.id]
    assert engine.position(first.id).people_ahead == 0
    assert engine.call_next(2, ["KTP"], actor="clerk-2") == engine.get(first.id)


def test_transfer_keeps_number_and_arrival_time(engine: QueueEngine, clock: FakeClock) -> None:
    early = issue(engine, clock, "KTP")
    later = issue(engine, clock, "SIP")
    engine.call_next(1, ["KTP"], actor=CLERK)
    engine.start(early.id, actor=CLERK)
    clock.advance(minutes=4)
    moved = engine.transfer(early.id, "SIP", actor=CLERK)
    assert (moved.number, moved.prefix, moved.arrived_at, moved.service_code, moved.state) == (
        "A-001", "A", early.arrived_at, "SIP", S.ISSUED)
    assert (moved.counter, moved.called_at, moved.started_at) == (None, None, None)
    assert [t.number for t in engine.waiting(["SIP"])] == ["A-001", "B-001"]
    assert engine.waiting(["KTP"]) == []
    assert engine.call_next(3, ["SIP"], actor="clerk-3") == engine.get(early.id)
    assert engine.get(later.id).state is S.ISSUED
    detail = engine.events(early.id)[-2]["detail"]
    assert detail == {"from": "KTP", "to": "SIP", "from_state": "serving", "served_seconds": 240}
    with pytest.raises(UnknownService):
        engine.transfer(later.id, "NOPE", actor=CLERK)
    with pytest.raises(IllegalTransition):
        engine.transfer(later.id, "SIP", actor=CLERK)


def test_call_specific_out_of_order_and_from_no_show(engine: QueueEngine, clock: FakeClock) -> None:
    first, second = issue(engine, clock), issue(engine, clock)
    picked = engine.call_specific(4, second.number, actor="clerk-4")
    assert (picked.id, picked.state, picked.counter) == (second.id, S.CALLED, 4)
    engine.no_show(second.id, actor="clerk-4")
    again = engine.call_specific(5, "a-002", actor="clerk-5")
    assert (again.state, again.counter, again.recalls) == (S.CALLED, 5, 0)
    assert [e["type"] for e in engine.events(second.id)] == ["issued", "called", "no_show", "reactivated", "called"]
    with pytest.raises(IllegalTransition) as caught:
        engine.call_specific(1, second.number, actor=CLERK)
    assert caught.value.current_state is S.CALLED
    assert engine.get(first.id).state is S.ISSUED


def test_current_at_counter(engine: QueueEngine, clock: FakeClock) -> None:
    ticket = issue(engine, clock)
    assert engine.current_at(1) is None
    engine.call_next(1, ["KTP"], actor=CLERK)
    assert engine.current_at(1) == engine.get(ticket.id)
    engine.start(ticket.id, actor=CLERK)
    assert engine.current_at(1) == engine.get(ticket.id)
    engine.finish(ticket.id, actor=CLERK)
    assert engine.current_at(1) is None


# -- estimates ---------------------------------------------------------------------------------

def test_estimate_without_history_uses_typical_minutes(engine: QueueEngine, clock: FakeClock) -> None:
    issue(engine, clock)
    issue(engine, clock)
    clock.advance(minutes=1)
    third = engine.issue("KTP", request_id="third", counters_serving=1)
    assert (third.people_ahead, third.estimated_wait_minutes) == (2, 20)
    assert engine.position(third.ticket.id, counters_serving=3).estimated_wait_minutes == 7  # ceil(20 / 3)
    assert engine.preview("KTP").people_ahead == 3
    assert engine.preview("SIP").estimated_wait_minutes == 0


def test_priority_tickets_are_ahead_of_normal_ones_in_the_estimate(engine: QueueEngine, clock: FakeClock) -> None:
    normal = issue(engine, clock)
    priority = issue(engine, clock, priority=PriorityGroup.DISABILITY)
    later_normal = issue(engine, clock)
    assert engine.position(priority.id).people_ahead == 0
    assert engine.position(normal.id).people_ahead == 1
    assert engine.position(later_normal.id).people_ahead == 2
    assert engine.preview("KTP", priority=PriorityGroup.ELDERLY).people_ahead == 1
    assert engine.position(issue(engine, clock, "SIP").id).people_ahead == 0  # other services do not count


def test_estimate_uses_the_median_of_todays_service_times(engine: QueueEngine, clock: FakeClock) -> None:
    for minutes in (4, 11, 6):
        serve(engine, clock, issue(engine, clock), minutes)
    waiting = [issue(engine, clock) for _ in range(3)]
    assert engine.position(waiting[2].id).estimated_wait_minutes == 12  # 2 ahead × median 6
    assert engine.position(waiting[2].id, counters_serving=2).estimated_wait_minutes == 6
    serve(engine, clock, issue(engine, clock), 3)  # durations 3 4 6 11: median 5
    assert engine.position(waiting[1].id).estimated_wait_minutes == 5
    serve(engine, clock, issue(engine, clock), 4)  # 3 4 4 6 11: median 4
    serve(engine, clock, issue(engine, clock), 4.5)  # 3 4 4 4.5 6 11: median 4.25 -> 1 ahead rounds up to 5
    assert engine.position(waiting[1].id).estimated_wait_minutes == 5
    assert engine.position(waiting[2].id).estimated_wait_minutes == 9  # 2 × 4.25 = 8.5 -> 9


def test_estimate_uses_only_the_last_20_service_times(engine: QueueEngine, clock: FakeClock) -> None:
    for _ in range(5):
        serve(engine, clock, issue(engine, clock), 30)
    for _ in range(20):
        serve(engine, clock, issue(engine, clock), 2)
    issue(engine, clock)
    assert engine.preview("KTP").estimated_wait_minutes == 2


def test_estimate_falls_back_to_the_last_seven_days_then_typical(engine: QueueEngine, clock: FakeClock) -> None:
    for _ in range(3):
        serve(engine, clock, issue(engine, clock, "KK"), 7)
    clock.advance(days=3)
    issue(engine, clock, "KK")
    assert engine.preview("KK").estimated_wait_minutes == 7
    clock.advance(days=5)
    issue(engine, clock, "KK")
    assert engine.preview("KK").estimated_wait_minutes == 8  # history too old: typical minutes


# -- board, stats, audit, listeners ---------------------------------------------------------------

def test_board_state(engine: QueueEngine, clock: FakeClock) -> None:
    a1, a2, a3 = (issue(engine, clock, "KTP") for _ in range(3))
    b1, b2 = issue(engine, clock, "SIP"), issue(engine, clock, "SIP")
    engine.call_next(1, ["KTP"], actor=CLERK)
    t_b1 = clock.advance(minutes=1)
    engine.call_next(2, ["SIP"], actor="clerk-2")
    engine.start(a1.id, actor=CLERK)
    engine.finish(a1.id, actor=CLERK)
    t_a2 = clock.advance(minutes=1)
    engine.call_next(1, ["KTP"], actor=CLERK)
    t_recall = clock.advance(minutes=1)
    engine.recall(b1.id, actor="clerk-2")
    board = engine.board(recent=8)
    assert board.day == "2025-06-16"
    assert board.now_serving == [BoardCall(1, "A-002", "KTP", t_a2), BoardCall(2, "B-001", "SIP", t_recall)]
    assert [(c.number, c.counter) for c in board.recent_calls] == [("B-001", 2), ("A-002", 1), ("A-001", 1)]
    assert board.recent_calls[0].called_at == t_recall and t_b1 < t_recall
    assert board.waiting_by_service == {"KTP": 1, "KK": 0, "SIP": 1}
    assert len(engine.board(recent=2).recent_calls) == 2
    assert engine.waiting() == [engine.get(a3.id), engine.get(b2.id)]
    clock.advance(days=1)
    tomorrow = engine.board()
    assert (tomorrow.now_serving, tomorrow.recent_calls, tomorrow.day) == ([], [], "2025-06-17")
    assert set(tomorrow.waiting_by_service.values()) == {0}
    assert a2.number == "A-002"


def test_counter_stats(engine: QueueEngine, clock: FakeClock) -> None:
    for minutes in (4, 8):
        serve(engine, clock, issue(engine, clock), minutes)
    ticket = issue(engine, clock)
    engine.call_specific(1, ticket.number, actor="clerk-9")
    engine.no_show(ticket.id, actor="clerk-9")
    stats = engine.counter_stats(1)
    assert (stats["served"], stats["called"], stats["no_shows"], stats["mean_service_minutes"]) == (2, 3, 1, 6.0)
    assert engine.counter_stats(1, actor="clerk-9")["served"] == 0
    assert (engine.counter_stats(2)["served"], engine.counter_stats(2)["mean_service_minutes"]) == (0, None)


def test_every_state_change_writes_an_audit_event(engine: QueueEngine, clock: FakeClock) -> None:
    ticket = issue(engine, clock, priority=PriorityGroup.CHILD)
    engine.call_next(2, ["KTP"], actor="clerk-2")
    engine.recall(ticket.id, actor="clerk-2")
    engine.start(ticket.id, actor="clerk-2")
    engine.transfer(ticket.id, "SIP", actor="clerk-2")
    engine.call_next(3, ["SIP"], actor="clerk-3")
    engine.start(ticket.id, actor="clerk-3")
    clock.advance(minutes=5)
    engine.finish(ticket.id, actor="clerk-3")
    trail = engine.events(ticket.id)
    assert [(e["type"], e["actor"], e["counter"]) for e in trail] == [
        ("issued", "kiosk", None), ("called", "clerk-2", 2), ("recalled", "clerk-2", 2),
        ("started", "clerk-2", 2), ("transferred", "clerk-2", 2), ("called", "clerk-3", 3),
        ("started", "clerk-3", 3), ("finished", "clerk-3", 3)]
    assert trail[0]["detail"] == {"service": "KTP", "priority": "child"}
    assert trail[1]["detail"] == {"service": "KTP", "mode": "next", "priority_streak": 1}
    assert trail[-1]["at"] == clock.now.isoformat(timespec="microseconds")
    assert all(e["number"] == "A-001" and e["ticket_id"] == ticket.id for e in trail)
    assert [e["id"] for e in engine.events(limit=3)] == [e["id"] for e in trail[-3:]]


def test_listeners_get_events_after_commit_and_a_failing_listener_is_only_logged(
        make: Callable[..., QueueEngine], clock: FakeClock, allow_log_errors: list[logging.LogRecord]) -> None:
    engine, other_process = make(), make()
    seen: list[tuple[EventType, TicketState, TicketState]] = []

    def committed(event: QueueEvent) -> None:
        # Another connection sees the change: the listener runs after COMMIT, not inside.
        seen.append((event.type, event.ticket.state, other_process.get(event.ticket.id).state))

    def broken(event: QueueEvent) -> None:
        raise RuntimeError("listener bug")

    engine.subscribe(broken)
    unsubscribe = engine.subscribe(committed)
    ticket = issue(engine, clock)
    called = engine.call_next(1, ["KTP"], actor=CLERK)
    assert called is not None and called.state is S.CALLED
    assert seen == [(EventType.ISSUED, S.ISSUED, S.ISSUED), (EventType.CALLED, S.CALLED, S.CALLED)]
    assert [(r.name, r.exc_info[0] if r.exc_info else None) for r in allow_log_errors] == [
        ("kiosk.queue.engine", RuntimeError)] * 2
    with pytest.raises(IllegalTransition):
        engine.reactivate(ticket.id, actor=CLERK)  # refused: nothing committed, nobody told
    assert len(seen) == 2
    unsubscribe()
    engine.start(ticket.id, actor=CLERK)
    assert len(seen) == 2


def test_schema_reopens_and_is_named(db_path: Path, make: Callable[..., QueueEngine], clock: FakeClock) -> None:
    issue(make(), clock)
    reopened = make()
    assert reopened.find("A-001").service_code == "KTP"
    assert reopened.db.schema is QUEUE_SCHEMA and QUEUE_SCHEMA.name == "queue"
    assert reopened.db.integrity_errors() == []


def test_call_next_looks_at_more_services_than_one_statement_may_hold(engine: QueueEngine, clock: FakeClock) -> None:
    many = [ServiceRule(f"S{n:03d}", "C", 50, 5) for n in range(250)]
    engine.update_rules(RULES + many)
    oldest = issue(engine, clock, "S150")  # in the second statement's part
    younger = issue(engine, clock, "S007")
    called = [engine.call_next(1, [r.code for r in many], actor=CLERK) for _ in range(3)]
    assert [t.id if t else None for t in called] == [oldest.id, younger.id, None]


def test_hot_queries_use_their_indexes(engine: QueueEngine) -> None:
    plans = {
        "call_next": "SELECT t.* FROM tickets t WHERE t.id = (SELECT id FROM (SELECT * FROM (SELECT arrived_at, id "
                     "FROM tickets WHERE day = '2025-06-16' AND service_code = 'KTP' AND (priority IS NULL) = 1 "
                     "AND state = 'issued' ORDER BY arrived_at, id LIMIT 1)) ORDER BY arrived_at, id LIMIT 1)",
        "board": "SELECT e.counter, MAX(e.id) FROM events e WHERE e.type IN ('called', 'recalled') "
                 "AND e.at >= '2025-06-15' GROUP BY e.counter",
        "counter_stats": "SELECT e.type, COUNT(*) FROM events e WHERE e.counter = 3 AND e.at >= '2025-06-15' "
                         "GROUP BY e.type",
        "quota": "SELECT issued FROM issued_counts WHERE day = '2025-06-16' AND service_code = 'KTP'",
        "line_counts": "SELECT priority_line, waiting FROM line_counts "
                       "WHERE day = '2025-06-16' AND service_code = 'KTP'",
        "newest_in_line": "SELECT 1 FROM tickets WHERE day = '2025-06-16' AND service_code = 'KTP' "
                          "AND (priority IS NULL) = 1 AND state = 'issued' AND (arrived_at, id) > ('x', 'y') LIMIT 1",
    }
    with engine.db.reading() as conn:
        for name, sql in plans.items():
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "SCAN tickets" not in plan and "SCAN e" not in plan, (name, plan)


def _counted(engine: QueueEngine) -> tuple[dict[tuple[str, str, int], int], dict[tuple[str, str, int], int]]:
    """The running counts (line_counts, issued_counts) and the same figures counted from the tickets."""
    with engine.db.reading() as conn:
        kept = {(r[0], r[1], r[2]): r[3] for r in conn.execute("SELECT * FROM line_counts") if r[3]}
        counted = {(r[0], r[1], r[2]): r[3] for r in conn.execute(
            "SELECT day, service_code, priority IS NOT NULL, COUNT(*) FROM tickets WHERE state = 'issued' "
            "GROUP BY 1, 2, 3")}
        issued_kept = {(r[0], r[1]): r[2] for r in conn.execute("SELECT * FROM issued_counts")}
        issued_counted = {(r[0], r[1]): r[2] for r in conn.execute(
            "SELECT day, issued_service, COUNT(*) FROM tickets GROUP BY 1, 2")}
    assert issued_kept == issued_counted
    return kept, counted


def test_running_counts_follow_every_kind_of_change(engine: QueueEngine, clock: FakeClock) -> None:
    """Issuing reads the line's length and the quota from counts kept by triggers; after a random day
    of every action (transfers, no-shows, reactivations, cancels, a midnight) they equal a COUNT(*),
    and every new ticket's people-ahead equals the one counted from the line (``position``)."""
    import random

    rng = random.Random(4)
    tickets: list[Ticket] = []
    for step in range(400):
        clock.advance(seconds=rng.randint(1, 90))
        if step == 250:
            clock.advance(hours=20)  # the next day: new lines, yesterday's counts kept apart
        roll = rng.random()
        try:
            if roll < 0.4:
                priority = PriorityGroup.ELDERLY if rng.random() < 0.25 else None
                issued = engine.issue(rng.choice(["KTP", "KK", "SIP"]), request_id=f"counts-{step}", priority=priority)
                assert issued.people_ahead == engine.position(issued.ticket.id).people_ahead, step
                tickets.append(issued.ticket)
            elif roll < 0.55:
                engine.call_next(rng.randint(1, 3), rng.sample(["KTP", "KK", "SIP"], 2), actor=CLERK)
            elif tickets:
                ticket = engine.get(rng.choice(tickets).id)
                action = rng.choice(["start", "finish", "no_show", "reactivate", "cancel", "recall", "transfer",
                                     "call_specific"])
                if action == "transfer":
                    engine.transfer(ticket.id, rng.choice(["KTP", "KK", "SIP"]), actor=CLERK)
                elif action == "call_specific":
                    engine.call_specific(2, ticket.number, actor=CLERK)
                else:
                    getattr(engine, action)(ticket.id, actor=CLERK)
        except (IllegalTransition, TicketNotFound):
            pass  # a random action on a ticket in the wrong state: refused, nothing changed
        if step % 50 == 49:
            kept, counted = _counted(engine)
            assert kept == counted, step
    waiting = engine.board().waiting_by_service
    assert sum(waiting.values()) == len(engine.waiting()) > 0


def test_a_new_ticket_behind_a_later_arrival_is_counted_from_the_line(engine: QueueEngine, clock: FakeClock) -> None:
    """The clock stepped back (NTP): the new ticket is not the last of its line, so it is not told
    it has everyone ahead."""
    first = issue(engine, clock)
    issue(engine, clock)
    clock.now = first.arrived_at - timedelta(minutes=5)
    stepped_back = engine.issue("KTP", request_id="after-clock-step")
    assert stepped_back.people_ahead == 0 == engine.position(stepped_back.ticket.id).people_ahead


def test_upgrading_an_older_queue_counts_the_tickets_it_holds(db_path: Path, clock: FakeClock) -> None:
    from kiosk.storage.store import Schema, open_database

    before_counts = next(i for i, m in enumerate(QUEUE_SCHEMA.migrations) if "line_counts" in m)
    older = open_database(db_path, Schema("queue", QUEUE_SCHEMA.migrations[:before_counts]))
    with older.transaction() as conn:  # what the previous version wrote: KTP, KK, KTP (called), KK (pregnant), KTP
        for n, (service, priority, state) in enumerate([("KTP", None, "issued"), ("KK", None, "issued"),
                                                        ("KTP", None, "called"), ("KK", "pregnant", "issued"),
                                                        ("KTP", None, "issued")], start=1):
            at = (clock.now - timedelta(minutes=10 - n)).isoformat()
            conn.execute("INSERT INTO tickets(id, number, service_code, issued_service, prefix, seq, day, priority, "
                         "state, arrived_at, issued_at, request_id) VALUES (?, ?, ?, ?, 'A', ?, '2025-06-16', ?, ?, "
                         "?, ?, ?)", (f"old-{n}", f"A-{n:03d}", service, service, n, priority, state, at, at,
                                      f"old-req-{n}"))
        conn.execute("INSERT INTO sequences(day, prefix, last_seq) VALUES ('2025-06-16', 'A', 5)")
    older.close()
    upgraded = QueueEngine.open(db_path, RULES, JAKARTA, clock=clock)
    try:
        kept, counted = _counted(upgraded)
        assert kept == counted and sum(kept.values()) == 4
        assert upgraded.preview("KK").people_ahead == 2
        assert upgraded.issue("KK", request_id="after-upgrade").people_ahead == 2
    finally:
        upgraded.close()


# -- several processes on one file ---------------------------------------------------------------

NOON = datetime(2025, 6, 16, 5, 0, tzinfo=UTC)
BIG_RULES = [ServiceRule("KTP", "A", 1000, 10), ServiceRule("KK", "A", 1000, 8)]


def _issue_worker(path: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    engine = QueueEngine.open(Path(path), BIG_RULES, JAKARTA, clock=lambda: NOON)
    barrier.wait(timeout=30)
    numbers = [engine.issue("KK" if i % 2 else "KTP", request_id=f"w{worker}-{i}").ticket.number for i in range(count)]
    engine.close()
    results.put(numbers)


def _call_worker(path: str, counter: int, rounds: int, barrier: Any, results: Any) -> None:
    """Every round, all counters press "call next" at the same instant (maximum contention)."""
    engine = QueueEngine.open(Path(path), BIG_RULES, JAKARTA, clock=lambda: NOON)
    called = []
    for _ in range(rounds):
        barrier.wait(timeout=30)
        ticket = engine.call_next(counter, ["KTP", "KK"], actor=f"clerk-{counter}")
        if ticket is not None:
            called.append(ticket.id)
    engine.close()
    results.put(called)


def run_processes(target: Callable[..., None], path: Path, workers: int, count: int) -> list[list[str]]:
    """Start ``workers`` spawned processes that begin together; return what each reports."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=target, args=(str(path), n + 1, count, barrier, results)) for n in range(workers)]
    for proc in procs:
        proc.start()
    try:
        reports = [results.get(timeout=60) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
        results.close()
        results.join_thread()
    assert [proc.exitcode for proc in procs] == [0] * workers
    return reports


@pytest.mark.slow
def test_two_processes_issuing_at_once_never_share_a_number(db_path: Path) -> None:
    QueueEngine.open(db_path, BIG_RULES, JAKARTA).close()  # migrate once, before the race
    started = wallclock.monotonic()
    reports = run_processes(_issue_worker, db_path, workers=2, count=200)
    numbers = [n for report in reports for n in report]
    assert sorted(numbers) == sorted(f"A-{i:03d}" for i in range(1, 401))  # unique and without gaps
    assert all(report == sorted(report) for report in reports)  # each process saw its numbers grow
    assert wallclock.monotonic() - started < 10


@pytest.mark.slow
def test_four_counters_in_four_processes_never_call_the_same_ticket(db_path: Path) -> None:
    engine = QueueEngine.open(db_path, BIG_RULES, JAKARTA, clock=lambda: NOON)
    issued = {engine.issue("KTP" if i % 3 else "KK", request_id=f"r{i}",
                           priority=PriorityGroup.ELDERLY if i % 4 == 0 else None).ticket.id for i in range(200)}
    started = wallclock.monotonic()
    reports = run_processes(_call_worker, db_path, workers=4, count=51)  # 50 rounds of 4 calls, then none
    assert [len(report) for report in reports] == [50] * 4  # nobody was refused or skipped while racing
    called = [ticket_id for report in reports for ticket_id in report]
    assert len(called) == len(set(called)) == 200
    assert set(called) == issued
    assert sum(e["type"] == "called" for e in engine.events(limit=1000)) == 200
    assert engine.waiting() == []
    assert wallclock.monotonic() - started < 10
    engine.close()

