"""The ticket engine: numbering, quotas, priority calling, the state machine and the audit trail.

Pure Python over :mod:`kiosk.storage.store`. It runs in-process in the one-machine demo and inside the
building's queue host, where several processes may open the same SQLite file. So every
read-then-write happens inside one ``db.transaction()`` (``BEGIN IMMEDIATE``): the write lock is
taken before the read, so two kiosks never get the same number and two counters never call the
same ticket. All shared state (sequences, the per-counter priority streak, the lines' running
counts) lives in the database, never in Python memory; only the median service time behind wait
estimates is reused for a few seconds (an estimate, not state).

Its parts, each in its own module: the schema and its migrations (:mod:`kiosk.queue.schema`), row and
time helpers (:mod:`kiosk.queue.rows`), wait estimates (:mod:`kiosk.queue.estimates`), the application
views kept for the counters (:mod:`kiosk.queue.views`) and the read models of the board, a counter's
figures and the audit trail (:mod:`kiosk.queue.reads`). This class is the one way in for callers.

Modelling choices:

* A transfer changes the ticket's service *in place* and puts it back to ``issued``; it keeps its
  id, number and ``arrived_at``, so it joins the new service's line at its original arrival
  position. Quota counts the service a ticket was issued for (``issued_service``), so transfers
  in never use the receiving service's quota.
* A reactivated no-show also keeps ``arrived_at``: it goes back to its original place.
* Waiting lines, calls and the board only look at today's (local day) tickets; a ticket left
  waiting yesterday is never called today.
* Datetimes are stored as UTC ISO-8601 text with a fixed width, so text order is time order.
* The application view attached to a ticket (personal data) is stored encrypted with the key in
  ``application-views.key`` beside the database, and deleted once its day is over.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.queue import calling, reads, repairs
from kiosk.queue.actions import CANCELLABLE, CounterAction, allowed_from
from kiosk.queue.availability import AvailabilitySnapshot, IssuedToday, availability, issue_refusal
from kiosk.queue.bookings import BookingDesk
from kiosk.queue.estimates import WaitEstimates
from kiosk.queue.help import DEFAULT_TIMEOUT, CloseReason, HelpDesk, HelpRequest
from kiosk.queue.models import (
    IDENTITY_STATUSES,
    ApplicationView,
    AttachedApplication,
    BoardState,
    EventType,
    IllegalTransition,
    IssuedTicket,
    OpeningHours,
    PriorityGroup,
    QueueEvent,
    RecallLimitReached,
    RequestIdConflict,
    ServiceRule,
    Ticket,
    TicketNotFound,
    TicketState,
    UnknownService,
    WaitPreview,
)
from kiosk.queue.rows import (
    Clock,
    day_start,
    insert_ticket,
    load_ticket,
    local_day,
    read_clock,
    record_event,
    seconds_between,
    sql_value,
    ticket_of,
    update_ticket,
    utc_now,
)
from kiosk.queue.schema import LINE_ORDER, QUEUE_SCHEMA
from kiosk.queue.views import ApplicationViews
from kiosk.storage.store import Database, open_database
from kiosk.utils.privacy import check_masked_nik

log = logging.getLogger(__name__)

Listener = Callable[[QueueEvent], object]


class Listeners:
    """Who hears about committed changes; shared by the engine and its application views."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def clear(self) -> None:
        with self._lock:
            self._listeners.clear()

    def notify(self, events: Iterable[QueueEvent]) -> None:
        """Deliver after commit, on the committing thread; a failing listener is logged, never raised."""
        with self._lock:
            listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("queue listener %r failed on %s", listener, event.type.value)


