"""The kiosk's "Minta bantuan / Call staff": a tap calls a clerk through the queue, the screen says where it stands.

Tap → the request is raised off the GUI thread (:class:`~kiosk.ui.qt.tasks.TaskRunner`) → "Petugas sudah
dipanggil, mohon tunggu" → a clerk presses "Saya datang" on a console → "Petugas segera datang" (the
request's state is read every few seconds while it is open) → the next touch closes it. The queue
host unreachable: "Panggil petugas di meja informasi", and the call is tried again in the background
until it goes through or the citizen cancels. A wiped session (idle, Cancel, the ticket's countdown)
closes an open request. While a request is open the window is kept from idling out (``keep_alive``):
the citizen is waiting for someone, not gone. The rules (one open request per kiosk, a touch closes
only an answered one, the timeout) are the queue's (:mod:`kiosk.queue.help`); this shows them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.help import CloseReason, HelpRequest, HelpState, allowed_close
from kiosk.ui.kiosk.idle import IdleWatch
from kiosk.ui.qt.bars import BottomBar
from kiosk.ui.qt.icons import decorate, icon_for, named
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import PRIMARY
from kiosk.ui.qt.widgets import button, label
from kiosk.visit.flow import CitizenSession

log = logging.getLogger(__name__)

POLL_MS = 3000  # how often an open request's state is read (a clerk's "Saya datang" shows within this)
RETRY_MS = 5000  # how often an unsent call is tried again while the queue host is unreachable
ICON_PX = 140  # the raised hand above the words, for a citizen who reads little


class HelpStage(str, Enum):
    """What the kiosk shows of its call for staff."""

    IDLE = "idle"  # nothing asked (or closed)
    CALLING = "calling"  # the first try is under way
    RAISED = "raised"  # staff called, nobody answered yet
    ACKNOWLEDGED = "acknowledged"  # a clerk is on the way
    OFFLINE = "offline"  # not sent (the queue host unreachable): ask at the desk, retrying meanwhile
    EXPIRED = "expired"  # nobody answered before the queue's timeout: ask at the desk


_TEXTS = {HelpStage.CALLING: ("help_call.kiosk.calling", "help_call.kiosk.raised_hint"),
          HelpStage.RAISED: ("help_call.kiosk.raised", "help_call.kiosk.raised_hint"),
          HelpStage.ACKNOWLEDGED: ("help_call.kiosk.acknowledged", "help_call.kiosk.acknowledged_hint"),
          HelpStage.OFFLINE: ("help_call.kiosk.offline", "help_call.kiosk.offline_hint"),
          HelpStage.EXPIRED: ("help_call.kiosk.offline", "")}


class HelpOverlay(QFrame):
    """The call's state over the kiosk's screen, its card in the lower part (within a seated person's reach)."""

    touched = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setStyleSheet("QFrame#helpOverlay { background: rgba(15, 23, 42, 200); }")
        self.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 96)
        dialog = QFrame()
        dialog.setObjectName("dialog")  # the kiosk's style: a white card with a blue edge
        box = QVBoxLayout(dialog)
        box.setContentsMargins(40, 40, 40, 40)
        box.setSpacing(24)
        self.picture = QLabel()
        self.picture.setObjectName("helpPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setPixmap(named(icon_for("help"), PRIMARY).pixmap(QSize(ICON_PX, ICON_PX)))
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.title.setAccessibleName("helpTitle")
        self.hint = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.hint.setAccessibleName("helpHint")
        row = QHBoxLayout()
        row.setSpacing(24)
        self.cancel_button = button("", "small", name="helpCancelButton")
        self.close_button = button("", "hero", name="helpCloseButton")
        decorate(self.cancel_button, icon_for("cancel"))
        row.addWidget(self.cancel_button)
        row.addWidget(self.close_button)
        box.addWidget(self.picture)
        box.addWidget(self.title)
        box.addWidget(self.hint)
        box.addLayout(row)
        outer.addStretch(1)
        outer.addWidget(dialog)
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and parent is not None and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(parent.rect())
        return False

    def show_text(self, title: str, hint: str, cancel: str, close: str) -> None:
        self.title.setText(title)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.cancel_button.setText(cancel)
        self.cancel_button.setVisible(bool(cancel))
        self.close_button.setText(close)
        self.close_button.setVisible(bool(close))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.touched.emit()


class HelpCall(QObject):
    """One kiosk's call for staff. ``trigger``: the help button (its ``clicked`` calls :meth:`request`).

    ``kiosk_id`` is this device's id ([device] id; over the LAN the host takes the kiosk from the
    device token), ``lang()`` the session's language, ``speaker`` reads each new state aloud.
    """

    stage_changed = Signal(str)

    def __init__(self, window: QWidget, trigger: QAbstractButton | None, queue: QueueClient, runner: TaskRunner,
                 kiosk_id: str, lang: Callable[[], str], *, speaker: Speaker | None = None,
                 keep_alive: Callable[[], object] | None = None, poll_ms: int = POLL_MS,
                 retry_ms: int = RETRY_MS) -> None:
        super().__init__(window)
        self.queue, self.runner, self.kiosk_id = queue, runner, kiosk_id
        self.lang, self.speaker, self.keep_alive = lang, speaker, keep_alive
        self.stage = HelpStage.IDLE
        self.request_id: str | None = None
        self.last_read: HelpRequest | None = None  # the request as the queue last answered it
        self._session = 0  # a new call or a wipe starts another: late answers of the old one are dropped
        self._polling = False
        self.overlay = HelpOverlay(window)
        self.overlay.touched.connect(self.touch)
        self.overlay.cancel_button.clicked.connect(self.cancel)
        self.overlay.close_button.clicked.connect(self.touch)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self._poll)
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(retry_ms)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self._send)
        if trigger is not None:
            trigger.clicked.connect(self.request)

    # -- what the citizen does -------------------------------------------------------------------
    def request(self) -> None:
        """The help button: raise the call (once: while one is open the screen only shows it again)."""
        if self.stage is not HelpStage.IDLE and self.stage is not HelpStage.EXPIRED:
            self._show()
            return
        self._session += 1
        self.request_id = None
        self._set(HelpStage.CALLING)
        self._send()

    def touch(self) -> None:
        """A touch on the screen: after a clerk answered it closes the call; before, it changes nothing."""
        last = self.last_read
        if self.request_id is not None and last is not None and allowed_close(last.state, CloseReason.TOUCHED):
            self._close(CloseReason.TOUCHED)
        elif self.stage is HelpStage.EXPIRED:
            self._set(HelpStage.IDLE)

    def cancel(self) -> None:
        """"Batalkan panggilan": the citizen no longer needs staff (an unsent call stops retrying)."""
        if self.request_id is not None:
            self._close(CloseReason.CANCELLED)
        else:
            self._end()

    def end_session(self) -> None:
        """The session was wiped (idle, Cancel, the ticket's countdown): an open call closes with it."""
        if self.request_id is not None and self.stage in (HelpStage.RAISED, HelpStage.ACKNOWLEDGED):
            self._close(CloseReason.SESSION_ENDED)
        else:
            self._end()

    # -- talking to the queue (on the runner) ---------------------------------------------------
    def _send(self) -> None:
        session, queue, kiosk = self._session, self.queue, self.kiosk_id
        self.runner.run(lambda: queue.raise_help(kiosk), on_done=lambda r: self._raised(session, r),
                        on_error=lambda exc: self._not_sent(session, exc))

    def _raised(self, session: int, request: HelpRequest) -> None:
        if session != self._session:  # wiped meanwhile: the call it raised closes with the session
            self._close_quietly(request.id, CloseReason.SESSION_ENDED)
            return
        self.request_id = request.id
        self._follow(request)
        self.poll_timer.start()

    def _not_sent(self, session: int, exc: BaseException) -> None:
        if session != self._session:
            return
        log.warning("help request not sent (retrying every %d s): %s", self.retry_timer.interval() // 1000, exc)
        if self.stage is not HelpStage.OFFLINE:
            self._set(HelpStage.OFFLINE)
        self.retry_timer.start()

    def _poll(self) -> None:
        if self.keep_alive is not None:
            self.keep_alive()  # waiting for staff is not walking away
        request_id, session = self.request_id, self._session
        if request_id is None or self._polling:
            return
        self._polling = True
        queue = self.queue
        self.runner.run(lambda: queue.help_request(request_id), on_done=lambda r: self._polled(session, r),
                        on_error=lambda exc: self._poll_failed(session, exc))

    def _polled(self, session: int, request: HelpRequest) -> None:
        self._polling = False
        if session == self._session and request.id == self.request_id:
            self._follow(request)

    def _poll_failed(self, session: int, exc: BaseException) -> None:
        self._polling = False
        if session == self._session:
            log.warning("help request state unavailable (trying again): %s", exc)

    def _follow(self, request: HelpRequest) -> None:
        """Show what the queue says of the call."""
        self.last_read = request
        if request.state is HelpState.ACKNOWLEDGED:
            if self.stage is not HelpStage.ACKNOWLEDGED:
                self._set(HelpStage.ACKNOWLEDGED)
        elif request.state is HelpState.RAISED:
            if self.stage is not HelpStage.RAISED:
                self._set(HelpStage.RAISED)
        else:  # closed by the queue's timeout (nobody answered in time) or elsewhere
            answered = request.acknowledged_at is not None
            self.poll_timer.stop()
            self.request_id = None
            self._set(HelpStage.IDLE if answered or request.close_reason is not CloseReason.TIMEOUT
                      else HelpStage.EXPIRED)

    def _close(self, reason: CloseReason) -> None:
        request_id = self.request_id
        self._end()
        if request_id is not None:
            self._close_quietly(request_id, reason)

    def _close_quietly(self, request_id: str, reason: CloseReason) -> None:
        """Close on the runner; a failure only leaves the request to the queue's timeout."""
        queue, kiosk = self.queue, self.kiosk_id
        self.runner.run(lambda: queue.close_help(request_id, reason, kiosk=kiosk),
                        on_error=lambda exc: log.warning("help request not closed (%s; the queue's timeout will): %s",
                                                         reason.value, exc))

    def _end(self) -> None:
        self._session += 1
        self.request_id = self.last_read = None
        self.poll_timer.stop()
        self.retry_timer.stop()
        self._polling = False
        self._set(HelpStage.IDLE)

    # -- showing ------------------------------------------------------------------------------
    def _set(self, stage: HelpStage) -> None:
        self.stage = stage
        self._show()
        if stage is not HelpStage.IDLE and self.speaker is not None:
            self.speaker.say(self.overlay.title.text(), self.lang())
        self.stage_changed.emit(stage.value)

    def _show(self) -> None:
        stage = self.stage
        if stage is HelpStage.IDLE:
            self.overlay.hide()
            return
        t = Translator(self.lang())
        title_key, hint_key = _TEXTS[stage]
        cancel = t("help_call.kiosk.cancel") if stage in (HelpStage.RAISED, HelpStage.OFFLINE) else ""
        close = t("help_call.kiosk.close") if stage in (HelpStage.ACKNOWLEDGED, HelpStage.EXPIRED) else ""
        self.overlay.show_text(t(title_key), t(hint_key) if hint_key else "", cancel, close)

    def stop(self) -> None:
        """The window closes: timers off (an open request is left to the queue's timeout)."""
        self.poll_timer.stop()
        self.retry_timer.stop()


class KioskSeat(Protocol):
    """What :func:`kiosk_help` reads of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    config: Config
    queue: QueueClient
    runner: TaskRunner
    speaker: Speaker
    session: CitizenSession
    idle: IdleWatch
    bar: BottomBar


def kiosk_help(window: KioskSeat) -> HelpCall:
    """The kiosk window's call for staff: its bar's help button, its queue runner, its speaker; while a call
    is open the window neither idles out nor ends the ticket's countdown (``keep_alive``)."""
    assert isinstance(window, QWidget)
    idle = window.idle

    def keep_alive() -> None:
        idle.restart()
        idle.extend_countdown()

    return HelpCall(window, window.bar.help_button, window.queue, window.runner, window.config.device.id,
                    lambda: window.session.lang, speaker=window.speaker, keep_alive=keep_alive)
