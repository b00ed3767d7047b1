"""Lobby board: the numbers being called, readable from the back of the lobby, flashing for deaf visitors.

Shows no NIK and no name: only ticket numbers, counters, whether a call is a priority one (a star
and a word, never the group) and waiting counts. Sizes: :mod:`kiosk.ui.board.style`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.client import QueueClient
from kiosk.queue.models import BoardState, EventType, QueueEvent
from kiosk.ui.board.announcer import Announcer
from kiosk.ui.board.calls import CallLine
from kiosk.ui.board.help_corner import HelpCorner
from kiosk.ui.board.recent import RecentCalls
from kiosk.ui.board.status import BoardStatusCheck
from kiosk.ui.board.style import BoardSizes, board_style, sizes_for
from kiosk.ui.board.waiting import WaitingLine
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.theme import Scale
from kiosk.ui.qt.widgets import label

log = logging.getLogger(__name__)

FLASHES = 6
WAITING_PX = 60  # the waiting line: 45 px capitals (28 mm on a 55" panel)


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
    """The lobby board: 1920×1080 landscape or 1080×1920 portrait, any size in between."""

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient,
                 announcer: Announcer | None = None, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("displayWindow")
        self.announcer = announcer
        self.config, self.catalog, self.queue = config, catalog, queue
        self.t = Translator(config.device.language)
        # The building's time zone, as on the tickets: the board's own OS clock may be set to another.
        self.tz = ZoneInfo(config.site.timezone)
        self.now: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.runner = TaskRunner("display-queue", self)
        self.events = QueueEvents(queue, self)
        self.events.changed.connect(self._on_event)
        self.events.resynced.connect(self.refresh)
        self.board: BoardState | None = None
        self._board_reader = Refresher(self.runner, lambda: self.queue.board(recent=config.display.recent_calls),
                                       on_done=self._board_ready,
                                       on_error=lambda exc: log.warning("board state unavailable: %s", exc))
        self._flashes_left = 0
        self._scale: Scale | None = None
        self.sizes: BoardSizes | None = None
        self._sized_for: tuple[Scale, BoardSizes] | None = None

        root = QVBoxLayout(self)
        root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)  # type follows window size
        root.setContentsMargins(32, 24, 32, 16)
        root.setSpacing(16)
        self.top = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # portrait: the clock under the name
        self.site = label(config.site.name, "boardSite")  # a long name wraps rather than run under the clock
        self.clock = label("", "boardClock", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        self.top.addWidget(self.site, 1)
        self.top.addWidget(self.clock)
        root.addLayout(self.top)
        root.addWidget(self._now_box())
        root.addLayout(self._recent_box(), 1)
        # Kiosks' calls for staff, "Kios 2 meminta bantuan · 0:45" (kiosk.ui.board.help_corner): only while one calls.
        self.help_corner = HelpCorner(self.queue.open_help_requests, self.runner, self.t)
        root.addWidget(self.help_corner, 0, Qt.AlignmentFlag.AlignLeft)
        self.waiting = WaitingLine(self.t, WAITING_PX)
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

    def _now_box(self) -> QFrame:
        """The call being made: caption (and "★ PRIORITAS"), then "A-002 → LOKET 1"."""
        self.now_frame = QFrame()
        self.now_frame.setObjectName("nowFrame")
        box = QVBoxLayout(self.now_frame)
        box.setContentsMargins(24, 8, 24, 12)
        box.setSpacing(0)
        caption_row = QHBoxLayout()
        caption_row.setSpacing(24)
        self.now_caption = label("", "nowCaption", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.now_priority = label("", "nowPriority", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.now_priority.hide()
        caption_row.addStretch(1)
        caption_row.addWidget(self.now_caption)
        caption_row.addWidget(self.now_priority)
        caption_row.addStretch(1)
        box.addLayout(caption_row)
        self.call_line = CallLine()
        self.now_number, self.now_counter = self.call_line.number, self.call_line.counter
        box.addWidget(self.call_line)
        return self.now_frame

    def _recent_box(self) -> QHBoxLayout:
        """The past calls in large type (and the status camera's corner beside them, when there is one)."""
        area = QHBoxLayout()
        area.setSpacing(24)
        self.recent = RecentCalls(self.t)
        area.addWidget(self.recent, 1)
        self.status_corner: BoardStatusCheck | None = None
        if self.config.display.status_camera:
            self.status_corner = self._status_corner()
            area.addWidget(self.status_corner)
        return area

    def _status_corner(self) -> BoardStatusCheck:
        """"Cek status" by the board's camera ([display] status_camera)."""
        from kiosk.camera.sources import source_from_config
        from kiosk.visit.status_check import StatusChecker

        config = self.config
        corner = BoardStatusCheck(StatusChecker.from_config(config, self.queue), lambda: source_from_config(config),
                                  config.camera.ikd_qr_pattern, config.device.language)
        corner.setFixedWidth(440)
        return corner

    def retranslate(self) -> None:
        t = self.t
        self.now_caption.setText(t("display.now_calling"))
        self.now_priority.setText(t("display.priority"))
        self.recent.retranslate()
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
        if latest is None:
            self.call_line.set_call("", t("display.idle"))  # nobody called yet: only the welcome
        else:
            self.call_line.set_call(latest.number, t("display.to_counter", counter=latest.counter))
        self.now_priority.setVisible(latest is not None and latest.priority)
        self.recent.show_calls(board.recent_calls[1:])
        self.waiting.set_items([f"{self._service_name(code)}: {count}"
                                for code, count in board.waiting_by_service.items() if count])

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
        for widget in (self.now_frame, *self.now_frame.findChildren(QLabel)):  # the texts change colour too
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if self._flashes_left <= 0:
            self.flash_timer.stop()

    def _tick(self) -> None:
        moment = self.now().astimezone(self.tz)
        self.clock.setText(moment.strftime("%d/%m/%Y  %H:%M %Z"))  # %Z: WIB, WITA or WIT, as on the ticket

    def _apply_style(self) -> None:
        width, height = self.width() or 1920, self.height() or 1080
        scale, sizes = Scale.for_size(width, height), sizes_for(width, height)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(board_style(scale))
            self.help_corner.set_scale(scale)
        if (scale, sizes) != self._sized_for:
            self._sized_for = (scale, sizes)
            self.sizes = sizes
            self.top.setDirection(QBoxLayout.Direction.TopToBottom if sizes.stacked
                                  else QBoxLayout.Direction.LeftToRight)
            self.clock.setAlignment((Qt.AlignmentFlag.AlignLeft if sizes.stacked else Qt.AlignmentFlag.AlignRight)
                                    | Qt.AlignmentFlag.AlignVCenter)
            self.call_line.set_sizes(scale.font(sizes.number), scale.font(sizes.counter), sizes.stacked)
            self.recent.set_sizes(sizes, scale.font(sizes.recent))
            self.waiting.set_base_px(scale.font(WAITING_PX), sizes.waiting_lines)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()
        self.marquee.setFixedHeight(max(40, min(self.width(), self.height()) // 14))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        for timer in (self.clock_timer, self.flash_timer):
            timer.stop()
        self.marquee.stop()
        self.waiting.stop()
        self.help_corner.stop()
        if self.status_corner is not None:
            self.status_corner.stop()
        if self.announcer is not None:
            self.announcer.stop()
        self.events.close()
        self.runner.stop()
