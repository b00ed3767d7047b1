"""The ticket engine: numbering, quotas, priority calling, the state machine and the audit trail.

Pure Python over :mod:`kiosk.storage.store`. It runs in-process in the one-machine demo and inside the
building's queue host, where several processes may open the same SQLite file. So every
read-then-write happens inside one ``db.transaction()`` (``BEGIN IMMEDIATE``): the write lock is
taken before the read, so two kiosks never get the same number and two counters never call the
same ticket. All shared state (sequences, the per-counter priority streak, the lines' running
counts) lives in the database, never in Python memory; only the median service time behind wait
estimates is reused for a few seconds (an estimate, not state).

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

import json
import logging
import math
import sqlite3
import statistics
import threading
import time as wallclock
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag

from kiosk.queue.actions import CANCELLABLE, CounterAction, allowed_from
from kiosk.queue.models import (
    IDENTITY_STATUSES,
    ApplicationConflict,
    ApplicationView,
    AttachedApplication,
    BoardCall,
    BoardState,
    Closed,
    EventType,
    IllegalTransition,
    IssuedTicket,
    OpeningHours,
    PriorityGroup,
    QueueEvent,
    QuotaFull,
    RecallLimitReached,
    RequestIdConflict,
    ServiceRule,
    Ticket,
    TicketExpired,
    TicketNotFound,
    TicketState,
    UnknownService,
    WaitPreview,
)
from kiosk.queue.wire import application_view_from_json, application_view_to_json
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import Database, Schema, open_database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Listener = Callable[[QueueEvent], object]

HISTORY_SIZE = 20  # service durations in the rolling median
HISTORY_FALLBACK_DAYS = 7
# How long a service's median duration is reused. A finish in this process forgets it at once; a
# finish by another process on the same file shows in estimates at most this late.
MEDIAN_REUSE_SECONDS = 5.0
UNKNOWN_SERVICE_MINUTES = 10
# The application views' key, beside queue.db: their answers are personal data (UU 27/2022) and are
# kept encrypted (AES-GCM, the ticket id as associated data) for the one day they live there.
VIEWS_KEY_FILE = "application-views.key"  # estimate for a ticket whose service left the rules

QUEUE_SCHEMA = Schema("queue", [
    """
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        issued_service TEXT NOT NULL,
        prefix TEXT NOT NULL,
        seq INTEGER NOT NULL,
        day TEXT NOT NULL,
        priority TEXT,
        state TEXT NOT NULL,
        arrived_at TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        called_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        counter INTEGER,
        recalls INTEGER NOT NULL DEFAULT 0,
        request_id TEXT NOT NULL UNIQUE,
        identity_status TEXT NOT NULL DEFAULT 'none',
        nik_masked TEXT,
        lang TEXT NOT NULL DEFAULT 'id',
        application_id TEXT
    );
    CREATE UNIQUE INDEX tickets_number ON tickets(day, number);
    CREATE INDEX tickets_waiting ON tickets(day, service_code, arrived_at, id) WHERE state = 'issued';
    CREATE INDEX tickets_quota ON tickets(day, issued_service);
    CREATE INDEX tickets_done ON tickets(service_code, finished_at) WHERE state = 'done';
    CREATE INDEX tickets_at_counter ON tickets(counter, day) WHERE state IN ('called', 'serving');
    CREATE TABLE sequences (
        day TEXT NOT NULL,
        prefix TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (day, prefix)
    ) WITHOUT ROWID;
    CREATE TABLE counter_streaks (
        day TEXT NOT NULL,
        counter INTEGER NOT NULL,
        priority_streak INTEGER NOT NULL,
        PRIMARY KEY (day, counter)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        counter INTEGER,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_ticket ON events(ticket_id, id);
    CREATE INDEX events_by_type ON events(type, at);
    CREATE INDEX events_by_counter ON events(counter, at);
    """,
    # Call-next looks up the head of each service's priority or normal line: one index seek per
    # service instead of sorting every waiting ticket of the counter's services (3,000 waiting made
    # call-next 3.5× slower with the first index alone).
    """
    CREATE INDEX tickets_line_head ON tickets(day, service_code, (priority IS NULL), arrived_at, id)
        WHERE state = 'issued';
    """,
    # The counter's view of the application filed with a ticket (kiosk.queue.models.ApplicationView).
    # Its answers are personal data (UU 27/2022): kept for the ticket's day only, then deleted
    # (purge_application_views: when the queue starts, at each attach, and on the host's timer).
    """
    CREATE TABLE ticket_applications (
        ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
        day TEXT NOT NULL,
        application_id TEXT NOT NULL,
        number TEXT NOT NULL,
        view TEXT NOT NULL,
        attached_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX ticket_applications_by_day ON ticket_applications(day);
    """,
    # tickets_line_head answers every lookup tickets_waiting did (no query plan used it any more);
    # one index fewer to write at each issue and call.
    """
    DROP INDEX IF EXISTS tickets_waiting;
    """,
    # Running counts, kept by triggers whatever statement changes a ticket: how many wait in each
    # service line (priority or normal) and how many were issued per service and day. Issuing read
    # both with COUNT(*), which walks the line: with 450 waiting per service that was a quarter of
    # an issue's cost, and it grows with the line (bench/queue_host.py).
    """
    CREATE TABLE line_counts (
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        priority_line INTEGER NOT NULL,
        waiting INTEGER NOT NULL,
        PRIMARY KEY (day, service_code, priority_line)
    ) WITHOUT ROWID;
    CREATE TABLE issued_counts (
        day TEXT NOT NULL,
        service_code TEXT NOT NULL,
        issued INTEGER NOT NULL,
        PRIMARY KEY (day, service_code)
    ) WITHOUT ROWID;
    INSERT INTO line_counts(day, service_code, priority_line, waiting)
        SELECT day, service_code, priority IS NOT NULL, COUNT(*) FROM tickets WHERE state = 'issued'
        GROUP BY day, service_code, priority IS NOT NULL;
    INSERT INTO issued_counts(day, service_code, issued)
        SELECT day, issued_service, COUNT(*) FROM tickets GROUP BY day, issued_service;
    CREATE TRIGGER tickets_count_issued AFTER INSERT ON tickets BEGIN
        INSERT INTO issued_counts(day, service_code, issued) VALUES (NEW.day, NEW.issued_service, 1)
            ON CONFLICT(day, service_code) DO UPDATE SET issued = issued + 1;
    END;
    CREATE TRIGGER tickets_line_join_new AFTER INSERT ON tickets WHEN NEW.state = 'issued' BEGIN
        INSERT INTO line_counts(day, service_code, priority_line, waiting)
            VALUES (NEW.day, NEW.service_code, NEW.priority IS NOT NULL, 1)
            ON CONFLICT(day, service_code, priority_line) DO UPDATE SET waiting = waiting + 1;
    END;
    CREATE TRIGGER tickets_line_leave AFTER UPDATE OF state, service_code, priority, day ON tickets
        WHEN OLD.state = 'issued' BEGIN
        UPDATE line_counts SET waiting = waiting - 1
            WHERE day = OLD.day AND service_code = OLD.service_code AND priority_line = (OLD.priority IS NOT NULL);
    END;
    CREATE TRIGGER tickets_line_join AFTER UPDATE OF state, service_code, priority, day ON tickets
        WHEN NEW.state = 'issued' BEGIN
        INSERT INTO line_counts(day, service_code, priority_line, waiting)
            VALUES (NEW.day, NEW.service_code, NEW.priority IS NOT NULL, 1)
            ON CONFLICT(day, service_code, priority_line) DO UPDATE SET waiting = waiting + 1;
    END;
    CREATE TRIGGER tickets_line_delete AFTER DELETE ON tickets WHEN OLD.state = 'issued' BEGIN
        UPDATE line_counts SET waiting = waiting - 1
            WHERE day = OLD.day AND service_code = OLD.service_code AND priority_line = (OLD.priority IS NOT NULL);
    END;
    DROP INDEX tickets_quota;  -- its one use was that count (a day's tickets: tickets_number's prefix)
    DROP INDEX events_by_counter;  -- only events at a counter are looked up by counter: issuing skips it
    CREATE INDEX events_by_counter ON events(counter, at) WHERE counter IS NOT NULL;
    """,
])

_CALL_EVENTS = "('called', 'recalled')"
# Call order inside one service line: priority first, then arrival, then id (stable tie-break).
_LINE_ORDER = "(priority IS NULL), arrived_at, id"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """Fixed-width UTC text (microseconds always present), so SQL text comparison is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _sql_value(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, (TicketState, PriorityGroup)):
        return value.value
    return value


def _ticket(row: sqlite3.Row) -> Ticket:
    arrived, issued = _parse(row["arrived_at"]), _parse(row["issued_at"])
    assert arrived is not None and issued is not None
    return Ticket(
        id=row["id"], number=row["number"], service_code=row["service_code"], prefix=row["prefix"],
        seq=row["seq"], day=row["day"],
        priority=PriorityGroup(row["priority"]) if row["priority"] is not None else None,
        state=TicketState(row["state"]), arrived_at=arrived, issued_at=issued,
        called_at=_parse(row["called_at"]), started_at=_parse(row["started_at"]),
        finished_at=_parse(row["finished_at"]), counter=row["counter"], recalls=row["recalls"],
        request_id=row["request_id"], identity_status=row["identity_status"],
        nik_masked=row["nik_masked"], lang=row["lang"], application_id=row["application_id"],
    )


def _returning(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> sqlite3.Row:
    """Run a ``... RETURNING *`` statement to completion (a half-stepped write cannot commit)."""
    rows: list[sqlite3.Row] = conn.execute(sql, params).fetchall()
    assert len(rows) == 1, sql
    return rows[0]


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


class QueueEngine:
    """Issues and calls tickets for one building; safe across threads and processes."""

    def __init__(self, db: Database, rules: Sequence[ServiceRule], tz: ZoneInfo, *, priority_ratio: int = 2,
                 max_recalls: int = 3, hours: OpeningHours | None = None, clock: Clock = _utc_now) -> None:
        if priority_ratio < 1:
            raise ValueError("priority_ratio must be at least 1")
        if max_recalls < 0:
            raise ValueError("max_recalls cannot be negative")
        self.db = db
        self.tz = tz
        self.priority_ratio = priority_ratio
        self.max_recalls = max_recalls
        self.hours = hours
        self._clock = clock
        self._rules: dict[str, ServiceRule] = {}
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        # (service, day) -> (median seconds, monotonic expiry): every issue estimates the wait, and
        # reading and parsing the last 20 durations was a sixth of an issue's cost (bench/queue_host.py).
        self._medians: dict[tuple[str, str], tuple[float, float]] = {}
        self._view_sealer: Sealer | None = None  # made at the first application view (its key file then)
        self.update_rules(rules)

    @classmethod
    def open(cls, path: Path, rules: Sequence[ServiceRule], tz: ZoneInfo, **kw: Any) -> QueueEngine:
        """Open (creating and migrating) the queue database at ``path``."""
        db = open_database(Path(path), QUEUE_SCHEMA)
        db.checkpoint_in_background()  # a building's every terminal waits on these commits
        return cls(db, rules, tz, **kw)

    def close(self) -> None:
        with self._listeners_lock:
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
        self._medians = {}  # a changed typical duration counts at once

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
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the queue clock must return timezone-aware datetimes")
        return moment.astimezone(UTC)

    def _day(self, moment: datetime) -> str:
        """The local calendar day: sequences and quotas reset at local midnight."""
        return moment.astimezone(self.tz).date().isoformat()

    def _day_start(self, day: str) -> datetime:
        return datetime.combine(date.fromisoformat(day), time(0), self.tz).astimezone(UTC)

    # -- listeners ---------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every committed change (on the committing thread)."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, events: Iterable[QueueEvent]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("queue listener %r failed on %s", listener, event.type.value)

    # -- writing helpers ---------------------------------------------------------------------
    def _record(self, conn: sqlite3.Connection, ticket: Ticket, kind: EventType, actor: str, at: datetime,
                counter: int | None, detail: dict[str, object] | None = None) -> QueueEvent:
        """Write the audit row for a change; the returned event is delivered after commit."""
        detail = detail or {}
        conn.execute("INSERT INTO events(ticket_id, at, type, actor, counter, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     (ticket.id, _iso(at), kind.value, actor, counter, json.dumps(detail, ensure_ascii=False)))
        return QueueEvent(type=kind, ticket=ticket, counter=counter, at=at, actor=actor, detail=detail)

    @staticmethod
    def _update(conn: sqlite3.Connection, ticket_id: str, changes: dict[str, object]) -> Ticket:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        row = _returning(conn, f"UPDATE tickets SET {assignments} WHERE id = ? RETURNING *",
                         [*(_sql_value(v) for v in changes.values()), ticket_id])
        return _ticket(row)

    @staticmethod
    def _load(conn: sqlite3.Connection, ticket_id: str) -> Ticket:
        row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise TicketNotFound(ticket_id)
        return _ticket(row)

    def _find(self, conn: sqlite3.Connection, number: str, day: str) -> Ticket:
        row = conn.execute("SELECT * FROM tickets WHERE day = ? AND number = ? COLLATE NOCASE",
                           (day, number.strip())).fetchone()
        if row is None:
            raise TicketNotFound(f"{number} ({day})")
        return _ticket(row)

    def _transition(self, ticket_id: str, action: str, kind: EventType, actor: str, *,
                    allowed: frozenset[TicketState],
                    changes: Callable[[Ticket, datetime], dict[str, object]],
                    detail: Callable[[Ticket, datetime], dict[str, object]] | None = None,
                    check: Callable[[Ticket], None] | None = None) -> Ticket:
        """Load, check the state, update and audit in one write transaction."""
        with self.db.transaction() as conn:
            now = self._now()
            before = self._load(conn, ticket_id)
            if before.state not in allowed:
                raise IllegalTransition(before, before.state, action)
            if check is not None:
                check(before)
            after = self._update(conn, ticket_id, changes(before, now))
            event = self._record(conn, after, kind, actor, now, before.counter,
                                 detail(before, now) if detail else None)
        self._notify([event])
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
        group = PriorityGroup(priority) if priority is not None else None
        with self.db.transaction() as conn:
            now = self._now()
            row = conn.execute("SELECT * FROM tickets WHERE request_id = ?", (request_id,)).fetchone()
            if row is not None:
                existing = _ticket(row)
                if existing.priority != group or service_code not in (existing.service_code, row["issued_service"]):
                    raise RequestIdConflict(request_id, existing)
                return self._standing(conn, existing, counters_serving, now)
            rule = self._rule(service_code)
            if self.hours is not None and not self.hours.is_open(now.astimezone(self.tz)):
                next_open = self.hours.next_open(now.astimezone(self.tz))
                raise Closed(next_open.astimezone(UTC) if next_open else None)
            day = self._day(now)
            used_row = conn.execute("SELECT issued FROM issued_counts WHERE day = ? AND service_code = ?",
                                    (day, rule.code)).fetchone()
            used = used_row[0] if used_row is not None else 0
            if used >= rule.daily_quota:
                raise QuotaFull(rule.code, rule.daily_quota)
            seq = _returning(conn, "INSERT INTO sequences(day, prefix, last_seq) VALUES (?, ?, 1) "
                             "ON CONFLICT(day, prefix) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
                             (day, rule.prefix))[0]
            stamp = _iso(now)
            ticket = _ticket(_returning(
                conn,
                "INSERT INTO tickets(id, number, service_code, issued_service, prefix, seq, day, priority, state, "
                "arrived_at, issued_at, request_id, identity_status, nik_masked, lang, application_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (str(uuid.uuid4()), f"{rule.prefix}-{seq:03d}", rule.code, rule.code, rule.prefix, seq, day,
                 _sql_value(group), stamp, stamp, request_id, identity_status, nik_masked, lang, application_id)))
            event = self._record(conn, ticket, EventType.ISSUED, actor, now, None,
                                 {"service": rule.code, "priority": _sql_value(group)})
            issued = self._standing_of_newest(conn, ticket, counters_serving, now)
        self._notify([event])
        return issued

    # -- calling -----------------------------------------------------------------------------
    def call_next(self, counter: int, services: Sequence[str], *, actor: str,
                  priority_only: bool = False) -> Ticket | None:
        """Call the next waiting ticket for a counter; None if nobody (eligible) is waiting.

        Priority tickets go first, but after ``priority_ratio`` consecutive priority calls at this
        counter the oldest normal ticket is taken, so normal citizens are never starved. The
        streak is stored per counter and day, so every process (and a restart) agrees on it.
        """
        codes = list(dict.fromkeys(services))
        if not codes:
            return None
        with self.db.transaction() as conn:
            now = self._now()
            day = self._day(now)
            streak_row = conn.execute("SELECT priority_streak FROM counter_streaks WHERE day = ? AND counter = ?",
                                      (day, counter)).fetchone()
            streak = streak_row[0] if streak_row else 0
            chosen = self._oldest_waiting(conn, day, codes, priority=True)
            if not priority_only:
                normal = self._oldest_waiting(conn, day, codes, priority=False)
                if normal is not None and (chosen is None or streak >= self.priority_ratio):
                    chosen = normal
            if chosen is None:
                return None
            streak = streak + 1 if chosen.is_priority else 0
            conn.execute("INSERT INTO counter_streaks(day, counter, priority_streak) VALUES (?, ?, ?) "
                         "ON CONFLICT(day, counter) DO UPDATE SET priority_streak = excluded.priority_streak",
                         (day, counter, streak))
            ticket, events = self._call(conn, chosen, counter, actor, now,
                                        {"mode": "priority" if priority_only else "next", "priority_streak": streak})
        self._notify(events)
        return ticket

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
                ticket = self._update(conn, ticket.id, self._back_to_line())
                events.append(self._record(conn, ticket, EventType.REACTIVATED, actor, now, previous_counter))
            ticket, called = self._call(conn, ticket, counter, actor, now, {"mode": "specific"})
        self._notify(events + called)
        return ticket

    def _oldest_waiting(self, conn: sqlite3.Connection, day: str, codes: Sequence[str], *,
                        priority: bool) -> Ticket | None:
        """The head of the counter's lines: one index seek per service, in one statement per
        100 services (SQLite allows 500 parts in a UNION).

        ``state = 'issued'`` is ``allowed_from(CounterAction.CALL_NEXT)``, spelled out for the partial
        index (tests/queue/test_counter_actions.py checks that the two agree)."""
        head = ("SELECT * FROM (SELECT arrived_at, id FROM tickets WHERE day = ? AND service_code = ? "
                "AND (priority IS NULL) = ? AND state = 'issued' ORDER BY arrived_at, id LIMIT 1)")
        services = list(dict.fromkeys(codes))
        rows = []
        for start in range(0, len(services), 100):
            chunk = services[start:start + 100]
            params = [value for code in chunk for value in (day, code, int(not priority))]
            row = conn.execute("SELECT t.* FROM tickets t WHERE t.id = (SELECT id FROM ("
                               + " UNION ALL ".join([head] * len(chunk)) + ") ORDER BY arrived_at, id LIMIT 1)",
                               params).fetchone()
            if row is not None:
                rows.append(row)
        return _ticket(min(rows, key=lambda r: (r["arrived_at"], r["id"]))) if rows else None

    def _call(self, conn: sqlite3.Connection, ticket: Ticket, counter: int, actor: str, now: datetime,
              detail: dict[str, object]) -> tuple[Ticket, list[QueueEvent]]:
        called = self._update(conn, ticket.id, {"state": TicketState.CALLED, "counter": counter,
                                                "called_at": now, "recalls": 0})
        detail = {"service": called.service_code, **detail}
        return called, [self._record(conn, called, EventType.CALLED, actor, now, counter, detail)]

    @staticmethod
    def _back_to_line(service_code: str | None = None) -> dict[str, object]:
        """Changes that put a ticket back in a waiting line (its ``arrived_at`` is kept)."""
        changes: dict[str, object] = {"state": TicketState.ISSUED, "counter": None, "called_at": None,
                                      "started_at": None, "recalls": 0}
        if service_code is not None:
            changes["service_code"] = service_code
        return changes

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
        done = self._transition(ticket_id, "finish", EventType.FINISHED, actor,
                                allowed=allowed_from(CounterAction.FINISH),
                                changes=lambda _t, now: {"state": TicketState.DONE, "finished_at": now})
        # A new duration of this service: its next estimate reads the history again.
        self._medians = {key: value for key, value in self._medians.items() if key[0] != done.service_code}
        return done

    def no_show(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._transition(ticket_id, "mark as no-show", EventType.NO_SHOW, actor,
                                allowed=allowed_from(CounterAction.NO_SHOW),
                                changes=lambda _t, _now: {"state": TicketState.NO_SHOW})

    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket:
        """Put a no-show back in line at its original arrival position (the citizen came back)."""
        return self._transition(ticket_id, "reactivate", EventType.REACTIVATED, actor,
                                allowed=allowed_from(CounterAction.UNDO_NO_SHOW),
                                changes=lambda _t, _now: self._back_to_line())

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
                info["served_seconds"] = _seconds(ticket.started_at, now)
            return info

        return self._transition(ticket_id, "transfer", EventType.TRANSFERRED, actor,
                                allowed=allowed_from(CounterAction.TRANSFER),
                                check=check, detail=detail,
                                changes=lambda _t, _now: self._back_to_line(to_service))

    def cancel(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._transition(ticket_id, "cancel", EventType.CANCELLED, actor,
                                allowed=CANCELLABLE,
                                changes=lambda _t, _now: {"state": TicketState.CANCELLED})

    # -- reading -----------------------------------------------------------------------------
    def get(self, ticket_id: str) -> Ticket:
        with self.db.reading() as conn:
            return self._load(conn, ticket_id)

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
                                f"ORDER BY {_LINE_ORDER}", params).fetchall()
        return [_ticket(row) for row in rows]

    def current_at(self, counter: int) -> Ticket | None:
        """The ticket a counter has called or is serving today (the latest one), if any."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM tickets WHERE counter = ? AND day = ? "
                               "AND state IN ('called', 'serving') ORDER BY called_at DESC LIMIT 1",
                               (counter, self._day(self._now()))).fetchone()
        return _ticket(row) if row is not None else None

    def position(self, ticket_id: str, counters_serving: int = 1) -> IssuedTicket:
        """Fresh people-ahead and wait estimate for a ticket (0/0 once it is no longer waiting)."""
        with self.db.reading() as conn:
            return self._standing(conn, self._load(conn, ticket_id), counters_serving, self._now())

    def preview(self, service_code: str, *, priority: PriorityGroup | str | None = None,
                counters_serving: int = 1) -> WaitPreview:
        """What a new ticket for this service would face now, before the citizen takes one."""
        self._rule(service_code)
        now = self._now()
        with self.db.reading() as conn:
            priority_waiting, normal_waiting = self._line_counts(conn, self._day(now), service_code)
            ahead = priority_waiting if priority is not None else priority_waiting + normal_waiting
            minutes = self._estimate(conn, service_code, ahead, counters_serving, now)
        return WaitPreview(service_code, ahead, minutes)

    @staticmethod
    def _line_counts(conn: sqlite3.Connection, day: str, service_code: str) -> tuple[int, int]:
        """How many wait in the service's priority line and in its normal line (kept by triggers)."""
        counts = dict(conn.execute("SELECT priority_line, waiting FROM line_counts WHERE day = ? AND service_code = ?",
                                   (day, service_code)).fetchall())
        return counts.get(1, 0), counts.get(0, 0)

    def _standing_of_newest(self, conn: sqlite3.Connection, ticket: Ticket, counters_serving: int,
                            now: datetime) -> IssuedTicket:
        """:meth:`_standing` of a ticket just issued, from the running counts instead of a count of the line.

        A new ticket is the last of its line unless the clock stepped back; then it is counted.
        """
        behind = conn.execute(
            "SELECT 1 FROM tickets WHERE day = ? AND service_code = ? AND (priority IS NULL) = ? "
            "AND state = 'issued' AND (arrived_at, id) > (?, ?) LIMIT 1",
            (ticket.day, ticket.service_code, int(not ticket.is_priority), _iso(ticket.arrived_at),
             ticket.id)).fetchone()
        if behind is not None:
            return self._standing(conn, ticket, counters_serving, now)
        priority_waiting, normal_waiting = self._line_counts(conn, ticket.day, ticket.service_code)
        ahead = priority_waiting - 1 if ticket.is_priority else priority_waiting + normal_waiting - 1
        return IssuedTicket(ticket, ahead, self._estimate(conn, ticket.service_code, ahead, counters_serving, now))

    def _standing(self, conn: sqlite3.Connection, ticket: Ticket, counters_serving: int,
                  now: datetime) -> IssuedTicket:
        if ticket.state is not TicketState.ISSUED:
            return IssuedTicket(ticket, 0, 0)
        # Same key as the line order: (priority IS NULL, arrived_at, id), compared as a row value.
        ahead = conn.execute(
            f"SELECT COUNT(*) FROM tickets WHERE day = ? AND state = 'issued' AND service_code = ? "
            f"AND ({_LINE_ORDER}) < (?, ?, ?)",
            (ticket.day, ticket.service_code, int(not ticket.is_priority), _iso(ticket.arrived_at),
             ticket.id)).fetchone()[0]
        return IssuedTicket(ticket, ahead, self._estimate(conn, ticket.service_code, ahead, counters_serving, now))

    def _estimate(self, conn: sqlite3.Connection, service_code: str, ahead: int, counters_serving: int,
                  now: datetime) -> int:
        """Minutes, rounded up: people ahead × median service time ÷ counters serving."""
        if ahead <= 0:
            return 0
        seconds = self._median_service_seconds(conn, service_code, now)
        return math.ceil(Fraction(ahead) * Fraction(seconds) / (60 * max(1, counters_serving)))

    def _median_service_seconds(self, conn: sqlite3.Connection, service_code: str, now: datetime) -> float:
        """Median of the last 20 service durations today, else over the last 7 days, else typical."""
        day = self._day(now)
        key = (service_code, day)
        reused = self._medians.get(key)
        if reused is not None and reused[1] > wallclock.monotonic():
            return reused[0]
        seconds = self._median_from_history(conn, service_code, self._day_start(day))
        self._medians[key] = (seconds, wallclock.monotonic() + MEDIAN_REUSE_SECONDS)
        return seconds

    def _median_from_history(self, conn: sqlite3.Connection, service_code: str, today: datetime) -> float:
        for since in (today, today - timedelta(days=HISTORY_FALLBACK_DAYS)):
            rows = conn.execute(
                "SELECT started_at, finished_at FROM tickets WHERE service_code = ? AND state = 'done' "
                "AND finished_at >= ? AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
                (service_code, _iso(since), HISTORY_SIZE)).fetchall()
            durations = [_seconds(datetime.fromisoformat(r[0]), datetime.fromisoformat(r[1])) for r in rows]
            if durations:
                return float(statistics.median(durations))
        rule = self._rules.get(service_code)
        return 60.0 * (rule.typical_service_minutes if rule else UNKNOWN_SERVICE_MINUTES)

    def board(self, recent: int = 8) -> BoardState:
        """The lobby board: latest call per counter, recent calls and who is waiting, for today."""
        now = self._now()
        day = self._day(now)
        since = _iso(self._day_start(day))
        # SQLite fills the bare columns from the row holding MAX(e.id): the latest call of each group.
        calls = ("SELECT e.counter, t.number, t.service_code, e.at, MAX(e.id) AS last_id "
                 "FROM events e JOIN tickets t ON t.id = e.ticket_id "
                 f"WHERE e.type IN {_CALL_EVENTS} AND e.at >= ? AND e.counter IS NOT NULL ")
        with self.db.reading() as conn:
            serving = conn.execute(calls + "GROUP BY e.counter ORDER BY e.counter", (since,)).fetchall()
            latest = conn.execute(calls + "GROUP BY e.ticket_id, e.counter ORDER BY last_id DESC LIMIT ?",
                                  (since, recent)).fetchall()
            counts = conn.execute("SELECT service_code, SUM(waiting) FROM line_counts WHERE day = ? "
                                  "GROUP BY service_code", (day,)).fetchall()

        def board_call(row: sqlite3.Row) -> BoardCall:
            return BoardCall(row["counter"], row["number"], row["service_code"], datetime.fromisoformat(row["at"]))

        waiting = dict.fromkeys(self._rules, 0)
        waiting.update({row[0]: row[1] for row in counts})
        return BoardState(now_serving=[board_call(r) for r in serving], recent_calls=[board_call(r) for r in latest],
                          waiting_by_service=waiting, day=day)

    def counter_stats(self, counter: int, actor: str | None = None) -> dict[str, Any]:
        """Today's figures for a counter (optionally one clerk): calls, served, no-shows, mean minutes."""
        now = self._now()
        day = self._day(now)
        where = "e.counter = ? AND e.at >= ?"
        params: list[object] = [counter, _iso(self._day_start(day))]
        if actor is not None:
            where += " AND e.actor = ?"
            params.append(actor)
        with self.db.reading() as conn:
            counts = dict(conn.execute(f"SELECT e.type, COUNT(*) FROM events e WHERE {where} GROUP BY e.type",
                                       params).fetchall())
            rows = conn.execute("SELECT t.started_at, t.finished_at FROM events e JOIN tickets t ON t.id = e.ticket_id "
                                f"WHERE e.type = 'finished' AND {where}", params).fetchall()
        minutes = [_seconds(datetime.fromisoformat(r[0]), datetime.fromisoformat(r[1])) / 60
                   for r in rows if r[0] and r[1]]
        return {
            "counter": counter,
            "actor": actor,
            "day": day,
            "called": counts.get(EventType.CALLED.value, 0),
            "served": counts.get(EventType.FINISHED.value, 0),
            "no_shows": counts.get(EventType.NO_SHOW.value, 0),
            "transferred": counts.get(EventType.TRANSFERRED.value, 0),
            "mean_service_minutes": statistics.fmean(minutes) if minutes else None,
        }

    def events(self, ticket_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The audit trail: the latest ``limit`` events (of one ticket, or all), oldest first."""
        where, params = ("WHERE e.ticket_id = ?", [ticket_id]) if ticket_id is not None else ("", [])
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT e.*, t.number FROM events e JOIN tickets t ON t.id = e.ticket_id {where} "
                                "ORDER BY e.id DESC LIMIT ?", [*params, limit]).fetchall()
        return [{"id": r["id"], "ticket_id": r["ticket_id"], "number": r["number"], "at": r["at"],
                 "type": r["type"], "actor": r["actor"], "counter": r["counter"], "detail": json.loads(r["detail"])}
                for r in reversed(rows)]


    # -- applications filed with tickets ------------------------------------------------------
    def attach_application(self, ticket_id: str, view: ApplicationView, *,
                           actor: str = "kiosk") -> tuple[AttachedApplication, str]:
        """Keep the counter's view of the application filed with a ticket; returns it and what happened.

        The outcome is ``"attached"`` (first time: the ticket's ``application_id`` is set and an
        ``application_attached`` event recorded), ``"updated"`` (the same application with a new
        body, e.g. its sync state: ``application_updated``) or ``"unchanged"`` (the same body again,
        a kiosk retrying after a lost answer: nothing is written). Another application on the same
        ticket raises :class:`ApplicationConflict`; a ticket of a past day :class:`TicketExpired`.
        The answers are never logged nor put in the audit trail.
        """
        text = _view_text(view)
        sealed = self._views_sealer().seal(text.encode("utf-8"), ticket_id)
        with self.db.transaction() as conn:
            now = self._now()
            today = self._day(now)
            self._purge_views(conn, today)
            ticket = self._load(conn, ticket_id)
            if ticket.day != today:
                raise TicketExpired(ticket)
            row = conn.execute("SELECT * FROM ticket_applications WHERE ticket_id = ?", (ticket_id,)).fetchone()
            detail: dict[str, object] = {"application": view.number, "sync_state": view.sync_state}
            if row is None:
                if ticket.application_id not in (None, view.application_id):
                    raise ApplicationConflict(ticket, ticket.application_id)
                conn.execute("INSERT INTO ticket_applications(ticket_id, day, application_id, number, view, "
                             "attached_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (ticket_id, ticket.day, view.application_id, view.number, sealed, _iso(now), _iso(now)))
                if ticket.application_id is None:
                    ticket = self._update(conn, ticket_id, {"application_id": view.application_id})
                event = self._record(conn, ticket, EventType.APPLICATION_ATTACHED, actor, now, None, detail)
                outcome, attached_at = "attached", now
            elif row["application_id"] != view.application_id:
                raise ApplicationConflict(ticket, row["number"])
            elif self._view_text_of(row) == text:
                return AttachedApplication(ticket.id, ticket.number, view, datetime.fromisoformat(row["attached_at"]),
                                           datetime.fromisoformat(row["updated_at"])), "unchanged"
            else:
                conn.execute("UPDATE ticket_applications SET view = ?, number = ?, updated_at = ? WHERE ticket_id = ?",
                             (sealed, view.number, _iso(now), ticket_id))
                event = self._record(conn, ticket, EventType.APPLICATION_UPDATED, actor, now, None, detail)
                outcome, attached_at = "updated", datetime.fromisoformat(row["attached_at"])
        self._notify([event])
        return AttachedApplication(ticket.id, ticket.number, view, attached_at, now), outcome

    def application_of(self, ticket_id: str) -> AttachedApplication | None:
        """The application filed with a ticket of today, or None; an unknown ticket raises TicketNotFound."""
        with self.db.reading() as conn:
            ticket = self._load(conn, ticket_id)
            row = conn.execute("SELECT * FROM ticket_applications WHERE ticket_id = ? AND day = ?",
                               (ticket_id, self._day(self._now()))).fetchone()
        if row is None:
            return None
        text = self._view_text_of(row)
        if text is None:  # the key file was lost or replaced: this view cannot be read again
            log.warning("the application view of ticket %s cannot be read (its key file %s changed); the kiosk's "
                        "next update attaches it again", ticket.number, self._views_key_path())
            return None
        return AttachedApplication(ticket_id=ticket.id, ticket_number=ticket.number,
                                   view=application_view_from_json(json.loads(text)),
                                   attached_at=datetime.fromisoformat(row["attached_at"]),
                                   updated_at=datetime.fromisoformat(row["updated_at"]))

    def _views_key_path(self) -> Path:
        return self.db.path.parent / VIEWS_KEY_FILE

    def _views_sealer(self) -> Sealer:
        if self._view_sealer is None:
            self._view_sealer = Sealer(load_or_create_key(self._views_key_path(), create=True))
        return self._view_sealer

    def _view_text_of(self, row: sqlite3.Row) -> str | None:
        """The stored view as JSON text; None when it cannot be opened (another key)."""
        stored = row["view"]
        if isinstance(stored, str):  # written before views were encrypted (that day only)
            return stored
        try:
            return self._views_sealer().open(stored, row["ticket_id"]).decode("utf-8")
        except InvalidTag:
            return None

    def purge_application_views(self) -> int:
        """Delete the applications of past days' tickets (personal data kept only while needed)."""
        with self.db.transaction() as conn:
            return self._purge_views(conn, self._day(self._now()))

    @staticmethod
    def _purge_views(conn: sqlite3.Connection, today: str) -> int:
        removed = conn.execute("DELETE FROM ticket_applications WHERE day < ?", (today,)).rowcount
        if removed:
            log.info("deleted %d application views of tickets before %s (kept for their day only)", removed, today)
        return int(removed)


def _view_text(view: ApplicationView) -> str:
    """The view as canonical JSON text, so an identical body compares equal as text."""
    return json.dumps(application_view_to_json(view), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

