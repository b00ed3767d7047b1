"""The counter's working panel: the ticket in hand in large type, and the big action buttons under it
with their keyboard shortcut printed on them.

Which button is enabled follows the table in :mod:`kiosk.queue.actions`, the one the engine checks
moves against. After a no-show the "Urungkan" button takes the number's place for a few seconds; after
"Panggil berikutnya" finished a ticket it takes the place of the new ticket's detail line (the number
just called stays in sight).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.queue.actions import GRID, IN_HAND, CounterAction, allowed_at_counter
from kiosk.queue.models import Ticket, TicketState, identity_checked_at_counter
from kiosk.ui.qt.widgets import button, label

# How each button looks (a style sheet variant); the others are plain.
VARIANTS: Mapping[CounterAction, str] = {
    CounterAction.CALL_NEXT: "primary",
    CounterAction.CALL_PRIORITY: "priority",
    CounterAction.START: "primary",
    CounterAction.FINISH: "success",
}


class ActionPanel(QWidget):
    """The current ticket and the clerk's buttons; emits the action a button asks for."""

    chosen = Signal(object)  # CounterAction
    undo = Signal()
    undo_expired = Signal()

    def __init__(self, service_name: Callable[[str], str] = str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service_name = service_name  # the catalog's name in the clerk's language, not the code
        self._t: Translator | None = None
        self._in_hand = False
        work = QVBoxLayout(self)
        work.setContentsMargins(0, 0, 0, 0)
        current = QFrame()
        current.setObjectName("current")
        current_box = QVBoxLayout(current)
        current_box.setSpacing(0)
        self.caption = label("", "caption")
        self.number = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.detail = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        # "Urungkan" for a no-show pressed by mistake: shown where the number was while it can be taken back.
        self.undo_button = button("", "", self.undo.emit, name="undoNoShow")
        self.undo_button.hide()
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.timeout.connect(self._undo_expired)
        for widget in (self.caption, self.number, self.detail, self.undo_button):
            current_box.addWidget(widget)
        work.addWidget(current, 2)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, action in enumerate(GRID):
            widget = button("", VARIANTS.get(action, ""), partial(self.chosen.emit, action), name=action.value)
            self.buttons[action.value] = widget
            grid.addWidget(widget, i // 2, i % 2)
        work.addLayout(grid)
        # Gaps that follow the window's size (CounterWindow._apply_style): layout, gap, margin.
        self.gaps: tuple[tuple[QLayout, int, int], ...] = ((work, 14, 0), (grid, 12, 0), (current_box, 0, 12))

    def show_ticket(self, ticket: Ticket | None, t: Translator) -> None:
        called = ticket is not None and ticket.state == TicketState.CALLED
        self.caption.setText(t("counter.called_caption") if called else t("counter.current"))
        if ticket is None:
            self.number.setText("—")
            self.detail.setText(t("counter.no_current"))
            return
        self.number.setText(ticket.number)
        # At most three short lines under the number: with five, the buttons below were cut off
        # on a 1366×768 or 1600×900 monitor (tests/gui/test_counter_display.py checks the fit).
        marks = ["★ " + t(f"priority.group.{ticket.priority.value}")] if ticket.priority is not None else []
        if ticket.booking is not None:  # checked in from a booking (issue 19)
            marks.append(t("booking_host.counter_mark", slot=ticket.booking))
        if ticket.recalls:
            marks.append(t("counter.recalls", n=ticket.recalls))
        service = self.service_name(ticket.service_code)
        lines = [f"{service} · {t(f'counter.state.{ticket.state.value}')}", " · ".join(marks)]
        if ticket.identity_status == "to_verify_at_counter":
            lines.append(t("counter.verify_identity", nik=ticket.nik_masked or "—"))
        elif identity_checked_at_counter(ticket.identity_status):  # no NIK, or a passport/KITAS (issue 16)
            lines.append(t(f"without_nik.counter.{ticket.identity_status}"))
        self.detail.setText("\n".join(line for line in lines if line))

    def enable(self, in_hand: TicketState | None, *, ready: bool, can_transfer: bool) -> None:
        """The buttons the table allows for the ticket in hand; none unless ``ready`` (signed in, not busy)."""
        for action in GRID:
            allowed = allowed_at_counter(action, in_hand) and (action is not CounterAction.TRANSFER or can_transfer)
            self.buttons[action.value].setEnabled(ready and allowed)
        self._in_hand = in_hand in IN_HAND
        self._label_call_next()

    def disable(self) -> None:
        for widget in self.buttons.values():
            widget.setEnabled(False)

    def offer_undo(self, text: str, seconds: float, *, keep_number: bool = False) -> None:
        """Show "Urungkan …" for ``seconds``; ``keep_number`` keeps the number in hand in sight (a new call)."""
        self.undo_button.setText(text)
        self.undo_timer.start(round(seconds * 1000))
        self._show_undo(True, keep_number=keep_number)

    def end_undo(self) -> None:
        self.undo_timer.stop()
        self._show_undo(False)

    def _undo_expired(self) -> None:
        self.end_undo()
        self.undo_expired.emit()

    def _show_undo(self, offered: bool, *, keep_number: bool = False) -> None:
        """The undo takes the place of the (empty) current number, or of the detail under a number just
        called, so the action buttons keep their room."""
        self.undo_button.setVisible(offered)
        self.number.setVisible(not offered or keep_number)
        self.detail.setVisible(not offered)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        for action in GRID:
            self.buttons[action.value].setText(f"{t(action.label_key)}  [{action.spec.shortcut}]")
        self._label_call_next()

    def _label_call_next(self) -> None:
        """With a ticket in hand "Panggil berikutnya" finishes it first: its label says so."""
        if self._t is None:
            return
        action = CounterAction.CALL_NEXT
        text = self._t("counter.finish_and_next") if self._in_hand else self._t(action.label_key)
        self.buttons[action.value].setText(f"{text}  [{action.spec.shortcut}]")
