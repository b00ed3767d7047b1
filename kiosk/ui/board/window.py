"""Lobby board: the numbers being called, readable from across the room, flashing for deaf visitors.

Shows no NIK and no name: only ticket numbers, counters and waiting counts.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.models import BoardState, EventType, QueueEvent
from kiosk.ui.board.announcer import Announcer
from kiosk.ui.board.status import BoardStatusCheck
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.theme import Scale, board_style
from kiosk.ui.qt.widgets import clear_layout, label

log = logging.getLogger(__name__)

FLASHES = 6


class Marquee(QWidget):
    """Running text along the bottom of the board."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("marquee")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._text = ""
        self._offset = -1  # start with the text's beginning at the left edge, then scroll
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._step)
        self._timer.start(30)

    def set_text(self, text: str) -> None:
        self._text = text
        self.update()

    def _step(self) -> None:
        if self._offset < 0:
            self._offset = self.width()
        self._offset += 2
        width = self.fontMetrics().horizontalAdvance(self._text) + self.width()
        if width and self._offset > width:
            self._offset = 0
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        painter.setFont(self.font())
        x = self.width() - max(self._offset, self.width())
        painter.drawText(x, 0, self.fontMetrics().horizontalAdvance(self._text) + 10, self.height(),
                         Qt.AlignmentFlag.AlignVCenter, self._text)

    def stop(self) -> None:
        self._timer.stop()


