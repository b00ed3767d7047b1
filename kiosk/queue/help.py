"""A citizen's call for staff from a kiosk ("Minta bantuan"): raised, acknowledged by a clerk, closed.

One open request per kiosk (a unique index on the open rows, so two taps, two threads or two
processes never raise two). A request is *raised* by the kiosk, *acknowledged* by a clerk at a
counter ("Saya datang": who and at which counter is kept) and *closed* when the citizen touches the
kiosk again after the acknowledgement, cancels it, when the kiosk's session ends (idle wipe), or
when nothing happened for ``timeout`` since its last step. Every step is a row in ``help_events``,
the help requests' audit trail beside the tickets' ``events`` (whose rows belong to a ticket).

No personal data: a request names the kiosk (its device id), never the citizen. The rules live here
(Qt-free); the engine (:class:`kiosk.queue.engine.QueueEngine`) is the way in for callers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from kiosk.i18n import Translator
from kiosk.queue.models import QueueError
from kiosk.queue.rows import Clock, iso, parse, read_clock, returning, seconds_between
from kiosk.storage.store import Database

DEFAULT_TIMEOUT = timedelta(minutes=10)
TIMEOUT_ACTOR = "queue"  # the audit actor of a close by timeout
MAX_KIOSK_LENGTH = 100  # a device id (kiosk.queue.devices): the token's name, or [device] id in one machine
MAX_CLERK_LENGTH = 64
_KIOSK_NUMBER = re.compile(r"(\d+)$")


class HelpState(str, Enum):
    RAISED = "raised"  # the kiosk asked; nobody answered yet
    ACKNOWLEDGED = "acknowledged"  # a clerk is on the way
    CLOSED = "closed"


class CloseReason(str, Enum):
    TOUCHED = "touched"  # the citizen touched the kiosk again after the acknowledgement (staff came)
    CANCELLED = "cancelled"  # the citizen cancelled the call
    SESSION_ENDED = "session_ended"  # the kiosk's session was wiped (idle, or finished)
    TIMEOUT = "timeout"  # nothing happened for the timeout since the last step


class HelpEvent(str, Enum):
    """The audit trail's event types of a help request (``help_events.type``)."""

    RAISED = "help_raised"
    ACKNOWLEDGED = "help_acknowledged"
    CLOSED = "help_closed"


@dataclass(frozen=True)
class HelpRequest:
    """One call for staff as read at one moment; times aware UTC, ``age_seconds`` since it was raised."""

    id: str
    kiosk: str
    state: HelpState
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    counter: int | None
    clerk: str | None
    closed_at: datetime | None
    close_reason: CloseReason | None
    age_seconds: int

    @property
    def open(self) -> bool:
        return self.state is not HelpState.CLOSED


class HelpRequestNotFound(QueueError):
    def __init__(self, request_id: str) -> None:
        super().__init__(request_id)
        self.request_id = request_id

    def __str__(self) -> str:
        return f"no help request {self.request_id[:64]!r}"


class HelpConflict(QueueError):
    """The request's state does not allow ``action`` (acknowledged by another clerk, closed...)."""

    def __init__(self, request: HelpRequest, action: str) -> None:
        super().__init__(request, action)
        self.request, self.action = request, action

    def __str__(self) -> str:
        if self.request.state is HelpState.ACKNOWLEDGED and self.request.counter is not None:
            return f"the help request of {self.request.kiosk} is already answered by counter {self.request.counter}"
        return f"the help request of {self.request.kiosk} is {self.request.state.value}: cannot {self.action}"


class NotYourHelpRequest(QueueError):
    """A kiosk may close or read only its own help request."""

    def __init__(self, request: HelpRequest) -> None:
        super().__init__(request)
        self.request = request

    def __str__(self) -> str:
        return "this help request was raised by another kiosk"


def allowed_close(state: HelpState, reason: CloseReason) -> bool:
    """Whether a request in ``state`` may close for ``reason``: a touch closes it only once a clerk
    answered (before that the citizen is still waiting, and touching the screen is no answer)."""
    if state is HelpState.CLOSED:
        return False
    return reason is not CloseReason.TOUCHED or state is HelpState.ACKNOWLEDGED


def kiosk_number(device_id: str) -> int | None:
    """The number people know a kiosk by: the digits its device id ends with (``kiosk-02`` → 2)."""
    match = _KIOSK_NUMBER.search(device_id)
    return int(match.group(1)) if match else None


def kiosk_label(t: Translator, kiosk: str) -> str:
    """The kiosk as the consoles and the board name it: "Kios 2" for ``kiosk-02``; an id without a number as is."""
    number = kiosk_number(kiosk)
    return t("help_call.kiosk_name", number=number) if number is not None else kiosk


