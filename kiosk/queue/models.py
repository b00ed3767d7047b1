"""Queue domain values: tickets, service rules, opening hours, board state and the errors.

Plain frozen values with no Qt and no SQL, so the same objects travel from the engine to the Qt layer
(as signal payloads) and to the queue host (as JSON) without adapters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import Enum
from typing import NamedTuple

# Re-exported: the host's request models name the one rule of a masked NIK (kiosk.utils.privacy).
from kiosk.utils.privacy import check_masked_nik


class PriorityGroup(str, Enum):
    """Groups that UU 25/2009 art. 29 entitles to priority service."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    PREGNANT = "pregnant"
    CHILD = "child"
    DISASTER = "disaster"


class TicketState(str, Enum):
    """Where a ticket is in its life.

    A transfer is not a state: it moves the ticket in place to another service and back to
    ``ISSUED`` (see :meth:`kiosk.queue.engine.QueueEngine.transfer`); the ``transferred`` event
    keeps the history.
    """

    ISSUED = "issued"  # waiting
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class EventType(str, Enum):
    """Audit-trail event types, one per state change."""

    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    REACTIVATED = "reactivated"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    REOPENED = "reopened"  # a finish taken back (pressed by mistake): served again
    UNCALLED = "uncalled"  # ... and the ticket the same key called is back in line
    APPLICATION_ATTACHED = "application_attached"  # the kiosk attached the filed application's view
    APPLICATION_UPDATED = "application_updated"  # ... and later its new sync state


# What the clerk must know of the citizen's identity: nothing asked ("none"), matched by the face check
# ("verified"), a NIK whose face was not matched ("to_verify_at_counter"), and, without a NIK (issue 16),
# "no_nik" (no KTP, NIK not known) or "travel_document" (a passport or KITAS: only its kind travels).
IDENTITY_STATUSES = frozenset({"none", "verified", "to_verify_at_counter", "no_nik", "travel_document"})
CHECKED_AT_COUNTER = frozenset({"to_verify_at_counter", "no_nik", "travel_document"})


def identity_checked_at_counter(identity_status: str) -> bool:
    """The ticket is marked "identitas diperiksa di loket" (kiosk, paper, counter console)."""
    return identity_status in CHECKED_AT_COUNTER


@dataclass(frozen=True)
class ServiceRule:
    """What the engine needs to know about one service; the catalog owns the rest.

    Services sharing a ``prefix`` share one daily number sequence, so numbers stay unique in the
    building. ``daily_quota`` is a hard cap (0 means no tickets today).
    """

    code: str
    prefix: str
    daily_quota: int
    typical_service_minutes: int

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a service needs a code")
        if not self.prefix or any(c.isspace() for c in self.prefix):
            raise ValueError(f"service {self.code}: ticket prefix must be non-empty without spaces")
        if self.daily_quota < 0:
            raise ValueError(f"service {self.code}: daily quota cannot be negative")
        if self.typical_service_minutes < 0:
            raise ValueError(f"service {self.code}: typical service minutes cannot be negative")


@dataclass(frozen=True)
class OpeningHours:
    """When tickets may be issued, in local time; ``weekdays`` uses Monday = 0."""

    open: time
    close: time
    weekdays: frozenset[int]

    def __post_init__(self) -> None:
        if not self.open < self.close:
            raise ValueError("opening time must be before closing time (no overnight hours)")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")

    def is_open(self, local: datetime) -> bool:
        return local.weekday() in self.weekdays and self.open <= local.time() < self.close

    def next_open(self, local: datetime) -> datetime | None:
        """The next opening strictly after ``local`` (same tz), or None if never open."""
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() in self.weekdays:
                candidate = datetime.combine(day, self.open, local.tzinfo)
                if candidate > local:
                    return candidate
        return None


