"""Starting the Qt side: the application object, the windows of a role, and crash recovery.

The windows are handed what they work with (queue, stores, clients, services): the composition
root (:mod:`kiosk.core`) builds it, this module passes it on.

An unexpected exception in a slot is logged and sends the kiosk back to its welcome screen: a
citizen never sees a traceback, and the next citizen finds a working kiosk.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core import COUNTER_ROLES, KIOSK_ROLES, Core, RoleParts, build_role_parts, open_sync
from kiosk.ui.admin.menu import AdminDoor, Lockdown
from kiosk.ui.admin.qt_checks import voice_finding
from kiosk.ui.admin.sync_status import DemoCentralPanel
from kiosk.ui.board.announcer import make_announcer
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.application import application
from kiosk.ui.qt.background_sync import BackgroundSync
from kiosk.ui.qt.speech import Speaker

log = logging.getLogger(__name__)


class RoleWindows:
    """The windows one role shows, with one way to stop them all.

    ``parts`` come from :func:`kiosk.core.build_role_parts` (built here when not given); the stores
    they and ``core`` hold are closed by their owner (``core.close()``), after the windows.
    """

    def __init__(self, core: Core, role: str, speaker: Speaker, parts: RoleParts | None = None) -> None:
        self.kiosk: KioskWindow | None = None
        self.counter: CounterWindow | None = None
        self.display: DisplayWindow | None = None
        self.admin_doors: list[AdminDoor] = []
        self.parts = parts if parts is not None else build_role_parts(core, role)
        config, catalog, queue = core.config, core.catalog, core.queue
        if role in KIOSK_ROLES:
            self.kiosk = KioskWindow(config, catalog, queue, speaker, applications=self.parts.applications,
                                     survey_store=core.survey, face_services=self.parts.face_services)
            self.kiosk.setWindowTitle(f"{config.site.name} — Kiosk")
        if role in COUNTER_ROLES:
            # The application a citizen filed opens beside the ticket: the kiosk attached it to the
            # ticket in the queue, and the console reads it from there (the queue host on a LAN, the
            # in-process queue in the demo); the forms only label the answers.
            self.counter = CounterWindow(config, catalog, queue, staff=core.staff,
                                         application_finder=queue.application_of, forms=self.parts.forms,
                                         survey_store=core.survey)
            self.counter.setWindowTitle(f"{config.site.name} — Loket")
        if role in ("display", "all-in-one"):
            announcer = make_announcer(config, speaker)
            self.display = DisplayWindow(config, catalog, queue, announcer)
            self.display.setWindowTitle(f"{config.site.name} — Layar antrean")

    @property
    def windows(self) -> list[QWidget]:
        return [w for w in (self.kiosk, self.counter, self.display) if w is not None]

    def show(self, *, fullscreen: bool) -> None:
        screen = QGuiApplication.primaryScreen().availableGeometry()
        if len(self.windows) == 1:
            window = self.windows[0]
            if fullscreen and not isinstance(window, CounterWindow):
                Lockdown.apply_kiosk_flags(window)  # frameless, on top; closing is refused (install_admin)
                window.showFullScreen()
            else:
                window.resize(min(1920, screen.width()), min(1080, screen.height()))
                if isinstance(window, KioskWindow):
                    height = int(screen.height() * 0.92)
                    window.resize(height * 9 // 16, height)
                window.show()
            return
        # One machine, several roles (the demo): kiosk portrait on the left, console and board right.
        height = int(screen.height() * 0.92)
        kiosk_width = height * 9 // 16
        right_x = screen.x() + kiosk_width + 30
        right_width = max(640, screen.width() - kiosk_width - 40)
        counter_height = height * 11 // 20
        if self.kiosk is not None:
            self.kiosk.setGeometry(screen.x() + 10, screen.y() + 30, kiosk_width, height)
            self.kiosk.show()
        if self.counter is not None:
            self.counter.setGeometry(right_x, screen.y() + 30, right_width, counter_height)
            self.counter.show()
        if self.display is not None:
            self.display.setGeometry(right_x, screen.y() + 30 + counter_height + 20, right_width,
                                     height - counter_height - 20)
            self.display.show()

    def install_admin(self, core: Core, role: str, speaker: Speaker, *, lock_close: bool) -> None:
        """The admin gesture on the kiosk and the lobby board; with ``lock_close`` they also ignore
        close requests (Alt-F4, the window manager) until the admin menu exits."""
        from kiosk.config.site_file import setup_target
        from kiosk.staff.admin_gate import AdminGate

        source = Path(core.config.source)
        config_path = source if source.is_file() else setup_target(None)
        gate = AdminGate.from_config(core.config)

        voice = functools.partial(voice_finding, core.config, speaker)  # the kiosk's own speaker
        for window in (self.kiosk, self.display):
            if window is None:
                continue
            wipe = window.wipe if isinstance(window, KioskWindow) else None
            self.admin_doors.append(AdminDoor(window, core.config, role, gate, lock_close=lock_close,
                                              config_path=config_path, voice_result=voice, before_open=wipe))

    def release_lockdown(self) -> None:
        """Let the windows close (the service is being stopped)."""
        for door in self.admin_doors:
            door.lockdown.release()

    def shutdown(self) -> None:
        for door in self.admin_doors:
            door.shutdown()
        for window in (self.kiosk, self.counter, self.display):
            if window is not None:
                window.shutdown()
                window.close()
                window.deleteLater()


def install_recovery(kiosk: KioskWindow | None) -> Callable[[], None]:
    """Log uncaught exceptions and return the kiosk to welcome; returns a function to undo it."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error; returning to the welcome screen", exc_info=(kind, value, tb))
        if kiosk is not None:
            try:
                kiosk.recover()
            except Exception:
                log.exception("recovery to the welcome screen failed")

    sys.excepthook = hook

    def undo() -> None:
        sys.excepthook = previous

    return undo


