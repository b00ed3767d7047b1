"""The rules of a kiosk's call for staff (kiosk.queue.help) through the engine: one open request per kiosk,
acknowledged by one clerk, closed by a touch only after that, by a cancel, or by the timeout; every step audited.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from manual_clock import ManualClock

from kiosk.queue.engine import QueueEngine
from kiosk.queue.help import (
    CloseReason,
    HelpConflict,
    HelpRequestNotFound,
    HelpState,
    NotYourHelpRequest,
    age_text,
    allowed_close,
    board_help_to_json,
    help_from_json,
    help_to_json,
    kiosk_number,
)
from kiosk.queue.models import ServiceRule

RULES = [ServiceRule("KTP", "A", daily_quota=100, typical_service_minutes=10)]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(tmp_path: Path, clock: ManualClock) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"), clock=clock,
                              help_timeout=timedelta(minutes=10))
    yield opened
    opened.close()


def test_a_second_tap_while_one_is_open_raises_nothing(engine: QueueEngine, clock: ManualClock) -> None:
    first, created = engine.raise_help("kiosk-02")
    assert created and first.state is HelpState.RAISED and first.kiosk == "kiosk-02"
    clock.tick(30)
    again, created_again = engine.raise_help("kiosk-02")
    assert not created_again and again.id == first.id and again.age_seconds == 30
    other, created_other = engine.raise_help("kiosk-03")  # another kiosk has its own
    assert created_other and other.id != first.id
    assert [r.kiosk for r in engine.open_help_requests()] == ["kiosk-02", "kiosk-03"]
    assert [e["type"] for e in engine.help_events()] == ["help_raised", "help_raised"]  # one per request


def test_many_taps_at_once_raise_one_request(engine: QueueEngine) -> None:
    results: list[str] = []
    start = threading.Barrier(8)

    def tap() -> None:
        start.wait()
        results.append(engine.raise_help("kiosk-05")[0].id)

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(engine.open_help_requests()) == 1


def test_a_clerk_acknowledges_once_and_the_audit_names_who(engine: QueueEngine, clock: ManualClock) -> None:
    request, _ = engine.raise_help("kiosk-02")
    clock.tick(45)
    answered = engine.acknowledge_help(request.id, actor="counter-01/rina/counter-3", counter=3, clerk="rina")
    assert answered.state is HelpState.ACKNOWLEDGED and answered.counter == 3 and answered.clerk == "rina"
    assert answered.acknowledged_by == "counter-01/rina/counter-3"
    with pytest.raises(HelpConflict) as second:  # another clerk a moment later
        engine.acknowledge_help(request.id, actor="counter-02/counter-5", counter=5)
    assert second.value.request.counter == 3 and "counter 3" in str(second.value)
    acknowledged = engine.help_events(request.id)[-1]
    assert acknowledged["type"] == "help_acknowledged" and acknowledged["counter"] == 3
    assert acknowledged["actor"] == "counter-01/rina/counter-3"
    assert acknowledged["detail"] == {"kiosk": "kiosk-02", "clerk": "rina", "waited_seconds": 45}


def test_a_touch_closes_only_after_the_acknowledgement(engine: QueueEngine, clock: ManualClock) -> None:
    request, _ = engine.raise_help("kiosk-02")
    with pytest.raises(HelpConflict):
        engine.close_help(request.id, CloseReason.TOUCHED, actor="kiosk-02", kiosk="kiosk-02")
    assert engine.help_request(request.id).open  # the citizen is still waiting for someone
    engine.acknowledge_help(request.id, actor="c/counter-1", counter=1)
    clock.tick(60)
    closed = engine.close_help(request.id, CloseReason.TOUCHED, actor="kiosk-02", kiosk="kiosk-02")
    assert closed.state is HelpState.CLOSED and closed.close_reason is CloseReason.TOUCHED
    assert engine.open_help_requests() == []
    again = engine.close_help(request.id, CloseReason.CANCELLED, actor="kiosk-02", kiosk="kiosk-02")
    assert again == closed  # a retry after a lost answer: unchanged, no second event
    assert [e["type"] for e in engine.help_events(request.id)] == ["help_raised", "help_acknowledged", "help_closed"]
    assert engine.help_events(request.id)[-1]["detail"] == {"kiosk": "kiosk-02", "reason": "touched",
                                                           "from": "acknowledged", "open_seconds": 60}
    assert engine.raise_help("kiosk-02")[1]  # closed: the next tap raises a new one


def test_cancel_and_session_end_close_a_request_not_yet_answered(engine: QueueEngine) -> None:
    for reason in (CloseReason.CANCELLED, CloseReason.SESSION_ENDED):
        request, _ = engine.raise_help("kiosk-02")
        assert engine.close_help(request.id, reason, actor="kiosk-02", kiosk="kiosk-02").close_reason is reason
    with pytest.raises(HelpConflict):
        engine.acknowledge_help(request.id, actor="c/counter-1", counter=1)  # nobody goes to a closed call


def test_a_kiosk_closes_and_reads_only_its_own(engine: QueueEngine) -> None:
    request, _ = engine.raise_help("kiosk-02")
    with pytest.raises(NotYourHelpRequest):
        engine.close_help(request.id, CloseReason.CANCELLED, actor="kiosk-03", kiosk="kiosk-03")
    with pytest.raises(NotYourHelpRequest):
        engine.help_request(request.id, kiosk="kiosk-03")
    assert engine.help_request(request.id).open
    with pytest.raises(HelpRequestNotFound):
        engine.help_request("no-such-request")


def test_a_request_with_no_step_for_the_timeout_closes_itself(engine: QueueEngine, clock: ManualClock) -> None:
    raised, _ = engine.raise_help("kiosk-02")
    answered, _ = engine.raise_help("kiosk-03")
    clock.tick(8 * 60)
    engine.acknowledge_help(answered.id, actor="c/counter-1", counter=1)  # its timeout starts again
    clock.tick(2 * 60 + 1)
    assert [r.kiosk for r in engine.open_help_requests()] == ["kiosk-03"]
    expired = engine.help_request(raised.id)
    assert expired.close_reason is CloseReason.TIMEOUT and expired.age_seconds == 10 * 60 + 1
    closed = engine.help_events(raised.id)[-1]
    assert closed["type"] == "help_closed" and closed["actor"] == "queue" and closed["detail"]["reason"] == "timeout"
    clock.tick(8 * 60)
    assert engine.open_help_requests() == []
    assert len(engine.help_events()) == 5  # 2 raised, 1 acknowledged, 2 closed: each timeout audited once


def test_the_timeout_lets_the_same_kiosk_raise_again(engine: QueueEngine, clock: ManualClock) -> None:
    old, _ = engine.raise_help("kiosk-02")
    clock.tick(11 * 60)
    new, created = engine.raise_help("kiosk-02")
    assert created and new.id != old.id and engine.help_request(old.id).close_reason is CloseReason.TIMEOUT


def test_help_requests_leave_the_tickets_alone(engine: QueueEngine) -> None:
    engine.issue("KTP", request_id="r-1")
    engine.raise_help("kiosk-02")
    assert [e["type"] for e in engine.events()] == ["issued"]  # the tickets' trail has no help step


def test_bad_kiosk_and_clerk_ids_are_refused(engine: QueueEngine) -> None:
    with pytest.raises(ValueError):
        engine.raise_help("")
    request, _ = engine.raise_help("k" * 100)
    with pytest.raises(ValueError):
        engine.acknowledge_help(request.id, actor="c", counter=1, clerk="x" * 65)


def test_rules_and_words() -> None:
    assert not allowed_close(HelpState.RAISED, CloseReason.TOUCHED)
    assert allowed_close(HelpState.ACKNOWLEDGED, CloseReason.TOUCHED)
    assert not allowed_close(HelpState.CLOSED, CloseReason.CANCELLED)
    assert kiosk_number("kiosk-02") == 2 and kiosk_number("lobby-kiosk") is None
    assert (age_text(45), age_text(605), age_text(3723)) == ("0:45", "10:05", "1:02:03")


def test_the_wire_form_round_trips_and_the_board_gets_less(engine: QueueEngine) -> None:
    request, _ = engine.raise_help("kiosk-02")
    answered = engine.acknowledge_help(request.id, actor="c/rina/counter-3", counter=3, clerk="rina")
    assert help_from_json(help_to_json(answered)) == answered
    board = board_help_to_json(answered)
    assert set(board) == {"id", "kiosk", "state", "raised_at", "counter", "age_seconds"}
    read = help_from_json(board)
    assert read.clerk is None and read.acknowledged_by is None and read.counter == 3
