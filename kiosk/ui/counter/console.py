"""Counter console: the clerk calls, serves and finishes tickets at one counter.

The window composes its panels (each its own module here): sign-in (:mod:`.sign_in`), the ticket in
hand with the action buttons (:mod:`.action_panel`), the waiting line (:mod:`.waiting_list`), transfer
(:mod:`.transfer`, F7) and call-a-number (:mod:`.call_number`, F8). It runs the clerk's actions on the
queue's worker thread and refreshes from queue events, so two consoles (or a console and the board)
never disagree. Which action is allowed when is not decided here: the table in
:mod:`kiosk.queue.actions` says it, for the engine too; taking back a no-show or a finish is
:mod:`kiosk.queue.undo`. One key per citizen: "Panggil berikutnya" with a ticket in hand finishes it
and calls the next in one queue operation, and the line marks the ticket that key will take (the
queue names it: ``QueueClient.next_up``).

With a :class:`~kiosk.staff.directory.StaffDirectory` the console opens on the sign-in panel; the
signed-in clerk's id goes into every audit actor and the counter is locked until they sign out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLayout,
    QStackedLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.forms import FormSet
from kiosk.catalog.services import Catalog
from kiosk.complaints.filing import ComplaintFiling
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.actions import GRID, IN_HAND, CounterAction, allowed_at_counter
from kiosk.queue.client import QueueClient
from kiosk.queue.models import QueueError, Ticket
from kiosk.queue.undo import CounterUndo
from kiosk.staff.directory import StaffDirectory, StaffMember
from kiosk.survey.model import SurveyRecorder
from kiosk.ui.counter.action_panel import ActionPanel
from kiosk.ui.counter.application_panel import ApplicationFinder, ApplicationPanel
from kiosk.ui.counter.call_number import CallNumberPanel
from kiosk.ui.counter.complaint_dialog import CounterComplaints
from kiosk.ui.counter.help_requests import console_panel
from kiosk.ui.counter.manager import ManagerWindow
from kiosk.ui.counter.sign_in import SignInPanel
from kiosk.ui.counter.top_bar import CounterBar
from kiosk.ui.counter.transfer import TransferPanel
from kiosk.ui.counter.waiting_list import WaitingPanel
from kiosk.ui.qt.bridge import QueueEvents
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.theme import Scale, console_style
from kiosk.ui.qt.widgets import label, restyle
from kiosk.ui.survey.counter import CounterSurvey

log = logging.getLogger(__name__)

# The smallest window whose buttons all fit (tests/gui/test_counter_one_key.py). A window manager honours
# a minimum size; without one (the one-machine demo) Qt still bounds every resize by it, where a layout's
# own minimum was ignored (SetNoConstraint) and the buttons were drawn over each other.
MIN_SIZE = (1024, 680)

# waiting line, ticket in hand, stats, the ticket "Panggil berikutnya" takes
CounterState = tuple[list[Ticket], Ticket | None, dict[str, Any], Ticket | None]


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


def counter_name(config: Config, t: Translator, number: int) -> str:
    return config.counter_label(number) or t("counter.counter_name", number=number)


def service_name(catalog: Catalog | None, code: str, lang: str) -> str:
    if catalog is not None:
        try:
            return catalog.service(code).name.get(lang)
        except KeyError:
            pass
    return code


def stats_text(stats: dict[str, Any], t: Translator) -> str:
    """Today's figures of the counter, in one line under its buttons."""
    mean = stats.get("mean_service_minutes")
    return t("counter.stats", served=stats.get("served", 0),
             mean=t("counter.mean_minutes", n=f"{mean:.0f}") if mean is not None else t("counter.no_mean"))


Done = Ticket | tuple[Ticket | None, Ticket | None] | None  # what an action answers: a ticket, or (finished, called)


