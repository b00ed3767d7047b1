"""Deleting the face pictures kept for the counter's check, as soon as they are no longer needed.

A face that could not be verified at the kiosk is kept for the clerk (:class:`kiosk.identity.check.
PendingFaces`). It goes as soon as the counter has seen the citizen (the queue says so), and every
day's leftovers go at midnight (UU 27/2022: no longer than needed). The deleting runs off the GUI
thread, on the kiosk's task runner.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer

from kiosk.identity.check import PendingFaces, face_to_release
from kiosk.queue.client import QueueClient
from kiosk.queue.models import QueueEvent
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)


class PendingFaceCleanup(QObject):
    """Releases a ticket's pending face once the counter is done with it; purges past days at midnight."""

    def __init__(self, queue: QueueClient, pending: PendingFaces, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pending, self.runner = pending, runner
        self.queue_events = QueueEvents(queue, self)
        self.queue_events.changed.connect(self._changed)
        self.purge_timer = QTimer(self)
        self.purge_timer.setSingleShot(True)
        self.purge_timer.timeout.connect(self.purge)
        self._arm_purge_timer()

    def _changed(self, queue_event: QueueEvent) -> None:
        ref = face_to_release(queue_event)
        if ref is None:
            return
        pending = self.pending

        def released(gone: bool) -> None:
            if gone:
                log.info("pending face of ticket %s deleted after the counter", queue_event.ticket.number)

        self.runner.run(lambda: pending.release(ref), on_done=released)

    def purge(self) -> None:
        def purged(count: int) -> None:
            if count:
                log.info("%d pending face(s) of past days deleted", count)

        self.runner.run(self.pending.purge, on_done=purged,
                        on_error=lambda exc: log.warning("pending faces not purged: %s", exc))
        self._arm_purge_timer()

    def _arm_purge_timer(self) -> None:
        now = datetime.now()  # PendingFaces keeps days by this machine's calendar
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
        self.purge_timer.start(int((midnight - now).total_seconds() * 1000))

    def stop(self) -> None:
        self.purge_timer.stop()
        self.queue_events.close()
