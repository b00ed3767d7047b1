"""The waiting line beside the counter's buttons: every number this counter may call, in calling order.

Each row is two lines at least 64 px high (read at a glance at rush hour): the number, ★ and the
priority group, how long it has waited; under it the service's name from the catalog in the clerk's
language (never the internal code such as KTP-EL). The ticket "Panggil berikutnya" will take is
marked; the queue names it (``QueueClient.next_up``, the same rule as the call), this panel does not
guess it from the order. While a filed application fills the column the line folds to its title,
which still says who is next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.actions import CounterAction
from kiosk.queue.models import Ticket
from kiosk.ui.qt.widgets import label

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
MIN_ROW_HEIGHT = 64  # px: a row a tired clerk hits and reads without leaning in
NEXT_ROLE = Qt.ItemDataRole.UserRole + 1  # True on the row "Panggil berikutnya" takes


class WaitingPanel(QWidget):
    """Title with the count, and the line in calling order."""

    def __init__(self, service_name: Callable[[str], str] = str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service_name = service_name
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.title = label("", "sectionTitle")
        self.line = QListWidget()
        self.line.setObjectName("waitingList")
        # Read-only: the one "selected" row is the next to be called (the theme draws it white on blue);
        # no other row can be selected, and the keys stay with the console.
        self.line.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.line.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.line.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.line.setTextElideMode(Qt.TextElideMode.ElideRight)
        box.addWidget(self.title)
        box.addWidget(self.line, 1)
        self.next_id: str | None = None
        self._title = self._folded_title = ""  # "Menunggu: n"; folded, also who is next

    def fold(self, folded: bool) -> None:
        """Only the title line (the application needs the column's height), or the whole line."""
        self.line.setVisible(not folded)
        self.title.setText(self._folded_title if folded else self._title)
        self.setMaximumHeight(self.title.sizeHint().height() if folded else QWIDGETSIZE_MAX)

    def show_line(self, waiting: Sequence[Ticket], t: Translator, *, next_up: str | None = None) -> None:
        self.line.clear()
        self.next_id = next_up
        now = datetime.now(UTC)
        self.line.ensurePolished()  # the style sheet sets the font size
        metrics = QFontMetrics(self.line.font())
        width = max(100, self.line.viewport().width() - 40)
        mark = f"▶ {t('counter.next_mark')}  [{CounterAction.CALL_NEXT.spec.shortcut}]"
        for ticket in waiting:
            waited = int((now - ticket.arrived_at).total_seconds() // 60)
            head = f"{ticket.number}  · {t('counter.waited', n=waited)}"
            if ticket.booking is not None:  # checked in from a booking: called from its slot (issue 19)
                head = f"{ticket.number}  · {t('booking_host.counter_mark', slot=ticket.booking)}  · " \
                       f"{t('counter.waited', n=waited)}"
            if ticket.priority is not None:  # a long group name is what gets cut, never the number or the wait
                head = f"★ {head}  · {t(f'priority.group.{ticket.priority.value}')}"
            is_next = ticket.id == next_up
            name = metrics.elidedText(self.service_name(ticket.service_code), Qt.TextElideMode.ElideRight, width)
            lines = [mark, head, name] if is_next else [head, name]
            item = QListWidgetItem("\n".join(lines))
            item.setSizeHint(QSize(0, max(MIN_ROW_HEIGHT, len(lines) * metrics.lineSpacing() + 24)))
            item.setToolTip(self.service_name(ticket.service_code))
            if ticket.priority is not None:
                item.setData(Qt.ItemDataRole.UserRole, "priority")
            item.setData(NEXT_ROLE, is_next)
            flags = Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags | Qt.ItemFlag.ItemIsSelectable if is_next else flags)
            self.line.addItem(item)
            if is_next:
                item.setSelected(True)
        if not waiting:
            self.line.addItem(t("counter.empty_line"))
        self._title = t("counter.waiting_count", count=len(waiting))
        ahead = next((w for w in waiting if w.id == next_up), None)
        self._folded_title = self._title if ahead is None else t(
            "counter.waiting_next", count=len(waiting),
            number=f"★ {ahead.number}" if ahead.priority is not None else ahead.number)
        self.title.setText(self._title if self.line.isVisibleTo(self) else self._folded_title)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("counter.waiting"))
