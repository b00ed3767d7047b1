"""Whether the kiosk's camera is there, looked for every few seconds: what needs it is offered only then.

A kiosk often boots before its USB camera is ready, and a camera may be unplugged for cleaning; "Cek
status" by QR and the digital-ID (IKD) scan on the NIK step come and go with it. Looking is one
directory listing (:func:`kiosk.setup.diagnostics.camera_present`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

from kiosk.setup.diagnostics import camera_present

log = logging.getLogger(__name__)

CAMERA_PROBE_SECONDS = 10.0  # how soon a camera plugged in after start is offered for QR reading


class CameraWatch(QObject):
    """Calls each of ``offers`` with True or False when the camera ``device`` appears or goes (and at once)."""

    def __init__(self, device: str, offers: Sequence[Callable[[bool], None]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device, self.offers = device, offers
        self._seen: bool | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(CAMERA_PROBE_SECONDS * 1000))
        self.timer.timeout.connect(self.probe)
        self.probe()
        self.timer.start()

    def probe(self) -> None:
        present = camera_present(self.device)
        if present == self._seen:
            return
        if present:
            if self._seen is not None:
                log.info("camera %s connected: \"Cek status\" by QR and the digital-ID scan are offered", self.device)
        else:
            log.warning("camera %s not found: \"Cek status\" by number only, no digital-ID scan until it is connected "
                        "([camera] device; looked for every %g s)", self.device, CAMERA_PROBE_SECONDS)
        self._seen = present
        for offer in self.offers:
            offer(present)

    def stop(self) -> None:
        self.timer.stop()
