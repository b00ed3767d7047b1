"""The transfer panel (F7): one button per service of the building, to send the ticket in hand to
another line. The ticket keeps its number and arrival time (see ``QueueEngine.transfer``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.models import Ticket
from kiosk.ui.qt.widgets import button, label


class TransferPanel(QFrame):
    """Which service the ticket in hand goes to; emits the chosen service code."""

    chosen = Signal(str)
    cancelled = Signal()

    def __init__(self, service_codes: list[str], service_name: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferPanel")
        self.service_name = service_name
        self.ticket: Ticket | None = None  # the ticket being transferred, while the panel is open
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        self.title = label("", "sectionTitle")
        box.addWidget(self.title)
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        self.buttons: dict[str, QPushButton] = {}
        for i, code in enumerate(service_codes):
            widget = button("", "", partial(self.chosen.emit, code), name=f"transfer-{code}")
            # long names clip rather than scroll sideways
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.buttons[code] = widget
            grid.addWidget(widget, i, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        box.addWidget(scroll, 1)
        self.cancel = button("", "", self.cancelled.emit, name="transferCancel")
        box.addWidget(self.cancel)

    def open_for(self, ticket: Ticket, title: str) -> None:
        self.ticket = ticket
        self.title.setText(title)
        self.enable(True)

    def enable(self, enabled: bool) -> None:
        """Every service but the ticket's own (a transfer there is refused) while ``enabled``."""
        own = self.ticket.service_code if self.ticket is not None else None
        for code, widget in self.buttons.items():
            widget.setEnabled(enabled and code != own)

    def follows(self, ticket: Ticket | None) -> bool:
        """Whether ``ticket`` (the counter's, just read) is still the one being transferred."""
        return ticket is not None and self.ticket is not None and ticket.id == self.ticket.id

    def retranslate(self, t: Translator) -> None:
        for code, widget in self.buttons.items():
            widget.setText(f"{self.service_name(code)}  ({code})")
        self.cancel.setText(t("counter.cancel"))
