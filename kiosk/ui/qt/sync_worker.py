"""Runs the sync engine now and then, off the GUI thread.

:class:`SyncWorker` owns a :class:`~kiosk.ui.qt.tasks.TaskRunner` (its own thread) and a single-shot
timer on the GUI thread: after each pass it schedules the next one, ``interval`` seconds later when
everything went, sooner-then-longer (the engine's exponential backoff with jitter) while the
central API is unreachable. A pass never runs twice at once; :meth:`sync_now` asks for one at once
(the diagnostics screen's button, or after a citizen saved an application).

The GUI learns what happened through the ``synced`` signal (a :class:`kiosk.sync.engine.SyncReport`).
The engine is built by the composition root (:func:`kiosk.core.open_sync`) and handed in.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


class SyncPasses(Protocol):
    """What the worker needs of :class:`kiosk.sync.engine.SyncEngine`."""

    consecutive_failures: int

    def sync_once(self) -> Any: ...  # a SyncReport
    def stop(self) -> None: ...
    def backoff_delay(self, failures: int) -> float: ...


class SyncWorker(QObject):
    """Periodic sync passes of ``engine`` on a background thread."""

    synced = Signal(object)  # SyncReport
    failed = Signal(str)  # an unexpected error (a bug or a broken store), already logged

    def __init__(self, engine: SyncPasses, interval_seconds: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.interval_seconds = interval_seconds
        self.runner = TaskRunner("sync", self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.running = False
        self.last_report: Any = None  # the last SyncReport
        self._again = False
        self._stopped = False

    def start(self, first_delay_seconds: float = 2.0) -> None:
        """Begin the cycle (the first pass shortly after start-up, not during it)."""
        self._schedule(first_delay_seconds)

    def sync_now(self) -> None:
        """Run a pass now; if one is under way, run another right after it."""
        if self._stopped:
            return
        if self.running:
            self._again = True
            return
        self.timer.stop()
        self.running = True
        self.runner.run(self.engine.sync_once, on_done=self._done, on_error=self._failed)

    def stop(self) -> None:
        """Stop the timer, let the pass in hand end at its next safe point, and end the thread."""
        self._stopped = True
        self.timer.stop()
        self.engine.stop()
        self.runner.stop()

    def next_delay(self, report: Any) -> float:
        if report.stopped in ("drained", "stopped"):
            return self.interval_seconds
        return min(self.interval_seconds * 5, self.engine.backoff_delay(max(1, self.engine.consecutive_failures)))

    def _done(self, report: Any) -> None:
        self.running = False
        self.last_report = report
        self.synced.emit(report)
        if self._again:
            self._again = False
            self.sync_now()
            return
        self._schedule(self.next_delay(report))

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        log.error("sync pass failed", exc_info=exc)
        self.failed.emit(str(exc))
        self._schedule(self.interval_seconds)

    def _schedule(self, seconds: float) -> None:
        if not self._stopped:
            self.timer.start(max(0, int(seconds * 1000)))
