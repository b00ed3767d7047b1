"""The waiting line beside the counter's buttons: every number this counter may call, priority ones
marked with a star and their group, with how long each has waited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.models import Ticket
from kiosk.ui.qt.widgets import label


class WaitingPanel(QWidget):
    """Title with the count, and the line in calling order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.title = label("", "sectionTitle")
        self.line = QListWidget()
        self.line.setObjectName("waitingList")
        box.addWidget(self.title)
        box.addWidget(self.line, 1)

    def show_line(self, waiting: Sequence[Ticket], t: Translator) -> None:
        self.line.clear()
        now = datetime.now(UTC)
        for ticket in waiting:
            text = ticket.number
            if ticket.priority is not None:
                text = f"★ {ticket.number}  {t(f'priority.group.{ticket.priority.value}')}"
            waited = int((now - ticket.arrived_at).total_seconds() // 60)
            item = QListWidgetItem(f"{text}   · {ticket.service_code} · {t('counter.waited', n=waited)}")
            if ticket.priority is not None:
                item.setData(Qt.ItemDataRole.UserRole, "priority")
            self.line.addItem(item)
        if not waiting:
            self.line.addItem(t("counter.empty_line"))
        self.title.setText(t("counter.waiting_count", count=len(waiting)))

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("counter.waiting"))