class DisplayWindow(QWidget):
    """The lobby board (designed for 1920×1080)."""

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient,
                 announcer: Announcer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("displayWindow")
        self.announcer = announcer
        self.config, self.catalog, self.queue = config, catalog, queue
        self.t = Translator(config.device.language)
        self.runner = TaskRunner("display-queue", self)
        self.events = QueueEvents(queue, self)
        self.events.changed.connect(self._on_event)
        self.events.resynced.connect(self.refresh)
        self.board: BoardState | None = None
        self._board_reader = Refresher(self.runner, lambda: self.queue.board(recent=config.display.recent_calls),
                                       on_done=self._board_ready,
                                       on_error=lambda exc: log.warning("board state unavailable: %s", exc))
        self._flashes_left = 0

        root = QVBoxLayout(self)
        root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)  # type follows window size
        root.setContentsMargins(32, 24, 32, 16)
        root.setSpacing(18)
        top = QHBoxLayout()
        self.site = label(config.site.name, "boardSite", wrap=False)
        self.clock = label("", "boardClock", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.site, 1)
        top.addWidget(self.clock)
        root.addLayout(top)

        middle = QHBoxLayout()
        middle.setSpacing(24)
        self.now_frame = QFrame()
        self.now_frame.setObjectName("nowFrame")
        now_box = QVBoxLayout(self.now_frame)
        self.now_caption = label("", "nowCaption", align=Qt.AlignmentFlag.AlignCenter)
        self.now_number = label("—", "nowNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.now_counter = label("", "nowCounter", align=Qt.AlignmentFlag.AlignCenter)
        now_box.addStretch(1)
        for widget in (self.now_caption, self.now_number, self.now_counter):
            now_box.addWidget(widget)
        now_box.addStretch(1)
        middle.addWidget(self.now_frame, 3)

        side = QVBoxLayout()
        self.counters_title = label("", "boardTitle")
        self.counter_grid = QGridLayout()
        self.counter_grid.setSpacing(10)
        self.recent_title = label("", "boardTitle")
        self.recent = label("", "boardList")
        side.addWidget(self.counters_title)
        side.addLayout(self.counter_grid)
        side.addWidget(self.recent_title)
        side.addWidget(self.recent)
        side.addStretch(1)
        self.status_corner: BoardStatusCheck | None = None
        if config.display.status_camera:
            self.status_corner = self._status_corner()
            side.addWidget(self.status_corner)
        middle.addLayout(side, 2)
        root.addLayout(middle, 1)

        self.waiting = label("", "boardWaiting")
        root.addWidget(self.waiting)
        self.marquee = Marquee()
        root.addWidget(self.marquee)

        self.clock_timer = QTimer(self)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start(1000)
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(450)
        self.flash_timer.timeout.connect(self._flash)
        self._tick()
        self._apply_style()
        self.retranslate()
        self.refresh()
        if self.status_corner is not None:
            self.status_corner.start()  # once the layout is final: re-parenting a widget hides it

    def _status_corner(self) -> BoardStatusCheck:
        """"Cek status" by the board's camera ([display] status_camera)."""
        from kiosk.camera.sources import source_from_config
        from kiosk.visit.status_check import StatusChecker

        config = self.config
        corner = BoardStatusCheck(StatusChecker.from_config(config, self.queue), lambda: source_from_config(config),
                                  config.camera.ikd_qr_pattern, config.device.language)
        return corner

    def retranslate(self) -> None:
        t = self.t
        self.now_caption.setText(t("display.now_calling"))
        self.counters_title.setText(t("display.counters"))
        self.recent_title.setText(t("display.recent"))
        self.marquee.set_text(self.config.display.running_text or t("display.running_text",
                                                                    site=self.config.site.name))
        self._show()

    def _on_event(self, event: QueueEvent) -> None:
        """Announce every call as it happens (two calls in the same instant are both read out),
        then redraw the board from the host's state."""
        if event.type in (EventType.CALLED, EventType.RECALLED) and event.counter is not None:
            self._flashes_left = FLASHES
            self.flash_timer.start()
            if self.announcer is not None:
                self.announcer.announce(event.ticket.number, event.counter)
        self.refresh()

    def refresh(self) -> None:
        self._board_reader.request()

    def _board_ready(self, board: BoardState) -> None:
        self.board = board
        self._show()

    def _show(self) -> None:
        board, t = self.board, self.t
        if board is None:
            return
        latest = board.recent_calls[0] if board.recent_calls else None
        self.now_number.setText(latest.number if latest else "—")
        self.now_counter.setText(t("display.to_counter", counter=latest.counter) if latest else t("display.idle"))
        clear_layout(self.counter_grid)
        for row, call in enumerate(board.now_serving):
            self.counter_grid.addWidget(label(t("display.counter_short", counter=call.counter), "boardCell"), row, 0)
            self.counter_grid.addWidget(label(call.number, "boardCellNumber", wrap=False), row, 1)
        if not board.now_serving:
            self.counter_grid.addWidget(label(t("display.no_calls"), "boardCell"), 0, 0)
        self.recent.setText("\n".join(t("display.recent_item", number=c.number, counter=c.counter)
                                      for c in board.recent_calls[1:]) or "—")
        waiting = [f"{self._service_name(code)}: {count}" for code, count in board.waiting_by_service.items() if count]
        self.waiting.setText(t("display.waiting", items="   ·   ".join(waiting)) if waiting
                             else t("display.nobody_waiting"))

    def _service_name(self, code: str) -> str:
        if self.catalog is None:
            return code
        try:
            return self.catalog.service(code).name.get(self.t.lang)
        except KeyError:
            return code

    def _flash(self) -> None:
        self._flashes_left -= 1
        self.now_frame.setProperty("flash", self._flashes_left % 2 == 1)
        self.now_frame.style().unpolish(self.now_frame)
        self.now_frame.style().polish(self.now_frame)
        if self._flashes_left <= 0:
            self.flash_timer.stop()

    def _tick(self) -> None:
        self.clock.setText(QDateTime.currentDateTime().toString("dd/MM/yyyy  HH:mm"))

    def _apply_style(self) -> None:
        scale = Scale.for_size(self.width() or 1920, self.height() or 1080)
        if scale != getattr(self, "_scale", None):
            self._scale = scale
            self.setStyleSheet(board_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()
        self.marquee.setFixedHeight(max(40, self.height() // 14))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        for timer in (self.clock_timer, self.flash_timer):
            timer.stop()
        self.marquee.stop()
        if self.status_corner is not None:
            self.status_corner.stop()
        if self.announcer is not None:
            self.announcer.stop()
        self.events.close()
        self.runner.stop()

