"""The board read (kiosk.queue.reads.board) counts a call taken back by the undo of a finish as no
call: neither the counter's latest nor among the recent calls; calling that ticket again counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from manual_clock import ManualClock

from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import ServiceRule

RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
CLERK = "console-1/counter-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(tmp_path: Path, clock: ManualClock) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "queue.sqlite3", RULES, ZoneInfo("Asia/Jakarta"), clock=clock)
    yield opened
    opened.close()


def test_an_uncalled_call_is_not_on_the_board(engine: QueueEngine, clock: ManualClock) -> None:
    for i in range(2):
        clock.tick()
        engine.issue("KTP", request_id=f"r{i}")
    clock.tick()
    held = engine.call_next(1, ["KTP"], actor=CLERK)
    assert held is not None
    clock.tick(60)
    finished, called = engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    assert called is not None and called.number == "A-002"
    assert [c.number for c in engine.board().now_serving] == ["A-002"]
    clock.tick(3)
    engine.undo_finish(1, held.id, called.id, actor=CLERK)
    board = engine.board()
    assert [(c.counter, c.number) for c in board.now_serving] == [(1, "A-001")]
    assert [c.number for c in board.recent_calls] == ["A-001"]
    assert board.waiting_by_service["KTP"] == 1
    clock.tick(60)  # served and finished again, then A-002 called for real
    engine.finish_and_call_next(1, ["KTP"], held.id, actor=CLERK)
    board = engine.board()
    assert [c.number for c in board.now_serving] == ["A-002"]
    assert [c.number for c in board.recent_calls] == ["A-002", "A-001"]