def queue_call(queue: QueueClient, action: CounterAction, *, counter: int, services: tuple[str, ...], actor: str,
               in_hand: Ticket | None) -> Callable[[], Done] | None:
    """The queue call behind a button, to run on the worker (its arguments read on the GUI thread);
    None when it needs a ticket in hand and there is none. The two "next" calls finish the ticket in
    hand first, in the same queue operation (one key per citizen)."""
    if action.spec.finishes_first:
        finishing = in_hand.id if in_hand is not None and in_hand.state in IN_HAND else None
        priority_only = action is CounterAction.CALL_PRIORITY
        return lambda: queue.finish_and_call_next(counter, services, finishing, actor=actor,
                                                  priority_only=priority_only)
    moves = {CounterAction.RECALL: queue.recall, CounterAction.START: queue.start,
             CounterAction.FINISH: queue.finish, CounterAction.NO_SHOW: queue.no_show}
    move = moves.get(action)
    if move is None or in_hand is None:
        return None
    ticket_id = in_hand.id
    return lambda: move(ticket_id, actor=actor)


def done_message(t: Translator, action: CounterAction, finished: Ticket | None, ticket: Ticket | None) -> str:
    """What the console says once ``action`` is done (``finished``: the ticket "Panggil berikutnya" finished)."""
    if finished is not None:
        if ticket is None:
            return t("counter.finished_nobody_waiting", finished=finished.number)
        return t("counter.finished_and_called", finished=finished.number, number=ticket.number)
    if ticket is None:
        return t("counter.nobody_waiting") if action.spec.calls else ""
    return t(action.done_key, number=ticket.number)


def read_state(queue: QueueClient, counter: int, services: tuple[str, ...]) -> CounterState:
    """What the console shows, read on the worker."""
    return (queue.waiting(services), queue.current_at(counter), queue.counter_stats(counter),
            queue.next_up(counter, services))


def needed_height(content: QWidget) -> int:
    """The height ``content`` needs now: a changed label reaches the top layout by posted layout requests,
    one nesting level at a time, so those are delivered first (else the hint is the one before)."""
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    return content.minimumSizeHint().height()


def scale_to_fit(root: QWidget, content: QWidget, gaps: tuple[tuple[QLayout, int, int], ...],
                 current: Scale | None, *, resized: bool = True) -> Scale:
    """Apply the largest type scale at which ``content`` fits ``root``'s height, and return it.

    Designed for a 1600×900 area; a wide but low window (the demo) still gets readable type. Buttons
    keep a minimum touch height whatever the scale, so at 1280×720 the proportional scale did not fit
    and the last row of buttons fell off: the type shrinks a step at a time until everything fits.
    Not ``resized`` (the content grew: a ticket with more lines), it only shrinks from ``current``.
    """
    unit = min((root.width() or 1600) / 1600, (root.height() or 900) / 900)
    if not resized and current is not None:
        if needed_height(content) <= root.height():
            return current
        unit = min(unit, current.unit * 0.93)
    scale = current
    for _ in range(8):
        if Scale(unit=unit) != scale:
            scale = Scale(unit=unit)
            root.setStyleSheet(console_style(scale))
            for layout, gap, margin in gaps:
                layout.setSpacing(scale.px(gap) if gap else 0)
                layout.setContentsMargins(*[scale.px(margin)] * 4)
        if needed_height(content) <= root.height():
            break
        unit *= 0.93
    assert scale is not None
    return scale


def add_citizen_tools(window: CounterWindow, right: QVBoxLayout, survey_store: SurveyRecorder,
                      complaints: ComplaintFiling | None) -> tuple[CounterSurvey, CounterComplaints]:
    """Under the waiting line (the left column has no room to spare): "ask for a rating" after Finish
    (the survey on the citizen-facing screen, kiosk.ui.survey) and "Pengaduan", a complaint filed on
    the citizen's behalf (kiosk.ui.counter.complaint_dialog; hidden without a filing)."""
    survey = CounterSurvey(window.config, window.catalog, window, store=survey_store)
    survey.message.connect(window._say)
    filing = CounterComplaints(window, complaints, window)
    right.addWidget(survey.button)
    right.addWidget(filing.button)
    return survey, filing


