"""Read models of the queue database: the lobby board, a counter's figures of the day, the audit trail.

Read-only queries, each under one ``db.reading()``; the engine's methods of the same names compute
the day and delegate here.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kiosk.queue.availability import IssuedToday
from kiosk.queue.models import BoardCall, BoardState, EventType
from kiosk.queue.rows import iso, seconds_between
from kiosk.queue.schema import CALL_EVENTS
from kiosk.storage.store import Database


def board(db: Database, services: Iterable[str], day: str, since: datetime, recent: int) -> BoardState:
    """Latest call per counter, the ``recent`` latest calls and how many wait per service, since ``since``.

    A call taken back (the counter's undo of a finish sends the ticket it called back to the line: an
    ``uncalled`` event after it) is no call any more: the board must not send that citizen to the
    counter. A later call of the same ticket counts again.
    """
    # SQLite fills the bare columns from the row holding MAX(e.id): the latest call of each group.
    calls = ("SELECT e.counter, t.number, t.service_code, e.at, t.priority IS NOT NULL AS is_priority, "
             "MAX(e.id) AS last_id "
             "FROM events e JOIN tickets t ON t.id = e.ticket_id "
             f"WHERE e.type IN {CALL_EVENTS} AND e.at >= ? AND e.counter IS NOT NULL "
             "AND NOT EXISTS (SELECT 1 FROM events u WHERE u.ticket_id = e.ticket_id AND u.id > e.id "
             f"AND u.type = '{EventType.UNCALLED.value}') ")
    start = iso(since)
    with db.reading() as conn:
        serving = conn.execute(calls + "GROUP BY e.counter ORDER BY e.counter", (start,)).fetchall()
        latest = conn.execute(calls + "GROUP BY e.ticket_id, e.counter ORDER BY last_id DESC LIMIT ?",
                              (start, recent)).fetchall()
        counts = conn.execute("SELECT service_code, SUM(waiting) FROM line_counts WHERE day = ? "
                              "GROUP BY service_code", (day,)).fetchall()

    def board_call(row: sqlite3.Row) -> BoardCall:
        return BoardCall(row["counter"], row["number"], row["service_code"], datetime.fromisoformat(row["at"]),
                         bool(row["is_priority"]))

    waiting = dict.fromkeys(services, 0)
    waiting.update({row[0]: row[1] for row in counts})
    return BoardState(now_serving=[board_call(r) for r in serving], recent_calls=[board_call(r) for r in latest],
                      waiting_by_service=waiting, day=day)


def counter_stats(db: Database, counter: int, actor: str | None, day: str, since: datetime) -> dict[str, Any]:
    """A counter's (optionally one clerk's) calls, served, no-shows, transfers and mean minutes since ``since``."""
    where = "e.counter = ? AND e.at >= ?"
    params: list[object] = [counter, iso(since)]
    if actor is not None:
        where += " AND e.actor = ?"
        params.append(actor)
    with db.reading() as conn:
        counts = dict(conn.execute(f"SELECT e.type, COUNT(*) FROM events e WHERE {where} GROUP BY e.type",
                                   params).fetchall())
        # A finish taken back (reopened) and done again is one citizen served, counted once.
        rows = conn.execute("SELECT DISTINCT t.id, t.started_at, t.finished_at FROM events e "
                            "JOIN tickets t ON t.id = e.ticket_id "
                            f"WHERE e.type = 'finished' AND t.state = 'done' AND {where}", params).fetchall()
    minutes = [seconds_between(datetime.fromisoformat(r[1]), datetime.fromisoformat(r[2])) / 60
               for r in rows if r[1] and r[2]]
    return {
        "counter": counter,
        "actor": actor,
        "day": day,
        "called": counts.get(EventType.CALLED.value, 0),
        "served": counts.get(EventType.FINISHED.value, 0) - counts.get(EventType.REOPENED.value, 0),
        "no_shows": counts.get(EventType.NO_SHOW.value, 0),
        "transferred": counts.get(EventType.TRANSFERRED.value, 0),
        "mean_service_minutes": statistics.fmean(minutes) if minutes else None,
    }


def events(db: Database, ticket_id: str | None, limit: int) -> list[dict[str, Any]]:
    """The latest ``limit`` events (of one ticket, or all), oldest first."""
    where, params = ("WHERE e.ticket_id = ?", [ticket_id]) if ticket_id is not None else ("", [])
    with db.reading() as conn:
        rows = conn.execute(f"SELECT e.*, t.number FROM events e JOIN tickets t ON t.id = e.ticket_id {where} "
                            "ORDER BY e.id DESC LIMIT ?", [*params, limit]).fetchall()
    return [{"id": r["id"], "ticket_id": r["ticket_id"], "number": r["number"], "at": r["at"],
             "type": r["type"], "actor": r["actor"], "counter": r["counter"], "detail": json.loads(r["detail"])}
            for r in reversed(rows)]


def issued_counts(conn: sqlite3.Connection, day: str, service_code: str | None = None, *,
                  split_priority: bool = False) -> dict[str, IssuedToday]:
    """Tickets issued on ``day`` per service (all, or one), as the daily quota counts them
    (:mod:`kiosk.queue.availability`).

    Read inside the caller's transaction: ``issue()`` checks the quota under its write lock, the
    availability read under a read. The totals come from the ``issued_counts`` table (kept by a
    trigger). The priority tickets are counted apart only with ``split_priority`` (a walk over the
    day's tickets): without a share of the quota reserved for them the quota counts both alike,
    so they are then left in ``walk_in`` and issuing stays one lookup.
    """
    where, params = ("AND service_code = ?", (day, service_code)) if service_code is not None else ("", (day,))
    totals = dict(conn.execute(f"SELECT service_code, issued FROM issued_counts WHERE day = ? {where}",
                               params).fetchall())
    priority: dict[str, int] = {}
    if split_priority:
        where = "AND issued_service = ?" if service_code is not None else ""
        priority = dict(conn.execute(f"SELECT issued_service, COUNT(*) FROM tickets WHERE day = ? {where} "
                                     "AND priority IS NOT NULL GROUP BY issued_service", params).fetchall())
    return {code: IssuedToday(walk_in=total - priority.get(code, 0), priority=priority.get(code, 0))
            for code, total in totals.items()}
