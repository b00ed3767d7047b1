"""The board's waiting line: how many wait per service, in one line of large type, page by page.

Service names are long ("KTP Elektronik (baru, rusak, hilang)"): all of them wrapped would take
the height of the calls, or shrink to type nobody reads from the back. So the line shows what fits
at full size and turns to the next page every :data:`PAGE_SECONDS` ("Menunggu (1/3): ...").
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QWidget

from kiosk.i18n import Translator
from kiosk.ui.board.calls import MIN_PX, FitLabel, line_height, set_type_px

PAGE_SECONDS = 6
SEPARATOR = "   ·   "
MIN_SHARE = 0.7  # a name too long for the lines alone shrinks, down to this share of the full size


def wrapped_height(widget: FitLabel, px: int, width: int, text: str) -> int:
    """How tall ``text`` is, word-wrapped to ``width``, in the label's font at ``px`` pixels."""
    widget.ensurePolished()
    font = QFont(widget.font())
    font.setPixelSize(max(1, px))
    return QFontMetrics(font).boundingRect(QRect(0, 0, max(1, width), 100_000), int(Qt.TextFlag.TextWordWrap),
                                           text).height()


class WaitingLine(FitLabel):
    """"Menunggu: KTP Elektronik: 3 · ..." one page at a time (objectName ``boardWaiting``)."""

    def __init__(self, t: Translator, base_px: int, parent: QWidget | None = None) -> None:
        self.lines = 1
        super().__init__("boardWaiting", base_px, parent)
        self.t = t
        self.items: list[str] = []
        self.pages: list[list[str]] = []
        self.page = 0
        self._paged_width = -1
        self.timer = QTimer(self)
        self.timer.setInterval(PAGE_SECONDS * 1000)
        self.timer.timeout.connect(self.next_page)

    def set_items(self, items: list[str]) -> None:
        """``items``: "service: count" for each service with someone waiting."""
        if items != self.items:
            self.items = items
            self._paginate()

    def set_base_px(self, px: int, lines: int = 1) -> None:
        """Full type size, and how many lines a page may take (portrait: two)."""
        self.lines = lines
        self.setWordWrap(lines > 1)
        super().set_base_px(px)
        self._paginate()

    def fits(self, text: str, px: int) -> bool:
        return wrapped_height(self, px, self.width(), text) <= self.lines * line_height(self, px)

    def next_page(self) -> None:
        if self.pages:
            self.page = (self.page + 1) % len(self.pages)
        self._render()

    def stop(self) -> None:
        self.timer.stop()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.width() != self._paged_width:
            self._paginate()

    def _text(self, items: list[str], page: int, pages: int) -> str:
        if not items:
            return self.t("display.nobody_waiting")
        if pages > 1:
            return self.t("display.waiting_page", items=SEPARATOR.join(items), page=page, pages=pages)
        return self.t("display.waiting", items=SEPARATOR.join(items))

    def _paginate(self) -> None:
        """Pack the items into pages that each fit one line at full size (an item too long alone shrinks)."""
        width = self._paged_width = self.width()
        pages: list[list[str]] = []
        current: list[str] = []
        for item in self.items:
            trial = [*current, item]
            if current and width > 1 and not self.fits(self._text(trial, 9, 9), self.base_px):
                pages.append(current)
                current = [item]
            else:
                current = trial
        if current:
            pages.append(current)
        self.pages = pages
        self.page = self.page if self.page < len(pages) else 0
        if len(pages) > 1:
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()
        self._render()

    def _fit(self) -> None:
        """Full size unless the page's one item alone needs more than the lines (then down to MIN_SHARE)."""
        px, floor = self.base_px, max(MIN_PX, int(self.base_px * MIN_SHARE))
        if self.width() > 1:
            while px > floor and not self.fits(self.text(), px):
                px -= 1
        set_type_px(self, px)
        self.setFixedHeight(self.lines * line_height(self, self.base_px))

    def _render(self) -> None:
        items = self.pages[self.page] if self.pages else []
        self.set_line(self._text(items, self.page + 1, len(self.pages)))
