"""The service step: agency tabs, a search with an on-screen keyboard, every service as a large tile."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.services import Catalog, Service
from kiosk.i18n import Translator
from kiosk.queue.models import PriorityGroup
from kiosk.ui.kiosk.availability import AvailabilityWatch, badge
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.qt.icons import agency_icon, decorate, service_icon
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import FlowRows, LetterKeyboard, button, label
from kiosk.visit.flow import CitizenSession, Step


class Side(QWidget):
    """One side of the service screen, laid out by its minimum and size hint. Not height-for-width:
    Qt then takes the list's full height as its minimum, and a portrait screen was split in two
    halves that crushed the keyboard to 215 of its 462 px."""

    def hasHeightForWidth(self) -> bool:
        return False


class ServiceScreen(Screen):
    """Agency groups + search; the list shows every service as a large tile."""

    step = Step.SERVICE
    chosen = Signal(object)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.agency: str | None = None
        self._shown: tuple[tuple[str, ...], int] | None = None  # (codes laid out, columns)
        self.title = label("", "title")
        self.priority_banner = label("", "banner")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setMaxLength(40)
        self.search.textChanged.connect(self._refresh)
        # The field shows what is typed (nothing to touch: the keys type); its buttons under it.
        self.keyboard_button = button("", "small", self._toggle_keyboard, name="keyboardButton")
        self.clear_search_button = button("", "small", self.search.clear, name="clearSearchButton")
        # Portrait: what is read (title, priority, the search text) above the reach line, what is
        # touched below it (issue 16, item 3); this gap keeps the two apart (set_reach_line).
        self.reach_gap = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_keyboard)
        self.tabs: dict[str | None, QPushButton] = {}
        for code in [None, *[a.code for a in catalog.agencies]]:
            tab = button("", "tab", partial(self._select_agency, code), name=f"tab_{code or 'all'}")
            tab.setCheckable(True)
            decorate(tab, agency_icon(code))
            self.tabs[code] = tab
        self.tab_rows = FlowRows(list(self.tabs.values()))  # as many to a row as fit
        self.keyboard = LetterKeyboard()
        self.keyboard.typed.connect(self.search.insert)
        self.keyboard.backspace.connect(self.search.backspace)
        self.keyboard.hide()
        self.empty = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        self.list_host = QWidget()
        self.grid = QGridLayout(self.list_host)
        self.grid.setSpacing(12)
        self.grid.setContentsMargins(0, 0, 0, 0)
        # Not ``self.scroll``: that would hide QWidget.scroll(dx, dy).
        self.list_scroll = QScrollArea()
        self.list_scroll.setWidgetResizable(True)
        self.list_scroll.setWidget(self.list_host)
        self.list_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.list_scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        # Touch lists hide what is below the fold; say so (above, where there is room to read), and
        # offer big buttons to page, in one row with the search's buttons (below, within reach).
        self.more = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.page_up = button("▲", "small", lambda: self._page(-1), name="pageUp")
        self.page_down = button("▼", "small", lambda: self._page(1), name="pageDown")
        self.tools = FlowRows([self.keyboard_button, self.clear_search_button, self.page_up, self.page_down])
        self.more_row = QHBoxLayout()  # landscape: ▲, the count, ▼ under the list (the left column is full)
        bar = self.list_scroll.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_more())
        bar.valueChanged.connect(lambda *_: self._update_more())
        self.tiles: dict[str, Tile] = {}
        for service in catalog.services:
            tile = Tile("", "", name=service.code, icon=service_icon(service.code, service.agency))
            tile.clicked.connect(partial(self.chosen.emit, service))
            tile.hide()
            self.tiles[service.code] = tile
        # "Kuota habis", "Tutup", "Segera tutup (15:00)" on the tile, before anything is typed (issue 17).
        self.badges: dict[str, QLabel] = {code: self._add_badge(tile) for code, tile in self.tiles.items()}
        self._availability: AvailabilityWatch | None = None
        # Portrait: one column. Landscape: title, search, keyboard and tabs (stacked) on the left, the
        # list on the right with the whole height, so it shows 6 services rather than 4.
        self.choose_side = Side()
        self.choose = QVBoxLayout(self.choose_side)
        self.choose.setContentsMargins(0, 0, 0, 0)
        self.choose.setSpacing(16)
        self.choose.addWidget(self.title)
        self.choose.addWidget(self.priority_banner)
        self.choose.addWidget(self.search)
        self.choose.addWidget(self.more)
        self.choose.addItem(self.reach_gap)
        self.choose.addWidget(self.tools)
        self.choose.addWidget(self.keyboard)
        self.choose.addWidget(self.tab_rows)
        self.choose.addStretch(0)
        self.results_side = Side()
        self.results = QVBoxLayout(self.results_side)
        self.results.setContentsMargins(0, 0, 0, 0)
        self.results.setSpacing(22)
        self.results.addWidget(self.empty)
        self.results.addWidget(self.list_scroll, 1)
        self.results.addLayout(self.more_row)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(18)
        self.body.addWidget(self.choose_side, 0)
        self.body.addWidget(self.results_side, 3)
        self.layout_.addLayout(self.body, 1)
        self.priority_banner.hide()
        self._priority: PriorityGroup | None = None
        self._priority_text = ""

    @property
    def columns(self) -> int:
        return 2 if self.landscape else 1

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("service.title"))
        self.search.setPlaceholderText(t("service.search_placeholder"))
        self.keyboard_button.setText(t("service.keyboard"))
        self.clear_search_button.setText(t("service.clear_search"))
        self.keyboard.retranslate(t("keyboard.space"), t("keyboard.backspace"))
        for code, tab in self.tabs.items():
            tab.setText(t("service.all") if code is None else self.catalog.agency(code).short_name.get(t.lang))
        for service in self.catalog.services:
            tile = self.tiles[service.code]
            tile.title.setText(service.name.get(t.lang))
            tile.detail.setText(self._detail(service))
        self._show_priority()
        self._show_availability()
        self._refresh()

    def enter(self, session: CitizenSession) -> None:
        self._priority = session.priority
        self._show_priority()
        self._refresh()
        if self._availability is not None:
            self._show_availability()  # what is known now (nothing once stale), then the fresh answer
            self._availability.refresh()

    def watch_availability(self, watch: AvailabilityWatch) -> None:
        """Show each service's availability from ``watch``, read again each time the list is shown."""
        self._availability = watch
        watch.changed.connect(self._show_availability)

    @staticmethod
    def _add_badge(tile: Tile) -> QLabel:
        badge_label = label("", "banner")
        badge_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the tile takes the touch
        badge_label.hide()
        layout = tile.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, badge_label)
        return badge_label

    def _show_availability(self) -> None:
        """Full and closed in the alarm style, closing soon in the highlight; nothing when open or unknown."""
        for code, badge_label in self.badges.items():
            state = self._availability.of(code) if self._availability is not None else None
            priority = self._priority is not None
            text = badge(self.t, state, priority)
            name = "banner" if state is not None and state.can_issue_for(priority) else "errorBanner"
            if badge_label.objectName() != name:
                badge_label.setObjectName(name)
                badge_label.style().unpolish(badge_label)  # the style sheet picks the new name up
                badge_label.style().polish(badge_label)
            badge_label.setText(text)
            badge_label.setVisible(bool(text))

    def _show_priority(self) -> None:
        self._priority_text = "" if self._priority is None else self.t(
            "service.priority_banner", group=self.t(f"priority.group.{self._priority.value}"))
        self.priority_banner.setText(self._priority_text)
        self._fit_keyboard()

    def reset(self) -> None:
        self.search.setText("")  # setText also clears the undo history
        self.keyboard.hide()
        self._fit_keyboard()
        self.agency = None
        self.list_scroll.verticalScrollBar().setValue(0)
        self._refresh()

    def visible_services(self) -> list[Service]:
        query = self.search.text().strip()
        services = self.catalog.search(query, self.t.lang) if query else list(self.catalog.services)
        if self.agency is not None:
            services = [s for s in services if s.agency == self.agency]
        return services

    def _select_agency(self, code: str | None) -> None:
        self.agency = code
        self._refresh()

    def _toggle_keyboard(self) -> None:
        self.set_keyboard_visible(not self.keyboard.isVisible())

    def set_keyboard_visible(self, visible: bool) -> None:
        self.keyboard.setVisible(visible)
        self._fit_keyboard()

    def _fit_keyboard(self) -> None:
        """Arrange for the orientation and the type size: side by side in landscape (the keyboard then
        takes the room of the title and the tabs), stacked rows in portrait when large text needs it."""
        landscape = self.landscape
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        crowded = self._crowded()
        # Landscape: choosing 2 : list 3; while the keyboard is open 3 : 2, so its keys stay wide.
        self.body.setStretch(0, (3 if crowded else 2) if landscape else 0)
        self.body.setStretch(1, 2 if crowded else 3)
        self.choose.setStretch(self.choose.count() - 1, 1 if landscape else 0)  # tabs at the top of the left
        # Portrait: the tabs side by side, on two rows when large text needs it; landscape: one per row.
        self._place_paging(landscape)
        self.priority_banner.setVisible(self._priority_text != "" and not crowded)
        for tab in self.tabs.values():
            tab.setVisible(not crowded)
        # Landscape: the header's step line ("Langkah 1: pilih layanan") is the title; the left side
        # keeps its height for the search and every agency tab, large text included.
        self.title.setVisible(not landscape)
        self._update_more()
        self._place_reach_gap()

    def _place_paging(self, landscape: bool) -> None:
        """Portrait: the count and "swipe or press ▼" above the reach line, ▲ ▼ beside the search's
        buttons below it; landscape: ▲, the count and ▼ under the list (the left column is full)."""
        if landscape == (self.more_row.indexOf(self.more) >= 0):
            return
        if landscape:
            self.choose.removeWidget(self.more)
            self.tools.set_widgets([self.keyboard_button, self.clear_search_button])
            for widget, stretch in ((self.page_up, 0), (self.more, 3), (self.page_down, 0)):
                self.more_row.addWidget(widget, stretch)
        else:
            for widget in (self.page_up, self.more, self.page_down):
                self.more_row.removeWidget(widget)
            self.choose.insertWidget(self.choose.indexOf(self.search) + 1, self.more)
            self.tools.set_widgets([self.keyboard_button, self.clear_search_button, self.page_up, self.page_down])

    def set_reach(self, y: int) -> None:
        super().set_reach(y)
        self._refit.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_keyboard()

    def _place_reach_gap(self) -> None:
        """Portrait: the search's buttons, the tabs and the list's top at or below the reach line, so a
        citizen in a wheelchair reaches every tile (the list pages with ▲ ▼ and a swipe, low too)."""
        if not self.isVisible():
            return  # placed when shown (showEvent): a hidden screen's rows are not where they will be
        gap = 0
        if not self.landscape and self.reach_y > 0:
            for layout in (self.outer, self.choose):  # the field where it is now (the title or the priority
                layout.invalidate()  # line may just have changed its size or been hidden)
                layout.activate()
            above = self.more if self.choose.indexOf(self.more) >= 0 and not self.more.isHidden() else self.search
            read_bottom = above.mapTo(self, QPoint(0, above.height())).y()
            gap = max(0, self.reach_in_screen() - read_bottom - self.choose.spacing())
        if gap != self.reach_gap.sizeHint().height():
            self.reach_gap.changeSize(0, gap, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            for layout in (self.choose, self.outer):  # the list where it goes now, not a round of events later
                layout.invalidate()
                layout.activate()
            self._refit.start()  # once more with the new gap (the field itself does not move)

    def _crowded(self) -> bool:
        """The keyboard is open: the tabs (and in landscape the priority line) make room for the list."""
        return not self.keyboard.isHidden()  # isVisible() is False until the screen is shown

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:  # large text on or off: the rows may no longer fit
            self._refit.start()  # once the children have their new type sizes too (they come after)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._shown is not None and self._shown[1] != self.columns:
            self._refresh()
        self._fit_keyboard()

    def _refresh(self) -> None:
        """Lay out the tiles that match; tiles are made once and only re-placed (fast on a kiosk PC)."""
        for code, tab in self.tabs.items():
            tab.setChecked(code == self.agency)
        services = self.visible_services()
        shown = (tuple(s.code for s in services), self.columns)
        if shown != self._shown:
            self._shown = shown
            while (item := self.grid.takeAt(0)) is not None:
                if (widget := item.widget()) is not None:
                    widget.hide()
            for row in range(self.grid.rowCount()):
                self.grid.setRowStretch(row, 0)
            for i, service in enumerate(services):
                tile = self.tiles[service.code]
                self.grid.addWidget(tile, i // shown[1], i % shown[1])
                tile.show()
            # The room below the last tile stays empty: three results are three tiles of their own
            # height, not three 340 px cards.
            self.grid.setRowStretch((len(services) + shown[1] - 1) // shown[1], 1)
            self.list_scroll.verticalScrollBar().setValue(0)
        query = self.search.text().strip()
        self.clear_search_button.setVisible(bool(self.search.text()))  # nothing to clear: one row less
        self.empty.setVisible(not services)
        self.empty.setText(self.t("service.no_match", query=query) if query else self.t("service.none"))

    def _page(self, direction: int) -> None:
        bar = self.list_scroll.verticalScrollBar()
        bar.setValue(bar.value() + direction * int(self.list_scroll.viewport().height() * 0.8))

    def _update_more(self) -> None:
        bar = self.list_scroll.verticalScrollBar()
        scrollable = bar.maximum() > 0
        self.more.setVisible(scrollable)
        # Portrait with the keyboard open: its keys take the room of ▲ ▼ (the list still swipes).
        for widget in (self.page_up, self.page_down):
            widget.setVisible(scrollable and (self.landscape or not self._crowded()))
        self.page_up.setEnabled(bar.value() > 0)
        self.page_down.setEnabled(bar.value() < bar.maximum())
        self.more.setText(self.t("service.more", count=len(self._shown[0]) if self._shown else 0))

    def _detail(self, service: Service) -> str:
        agency = self.catalog.agency(service.agency).short_name.get(self.t.lang)
        return self.t("service.tile_detail", agency=agency, fee=self.t.money(service.fee_idr),
                      sla=self.t.duration(service.sla.amount, service.sla.unit))

    def spoken_text(self) -> str:
        return f"{self.t('service.title')}. {self.t('service.spoken')}"
