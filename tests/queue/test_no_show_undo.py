"""Taking back a no-show (kiosk.queue.undo), without Qt: the time window, which no-show, when the offer
ends, and the two queue calls that put the ticket back and call it to the same counter. Then the
finish's undo and the one offer a counter shows at a time (CounterUndo)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.queue.actions import CounterAction
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import EventType, QueueEvent, ServiceRule, Ticket, TicketState
from kiosk.queue.undo import UNDO_SECONDS, CounterUndo, NoShowUndo

S = TicketState
A = CounterAction
ACTOR = "dev-1/counter-3"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    now = datetime(2025, 6, 16, 2, 0, tzinfo=UTC)
    ticks = iter(range(1, 10_000))
    engine = QueueEngine.open(tmp_path / "queue.sqlite3", [ServiceRule("KTP", "A", 50, 10)],
                              ZoneInfo("Asia/Jakarta"), clock=lambda: now + timedelta(seconds=next(ticks)))
    yield engine
    engine.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def no_show(engine: QueueEngine, request_id: str, counter: int = 3) -> Ticket:
    ticket = engine.issue("KTP", request_id=request_id).ticket
    engine.call_specific(counter, ticket.number, actor=ACTOR)
    return engine.no_show(ticket.id, actor=ACTOR)


def test_the_offer_lasts_ten_seconds(engine: QueueEngine, clock: Clock) -> None:
    undo = NoShowUndo(engine, clock=clock)
    ticket = no_show(engine, "a")
    assert undo.seconds == UNDO_SECONDS == 10
    undo.after(A.NO_SHOW, ticket)
    clock.now += 9.9
    assert undo.pending == ticket
    clock.now += 0.1
    assert undo.pending is None
    assert undo.claim(None) is None


def test_only_the_latest_no_show_and_a_claim_ends_the_offer(engine: QueueEngine, clock: Clock) -> None:
    undo = NoShowUndo(engine, clock=clock)
    first, second = no_show(engine, "a"), no_show(engine, "b")
    undo.after(A.NO_SHOW, first)
    clock.now += 8
    undo.after(A.NO_SHOW, second)  # the window starts again for the newer one
    clock.now += 8
    assert undo.claim(None) == second
    assert undo.pending is None and undo.claim(None) is None


def test_refused_while_the_counter_holds_another_ticket(engine: QueueEngine, clock: Clock) -> None:
    undo = NoShowUndo(engine, clock=clock)
    undo.after(A.NO_SHOW, no_show(engine, "a"))
    assert undo.claim(S.CALLED) is None
    assert undo.pending is None  # the offer is gone, as the button is
    undo.after(A.NO_SHOW, no_show(engine, "b"))
    assert undo.claim(S.SERVING) is None


def test_a_new_call_here_ends_the_offer_but_nobody_waiting_does_not(engine: QueueEngine, clock: Clock) -> None:
    undo = NoShowUndo(engine, clock=clock)
    ticket = no_show(engine, "a")
    for action in (A.CALL_NEXT, A.CALL_PRIORITY, A.CALL_NUMBER):
        undo.after(A.NO_SHOW, ticket)
        undo.after(action, None)  # nobody was waiting: taking the no-show back still helps
        assert undo.pending == ticket
        undo.after(action, ticket)
        assert undo.pending is None, action
    undo.after(A.NO_SHOW, ticket)
    for action in (A.RECALL, A.START, A.FINISH, A.TRANSFER):
        undo.after(action, ticket)
    assert undo.pending == ticket


def test_take_back_puts_it_in_line_and_calls_it_to_the_same_counter(engine: QueueEngine, clock: Clock) -> None:
    undo = NoShowUndo(engine, clock=clock)
    late = no_show(engine, "late")
    engine.issue("KTP", request_id="next")
    seen: list[QueueEvent] = []
    engine.subscribe(seen.append)
    undo.after(A.NO_SHOW, late)
    claimed = undo.claim(None)
    assert claimed is not None
    called = undo.take_back(claimed, 3, actor=ACTOR)
    assert called.id == late.id and called.state is S.CALLED and called.counter == 3
    assert called.arrived_at == late.arrived_at  # its place in line, not the end of it
    assert [(e.type, e.actor) for e in seen] == [(EventType.REACTIVATED, ACTOR), (EventType.CALLED, ACTOR)]
    assert engine.current_at(3) == called


def test_one_offer_at_a_time_the_latest_actions(engine: QueueEngine, clock: Clock) -> None:
    undo = CounterUndo(engine, clock=clock)
    missed = no_show(engine, "late")
    undo.after(A.NO_SHOW, missed)
    offered = undo.offered()
    assert offered is not None and offered[:2] == (A.UNDO_NO_SHOW, missed)
    first, second = (engine.issue("KTP", request_id=f"r{i}").ticket for i in range(2))
    held = engine.call_specific(3, first.number, actor=ACTOR)
    finished, called = engine.finish_and_call_next(3, ["KTP"], held.id, actor=ACTOR)
    assert finished is not None and called is not None
    undo.after_finish_and_call(finished, called)
    assert undo.offered() == (A.UNDO_FINISH, finished, True)  # the no-show's offer ended
    assert undo.no_show.pending is None
    claimed = undo.claim(called)
    assert claimed is not None and claimed[0] is A.UNDO_FINISH
    reopened = claimed[1](3, ACTOR)
    assert reopened.id == finished.id and reopened.state is S.SERVING
    assert engine.get(second.id).state is S.ISSUED and undo.offered() is None


def test_a_finish_is_not_taken_back_over_another_citizen(engine: QueueEngine, clock: Clock) -> None:
    undo = CounterUndo(engine, clock=clock)
    first, second = (engine.issue("KTP", request_id=f"r{i}").ticket for i in range(2))
    done = engine.finish(engine.call_specific(3, first.number, actor=ACTOR).id, actor=ACTOR)
    undo.after(A.FINISH, done)
    assert undo.offered() == (A.UNDO_FINISH, done, False)
    other = engine.call_specific(3, second.number, actor=ACTOR)  # called by number, not by the same key
    assert undo.claim(other) is None  # two citizens at one counter otherwise
    undo.after(A.FINISH, engine.finish(other.id, actor=ACTOR))
    clock.now += UNDO_SECONDS
    assert undo.offered() is None and undo.claim(None) is None  # the time is up
