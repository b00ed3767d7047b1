""""Saya sudah booking": a booking's code scanned from its QR or typed on the code's keys → a ticket.

States: typing (the code in six groups of four, the code's keys; "Lanjut" says how many characters are
missing) or scanning (live picture, with a camera: ``[camera] qr_scanning``) → checking (the queue asked
on the window's queue runner, a progress line) → the ticket (handed to the window's ticket flow, shown
and printed like any other), or a choice (early or late: two large buttons with what each means), or a
refusal (what happened and what to do next; "Coba lagi" asks the same question again with the same
request id, so a lost answer never costs a second ticket). The rules (which answer means what, the
request ids, the code's form) are in :mod:`kiosk.visit.booking_checkin`; the host decides
(:mod:`kiosk.queue.checkin`).

The window adds the screen with :func:`add_booking_checkin`, which also shows the welcome screen's
"Saya sudah booking".
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.booking.code import BookingCodeError, canonical_booking_code
from kiosk.camera.sources import FrameSource
from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice
from kiosk.queue.client import QueueClient
from kiosk.queue.models import IssuedTicket
from kiosk.ui.kiosk.booking_answer import BookingAnswer, Shown
from kiosk.ui.kiosk.booking_keys import BookingCodeInput
from kiosk.ui.qt.icons import CONTROLS, decorate
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import FlowRows, button, explain_disabled, label, restyle
from kiosk.visit.booking_checkin import (
    BookingCheckIn,
    CheckInView,
    missing_characters,
    view_of,
    view_of_error,
)
from kiosk.visit.flow import CitizenSession, Step
from kiosk.visit.qr_codes import DEFAULT_IKD_PATTERN, QrReading

log = logging.getLogger(__name__)

INPUT_STATES = ("typing", "scanning", "camera")  # the citizen gives the code; nothing asked yet


class BookingCheckInScreen(Screen):
    """The booking's code in (scan or keys), the queue's answer out: a ticket, a choice or a refusal."""

    step = Step.BOOKING
    ticket_ready = Signal(object, bool)  #: IssuedTicket, and True when issued at an earlier check-in: shown
    walk_in = Signal()  #: "Ambil nomor antrean biasa": the walk-in path (the service list)
    done = Signal()  #: "Selesai"
    asking = Signal(bool)  #: a check-in is under way (the window holds Back and the idle wipe meanwhile)

    def __init__(self, checkin: BookingCheckIn, runner: TaskRunner, catalog: Catalog,
                 make_source: SourceFactory | None = None, ikd_pattern: str = DEFAULT_IKD_PATTERN,
                 parent: QWidget | None = None) -> None:
        """``runner``: the window's queue runner; ``make_source``: the camera ([camera] qr_scanning), None
        on a kiosk without one (typing only)."""
        super().__init__(parent)
        self.checkin, self.runner, self.catalog = checkin, runner, catalog
        self.state = "typing"
        self.way = "typed"  # how the code on screen came: "typed" or "scanned" ("again" goes back that way)
        self.view: CheckInView | None = None
        self.code = ""  # the canonical code asked about
        self._choice: CheckInChoice | None = None  # the last question's choice (for "Coba lagi")
        self._generation = 0  # bumped by reset(): an answer for a citizen who left is not shown
        self._hint_key = ""  # the scanner's hint (a QR that is not a booking's)
        self.camera_offered = make_source is not None

        self.title = label("", "title")
        self.instruction = label("", "subtitle")
        self.entry = BookingCodeInput(self)
        self.entry.changed.connect(self._typed)
        self.note = label("", "note")
        self.progress = label("", "statusMessage", align=Qt.AlignmentFlag.AlignCenter)
        self.progress.setAccessibleName("bookingProgress")
        self.answer = BookingAnswer(self)  # a choice, or why not: the words above, the two choices below
        self.answer.chosen.connect(self.choose)
        self.scanner = QrScanPanel(make_source, ikd_pattern) if make_source is not None else None
        if self.scanner is not None:
            self.scanner.read.connect(self._read)
            self.scanner.camera_failed.connect(self._camera_failed)
        self._build_layout()
        self._build_actions()
        self._show("typing")

    def _build_layout(self) -> None:
        """Portrait: what to do on top, the code right above the keys, the keys low; landscape: the words and
        the code left, the keys (or the camera's picture) right. An answer: a heading and its sentences."""
        words = QVBoxLayout()
        words.setSpacing(18)
        words.addStretch(1)  # portrait: the code just above the keys, where the eyes are while typing
        for widget in (self.entry.display, self.note, self.progress):
            words.addWidget(widget)
        self.keys_side = QVBoxLayout()
        self.keys_side.setSpacing(14)
        self.keys_side.addStretch(1)  # the keys low, within reach
        self.keys_side.addWidget(self.entry.keyboard)
        if self.scanner is not None:
            self.keys_side.insertWidget(0, self.scanner, 8)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(24)
        self.body.addLayout(words, 1)
        self.body.addLayout(self.keys_side, 0)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.instruction)  # across the screen: one line in landscape
        self.layout_.addLayout(self.answer.headline)
        self.layout_.addWidget(self.answer.facts)
        self.layout_.addWidget(self.answer.detail)
        self.layout_.addLayout(self.body, 1)

    def _build_actions(self) -> None:
        """Everything to touch at the bottom: the two choices, then one row of buttons ("Lanjut" last)."""
        self.reason = label("", "disabledReason", align=Qt.AlignmentFlag.AlignCenter)
        self.reason.setAccessibleName("bookingReason")
        self.next_button = button("", "primary", self.check_typed, name="bookingNext")
        self.default_button = self.next_button  # Enter on a USB keyboard
        decorate(self.next_button, CONTROLS["next"])
        self.scan_button = button("", "", self.scan, name="bookingScan")
        decorate(self.scan_button, CONTROLS["scan"])
        self.type_button = button("", "", self.start_typing, name="bookingType")
        decorate(self.type_button, CONTROLS["keyboard"])
        self.again_button = button("", "", self.again, name="bookingAgain")
        self.walk_in_button = button("", "", self.walk_in.emit, name="bookingWalkIn")
        decorate(self.walk_in_button, CONTROLS["ticket"])
        self.retry_button = button("", "primary", self.retry, name="bookingRetry")
        self.done_button = button("", "", self.done.emit, name="bookingDone")
        # As many rows as the width needs ("Ambil nomor antrean biasa" beside "Ketik ulang kode" when it fits)
        self.button_rows = FlowRows((self.scan_button, self.type_button, self.again_button, self.walk_in_button,
                                     self.done_button, self.retry_button, self.next_button), 16)
        self.action_row.addLayout(self.answer.tiles)
        self.action_row.addWidget(self.reason)
        self.action_row.addWidget(self.button_rows)

    # -- Screen API ------------------------------------------------------------------------------
    def enter(self, session: CitizenSession) -> None:
        if self.state in INPUT_STATES and not self.entry.typed and self.camera_offered:
            self.scan()
        elif self.state in INPUT_STATES and not self.entry.typed:
            self.start_typing()
        elif self.state == "scanning":
            self.scan()
        else:
            self._show(self.state)

    def reset(self) -> None:
        """The citizen left: forget the code, the answer and the request ids; a late answer is ignored."""
        self._generation += 1
        if self.scanner is not None:
            self.scanner.stop()
        self.checkin.forget()
        self.entry.show_code("")
        self.view, self.code, self._choice, self._hint_key, self.way = None, "", None, "", "typed"
        self._show("typing")

    def back(self) -> bool:
        """Back from an answer goes to the code (kept, to correct it); while asking, Back waits."""
        if self.state == "checking":
            return True
        if self.state in ("choose", "refused", "camera"):
            self.again()
            return True
        return False

    def offer_camera(self, present: bool) -> None:
        """From the window's camera watch: the camera is there (or gone); typing stays offered either way."""
        self.camera_offered = present and self.scanner is not None
        if not self.camera_offered and self.state == "scanning":
            self.start_typing()
        else:
            self._show(self.state)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.note.setText(t("booking_checkin.letters_note"))
        self.entry.retranslate(t("keyboard.backspace"), t("identify.clear"))
        self.next_button.setText(t("booking_checkin.next"))
        self.scan_button.setText(t("booking_checkin.scan_button"))
        self.type_button.setText(t("booking_checkin.type_button"))
        self.walk_in_button.setText(t("booking_checkin.walk_in"))
        self.retry_button.setText(t("booking_checkin.retry"))
        self.done_button.setText(t("booking_checkin.done"))
        self._apply_texts()

    def spoken_text(self) -> str:
        if self.state in ("choose", "refused"):
            return self.answer.spoken(self.title.text() if self.state == "choose" else "")
        parts = [self.title.text(), self.instruction.text(), self.entry.spoken(), self.progress.text()]
        return " ".join(p for p in parts if p)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.turn_with_orientation(self.body):
            self.entry.set_compact(self._landscape)
            self.answer.set_landscape(self._landscape)
            self._show(self.state)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A USB keyboard types the code too (staff helping, or a visitor who prefers keys)."""
        text = event.text()
        if self.state == "typing" and len(text) == 1 and text.isalnum():
            self.entry.type(text)
        elif self.state == "typing" and event.key() == Qt.Key.Key_Backspace:
            self.entry.backspace()
        else:
            super().keyPressEvent(event)

    def stop(self) -> None:
        """The window closes: the camera off (the queue runner is the window's, stopped by it)."""
        if self.scanner is not None:
            self.scanner.stop()

    # -- actions -----------------------------------------------------------------------------------
    def start_typing(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        self.way, self._hint_key, self.view = "typed", "", None
        self._show("typing")

    def scan(self) -> None:
        if self.scanner is None or not self.camera_offered:
            self.start_typing()
            return
        self.way, self._hint_key, self.view = "scanned", "", None
        self._show("scanning")
        self.scanner.start()

    def again(self) -> None:
        """Back to the way the code came: the keys with the code kept (to correct one character), or the camera."""
        if self.way == "scanned" and self.camera_offered and self.state != "camera":
            self.entry.show_code("")
            self.scan()
        else:
            self.start_typing()

    def check_typed(self) -> None:
        """"Lanjut" under the keys: the typed code has its 24 characters; ask the queue."""
        if self.state != "typing" or not self.entry.complete:
            return
        try:
            code = canonical_booking_code(self.entry.typed)
        except BookingCodeError as exc:  # the keys give only the code's characters: not expected
            log.warning("typed booking code refused by its form: %s", exc)
            return
        self._ask(code, None)

    def choose(self, choice: CheckInChoice) -> None:
        """One of the two large buttons of an early or late arrival: ask again with the choice."""
        if self.state == "choose" and self.view is not None and self.view.answer is not None \
                and choice in self.view.answer.choices:
            self._ask(self.code, choice)

    def retry(self) -> None:
        """"Coba lagi" after the queue did not answer: the same question, with the same request id."""
        if self.state == "refused" and self.code:
            self._ask(self.code, self._choice)

    def _typed(self) -> None:
        self._apply_texts()

    def _read(self, reading: QrReading) -> None:
        if self.state != "scanning":
            return
        if reading.kind != "booking":
            log.info("booking check-in: a QR code that is not a booking (%s)", reading.kind)
            self._hint_key = "booking_checkin.not_booking_qr"
            self._apply_texts()
            return
        try:
            code = canonical_booking_code(reading.value)
        except BookingCodeError:
            self._hint_key = "booking_checkin.broken_qr"
            self._apply_texts()
            return
        if self.scanner is not None:
            self.scanner.stop()
        self.entry.show_code(code)
        self._ask(code, None)

    def _ask(self, code: str, choice: CheckInChoice | None) -> None:
        """Ask on the queue runner; a choice's question keeps the choice on screen while it is asked."""
        self.code, self._choice = code, choice
        if choice is None:
            self.view = None
        request_id, checkin, generation = self.checkin.request_id(code, choice), self.checkin, self._generation
        lang = self.t.lang  # the ticket's language: the citizen's
        self._show("checking")
        self.asking.emit(True)
        self.runner.run(lambda: checkin.ask(code, request_id, choice, lang),
                        on_done=lambda answer: self._answered(generation, answer),
                        on_error=lambda exc: self._failed(generation, exc))

    def _answered(self, generation: int, answer: CheckInAnswer) -> None:
        self.asking.emit(False)
        if generation != self._generation:
            log.warning("booking check-in answered after the citizen left: %s", answer.outcome)
            return
        log.info("booking check-in answered: %s%s", answer.outcome,
                 f" ({answer.refusal.value})" if answer.refusal is not None else "")
        self.show_view(view_of(answer))

    def _failed(self, generation: int, exc: BaseException) -> None:
        self.asking.emit(False)
        if generation == self._generation:
            self.show_view(view_of_error(exc))

    def show_view(self, view: CheckInView) -> None:
        """Show what the check-in answered (also the self-test's way in): a ticket goes to the window."""
        self.view = view
        if view.shown == "ticket":
            assert view.answer is not None and view.answer.ticket is not None
            self._show("issued")
            self.ticket_ready.emit(view.answer.ticket, view.answer.outcome == "already_issued")
            return
        self._show(view.shown)

    def _camera_failed(self, message: str) -> None:
        log.warning("booking check-in without camera: %s", message)
        self._show("camera")

    # -- presentation ------------------------------------------------------------------------------
    @property
    def choosing(self) -> bool:
        """The early or late choice is on screen: to be made, or made and being asked."""
        return self.state == "choose" or (self.state in ("checking", "issued") and self._choice is not None)

    def _show(self, state: str) -> None:
        self.state = state
        asked = state in ("checking", "issued")
        choosing = self.choosing  # the choice stays on screen while it is asked
        typed = state == "typing" or (asked and not choosing)
        scanning = state == "scanning"
        if self.scanner is not None:
            self.scanner.setVisible(scanning)
        self.entry.display.setVisible(typed)
        self.entry.keyboard.setVisible(state == "typing" or (typed and self.way == "typed"))
        self.entry.set_enabled(state == "typing")
        self.note.setVisible(state == "typing")
        self.instruction.setVisible(state in ("typing", "scanning"))
        view = self.view
        visible = {
            self.next_button: typed,
            self.scan_button: state in ("typing", "camera") and self.camera_offered,
            self.type_button: state in ("scanning", "camera"),
            self.again_button: state == "refused" and view is not None and not view.can_retry,
            self.walk_in_button: state == "refused" and view is not None and view.offers_walk_in,
            self.retry_button: state == "refused" and view is not None and view.can_retry,
            self.done_button: state == "refused",  # a choice: the bar's Back and Cancel are the other ways
        }
        for widget, shown in visible.items():
            widget.setVisible(shown)
        if state == "refused":  # "again" the way the code came: the camera's picture or the keys'
            decorate(self.again_button, CONTROLS["scan"] if self.way == "scanned" and self.camera_offered
                     else CONTROLS["keyboard"])
        if self._landscape:  # the keys (or the picture) get the wider column
            self.body.setStretch(0, 2)
            self.body.setStretch(1, 3)
        else:  # stacked: the picture takes the height; typing, the room goes above the code
            self.body.setStretch(0, 0 if scanning else 1)
            self.body.setStretch(1, 1 if scanning else 0)
        self._apply_texts()
        # Lay out now (an answer can arrive between two paints), with the new texts' heights: the cached
        # heights of the layouts above the labels would otherwise wait for the labels' posted requests
        self.button_rows.arrange()  # the rows of the buttons shown now, not after its timer
        for layout in (self.answer.tiles, self.body, self.action_row, self.layout_, self.outer):
            layout.invalidate()
        self.outer.activate()

    def _apply_texts(self) -> None:
        t, state = self.t, self.state
        shown: Shown = ""
        if state in ("choose", "refused", "camera"):
            shown = cast(Shown, state)
        elif self.choosing:
            shown = "asking"
        self.title.setText(self.answer.show(shown, self.view, t, self._service_name) or t("booking_checkin.title"))
        self.instruction.setText(t("booking_checkin.scan") if state == "scanning" else t("booking_checkin.type"))
        self.again_button.setText(t("booking_checkin.scan_button") if self.way == "scanned" and self.camera_offered
                                  else t("booking_checkin.retype"))
        progress, error = "", False
        if state in ("checking", "issued") and not self.choosing:  # a choice's: in place of its sentence
            progress = t("booking_checkin.checking")
        elif state == "scanning":
            progress = t(self._hint_key) if self._hint_key else t("booking_checkin.scan_hint")
            error = bool(self._hint_key)
        self.progress.setText(progress)
        self.progress.setVisible(bool(progress))
        restyle(self.progress, "state", "error" if error else "")
        missing = missing_characters(self.entry.typed)
        why = ("" if state != "typing" or not missing else t("booking_checkin.why_empty") if not self.entry.typed
               else t("booking_checkin.why_missing", count=missing))
        explain_disabled(self.next_button, self.reason, why)
        if state in ("checking", "issued"):
            self.next_button.setEnabled(False)  # asked once; the answer comes in a moment

    def _service_name(self, code: str) -> str:
        try:
            return self.catalog.service(code).name.get(self.t.lang)
        except KeyError:
            return self.t("booking_checkin.unknown_service", code=code)


# -- the window's wiring ---------------------------------------------------------------------------

class TicketHandOver(Protocol):
    """The window's ticket flow (:class:`kiosk.ui.kiosk.ticket_flow.TicketFlow`)."""

    def show_ticket(self, session: CitizenSession, issued: IssuedTicket) -> None: ...


class BookingWindow(Protocol):
    """What the check-in needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    config: Config
    queue: QueueClient
    runner: TaskRunner
    session: CitizenSession
    issuing: bool
    screens: dict[Step, Screen]
    stack: QStackedWidget

    @property
    def tickets(self) -> TicketHandOver | None: ...
    def show_step(self, step: Step, remember: bool = True) -> None: ...
    def start_normal(self) -> None: ...
    def wipe(self) -> None: ...


class BookingWay(Protocol):
    """The welcome screen's way in: its ``booking`` signal and its (hidden) "Saya sudah booking" button."""

    booking: SignalInstance

    @property
    def booking_button(self) -> QWidget: ...


def add_booking_checkin(window: BookingWindow, welcome: BookingWay, catalog: Catalog) -> BookingCheckInScreen:
    """Build the check-in screen for ``window`` and register it: the welcome button opens it, a ticket goes to
    the window's ticket flow (shown and printed), "Ambil nomor antrean biasa" starts the walk-in path."""
    config, tickets = window.config, window.tickets
    assert tickets is not None  # built before (KioskWindow._build_screens)
    make_source: SourceFactory | None = None
    if config.camera.qr_scanning:
        from kiosk.camera.sources import source_from_config

        def make_source() -> FrameSource:  # the camera opens on each scan
            return source_from_config(config)
    screen = BookingCheckInScreen(BookingCheckIn(window.queue, config.device.id), window.runner, catalog,
                                  make_source, config.camera.ikd_qr_pattern)

    def asking(busy: bool) -> None:
        window.issuing = busy  # Back and the idle wipe wait for the answer (kiosk.ui.kiosk.idle)

    def hand_over(issued: IssuedTicket, again: bool) -> None:
        try:
            window.session.service = catalog.service(issued.ticket.service_code)
        except KeyError:  # the host's catalog has a service this kiosk's has not: the desk explains
            log.error("booking ticket %s is for %s, not in this kiosk's catalog", issued.ticket.number,
                      issued.ticket.service_code)
            screen.show_view(CheckInView("refused", reason="unknown_service"))
            return
        window.session.booked = "again" if again else "new"  # the ticket screen says so; no steps to count
        tickets.show_ticket(window.session, issued)

    screen.asking.connect(asking)
    screen.ticket_ready.connect(hand_over)
    screen.walk_in.connect(window.start_normal)
    screen.done.connect(window.wipe)
    welcome.booking.connect(lambda: window.show_step(Step.BOOKING))
    welcome.booking_button.show()
    window.screens[screen.step] = screen
    window.stack.addWidget(screen)
    return screen
