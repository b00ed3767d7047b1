"""What the booking check-in shows after asking, when it is not a ticket: a choice or why not.

:class:`BookingAnswer` makes the parts (a headline with its picture, the booking's line, a sentence, and the
two large choice buttons) and fills them for an answer; :class:`kiosk.ui.kiosk.booking.BookingCheckInScreen`
lays them out: the words at the top of the reading area, the choices in its ``action_row``, within reach.
The words come from :mod:`kiosk.visit.booking_checkin`. Accessible names (tests and the self-test):
``bookingMessage``, ``bookingSlot``, ``bookingFacts``, ``bookingDetail``; the tiles ``bookingChooseBooked``
and ``bookingChooseWalkIn``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout

from kiosk.i18n import Translator
from kiosk.queue.checkin import CheckInChoice
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.qt.icons import CONTROLS, IconLabel
from kiosk.ui.qt.widgets import label, restyle
from kiosk.visit.booking_checkin import CheckInView, choice_texts, choose_texts

Shown = Literal["", "choose", "asking", "refused", "camera"]  # "asking": a choice made, its answer awaited


class BookingAnswer(QObject):
    """The answer's words and the two choices; emits :attr:`chosen` with the choice touched."""

    chosen = Signal(object)  #: CheckInChoice

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = IconLabel(CONTROLS["problem"])  # a problem, or the clock of the booked time
        self.heading = label("", "statusMessage")
        self.heading.setAccessibleName("bookingMessage")
        self.slot = label("", "statusNumber", wrap=False)  # a choice: the booked time, large
        self.slot.setAccessibleName("bookingSlot")
        self.facts = label("", "body")  # the booking: service and time
        self.facts.setAccessibleName("bookingFacts")
        self.detail = label("", "body")  # what the choice is about, or what to do now
        self.detail.setAccessibleName("bookingDetail")
        self.headline = QHBoxLayout()
        self.headline.setSpacing(18)
        self.headline.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self.headline.addWidget(self.heading, 1)
        self.headline.addWidget(self.slot, 1)
        self.booked_tile = Tile("", "", "bookingChooseBooked", CONTROLS["booking"])
        self.booked_tile.clicked.connect(lambda: self.chosen.emit(CheckInChoice.BOOKED))
        self.walk_in_tile = Tile("", "", "bookingChooseWalkIn", CONTROLS["ticket"])
        self.walk_in_tile.clicked.connect(lambda: self.chosen.emit(CheckInChoice.WALK_IN))
        self.tiles = QBoxLayout(QBoxLayout.Direction.TopToBottom)  # side by side in landscape
        self.tiles.setSpacing(16)
        self.tiles.addWidget(self.booked_tile, 1)
        self.tiles.addWidget(self.walk_in_tile, 1)
        self.show("", None, Translator(), str)

    def set_landscape(self, landscape: bool) -> None:
        self.tiles.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def show(self, shown: Shown, view: CheckInView | None, t: Translator,
             service_name: Callable[[str], str]) -> str:
        """Show ``view`` as ``shown`` (nothing: ""); returns the screen's title for a choice, else ""."""
        choosing = shown in ("choose", "asking")
        answer = view.answer if view is not None else None
        choices = answer.choices if answer is not None and choosing else ()
        for tile, choice in ((self.booked_tile, CheckInChoice.BOOKED), (self.walk_in_tile, CheckInChoice.WALK_IN)):
            tile.setVisible(choice in choices)
            tile.setEnabled(shown == "choose")  # asked once; the answer comes in a moment
        self.icon.setVisible(bool(shown))
        self.icon.set_icon(CONTROLS["slot"] if choosing else CONTROLS["problem"])
        self.heading.setVisible(shown in ("refused", "camera"))  # a choice's heading is the screen's title
        self.slot.setVisible(choosing)
        self.detail.setVisible(choosing or shown == "refused")
        title, heading, facts, detail = "", "", "", ""
        if shown == "camera":
            heading = t("booking_checkin.camera_unavailable")
        elif choosing and answer is not None and answer.booking is not None:
            booking = answer.booking
            title, detail = choose_texts(t, answer.arrival, booking.slot)
            facts = t("booking_checkin.booking_line", service=service_name(booking.service_code), slot=booking.slot)
            detail = t("booking_checkin.checking") if shown == "asking" else detail
            self.slot.setText(booking.slot)
            for tile, choice in ((self.booked_tile, CheckInChoice.BOOKED),
                                 (self.walk_in_tile, CheckInChoice.WALK_IN)):
                words, meaning = choice_texts(t, answer.arrival, choice, booking.slot)
                tile.title.setText(words)
                tile.detail.setText(meaning)
        elif shown == "refused" and view is not None:
            heading, facts, detail = view.lines(t, service_name)
        self.heading.setText(heading)
        restyle(self.heading, "state", "error" if heading else "")
        self.facts.setText(facts)
        self.facts.setVisible(bool(facts))
        self.detail.setText(detail)
        return title

    def spoken(self, title: str) -> str:
        """What read aloud says: the heading (or the choice's title), the booking, the sentence, the choices."""
        parts = [title or self.heading.text(), self.facts.text(), self.detail.text()]
        parts += [tile.title.text() for tile in (self.booked_tile, self.walk_in_tile) if not tile.isHidden()]
        return " ".join(p for p in parts if p)
