"""One key per citizen (issue 17): "Selesai" right after a call, "Panggil berikutnya" finishing the ticket
in hand in the same transaction, the undo of a finish pressed by mistake, and the one rule that names
the next ticket for both the call and the console's mark. Through the engine, and over HTTP."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from manual_clock import ManualClock

from kiosk.queue import calling
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import EventType, IllegalTransition, PriorityGroup, ServiceRule, Ticket, TicketState
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

S = TicketState
JAKARTA = ZoneInfo("Asia/Jakarta")
RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=500, typical_service_minutes=8)]
CLERK = "console-1/counter-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(tmp_path: Path, clock: ManualClock) -> Iterator[QueueEngine]:
    engine = QueueEngine.open(tmp_path / "queue.sqlite3", RULES, JAKARTA, clock=clock)
    yield engine
    engine.close()


def issue(engine: QueueEngine, clock: ManualClock, n: int, service: str = "KTP",
          priority: PriorityGroup | None = None) -> list[Ticket]:
    tickets = []
    for _ in range(n):
        clock.tick()
        tickets.append(engine.issue(service, request_id=f"r{clock.now.timestamp()}", priority=priority).ticket)
    return tickets


def test_finish_straight_from_called_records_the_start_at_the_call(engine: QueueEngine, clock: ManualClock) -> None:
    issue(engine, clock, 1)
    called = engine.call_next(1, ["KTP"], actor=CLERK)
    assert called is not None and called.called_at is not None
    clock.tick(300)
    done = engine.finish(called.id, actor=CLERK)
    assert done.state is S.DONE and done.started_at == called.called_at  # served time: call to finish
    finished = [e for e in engine.events(called.id) if e["type"] == "finished"]
    assert finished[0]["detail"] == {"implicit_start": True}
    assert engine.counter_stats(1)["mean_service_minutes"] == pytest.approx(5.0)


def test_a_started_ticket_keeps_its_own_start(engine: QueueEngine, clock: ManualClock) -> None:
    issue(engine, clock, 1)
    called = engine.call_next(1, ["KTP"], actor=CLERK)
    assert called is not None
    clock.tick(60)
    started = engine.start(called.id, actor=CLERK)
    clock.tick(120)
    done = engine.finish(called.id, actor=CLERK)
    assert done.started_at == started.started_at
    assert [e["detail"] for e in engine.events(called.id) if e["type"] == "finished"] == [{}]


def test_finish_and_call_next_is_one_audited_operation(engine: QueueEngine, clock: ManualClock) -> None:
    first, second = issue(engine, clock, 2)
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None and held.id == first.id
    seen: list[EventType] = []
    engine.subscribe(lambda event: seen.append(event.type))
    clock.tick(200)
    finished, called = engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert finished is not None and finished.state is S.DONE and finished.id == first.id
    assert called is not None and called.id == second.id and called.state is S.CALLED and called.counter == 1
    assert seen == [EventType.FINISHED, EventType.CALLED]
    trail = [(e["type"], e["number"], e["actor"], e["at"]) for e in engine.events()][-2:]
    assert [t[:3] for t in trail] == [("finished", "A-001", CLERK), ("called", "A-002", CLERK)]
    assert trail[0][3] == trail[1][3]  # one transaction, one moment


def test_a_refused_finish_calls_nobody(engine: QueueEngine, clock: ManualClock) -> None:
    """Both or neither: a ticket this counter does not hold is not finished, and nobody is called."""
    issue(engine, clock, 2)
    other = engine.call_next(2, ["KTP"], actor="console-2/counter-2")
    assert other is not None
    with pytest.raises(IllegalTransition):
        engine.finish_and_call_next(1, ["KTP"], other.id, actor=CLERK)
    assert engine.get(other.id).state is S.CALLED and len(engine.waiting(["KTP"])) == 1


def test_a_failing_call_rolls_back_the_finish(engine: QueueEngine, clock: ManualClock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    issue(engine, clock, 2)
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(calling, "call_next_in", broken)
    with pytest.raises(RuntimeError):
        engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert engine.get(held.id).state is S.CALLED  # the finish was rolled back with the call
    assert [e["type"] for e in engine.events(held.id)] == ["issued", "called"]


def test_with_nobody_waiting_the_finish_stands(engine: QueueEngine, clock: ManualClock) -> None:
    issue(engine, clock, 1)
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None
    finished, called = engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert finished is not None and finished.state is S.DONE and called is None
    assert engine.counter_stats(1)["served"] == 1


@pytest.mark.parametrize("seed", range(5))
def test_next_up_is_always_the_ticket_the_call_takes(engine: QueueEngine, clock: ManualClock, seed: int) -> None:
    """The console's mark and the key follow one rule, priority streaks included."""
    rng = random.Random(seed)
    for _ in range(30):
        issue(engine, clock, 1, rng.choice(["KTP", "KK"]),
              rng.choice([None, None, PriorityGroup.ELDERLY, PriorityGroup.PREGNANT]))
    held: Ticket | None = None
    for _ in range(31):
        services = ["KTP", "KK"] if rng.random() < 0.7 else ["KTP"]
        expected = engine.next_up(1, services)
        finished, held = engine.finish_and_call_next(1, services, held.id if held else None, actor=CLERK)
        assert (held.id if held else None) == (expected.id if expected else None)
        if held is None:
            break


