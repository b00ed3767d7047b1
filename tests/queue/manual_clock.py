"""A clock the test moves by hand, for engines opened with ``clock=``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MONDAY_MORNING = datetime(2025, 6, 16, 2, 0, tzinfo=UTC)  # 09:00 on a Monday in Jakarta


class ManualClock:
    def __init__(self, start: datetime = MONDAY_MORNING) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += timedelta(seconds=seconds)
