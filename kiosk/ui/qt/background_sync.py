"""Sending this device's applications and records to MPP Digital while the app runs.

:class:`BackgroundSync` is what a kiosk runs when ``[central] api_url`` is set: the outbox store and
the sync engine the composition root built (:func:`kiosk.core.open_sync`), and a
:class:`~kiosk.ui.qt.sync_worker.SyncWorker` passing every ``sync_interval_seconds``. The demo's
switch to unplug the central API shows it (:class:`kiosk.ui.admin.sync_status.DemoCentralPanel`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from PySide6.QtCore import QObject

from kiosk.ui.qt.sync_worker import SyncPasses, SyncWorker

log = logging.getLogger(__name__)


class SyncParts(Protocol):
    """What the background sync is handed (:class:`kiosk.core.SyncParts`)."""

    @property
    def store(self) -> Any: ...  # the outbox, kiosk.sync.outbox.ApplicationStore
    @property
    def engine(self) -> SyncPasses: ...
    @property
    def interval_seconds(self) -> float: ...
    @property
    def api_url(self) -> str: ...
    def status(self) -> Mapping[str, Any]: ...
    def close(self) -> None: ...


class BackgroundSync(QObject):
    """The outbox of this device drained to the central API every few seconds, off the GUI thread.

    It owns ``parts`` from here on: :meth:`shutdown` stops the worker, then closes them.
    """

    def __init__(self, parts: SyncParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.parts = parts
        self.store = parts.store
        self.worker = SyncWorker(parts.engine, parts.interval_seconds, self)
        self.worker.start()
        log.info("background sync to %s every %g s", parts.api_url, parts.interval_seconds)

    def status(self) -> Mapping[str, Any]:
        return self.parts.status()

    def shutdown(self) -> None:
        self.worker.stop()
        self.parts.close()
