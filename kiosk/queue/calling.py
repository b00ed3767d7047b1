"""Who a counter calls next, and the counter's one-key moves: finish-and-call-next, and its undo.

One rule says who is next: :func:`next_up`. :meth:`QueueEngine.call_next` takes the ticket it names,
and the counter console marks the same ticket in its waiting list (``QueueEngine.next_up``), so the
mark and the key cannot disagree.

Served time: finishing a ticket that is only *called* (the clerk served at once, without "Mulai
layani") records its start at the call, so its served time runs from the call to the finish (it
includes the citizen's walk to the counter) and the finished event says ``implicit_start``. Taking
back a finish puts the ticket back to serving with the same start.

Booked tickets (issue 19): a ticket checked in from a booking keeps its slot (``Ticket.booking``,
"HH:MM" local). Once the slot has come it is the head of its service's *normal* line, ahead of every
walk-in without priority there, booked tickets among themselves by slot then check-in. It takes the
normal line's turn in the priority ratio: priority citizens (UU 25/2009 art. 29) still go first, at most
``ratio`` of them in a row, then the due booked ticket. So a burst of bookings never pushes the elderly
back, and a booked citizen waits behind at most ``ratio`` priority calls. Before its slot a booked
ticket is not called by "call next" (the citizen chose to come back at the slot); a clerk may still
call it by number.

Everything here runs inside the caller's write transaction (``BEGIN IMMEDIATE``): the engine commits
or rolls back the finish and the call together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from kiosk.queue.actions import CounterAction, allowed_from
from kiosk.queue.models import EventType, IllegalTransition, QueueEvent, Ticket, TicketState
from kiosk.queue.rows import load_ticket, record_event, seconds_between, ticket_of, update_ticket

# How long after a finish the counter may still take it back. The console offers its undo for 10 s;
# the margin covers a slow network and a console catching up, not a change of mind an hour later.
FINISH_UNDO_SECONDS = 120


def back_to_line(service_code: str | None = None) -> dict[str, object]:
    """Changes that put a ticket back in a waiting line (its ``arrived_at`` is kept)."""
    changes: dict[str, object] = {"state": TicketState.ISSUED, "counter": None, "called_at": None,
                                  "started_at": None, "recalls": 0}
    if service_code is not None:
        changes["service_code"] = service_code
    return changes


def oldest_waiting(conn: sqlite3.Connection, day: str, codes: Sequence[str], *, priority: bool) -> Ticket | None:
    """The head of the counter's lines: one index seek per service, in one statement per
    100 services (SQLite allows 500 parts in a UNION).

    ``state = 'issued'`` is ``allowed_from(CounterAction.CALL_NEXT)``, spelled out for the partial
    index (tests/queue/test_counter_actions.py checks that the two agree)."""
    head = ("SELECT * FROM (SELECT arrived_at, id FROM tickets WHERE day = ? AND service_code = ? "
            "AND (priority IS NULL) = ? AND state = 'issued' AND booking IS NULL ORDER BY arrived_at, id LIMIT 1)")
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
    return ticket_of(min(rows, key=lambda r: (r["arrived_at"], r["id"]))) if rows else None


def due_booked(conn: sqlite3.Connection, day: str, codes: Sequence[str], slot_now: str) -> Ticket | None:
    """The booked ticket whose slot has come (``booking <= slot_now``, local "HH:MM") first in line, or None."""
    services = list(dict.fromkeys(codes))
    row = conn.execute(f"SELECT * FROM tickets WHERE day = ? AND state = 'issued' AND booking IS NOT NULL "
                       f"AND booking <= ? AND service_code IN ({', '.join('?' * len(services))}) "
                       "ORDER BY booking, arrived_at, id LIMIT 1", (day, slot_now, *services)).fetchone()
    return ticket_of(row) if row is not None else None


def next_up(conn: sqlite3.Connection, day: str, counter: int, codes: Sequence[str], *, ratio: int,
            priority_only: bool = False, slot_now: str = "") -> tuple[Ticket | None, int]:
    """The ticket this counter's next call takes, and the counter's priority streak after that call.

    Priority tickets go first, but after ``ratio`` consecutive priority calls at this counter the
    oldest normal ticket is taken, so normal citizens are never starved. The streak is stored per
    counter and day, so every process (and a restart) agrees on it. The normal line's head is a booked
    ticket whose slot has come by ``slot_now`` (local "HH:MM"; "" : none has), else the oldest walk-in.
    """
    if not codes:
        return None, 0
    row = conn.execute("SELECT priority_streak FROM counter_streaks WHERE day = ? AND counter = ?",
                       (day, counter)).fetchone()
    streak = row[0] if row else 0
    chosen = oldest_waiting(conn, day, codes, priority=True)
    if not priority_only:
        normal = (due_booked(conn, day, codes, slot_now) if slot_now else None) \
            or oldest_waiting(conn, day, codes, priority=False)
        if normal is not None and (chosen is None or streak >= ratio):
            chosen = normal
    if chosen is None:
        return None, streak
    return chosen, streak + 1 if chosen.is_priority else 0


def call_ticket(conn: sqlite3.Connection, ticket: Ticket, counter: int, actor: str, now: datetime,
                detail: dict[str, object]) -> tuple[Ticket, list[QueueEvent]]:
    called = update_ticket(conn, ticket.id, {"state": TicketState.CALLED, "counter": counter,
                                            "called_at": now, "recalls": 0})
    detail = {"service": called.service_code, **detail}
    return called, [record_event(conn, called, EventType.CALLED, actor, now, counter, detail)]


def call_next_in(conn: sqlite3.Connection, day: str, now: datetime, counter: int, codes: Sequence[str],
                 actor: str, *, ratio: int, priority_only: bool,
                 slot_now: str = "") -> tuple[Ticket | None, list[QueueEvent]]:
    """Call the ticket :func:`next_up` names and keep the counter's streak; None when nobody is waiting."""
    chosen, streak = next_up(conn, day, counter, codes, ratio=ratio, priority_only=priority_only,
                             slot_now=slot_now)
    if chosen is None:
        return None, []
    conn.execute("INSERT INTO counter_streaks(day, counter, priority_streak) VALUES (?, ?, ?) "
                 "ON CONFLICT(day, counter) DO UPDATE SET priority_streak = excluded.priority_streak",
                 (day, counter, streak))
    return call_ticket(conn, chosen, counter, actor, now,
                       {"mode": "priority" if priority_only else "next", "priority_streak": streak})


