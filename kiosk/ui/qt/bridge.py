"""Carries queue changes from whatever thread made them to the GUI thread, as a Qt signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.queue.client import QueueClient


class QueueEvents(QObject):
    """Emits :attr:`changed` on the GUI thread after every committed queue change, and
    :attr:`resynced` after the event stream came back from an outage (changes made meanwhile were
    not seen one by one: redraw from the queue's current state)."""

    changed = Signal(object)
    resynced = Signal()

    def __init__(self, queue: QueueClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The engine calls listeners on the committing thread; a signal emitted there is queued
        # to this object's (the GUI) thread, so slots never run on a worker.
        self._unsubscribe = queue.subscribe(self.changed.emit, on_resync=self.resynced.emit)

    def close(self) -> None:
        self._unsubscribe()
