"""The table of counter actions (kiosk.queue.actions): the engine accepts exactly what it allows, the
console's rule for its buttons follows from it, and every action has its texts in both languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.i18n import LANGUAGES, texts
from kiosk.queue.actions import (
    ACTIONS,
    CANCELLABLE,
    GRID,
    IN_HAND,
    CounterAction,
    allowed_at_counter,
    allowed_from,
)
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import IllegalTransition, PriorityGroup, ServiceRule, Ticket, TicketState

S = TicketState
A = CounterAction
RULES = [ServiceRule("KTP", "A", daily_quota=50, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=50, typical_service_minutes=8)]
CLERK = "clerk"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    now = datetime(2025, 6, 16, 2, 0, tzinfo=UTC)  # a Monday morning in Jakarta
    ticks = iter(range(1, 10_000))
    engine = QueueEngine.open(tmp_path / "queue.sqlite3", RULES, ZoneInfo("Asia/Jakarta"),
                              clock=lambda: now + timedelta(seconds=next(ticks)))
    yield engine
    engine.close()


def ticket_in(engine: QueueEngine, state: TicketState) -> Ticket:
    """The only ticket of the day, a priority one (so both calls can take it), brought to ``state``."""
    ticket = engine.issue("KTP", request_id="only", priority=PriorityGroup.ELDERLY).ticket
    if state is S.CANCELLED:
        return engine.cancel(ticket.id, actor=CLERK)
    if state is S.ISSUED:
        return ticket
    ticket = engine.call_specific(1, ticket.number, actor=CLERK)
    if state is S.NO_SHOW:
        return engine.no_show(ticket.id, actor=CLERK)
    if state is S.CALLED:
        return ticket
    ticket = engine.start(ticket.id, actor=CLERK)
    return ticket if state is S.SERVING else engine.finish(ticket.id, actor=CLERK)


# What each action asks of the engine: True when it moved the ticket, False (or IllegalTransition) when
# it refused. Calling the next ticket refuses by finding nobody to call.
MOVES: dict[CounterAction, Callable[[QueueEngine, Ticket], bool]] = {
    A.CALL_NEXT: lambda e, t: e.call_next(2, ["KTP"], actor=CLERK) is not None,
    A.CALL_PRIORITY: lambda e, t: e.call_next(2, ["KTP"], actor=CLERK, priority_only=True) is not None,
    A.RECALL: lambda e, t: e.recall(t.id, actor=CLERK).recalls == t.recalls + 1,
    A.START: lambda e, t: e.start(t.id, actor=CLERK).state is S.SERVING,
    A.FINISH: lambda e, t: e.finish(t.id, actor=CLERK).state is S.DONE,
    A.NO_SHOW: lambda e, t: e.no_show(t.id, actor=CLERK).state is S.NO_SHOW,
    A.TRANSFER: lambda e, t: e.transfer(t.id, "KK", actor=CLERK).service_code == "KK",
    A.CALL_NUMBER: lambda e, t: e.call_specific(2, t.number, actor=CLERK).counter == 2,
    A.UNDO_NO_SHOW: lambda e, t: e.reactivate(t.id, actor=CLERK).state is S.ISSUED,
    A.UNDO_FINISH: lambda e, t: e.undo_finish(1, t.id, None, actor=CLERK).state is S.SERVING,
}


def engine_accepts(engine: QueueEngine, move: Callable[[QueueEngine, Ticket], bool], state: TicketState) -> bool:
    ticket = ticket_in(engine, state)
    assert ticket.state is state
    try:
        moved = move(engine, ticket)
    except IllegalTransition:
        moved = False
    after = engine.get(ticket.id)
    if not moved:
        assert after == ticket  # a refused move changes nothing
    else:
        assert after != ticket
    return moved


def test_every_action_has_a_move_under_test() -> None:
    assert set(MOVES) == set(CounterAction)


@pytest.mark.parametrize("action", list(CounterAction), ids=lambda a: a.value)
@pytest.mark.parametrize("state", list(TicketState), ids=lambda s: s.value)
def test_the_engine_accepts_exactly_what_the_table_allows(engine: QueueEngine, action: CounterAction,
                                                          state: TicketState) -> None:
    assert engine_accepts(engine, MOVES[action], state) == (state in allowed_from(action))


@pytest.mark.parametrize("state", list(TicketState), ids=lambda s: s.value)
def test_the_engine_cancels_exactly_what_the_table_allows(engine: QueueEngine, state: TicketState) -> None:
    def cancel(e: QueueEngine, t: Ticket) -> bool:
        return e.cancel(t.id, actor=CLERK).state is S.CANCELLED

    assert engine_accepts(engine, cancel, state) == (state in CANCELLABLE)


def test_the_console_buttons_follow_the_ticket_in_hand() -> None:
    def enabled(in_hand: TicketState | None) -> set[CounterAction]:
        return {action for action in CounterAction if allowed_at_counter(action, in_hand)}

    calls = {A.CALL_NEXT, A.CALL_PRIORITY, A.CALL_NUMBER, A.UNDO_NO_SHOW}
    next_calls = {A.CALL_NEXT, A.CALL_PRIORITY}  # finish the ticket in hand first: one key per citizen
    assert enabled(None) == calls | {A.UNDO_FINISH}
    # a finished ticket leaves the counter free
    assert enabled(S.DONE) == enabled(S.NO_SHOW) == calls | {A.UNDO_FINISH}
    # "Selesai" right after the call; a finish just taken back may leave the ticket the same key called
    assert enabled(S.CALLED) == {A.RECALL, A.START, A.FINISH, A.NO_SHOW, A.TRANSFER, A.UNDO_FINISH} | next_calls
    assert enabled(S.SERVING) == {A.FINISH, A.TRANSFER} | next_calls
    assert IN_HAND == {S.CALLED, S.SERVING}


def test_every_action_in_hand_is_allowed_from_some_state_a_counter_holds() -> None:
    for action, spec in ACTIONS.items():
        assert spec.from_states, action
        if not spec.calls and spec.on_grid:
            assert spec.from_states & IN_HAND, action


def test_the_grid_is_f1_to_f8_in_order_and_shortcuts_are_unique() -> None:
    assert [ACTIONS[a].shortcut for a in GRID] == [f"F{n}" for n in range(1, 9)]
    undos = {A.UNDO_NO_SHOW, A.UNDO_FINISH}  # one offer at a time (the latest action's): one key
    assert not undos & set(GRID) and {a.spec.shortcut for a in undos} == {"Ctrl+Z"}
    shortcuts = [spec.shortcut for action, spec in ACTIONS.items() if action not in undos]
    assert len(shortcuts) == len(set(shortcuts)) and "Ctrl+Z" not in shortcuts


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("action", list(CounterAction), ids=lambda a: a.value)
def test_every_action_has_its_texts(lang: str, action: CounterAction) -> None:
    known = texts(lang)
    assert action.label_key == f"counter.action.{action.value}"
    assert action.label_key in known and known[action.label_key].strip()
    assert action.done_key in known and "{number}" in known[action.done_key]
