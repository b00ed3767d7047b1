"""The one way to run slow work (queue, network, printing) off the GUI thread.

A :class:`TaskRunner` owns one ``QThread`` with a worker ``QObject`` on it. Jobs run in the order
they were submitted (so database access from one runner is serialised), and their results come back
through a queued signal to callbacks on the GUI thread. Jobs must not touch widgets; callbacks may.
Like Anki's ``taskman``: ``runner.run(fn, on_done=..., on_error=...)``.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Job = Callable[[], Any]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Outcome:
    """One job's result, sent back to the GUI thread as one signal argument."""

    __slots__ = ("job_id", "ok", "value")

    def __init__(self, job_id: int, ok: bool, value: Any) -> None:
        self.job_id, self.ok, self.value = job_id, ok, value


class _Worker(QObject):
    finished = Signal(object)

    @Slot(object)
    def run(self, job: tuple[int, Job]) -> None:
        job_id, fn = job
        try:
            result = fn()
        except Exception as exc:  # reported to the caller's on_error on the GUI thread
            self.finished.emit(_Outcome(job_id, False, exc))
        else:
            self.finished.emit(_Outcome(job_id, True, result))


def _end_thread(thread: QThread, *_args: object) -> None:
    try:
        running = thread.isRunning()
    except RuntimeError:  # at interpreter exit Qt may have deleted the thread already: nothing to end
        return
    if running:
        thread.quit()
        thread.wait(10_000)


class TaskRunner(QObject):
    """Runs jobs one after another on a named background thread."""

    _submit = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.finished.connect(self._deliver)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()
        self._stopped = False
        # If the owner is deleted without stop() (a window dropped while open), end the thread
        # anyway: Qt aborts the process when a running QThread is destroyed.
        self.destroyed.connect(functools.partial(_end_thread, self._thread))

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def run(self, job: Job, on_done: Done | None = None, on_error: Failed | None = None) -> None:
        """Queue ``job`` on the background thread; callbacks run later on this (GUI) thread."""
        if self._stopped:
            log.warning("task runner %s is stopped; job dropped", self._thread.objectName())
            return
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._submit.emit((job_id, job))

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        ok, value = outcome.ok, outcome.value
        on_done, on_error = self._callbacks.pop(outcome.job_id, (None, None))
        if self._stopped:
            return
        if ok:
            if on_done is not None:
                on_done(value)
        elif on_error is not None:
            on_error(value)
        else:
            log.error("background job failed", exc_info=value)

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Finish the job in hand, drop the queued callbacks and end the thread."""
        if self._stopped:
            return
        self._stopped = True
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            log.error("background thread %s did not stop in %d ms", self._thread.objectName(), timeout_ms)


class Refresher:
    """Re-reads some state on a runner, at most one read under way and one more owed.

    Views refresh on every queue change; under a burst of changes one read per change would queue
    up behind each other and the view would fall ever further behind (seen: the lobby board 1 s late
    at 300 changes/s). Asking while a read is under way only marks it stale; one more read follows.
    """

    def __init__(self, runner: TaskRunner, read: Job, on_done: Done, on_error: Failed) -> None:
        self._runner, self._read, self._on_done, self._on_error = runner, read, on_done, on_error
        self._busy = self._stale = False

    def request(self) -> None:
        if self._busy:
            self._stale = True
            return
        self._busy, self._stale = True, False
        self._runner.run(self._read, on_done=self._done, on_error=self._failed)

    def _done(self, value: Any) -> None:
        self._finish()
        self._on_done(value)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self._on_error(exc)

    def _finish(self) -> None:
        self._busy = False
        if self._stale:
            self.request()
