"""Rows and times of the queue database, shared by the engine and its parts (estimates, views, read models).

Datetimes are stored as UTC ISO-8601 text with a fixed width, so text order is time order; the
day of a ticket is the building's local calendar day, so sequences and quotas reset at local midnight.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from kiosk.queue.models import (
    EventType,
    PriorityGroup,
    QueueEvent,
    ServiceRule,
    Ticket,
    TicketNotFound,
    TicketState,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def read_clock(clock: Clock) -> datetime:
    """The clock's time in UTC; a naive datetime is refused (its local day would be a guess)."""
    moment = clock()
    if moment.tzinfo is None:
        raise ValueError("the queue clock must return timezone-aware datetimes")
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """Fixed-width UTC text (microseconds always present), so SQL text comparison is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def local_day(moment: datetime, tz: ZoneInfo) -> str:
    """The local calendar day: sequences and quotas reset at local midnight."""
    return moment.astimezone(tz).date().isoformat()


def day_start(day: str, tz: ZoneInfo) -> datetime:
    """Local midnight of ``day``, in UTC (what the stored times are compared with)."""
    return datetime.combine(date.fromisoformat(day), time(0), tz).astimezone(UTC)


def seconds_between(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def sql_value(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (TicketState, PriorityGroup)):
        return value.value
    return value


def ticket_of(row: sqlite3.Row) -> Ticket:
    arrived, issued = parse(row["arrived_at"]), parse(row["issued_at"])
    assert arrived is not None and issued is not None
    return Ticket(
        id=row["id"], number=row["number"], service_code=row["service_code"], prefix=row["prefix"],
        seq=row["seq"], day=row["day"],
        priority=PriorityGroup(row["priority"]) if row["priority"] is not None else None,
        state=TicketState(row["state"]), arrived_at=arrived, issued_at=issued,
        called_at=parse(row["called_at"]), started_at=parse(row["started_at"]),
        finished_at=parse(row["finished_at"]), counter=row["counter"], recalls=row["recalls"],
        request_id=row["request_id"], identity_status=row["identity_status"],
        nik_masked=row["nik_masked"], lang=row["lang"], application_id=row["application_id"],
        booking=row["booking"],
    )


def insert_ticket(conn: sqlite3.Connection, rule: ServiceRule, day: str, now: datetime, *, request_id: str,
                  priority: PriorityGroup | None, identity_status: str, nik_masked: str | None, lang: str,
                  application_id: str | None, booking: str | None = None) -> Ticket:
    """Number and store a new waiting ticket (the caller checked the rules, in its write transaction)."""
    seq = returning(conn, "INSERT INTO sequences(day, prefix, last_seq) VALUES (?, ?, 1) "
                    "ON CONFLICT(day, prefix) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
                    (day, rule.prefix))[0]
    stamp = iso(now)
    return ticket_of(returning(
        conn,
        "INSERT INTO tickets(id, number, service_code, issued_service, prefix, seq, day, priority, state, "
        "arrived_at, issued_at, request_id, identity_status, nik_masked, lang, application_id, booking) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (str(uuid.uuid4()), f"{rule.prefix}-{seq:03d}", rule.code, rule.code, rule.prefix, seq, day,
         sql_value(priority), stamp, stamp, request_id, identity_status, nik_masked, lang, application_id,
         booking)))


def returning(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> sqlite3.Row:
    """Run a ``... RETURNING *`` statement to completion (a half-stepped write cannot commit)."""
    rows: list[sqlite3.Row] = conn.execute(sql, params).fetchall()
    assert len(rows) == 1, sql
    return rows[0]


def load_ticket(conn: sqlite3.Connection, ticket_id: str) -> Ticket:
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise TicketNotFound(ticket_id)
    return ticket_of(row)


def update_ticket(conn: sqlite3.Connection, ticket_id: str, changes: dict[str, object]) -> Ticket:
    assignments = ", ".join(f"{column} = ?" for column in changes)
    row = returning(conn, f"UPDATE tickets SET {assignments} WHERE id = ? RETURNING *",
                    [*(sql_value(v) for v in changes.values()), ticket_id])
    return ticket_of(row)


def record_event(conn: sqlite3.Connection, ticket: Ticket, kind: EventType, actor: str, at: datetime,
                 counter: int | None, detail: dict[str, object] | None = None) -> QueueEvent:
    """Write the audit row for a change; the returned event is delivered after commit."""
    detail = detail or {}
    conn.execute("INSERT INTO events(ticket_id, at, type, actor, counter, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (ticket.id, iso(at), kind.value, actor, counter, json.dumps(detail, ensure_ascii=False)))
    return QueueEvent(type=kind, ticket=ticket, counter=counter, at=at, actor=actor, detail=detail)
