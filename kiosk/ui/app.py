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
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core import (
    COUNTER_ROLES,
    KIOSK_ROLES,
    ComplaintDeskParts,
    Core,
    RoleParts,
    build_complaint_desk,
    build_role_parts,
    open_heartbeat,
    open_sync,
)
from kiosk.ui.admin.menu import AdminDoor, Lockdown
from kiosk.ui.admin.qt_checks import voice_finding
from kiosk.ui.admin.sync_status import DemoCentralPanel
from kiosk.ui.board.announcer import make_announcer
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.complaints.window import ComplaintConsole
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.application import application
from kiosk.ui.qt.background_sync import BackgroundSync
from kiosk.ui.qt.speech import Speaker

log = logging.getLogger(__name__)


GAP = 10         # between windows and to the screen's edges
TITLE_ROOM = 30  # above the windows, for a window manager's title bars
BOARD_MIN = QSize(480, 270)  # below this the board is no use in the demo: it overlaps instead


@dataclass(frozen=True)
class DemoPlacement:
    kiosk: QRect | None
    counter: QRect | None
    board: QRect | None
    overlaps: tuple[str, ...]  # what covers what when the screen is too small (logged)


def demo_placement(screen: QRect, *, kiosk: bool, counter_min: QSize | None, board: bool) -> DemoPlacement:
    """Where the one-machine demo puts its windows on ``screen`` (the available area).

    The kiosk in portrait on the left; on the right the counter console at least at its minimum size
    (its buttons overlap below it, issue 17) and the board in the rest of the column. Only when the
    screen is too small do windows overlap: the console then covers the kiosk's right edge or the
    board's top (the console is shown on top), and ``overlaps`` says so for the log.
    """
    top, height = screen.y() + TITLE_ROOM, screen.height() - TITLE_ROOM - GAP
    right_edge = screen.x() + screen.width() - GAP
    kiosk_box = QRect(screen.x() + GAP, top, height * 9 // 16, height) if kiosk else None
    column_x = kiosk_box.right() + 1 + GAP if kiosk_box is not None else screen.x() + GAP
    column_width = max(BOARD_MIN.width(), right_edge - column_x)
    overlaps: list[str] = []
    counter_box = None
    if counter_min is not None:
        width = max(counter_min.width(), column_width)
        counter_box = QRect(min(column_x, right_edge - width), top,
                            width, max(counter_min.height(), height * 11 // 20))
        if kiosk_box is not None and counter_box.left() <= kiosk_box.right():
            overlaps.append(f"the console covers the kiosk's right {kiosk_box.right() + 1 - counter_box.left()} px")
    board_box = None
    if board:
        board_top = counter_box.bottom() + 1 + GAP if counter_box is not None else top
        board_height = top + height - board_top
        if board_height < BOARD_MIN.height():
            board_height = min(BOARD_MIN.height(), height)
            board_top = top + height - board_height
            if counter_box is not None:
                overlaps.append(f"the board's top {counter_box.bottom() + 1 - board_top} px under the console")
        board_box = QRect(column_x, board_top, column_width, board_height)
    return DemoPlacement(kiosk_box, counter_box, board_box, tuple(overlaps))


class RoleWindows:
    """The windows one role shows, with one way to stop them all.

    ``parts`` come from :func:`kiosk.core.build_role_parts` (built here when not given); the stores
    they and ``core`` hold are closed by their owner (``core.close()``), after the windows.
    """

    def __init__(self, core: Core, role: str, speaker: Speaker, parts: RoleParts | None = None) -> None:
        self.kiosk: KioskWindow | None = None
        self.counter: CounterWindow | None = None
        self.display: DisplayWindow | None = None
        self.complaints: ComplaintConsole | None = None
        self.complaint_parts: ComplaintDeskParts | None = None
        self.admin_doors: list[AdminDoor] = []
        self.parts = parts if parts is not None else build_role_parts(core, role)
        config, catalog, queue = core.config, core.catalog, core.queue
        if role in KIOSK_ROLES:
            self.kiosk = KioskWindow(config, catalog, queue, speaker, applications=self.parts.applications,
                                     survey_store=core.survey, face_services=self.parts.face_services,
                                     complaints=self.parts.complaints)
            self.kiosk.setWindowTitle(f"{config.site.name} — Kiosk")
        if role in COUNTER_ROLES:
            # The application a citizen filed opens beside the ticket: the kiosk attached it to the
            # ticket in the queue, and the console reads it from there (the queue host on a LAN, the
            # in-process queue in the demo); the forms only label the answers.
            self.counter = CounterWindow(config, catalog, queue, staff=core.staff,
                                         application_finder=queue.application_of, forms=self.parts.forms,
                                         survey_store=core.survey, complaints=self.parts.complaints)
            self.counter.setWindowTitle(f"{config.site.name} — Loket")
        if role in ("display", "all-in-one"):
            announcer = make_announcer(config, speaker)
            self.display = DisplayWindow(config, catalog, queue, announcer)
            self.display.setWindowTitle(f"{config.site.name} — Layar antrean")
        if role == "complaints":  # the complaint officer's desk: the central API's complaints, no queue
            self.complaint_parts = build_complaint_desk(config)
            self.complaints = ComplaintConsole(self.complaint_parts, language=config.device.language)
            self.complaints.setWindowTitle(f"{config.site.name} — Pengaduan")

    @property
    def windows(self) -> list[QWidget]:
        return [w for w in (self.kiosk, self.counter, self.display, self.complaints) if w is not None]

    def show(self, *, fullscreen: bool, screen: QRect | None = None) -> None:
        """Show the role's windows; ``screen`` (the available area) defaults to the primary screen's."""
        screen = screen if screen is not None else QGuiApplication.primaryScreen().availableGeometry()
        if len(self.windows) == 1:
            window = self.windows[0]
            if fullscreen and not isinstance(window, CounterWindow | ComplaintConsole):  # staff desks keep a frame
                Lockdown.apply_kiosk_flags(window)  # frameless, on top; closing is refused (install_admin)
                window.showFullScreen()
            else:
                window.resize(min(1920, screen.width()), min(1080, screen.height()))
                if isinstance(window, KioskWindow):
                    height = int(screen.height() * 0.92)
                    window.resize(height * 9 // 16, height)
                window.show()
            return
        counter_min = self.counter.minimumSize() if self.counter is not None else None
        placed = demo_placement(screen, kiosk=self.kiosk is not None, counter_min=counter_min,
                                board=self.display is not None)
        if placed.overlaps:
            log.warning("screen %dx%d too small for the demo's windows side by side: %s", screen.width(),
                        screen.height(), "; ".join(placed.overlaps))
        # Shown in this order so that, where they overlap, the console (the one with buttons) is on top
        # (mapped last; raise_() is not supported by every platform plugin and warns).
        order: tuple[tuple[QWidget | None, QRect | None], ...] = (
            (self.kiosk, placed.kiosk), (self.display, placed.board), (self.counter, placed.counter))
        for role_window, box in order:
            if role_window is not None and box is not None:
                role_window.setGeometry(box)
                role_window.show()

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
        for window in (self.kiosk, self.counter, self.display, self.complaints):
            if window is not None:
                window.shutdown()
                window.close()
                window.deleteLater()
        if self.complaint_parts is not None:
            self.complaint_parts.close()
        self.parts.close()


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
    heartbeat = _start_heartbeat(core, role)
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
        if heartbeat is not None:
            heartbeat.stop()
        speaker.shutdown()


def _start_sync(core: Core, role: str, demo_central: object | None
                ) -> tuple[BackgroundSync | None, DemoCentralPanel | None]:
    """Background sync on machines that file applications or complaints (kiosk and counter roles) when a
    central API is set;
    the demo also gets its window to unplug that API. A sync that cannot start leaves the kiosk
    running offline and says why in the log."""
    if (role not in KIOSK_ROLES and role not in COUNTER_ROLES) or not core.config.central.api_url:
        return None, None  # counters sync too: the complaints filed there on a citizen's behalf
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


def _start_heartbeat(core: Core, role: str) -> Any:
    """A health summary to the central API every minute, on its own thread (regional IT's fleet page);
    None when there is no central API or the device is not enrolled. Never stops the role from starting."""
    from kiosk.setup.diagnostics import camera_present, probe_queue_host

    try:
        heartbeat = open_heartbeat(core.config, role, camera_present=camera_present,
                                   queue_host_answers=probe_queue_host)
    except Exception as exc:  # a broken credentials file: the log says so, the role runs
        log.error("no heartbeat to the central API: %s", exc)
        return None
    if heartbeat is not None:
        heartbeat.start()
    return heartbeat


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
