"""The pages of "Sampaikan pengaduan" (:mod:`kiosk.ui.kiosk.complaint` runs them): each shows and emits.

Every page reads at the top and is touched low: its words first, a stretch, then its controls, so a
seated citizen reaches them (the screen's ``action_row`` below holds "Lanjut"). Pages own no rules:
what is wrong with an answer comes from :func:`kiosk.complaints.model.check_complaint`. Here the base
page and the pages chosen by touch (category, service, the SP4N-LAPOR! consent); the typed ones are in
:mod:`.complaint_typing`, the confirmation and the receipt in :mod:`.complaint_readback`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.services import Catalog
from kiosk.complaints.model import Category
from kiosk.i18n import Translator
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.qt.icons import COMPLAINTS, CONTROLS, OTHER, agency_icon, decorate, service_icon
from kiosk.ui.qt.widgets import FlowRows, button, label, restyle

NO_SERVICE = ""  # the "not about one service" choice


def mark(tile: Tile, chosen: bool, title: str) -> None:
    """A chosen tile says so in words (✓) and in its frame, not by colour alone."""
    tile.title.setText(("✓ " if chosen else "") + title)
    restyle(tile, "pressed", chosen)


def invalidate_all(layout: QLayout) -> None:
    """Forget the sizes ``layout`` and its nested layouts computed: a page hidden in the stack is not
    laid out again when its words change, and the stack's minimum is the largest of all its pages."""
    layout.invalidate()
    for i in range(layout.count()):
        item = layout.itemAt(i)
        inner = item.layout() if item is not None else None
        if inner is not None:
            invalidate_all(inner)


class Page(QWidget):
    """One page: ``top`` is read, ``bottom`` is touched; a stretch keeps them apart. A ``side_by_side``
    page puts them left and right in landscape (its keyboard needs the height a landscape screen lacks)."""

    side_by_side = False
    gap_stretch = 1  # 0: the reading part takes the room (a text box), not a gap above the controls

    def __init__(self) -> None:
        super().__init__()
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(18)
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.top = QVBoxLayout()
        self.top.setSpacing(14)
        self.top.addWidget(self.title)
        self.top.addWidget(self.hint)
        self.bottom = QVBoxLayout()
        self.bottom.setSpacing(14)
        self.box.addLayout(self.top)
        self.box.addStretch(self.gap_stretch)
        self.box.addLayout(self.bottom)

    def retranslate(self, t: Translator) -> None:
        """Each page fills in its own words."""

    def set_landscape(self, landscape: bool) -> None:
        """Landscape has half the height: the question a size smaller (as the form does)."""
        self.title.setObjectName("sectionTitle" if landscape else "title")
        restyle(self.title, "landscape", landscape)
        if self.side_by_side:
            self.box.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
            self.box.setStretch(self.box.indexOf(self.top), 4 if landscape else 1)
            self.box.setStretch(self.box.indexOf(self.bottom), 5 if landscape else 0)
            self.box.setStretch(1, 0 if landscape else self.gap_stretch)  # the stretch between: no gap across
            self.hint.setObjectName("body" if landscape else "subtitle")  # the height is short
            restyle(self.hint, "landscape", landscape)

    def spoken_text(self) -> str:
        return " ".join(t for t in (self.title.text(), self.hint.text()) if t)


class CategoryPage(Page):
    """Six large tiles, each a picture, the category's name and one line of what it covers."""

    chosen = Signal(object)  # Category

    def __init__(self) -> None:
        super().__init__()
        self.tiles: dict[Category, Tile] = {}
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        for category in Category:
            tile = Tile("", "", name=f"category_{category.value}", icon=COMPLAINTS[category.value])
            tile.clicked.connect(partial(self.chosen.emit, category))
            self.tiles[category] = tile
        self.bottom.addLayout(self.grid)
        self._columns = 0
        self.current: Category | None = None
        self.t = Translator()
        self.arrange(2)

    def arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self.grid.removeWidget(tile)
            self.grid.addWidget(tile, i // columns, i % columns)

    def set_landscape(self, landscape: bool) -> None:
        super().set_landscape(landscape)
        self.arrange(3 if landscape else 2)

    def show_choice(self, current: Category | None) -> None:
        self.current = current
        for category, tile in self.tiles.items():
            mark(tile, category is current, self.t(f"complaint_rules.category.{category.value}"))

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("complaint_filing.category.title"))
        self.hint.setText(t("complaint_filing.category.hint"))
        for category, tile in self.tiles.items():
            tile.detail.setText(t(f"complaint_filing.category.detail.{category.value}"))
        self.show_choice(self.current)

    def spoken_text(self) -> str:
        names = [f"{self.t(f'complaint_rules.category.{c.value}')}: {tile.detail.text()}."
                 for c, tile in self.tiles.items()]
        return " ".join([super().spoken_text(), *names])