def run_gui(core: Core, role: str, *, demo: bool, windowed: bool, demo_central: object | None = None) -> int:
    """Show the role's windows until the app quits. ``demo_central``: the demo's own central API."""
    app = application()
    speaker = Speaker(enabled=core.config.kiosk.speech == "auto")
    windows = RoleWindows(core, role, speaker, build_role_parts(core, role))
    sync, demo_panel = _start_sync(core, role, demo_central)
    undo_hook = install_recovery(windows.kiosk)
    fullscreen = core.config.device.fullscreen and not windowed and not demo
    windows.show(fullscreen=fullscreen)
    windows.install_admin(core, role, speaker, lock_close=fullscreen)
    if windows.kiosk is not None:  # voices load after the first frame: start-up stays fast
        windows.kiosk.first_frame.connect(lambda: QTimer.singleShot(0, speaker.load))
    else:
        QTimer.singleShot(0, speaker.load)
    if demo:
        log.info("demo running: kiosk, counter console and lobby display in one process, offline")
    stop_on_sigterm(app, before_quit=windows.release_lockdown)
    try:
        return app.exec()
    finally:
        undo_hook()
        windows.shutdown()
        if demo_panel is not None:
            demo_panel.shutdown()
        if sync is not None:
            sync.shutdown()
        speaker.shutdown()


def _start_sync(core: Core, role: str, demo_central: object | None
                ) -> tuple[BackgroundSync | None, DemoCentralPanel | None]:
    """Background sync on machines that file applications (kiosk roles) when a central API is set;
    the demo also gets its window to unplug that API. A sync that cannot start leaves the kiosk
    running offline and says why in the log."""
    if role not in KIOSK_ROLES or not core.config.central.api_url:
        return None, None
    try:
        sync = BackgroundSync(open_sync(core.config))
    except Exception as exc:  # a damaged store or key file: IT must act, citizens still get tickets
        log.error("applications will wait on this device, sync cannot start: %s", exc)
        return None, None
    panel = None
    if demo_central is not None:
        panel = DemoCentralPanel(demo_central, sync, core.config.device.language)
        panel.resize(900, 1000)
        panel.show()
    return sync, panel


def stop_on_sigterm(app: QApplication, before_quit: Callable[[], None] | None = None) -> None:
    """Quit cleanly on SIGTERM (systemd stopping the service): queue and speech threads end in order.

    Python runs signal handlers only when it gets control, so a timer hands it control twice a second.
    ``before_quit`` lifts the kiosk lockdown first: Qt 6's quit() asks every window to close and
    gives up when one refuses.
    """

    def stop(*_: object) -> None:
        if before_quit is not None:
            before_quit()
        app.quit()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(500)