def test_undo_finish_serves_again_and_puts_the_called_ticket_back_in_its_place(engine: QueueEngine,
                                                                                clock: ManualClock) -> None:
    first, second, third = issue(engine, clock, 3)
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None
    finished, called = engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert finished is not None and called is not None and called.id == second.id
    clock.tick(5)
    reopened = engine.undo_finish(1, finished.id, called.id, actor=CLERK)
    assert reopened.state is S.SERVING and reopened.finished_at is None and reopened.counter == 1
    back = engine.get(second.id)
    assert back.state is S.ISSUED and back.arrived_at == second.arrived_at and back.counter is None
    assert [t.id for t in engine.waiting(["KTP"])] == [second.id, third.id]  # its place, not the end
    assert [e["type"] for e in engine.events()][-2:] == ["uncalled", "reopened"]
    assert engine.current_at(1) == reopened
    engine.finish_and_call_next(1, ["KTP"], reopened.id, actor=CLERK)
    assert engine.counter_stats(1)["served"] == 1  # the same citizen, counted once


def test_undo_finish_is_refused_once_things_moved_on(engine: QueueEngine, clock: ManualClock) -> None:
    issue(engine, clock, 3)
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None
    finished, called = engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert finished is not None and called is not None
    engine.start(called.id, actor=CLERK)  # the next citizen is being served already
    with pytest.raises(IllegalTransition):
        engine.undo_finish(1, finished.id, called.id, actor=CLERK)
    assert engine.get(finished.id).state is S.DONE
    with pytest.raises(IllegalTransition):  # another counter cannot take it back
        engine.undo_finish(2, finished.id, None, actor=CLERK)
    clock.tick(calling.FINISH_UNDO_SECONDS + 1)
    with pytest.raises(IllegalTransition):  # nor anyone, a minute later
        engine.undo_finish(1, finished.id, None, actor=CLERK)


# -- over HTTP (the building's queue host) ------------------------------------------------------
TOKENS = {"tok-counter": DeviceGrant("console-1", "counter"), "tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}


@pytest.fixture
def remote(engine: QueueEngine) -> Iterator[Callable[[str], HttpQueue]]:
    server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3), "127.0.0.1", 0)
    clients: list[HttpQueue] = []

    def make(token: str) -> HttpQueue:
        clients.append(HttpQueue(server.url, token, timeout=2.0))
        return clients[-1]

    yield make
    for client in clients:
        client.close()
    server.stop()


def test_the_one_key_operations_over_http(engine: QueueEngine, clock: ManualClock,
                                          remote: Callable[[str], HttpQueue]) -> None:
    kiosk, clerk = remote("tok-kiosk"), remote("tok-counter")
    tickets = []
    for i in range(2):
        clock.tick()
        tickets.append(kiosk.issue("KTP", request_id=f"r{i}").ticket)
    assert clerk.next_up(1, ["KTP"]) == engine.next_up(1, ["KTP"]) == tickets[0]
    finished, held = clerk.finish_and_call_next(1, ["KTP"], None, actor=CLERK)
    assert finished is None and held is not None and held.id == tickets[0].id
    assert clerk.finish(held.id, actor=CLERK).started_at == held.called_at  # "Selesai" right after the call
    reopened = clerk.undo_finish(1, held.id, None, actor=CLERK)
    assert reopened.state is S.SERVING
    finished, called = clerk.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert finished is not None and finished.state is S.DONE and called is not None and called.id == tickets[1].id
    assert engine.events(called.id)[-1]["actor"] == "console-1@counter-1"
    with pytest.raises(IllegalTransition):  # a ticket not in hand here: 409, nothing changed
        clerk.finish_and_call_next(2, ["KTP"], called.id, actor="console-1/counter-2")
    assert engine.get(called.id).state is S.CALLED
    finished, nobody = clerk.finish_and_call_next(1, ["KTP"], called.id, actor=CLERK)
    assert nobody is None and clerk.next_up(1, ["KTP"]) is None
