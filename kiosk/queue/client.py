"""What terminals (kiosk, counter console, lobby board) need from the building's queue.

:class:`QueueClient` is the seam: :class:`LocalQueue` runs the engine inside this process (the
one-machine demo); the building's queue host gets an HTTP client with the same methods, so the
screens do not change when the queue moves to another machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kiosk.catalog.services import Catalog
from kiosk.queue.availability import AvailabilitySnapshot
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice
from kiosk.queue.engine import QueueEngine
from kiosk.queue.help import CloseReason, HelpRequest
from kiosk.queue.models import (
    ApplicationView,
    BoardState,
    IssuedTicket,
    PriorityGroup,
    QueueError,
    QueueEvent,
    Ticket,
    TicketNotFound,
    WaitPreview,
)
from kiosk.queue.status import StatusIndex, number_standing, ticket_status

Listener = Callable[[QueueEvent], None]


class QueueUnavailable(QueueError):
    """The queue could not be reached (host down, network cut): retrying later may work."""


class LookupThrottled(QueueError):
    """The queue host refused a typed-number status lookup: this device asked too often (``retry_after`` s)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many status lookups; retry in {retry_after} s")
        self.retry_after = retry_after


class CheckInThrottled(LookupThrottled):
    """The queue host refused a booking check-in: this device tried too many codes (``retry_after`` s)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.args = (f"too many booking check-ins; retry in {retry_after} s",)


class QueueClient(Protocol):
    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | None = None,
              lang: str = "id", nik_masked: str | None = None,
              identity_status: str = "none") -> IssuedTicket: ...
    def preview(self, service_code: str, priority: PriorityGroup | None = None) -> WaitPreview: ...
    def check_in_booking(self, code_text: str, *, kiosk: str, request_id: str, choice: CheckInChoice | None = None,
                         lang: str = "id") -> CheckInAnswer:
        """Check in a booking (typed code or QR text): a ticket, the first ticket again, a choice to make
        (early or late: ask again with ``choice``), or a refusal (kiosk.queue.checkin). Over the LAN the
        host takes the kiosk from the device token and may refuse with :class:`CheckInThrottled`."""
        ...
    def availability(self, closing_soon_minutes: int) -> AvailabilitySnapshot:
        """Whether each service can issue a ticket now (open, closing soon, closed, quota full), in one read."""
        ...
    def call_next(self, counter: int, services: Sequence[str], *, actor: str,
                  priority_only: bool = False) -> Ticket | None: ...
    def call_specific(self, counter: int, number: str, *, actor: str) -> Ticket: ...
    def finish_and_call_next(self, counter: int, services: Sequence[str], finishing: str | None, *, actor: str,
                             priority_only: bool = False) -> tuple[Ticket | None, Ticket | None]:
        """Finish ``finishing`` (held by this counter) and call the next, both or neither: (finished, called)."""
        ...
    def undo_finish(self, counter: int, finished_id: str, called_id: str | None, *, actor: str) -> Ticket:
        """Take back a finish pressed by mistake; ``called_id`` (called by the same key) goes back in line."""
        ...
    def next_up(self, counter: int, services: Sequence[str]) -> Ticket | None:
        """The ticket this counter's "call next" would take now (the same rule as the call)."""
        ...
    def recall(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def start(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def finish(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def no_show(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def transfer(self, ticket_id: str, to_service: str, *, actor: str) -> Ticket: ...
    def cancel(self, ticket_id: str, *, actor: str) -> Ticket: ...
    def get(self, ticket_id: str) -> Ticket: ...
    def find(self, number: str) -> Ticket:
        """Today's ticket with this number (as printed); TicketNotFound when there is none."""
        ...
    def waiting(self, services: Sequence[str] | None = None) -> list[Ticket]: ...
    def current_at(self, counter: int) -> Ticket | None: ...
    def counter_stats(self, counter: int) -> dict[str, Any]: ...
    def board(self, recent: int = 8) -> BoardState: ...
    def status(self, token: str) -> dict[str, Any] | None:
        """Where the ticket named by a status token (its QR code) stands; None when no recent ticket has it."""
        ...
    def status_by_number(self, number: str) -> dict[str, Any] | None:
        """Where today's ticket with this number (as printed, "A-012") stands, with nothing personal
        (:func:`kiosk.queue.status.number_standing`); None when no such ticket was issued today. The
        queue host rate-limits it per device (:class:`LookupThrottled`): numbers are easy to guess."""
        ...
    def attach_application(self, ticket_id: str, view: ApplicationView) -> ApplicationView:
        """Keep the counter's view of the application filed with a ticket (kiosk); the same view again is a no-op."""
        ...
    def application_of(self, ticket_id: str) -> ApplicationView | None:
        """The application filed with today's ticket (counter), or None when it has none."""
        ...
    def raise_help(self, kiosk: str) -> HelpRequest:
        """Call staff to this kiosk ("Minta bantuan"): its open request, or a new one (a second tap raises
        nothing). Over the LAN the queue host takes the kiosk from the device token, not from ``kiosk``."""
        ...
    def help_request(self, request_id: str) -> HelpRequest:
        """A help request as it stands now (the kiosk polls its own while it is open)."""
        ...
    def open_help_requests(self) -> list[HelpRequest]:
        """Every open help request, oldest first (the consoles and the lobby board)."""
        ...
    def acknowledge_help(self, request_id: str, *, counter: int, actor: str, clerk: str | None = None) -> HelpRequest:
        """"Saya datang": a clerk of ``counter`` is on the way; HelpConflict when another answered first."""
        ...
    def close_help(self, request_id: str, reason: CloseReason, *, kiosk: str) -> HelpRequest:
        """The kiosk closes its own request (touched after the answer, cancelled, session ended)."""
        ...
    def subscribe(self, listener: Listener, on_resync: Callable[[], None] | None = None) -> Callable[[], None]:
        """``listener`` gets each committed change; ``on_resync`` is called when changes may have been
        missed (the link to a remote queue came back), so views redraw from current state."""
        ...
    def close(self) -> None: ...


class LocalQueue:
    """The engine in this process; adds what only the catalog knows (how many counters serve)."""

    def __init__(self, engine: QueueEngine, catalog: Catalog | None) -> None:
        self.engine = engine
        self.catalog = catalog
        engine.purge_application_views()  # a past day's applications never outlive a restart
        self._status_index = StatusIndex(engine)

    def _counters_serving(self, service_code: str) -> int:
        if self.catalog is None:
            return 1
        try:
            return max(1, len(self.catalog.service(service_code).counters))
        except KeyError:
            return 1

    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | None = None,
              lang: str = "id", nik_masked: str | None = None, identity_status: str = "none") -> IssuedTicket:
        return self.engine.issue(service_code, request_id=request_id, priority=priority, lang=lang,
                                 nik_masked=nik_masked, identity_status=identity_status,
                                 counters_serving=self._counters_serving(service_code))

    def check_in_booking(self, code_text: str, *, kiosk: str, request_id: str, choice: CheckInChoice | None = None,
                         lang: str = "id") -> CheckInAnswer:
        answer = self.engine.bookings.check_in(code_text, kiosk=kiosk, request_id=request_id, choice=choice,
                                              lang=lang, counters_serving=self._counters_serving)
        if answer.ticket is not None:
            self._status_index.remember(answer.ticket.ticket)
        return answer

    def preview(self, service_code: str, priority: PriorityGroup | None = None) -> WaitPreview:
        return self.engine.preview(service_code, priority=priority,
                                   counters_serving=self._counters_serving(service_code))

    def availability(self, closing_soon_minutes: int) -> AvailabilitySnapshot:
        return self.engine.availability(closing_soon_minutes)

    def call_next(self, counter: int, services: Sequence[str], *, actor: str,
                  priority_only: bool = False) -> Ticket | None:
        return self.engine.call_next(counter, services, actor=actor, priority_only=priority_only)

    def call_specific(self, counter: int, number: str, *, actor: str) -> Ticket:
        return self.engine.call_specific(counter, number, actor=actor)

    def finish_and_call_next(self, counter: int, services: Sequence[str], finishing: str | None, *, actor: str,
                             priority_only: bool = False) -> tuple[Ticket | None, Ticket | None]:
        return self.engine.finish_and_call_next(counter, services, finishing, actor=actor,
                                                priority_only=priority_only)

    def undo_finish(self, counter: int, finished_id: str, called_id: str | None, *, actor: str) -> Ticket:
        return self.engine.undo_finish(counter, finished_id, called_id, actor=actor)

    def next_up(self, counter: int, services: Sequence[str]) -> Ticket | None:
        return self.engine.next_up(counter, services)

    def recall(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.recall(ticket_id, actor=actor)

    def start(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.start(ticket_id, actor=actor)

    def finish(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.finish(ticket_id, actor=actor)

    def no_show(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.no_show(ticket_id, actor=actor)

    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.reactivate(ticket_id, actor=actor)

    def transfer(self, ticket_id: str, to_service: str, *, actor: str) -> Ticket:
        return self.engine.transfer(ticket_id, to_service, actor=actor)

    def cancel(self, ticket_id: str, *, actor: str) -> Ticket:
        return self.engine.cancel(ticket_id, actor=actor)

    def get(self, ticket_id: str) -> Ticket:
        return self.engine.get(ticket_id)

    def find(self, number: str) -> Ticket:
        return self.engine.find(number)

    def waiting(self, services: Sequence[str] | None = None) -> list[Ticket]:
        return self.engine.waiting(services)

    def current_at(self, counter: int) -> Ticket | None:
        return self.engine.current_at(counter)

    def counter_stats(self, counter: int) -> dict[str, Any]:
        return self.engine.counter_stats(counter)

    def board(self, recent: int = 8) -> BoardState:
        return self.engine.board(recent=recent)

    def status(self, token: str) -> dict[str, Any] | None:
        ticket = self._status_index.find(token)
        if ticket is None:
            return None
        return ticket_status(self.engine, ticket, self._counters_serving(ticket.service_code))

    def status_by_number(self, number: str) -> dict[str, Any] | None:
        try:
            ticket = self.engine.find(number)
        except TicketNotFound:
            return None
        return number_standing(ticket_status(self.engine, ticket, self._counters_serving(ticket.service_code)))

    def attach_application(self, ticket_id: str, view: ApplicationView) -> ApplicationView:
        return self.engine.attach_application(ticket_id, view)[0].view

    def application_of(self, ticket_id: str) -> ApplicationView | None:
        attached = self.engine.application_of(ticket_id)
        return attached.view if attached is not None else None

    def raise_help(self, kiosk: str) -> HelpRequest:
        return self.engine.raise_help(kiosk)[0]

    def help_request(self, request_id: str) -> HelpRequest:
        return self.engine.help_request(request_id)

    def open_help_requests(self) -> list[HelpRequest]:
        return self.engine.open_help_requests()

    def acknowledge_help(self, request_id: str, *, counter: int, actor: str, clerk: str | None = None) -> HelpRequest:
        return self.engine.acknowledge_help(request_id, actor=actor, counter=counter, clerk=clerk)

    def close_help(self, request_id: str, reason: CloseReason, *, kiosk: str) -> HelpRequest:
        return self.engine.close_help(request_id, reason, actor=kiosk, kiosk=kiosk)

    def subscribe(self, listener: Listener, on_resync: Callable[[], None] | None = None) -> Callable[[], None]:
        return self.engine.subscribe(listener)  # in-process: nothing is ever missed, no resync

    def close(self) -> None:
        self.engine.close()
