"""Sending this device's applications and records to MPP Digital while the app runs, and the demo's
switch to unplug the central API.

:class:`BackgroundSync` is what a kiosk runs when ``[central] api_url`` is set: its own outbox
store, the sync engine and a :class:`~kiosk.ui.qt.sync_worker.SyncWorker` passing every
``sync_interval_seconds``. :class:`DemoCentralPanel` is a small window shown only by ``kiosk demo``:
the central API's state with a button to take it off line and back, and the outbox counts, so a
presenter can show applications waiting and then draining.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.sync.engine import SyncEngine, engine_for_config, sync_status
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.admin.sync_status import SyncStatusPanel
from kiosk.ui.qt.sync_worker import SyncWorker
from kiosk.ui.qt.theme import Scale, kiosk_style
from kiosk.ui.qt.widgets import button, label

log = logging.getLogger(__name__)


class BackgroundSync(QObject):
    """The outbox of this device drained to the central API every few seconds, off the GUI thread."""

    def __init__(self, config: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                      number_prefix=config.central.application_number_prefix)
        self.engine: SyncEngine = engine_for_config(config, self.store)
        self.worker = SyncWorker(self.engine, config.central.sync_interval_seconds, self)
        self.worker.start()
        log.info("background sync to %s every %d s", config.central.api_url, config.central.sync_interval_seconds)

    def status(self) -> dict[str, Any]:
        return sync_status(self.store, api_url=self.config.central.api_url)

    def shutdown(self) -> None:
        self.worker.stop()
        self.engine.close()
        self.store.close()


class DemoCentralPanel(QWidget):
    """``kiosk demo`` only: unplug / plug the demo's central API and watch the outbox."""

    def __init__(self, central: Any, sync: BackgroundSync, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoCentral")
        self.central, self.sync = central, sync
        self.t = Translator(lang)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 16)
        self.state = label("", "title")
        self.toggle = button("", "primary", self.toggle_online, name="demoCentralToggle")
        # No "sync now" button here: a second pass beside the worker's would race it on the same
        # outbox; reconnecting (below) asks the worker for a pass instead.
        self.panel = SyncStatusPanel(sync.status, t=self.t)
        sync.worker.synced.connect(lambda _report: self.panel.refresh())
        box.addWidget(self.state)
        box.addWidget(self.toggle)
        box.addWidget(self.panel, 1)
        self.setStyleSheet(kiosk_style(Scale.for_size(900, 1100)))
        self._show()

    def toggle_online(self) -> None:
        self.central.set_online(not self.central.online)
        log.info("demo: central API %s", "online" if self.central.online else "offline")
        if self.central.online:
            self.sync.worker.sync_now()  # drain now rather than at the next timed pass
        self._show()

    def _show(self) -> None:
        online = self.central.online
        self.state.setText(self.t("demo.central_online" if online else "demo.central_offline", url=self.central.url))
        self.toggle.setText(self.t("demo.go_offline" if online else "demo.go_online"))
        self.setWindowTitle(self.t("demo.window_title"))

    def shutdown(self) -> None:
        self.panel.shutdown()
