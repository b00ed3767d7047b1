"""What kiosk screens share besides :class:`~kiosk.ui.qt.screen.Screen`: the camera layout, the wrapping tile.

Screens only show what they are given and emit what the citizen touched; the window
(:mod:`kiosk.ui.kiosk.window`) decides where to go next and does the slow work. One module per step
(:mod:`~kiosk.ui.kiosk.welcome`, :mod:`~kiosk.ui.kiosk.service_choice`, :mod:`~kiosk.ui.kiosk.identify`…)
builds on this one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLayout, QVBoxLayout, QWidget

from kiosk.ui.qt.icons import IconLabel
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import label, restyle


class CameraScreen(Screen):
    """A screen around a camera picture: the picture above the words in portrait, beside them in landscape."""

    def set_camera_layout(self, title: QWidget, picture: QWidget, side: QLayout) -> None:
        self.main = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.main.setSpacing(24)
        self.main.addWidget(picture, 3)
        self.main.addLayout(side, 2)
        self.layout_.addWidget(title)
        self.layout_.addLayout(self.main, 1)

    def turn_camera_layout(self) -> bool:
        """From ``resizeEvent``: the picture beside the words when wide; True when the orientation changed."""
        return self.turn_with_orientation(self.main)


class Tile(QFrame):
    """A large touch target with wrapped text (QPushButton cannot wrap long service names)."""

    clicked = Signal()

    def __init__(self, title: str, detail: str, name: str = "", icon: str = "",
                 parent: QWidget | None = None) -> None:
        """``icon``: a picture left of the words (an icon name from :mod:`kiosk.ui.qt.icons`)."""
        super().__init__(parent)
        self.setObjectName("tile")
        if name:
            self.setAccessibleName(name)
        self.setProperty("pressed", False)
        layout = QVBoxLayout(self)  # a badge may go above the row (service_choice)
        layout.setContentsMargins(24, 10, 24, 10)
        layout.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(22)
        words = QVBoxLayout()
        words.setSpacing(6)
        self.icon = IconLabel(icon) if icon else None
        if self.icon is not None:
            row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(words, 1)
        layout.addLayout(row)
        self.title = label(title, "tileTitle")
        self.detail = label(detail, "tileDetail")
        for child in (self.title, self.detail):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            words.addWidget(child)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", True)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", False)
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
