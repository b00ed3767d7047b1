"""Kiosk lockdown and the admin door: the corner gesture, the PIN pad, the admin menu.

A kiosk or lobby display runs fullscreen and frameless and ignores close requests (the window
manager's close button, Alt-F4): only the admin menu's "exit to desktop" or "restart" ends it.
Five taps in the top-left corner within three seconds open the admin PIN pad (see
:class:`kiosk.staff.admin_gate.CornerTaps`); the PIN is checked off the GUI thread (scrypt) with a lockout
after wrong PINs (:class:`kiosk.staff.admin_gate.AdminGate`). The menu leads to diagnostics, setup, reprint,
sync now, exit and restart. Panels of other areas plug in through :data:`MENU_ENTRIES`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.setup.actions import SyncJobs
from kiosk.staff.admin_gate import EXIT_RESTART, EXIT_TO_DESKTOP, AdminGate, Attempt, CornerTaps
from kiosk.ui.admin.diagnostics import DiagnosticsPage, VoiceProbe
from kiosk.ui.admin.setup_wizard import SetupWizard
from kiosk.ui.admin.style import admin_style
from kiosk.ui.admin.sync_status import SyncStatusPanel
from kiosk.ui.qt.application import running_application
from kiosk.ui.qt.printing import ReprintWidget
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale
from kiosk.ui.qt.widgets import NumericKeypad, button, label

log = logging.getLogger(__name__)


# -- lockdown and the gesture -----------------------------------------------------------------

class Lockdown(QObject):
    """Keeps one window up: closing is refused until :meth:`release`; taps in its top-left corner
    are counted toward the admin gesture.

    An application-wide event filter, so it sees taps on any child widget and close requests before
    the window's own ``closeEvent``.
    """

    admin_requested = Signal()

    def __init__(self, window: QWidget, *, lock_close: bool, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self.lock_close = lock_close
        self.taps = CornerTaps()
        self._clock = clock
        self._last_press: tuple[int, int, int] | None = None
        running_application().installEventFilter(self)

    @staticmethod
    def apply_kiosk_flags(window: QWidget) -> None:
        """Frameless and on top: no title bar to close, nothing of the desktop peeking through."""
        window.setWindowFlags(window.windowFlags() | Qt.WindowType.FramelessWindowHint
                              | Qt.WindowType.WindowStaysOnTopHint)

    def release(self) -> None:
        """Let the window close (admin exit, shutdown)."""
        self.lock_close = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:
        kind = ev.type()
        if kind == QEvent.Type.Close and watched is self.window and self.lock_close:
            log.info("close request on the locked-down %s ignored (use the admin menu)", self.window.objectName())
            ev.ignore()
            return True
        if kind == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget) and isinstance(ev, QMouseEvent):
            global_point = ev.globalPosition().toPoint()
            seen = (ev.timestamp(), global_point.x(), global_point.y())
            if watched.window() is self.window and seen != self._last_press:
                self._last_press = seen  # an unaccepted press travels up to the parents: count it once
                point = self.window.mapFromGlobal(global_point)
                if self.taps.tap(point.x(), point.y(), self.window.width(), self.window.height(), self._clock()):
                    log.info("admin gesture on %s", self.window.objectName())
                    self.admin_requested.emit()
        return False


# -- pages --------------------------------------------------------------------------------

class PinPage(QWidget):
    """The admin PIN pad: digits shown as dots, checked on a worker thread.

    It says nothing about which PIN is in use (anyone can open it with five taps); the warning
    that the demo PIN still works is on the menu, after sign-in."""

    accepted = Signal()
    cancelled = Signal()

    def __init__(self, gate: AdminGate, runner: TaskRunner, t: Translator) -> None:
        super().__init__()
        self.gate, self.runner, self.t = gate, runner, t
        self.pin = ""
        self._checking = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 40, 60, 40)
        outer.setSpacing(18)
        self.title = label("", "adminTitle", align=Qt.AlignmentFlag.AlignCenter)
        self.hint = label("", "adminNote", align=Qt.AlignmentFlag.AlignCenter)
        self.dots = label("", "pinDots", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.message = label("", "adminMessage", align=Qt.AlignmentFlag.AlignCenter)
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self.type_digit)
        self.keypad.backspace.connect(self._backspace)
        self.keypad.clear.connect(self.clear)
        self.enter_button = button("", "primary", self.submit, name="pinEnter")
        self.cancel_button = button("", "", self.cancelled.emit, name="pinCancel")
        for widget in (self.title, self.hint, self.dots, self.message):
            outer.addWidget(widget)
        outer.addWidget(self.keypad, 1)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addWidget(self.enter_button)
        outer.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("admin.pin.title"))
        self.hint.setText(t("admin.pin.hint"))
        self.enter_button.setText(t("admin.pin.enter"))
        self.cancel_button.setText(t("admin.pin.cancel"))
        self.keypad.retranslate(t("admin.pin.clear"), t("admin.pin.backspace"))

    def reset(self) -> None:
        self.pin = ""
        self._show_message("", error=False)
        self._update()

    def type_digit(self, digit: str) -> None:
        if len(self.pin) < 8 and not self._checking:
            self.pin += digit
            self._update()

    def _backspace(self) -> None:
        self.pin = self.pin[:-1]
        self._update()

    def clear(self) -> None:
        self.pin = ""
        self._update()

    def _update(self) -> None:
        self.dots.setText("●" * len(self.pin) or " ")
        self.enter_button.setEnabled(len(self.pin) >= 4 and not self._checking)

    def submit(self) -> None:
        if self._checking or len(self.pin) < 4:
            return
        pin, self.pin = self.pin, ""
        self._checking = True
        self._show_message(self.t("admin.pin.checking"), error=False)
        self._update()
        self.runner.run(lambda: self.gate.try_pin(pin), self._answered, self._failed)

    def _answered(self, attempt: Attempt) -> None:
        self._checking = False
        self._update()
        if attempt.result == "ok":
            self._show_message("", error=False)
            self.accepted.emit()
        elif attempt.result == "wrong":
            self._show_message(self.t("admin.pin.wrong", count=attempt.attempts_left), error=True)
        else:
            self._show_message(self.t("admin.pin.locked", count=round(attempt.seconds_left)), error=True)

    def _failed(self, exc: BaseException) -> None:
        self._checking = False
        self._update()
        log.error("admin PIN check failed", exc_info=exc)
        self._show_message(str(exc), error=True)

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


@dataclass(frozen=True)
class MenuEntry:
    """One admin menu button. ``make_page(panel)`` returns the page to show (or None when the
    action is done in place); ``available()`` hides the entry when this build lacks it."""

    key: str
    text_key: str
    make_page: Callable[[AdminPanel], QWidget | None]
    available: Callable[[], bool] = lambda: True
    variant: str = "menu"


def _diagnostics_page(panel: AdminPanel) -> QWidget:
    page = DiagnosticsPage(panel.config, panel.t, voice=panel.voice_result)
    page.run()
    return page


def _setup_page(panel: AdminPanel) -> QWidget:
    wizard = SetupWizard(panel.config, panel.config_path, panel.t)
    wizard.cancelled.connect(panel.show_menu)
    return wizard


def _reprint_page(panel: AdminPanel) -> QWidget | None:
    return ReprintWidget(panel.config, panel.t)


def _sync_page(panel: AdminPanel) -> QWidget | None:
    """The sync area's status panel ("send now", retry) over this device's outbox."""
    try:
        jobs = SyncJobs(panel.config)
    except Exception as exc:
        log.warning("sync page unavailable: %s", exc)
        panel.menu.show_message(panel.t("admin.menu.unavailable"), error=True)
        return None
    page = SyncStatusPanel(jobs.status, sync_now=jobs.sync_now, requeue=jobs.requeue, t=panel.t)
    page.destroyed.connect(lambda *_: jobs.close())
    page.refresh()
    return page


MENU_ENTRIES: list[MenuEntry] = [
    MenuEntry("diagnostics", "admin.menu.diagnostics", _diagnostics_page),
    MenuEntry("setup", "admin.menu.setup", _setup_page),
    MenuEntry("reprint", "admin.menu.reprint", _reprint_page),
    MenuEntry("sync", "admin.menu.sync", _sync_page),
]


class MenuPage(QWidget):
    def __init__(self, panel: AdminPanel) -> None:
        super().__init__()
        self.panel = panel
        t = panel.t
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 40, 60, 40)
        outer.setSpacing(16)
        outer.addWidget(label(t("admin.menu.title"), "adminTitle"))
        config = panel.config
        outer.addWidget(label(t("admin.menu.device", device=config.device.id, role=panel.role,
                                version=__version__), "adminNote"))
        self.buttons: dict[str, QWidget] = {}
        for entry in MENU_ENTRIES:
            if not entry.available():
                continue
            widget = button(t(entry.text_key), entry.variant, functools.partial(panel.open_entry, entry),
                            name=f"menu_{entry.key}")
            self.buttons[entry.key] = widget
            outer.addWidget(widget)
        self.message = label("", "adminMessage")
        outer.addWidget(self.message)
        self.demo_pin_warning = label(t("admin.pin.demo"), "adminMessage")
        self.demo_pin_warning.setProperty("error", True)
        self.demo_pin_warning.setVisible(panel.gate.uses_demo_pin)
        outer.addWidget(self.demo_pin_warning)
        outer.addStretch(1)
        # Side by side when they fit (landscape), one under the other when not (portrait 1080 px
        # clipped all three labels).
        self.action_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.action_row.setSpacing(16)
        for key, text_key, variant, action in (
                ("exit", "admin.menu.exit", "danger", panel.exit_to_desktop),
                ("restart", "admin.menu.restart", "", panel.restart),
                ("close", "admin.menu.close", "primary", panel.close_panel)):
            widget = button(t(text_key), variant, action, name=f"menu_{key}")
            self.buttons[key] = widget
            self.action_row.addWidget(widget)
        outer.addLayout(self.action_row)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        room = self.width() - self.outer.contentsMargins().left() - self.outer.contentsMargins().right()
        keys = ("exit", "restart", "close")
        needed = sum(self.buttons[k].sizeHint().width() for k in keys) + self.action_row.spacing() * (len(keys) - 1)
        self.action_row.setDirection(QBoxLayout.Direction.LeftToRight if needed <= room
                                     else QBoxLayout.Direction.TopToBottom)

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


class AdminPanel(QFrame):
    """Covers its host window: PIN pad first, then the menu and its pages."""

    exit_requested = Signal(int)  # the process exit code

    def __init__(self, host: QWidget, config: Config, role: str, gate: AdminGate, *,
                 config_path: Path | None = None, voice_result: VoiceProbe | None = None) -> None:
        super().__init__(host)
        self.setObjectName("adminPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.config, self.role, self.gate = config, role, gate
        self.config_path = config_path
        self.voice_result = voice_result
        self.t = Translator(config.device.language)
        self.runner = TaskRunner("admin", self)
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.pin_page = PinPage(gate, self.runner, self.t)
        self.pin_page.accepted.connect(self.show_menu)
        self.pin_page.cancelled.connect(self.close_panel)
        self.stack.addWidget(self.pin_page)
        self.menu: MenuPage = MenuPage(self)
        self.stack.addWidget(self.menu)
        self._page: QWidget | None = None  # the holder: the page and a Back button under it
        self._inner_page: QWidget | None = None
        self._back: QWidget | None = None
        self._scale: Scale | None = None
        self.hide()

    def open(self) -> None:
        """Show the PIN pad over the host window."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._restyle()
        self.pin_page.reset()
        self.stack.setCurrentWidget(self.pin_page)
        self.show()
        self.raise_()

    def _restyle(self) -> None:
        scale = Scale.for_size(self.width(), self.height())
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(admin_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._restyle()

    def show_menu(self) -> None:
        self._drop_page()
        self.menu.show_message("", error=False)
        self.stack.setCurrentWidget(self.menu)

    def open_entry(self, entry: MenuEntry) -> None:
        page = entry.make_page(self)
        if page is None:
            return
        self._drop_page()
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(page, 1)
        box.addWidget(button(self.t("admin.menu.back"), "", self.show_menu, name="adminBack"))
        self._page, self._inner_page = holder, page
        self.stack.addWidget(holder)
        self.stack.setCurrentWidget(holder)

    @property
    def page(self) -> QWidget | None:
        """The page open from the menu (diagnostics, setup...), or None."""
        return self._inner_page

    def _drop_page(self) -> None:
        if self._page is None:
            return
        inner = self.page
        if inner is not None and hasattr(inner, "shutdown"):
            inner.shutdown()
        elif inner is not None:
            inner.close()  # pages that end their work in closeEvent (the printing area's reprint page)
        self.stack.removeWidget(self._page)
        self._page.deleteLater()
        self._page = self._inner_page = None

    def close_panel(self) -> None:
        self._drop_page()
        self.pin_page.reset()
        self.hide()

    def exit_to_desktop(self) -> None:
        log.info("admin: exit to desktop")
        self.exit_requested.emit(EXIT_TO_DESKTOP)

    def restart(self) -> None:
        log.info("admin: restart requested (exit code %d)", EXIT_RESTART)
        self.exit_requested.emit(EXIT_RESTART)

    def shutdown(self) -> None:
        self._drop_page()
        self.runner.stop()


class AdminDoor:
    """Lockdown plus the admin panel on one window; what :class:`~kiosk.ui.app.RoleWindows` keeps."""

    def __init__(self, window: QWidget, config: Config, role: str, gate: AdminGate, *, lock_close: bool,
                 config_path: Path | None = None, voice_result: VoiceProbe | None = None,
                 on_exit: Callable[[int], None] | None = None, before_open: Callable[[], None] | None = None) -> None:
        self.window = window
        self.lockdown = Lockdown(window, lock_close=lock_close)
        self.panel = AdminPanel(window, config, role, gate, config_path=config_path, voice_result=voice_result)
        self._before_open = before_open
        self.lockdown.admin_requested.connect(self.open)
        self.panel.exit_requested.connect(self._exit)
        self._on_exit = on_exit

    def open(self) -> None:
        if self.panel.isVisible():
            return
        if self._before_open is not None:
            self._before_open()  # e.g. wipe the citizen's session: nothing of theirs stays behind
        self.panel.open()

    def _exit(self, code: int) -> None:
        self.lockdown.release()
        if self._on_exit is not None:
            self._on_exit(code)
        else:
            app = QApplication.instance()
            if app is not None:
                app.exit(code)

    def shutdown(self) -> None:
        self.lockdown.release()
        self.panel.shutdown()
