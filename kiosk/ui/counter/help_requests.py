"""Calls for staff from the kiosks, on every counter console: "Kios 2 meminta bantuan · 0:45" and "Saya datang".

The open requests are read every few seconds on the console's queue runner (a kiosk's call is not a
ticket event, so the event stream does not bring it); their age counts on between reads. The first
clerk to press "Saya datang" answers it (the queue refuses a second: "already answered by counter 3"),
and the kiosk then says "Petugas segera datang". Hidden while no kiosk calls. Rules: :mod:`kiosk.queue.help`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.help import HelpConflict, HelpRequest, HelpState, age_text, kiosk_label
from kiosk.queue.models import QueueError
from kiosk.staff.directory import StaffMember
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.widgets import button, label, restyle

log = logging.getLogger(__name__)

POLL_MS = 3000  # a kiosk's call shows on the consoles within this
STYLE = """
QFrame#helpRequests { background: #fff4d6; border: 3px solid #8a6700; border-radius: 10px; }
QFrame#helpRequests QLabel, QWidget#helpRequestRow { background: transparent; }
QLabel#helpRequestText { font-weight: 700; }
"""

Who = Callable[[], tuple[int, str, str | None]]  # (counter, audit actor, signed-in clerk's id) at this moment


class CounterSeat(Protocol):
    """What the panel reads of the console it sits in (:class:`kiosk.ui.counter.console.CounterWindow`)."""

    config: Config
    queue: QueueClient
    runner: TaskRunner
    t: Translator
    counter: int
    staff_member: StaffMember | None

    @property
    def _actor(self) -> str: ...  # the console's audit actor: device, signed-in clerk, counter


def console_panel(console: CounterSeat) -> HelpRequestsPanel:
    """The panel for a console: it answers as the console's counter and signed-in clerk, at the moment of the click."""
    def who() -> tuple[int, str, str | None]:
        member = console.staff_member
        return console.counter, console._actor, member.id if member is not None else None

    def counter_name(number: int) -> str:  # as the console names counters
        return console.config.counter_label(number) or console.t("counter.counter_name", number=number)

    return HelpRequestsPanel(console.queue, console.runner, who, console.t, counter_name)


class HelpRequestsPanel(QFrame):
    """The open calls for staff with their live age and an acknowledge button each; polls the queue itself."""

    acknowledged = Signal(object)  # the HelpRequest this console answered

    def __init__(self, queue: QueueClient, runner: TaskRunner, who: Who, t: Translator,
                 counter_name: Callable[[int], str], parent: QWidget | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("helpRequests")
        self.setStyleSheet(STYLE)
        self.queue, self.runner, self.who, self.t, self.counter_name = queue, runner, who, t, counter_name
        self.requests: list[HelpRequest] = []
        self._read_at = time.monotonic()
        self._sending: set[str] = set()
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 8)
        box.setSpacing(6)
        self.title = label("", "sectionTitle")
        box.addWidget(self.title)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(6)
        box.addLayout(self.rows)
        self.note = label("", "message")
        self.note.hide()
        box.addWidget(self.note)
        self.texts: list[QLabel] = []
        self.buttons: dict[str, QPushButton] = {}
        self.hide()
        self._reader = Refresher(runner, queue.open_help_requests, on_done=self.show_requests,
                                 on_error=self._unreadable)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self.refresh)
        self.poll_timer.start()
        self.age_timer = QTimer(self)
        self.age_timer.setInterval(1000)
        self.age_timer.timeout.connect(self._update_ages)
        self.retranslate(t)
        self.refresh()

    def refresh(self) -> None:
        self._reader.request()

    def _unreadable(self, exc: BaseException) -> None:
        log.warning("help requests unavailable: %s", exc)
        if self.requests:
            self._say(self.t("help_call.counter.unavailable"), error=True)

    def show_requests(self, requests: list[HelpRequest]) -> None:
        """Draw the open calls (read on the worker), oldest first; hidden when there is none."""
        self.requests = list(requests)
        self._read_at = time.monotonic()
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.texts, self.buttons = [], {}
        for request in self.requests:
            row = QWidget()
            row.setObjectName("helpRequestRow")
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = label("", "helpRequestText")
            line.addWidget(text, 1)
            self.texts.append(text)
            if request.state is HelpState.RAISED:
                answer = button(self.t("help_call.counter.acknowledge"), "success",
                                partial(self.acknowledge, request.id), name="helpAcknowledge")
                answer.setEnabled(request.id not in self._sending)
                answer.setMaximumWidth(320)
                line.addWidget(answer)
                self.buttons[request.id] = answer
            self.rows.addWidget(row)
        self._update_ages()
        self.setVisible(bool(self.requests))
        if self.requests:
            self.age_timer.start()
        else:
            self.age_timer.stop()
            self._say("")

    def _update_ages(self) -> None:
        elapsed = int(time.monotonic() - self._read_at)
        for request, text in zip(self.requests, self.texts, strict=True):
            kiosk, age = kiosk_label(self.t, request.kiosk), age_text(request.age_seconds + elapsed)
            if request.state is HelpState.ACKNOWLEDGED and request.counter is not None:
                text.setText(self.t("help_call.counter.acknowledged", kiosk=kiosk, age=age,
                                    counter=self.counter_name(request.counter)))
            else:
                text.setText(self.t("help_call.counter.raised", kiosk=kiosk, age=age))

    def acknowledge(self, request_id: str) -> None:
        """"Saya datang": answer the call on the worker (the first console to press it wins)."""
        if request_id in self._sending:
            return
        counter, actor, clerk = self.who()
        self._sending.add(request_id)
        if request_id in self.buttons:
            self.buttons[request_id].setEnabled(False)
        queue = self.queue
        self.runner.run(lambda: queue.acknowledge_help(request_id, counter=counter, actor=actor, clerk=clerk),
                        on_done=partial(self._answered, request_id), on_error=partial(self._not_answered, request_id))

    def _answered(self, request_id: str, request: HelpRequest) -> None:
        self._sending.discard(request_id)
        self._say(self.t("help_call.counter.sent", kiosk=kiosk_label(self.t, request.kiosk)))
        self.acknowledged.emit(request)
        self.refresh()

    def _not_answered(self, request_id: str, exc: BaseException) -> None:
        self._sending.discard(request_id)
        if isinstance(exc, HelpConflict) and exc.request.counter is not None:  # another clerk was quicker
            self._say(self.t("help_call.counter.taken", kiosk=kiosk_label(self.t, exc.request.kiosk),
                             counter=self.counter_name(exc.request.counter)), error=True)
        else:
            if not isinstance(exc, QueueError):
                log.error("acknowledging a help request failed", exc_info=exc)
            self._say(self.t("help_call.counter.failed", reason=str(exc)), error=True)
        self.refresh()

    def _say(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
        restyle(self.note, "error", error)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("help_call.counter.title"))
        for answer in self.buttons.values():
            answer.setText(t("help_call.counter.acknowledge"))
        self._update_ages()

    def stop(self) -> None:
        self.poll_timer.stop()
        self.age_timer.stop()
