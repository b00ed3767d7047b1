"""The officer's list: complaints by state (open, overdue, closed), oldest first, with both clocks.

An overdue complaint says so in words and with a mark (never by colour alone): "⚠ TERLAMBAT" in its
row, and the "Terlambat" tab counts them. What is overdue is decided by
:func:`kiosk.complaints.deadlines.clock_view`, the same rule the export and the report use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.complaints.deadlines import ClockState, ClockView, WorkingCalendar, clock_view
from kiosk.complaints.record import ComplaintRecord
from kiosk.i18n import Translator
from kiosk.ui.qt.theme import DANGER
from kiosk.ui.qt.widgets import button, label

Tab = Literal["open", "overdue", "closed"]
TABS: tuple[Tab, ...] = ("open", "overdue", "closed")
COLUMNS = ("reference", "category", "state", "age", "first_response", "resolution", "flag")


def in_tab(tab: Tab, record: ComplaintRecord, clocks: ClockView) -> bool:
    if tab == "closed":
        return not record.is_open
    if tab == "overdue":
        return record.is_open and clocks.overdue
    return record.is_open


def when(moment: datetime, tz: ZoneInfo) -> str:
    """A due or event time as an officer reads it: day, month, year and the local time."""
    return moment.astimezone(tz).strftime("%d-%m-%Y %H:%M")


class ComplaintListPage(QWidget):
    """Tabs by state, the table, and what a row opens (:attr:`opened` with the complaint's id)."""

    opened = Signal(str)

    def __init__(self, t: Translator, calendar: WorkingCalendar, tz: ZoneInfo, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintListPage")
        self.t, self.calendar, self.tz, self.now = t, calendar, tz, now
        self.tab: Tab = "open"
        self.records: list[ComplaintRecord] = []
        self.shown: list[ComplaintRecord] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tabs = QHBoxLayout()
        self.tab_buttons = {tab: button("", "tab", partial(self.show_tab, tab),
                                        name=f"filter{tab.capitalize()}") for tab in TABS}
        for widget in self.tab_buttons.values():
            widget.setCheckable(True)
            tabs.addWidget(widget)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("complaintTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(self._clicked)
        self.empty = label("", "caption")
        layout.addLayout(tabs)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

    def set_records(self, records: Sequence[ComplaintRecord]) -> None:
        self.records = list(records)
        self._fill()

    def show_tab(self, tab: Tab) -> None:
        self.tab = tab
        self._fill()

    def row_of(self, complaint_id: str) -> int:
        """The table row showing ``complaint_id`` (-1 when not in this tab)."""
        return next((i for i, r in enumerate(self.shown) if r.id == complaint_id), -1)

    def _clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.shown):
            self.opened.emit(self.shown[row].id)

    def _fill(self) -> None:
        now = self.now()
        views = [(r, clock_view(r, calendar=self.calendar, now=now)) for r in self.records]
        counts = {tab: sum(in_tab(tab, r, c) for r, c in views) for tab in TABS}
        for tab, widget in self.tab_buttons.items():
            widget.setChecked(tab == self.tab)
            widget.setText(self.t(f"complaint_console.tab.{tab}", n=counts[tab]))
        rows = sorted(((r, c) for r, c in views if in_tab(self.tab, r, c)), key=lambda rc: rc[0].filed_at)
        self.shown = [r for r, _ in rows]
        self.table.setRowCount(len(rows))
        for i, (record, clocks) in enumerate(rows):
            for column, text in enumerate(self._cells(record, clocks, now)):
                item = QTableWidgetItem(text)
                if clocks.overdue and record.is_open:
                    item.setForeground(QBrush(QColor(DANGER)))
                self.table.setItem(i, column, item)
        self.empty.setText(self.t(f"complaint_console.empty.{self.tab}") if not rows else "")
        self.empty.setVisible(not rows)

    def _cells(self, record: ComplaintRecord, clocks: ClockView, now: datetime) -> list[str]:
        t = self.t
        age = max(0, (now.astimezone(self.tz).date() - record.filed_at.astimezone(self.tz).date()).days)
        return [record.reference, t(f"complaint_rules.category.{record.category}"),
                t(f"complaint_rules.state.{record.state}"), t("complaint_console.age_days", count=age),
                self._clock_cell(clocks.first_response_due, clocks.clocks.first_response),
                self._clock_cell(clocks.resolution_due, clocks.clocks.resolution),
                t("complaint_console.overdue_flag") if clocks.overdue and record.is_open else ""]

    def _clock_cell(self, due: datetime, state: ClockState) -> str:
        return f"{when(due, self.tz)} · {self.t(f'complaint_rules.clock.{state.value}')}"

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.table.setHorizontalHeaderLabels([t(f"complaint_console.column.{c}") for c in COLUMNS])
        self._fill()