class CounterWindow(QWidget):
    """One counter's console."""

    def __init__(self, config: Config, catalog: Catalog | None, queue: QueueClient,
                 parent: QWidget | None = None, *, staff: StaffDirectory | None = None,
                 application_finder: ApplicationFinder | None = None, forms: FormSet | None = None,
                 survey_store: SurveyRecorder, complaints: ComplaintFiling | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterWindow")
        self.config, self.catalog, self.queue = config, catalog, queue
        self.staff = staff
        self.staff_member: StaffMember | None = None
        self.t = Translator(config.device.language)
        self.counters = building_counters(config, catalog)
        self.counter = next(iter(self.counters), 1)
        self.current: Ticket | None = None
        self._waiting: list[Ticket] = []
        self.undo = CounterUndo(queue)  # the latest no-show or finish, taken back by one key
        self.no_show_undo = self.undo.no_show
        self.runner = TaskRunner("counter-queue", self)
        self._actions_in_flight = 0
        self._state_reader = Refresher(self.runner, self._read_state, on_done=self._show_state,
                                       on_error=lambda _exc: self._say(self.t("counter.queue_unavailable"), error=True))
        self.events = QueueEvents(queue, self)
        self.events.changed.connect(lambda _e: self.refresh())
        self.events.resynced.connect(self.refresh)

        self.setMinimumSize(*MIN_SIZE)
        self.pages = QStackedLayout(self)
        self.pages.setSizeConstraint(QStackedLayout.SizeConstraint.SetNoConstraint)
        self.console = QWidget()
        self.console.setObjectName("console")
        root = QHBoxLayout(self.console)
        root.setSizeConstraint(QHBoxLayout.SizeConstraint.SetNoConstraint)  # type follows window size
        left = QVBoxLayout()
        names = [(counter_name(config, self.t, number), number) for number in self.counters]
        self.top_bar = CounterBar(names, with_accounts=staff is not None)
        self.top_bar.counter_picker.currentIndexChanged.connect(self._counter_changed)
        self.top_bar.performance_button.clicked.connect(self.open_performance)
        self.top_bar.sign_out_button.clicked.connect(self.sign_out)
        # The manager's performance panel (kiosk.ui.counter.manager): today's figures and the PDF report.
        self.manager: ManagerWindow | None = None
        left.addWidget(self.top_bar)
        self.work_page = ActionPanel(lambda code: service_name(self.catalog, code, self.t.lang))
        self.work_page.chosen.connect(self.perform)
        self.work_page.undo.connect(self.undo_last)
        self.work_page.undo_expired.connect(self.undo.forget)
        self.transfer_panel = TransferPanel([s.code for s in catalog.services] if catalog is not None else [],
                                            lambda code: service_name(self.catalog, code, self.t.lang))
        self.transfer_panel.chosen.connect(self._transfer)
        self.transfer_panel.cancelled.connect(self.close_panel)
        self.call_panel = CallNumberPanel(self.t)
        self.call_panel.go.connect(self._call_number)
        self.call_panel.cancelled.connect(self.close_panel)
        self.action_stack = QStackedWidget()
        self.action_stack.setObjectName("actionStack")
        for panel in (self.work_page, self.transfer_panel, self.call_panel):
            self.action_stack.addWidget(panel)
        left.addWidget(self.action_stack, 1)
        self.message = label("", "message")
        left.addWidget(self.message)
        self.stats = label("", "note")
        left.addWidget(self.stats)

        right = QVBoxLayout()
        self.help_requests = console_panel(self)  # "Kios 2 meminta bantuan" (kiosk.ui.counter.help_requests)
        right.addWidget(self.help_requests)
        # The application the citizen filed at the kiosk, beside the ticket (hidden when there is none).
        self.application_panel = (ApplicationPanel(application_finder, forms, self.t)
                                  if application_finder is not None else None)
        if self.application_panel is not None:
            right.addWidget(self.application_panel, 1)
            self.events.changed.connect(self.application_panel.on_queue_event)
        self.waiting = WaitingPanel(lambda code: service_name(self.catalog, code, self.t.lang))
        right.addWidget(self.waiting, 1)
        if self.application_panel is not None:  # the application takes the column's full height
            self.application_panel.shown.connect(lambda app: self.waiting.fold(app is not None))
        self.survey, self.complaints = add_citizen_tools(self, right, survey_store, complaints)
        root.addLayout(left, 3)
        root.addLayout(right, 2)
        # Gaps follow the window size like the type does (_apply_style): fixed 24/16 px gaps cut off
        # the last row of buttons on a 1366×768 monitor.
        self._gaps: tuple[tuple[QLayout, int, int], ...] = ((root, 24, 24), (left, 12, 0), *self.work_page.gaps)

        self.login_page = SignInPanel(staff, names, self.t, self.runner)
        self.login_page.signed_in.connect(self._signed_in)
        self.pages.addWidget(self.console)
        self.pages.addWidget(self.login_page)
        self.pages.setCurrentWidget(self.login_page if staff is not None else self.console)
        self._add_shortcuts()
        self._expose_parts()

        self._scale: Scale | None = None
        self._apply_style()
        self.retranslate()
        self.refresh()

    def _add_shortcuts(self) -> None:
        for action in GRID:
            QShortcut(QKeySequence(action.spec.shortcut), self).activated.connect(partial(self._shortcut, action))
        undo = QShortcut(QKeySequence(CounterAction.UNDO_NO_SHOW.spec.shortcut), self)
        undo.activated.connect(self.undo_last)
        QShortcut(QKeySequence("F9"), self).activated.connect(self.survey.ask)

    def _expose_parts(self) -> None:
        """The panels' widgets under the window's names, as the GUI tests and the self-test's tour find them."""
        top, work, call, login = self.top_bar, self.work_page, self.call_panel, self.login_page
        self.counter_picker, self.staff_label = top.counter_picker, top.staff_label
        self.sign_out_button = top.sign_out_button
        self.buttons, self.undo_button, self.undo_timer = work.buttons, work.undo_button, work.undo_timer
        self.current_number, self.current_detail = work.number, work.detail
        self.waiting_list = self.waiting.line
        self.transfer_buttons, self.transfer_cancel = self.transfer_panel.buttons, self.transfer_panel.cancel
        self.call_hint, self.call_display, self.call_keypad = call.hint, call.display, call.keypad
        self.call_go, self.call_cancel, self.prefix_buttons = call.go_button, call.cancel, call.prefix_buttons
        self.staff_list, self.login_counter_picker = login.staff_list, login.counter_picker
        self.pin_keypad, self.pin_display = login.pin_keypad, login.pin_display
        self.sign_in_button, self.login_message = login.sign_in_button, login.message

    # -- signing in and out ----------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        """True when actions are allowed: no accounts configured, or a clerk is signed in."""
        return self.staff is None or self.staff_member is not None

    def _signed_in(self, member: StaffMember) -> None:
        self.staff_member = member
        index = self.login_page.counter_picker.currentIndex()
        if index >= 0 and index != self.counter_picker.currentIndex():
            self.counter_picker.setCurrentIndex(index)  # refreshes through _counter_changed
        self.counter_picker.setEnabled(False)  # no switching counters by accident
        self.staff_label.setText(self.t("counter.signed_in_as", name=member.name,
                                        counter=counter_name(self.config, self.t, self.counter)))
        self._say("")
        self.close_panel()
        self.pages.setCurrentWidget(self.console)
        self.refresh()

    def sign_out(self) -> None:
        if self.staff is None:
            return
        self.staff_member = None
        self.close_panel()
        self.login_page.reset(self.counter_picker.currentIndex())
        self._say("")
        self.staff_label.setText("")
        self.counter_picker.setEnabled(True)
        self.pages.setCurrentWidget(self.login_page)
        self._show_current()

    # -- transfer and call-a-number panels -------------------------------------------------------
    def close_panel(self) -> None:
        self.transfer_panel.ticket = None
        self.action_stack.setCurrentWidget(self.work_page)

    def open_transfer(self) -> None:
        ticket = self.current
        if ticket is None or not allowed_at_counter(CounterAction.TRANSFER, ticket.state) or not self.signed_in:
            return
        self.transfer_panel.open_for(ticket, self.t("counter.transfer_title", number=ticket.number))
        self.action_stack.setCurrentWidget(self.transfer_panel)

    def _transfer(self, code: str) -> None:
        ticket = self.transfer_panel.ticket
        if ticket is None or not self.signed_in:
            return
        actor, queue = self._actor, self.queue
        self.work_page.disable()
        self.transfer_panel.enable(False)
        self._act(lambda: queue.transfer(ticket.id, code, actor=actor),
                  on_done=lambda moved: self._transferred(moved, code),
                  on_error=lambda exc: self._failed(CounterAction.TRANSFER, exc, close_panel=True))

    def _transferred(self, ticket: Ticket, code: str) -> None:
        self.close_panel()
        self.current = None
        service = service_name(self.catalog, code, self.t.lang)
        self._say(self.t(CounterAction.TRANSFER.done_key, number=ticket.number, service=service))
        self._show_current()
        self.refresh()

    def open_call_number(self) -> None:
        if not self.signed_in:
            return
        self.call_panel.start(self._waiting)
        self.action_stack.setCurrentWidget(self.call_panel)

    def _call_number(self, number: str) -> None:
        if not self.signed_in:
            return
        counter, actor, queue = self.counter, self._actor, self.queue
        self.work_page.disable()
        self._act(lambda: queue.call_specific(counter, number, actor=actor),
                  on_done=self._called_number, on_error=lambda exc: self._call_failed(number, exc))

    def _called_number(self, ticket: Ticket) -> None:
        self.close_panel()
        self._done(CounterAction.CALL_NUMBER, ticket)

    def _call_failed(self, number: str, exc: BaseException) -> None:
        text = self.call_panel.failure(number, exc)
        if text is None:
            self._failed(CounterAction.CALL_NUMBER, exc)
            return
        self._say(text, error=True)
        self.refresh()

    def _counter_changed(self, index: int) -> None:
        self.counter = self.counter_picker.itemData(index)
        self.current = None
        self.refresh()

    @property
    def services(self) -> tuple[str, ...]:
        return self.counters.get(self.counter, ())

    def retranslate(self) -> None:
        t = self.t
        self.top_bar.retranslate(t)
        self.waiting.retranslate(t)
        self.work_page.retranslate(t)
        self.login_page.retranslate(t)
        self.transfer_panel.retranslate(t)
        self.call_panel.retranslate(t)
        self.survey.retranslate(t)
        self._show_current()

    # -- actions -------------------------------------------------------------------------------
    def _shortcut(self, action: CounterAction) -> None:
        at_work = self.pages.currentWidget() is self.console and self.action_stack.currentWidget() is self.work_page
        if at_work and self.buttons[action.value].isEnabled():
            self.perform(action)

    def perform(self, action: CounterAction | str) -> None:
        """Run one clerk action on the worker; the result comes back through :meth:`_done`."""
        action = CounterAction(action)
        if not self.signed_in:
            return
        if action is CounterAction.TRANSFER:
            self.open_transfer()
            return
        if action is CounterAction.CALL_NUMBER:
            self.open_call_number()
            return
        job = queue_call(self.queue, action, counter=self.counter, services=self.services, actor=self._actor,
                         in_hand=self.current)
        if job is None:
            return
        self.work_page.disable()
        self._act(job, on_done=lambda ticket: self._done(action, ticket),
                  on_error=lambda exc: self._failed(action, exc))

    def _offer_undo(self) -> None:
        """The undo button for the latest action that can be taken back (a no-show or a finish), if any."""
        offer = self.undo.offered()
        if offer is None:
            self.work_page.end_undo()
            return
        action, ticket, keep_number = offer
        self.work_page.offer_undo(self.t(action.label_key, number=ticket.number), self.undo.seconds,
                                  keep_number=keep_number)

    def _act(self, job: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        """Run a clerk's action; the buttons wait for actions only, never for background re-reads
        (in a busy building those run all the time, and a click must not be swallowed by one)."""
        self._actions_in_flight += 1

        def finished(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def run(value: Any) -> None:
                self._actions_in_flight -= 1
                callback(value)
            return run

        self.runner.run(job, on_done=finished(on_done), on_error=finished(on_error))

    @property
    def _actor(self) -> str:
        """Who did it, for the audit trail: device, signed-in clerk (if accounts are used), counter."""
        if self.staff_member is not None:
            return f"{self.config.device.id}/{self.staff_member.id}/counter-{self.counter}"
        return f"{self.config.device.id}/counter-{self.counter}"

    def _done(self, action: CounterAction, result: Done) -> None:
        finished, ticket = result if isinstance(result, tuple) else (None, result)
        if ticket is not None or finished is not None:
            self.current = ticket if ticket is not None and ticket.state in IN_HAND else None
        self._say(done_message(self.t, action, finished, ticket))
        served = finished or (ticket if action is CounterAction.FINISH else None)
        if served is not None:
            self.survey.offer(served)
        if finished is not None:
            self.undo.after_finish_and_call(finished, ticket)
        else:
            self.undo.after(action, ticket)
        self._offer_undo()
        self._show_current()  # the buttons follow the clerk's action at once, not after the next read
        self.refresh()

    def undo_last(self) -> None:
        """Ctrl+Z or "Urungkan": take back the latest no-show (called again) or finish (served again)."""
        claimed = self.undo.claim(self.current)
        self.work_page.end_undo()
        if claimed is None or not self.signed_in:
            return
        (action, take_back), actor, counter = claimed, self._actor, self.counter
        self.work_page.disable()
        self._act(lambda: take_back(counter, actor), on_done=lambda ticket: self._done(action, ticket),
                  on_error=lambda exc: self._failed(action, exc))

    undo_no_show = undo_last  # the name the GUI tests and the self-test know

    def _failed(self, action: CounterAction, exc: BaseException, *, close_panel: bool = False) -> None:
        if close_panel:
            self.close_panel()
        if isinstance(exc, QueueError):
            self._say(self.t("counter.action_failed", reason=str(exc)), error=True)
        else:
            log.error("counter action %s failed", action.value, exc_info=exc)
            self._say(self.t("counter.queue_unavailable"), error=True)
        self._show_current()
        self.refresh()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        restyle(self.message, "error", error)

    # -- refresh -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._state_reader.request()

    def _read_state(self) -> CounterState:
        return read_state(self.queue, self.counter, self.services)

    def _show_state(self, state: CounterState) -> None:
        waiting, current, stats, next_up = state
        self.current = current
        self._waiting = list(waiting)
        if self.action_stack.currentWidget() is self.call_panel:
            self.call_panel.show_letters(self._waiting)
        self.waiting.show_line(waiting, self.t, next_up=next_up.id if next_up is not None else None)
        self.stats.setText(stats_text(stats, self.t))
        self._show_current()

    def _show_current(self) -> None:
        ticket = self.current
        self.work_page.show_ticket(ticket, self.t)
        if self.application_panel is not None:
            self.application_panel.show_ticket(ticket)
        state = ticket.state if ticket is not None else None
        busy = self._actions_in_flight > 0
        self.work_page.enable(state, ready=self.signed_in and not busy, can_transfer=bool(self.transfer_buttons))
        self._scale = scale_to_fit(self, self.console, self._gaps, self._scale, resized=False)  # more lines?
        panel = self.action_stack.currentWidget()
        if panel is self.transfer_panel:
            if not self.transfer_panel.follows(ticket) or not allowed_at_counter(CounterAction.TRANSFER, state):
                self.close_panel()  # the ticket moved on meanwhile (finished at another console, say)
            elif not busy:
                self.transfer_panel.enable(True)
        elif panel is self.call_panel:
            if not allowed_at_counter(CounterAction.CALL_NUMBER, state):
                self.close_panel()
            else:
                self.call_panel.set_busy(busy)

    def _apply_style(self) -> None:
        self._scale = scale_to_fit(self, self.console, self._gaps, self._scale)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def open_performance(self) -> None:
        if self.manager is None:
            self.manager = ManagerWindow(self.config)
            self.manager.setWindowTitle(self.t("report.screen.title"))
            self.manager.resize(1400, 900)
        self.manager.show()
        self.manager.refresh()

    def shutdown(self) -> None:
        self.work_page.end_undo()
        self.events.close()
        self.survey.shutdown()
        self.complaints.shutdown()
        if self.manager is not None:
            self.manager.shutdown()
            self.manager.close()
            self.manager.deleteLater()
            self.manager = None
        if self.application_panel is not None:
            self.application_panel.shutdown()
        self.help_requests.stop()
        self.runner.stop()