class QueueEngine:
    """Issues and calls tickets for one building; safe across threads and processes."""

    def __init__(self, db: Database, rules: Sequence[ServiceRule], tz: ZoneInfo, *, priority_ratio: int = 2,
                 max_recalls: int = 3, hours: OpeningHours | None = None, clock: Clock = utc_now,
                 help_timeout: timedelta = DEFAULT_TIMEOUT, priority_reserved_share: float = 0.0) -> None:
        """``priority_reserved_share``: the share of each daily quota held back for priority citizens
        (kiosk.queue.availability; they are never refused for a full quota either way)."""
        if priority_ratio < 1:
            raise ValueError("priority_ratio must be at least 1")
        if max_recalls < 0:
            raise ValueError("max_recalls cannot be negative")
        self.db = db
        self.tz = tz
        self.priority_ratio = priority_ratio
        if not 0 <= priority_reserved_share < 1:
            raise ValueError("priority_reserved_share must be at least 0 and below 1")
        self.priority_reserved_share = priority_reserved_share
        self.max_recalls = max_recalls
        self.hours = hours
        self._clock = clock
        self._rules: dict[str, ServiceRule] = {}
        self._listeners = Listeners()
        self._estimates = WaitEstimates(tz)
        # Handed the clock and the listeners, not the engine's methods: no reference cycle.
        self._views = ApplicationViews(db, tz, clock, notify=self._listeners.notify)
        self._help = HelpDesk(db, clock, help_timeout)  # calls for staff from the kiosks (kiosk.queue.help)
        # Bookings (issue 19): check-in is ``engine.bookings.check_in`` (kiosk.queue.bookings)
        self.bookings = BookingDesk(db, tz, clock, self._estimates, hours=hours,
                                    reserved_share=priority_reserved_share, notify=self._listeners.notify)
        self.update_rules(rules)
        repairs.run_pending(db, self._views.mask_niks)  # once per file: full NIKs an older version kept

    @classmethod
    def open(cls, path: Path, rules: Sequence[ServiceRule], tz: ZoneInfo, **kw: Any) -> QueueEngine:
        """Open (creating and migrating) the queue database at ``path``."""
        db = open_database(Path(path), QUEUE_SCHEMA)
        db.checkpoint_in_background()  # a building's every terminal waits on these commits
        return cls(db, rules, tz, **kw)

    def close(self) -> None:
        self._listeners.clear()
        self.db.close()

    # -- configuration -----------------------------------------------------------------------
    def update_rules(self, rules: Sequence[ServiceRule]) -> None:
        """Replace the service rules (the catalog changed); tickets already issued are untouched."""
        table: dict[str, ServiceRule] = {}
        for rule in rules:
            if rule.code in table:
                raise ValueError(f"service {rule.code} appears twice in the rules")
            table[rule.code] = rule
        self._rules = table  # one assignment: readers see the old or the new table, never half
        self._estimates.use_rules(table)  # a changed typical duration counts at once
        self.bookings.use_rules(table)

    @property
    def rules(self) -> dict[str, ServiceRule]:
        return dict(self._rules)

    def _rule(self, service_code: str) -> ServiceRule:
        try:
            return self._rules[service_code]
        except KeyError:
            raise UnknownService(service_code) from None

    # -- time --------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return read_clock(self._clock)

    def _day(self, moment: datetime) -> str:
        """The local calendar day: sequences and quotas reset at local midnight."""
        return local_day(moment, self.tz)

    # -- listeners ---------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every committed change (on the committing thread)."""
        return self._listeners.subscribe(listener)

    # -- ticket helpers ----------------------------------------------------------------------
    def _find(self, conn: sqlite3.Connection, number: str, day: str) -> Ticket:
        row = conn.execute("SELECT * FROM tickets WHERE day = ? AND number = ? COLLATE NOCASE",
                           (day, number.strip())).fetchone()
        if row is None:
            raise TicketNotFound(f"{number} ({day})")
        return ticket_of(row)

    def _transition(self, ticket_id: str, action: str, kind: EventType, actor: str, *,
                    allowed: frozenset[TicketState],
                    changes: Callable[[Ticket, datetime], dict[str, object]],
                    detail: Callable[[Ticket, datetime], dict[str, object]] | None = None,
                    check: Callable[[Ticket], None] | None = None) -> Ticket:
        """Load, check the state, update and audit in one write transaction."""
        with self.db.transaction() as conn:
            now = self._now()
            before = load_ticket(conn, ticket_id)
            if before.state not in allowed:
                raise IllegalTransition(before, before.state, action)
            if check is not None:
                check(before)
            after = update_ticket(conn, ticket_id, changes(before, now))
            event = record_event(conn, after, kind, actor, now, before.counter,
                                 detail(before, now) if detail else None)
        self._listeners.notify([event])
        return after

    # -- issuing -----------------------------------------------------------------------------
    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | str | None = None,
              lang: str = "id", nik_masked: str | None = None, identity_status: str = "none",
              actor: str = "kiosk", counters_serving: int = 1, application_id: str | None = None) -> IssuedTicket:
        """Issue the next number for a service, or return the ticket this ``request_id`` already got.

        The request id is checked first, so a kiosk retrying after a network drop gets its ticket
        back even after closing time or once the quota is full, without using a second number.
        """
        if not request_id:
            raise ValueError("a request id is required (it makes retries safe)")
        if identity_status not in IDENTITY_STATUSES:
            raise ValueError(f"identity_status must be one of {sorted(IDENTITY_STATUSES)}")
        if nik_masked is not None:
            check_masked_nik(nik_masked)  # a full NIK would be stored and shown in clear (issue 21)
        group = PriorityGroup(priority) if priority is not None else None
        with self.db.transaction() as conn:
            now = self._now()
            row = conn.execute("SELECT * FROM tickets WHERE request_id = ?", (request_id,)).fetchone()
            if row is not None:
                existing = ticket_of(row)
                if existing.priority != group or service_code not in (existing.service_code, row["issued_service"]):
                    raise RequestIdConflict(request_id, existing)
                return self._estimates.standing(conn, existing, counters_serving, now)
            rule = self._rule(service_code)
            day = self._day(now)
            # The same checks as the availability read (kiosk.queue.availability): closed, then quota.
            split = self.priority_reserved_share > 0
            used = self.bookings.with_outstanding(conn, reads.issued_counts(conn, day, rule.code, split_priority=split),
                                                  day, now, rule.code).get(rule.code, IssuedToday())
            if (refusal := issue_refusal(rule, used, self.hours, self.tz, now, priority=group is not None,
                                         reserved_share=self.priority_reserved_share)) is not None:
                raise refusal
            ticket = insert_ticket(conn, rule, day, now, request_id=request_id, priority=group, lang=lang,
                                   identity_status=identity_status, nik_masked=nik_masked,
                                   application_id=application_id)
            event = record_event(conn, ticket, EventType.ISSUED, actor, now, None,
                                 {"service": rule.code, "priority": sql_value(group)})
            issued = self._estimates.standing_of_newest(conn, ticket, counters_serving, now)
        self._listeners.notify([event])
        return issued

    # -- calling (the rule of who is next: kiosk.queue.calling) -------------------------------
    def call_next(self, counter: int, services: Sequence[str], *, actor: str,
                  priority_only: bool = False) -> Ticket | None:
        """Call the ticket :meth:`next_up` names (priority first, never starving the rest); None if nobody waits."""
        return self.finish_and_call_next(counter, services, None, actor=actor, priority_only=priority_only)[1]

    def finish_and_call_next(self, counter: int, services: Sequence[str], finishing: str | None, *, actor: str,
                             priority_only: bool = False) -> tuple[Ticket | None, Ticket | None]:
        """Finish the ticket in hand (``finishing``, held by this counter) and call the next: one key per citizen.

        One transaction, so both or neither (a refused finish calls nobody). With nobody waiting the
        finish stands (the citizen was served) and the called ticket is None. Returns (finished, called).
        """
        codes = list(dict.fromkeys(services))
        with self.db.transaction() as conn:
            now = self._now()
            finished, events = (calling.finish_in_hand(conn, finishing, counter, actor, now)
                                if finishing is not None else (None, []))
            called, more = calling.call_next_in(conn, self._day(now), now, counter, codes, actor,
                                                ratio=self.priority_ratio, priority_only=priority_only,
                                                slot_now=self.bookings.slot_now(now))
        if finished is not None:
            self._estimates.forget(finished.service_code)
        self._listeners.notify(events + more)
        return finished, called

    def next_up(self, counter: int, services: Sequence[str], *, priority_only: bool = False) -> Ticket | None:
        """The ticket this counter's "call next" would take now (the console marks it in its line)."""
        now = self._now()
        with self.db.reading() as conn:
            return calling.next_up(conn, self._day(now), counter, list(dict.fromkeys(services)),
                                   ratio=self.priority_ratio, priority_only=priority_only,
                                   slot_now=self.bookings.slot_now(now))[0]

    def undo_finish(self, counter: int, finished_id: str, called_id: str | None, *, actor: str) -> Ticket:
        """Take back a finish pressed by mistake: served again, and ``called_id`` (called by the same key) back
        in line at its place. Both or neither; refused once either ticket moved on."""
        with self.db.transaction() as conn:
            reopened, events = calling.undo_finish_in(conn, counter, finished_id, called_id, actor, self._now())
        self._estimates.forget(reopened.service_code)
        self._listeners.notify(events)
        return reopened

    def call_specific(self, counter: int, number: str, *, actor: str) -> Ticket:
        """Call today's ticket ``number`` out of order; a no-show is reactivated and called.

        It does not count in the counter's priority streak: the clerk chose this ticket.
        """
        with self.db.transaction() as conn:
            now = self._now()
            ticket = self._find(conn, number, self._day(now))
            if ticket.state not in allowed_from(CounterAction.CALL_NUMBER):
                raise IllegalTransition(ticket, ticket.state, "call")
            events: list[QueueEvent] = []
            if ticket.state is TicketState.NO_SHOW:
                previous_counter = ticket.counter
                ticket = update_ticket(conn, ticket.id, calling.back_to_line())
                events.append(record_event(conn, ticket, EventType.REACTIVATED, actor, now, previous_counter))
            ticket, called = calling.call_ticket(conn, ticket, counter, actor, now, {"mode": "specific"})
        self._listeners.notify(events + called)
        return ticket

    # -- transitions -------------------------------------------------------------------------
    def recall(self, ticket_id: str, *, actor: str) -> Ticket:
        """Announce a called ticket again; refused after ``max_recalls`` (mark it no-show instead)."""
        def check(ticket: Ticket) -> None:
            if ticket.recalls >= self.max_recalls:
                raise RecallLimitReached(ticket, self.max_recalls)

        return self._transition(ticket_id, "recall", EventType.RECALLED, actor,
                                allowed=allowed_from(CounterAction.RECALL), check=check,
                                changes=lambda t, _now: {"recalls": t.recalls + 1},
                                detail=lambda t, _now: {"recalls": t.recalls + 1})

    def start(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._transition(ticket_id, "start", EventType.STARTED, actor,
                                allowed=allowed_from(CounterAction.START),
                                changes=lambda _t, now: {"state": TicketState.SERVING, "started_at": now})

    def finish(self, ticket_id: str, *, actor: str) -> Ticket:
        """Done; finished straight from "called", its start is recorded at the call (kiosk.queue.calling)."""
        done = self._transition(ticket_id, "finish", EventType.FINISHED, actor,
                                allowed=allowed_from(CounterAction.FINISH), detail=calling.finish_detail,
                                changes=calling.finish_changes)
        self._estimates.forget(done.service_code)  # a new duration: its next estimate reads the history again
        return done

    def no_show(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._transition(ticket_id, "mark as no-show", EventType.NO_SHOW, actor,
                                allowed=allowed_from(CounterAction.NO_SHOW),
                                changes=lambda _t, _now: {"state": TicketState.NO_SHOW})

    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket:
        """Put a no-show back in line at its original arrival position (the citizen came back)."""
        return self._transition(ticket_id, "reactivate", EventType.REACTIVATED, actor,
                                allowed=allowed_from(CounterAction.UNDO_NO_SHOW),
                                changes=lambda _t, _now: calling.back_to_line())

    def transfer(self, ticket_id: str, to_service: str, *, actor: str) -> Ticket:
        """Move a ticket to another service's line, keeping its number and arrival time."""
        self._rule(to_service)

        def check(ticket: Ticket) -> None:
            if ticket.service_code == to_service:
                raise IllegalTransition(ticket, ticket.state, f"transfer to its own service {to_service}")

        def detail(ticket: Ticket, now: datetime) -> dict[str, object]:
            info: dict[str, object] = {"from": ticket.service_code, "to": to_service,
                                       "from_state": ticket.state.value}
            if ticket.started_at is not None:  # the first service's time is otherwise lost
                info["served_seconds"] = seconds_between(ticket.started_at, now)
            return info

        return self._transition(ticket_id, "transfer", EventType.TRANSFERRED, actor,
                                allowed=allowed_from(CounterAction.TRANSFER),
                                check=check, detail=detail,
                                changes=lambda _t, _now: calling.back_to_line(to_service))

    def cancel(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._transition(ticket_id, "cancel", EventType.CANCELLED, actor,
                                allowed=CANCELLABLE,
                                changes=lambda _t, _now: {"state": TicketState.CANCELLED})

    # -- reading -----------------------------------------------------------------------------
    def get(self, ticket_id: str) -> Ticket:
        with self.db.reading() as conn:
            return load_ticket(conn, ticket_id)

    def find(self, number: str, day: str | None = None) -> Ticket:
        """The ticket with this number on ``day`` (ISO date, default today); case-insensitive."""
        with self.db.reading() as conn:
            return self._find(conn, number, day or self._day(self._now()))

    def waiting(self, services: Sequence[str] | None = None) -> list[Ticket]:
        """Today's waiting tickets, priority first then by arrival (the order call_next favours)."""
        params: list[object] = [self._day(self._now())]
        where = ""
        if services is not None:
            codes = list(dict.fromkeys(services))
            if not codes:
                return []
            where = f" AND service_code IN ({', '.join('?' * len(codes))})"
            params.extend(codes)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT * FROM tickets WHERE day = ? AND state = 'issued'{where} "
                                f"ORDER BY {LINE_ORDER}", params).fetchall()
        return [ticket_of(row) for row in rows]

    def current_at(self, counter: int) -> Ticket | None:
        """The ticket a counter has called or is serving today (the latest one), if any."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM tickets WHERE counter = ? AND day = ? "
                               "AND state IN ('called', 'serving') ORDER BY called_at DESC LIMIT 1",
                               (counter, self._day(self._now()))).fetchone()
        return ticket_of(row) if row is not None else None

    def position(self, ticket_id: str, counters_serving: int = 1) -> IssuedTicket:
        """Fresh people-ahead and wait estimate for a ticket (0/0 once it is no longer waiting)."""
        with self.db.reading() as conn:
            return self._estimates.standing(conn, load_ticket(conn, ticket_id), counters_serving, self._now())

    def preview(self, service_code: str, *, priority: PriorityGroup | str | None = None,
                counters_serving: int = 1) -> WaitPreview:
        """What a new ticket for this service would face now, before the citizen takes one."""
        self._rule(service_code)
        now = self._now()
        with self.db.reading() as conn:
            priority_waiting, normal_waiting = self._estimates.line_counts(conn, self._day(now), service_code)
            ahead = priority_waiting if priority is not None else priority_waiting + normal_waiting
            minutes = self._estimates.estimate(conn, service_code, ahead, counters_serving, now)
        return WaitPreview(service_code, ahead, minutes)

    def availability(self, closing_soon_minutes: int) -> AvailabilitySnapshot:
        """Whether each service can issue a ticket now, by ``issue()``'s checks (kiosk.queue.availability)."""
        now = self._now()
        with self.db.reading() as conn:
            day = self._day(now)
            issued = self.bookings.with_outstanding(
                conn, reads.issued_counts(conn, day, split_priority=self.priority_reserved_share > 0), day, now)
        return availability(self._rules.values(), issued, self.hours, self.tz, now,
                            timedelta(minutes=closing_soon_minutes), reserved_share=self.priority_reserved_share)

    # -- read models (kiosk.queue.reads) ------------------------------------------------------
    def board(self, recent: int = 8) -> BoardState:
        """The lobby board: latest call per counter, recent calls and who is waiting, for today."""
        day = self._day(self._now())
        return reads.board(self.db, self._rules, day, day_start(day, self.tz), recent)

    def counter_stats(self, counter: int, actor: str | None = None) -> dict[str, Any]:
        """Today's figures for a counter (optionally one clerk): calls, served, no-shows, mean minutes."""
        day = self._day(self._now())
        return reads.counter_stats(self.db, counter, actor, day, day_start(day, self.tz))

    def events(self, ticket_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The audit trail: the latest ``limit`` events (of one ticket, or all), oldest first."""
        return reads.events(self.db, ticket_id, limit)

    # -- applications filed with tickets (kiosk.queue.views) ----------------------------------
    def attach_application(self, ticket_id: str, view: ApplicationView, *, actor: str = "kiosk",
                           admin: bool = False) -> tuple[AttachedApplication, str]:
        """Keep the counter's view of the application filed with a ticket; returns it and what happened.

        The outcome is ``"attached"`` (first time: the ticket's ``application_id`` is set and an
        ``application_attached`` event recorded), ``"updated"`` (the same application with a new
        body, e.g. its sync state: ``application_updated``) or ``"unchanged"`` (the same body again,
        a kiosk retrying after a lost answer: nothing is written). Another application on the same
        ticket raises :class:`~kiosk.queue.models.ApplicationConflict`; a ticket of a past day
        :class:`~kiosk.queue.models.TicketExpired`. Only the device that issued the ticket (the
        ``actor`` of its ``issued`` event) may attach, unless ``admin``: another raises
        :class:`~kiosk.queue.models.NotYourTicket` before anything is written.
        The answers are never logged nor put in the audit trail.
        """
        return self._views.attach(ticket_id, view, actor=actor, admin=admin)

    def application_of(self, ticket_id: str) -> AttachedApplication | None:
        """The application filed with a ticket of today, or None; an unknown ticket raises TicketNotFound."""
        return self._views.of(ticket_id)

    def purge_application_views(self) -> int:
        """Delete the applications of past days' tickets (personal data kept only while needed)."""
        return self._views.purge()

    # -- calls for staff from a kiosk (kiosk.queue.help) --------------------------------------
    def raise_help(self, kiosk: str, *, actor: str | None = None) -> tuple[HelpRequest, bool]:
        """The kiosk's open help request, or a new one: (request, created); one open request per kiosk."""
        return self._help.raise_for(kiosk, actor=actor)

    def acknowledge_help(self, request_id: str, *, actor: str, counter: int, clerk: str | None = None) -> HelpRequest:
        """A clerk at ``counter`` is on the way; HelpConflict once another answered or it closed."""
        return self._help.acknowledge(request_id, actor=actor, counter=counter, clerk=clerk)

    def close_help(self, request_id: str, reason: CloseReason | str, *, actor: str,
                   kiosk: str | None = None) -> HelpRequest:
        """Close a help request (``kiosk``: only that kiosk's own); a closed one is answered unchanged."""
        return self._help.close(request_id, CloseReason(reason), actor=actor, kiosk=kiosk)

    def help_request(self, request_id: str, *, kiosk: str | None = None) -> HelpRequest:
        return self._help.get(request_id, kiosk=kiosk)

    def open_help_requests(self) -> list[HelpRequest]:
        """Every open help request, oldest first; those past the timeout are closed first."""
        return self._help.open_requests()

    def help_events(self, request_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The help requests' audit trail, oldest first."""
        return self._help.events(request_id, limit)