@dataclass(frozen=True)
class Ticket:
    """A snapshot of one ticket; datetimes are aware UTC.

    ``prefix``/``number`` are fixed at issue and survive a transfer, so the citizen's paper stays
    valid; ``arrived_at`` is the original arrival and orders the line even after a transfer or a
    no-show reactivation.
    """

    id: str
    number: str
    service_code: str
    prefix: str
    seq: int
    day: str
    priority: PriorityGroup | None
    state: TicketState
    arrived_at: datetime
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    counter: int | None
    recalls: int
    request_id: str
    identity_status: str
    nik_masked: str | None
    lang: str
    application_id: str | None
    # The booked slot ("HH:MM", local time) of a ticket checked in from a booking (issue 19), else None:
    # called ahead of walk-ins of its service once the slot has come (kiosk.queue.calling), marked at
    # the counter. Last and defaulted, so tickets built before bookings existed still construct.
    booking: str | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is not None


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket with where it stands in line, as printed and shown to the citizen."""

    ticket: Ticket
    people_ahead: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class WaitPreview:
    """What a citizen would face if they took a ticket now (before choosing to)."""

    service_code: str
    people_ahead: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class QueueEvent:
    """A committed change, pushed to listeners (Qt signals, the host's SSE stream)."""

    type: EventType
    ticket: Ticket
    counter: int | None
    at: datetime
    actor: str
    detail: dict[str, object] = field(default_factory=dict)


class BoardCall(NamedTuple):
    """One call as the lobby board shows it."""

    counter: int
    number: str
    service_code: str
    called_at: datetime
    priority: bool = False  # marked ★ on the board; which group (elderly, pregnant...) is never sent


@dataclass(frozen=True)
class BoardState:
    """Everything the lobby board draws, read in one go.

    ``now_serving``: the latest call per counter, by counter; ``recent_calls``: the latest calls,
    newest first, one entry per ticket and counter (a recall moves it to the top again, so the
    board flashes it again).
    """

    now_serving: list[BoardCall]
    recent_calls: list[BoardCall]
    waiting_by_service: dict[str, int]
    day: str


# -- the application filed with a ticket, as the counter sees it ---------------------------------

SYNC_STATES = ("pending", "sending", "sent", "rejected")  # the kiosk's outbox states (kiosk.sync.outbox)
MAX_ANSWERS = 100
MAX_ANSWER_LENGTH = 1000
MAX_ANSWERS_TOTAL = 20_000  # characters over all answers: a form is far smaller; this bounds the host's memory
MAX_DOCUMENT_KINDS = 40
MAX_PHOTOS_PER_KIND = 100
ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
FIELD_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


@dataclass(frozen=True)
class ApplicationView:
    """What a counter needs of the application a citizen filed with a ticket, and nothing more.

    Built by the kiosk from its local store (:func:`kiosk.applications.views.counter_view`), kept by
    the queue with the ticket for that ticket's day only. ``answers`` (form field id → value) are
    personal data (UU 27/2022): NIK-type answers arrive masked, the applicant's NIK only ever as
    ``nik_masked``. ``documents`` counts the photographed pages per document kind; ``sync_state``
    is where the kiosk's copy stands on its way to MPP Digital; ``details_deleted`` says the
    kiosk's retention already removed the answers. Invalid values raise ``ValueError``.
    """

    application_id: str
    number: str
    service_code: str
    nik_masked: str
    created_at: datetime
    sync_state: str
    answers: Mapping[str, str] = field(default_factory=dict)
    documents: Mapping[str, int] = field(default_factory=dict)
    details_deleted: bool = False

    def __post_init__(self) -> None:
        problems = _view_problems(self)
        if problems:
            raise ValueError("invalid application view: " + "; ".join(problems))


def _view_problems(view: ApplicationView) -> list[str]:
    problems = []
    if not re.fullmatch(ID_PATTERN, view.application_id or ""):
        problems.append("application_id must be 1-64 letters, digits or '-'")
    for name in ("number", "service_code"):
        value = getattr(view, name)
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            problems.append(f"{name} must be 1-64 characters")
    try:
        check_masked_nik(view.nik_masked)
    except ValueError as exc:
        problems.append(str(exc))
    if not isinstance(view.created_at, datetime) or view.created_at.tzinfo is None:
        problems.append("created_at must be a time with its UTC offset")
    if view.sync_state not in SYNC_STATES:
        problems.append(f"sync_state must be one of {', '.join(SYNC_STATES)}")
    answers = view.answers
    if len(answers) > MAX_ANSWERS:
        problems.append(f"at most {MAX_ANSWERS} answers")
    for key, value in answers.items():
        if not isinstance(key, str) or not re.fullmatch(FIELD_ID_PATTERN, key):
            problems.append("answer keys must be form field ids (a-z, 0-9, _)")
            break
        if not isinstance(value, str) or len(value) > MAX_ANSWER_LENGTH:
            problems.append(f"answer {key} must be text of at most {MAX_ANSWER_LENGTH} characters")
            break
    if sum(len(v) for v in answers.values() if isinstance(v, str)) > MAX_ANSWERS_TOTAL:
        problems.append(f"the answers together must be at most {MAX_ANSWERS_TOTAL} characters")
    if len(view.documents) > MAX_DOCUMENT_KINDS:
        problems.append(f"at most {MAX_DOCUMENT_KINDS} document kinds")
    for kind, count in view.documents.items():
        if not isinstance(kind, str) or not re.fullmatch(FIELD_ID_PATTERN, kind) or isinstance(count, bool) \
                or not isinstance(count, int) or not 0 <= count <= MAX_PHOTOS_PER_KIND:
            problems.append(f"documents must map kinds (a-z, 0-9, _) to 0-{MAX_PHOTOS_PER_KIND} photos")
            break
    return problems


@dataclass(frozen=True)
class AttachedApplication:
    """An application view as the queue keeps it with its ticket (times aware UTC)."""

    ticket_id: str
    ticket_number: str
    view: ApplicationView
    attached_at: datetime
    updated_at: datetime


class QueueError(Exception):
    """A queue rule refused the request; the message can be shown to staff."""


class UnknownService(QueueError):
    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service

    def __str__(self) -> str:
        return f"unknown service {self.service!r}"


class QuotaFull(QueueError):
    def __init__(self, service: str, quota: int) -> None:
        super().__init__(service, quota)
        self.service, self.quota = service, quota

    def __str__(self) -> str:
        return f"the daily quota of {self.quota} tickets for {self.service} is used up"


class Closed(QueueError):
    """Tickets are not issued now; ``next_open`` (aware UTC) is when they will be, if known."""

    def __init__(self, next_open: datetime | None) -> None:
        super().__init__(next_open)
        self.next_open = next_open

    def __str__(self) -> str:
        when = f"; opens {self.next_open.isoformat()}" if self.next_open else ""
        return f"the queue is closed{when}"


class TicketNotFound(QueueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"no ticket {self.key!r}"


class IllegalTransition(QueueError):
    """The ticket's current state does not allow ``action`` (the host answers 409 with the state)."""

    def __init__(self, ticket: Ticket, current_state: TicketState, action: str) -> None:
        super().__init__(ticket, current_state, action)
        self.ticket, self.current_state, self.action = ticket, current_state, action

    def __str__(self) -> str:
        return f"ticket {self.ticket.number} is {self.current_state.value}: cannot {self.action}"


class RecallLimitReached(IllegalTransition):
    """Recalled ``max_recalls`` times already: the clerk must mark the ticket as no-show."""

    def __init__(self, ticket: Ticket, max_recalls: int) -> None:
        super().__init__(ticket, ticket.state, "recall")
        self.args = (ticket, max_recalls)  # so it pickles back through __init__
        self.max_recalls = max_recalls

    def __str__(self) -> str:
        return f"ticket {self.ticket.number} was already recalled {self.max_recalls} times; mark it as no-show"


class RequestIdConflict(QueueError):
    """A retried issue reused a request id for a different service or priority group.

    An identical retry is a no-op that returns the same ticket; a different body under the same
    id is a client bug, refused rather than silently answered with the wrong ticket.
    """

    def __init__(self, request_id: str, ticket: Ticket) -> None:
        super().__init__(request_id, ticket)
        self.request_id, self.ticket = request_id, ticket

    def __str__(self) -> str:
        return f"request {self.request_id!r} already issued ticket {self.ticket.number} for another choice"


class ApplicationConflict(QueueError):
    """The ticket already carries another application: one ticket, one application."""

    def __init__(self, ticket: Ticket, attached_number: str) -> None:
        super().__init__(ticket, attached_number)
        self.ticket, self.attached_number = ticket, attached_number

    def __str__(self) -> str:
        return f"ticket {self.ticket.number} already carries application {self.attached_number}"


class NotYourTicket(QueueError):
    """Only the device that issued a ticket (or an admin) may write what is kept with it (issue 21, item 3)."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(ticket)
        self.ticket = ticket

    def __str__(self) -> str:
        return f"ticket {self.ticket.number} was issued by another device; only that kiosk may attach its application"


class TicketExpired(QueueError):
    """The ticket is from a past day: applications are kept for today's tickets only (then deleted)."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(ticket)
        self.ticket = ticket

    def __str__(self) -> str:
        return (f"ticket {self.ticket.number} is from {self.ticket.day}; applications are kept for "
                "today's tickets only")
