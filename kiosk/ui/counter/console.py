"""Counter console: the clerk calls, serves and finishes tickets at one counter.

Big buttons with their keyboard shortcut printed on them, the current ticket in large type, and
the waiting line with priority tickets marked. Every action runs on the queue's worker thread; the
screen refreshes from queue events, so two consoles (or a console and the board) never disagree.

With a :class:`~kiosk.staff.directory.StaffDirectory` the console opens on a sign-in panel (name, counter,
PIN on the on-screen keypad); the signed-in clerk's id goes into every audit actor and the counter
is locked until they sign out. Transfer (F7) and call-a-number (F8) open panels inside the window.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.forms import FormSet
from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.models import IllegalTransition, QueueError, Ticket, TicketNotFound, TicketState
from kiosk.staff.directory import LockedOut, StaffDirectory, StaffMember, WrongPin
from kiosk.ui.counter.application_panel import ApplicationFinder, ApplicationPanel
from kiosk.ui.counter.manager import ManagerWindow
from kiosk.ui.kiosk.survey import CounterSurvey
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.theme import Scale, console_style
from kiosk.ui.qt.widgets import NumericKeypad, button, label, restyle

log = logging.getLogger(__name__)

UNDO_SECONDS = 10  # how long a no-show can be taken back


def building_counters(config: Config, catalog: Catalog | None) -> dict[int, tuple[str, ...]]:
    """Counter number → the service codes it serves (site config first, then the catalog)."""
    counters: dict[int, list[str]] = {}
    if catalog is not None:
        for service in catalog.services:
            for number in service.counters:
                counters.setdefault(number, []).append(service.code)
    for entry in config.counters:
        counters.setdefault(entry.number, [])
    return {number: tuple(codes) for number, codes in sorted(counters.items())}


def _even_columns(keypad: NumericKeypad) -> None:
    """Equal key widths: otherwise the wider "Clear"/"⌫" labels squeeze the middle column."""
    grid = keypad.layout()
    if isinstance(grid, QGridLayout):
        for column in range(grid.columnCount()):
            grid.setColumnStretch(column, 1)


class CounterWindow(QWidget):
    """One counter's console."""

    ACTIONS: Sequence[tuple[str, str, str]] = (
        # action, shortcut, style variant
        ("call_next", "F1", "primary"),
        ("call_priority", "F2", "priority"),
        ("recall", "F3", ""),
        ("start", "F4", "primary"),
        ("finish", "F5", "success"),
        ("no_show", "F6", ""),
        ("transfer", "F7", ""),
        ("call_number", "F8", ""),
    )
    PIN_MAX = 12
    NUMBER_MAX_DIGITS = 4

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient,
                 parent: QWidget | None = None, *, staff: StaffDirectory | None = None,
                 application_finder: ApplicationFinder | None = None, forms: FormSet | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterWindow")
        self.config, self.catalog, self.queue = config, catalog, queue
        self.staff = staff
        self.staff_member: StaffMember | None = None
        self.t = Translator(config.device.language)
        self.counters = building_counters(config, catalog)
        self.counter = next(iter(self.counters), 1)
        self.current: Ticket | None = None
        self._waiting: list[Ticket] = []
        self._pin = ""
        self._transfer_ticket: Ticket | None = None
        self._call_prefix: str | None = None
        self._call_digits = ""
        self.runner = TaskRunner("counter-queue", self)
        self._actions_in_flight = 0
        self._state_reader = Refresher(self.runner, self._read_state, on_done=self._show_state,
                                       on_error=lambda _exc: self._say(self.t("counter.queue_unavailable"), error=True))
        self.events = QueueEvents(queue, self)
        self.events.changed.connect(lambda _e: self.refresh())
        self.events.resynced.connect(self.refresh)

        pages = QStackedLayout(self)
        pages.setSizeConstraint(QStackedLayout.SizeConstraint.SetNoConstraint)
        self.pages = pages
        self.console = QWidget()
        self.console.setObjectName("console")
        root = QHBoxLayout(self.console)
        root.setSizeConstraint(QHBoxLayout.SizeConstraint.SetNoConstraint)  # type follows window size
        left = QVBoxLayout()
        top = QHBoxLayout()
        self.counter_label = label("", "sectionTitle", wrap=False)
        self.counter_picker = QComboBox()
        self.counter_picker.setObjectName("counterPicker")
        for number in self.counters:
            self.counter_picker.addItem(self._counter_name(number), number)
        self.counter_picker.currentIndexChanged.connect(self._counter_changed)
        self.staff_label = label("", "note", wrap=False)
        self.sign_out_button = button("", "", self.sign_out, name="signOutButton")
        self.sign_out_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        top.addWidget(self.counter_label)
        top.addWidget(self.counter_picker, 1)
        # The manager's performance panel (kiosk.ui.counter.manager): today's figures and the PDF report.
        self.manager: ManagerWindow | None = None
        self.performance_button = button("", "", self.open_performance, name="performanceButton")
        self.performance_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        top.addWidget(self.performance_button)
        top.addWidget(self.staff_label)
        top.addWidget(self.sign_out_button)
        self.staff_label.setVisible(staff is not None)
        self.sign_out_button.setVisible(staff is not None)
        left.addLayout(top)

        self.action_stack = QStackedWidget()
        self.action_stack.setObjectName("actionStack")
        self.work_page = QWidget()
        work = QVBoxLayout(self.work_page)
        work.setContentsMargins(0, 0, 0, 0)
        current = QFrame()
        current.setObjectName("current")
        current_box = QVBoxLayout(current)
        current_box.setSpacing(0)
        self.current_caption = label("", "caption")
        self.current_number = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.current_detail = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        # "Urungkan" for a no-show pressed by mistake (the citizen walks up a second later): shown where
        # the number was, for UNDO_SECONDS; puts the ticket back and calls it to this counter again.
        self.undo_button = button("", "", self.undo_no_show, name="undoNoShow")
        self.undo_button.hide()
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_SECONDS * 1000)
        self.undo_timer.timeout.connect(self._forget_undo)
        self._undoable: Ticket | None = None
        for widget in (self.current_caption, self.current_number, self.current_detail, self.undo_button):
            current_box.addWidget(widget)
        work.addWidget(current, 2)

        grid = QGridLayout()
        self.buttons = {}
        for i, (action, key, variant) in enumerate(self.ACTIONS):
            widget = button("", variant, lambda a=action: self.perform(a), name=action)
            self.buttons[action] = widget
            grid.addWidget(widget, i // 2, i % 2)
            QShortcut(QKeySequence(key), self, activated=lambda a=action: self._shortcut(a))
        # "Ask for a rating" after Finish: the survey on the citizen-facing screen (kiosk.ui.kiosk.survey).
        self.survey = CounterSurvey(config, catalog, self)
        self.survey.message.connect(self._say)
        QShortcut(QKeySequence("F9"), self, activated=self.survey.ask)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo_no_show)  # Ctrl+Z
        work.addLayout(grid)
        self.action_stack.addWidget(self.work_page)
        self.transfer_panel = self._build_transfer_panel()
        self.call_panel = self._build_call_panel()
        self.action_stack.addWidget(self.transfer_panel)
        self.action_stack.addWidget(self.call_panel)
        left.addWidget(self.action_stack, 1)
        self.message = label("", "message")
        left.addWidget(self.message)
        self.stats = label("", "note")
        left.addWidget(self.stats)

        right = QVBoxLayout()
        # The application the citizen filed at the kiosk, beside the ticket (hidden when there is none).
        self.application_panel = (ApplicationPanel(application_finder, forms, self.t)
                                  if application_finder is not None else None)
        if self.application_panel is not None:
            right.addWidget(self.application_panel, 2)
            self.events.changed.connect(self.application_panel.on_queue_event)
        self.waiting_title = label("", "sectionTitle")
        self.waiting_list = QListWidget()
        self.waiting_list.setObjectName("waitingList")
        right.addWidget(self.waiting_title)
        right.addWidget(self.waiting_list, 1)
        right.addWidget(self.survey.button)  # under the line: the left column has no room to spare
        root.addLayout(left, 3)
        root.addLayout(right, 2)
        # Gaps follow the window size like the type does (_apply_style): fixed 24/16 px gaps cut off
        # the last row of buttons on a 1366×768 monitor.
        self._gaps = ((root, 24, 24), (left, 12, 0), (work, 14, 0), (grid, 12, 0), (current_box, 0, 12))

        self.login_page = self._build_login_page()
        pages.addWidget(self.console)
        pages.addWidget(self.login_page)
        pages.setCurrentWidget(self.login_page if staff is not None else self.console)

        self._scale: Scale | None = None
        self._apply_style()
        self.retranslate()
        self.refresh()

    # -- building the panels ---------------------------------------------------------------------
    def _build_login_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("loginPage")
        row = QHBoxLayout(page)
        row.setContentsMargins(24, 24, 24, 24)
        row.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(14)
        self.login_title = label("", "sectionTitle")
        self.login_staff_caption = label("", "caption")
        self.staff_list = QListWidget()
        self.staff_list.setObjectName("staffList")
        for member in (self.staff.members if self.staff is not None else ()):
            item = QListWidgetItem(member.name)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setSizeHint(QSize(0, 80))  # a touch target, not a text line
            self.staff_list.addItem(item)
        self.login_counter_caption = label("", "caption")
        self.login_counter_picker = QComboBox()
        self.login_counter_picker.setObjectName("loginCounterPicker")
        for number in self.counters:
            self.login_counter_picker.addItem(self._counter_name(number), number)
        for widget in (self.login_title, self.login_staff_caption):
            left.addWidget(widget)
        left.addWidget(self.staff_list, 1)
        left.addWidget(self.login_counter_caption)
        left.addWidget(self.login_counter_picker)

        right = QVBoxLayout()
        right.setSpacing(14)
        self.pin_caption = label("", "caption")
        self.pin_display = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.pin_keypad = NumericKeypad()
        self.pin_keypad.setObjectName("pinKeypad")
        _even_columns(self.pin_keypad)
        self.pin_keypad.digit.connect(self._pin_digit)
        self.pin_keypad.backspace.connect(lambda: self._set_pin(self._pin[:-1]))
        self.pin_keypad.clear.connect(lambda: self._set_pin(""))
        self.sign_in_button = button("", "primary", self._sign_in, name="signInButton")
        self.login_message = label("", "message")
        self.login_message.setObjectName("message")
        for widget in (self.pin_caption, self.pin_display, self.pin_keypad, self.sign_in_button, self.login_message):
            right.addWidget(widget)
        right.addStretch(1)
        row.addLayout(left, 1)
        row.addLayout(right, 1)
        self._set_pin("")
        return page

    def _build_transfer_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("transferPanel")
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        self.transfer_title = label("", "sectionTitle")
        box.addWidget(self.transfer_title)
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        self.transfer_buttons: dict[str, QPushButton] = {}
        services = self.catalog.services if self.catalog is not None else ()
        for i, service in enumerate(services):
            widget = button("", "", lambda c=service.code: self._transfer(c), name=f"transfer-{service.code}")
            # long names clip rather than scroll sideways
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.transfer_buttons[service.code] = widget
            grid.addWidget(widget, i, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        box.addWidget(scroll, 1)
        self.transfer_cancel = button("", "", self.close_panel, name="transferCancel")
        box.addWidget(self.transfer_cancel)
        return panel

    def _build_call_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("callPanel")
        row = QHBoxLayout(panel)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.call_title = label("", "sectionTitle")
        self.call_hint = label("", "note")
        self.call_display = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.prefix_row = QHBoxLayout()
        self.prefix_row.setSpacing(12)
        self.prefix_buttons: dict[str, QPushButton] = {}
        self.call_go = button("", "primary", self._call_number, name="callNumberGo")
        self.call_cancel = button("", "", self.close_panel, name="callNumberCancel")
        for widget in (self.call_title, self.call_hint, self.call_display):
            left.addWidget(widget)
        left.addLayout(self.prefix_row)
        left.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.call_go)
        actions.addWidget(self.call_cancel)
        left.addLayout(actions)
        self.call_keypad = NumericKeypad()
        self.call_keypad.setObjectName("callKeypad")
        _even_columns(self.call_keypad)
        self.call_keypad.digit.connect(self._call_digit)
        self.call_keypad.backspace.connect(lambda: self._set_call(self._call_prefix, self._call_digits[:-1]))
        self.call_keypad.clear.connect(lambda: self._set_call(self._call_prefix, ""))
        row.addLayout(left, 2)
        row.addWidget(self.call_keypad, 3)
        return panel

    # -- signing in and out ----------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        """True when actions are allowed: no accounts configured, or a clerk is signed in."""
        return self.staff is None or self.staff_member is not None

    def _set_pin(self, pin: str) -> None:
        self._pin = pin
        self.pin_display.setText("●" * len(pin) if pin else "—")

    def _pin_digit(self, digit: str) -> None:
        if len(self._pin) < self.PIN_MAX:
            self._set_pin(self._pin + digit)

    def _login_say(self, text: str, error: bool = False) -> None:
        self.login_message.setText(text)
        restyle(self.login_message, "error", error)

    def _sign_in(self) -> None:
        staff, item = self.staff, self.staff_list.currentItem()
        if staff is None:
            return
        if item is None or not item.isSelected():
            self._login_say(self.t("counter.pick_staff"), error=True)
            return
        if not self._pin:
            self._login_say(self.t("counter.pin_empty"), error=True)
            return
        staff_id, pin = item.data(Qt.ItemDataRole.UserRole), self._pin
        self._set_pin("")
        self.sign_in_button.setEnabled(False)
        # scrypt is slow on purpose: keep it off the GUI thread
        self.runner.run(lambda: staff.sign_in(staff_id, pin), on_done=self._signed_in,
                        on_error=self._sign_in_failed)

    def _signed_in(self, member: StaffMember) -> None:
        self.sign_in_button.setEnabled(True)
        self.staff_member = member
        self._login_say("")
        index = self.login_counter_picker.currentIndex()
        if index >= 0 and index != self.counter_picker.currentIndex():
            self.counter_picker.setCurrentIndex(index)  # refreshes through _counter_changed
        self.counter_picker.setEnabled(False)  # no switching counters by accident
        self.staff_label.setText(self.t("counter.signed_in_as", name=member.name,
                                        counter=self._counter_name(self.counter)))
        self._say("")
        self.close_panel()
        self.pages.setCurrentWidget(self.console)
        self.refresh()

    def _sign_in_failed(self, exc: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        if isinstance(exc, WrongPin):
            self._login_say(self.t("counter.wrong_pin", left=exc.attempts_left), error=True)
        elif isinstance(exc, LockedOut):
            self._login_say(self.t("counter.locked", seconds=math.ceil(exc.seconds_left)), error=True)
        else:
            log.error("counter sign-in failed", exc_info=exc)
            self._login_say(self.t("counter.action_failed", reason=str(exc)), error=True)

    def sign_out(self) -> None:
        if self.staff is None:
            return
        self.staff_member = None
        self.close_panel()
        self._set_pin("")
        self._login_say("")
        self._say("")
        self.staff_label.setText("")
        self.staff_list.clearSelection()
        self.staff_list.setCurrentRow(-1)
        self.login_counter_picker.setCurrentIndex(self.counter_picker.currentIndex())
        self.counter_picker.setEnabled(True)
        self.pages.setCurrentWidget(self.login_page)
        self._show_current()

    # -- transfer and call-a-number panels -------------------------------------------------------
    def close_panel(self) -> None:
        self._transfer_ticket = None
        self.action_stack.setCurrentWidget(self.work_page)

    def open_transfer(self) -> None:
        ticket = self.current
        if ticket is None or ticket.state not in (TicketState.CALLED, TicketState.SERVING) or not self.signed_in:
            return
        self._transfer_ticket = ticket
        self.transfer_title.setText(self.t("counter.transfer_title", number=ticket.number))
        for code, widget in self.transfer_buttons.items():
            widget.setEnabled(code != ticket.service_code)
        self.action_stack.setCurrentWidget(self.transfer_panel)

    def _service_name(self, code: str) -> str:
        if self.catalog is not None:
            try:
                return self.catalog.service(code).name.get(self.t.lang)
            except KeyError:
                pass
        return code

    def _transfer(self, code: str) -> None:
        ticket = self._transfer_ticket
        if ticket is None or not self.signed_in:
            return
        actor, queue = self._actor, self.queue
        for widget in (*self.buttons.values(), *self.transfer_buttons.values()):
            widget.setEnabled(False)
        self._act(lambda: queue.transfer(ticket.id, code, actor=actor),
                  on_done=lambda moved: self._transferred(moved, code),
                  on_error=lambda exc: self._panel_failed("transfer", exc))

    def _transferred(self, ticket: Ticket, code: str) -> None:
        self.close_panel()
        self.current = None
        self._say(self.t("counter.did.transfer", number=ticket.number, service=self._service_name(code)))
        self._show_current()
        self.refresh()

    def _panel_failed(self, action: str, exc: BaseException) -> None:
        self.close_panel()
        self._failed(action, exc)

    def open_call_number(self) -> None:
        if not self.signed_in:
            return
        self._set_call(None, "")
        self._rebuild_prefixes()
        if len(self.prefix_buttons) == 1:
            self._set_call(next(iter(self.prefix_buttons)), "")
        self.action_stack.setCurrentWidget(self.call_panel)

    def _rebuild_prefixes(self) -> None:
        prefixes = sorted({ticket.number.split("-", 1)[0] for ticket in self._waiting if "-" in ticket.number})
        if prefixes == list(self.prefix_buttons):
            return
        for widget in self.prefix_buttons.values():
            self.prefix_row.removeWidget(widget)
            widget.deleteLater()
        self.prefix_buttons = {}
        for prefix in prefixes:
            widget = button(prefix, "", lambda p=prefix: self._set_call(p, self._call_digits), name=f"prefix{prefix}")
            self.prefix_buttons[prefix] = widget
            self.prefix_row.addWidget(widget)
        if self._call_prefix not in self.prefix_buttons:
            self._call_prefix = None
        self._set_call(self._call_prefix, self._call_digits)

    def _call_digit(self, digit: str) -> None:
        if len(self._call_digits) < self.NUMBER_MAX_DIGITS:
            self._set_call(self._call_prefix, self._call_digits + digit)

    @property
    def call_number_text(self) -> str:
        """The number being built, e.g. "A-012"; empty until a letter and a digit are chosen."""
        if not self._call_prefix or not self._call_digits:
            return ""
        return f"{self._call_prefix}-{(self._call_digits.lstrip('0') or '0').zfill(3)}"

    def _set_call(self, prefix: str | None, digits: str) -> None:
        self._call_prefix, self._call_digits = prefix, digits
        shown = self.call_number_text or f"{prefix or '?'}-{digits or '___'}"
        self.call_display.setText(shown)
        for code, widget in self.prefix_buttons.items():
            if widget.property("variant") != ("primary" if code == prefix else ""):
                restyle(widget, "variant", "primary" if code == prefix else "")
        self.call_go.setEnabled(bool(self.call_number_text) and not self._actions_in_flight)
        self.call_hint.setText(self.t("counter.call_number_hint") if self.prefix_buttons
                               else self.t("counter.no_prefixes"))

    def _call_number(self) -> None:
        number = self.call_number_text
        if not number or not self.signed_in:
            return
        counter, actor, queue = self.counter, self._actor, self.queue
        for widget in (*self.buttons.values(), self.call_go):
            widget.setEnabled(False)
        self._act(lambda: queue.call_specific(counter, number, actor=actor),
                  on_done=self._called_number, on_error=lambda exc: self._call_failed(number, exc))

    def _called_number(self, ticket: Ticket) -> None:
        self.close_panel()
        self.current = ticket
        self._say(self.t("counter.did.call_number", number=ticket.number))
        self._show_current()
        self.refresh()

    def _call_failed(self, number: str, exc: BaseException) -> None:
        if isinstance(exc, TicketNotFound):
            self._say(self.t("counter.not_found", number=number), error=True)
        elif isinstance(exc, IllegalTransition):
            self._say(self.t("counter.not_waiting", number=exc.ticket.number,
                             state=self.t(f"counter.state.{exc.current_state.value}")), error=True)
        else:
            self._failed("call_number", exc)
            return
        self.refresh()

    def _counter_name(self, number: int) -> str:
        return self.config.counter_label(number) or self.t("counter.counter_name", number=number)

    def _counter_changed(self, index: int) -> None:
        self.counter = self.counter_picker.itemData(index)
        self.current = None
        self.refresh()

    @property
    def services(self) -> tuple[str, ...]:
        return self.counters.get(self.counter, ())

    def retranslate(self) -> None:
        t = self.t
        self.counter_label.setText(t("counter.title"))
        self.waiting_title.setText(t("counter.waiting"))
        self.current_caption.setText(t("counter.current"))
        for action, key, _variant in self.ACTIONS:
            self.buttons[action].setText(f"{t(f'counter.action.{action}')}  [{key}]")
        self.sign_out_button.setText(t("counter.sign_out"))
        self.login_title.setText(t("counter.login_title"))
        self.login_staff_caption.setText(t("counter.login_staff"))
        self.login_counter_caption.setText(t("counter.login_counter"))
        self.pin_caption.setText(t("counter.login_pin"))
        self.sign_in_button.setText(t("counter.sign_in"))
        for keypad in (self.pin_keypad, self.call_keypad):
            keypad.retranslate(t("counter.keypad_clear"), t("keyboard.backspace"))
        for code, widget in self.transfer_buttons.items():
            widget.setText(f"{self._service_name(code)}  ({code})")
        self.transfer_cancel.setText(t("counter.cancel"))
        self.call_title.setText(t("counter.call_number_title"))
        self.call_go.setText(t("counter.call_go"))
        self.call_cancel.setText(t("counter.cancel"))
        self.survey.retranslate(t)
        self.performance_button.setText(t("report.screen.open_button"))
        self._set_call(self._call_prefix, self._call_digits)
        self._show_current()

    # -- actions -------------------------------------------------------------------------------
    def _shortcut(self, action: str) -> None:
        on_console = self.pages.currentWidget() is self.console
        if on_console and self.action_stack.currentWidget() is self.work_page and self.buttons[action].isEnabled():
            self.perform(action)

    def perform(self, action: str) -> None:
        """Run one clerk action on the worker; the result comes back through :meth:`_done`."""
        if not self.signed_in:
            return
        if action == "transfer":
            self.open_transfer()
            return
        if action == "call_number":
            self.open_call_number()
            return
        actor = self._actor  # read on the GUI thread, not in the job
        counter, services = self.counter, self.services
        jobs: dict[str, Callable[[], Ticket | None]] = {
            "call_next": lambda: self.queue.call_next(counter, services, actor=actor),
            "call_priority": lambda: self.queue.call_next(counter, services, actor=actor, priority_only=True),
        }
        if self.current is not None:
            ticket_id = self.current.id
            jobs.update({
                "recall": lambda: self.queue.recall(ticket_id, actor=actor),
                "start": lambda: self.queue.start(ticket_id, actor=actor),
                "finish": lambda: self.queue.finish(ticket_id, actor=actor),
                "no_show": lambda: self.queue.no_show(ticket_id, actor=actor),
            })
        if action not in jobs:
            return
        for widget in self.buttons.values():
            widget.setEnabled(False)
        self._act(jobs[action], on_done=lambda ticket: self._done(action, ticket),
                  on_error=lambda exc: self._failed(action, exc))

    def _act(self, job: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        """Run a clerk's action; the buttons wait for actions only, never for background re-reads
        (in a busy building those run all the time, and a click must not be swallowed by one)."""
        self._actions_in_flight += 1

        def finished(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def run(value: Any) -> None:
                self._actions_in_flight -= 1
                callback(value)
            return run

        self.runner.run(job, on_done=finished(on_done), on_error=finished(on_error))

    @property
    def _actor(self) -> str:
        """Who did it, for the audit trail: device, signed-in clerk (if accounts are used), counter."""
        if self.staff_member is not None:
            return f"{self.config.device.id}/{self.staff_member.id}/counter-{self.counter}"
        return f"{self.config.device.id}/counter-{self.counter}"

    def _done(self, action: str, ticket: Ticket | None) -> None:
        if action in ("call_next", "call_priority") and ticket is None:
            self._say(self.t("counter.nobody_waiting"))
        elif ticket is not None:
            self.current = None if ticket.state in (TicketState.DONE, TicketState.NO_SHOW) else ticket
            self._say(self.t(f"counter.did.{action}", number=ticket.number))
            if action == "finish":
                self.survey.offer(ticket)
            if action == "no_show":
                self._offer_undo(ticket)
            elif action in ("call_next", "call_priority"):
                self._forget_undo()
        self._show_current()  # the buttons follow the clerk's action at once, not after the next read
        self.refresh()

    def _offer_undo(self, ticket: Ticket) -> None:
        self._undoable = ticket
        self.undo_button.setText(self.t("counter.undo_no_show", number=ticket.number))
        self.undo_timer.start()
        self._show_undo(True)

    def _forget_undo(self) -> None:
        self._undoable = None
        self.undo_timer.stop()
        self._show_undo(False)

    def _show_undo(self, offered: bool) -> None:
        """The undo takes the place of the (empty) current number, so the action buttons keep their room."""
        self.undo_button.setVisible(offered)
        self.current_number.setVisible(not offered)
        self.current_detail.setVisible(not offered)

    def undo_no_show(self) -> None:
        """Back in line with its arrival time, then called to this counter again (the board says it again)."""
        ticket, self._undoable = self._undoable, None
        self._forget_undo()
        if ticket is None or self.current is not None:
            return
        actor, counter, queue = self._actor, self.counter, self.queue

        def job() -> Ticket:
            queue.reactivate(ticket.id, actor=actor)
            return queue.call_specific(counter, ticket.number, actor=actor)

        for widget in self.buttons.values():
            widget.setEnabled(False)
        self._act(job, on_done=lambda called: self._done("undo_no_show", called),
                  on_error=lambda exc: self._failed("undo_no_show", exc))

    def _failed(self, action: str, exc: BaseException) -> None:
        if isinstance(exc, QueueError):
            self._say(self.t("counter.action_failed", reason=str(exc)), error=True)
        else:
            log.error("counter action %s failed", action, exc_info=exc)
            self._say(self.t("counter.queue_unavailable"), error=True)
        self._show_current()
        self.refresh()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # -- refresh -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._state_reader.request()

    def _read_state(self) -> tuple[list[Ticket], Ticket | None, dict]:
        services, counter = self.services, self.counter
        return self.queue.waiting(services), self.queue.current_at(counter), self.queue.counter_stats(counter)

    def _show_state(self, state: tuple[list[Ticket], Ticket | None, dict]) -> None:
        waiting, current, stats = state
        self.current = current
        self._waiting = list(waiting)
        if self.action_stack.currentWidget() is self.call_panel:
            self._rebuild_prefixes()
        self.waiting_list.clear()
        now = datetime.now(UTC)
        for ticket in waiting:
            text = ticket.number
            if ticket.priority is not None:
                text = f"★ {ticket.number}  {self.t(f'priority.group.{ticket.priority.value}')}"
            waited = int((now - ticket.arrived_at).total_seconds() // 60)
            item = QListWidgetItem(f"{text}   · {ticket.service_code} · {self.t('counter.waited', n=waited)}")
            if ticket.priority is not None:
                item.setData(Qt.ItemDataRole.UserRole, "priority")
            self.waiting_list.addItem(item)
        if not waiting:
            self.waiting_list.addItem(self.t("counter.empty_line"))
        self.waiting_title.setText(self.t("counter.waiting_count", count=len(waiting)))
        mean = stats.get("mean_service_minutes")
        self.stats.setText(self.t("counter.stats", served=stats.get("served", 0),
                                  mean=self.t("counter.mean_minutes", n=f"{mean:.0f}") if mean is not None
                                  else self.t("counter.no_mean")))
        self._show_current()

    def _show_current(self) -> None:
        ticket, t = self.current, self.t
        called = ticket is not None and ticket.state == TicketState.CALLED
        self.current_caption.setText(t("counter.called_caption") if called else t("counter.current"))
        if ticket is None:
            self.current_number.setText("—")
            self.current_detail.setText(t("counter.no_current"))
        else:
            self.current_number.setText(ticket.number)
            # At most three short lines under the number: with five, the buttons below were cut off
            # on a 1366×768 or 1600×900 monitor (tests/gui/test_counter_display.py checks the fit).
            marks = ["★ " + t(f"priority.group.{ticket.priority.value}")] if ticket.priority is not None else []
            if ticket.recalls:
                marks.append(t("counter.recalls", n=ticket.recalls))
            lines = [f"{ticket.service_code} · {t(f'counter.state.{ticket.state.value}')}", " · ".join(marks)]
            if ticket.identity_status == "to_verify_at_counter":
                lines.append(t("counter.verify_identity", nik=ticket.nik_masked or "—"))
            self.current_detail.setText("\n".join(line for line in lines if line))
        if self.application_panel is not None:
            self.application_panel.show_ticket(ticket)
        state = ticket.state if ticket is not None else None
        busy = self._actions_in_flight > 0
        idle = state is None or state in (TicketState.DONE, TicketState.NO_SHOW)
        self.buttons["call_next"].setEnabled(not busy and idle)
        self.buttons["call_priority"].setEnabled(not busy and idle)
        self.buttons["recall"].setEnabled(not busy and state == TicketState.CALLED)
        self.buttons["start"].setEnabled(not busy and state == TicketState.CALLED)
        self.buttons["finish"].setEnabled(not busy and state == TicketState.SERVING)
        self.buttons["no_show"].setEnabled(not busy and state == TicketState.CALLED)
        in_hand = state in (TicketState.CALLED, TicketState.SERVING)
        self.buttons["transfer"].setEnabled(not busy and in_hand and bool(self.transfer_buttons))
        self.buttons["call_number"].setEnabled(not busy and idle)
        if not self.signed_in:
            for widget in self.buttons.values():
                widget.setEnabled(False)
        panel = self.action_stack.currentWidget()
        if panel is self.transfer_panel and (ticket is None or self._transfer_ticket is None
                                             or ticket.id != self._transfer_ticket.id or not in_hand):
            self.close_panel()  # the ticket moved on meanwhile (finished at another console, say)
        elif panel is self.transfer_panel and not busy:
            for code, widget in self.transfer_buttons.items():
                widget.setEnabled(code != ticket.service_code)
        elif panel is self.call_panel:
            if not idle:
                self.close_panel()
            else:
                self.call_go.setEnabled(not busy and bool(self.call_number_text))

    def _apply_style(self) -> None:
        # Designed for a 1600×900 area; a wide but low window (the demo) still gets readable type.
        scale = Scale(unit=min((self.width() or 1600) / 1600, (self.height() or 900) / 900))
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(console_style(scale))
            for layout, gap, margin in self._gaps:
                layout.setSpacing(scale.px(gap) if gap else 0)
                layout.setContentsMargins(*[scale.px(margin)] * 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def open_performance(self) -> None:
        if self.manager is None:
            self.manager = ManagerWindow(self.config)
            self.manager.setWindowTitle(self.t("report.screen.title"))
            self.manager.resize(1400, 900)
        self.manager.show()
        self.manager.refresh()

    def shutdown(self) -> None:
        self.undo_timer.stop()
        self.events.close()
        self.survey.shutdown()
        if self.manager is not None:
            self.manager.shutdown()
            self.manager.close()
            self.manager.deleteLater()
            self.manager = None
        if self.application_panel is not None:
            self.application_panel.shutdown()
        self.runner.stop()
