"""The service step: agency tabs, a search with an on-screen keyboard, every service as a large tile."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QScrollArea, QScroller, QWidget

from kiosk.catalog.services import Catalog, Service
from kiosk.i18n import Translator
from kiosk.queue.models import PriorityGroup
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import LetterKeyboard, button, label
from kiosk.visit.flow import CitizenSession, Step


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
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        self.keyboard_button = button("", "small", self._toggle_keyboard, name="keyboardButton")
        self.clear_search_button = button("", "small", self.search.clear, name="clearSearchButton")
        search_row.addWidget(self.keyboard_button)
        search_row.addWidget(self.clear_search_button)
        tabs = QHBoxLayout()
        tabs.setSpacing(12)
        self.tabs: dict[str | None, QPushButton] = {}
        for code in [None, *[a.code for a in catalog.agencies]]:
            tab = button("", "tab", partial(self._select_agency, code), name=f"tab_{code or 'all'}")
            tab.setCheckable(True)
            self.tabs[code] = tab
            tabs.addWidget(tab)
        self.keyboard = LetterKeyboard()
        self.keyboard.typed.connect(self.search.insert)
        self.keyboard.backspace.connect(self.search.backspace)
        self.keyboard.hide()
        self.empty = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        self.list_host = QWidget()
        self.grid = QGridLayout(self.list_host)
        self.grid.setSpacing(16)
        self.grid.setContentsMargins(0, 0, 0, 0)
        # Not ``self.scroll``: that would hide QWidget.scroll(dx, dy).
        self.list_scroll = QScrollArea()
        self.list_scroll.setWidgetResizable(True)
        self.list_scroll.setWidget(self.list_host)
        self.list_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.list_scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        # Touch lists hide what is below the fold; say so, and offer big buttons to page.
        self.more = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.page_up = button("▲", "small", lambda: self._page(-1), name="pageUp")
        self.page_down = button("▼", "small", lambda: self._page(1), name="pageDown")
        more_row = QHBoxLayout()
        more_row.addWidget(self.page_up)
        more_row.addWidget(self.more, 3)
        more_row.addWidget(self.page_down)
        bar = self.list_scroll.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_more())
        bar.valueChanged.connect(lambda *_: self._update_more())
        self.tiles: dict[str, Tile] = {}
        for service in catalog.services:
            tile = Tile("", "", name=service.code)
            tile.clicked.connect(partial(self.chosen.emit, service))
            tile.hide()
            self.tiles[service.code] = tile
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.priority_banner)
        self.layout_.addLayout(search_row)
        self.layout_.addWidget(self.keyboard)
        self.layout_.addLayout(tabs)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.list_scroll, 1)
        self.layout_.addLayout(more_row)
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
        self._refresh()

    def enter(self, session: CitizenSession) -> None:
        self._priority = session.priority
        self._show_priority()
        self._refresh()

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
        """In landscape the keyboard needs the room of the title and the tabs while it is open."""
        crowded = self._crowded()
        self.title.setVisible(not crowded)
        self.priority_banner.setVisible(self._priority_text != "" and not crowded)
        for tab in self.tabs.values():
            tab.setVisible(not crowded)
        self._update_more()

    def _crowded(self) -> bool:
        return self.landscape and not self.keyboard.isHidden()  # isVisible() is False until the screen is shown

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
            for i, service in enumerate(services):
                tile = self.tiles[service.code]
                self.grid.addWidget(tile, i // shown[1], i % shown[1])
                tile.show()
            self.list_scroll.verticalScrollBar().setValue(0)
        query = self.search.text().strip()
        self.empty.setVisible(not services)
        self.empty.setText(self.t("service.no_match", query=query) if query else self.t("service.none"))

    def _page(self, direction: int) -> None:
        bar = self.list_scroll.verticalScrollBar()
        bar.setValue(bar.value() + direction * int(self.list_scroll.viewport().height() * 0.8))

    def _update_more(self) -> None:
        bar = self.list_scroll.verticalScrollBar()
        scrollable = bar.maximum() > 0 and not self._crowded()
        for widget in (self.more, self.page_up, self.page_down):
            widget.setVisible(scrollable)
        self.page_up.setEnabled(bar.value() > 0)
        self.page_down.setEnabled(bar.value() < bar.maximum())
        self.more.setText(self.t("service.more", count=len(self._shown[0]) if self._shown else 0))

    def _detail(self, service: Service) -> str:
        agency = self.catalog.agency(service.agency).short_name.get(self.t.lang)
        return self.t("service.tile_detail", agency=agency, fee=self.t.money(service.fee_idr),
                      sla=self.t.duration(service.sla.amount, service.sla.unit))

    def spoken_text(self) -> str:
        return f"{self.t('service.title')}. {self.t('service.spoken')}"
