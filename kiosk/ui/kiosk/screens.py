"""The kiosk's screens, one class per step of the citizen's walk.

Screens only show what they are given and emit what the citizen touched; the window
(:mod:`kiosk.ui.kiosk.window`) decides where to go next and does the slow work.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QMouseEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.services import Catalog, Service
from kiosk.citizen.nik import InvalidNik, NikProblem, check_partial, parse_nik
from kiosk.i18n import Translator
from kiosk.queue.models import PriorityGroup
from kiosk.ui.qt.printing import TicketPrintPanel
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.widgets import LetterKeyboard, NumericKeypad, button, card, label, restyle
from kiosk.visit.flow import CitizenSession, Step
from kiosk.visit.qr_codes import QrReading


class Screen(QWidget):
    """One step of the flow. Subclasses fill themselves from the session when shown."""

    step: Step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(36, 28, 36, 28)
        self.layout_.setSpacing(22)
        self.t = Translator()

    @property
    def landscape(self) -> bool:
        """Wide enough to put things side by side (1920×1080 kiosks) rather than stacked."""
        return self.width() > self.height() * 1.2

    def retranslate(self, t: Translator) -> None:
        self.t = t

    def enter(self, session: CitizenSession) -> None:
        """Called each time the screen is shown."""

    def reset(self) -> None:
        """Forget everything the citizen entered (the kiosk is shared by strangers)."""

    def spoken_text(self) -> str:
        return ""


class CameraScreen(Screen):
    """A screen around a camera picture: the picture above the words in portrait, beside them in landscape."""

    def set_camera_layout(self, title: QWidget, picture: QWidget, side: QLayout) -> None:
        self.main = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.main.setSpacing(24)
        self.main.addWidget(picture, 3)
        self.main.addLayout(side, 2)
        self.layout_.addWidget(title)
        self.layout_.addLayout(self.main, 1)
        self._landscape = False

    def turn_camera_layout(self) -> bool:
        """From ``resizeEvent``: side by side when the screen is wide; True when the orientation changed."""
        landscape = self.landscape
        if landscape == self._landscape:
            return False
        self._landscape = landscape
        self.main.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        return True


class WelcomeScreen(Screen):
    step = Step.WELCOME
    start = Signal()
    priority = Signal()
    language = Signal(str)
    survey = Signal()
    status = Signal()

    def __init__(self, site_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.site_name = site_name
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.start_button = button("", "hero", self.start.emit, name="startButton")
        self.priority_button = button("", "heroPriority", self.priority.emit, name="priorityButton")
        self.priority_note = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.language_hint = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        langs = QHBoxLayout()
        langs.setSpacing(20)
        self.lang_id = button("Bahasa Indonesia", "toggle", lambda: self.language.emit("id"), name="welcomeLangId")
        self.lang_en = button("English", "toggle", lambda: self.language.emit("en"), name="welcomeLangEn")
        for widget in (self.lang_id, self.lang_en):
            widget.setCheckable(True)
            langs.addWidget(widget)
        # Portrait: the two big buttons stacked; landscape: side by side (see resizeEvent).
        self.actions = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.actions.setSpacing(22)
        self.actions.addWidget(self.start_button, 1)
        priority_box = QVBoxLayout()
        priority_box.setSpacing(8)
        priority_box.addWidget(self.priority_button)
        priority_box.addWidget(self.priority_note)
        self.actions.addLayout(priority_box, 1)
        self.layout_.addStretch(2)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addStretch(1)
        self.layout_.addLayout(self.actions)
        # "Nilai layanan kami" (shown by the window when this kiosk can find tickets by number) and
        # "Cek status" (shown when the kiosk reads QR codes with its camera).
        self.survey_button = button("", "small", self.survey.emit, name="surveyButton")
        self.survey_button.hide()
        self.status_button = button("", "small", self.status.emit, name="statusButton")
        self.status_button.hide()
        extras = QHBoxLayout()
        extras.setSpacing(20)
        extras.addWidget(self.status_button)
        extras.addWidget(self.survey_button)
        self.layout_.addLayout(extras)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.language_hint)
        self.layout_.addLayout(langs)
        self.layout_.addStretch(1)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        landscape = self.landscape
        self.actions.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("welcome.title", site=self.site_name))
        self.subtitle.setText(t("welcome.subtitle"))
        self.start_button.setText(t("welcome.start"))
        self.priority_button.setText(t("welcome.priority"))
        self.priority_note.setText(t("welcome.priority_note"))
        self.language_hint.setText(t("welcome.language_hint"))
        self.survey_button.setText("★ " + t("survey.welcome_button"))
        self.status_button.setText(t("status_check.welcome_button"))
        self.lang_id.setChecked(t.lang == "id")
        self.lang_en.setChecked(t.lang == "en")

    def spoken_text(self) -> str:
        return " ".join([self.t("welcome.title", site=self.site_name), self.t("welcome.spoken")])


class PriorityScreen(Screen):
    step = Step.PRIORITY
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.buttons: dict[PriorityGroup, object] = {}
        self.grid = QGridLayout()
        self.grid.setSpacing(18)
        for group in PriorityGroup:
            widget = button("", "priority", lambda g=group: self.chosen.emit(g), name=f"priority_{group.value}")
            self.buttons[group] = widget
        self._columns = 0
        self._place_buttons(1)
        self.layout_.addLayout(self.grid)
        self.note = label("", "note")
        self.layout_.addWidget(self.note)
        self.layout_.addStretch(1)

    def _place_buttons(self, columns: int) -> None:
        """One column in portrait, two in landscape (five tall buttons do not fit 1080 px high)."""
        if columns == self._columns:
            return
        self._columns = columns
        for i, widget in enumerate(self.buttons.values()):
            self.grid.addWidget(widget, i // columns, i % columns)  # type: ignore[arg-type]

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._place_buttons(2 if self.landscape else 1)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("priority.title"))
        self.subtitle.setText(t("priority.subtitle"))
        self.note.setText(t("priority.note"))
        for group, widget in self.buttons.items():
            widget.setText(t(f"priority.group.{group.value}"))  # type: ignore[attr-defined]

    def spoken_text(self) -> str:
        groups = ", ".join(self.t(f"priority.group.{g.value}") for g in PriorityGroup)
        return f"{self.t('priority.title')}. {self.t('priority.subtitle')} {groups}."


class Tile(QFrame):
    """A large touch target with wrapped text (QPushButton cannot wrap long service names)."""

    clicked = Signal()

    def __init__(self, title: str, detail: str, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        if name:
            self.setAccessibleName(name)
        self.setProperty("pressed", False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(26, 18, 26, 18)
        layout.setSpacing(6)
        self.title = label(title, "tileTitle")
        self.detail = label(detail, "tileDetail")
        for child in (self.title, self.detail):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(child)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", True)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", False)
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit()


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


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
        self.tabs: dict[str | None, object] = {}
        for code in [None, *[a.code for a in catalog.agencies]]:
            tab = button("", "tab", lambda c=code: self._select_agency(c), name=f"tab_{code or 'all'}")
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
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.list_host)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        # Touch lists hide what is below the fold; say so, and offer big buttons to page.
        self.more = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.page_up = button("▲", "small", lambda: self._page(-1), name="pageUp")
        self.page_down = button("▼", "small", lambda: self._page(1), name="pageDown")
        more_row = QHBoxLayout()
        more_row.addWidget(self.page_up)
        more_row.addWidget(self.more, 3)
        more_row.addWidget(self.page_down)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_more())
        bar.valueChanged.connect(lambda *_: self._update_more())
        self.tiles: dict[str, Tile] = {}
        for service in catalog.services:
            tile = Tile("", "", name=service.code)
            tile.clicked.connect(lambda s=service: self.chosen.emit(s))
            tile.hide()
            self.tiles[service.code] = tile
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.priority_banner)
        self.layout_.addLayout(search_row)
        self.layout_.addWidget(self.keyboard)
        self.layout_.addLayout(tabs)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.scroll, 1)
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
            tab.setText(t("service.all") if code is None else self.catalog.agency(code).short_name.get(t.lang))  # type: ignore[attr-defined]
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
        self.scroll.verticalScrollBar().setValue(0)
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
            tab.setVisible(not crowded)  # type: ignore[attr-defined]
        self._update_more()

    def _crowded(self) -> bool:
        return self.landscape and not self.keyboard.isHidden()  # isVisible() is False until the screen is shown

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._shown is not None and self._shown[1] != self.columns:
            self._refresh()
        self._fit_keyboard()

    def _refresh(self) -> None:
        """Lay out the tiles that match; tiles are made once and only re-placed (fast on a kiosk PC)."""
        for code, tab in self.tabs.items():
            tab.setChecked(code == self.agency)  # type: ignore[attr-defined]
        services = self.visible_services()
        shown = (tuple(s.code for s in services), self.columns)
        if shown != self._shown:
            self._shown = shown
            while self.grid.count():
                item = self.grid.takeAt(0)
                if item.widget() is not None:
                    item.widget().hide()
            for i, service in enumerate(services):
                tile = self.tiles[service.code]
                self.grid.addWidget(tile, i // shown[1], i % shown[1])
                tile.show()
            self.scroll.verticalScrollBar().setValue(0)
        query = self.search.text().strip()
        self.empty.setVisible(not services)
        self.empty.setText(self.t("service.no_match", query=query) if query else self.t("service.none"))

    def _page(self, direction: int) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.value() + direction * int(self.scroll.viewport().height() * 0.8))

    def _update_more(self) -> None:
        bar = self.scroll.verticalScrollBar()
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


class RequirementsScreen(Screen):
    step = Step.REQUIREMENTS
    proceed = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.service: Service | None = None
        self.title = label("", "title")
        self.agency = label("", "subtitle")
        frame, box = card()
        self.bring_title = label("", "sectionTitle")
        self.requirements = label("", "body")
        box.addWidget(self.bring_title)
        box.addWidget(self.requirements)
        facts, facts_box = card()
        self.fee = label("", "body")
        self.sla = label("", "body")
        self.counters = label("", "body")
        self.waiting = label("", "body")
        for widget in (self.fee, self.sla, self.counters, self.waiting):
            facts_box.addWidget(widget)
        self.next_button = button("", "primary", self.proceed.emit, name="nextButton")
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(18)
        content_layout.addWidget(self.title)
        content_layout.addWidget(self.agency)
        content_layout.addWidget(frame)
        content_layout.addWidget(facts)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.layout_.addWidget(scroll, 1)
        self.layout_.addWidget(self.next_button)
        self._preview: tuple[int, int] | None = None

    def enter(self, session: CitizenSession) -> None:
        self.service = session.service
        self._preview = None
        self._fill()

    def set_preview(self, people_waiting: int, minutes: int) -> None:
        self._preview = (people_waiting, minutes)
        self._fill()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.bring_title.setText(t("requirements.bring"))
        self.next_button.setText(t("requirements.next"))
        self._fill()

    def _fill(self) -> None:
        service, t = self.service, self.t
        if service is None:
            return
        self.title.setText(service.name.get(t.lang))
        self.agency.setText(self.catalog.agency(service.agency).name.get(t.lang))
        items = [f"{i}. {r.get(t.lang)}" for i, r in enumerate(service.requirements, 1)]
        self.requirements.setText("\n".join(items) if items else t("requirements.nothing"))
        self.fee.setText(t("requirements.fee", fee=t.money(service.fee_idr)))
        self.sla.setText(t("requirements.sla", sla=t.duration(service.sla.amount, service.sla.unit)))
        self.counters.setText(t("requirements.counters", counters=", ".join(str(c) for c in service.counters)))
        if self._preview is None:
            self.waiting.setText(t("requirements.waiting_loading"))
        else:
            people, minutes = self._preview
            self.waiting.setText(t("requirements.waiting", people=people, wait=t.minutes(minutes)))

    def spoken_text(self) -> str:
        if self.service is None:
            return ""
        return " ".join([self.title.text() + ".", self.bring_title.text(),
                         "; ".join(r.get(self.t.lang) for r in self.service.requirements) + ".",
                         self.fee.text() + ".", self.sla.text() + "."])


def group_nik(digits: str) -> str:
    """3171 0101 0101 0001: groups of four are easier to check against the card."""
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


class IdentifyScreen(Screen):
    """NIK on a large keypad, checked digit by digit with a specific message under the field."""

    step = Step.IDENTIFY
    identified = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.field = QLineEdit()
        self.field.setObjectName("nikField")
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setMaxLength(19)  # 16 digits + 3 group spaces
        self.field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 •]{0,19}"), self.field))
        self.field.textChanged.connect(self._typed)
        self.message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = button("", "small", self._toggle_reveal, name="revealButton")
        self.reveal_button.hide()
        self._digits = ""
        self._revealed = False
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self._type_digit)
        self.keypad.backspace.connect(self._backspace)
        self.keypad.clear.connect(self.reset)
        self.next_button = button("", "primary", self._submit, name="nextButton")
        self.next_button.setEnabled(False)
        # The digital ID (IKD) QR read by the camera instead of typing: see enable_ikd_scan.
        self.ikd_button = button("", "small", self.start_ikd_scan, name="ikdScanButton")
        self.ikd_button.hide()
        self.ikd_cancel = button("", "", self.stop_ikd_scan, name="ikdCancel")
        self.ikd_cancel.hide()
        self.scanner: QrScanPanel | None = None
        self._ikd_offered = False
        self._ikd_note = ""  # a message about the scan, shown instead of the digit count
        # Portrait: everything in one column. Landscape: text and field left, keypad right.
        self.info = QVBoxLayout()
        self.info.setSpacing(22)
        for widget in (self.title, self.subtitle, self.field, self.message, self.reveal_button, self.ikd_button):
            self.info.addWidget(widget)
        self.info.addStretch(1)
        self.input_side = QVBoxLayout()
        self.input_side.setSpacing(18)
        self.input_side.addWidget(self.keypad, 1)
        self.input_side.addWidget(self.ikd_cancel)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(28)
        self.body.addLayout(self.info, 1)
        self.body.addLayout(self.input_side, 1)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.next_button)
        self._landscape = False
        self._problem: NikProblem | None = None

    # -- the digital ID (IKD) by camera ----------------------------------------------------------
    def enable_ikd_scan(self, make_source: SourceFactory, ikd_pattern: str) -> None:
        """Offer "Pindai KTP digital": the camera reads the IKD QR and fills in the NIK to confirm."""
        self.scanner = QrScanPanel(make_source, ikd_pattern)
        self.scanner.hide()
        self.scanner.read.connect(self._ikd_read)
        self.scanner.camera_failed.connect(self._ikd_camera_failed)
        self.input_side.insertWidget(0, self.scanner, 1)
        self._ikd_offered = True
        self.ikd_button.show()

    def set_ikd_offered(self, offered: bool) -> None:
        """Offer the scan only while the camera is there; a scan under way ends on its own if it goes."""
        self._ikd_offered = offered
        self.ikd_button.setVisible(offered and self.scanner is not None and not self.scanner.isVisible())

    def start_ikd_scan(self) -> None:
        if self.scanner is None:
            return
        self._ikd_note = "ikd.scan"
        self.keypad.hide()
        self.scanner.show()
        self.ikd_cancel.show()
        self.ikd_button.hide()
        self.scanner.start()
        self._show_state()

    def stop_ikd_scan(self, note: str = "") -> None:
        if self.scanner is None:
            return
        self.scanner.stop()
        self.scanner.hide()
        self.ikd_cancel.hide()
        self.keypad.show()
        self.ikd_button.setVisible(self._ikd_offered)
        self._ikd_note = note
        self._show_state()

    def _ikd_read(self, reading: QrReading) -> None:
        if reading.kind != "ikd":
            self._ikd_note = "ikd.not_ikd"
            self._show_state()
            return
        if reading.problem:
            self._ikd_note = f"nik.error.{reading.problem}"
            self._show_state()
            return
        self._set_digits(reading.value)
        self.stop_ikd_scan("ikd.read")

    def _ikd_camera_failed(self, _message: str) -> None:
        self.stop_ikd_scan("ikd.camera_unavailable")

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        landscape = self.landscape
        if landscape == self._landscape:
            return
        self._landscape = landscape
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        (self.layout_ if landscape else self.info).removeWidget(self.next_button)
        (self.info if landscape else self.layout_).addWidget(self.next_button)

    @property
    def digits(self) -> str:
        return self._digits

    @property
    def masked(self) -> bool:
        return self.field.isReadOnly()

    def reset(self) -> None:
        if self.scanner is not None and self.scanner.isVisible():
            self.stop_ikd_scan()
        self._ikd_note = ""
        self._digits = ""
        self._revealed = False
        self.field.setReadOnly(False)
        self.field.setText("")  # setText clears the undo/redo history too
        self._validate()

    def enter(self, session: CitizenSession) -> None:
        if session.nik is None:
            self.reset()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("identify.title"))
        self.subtitle.setText(t("identify.subtitle"))
        self.next_button.setText(t("identify.next"))
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self.ikd_button.setText(t("ikd.scan_button"))
        self.ikd_cancel.setText(t("ikd.cancel"))
        self._show_state()

    def _type_digit(self, digit: str) -> None:
        if len(self._digits) < 16:
            self._set_digits(self._digits + digit)

    def _backspace(self) -> None:
        self._set_digits(self._digits[:-1])

    def _set_digits(self, digits: str) -> None:
        self._ikd_note = ""
        self._digits = digits
        self._revealed = False
        self._validate()

    def _typed(self, text: str) -> None:
        """Digits typed on a USB keypad straight into the field."""
        if not self.field.isReadOnly():
            self._digits = text.replace(" ", "")[:16]
            self._revealed = False
            self._validate()

    def _toggle_reveal(self) -> None:
        self._revealed = not self._revealed
        self._render()

    def _validate(self) -> None:
        digits = self._digits
        self._problem = check_partial(digits) if digits else None
        if self._problem is None and len(digits) == 16:
            try:
                parse_nik(digits)
            except InvalidNik as exc:
                self._problem = exc.problem
        self._render()
        self._show_state()

    def _render(self) -> None:
        """Digits in groups while typing; once complete, masked (the lobby can look over a shoulder)."""
        complete = len(self._digits) == 16 and self._problem is None
        masked = complete and not self._revealed
        text = f"{self._digits[:4]} •••• •••• {self._digits[12:]}" if masked else group_nik(self._digits)
        if text != self.field.text():
            self.field.blockSignals(True)
            self.field.setText(text)
            self.field.blockSignals(False)
        self.field.setReadOnly(masked)
        self.reveal_button.setVisible(complete)
        self.reveal_button.setText(self.t("identify.hide") if self._revealed else self.t("identify.reveal"))

    def _show_state(self) -> None:
        digits, t = self.digits, self.t
        complete = len(digits) == 16 and self._problem is None
        self.next_button.setEnabled(complete)
        scan_problem = self._ikd_note.startswith("nik.error.") or self._ikd_note in ("ikd.not_ikd",
                                                                                     "ikd.camera_unavailable")
        if self._ikd_note and (scan_problem or self._ikd_note == "ikd.scan"):
            self.message.setObjectName("fieldError" if scan_problem else "note")
            self.message.setText(t(self._ikd_note))
            state = "error" if scan_problem else ""
        elif self._ikd_note == "ikd.read" and complete:
            self.message.setObjectName("fieldOk")
            self.message.setText(t("ikd.read"))
            state = "ok"
        elif self._problem is not None:
            self.message.setObjectName("fieldError")
            self.message.setText(t(f"nik.error.{self._problem.value}"))
            state = "error"
        elif complete:
            self.message.setObjectName("fieldOk")
            self.message.setText(t("identify.valid"))
            state = "ok"
        else:
            self.message.setObjectName("note")
            self.message.setText(t("identify.count", typed=len(digits)))
            state = ""
        restyle(self.message, "state", state)
        restyle(self.field, "state", state)

    @property
    def problem(self) -> NikProblem | None:
        return self._problem

    def _submit(self) -> None:
        try:
            nik = parse_nik(self.digits)
        except InvalidNik as exc:
            self._problem = exc.problem
            self._show_state()
            return
        self.identified.emit(nik)

    def keyPressEvent(self, event: object) -> None:
        key = event.key()  # type: ignore[attr-defined]
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.next_button.isEnabled():
            self._submit()
        else:
            super().keyPressEvent(event)  # type: ignore[arg-type]

    def spoken_text(self) -> str:
        parts = [self.t("identify.title") + ".", self.t("identify.subtitle")]
        if self._problem is not None:
            parts.append(self.message.text())
        return " ".join(parts)


class ConfirmScreen(Screen):
    step = Step.CONFIRM
    confirm = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.session: CitizenSession | None = None
        self.title = label("", "title")
        frame, box = card()
        self.rows = label("", "body")
        box.addWidget(self.rows)
        self.status = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "errorBanner")
        self.error.hide()
        self.confirm_button = button("", "hero", self._confirm, name="confirmButton")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(frame)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.confirm_button)
        self._error_key: tuple[str, dict[str, object]] | None = None

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self.set_busy(False)
        self.show_error(None)
        self._fill()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("confirm.title"))
        self.confirm_button.setText(t("confirm.button"))
        if self._error_key is not None:
            self.error.setText(t(self._error_key[0], **self._error_key[1]))
        self._fill()

    def set_busy(self, busy: bool) -> None:
        self.confirm_button.setEnabled(not busy)
        self.status.setText(self.t("confirm.busy") if busy else "")

    def show_error(self, key: str | None, **params: object) -> None:
        """Show why the ticket could not be issued; the button stays there to try again."""
        self._error_key = (key, params) if key else None
        self.error.setVisible(key is not None)
        if key:
            self.error.setText(self.t(key, **params))
            self.confirm_button.setText(self.t("confirm.retry"))
        else:
            self.confirm_button.setText(self.t("confirm.button"))

    def _confirm(self) -> None:
        self.set_busy(True)
        self.confirm.emit()

    def _fill(self) -> None:
        session, t = self.session, self.t
        if session is None or session.service is None:
            return
        lines = [t("confirm.service", service=session.service.name.get(t.lang))]
        lines.append(t("confirm.priority", group=t(f"priority.group.{session.priority.value}"))
                     if session.priority else t("confirm.no_priority"))
        if session.nik is not None:
            lines.append(t("confirm.nik", nik=session.nik.masked))
        lines.append(t("confirm.counters", counters=", ".join(str(c) for c in session.service.counters)))
        self.rows.setText("\n".join(lines))

    def spoken_text(self) -> str:
        return f"{self.title.text()}. {self.rows.text()}. {self.t('confirm.spoken')}"


class TicketScreen(Screen):
    step = Step.TICKET
    done = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.session: CitizenSession | None = None
        self.heading = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.number = label("", "ticketNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("ticketNumber")
        self.service = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.counters = label("", "body")
        self.ahead = label("", "body")
        self.estimate = label("", "body")
        self.identity = label("", "banner")
        for widget in (self.counters, self.ahead, self.estimate):
            box.addWidget(widget)
        self.instructions = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.done_button = button("", "primary", self.done.emit, name="doneButton")
        details = QVBoxLayout()
        details.setSpacing(22)
        for widget in (self.heading, self.number, self.service, frame, self.identity):
            details.addWidget(widget)
        details.addStretch(1)
        self.print_panel = TicketPrintPanel()  # "printing…", or the number's QR when the paper fails
        side = QVBoxLayout()
        side.setSpacing(22)
        side.addWidget(self.print_panel, 1)
        side.addStretch(1)
        side.addWidget(self.instructions)
        side.addWidget(self.done_button)
        # Portrait: the print panel and the button under the details; landscape: beside them (resizeEvent).
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addLayout(details, 1)
        self.body.addLayout(side, 1)
        self.layout_.addLayout(self.body, 1)
        self._seconds_left = 0

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self._fill()

    def set_seconds_left(self, seconds: int) -> None:
        self._seconds_left = seconds
        self.done_button.setText(self.t("ticket.done", seconds=seconds))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.heading.setText(t("ticket.heading"))
        self.instructions.setText(t("ticket.instructions"))
        self.print_panel.retranslate(t)
        self.set_seconds_left(self._seconds_left)
        self._fill()

    def reset(self) -> None:
        self.print_panel.clear()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        landscape = self.landscape
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self.body.setStretch(0, 1 if landscape else 0)  # portrait: the details as tall as they need, no gap

    def _fill(self) -> None:
        if self.session is None or self.session.issued is None or self.session.service is None:
            return
        t, issued, service = self.t, self.session.issued, self.session.service
        self.number.setText(issued.ticket.number)
        self.service.setText(service.name.get(t.lang))
        self.counters.setText(t("ticket.counters", counters=", ".join(str(c) for c in service.counters)))
        self.ahead.setText(t("ticket.ahead", people=issued.people_ahead) if issued.people_ahead
                           else t("ticket.nobody_ahead"))
        self.estimate.setText(t("ticket.estimate", wait=t.minutes(issued.estimated_wait_minutes)))
        needs_check = issued.ticket.identity_status == "to_verify_at_counter"
        self.identity.setVisible(needs_check)
        self.identity.setText(t("ticket.verify_at_counter") if needs_check else "")

    def spoken_text(self) -> str:
        if self.session is None or self.session.issued is None:
            return ""
        return " ".join([self.heading.text(), self.t("ticket.spoken_number", number=spell_ticket(
            self.session.issued.ticket.number)), self.counters.text() + ".", self.ahead.text() + ".",
            self.instructions.text()])


def spell_ticket(number: str) -> str:
    """"A-012" read as "A 0 1 2" so a voice says each character."""
    return " ".join(ch for ch in number if ch != "-")


class UnavailableScreen(Screen):
    """Shown instead of the flow when the kiosk cannot work (no service catalog)."""

    step = Step.WELCOME

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.layout_.addStretch(2)

    def retranslate(self, t: Translator) -> None:
        """Both languages at once: nobody can switch language on a kiosk that does not work."""
        super().retranslate(t)
        other = Translator("en" if t.lang == "id" else "id")
        self.title.setText(f"{t('unavailable.title')}\n{other('unavailable.title')}")
        self.body.setText(f"{t('unavailable.body')}\n\n{other('unavailable.body')}")

    def spoken_text(self) -> str:
        return f"{self.title.text()}. {self.body.text()}"


def screens_in_order(screens: Sequence[Screen]) -> dict[Step, Screen]:
    return {screen.step: screen for screen in screens}