class ServicePage(Page):
    """Optional: "not about one service", today's ticket (when the visit has one), or a service by agency."""

    chosen = Signal(str)  # a service code, or NO_SERVICE

    def __init__(self, catalog: Catalog | None, reach: Callable[[QWidget], int]) -> None:
        """``reach``: the reach line's row in a widget's own coordinates (0: all in reach)."""
        super().__init__()
        self.catalog, self.reach = catalog, reach
        self.t = Translator()
        self.current = NO_SERVICE
        self.ticket: tuple[str, str] | None = None  # today's (ticket number, service code)
        self.agency: str | None = None
        self.chosen_label = label("", "fieldOk")
        self.chosen_label.setAccessibleName("complaintServiceChosen")
        self.top.addWidget(self.chosen_label)
        self.none_tile = Tile("", "", name="complaintNoService", icon=OTHER)
        self.none_tile.clicked.connect(lambda: self.chosen.emit(NO_SERVICE))
        self.ticket_tile = Tile("", "", name="complaintTicketService", icon=CONTROLS["ticket"])
        self.ticket_tile.clicked.connect(lambda: self.chosen.emit(self.ticket[1] if self.ticket else NO_SERVICE))
        self.tabs: dict[str, QPushButton] = {}
        self.tiles: dict[str, Tile] = {}
        services = catalog.services if catalog is not None else ()
        for agency in catalog.agencies if catalog is not None else ():
            tab = button("", "tab", partial(self.show_agency, agency.code), name=f"complaintTab_{agency.code}")
            tab.setCheckable(True)
            decorate(tab, agency_icon(agency.code))
            self.tabs[agency.code] = tab
        for service in services:
            tile = Tile("", "", name=f"complaintService_{service.code}",
                        icon=service_icon(service.code, service.agency))
            tile.detail.hide()
            tile.clicked.connect(partial(self.chosen.emit, service.code))
            tile.hide()
            self.tiles[service.code] = tile
        self.tab_rows = FlowRows(list(self.tabs.values()))
        host = QWidget()
        self.list_box = QVBoxLayout(host)
        self.list_box.setContentsMargins(0, 0, 0, 0)
        self.list_box.setSpacing(12)
        for tile in (self.ticket_tile, self.none_tile, *self.tiles.values()):
            self.list_box.addWidget(tile)
        self.list_box.addStretch(1)
        self.list_scroll = QScrollArea()
        self.list_scroll.setObjectName("complaintServiceList")
        self.list_scroll.setWidgetResizable(True)
        self.list_scroll.setWidget(host)
        self.list_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.list_scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.page_up = button("▲", "small", lambda: self._page(-1), name="complaintPageUp")
        self.page_down = button("▼", "small", lambda: self._page(1), name="complaintPageDown")
        paging = QHBoxLayout()
        paging.setSpacing(12)
        paging.addWidget(self.page_up)
        paging.addWidget(self.page_down)
        # Portrait: the list's top at the reach line (the gap grows to put it there), the list below it.
        self.box.takeAt(self.box.count() - 2)  # the base page's stretch: the list takes the room instead
        self.reach_gap = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.box.insertItem(1, self.reach_gap)
        # Straight in the page's own layout, not in ``bottom``: the tabs' rows change with their words, and
        # a nested layout of a page hidden in the stack would keep their old size as its minimum.
        self.box.removeItem(self.bottom)
        self.box.addWidget(self.tab_rows)
        self.box.addWidget(self.list_scroll, 1)
        self.box.addLayout(paging)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit_reach)

    def start(self, ticket: tuple[str, str] | None, current: str) -> None:
        """A new complaint: today's ticket first when there is one; the tab of the chosen service."""
        self.ticket, self.current = ticket, current
        agency = None
        if current and self.catalog is not None:
            try:
                agency = self.catalog.service(current).agency
            except KeyError:
                agency = None
        self.show_agency(agency or next(iter(self.tabs), None))
        self.list_scroll.verticalScrollBar().setValue(0)
        self.show_choice(current)

    def show_agency(self, code: str | None) -> None:
        self.agency = code
        for agency, tab in self.tabs.items():
            tab.setChecked(agency == code)
        for service_code, tile in self.tiles.items():
            tile.setVisible(self.catalog is not None and self.catalog.service(service_code).agency == code)

    def show_choice(self, current: str) -> None:
        self.current = current
        t = self.t
        self.ticket_tile.setVisible(self.ticket is not None)
        if self.ticket is not None:
            number, code = self.ticket
            mark(self.ticket_tile, current == code, t("complaint_filing.service.ticket", number=number))
            self.ticket_tile.detail.setText(self.service_name(code))
        mark(self.none_tile, current == NO_SERVICE, t("complaint_filing.service.none"))
        self.none_tile.detail.setText(t("complaint_filing.service.none_detail"))
        for code, tile in self.tiles.items():
            mark(tile, code == current, self.service_name(code))
        self.chosen_label.setText(t("complaint_filing.service.chosen", service=self.service_name(current))
                                  if current else t("complaint_filing.service.chosen_none"))

    def service_name(self, code: str) -> str:
        if self.catalog is not None and code:
            try:
                return self.catalog.service(code).name.get(self.t.lang)
            except KeyError:
                pass
        return code

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("complaint_filing.service.title"))
        self.hint.setText(t("complaint_filing.service.hint"))
        if self.catalog is not None:
            for agency in self.catalog.agencies:
                self.tabs[agency.code].setText(agency.short_name.get(t.lang))
        self.show_choice(self.current)

    def _page(self, direction: int) -> None:
        bar = self.list_scroll.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(1, self.list_scroll.viewport().height() - 60))

    def fit_reach(self) -> None:
        """Portrait: the tabs, the list and its paging all below the reach line (a seated person's)."""
        if not self.isVisible():
            return  # a page hidden in the stack is not laid out: its rows say nothing yet
        line = self.reach(self)
        self.box.activate()
        now = self.reach_gap.sizeHint().height()
        gap = min(line, max(0, now + line - self.tab_rows.geometry().top())) if line > 0 else 0
        if gap != now:
            self.reach_gap.changeSize(0, gap, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            self.box.invalidate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit.start()

    def spoken_text(self) -> str:
        return " ".join([super().spoken_text(), self.chosen_label.text()])


class SharePage(Page):
    """The SP4N-LAPOR! consent as its own question: two large answers, neither chosen beforehand."""

    chosen = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.t = Translator()
        self.yes = Tile("", "", name="complaintShareYes", icon=COMPLAINTS["share"])
        self.no = Tile("", "", name="complaintShareNo", icon=COMPLAINTS["keep"])
        self.yes.clicked.connect(lambda: self.chosen.emit(True))
        self.no.clicked.connect(lambda: self.chosen.emit(False))
        self.body = label("", "body")
        self.top.addWidget(self.body)
        self.bottom.addWidget(self.yes)
        self.bottom.addWidget(self.no)
        self.current: bool | None = None

    def show_choice(self, current: bool | None, contact: str) -> None:
        self.current = current
        t = self.t
        self.body.setText(t("complaint_filing.share.body", contact=contact))
        mark(self.yes, current is True, t("complaint_filing.share.yes"))
        mark(self.no, current is False, t("complaint_filing.share.no"))

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("complaint_filing.share.title"))
        self.hint.setText("")
        self.hint.hide()
        self.yes.detail.setText(t("complaint_filing.share.yes_detail"))
        self.no.detail.setText(t("complaint_filing.share.no_detail"))

    def spoken_text(self) -> str:
        return " ".join([self.title.text(), self.body.text(), self.t("complaint_filing.share.yes") + ".",
                         self.t("complaint_filing.share.no") + "."])


