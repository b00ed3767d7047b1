"""The background-work helpers: a burst of refresh requests costs two reads, not one per request."""

from __future__ import annotations

import threading

from kiosk.ui.qt.tasks import Refresher, TaskRunner


def test_refresh_requests_during_a_read_collapse_into_one_more(qtbot) -> None:
    runner = TaskRunner("test-refresh")
    gate = threading.Event()
    reads: list[int] = []
    shown: list[int] = []

    def read() -> int:
        gate.wait(5)
        reads.append(1)
        return len(reads)

    refresher = Refresher(runner, read, on_done=shown.append, on_error=lambda exc: None)
    for _ in range(50):
        refresher.request()
    gate.set()
    qtbot.waitUntil(lambda: shown == [1, 2])
    qtbot.wait(100)
    assert len(reads) == 2 and shown == [1, 2]  # the second read saw every change of the burst
    runner.stop()


def test_a_failed_read_does_not_block_later_ones(qtbot) -> None:
    runner = TaskRunner("test-refresh-fail")
    outcomes: list[str] = []
    attempts = iter([RuntimeError("host down"), "board"])

    def read() -> str:
        value = next(attempts)
        if isinstance(value, Exception):
            raise value
        return value

    refresher = Refresher(runner, read, on_done=outcomes.append, on_error=lambda exc: outcomes.append(str(exc)))
    refresher.request()
    qtbot.waitUntil(lambda: outcomes == ["host down"])
    refresher.request()
    qtbot.waitUntil(lambda: outcomes == ["host down", "board"])
    runner.stop()
