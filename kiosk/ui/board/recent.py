"""The board's past calls: "A-006 → 4" in type read from the back of the lobby, ★ for priority.

As many as the orientation's grid holds (:class:`kiosk.ui.board.style.BoardSizes`) and the height
left by the rest of the board allows: a row never shrinks or overlaps, it is left out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.models import BoardCall
from kiosk.ui.board.calls import FitLabel, line_height
from kiosk.ui.board.style import LANDSCAPE, BoardSizes
from kiosk.ui.qt.widgets import label, restyle

MAX_RECENT = 6
ROW_SPACING = 8


class RecentCalls(QWidget):
    """Title ("Panggilan sebelumnya (nomor → loket)", "★ = prioritas" when one shows) over a grid of calls."""

    def __init__(self, t: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recentCalls")
        self.t = t
        self.sizes = LANDSCAPE
        self.calls: list[BoardCall] = []
        self._rows = -1
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)  # takes the height left
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(ROW_SPACING)
        title_row = QHBoxLayout()
        title_row.setSpacing(24)
        self.title = label("", "boardTitle")
        self.legend = label("", "boardLegend", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.legend, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(title_row)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(32)
        self.grid.setVerticalSpacing(ROW_SPACING)
        column.addLayout(self.grid)
        column.addStretch(1)
        self.cells = [FitLabel("boardRecent") for _ in range(MAX_RECENT)]
        self.no_calls = label("", "boardNoCalls")
        for cell in self.cells:
            cell.setParent(self)
            cell.hide()
        self.grid.addWidget(self.no_calls, 0, 0)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t("display.recent"))
        self.legend.setText(self.t("display.priority_legend"))
        self.no_calls.setText(self.t("display.no_calls"))
        self.show_calls(self.calls)

    def set_sizes(self, sizes: BoardSizes, recent_px: int) -> None:
        self.sizes = sizes
        for cell in self.cells:
            cell.set_base_px(recent_px)
        self._rows = -1
        self._place()

    @property
    def slots(self) -> int:
        """How many past calls show: the grid's size, fewer when the height left does not hold its rows."""
        return max(0, self._rows) * self.sizes.recent_columns

    def rows_that_fit(self) -> int:
        width = self.title.width()
        title = self.title.heightForWidth(width) if width > 1 else self.title.sizeHint().height()
        row = line_height(self.cells[0], self.cells[0].base_px)
        room = self.height() - max(title, self.legend.sizeHint().height()) - ROW_SPACING
        return max(0, min(self.sizes.recent_rows, (room + ROW_SPACING) // (row + ROW_SPACING)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.rows_that_fit() != self._rows:
            self._place()

    def _place(self) -> None:
        """Lay the cells out in this orientation's grid, as many rows as fit; the others stay hidden."""
        self._rows = self.rows_that_fit()
        columns = self.sizes.recent_columns
        for cell in self.cells:
            self.grid.removeWidget(cell)
        for index, cell in enumerate(self.cells[:self.slots]):
            self.grid.addWidget(cell, index // columns, index % columns)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.show_calls(self.calls)

    def show_calls(self, calls: list[BoardCall]) -> None:
        """Show the past calls, newest first (the one being called is not among them)."""
        self.calls = calls
        shown = calls[:min(self.slots, len(self.cells))]
        for index, cell in enumerate(self.cells):
            if index < len(shown):
                call = shown[index]
                key = "display.recent_priority_call" if call.priority else "display.recent_call"
                cell.set_line(self.t(key, number=call.number, counter=call.counter))
                restyle(cell, "priority", call.priority)
            cell.setVisible(index < len(shown))
        self.no_calls.setVisible(not calls)
        self.legend.setVisible(any(call.priority for call in shown))