def age_text(seconds: int) -> str:
    """How long a request waits, as the console and the board show it: ``0:45``, ``12:05``, ``1:02:03``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _request_of(row: sqlite3.Row, now: datetime) -> HelpRequest:
    raised = parse(row["raised_at"])
    assert raised is not None
    reason = row["close_reason"]
    closed = parse(row["closed_at"])
    return HelpRequest(id=row["id"], kiosk=row["kiosk"], state=HelpState(row["state"]), raised_at=raised,
                       acknowledged_at=parse(row["acknowledged_at"]), acknowledged_by=row["acknowledged_by"],
                       counter=row["counter"], clerk=row["clerk"], closed_at=closed,
                       close_reason=CloseReason(reason) if reason is not None else None,
                       age_seconds=seconds_between(raised, closed or now))


class HelpDesk:
    """The ``help_requests`` and ``help_events`` tables of one queue database, held by its engine."""

    def __init__(self, db: Database, clock: Clock, timeout: timedelta = DEFAULT_TIMEOUT) -> None:
        if timeout <= timedelta(0):
            raise ValueError("the help request timeout must be positive")
        self.db, self._clock, self.timeout = db, clock, timeout

    def _now(self) -> datetime:
        return read_clock(self._clock)

    # -- changes -----------------------------------------------------------------------------
    def raise_for(self, kiosk: str, *, actor: str | None = None) -> tuple[HelpRequest, bool]:
        """The kiosk's open request, or a new one: (request, created). A second tap raises nothing."""
        if not 0 < len(kiosk) <= MAX_KIOSK_LENGTH:
            raise ValueError(f"a kiosk id is 1-{MAX_KIOSK_LENGTH} characters")
        with self.db.transaction() as conn:
            now = self._now()
            self._expire(conn, now)
            row = conn.execute("SELECT * FROM help_requests WHERE kiosk = ? AND state != 'closed'",
                               (kiosk,)).fetchone()
            if row is not None:
                return _request_of(row, now), False
            stamp = iso(now)
            row = returning(conn, "INSERT INTO help_requests(id, kiosk, state, raised_at, changed_at) "
                                  "VALUES (?, ?, 'raised', ?, ?) RETURNING *", (str(uuid.uuid4()), kiosk, stamp, stamp))
            self._record(conn, row["id"], HelpEvent.RAISED, actor or kiosk, now, None, {"kiosk": kiosk})
            return _request_of(row, now), True

    def acknowledge(self, request_id: str, *, actor: str, counter: int, clerk: str | None = None) -> HelpRequest:
        """A clerk is on the way ("Saya datang"); refused (HelpConflict) once answered or closed."""
        if clerk is not None and not 0 < len(clerk) <= MAX_CLERK_LENGTH:
            raise ValueError(f"a clerk id is 1-{MAX_CLERK_LENGTH} characters")
        with self.db.transaction() as conn:
            now = self._now()
            self._expire(conn, now)
            before = self._load(conn, request_id, now)
            if before.state is not HelpState.RAISED:
                raise HelpConflict(before, "acknowledge")
            stamp = iso(now)
            row = returning(conn, "UPDATE help_requests SET state = 'acknowledged', acknowledged_at = ?, "
                                  "acknowledged_by = ?, counter = ?, clerk = ?, changed_at = ? "
                                  "WHERE id = ? RETURNING *", (stamp, actor, counter, clerk, stamp, request_id))
            self._record(conn, request_id, HelpEvent.ACKNOWLEDGED, actor, now, counter,
                         {"kiosk": before.kiosk, "clerk": clerk, "waited_seconds": before.age_seconds})
            return _request_of(row, now)

    def close(self, request_id: str, reason: CloseReason, *, actor: str, kiosk: str | None = None) -> HelpRequest:
        """Close for ``reason`` (:func:`allowed_close`); closing a closed request again answers it unchanged
        (a kiosk retrying after a lost answer). ``kiosk``: only that kiosk's request (NotYourHelpRequest)."""
        reason = CloseReason(reason)
        with self.db.transaction() as conn:
            now = self._now()
            self._expire(conn, now)
            before = self._load(conn, request_id, now)
            if kiosk is not None and before.kiosk != kiosk:
                raise NotYourHelpRequest(before)
            if before.state is HelpState.CLOSED:
                return before
            if not allowed_close(before.state, reason):
                raise HelpConflict(before, f"close ({reason.value})")
            return self._close(conn, before, reason, actor, now)

    def _close(self, conn: sqlite3.Connection, before: HelpRequest, reason: CloseReason, actor: str,
               now: datetime) -> HelpRequest:
        stamp = iso(now)
        row = returning(conn, "UPDATE help_requests SET state = 'closed', closed_at = ?, close_reason = ?, "
                              "changed_at = ? WHERE id = ? RETURNING *", (stamp, reason.value, stamp, before.id))
        self._record(conn, before.id, HelpEvent.CLOSED, actor, now, before.counter,
                     {"kiosk": before.kiosk, "reason": reason.value, "from": before.state.value,
                      "open_seconds": before.age_seconds})
        return _request_of(row, now)

    def _expire(self, conn: sqlite3.Connection, now: datetime) -> None:
        """Close the requests with no step for ``timeout`` (inside the caller's write transaction)."""
        rows = conn.execute("SELECT * FROM help_requests WHERE state != 'closed' AND changed_at < ?",
                            (iso(now - self.timeout),)).fetchall()
        for row in rows:
            self._close(conn, _request_of(row, now), CloseReason.TIMEOUT, TIMEOUT_ACTOR, now)

    def expire(self) -> None:
        """Close timed-out requests; a write only when there is one (readers poll every few seconds)."""
        now = self._now()
        with self.db.reading() as conn:
            due = conn.execute("SELECT 1 FROM help_requests WHERE state != 'closed' AND changed_at < ? LIMIT 1",
                               (iso(now - self.timeout),)).fetchone()
        if due is not None:
            with self.db.transaction() as conn:
                self._expire(conn, self._now())

    # -- reads -------------------------------------------------------------------------------
    def _load(self, conn: sqlite3.Connection, request_id: str, now: datetime) -> HelpRequest:
        row = conn.execute("SELECT * FROM help_requests WHERE id = ?", (request_id,)).fetchone()
        if row is None:
            raise HelpRequestNotFound(request_id)
        return _request_of(row, now)

    def get(self, request_id: str, *, kiosk: str | None = None) -> HelpRequest:
        """One request (the kiosk polls its own: ``kiosk`` refuses another's with NotYourHelpRequest)."""
        self.expire()
        with self.db.reading() as conn:
            request = self._load(conn, request_id, self._now())
        if kiosk is not None and request.kiosk != kiosk:
            raise NotYourHelpRequest(request)
        return request

    def open_requests(self) -> list[HelpRequest]:
        """Every open request, oldest first (what the consoles and the lobby board show)."""
        self.expire()
        with self.db.reading() as conn:
            now = self._now()
            rows = conn.execute("SELECT * FROM help_requests WHERE state != 'closed' ORDER BY raised_at, id").fetchall()
        return [_request_of(row, now) for row in rows]

    def events(self, request_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The help requests' audit trail: the latest ``limit`` events (of one request, or all), oldest first."""
        where, params = ("WHERE request_id = ?", [request_id]) if request_id is not None else ("", [])
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT * FROM help_events {where} ORDER BY id DESC LIMIT ?",
                                [*params, limit]).fetchall()
        return [{"id": r["id"], "request_id": r["request_id"], "at": r["at"], "type": r["type"], "actor": r["actor"],
                 "counter": r["counter"], "detail": json.loads(r["detail"])} for r in reversed(rows)]

    @staticmethod
    def _record(conn: sqlite3.Connection, request_id: str, kind: HelpEvent, actor: str, at: datetime,
                counter: int | None, detail: dict[str, object]) -> None:
        conn.execute("INSERT INTO help_events(request_id, at, type, actor, counter, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     (request_id, iso(at), kind.value, actor, counter, json.dumps(detail, ensure_ascii=False)))


# -- the wire form (the queue host's answers, read back by kiosk.queue.http_client) --------------

def _time(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def help_to_json(request: HelpRequest) -> dict[str, Any]:
    """A request as a kiosk, a counter or an admin reads it."""
    return {"id": request.id, "kiosk": request.kiosk, "state": request.state.value,
            "raised_at": _time(request.raised_at), "acknowledged_at": _time(request.acknowledged_at),
            "acknowledged_by": request.acknowledged_by, "counter": request.counter, "clerk": request.clerk,
            "closed_at": _time(request.closed_at),
            "close_reason": request.close_reason.value if request.close_reason is not None else None,
            "age_seconds": request.age_seconds}


BOARD_FIELDS = ("id", "kiosk", "state", "raised_at", "counter", "age_seconds")


def board_help_to_json(request: HelpRequest) -> dict[str, Any]:
    """A request as the lobby board reads it: which kiosk, how long, which counter answered; no clerk."""
    full = help_to_json(request)
    return {name: full[name] for name in BOARD_FIELDS}


def help_from_json(data: dict[str, Any]) -> HelpRequest:
    """The inverse of :func:`help_to_json` and :func:`board_help_to_json` (what the board is not sent is None)."""
    raised = parse(data["raised_at"])
    assert raised is not None
    reason = data.get("close_reason")
    counter = data.get("counter")
    return HelpRequest(id=str(data["id"]), kiosk=str(data["kiosk"]), state=HelpState(data["state"]),
                       raised_at=raised, acknowledged_at=parse(data.get("acknowledged_at")),
                       acknowledged_by=data.get("acknowledged_by"),
                       counter=int(counter) if counter is not None else None,
                       clerk=data.get("clerk"), closed_at=parse(data.get("closed_at")),
                       close_reason=CloseReason(reason) if reason is not None else None,
                       age_seconds=int(data["age_seconds"]))
