"""What the application pages share: pictures (camera frames, the photo under review, the status QR
code) and emptying a layout that is rebuilt for each citizen."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QLayout, QSizePolicy

from kiosk.applications.drafts import qr_modules


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A copy of a BGR frame as a QImage (the copy owns its pixels; the array may be reused)."""
    height, width = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, width, height, int(data.strides[0]), QImage.Format.Format_BGR888).copy()


def qr_pixmap(text: str, size: int) -> QPixmap:
    """A QR code drawn with sharp square modules, about ``size`` pixels wide."""
    modules = qr_modules(text)
    scale = max(1, size // modules.shape[0])
    big = np.ascontiguousarray(np.kron(modules, np.ones((scale, scale), np.uint8)))
    image = QImage(big.data, big.shape[1], big.shape[0], int(big.strides[0]), QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())


class PictureLabel(QLabel):
    """Shows an image scaled to its own size, never asking the layout for more room."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(160, 120))
        self._image: QImage | None = None

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._rescale()

    def image(self) -> QImage | None:
        return self._image

    def _rescale(self) -> None:
        if self._image is None or self._image.isNull():
            self.clear()
            return
        self.setPixmap(QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()


def clear_layout(layout: QLayout) -> None:
    """Take every item out of ``layout``; its widgets leave the screen now and are deleted on the next loop."""
    while layout.count():
        taken = layout.takeAt(0)
        widget = taken.widget() if taken is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()
