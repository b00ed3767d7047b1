"""A camera picture that reads QR codes: "Cek status" on the kiosk and the board, the IKD on the NIK step.

The camera runs only between :meth:`QrScanPanel.start` and :meth:`QrScanPanel.stop` (and stops
when the panel is hidden). Decoding (zxing-cpp, :class:`kiosk.visit.qr_codes.QrScanner`) runs on the
feed's analysis thread; the panel emits :attr:`~QrScanPanel.read` on the GUI thread with each new
code it sees (the same code held still is reported once, not 15 times a second).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.camera.sources import FrameSource
from kiosk.ui.qt.camera_view import CameraFeed, CameraPreview
from kiosk.visit.qr_codes import DEFAULT_IKD_PATTERN, QrReading, QrScanner

log = logging.getLogger(__name__)

SourceFactory = Callable[[], FrameSource]
GUIDE_SHARE = 0.62  # the square guide's side, share of the picture's height
FORGET_AFTER_MISSES = 8  # frames without a code before the same code counts as new (decoding flickers)


def paint_guide(painter: QPainter, image_rect: QRectF) -> None:
    """A square with thick corners where the code should go (a QR code is found anywhere, the guide
    only tells people to hold it up in front of the camera)."""
    side = image_rect.height() * GUIDE_SHARE
    square = QRectF(image_rect.center().x() - side / 2, image_rect.center().y() - side / 2, side, side)
    painter.setPen(QPen(QColor("#facc15"), max(4.0, side / 40), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    arm = side / 4
    for x, y, dx, dy in ((square.left(), square.top(), 1, 1), (square.right(), square.top(), -1, 1),
                         (square.left(), square.bottom(), 1, -1), (square.right(), square.bottom(), -1, -1)):
        painter.drawLine(int(x), int(y), int(x + dx * arm), int(y))
        painter.drawLine(int(x), int(y), int(x), int(y + dy * arm))


class QrScanPanel(QWidget):
    """Live picture with a guide square; emits each QR code it reads."""

    read = Signal(object)  #: QrReading, once per newly seen code
    camera_failed = Signal(str)  #: no camera, camera busy or unplugged (message for the log)

    def __init__(self, make_source: SourceFactory, ikd_pattern: str = DEFAULT_IKD_PATTERN,
                 parent: QWidget | None = None, *, mirror: bool = True) -> None:
        super().__init__(parent)
        self.make_source = make_source
        self.ikd_pattern = ikd_pattern
        self.feed: CameraFeed | None = None
        self.preview = CameraPreview(mirror=mirror)
        self.preview.setObjectName("qrPreview")
        self.preview.set_overlay(paint_guide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        self._last_text = ""
        self._misses = 0

    @property
    def scanning(self) -> bool:
        return self.feed is not None

    def start(self) -> None:
        """Turn the camera on (again); the next code held up is reported even if it was seen before."""
        self.stop()
        self._last_text = ""
        try:
            source = self.make_source()
        except Exception as exc:  # a bad [camera] device: the screen says "camera unavailable"
            log.warning("QR camera cannot be opened: %s", exc)
            self.camera_failed.emit(str(exc))
            return
        pattern = self.ikd_pattern
        self.feed = CameraFeed(source, lambda: QrScanner(pattern), self)
        self.preview.set_feed(self.feed)
        self.feed.result_ready.connect(self._on_result)
        self.feed.camera_failed.connect(self._failed)
        self.feed.analysis_failed.connect(self._failed)
        self.feed.start()

    def stop(self) -> None:
        if self.feed is not None:
            feed, self.feed = self.feed, None
            self.preview.set_feed(None)
            feed.stop()
            feed.deleteLater()

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop()
        super().hideEvent(event)

    def _failed(self, message: str) -> None:
        self.stop()
        self.camera_failed.emit(message)

    def _on_result(self) -> None:
        if self.feed is None:
            return
        reading = self.feed.latest_result()
        if not isinstance(reading, QrReading):
            self._misses += 1
            if self._misses >= FORGET_AFTER_MISSES:
                self._last_text = ""  # the code left the picture: showing it again counts again
            return
        self._misses = 0
        key = f"{reading.kind}:{reading.value}:{reading.problem}"
        if key == self._last_text:
            return
        self._last_text = key
        self.read.emit(reading)
