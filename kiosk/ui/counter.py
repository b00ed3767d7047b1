"""Counter console: the clerk calls, serves and finishes tickets at one counter.

Big buttons with their keyboard shortcut printed on them, the current ticket in large type, and
the waiting line with priority tickets marked. Every action runs on the queue's worker thread; the
screen refreshes from queue events, so two consoles (or a console and the board) never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog import Catalog
from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.models import QueueError, Ticket, TicketState
from kiosk.ui.bridge import QueueEvents
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.theme import Scale, console_style
from kiosk.ui.widgets import button, label

log = logging.getLogger(__name__)


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
    )

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterWindow")
        self.config, self.catalog, self.queue = config, catalog, queue
        self.t = Translator(config.device.language)
        self.counters = building_counters(config, catalog)
        self.counter = next(iter(self.counters), 1)
        self.current: Ticket | None = None
        self.runner = TaskRunner("counter-queue", self)
        self.events = QueueEvents(queue, self)
        self.events.changed.connect(lambda _e: self.refresh())

        root = QHBoxLayout(self)
        root.setSizeConstraint(QHBoxLayout.SizeConstraint.SetNoConstraint)  # type follows window size
        root.setContentsMargins(24, 24, 24, 24)
        root.setSpacing(24)
        left = QVBoxLayout()
        left.setSpacing(16)
        top = QHBoxLayout()
        self.counter_label = label("", "sectionTitle", wrap=False)
        self.counter_picker = QComboBox()
        self.counter_picker.setObjectName("counterPicker")
        for number in self.counters:
            self.counter_picker.addItem(self._counter_name(number), number)
        self.counter_picker.currentIndexChanged.connect(self._counter_changed)
        top.addWidget(self.counter_label)
        top.addWidget(self.counter_picker, 1)
        left.addLayout(top)

        current = QFrame()
        current.setObjectName("current")
        current_box = QVBoxLayout(current)
        self.current_caption = label("", "caption")
        self.current_number = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.current_detail = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.current_caption, self.current_number, self.current_detail):
            current_box.addWidget(widget)
        left.addWidget(current, 2)

        grid = QGridLayout()
        grid.setSpacing(14)
        self.buttons = {}
        for i, (action, key, variant) in enumerate(self.ACTIONS):
            widget = button("", variant, lambda a=action: self.perform(a), name=action)
            self.buttons[action] = widget
            grid.addWidget(widget, i // 2, i % 2)
            QShortcut(QKeySequence(key), self, activated=lambda a=action: self._shortcut(a))
        left.addLayout(grid)
        self.message = label("", "message")
        left.addWidget(self.message)
        self.stats = label("", "note")
        left.addWidget(self.stats)

        right = QVBoxLayout()
        self.waiting_title = label("", "sectionTitle")
        self.waiting_list = QListWidget()
        self.waiting_list.setObjectName("waitingList")
        right.addWidget(self.waiting_title)
        right.addWidget(self.waiting_list, 1)
        root.addLayout(left, 3)
        root.addLayout(right, 2)

        self._scale: Scale | None = None
        self._apply_style()
        self.retranslate()
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
        self._show_current()

    # -- actions -------------------------------------------------------------------------------
    def _shortcut(self, action: str) -> None:
        if self.buttons[action].isEnabled():
            self.perform(action)

    def perform(self, action: str) -> None:
        """Run one clerk action on the worker; the result comes back through :meth:`_done`."""
        jobs: dict[str, Callable[[], Ticket | None]] = {
            "call_next": lambda: self.queue.call_next(self.counter, self.services, actor=self._actor),
            "call_priority": lambda: self.queue.call_next(self.counter, self.services, actor=self._actor,
                                                          priority_only=True),
        }
        if self.current is not None:
            ticket_id = self.current.id
            jobs.update({
                "recall": lambda: self.queue.recall(ticket_id, actor=self._actor),
                "start": lambda: self.queue.start(ticket_id, actor=self._actor),
                "finish": lambda: self.queue.finish(ticket_id, actor=self._actor),
                "no_show": lambda: self.queue.no_show(ticket_id, actor=self._actor),
            })
        if action not in jobs:
            return
        for widget in self.buttons.values():
            widget.setEnabled(False)
        self.runner.run(jobs[action], on_done=lambda ticket: self._done(action, ticket),
                        on_error=lambda exc: self._failed(action, exc))

    @property
    def _actor(self) -> str:
        return f"{self.config.device.id}/counter-{self.counter}"

    def _done(self, action: str, ticket: Ticket | None) -> None:
        if action in ("call_next", "call_priority") and ticket is None:
            self._say(self.t("counter.nobody_waiting"))
        elif ticket is not None:
            self.current = None if ticket.state in (TicketState.DONE, TicketState.NO_SHOW) else ticket
            self._say(self.t(f"counter.did.{action}", number=ticket.number))
        self.refresh()

    def _failed(self, action: str, exc: BaseException) -> None:
        if isinstance(exc, QueueError):
            self._say(self.t("counter.action_failed", reason=str(exc)), error=True)
        else:
            log.error("counter action %s failed", action, exc_info=exc)
            self._say(self.t("counter.queue_unavailable"), error=True)
        self.refresh()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # -- refresh -------------------------------------------------------------------------------
    def refresh(self) -> None:
        services, counter = self.services, self.counter
        self.runner.run(lambda: (self.queue.waiting(services), self.queue.current_at(counter),
                                 self.queue.counter_stats(counter)),
                        on_done=self._show_state,
                        on_error=lambda exc: self._say(self.t("counter.queue_unavailable"), error=True))

    def _show_state(self, state: tuple[list[Ticket], Ticket | None, dict]) -> None:
        waiting, current, stats = state
        self.current = current
        self.waiting_list.clear()
        now = datetime.now(timezone.utc)
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
            parts = [ticket.service_code, t(f"counter.state.{ticket.state.value}")]
            if ticket.priority is not None:
                parts.append("★ " + t(f"priority.group.{ticket.priority.value}"))
            if ticket.recalls:
                parts.append(t("counter.recalls", n=ticket.recalls))
            if ticket.identity_status == "to_verify_at_counter":
                parts.append(t("counter.verify_identity", nik=ticket.nik_masked or "—"))
            self.current_detail.setText("\n".join(parts))
        state = ticket.state if ticket is not None else None
        busy = self.runner.busy
        idle = state is None or state in (TicketState.DONE, TicketState.NO_SHOW)
        self.buttons["call_next"].setEnabled(not busy and idle)
        self.buttons["call_priority"].setEnabled(not busy and idle)
        self.buttons["recall"].setEnabled(not busy and state == TicketState.CALLED)
        self.buttons["start"].setEnabled(not busy and state == TicketState.CALLED)
        self.buttons["finish"].setEnabled(not busy and state == TicketState.SERVING)
        self.buttons["no_show"].setEnabled(not busy and state == TicketState.CALLED)

    def _apply_style(self) -> None:
        # Designed for a 1600×900 area; a wide but low window (the demo) still gets readable type.
        scale = Scale(unit=min((self.width() or 1600) / 1600, (self.height() or 900) / 900))
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(console_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._apply_style()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.events.close()
        self.runner.stop()