def finish_changes(ticket: Ticket, now: datetime) -> dict[str, object]:
    """Done now; a ticket finished straight from "called" started at its call (see the module's note)."""
    changes: dict[str, object] = {"state": TicketState.DONE, "finished_at": now}
    if ticket.started_at is None:
        changes["started_at"] = ticket.called_at or now
    return changes


def finish_detail(ticket: Ticket, _now: datetime) -> dict[str, object]:
    return {"implicit_start": True} if ticket.started_at is None else {}


def finish_in_hand(conn: sqlite3.Connection, ticket_id: str, counter: int, actor: str,
                   now: datetime) -> tuple[Ticket, list[QueueEvent]]:
    """Finish the ticket this counter holds; refused (IllegalTransition) when it is not held here."""
    before = load_ticket(conn, ticket_id)
    if before.state not in allowed_from(CounterAction.FINISH) or before.counter != counter:
        raise IllegalTransition(before, before.state, f"finish at counter {counter}")
    after = update_ticket(conn, ticket_id, finish_changes(before, now))
    return after, [record_event(conn, after, EventType.FINISHED, actor, now, counter, finish_detail(before, now))]


def undo_finish_in(conn: sqlite3.Connection, counter: int, finished_id: str, called_id: str | None, actor: str,
                   now: datetime) -> tuple[Ticket, list[QueueEvent]]:
    """Serve ``finished_id`` again at ``counter``; ``called_id`` (the ticket the same key called, not yet
    served) goes back to its place in line. Refused unless both are still as the key left them."""
    finished = load_ticket(conn, finished_id)
    if finished.state not in allowed_from(CounterAction.UNDO_FINISH) or finished.counter != counter \
            or finished.finished_at is None or seconds_between(finished.finished_at, now) > FINISH_UNDO_SECONDS:
        raise IllegalTransition(finished, finished.state, "take back the finish")
    events: list[QueueEvent] = []
    if called_id is not None:
        called = load_ticket(conn, called_id)
        if called.state is not TicketState.CALLED or called.counter != counter:
            raise IllegalTransition(called, called.state, "send back to the line")
        back = update_ticket(conn, called.id, back_to_line())
        events.append(record_event(conn, back, EventType.UNCALLED, actor, now, counter))
    reopened = update_ticket(conn, finished.id, {"state": TicketState.SERVING, "finished_at": None})
    events.append(record_event(conn, reopened, EventType.REOPENED, actor, now, counter))
    return reopened, events
