"""The lobby board's corner for the kiosks' calls for staff: "Kios 2 meminta bantuan · 0:45".

So a clerk crossing the lobby sees a kiosk waiting for someone (and that one is on the way). Read
every few seconds from the queue (a call is not a ticket event: the event stream does not bring it),
the age counting on between reads; hidden while no kiosk calls. Only the kiosk's number, how long
and whether staff are coming: no clerk, no citizen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.help import HelpRequest, HelpState, age_text, kiosk_label
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.theme import BOARD_ACCENT, BOARD_BG, Scale
from kiosk.ui.qt.widgets import label

log = logging.getLogger(__name__)

POLL_MS = 3000
SHOWN = 4  # calls listed at most (more are counted on the last line)


class HelpCorner(QFrame):
    """Open calls for staff, oldest first, dark on the board's yellow; polls ``read`` on ``runner``."""

    def __init__(self, read: Callable[[], list[HelpRequest]], runner: TaskRunner, t: Translator,
                 parent: QWidget | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("helpCorner")
        self.t = t
        self.requests: list[HelpRequest] = []
        self._read_at = time.monotonic()
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 12, 20, 12)
        box.setSpacing(4)
        self.lines: list[QLabel] = []
        for _ in range(SHOWN):
            line = label("", "helpCornerLine", wrap=False, align=Qt.AlignmentFlag.AlignLeft)
            box.addWidget(line)
            self.lines.append(line)
        self.set_scale(Scale(unit=1.0))
        self.hide()
        self._reader = Refresher(runner, read, on_done=self.show_requests,
                                 on_error=lambda exc: log.warning("help requests unavailable on the board: %s", exc))
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self._reader.request)
        self.poll_timer.start()
        self.age_timer = QTimer(self)
        self.age_timer.setInterval(1000)
        self.age_timer.timeout.connect(self._update)
        self._reader.request()

    def set_scale(self, scale: Scale) -> None:
        """Type for the board's size: read from across the lobby, smaller than the calls themselves."""
        self.setStyleSheet(f"""
        QFrame#helpCorner {{ background: {BOARD_ACCENT}; border-radius: {scale.px(20)}px; }}
        QLabel#helpCornerLine {{ background: transparent; color: {BOARD_BG}; font-size: {scale.font(40)}px;
            font-weight: 800; }}
        """)

    def show_requests(self, requests: list[HelpRequest]) -> None:
        self.requests = list(requests)
        self._read_at = time.monotonic()
        self._update()
        self.setVisible(bool(self.requests))
        if self.requests:
            self.age_timer.start()
        else:
            self.age_timer.stop()

    def _update(self) -> None:
        elapsed = int(time.monotonic() - self._read_at)
        texts = [self._text(r, elapsed) for r in self.requests]
        if len(texts) > SHOWN:
            texts = texts[:SHOWN - 1] + [f"+ {len(texts) - SHOWN + 1} …"]
        for line, text in zip(self.lines, texts + [""] * (SHOWN - len(texts)), strict=True):
            line.setText(text)
            line.setVisible(bool(text))

    def _text(self, request: HelpRequest, elapsed: int) -> str:
        kiosk = kiosk_label(self.t, request.kiosk)
        key = "help_call.board.acknowledged" if request.state is HelpState.ACKNOWLEDGED else "help_call.board.raised"
        return self.t(key, kiosk=kiosk, age=age_text(request.age_seconds + elapsed))

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self._update()

    def stop(self) -> None:
        self.poll_timer.stop()
        self.age_timer.stop()
