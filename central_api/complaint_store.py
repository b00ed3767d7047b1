"""What the central API keeps of complaints: each complaint, its officer actions, its status token.
Their own tables and schema version (``complaints``, kept by
:meth:`~central_api.stores.CentralStore.ensure_schema`), SQLite or PostgreSQL alike (plain SQL, ``?``
placeholders, every write one transaction).

* The complaint's text, the citizen's contact and every officer's answer are sealed at rest
  (AES-256-GCM with the central store's key file, bound to the row), like application bodies: a
  database dump alone reveals none. They are never logged.
* The status token is kept only as its SHA-256: a dump does not open anyone's status page.
* Filing is idempotent by the complaint's id (the same body again: the stored answer; another body,
  or another device's id: :class:`~central_api.stores.IdConflict`). An action is idempotent by its
  ``action_id``, and its transition is checked against :mod:`kiosk.complaints.states` in the same
  transaction as it is written (a conditional UPDATE), so two officers closing at once close once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from central_api.stores import Conn, IdConflict, Migrations, utc_now
from kiosk.complaints.states import OPEN_STATES, TRANSITIONS, Action, State
from kiosk.storage.sealing import Sealer, load_or_create_key

ListState = Literal["open", "closed", "all"]
DEFAULT_LIST_LIMIT = 1000
PUBLIC_FIELDS = ("reference", "category", "state", "filed_at", "first_response_at", "closed_at", "outcome")


def _tables(blob: str) -> str:
    return f"""
CREATE TABLE complaints (id VARCHAR(36) PRIMARY KEY, device_id VARCHAR(64) NOT NULL, body_sha256 VARCHAR(64) NOT NULL,
    reference VARCHAR(13) NOT NULL, mpp_code VARCHAR(32) NOT NULL, category VARCHAR(20) NOT NULL,
    service_code VARCHAR(64), ticket_number VARCHAR(16), text_enc {blob} NOT NULL, contact_enc {blob},
    share_contact SMALLINT NOT NULL, language VARCHAR(2) NOT NULL, channel VARCHAR(8) NOT NULL,
    filed_by VARCHAR(64), filed_at TEXT NOT NULL, filed_ms BIGINT NOT NULL, received_at TEXT NOT NULL,
    token_sha256 VARCHAR(64) NOT NULL UNIQUE, state VARCHAR(12) NOT NULL, first_response_at TEXT,
    closed_at TEXT, outcome VARCHAR(20), forwarded_to VARCHAR(120));
CREATE INDEX complaints_by_mpp ON complaints (mpp_code, state, filed_ms);
CREATE TABLE complaint_events (action_id VARCHAR(36) PRIMARY KEY, complaint_id VARCHAR(36) NOT NULL,
    body_sha256 VARCHAR(64) NOT NULL, at TEXT NOT NULL, at_ms BIGINT NOT NULL, action VARCHAR(8) NOT NULL,
    officer VARCHAR(64) NOT NULL, text_enc {blob} NOT NULL, agency VARCHAR(120), outcome VARCHAR(20));
CREATE INDEX complaint_events_by_complaint ON complaint_events (complaint_id, at_ms);
"""


MIGRATIONS = Migrations("complaints", sqlite=[_tables("BLOB")], postgresql=[_tables("BYTEA")])

_COLUMNS = ("id, device_id, reference, mpp_code, category, service_code, ticket_number, text_enc, contact_enc,"
            " share_contact, language, channel, filed_by, filed_at, received_at, state, first_response_at,"
            " closed_at, outcome, forwarded_to")
_STATE_FILTER: dict[str, tuple[str, ...]] = {
    "open": tuple(s.value for s in OPEN_STATES), "closed": (State.CLOSED.value,), "all": tuple(s.value for s in State)}


class ComplaintDatabase(Protocol):
    """What the complaints need of the central store (:class:`central_api.stores.CentralStore` has it)."""

    key_path: Path

    def transaction(self) -> contextlib.AbstractContextManager[Conn]: ...
    def reading(self) -> contextlib.AbstractContextManager[Conn]: ...
    def ensure_schema(self, migrations: Migrations) -> None: ...


class ComplaintNotFound(Exception):
    """No complaint has this id."""


class ActionNotAllowed(Exception):
    """The rules refuse this action in the complaint's state (``state``)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class NewAction:
    """An officer's action as the route checked it."""

    action_id: str
    action: Action
    text: str
    officer: str
    agency: str | None
    outcome: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


class ComplaintStore:
    """The complaints' tables in the central database; thread-safe as far as the store is."""

    def __init__(self, db: ComplaintDatabase) -> None:
        self.db = db
        db.ensure_schema(MIGRATIONS)
        self._sealer = Sealer(load_or_create_key(db.key_path, create=False, what="the central database"))

    # -- filing -------------------------------------------------------------------------------

    def file(self, body: Mapping[str, Any], device_id: str, body_sha256: str) -> tuple[dict[str, Any], bool]:
        """Keep a complaint (``body`` as :class:`central_api.complaint_contract.ComplaintBody`):
        ``(answer, created)``; :class:`IdConflict` for the same id with another body or device."""
        complaint_id = str(body["id"])
        contact = body.get("contact")
        now = utc_now()
        with self.db.transaction() as conn:
            made = conn.execute(
                "INSERT INTO complaints (id, device_id, body_sha256, reference, mpp_code, category, service_code,"
                " ticket_number, text_enc, contact_enc, share_contact, language, channel, filed_by, filed_at,"
                " filed_ms, received_at, token_sha256, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (complaint_id, device_id, body_sha256, body["reference"], body["mpp_code"], body["category"],
                 body.get("service_code"), body.get("ticket_number"),
                 self._seal(str(body["text"]), "complaint-text", complaint_id),
                 None if contact is None else self._seal(json.dumps(contact, sort_keys=True), "complaint-contact",
                                                         complaint_id),
                 1 if body["share_contact"] else 0, body["language"], body["channel"], body.get("filed_by"),
                 body["filed_at"], _ms(str(body["filed_at"])), now, token_hash(str(body["status_token"])),
                 State.RECEIVED.value)).fetchall()
            row = conn.execute("SELECT id, device_id, body_sha256, reference, state, received_at FROM complaints"
                               " WHERE id = ?", (complaint_id,)).fetchone()
        if row is None or (not made and (row["device_id"] != device_id or row["body_sha256"] != body_sha256)):
            raise IdConflict(complaint_id)  # None: the token's hash was taken by another complaint (2^-128)
        answer = {"id": row["id"], "reference": row["reference"], "state": row["state"],
                  "received_at": row["received_at"]}
        return answer, bool(made)

    # -- reading ------------------------------------------------------------------------------

    def get(self, complaint_id: str) -> dict[str, Any] | None:
        """The complaint as :class:`central_api.complaint_contract.Complaint`, or None."""
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM complaints WHERE id = ?", (complaint_id,)).fetchone()
            if row is None:
                return None
            events = conn.execute("SELECT * FROM complaint_events WHERE complaint_id = ? ORDER BY at_ms, action_id",
                                  (complaint_id,)).fetchall()
        return self._complaint(row, events)

    def mpp_of(self, complaint_id: str) -> str | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT mpp_code FROM complaints WHERE id = ?", (complaint_id,)).fetchone()
        return None if row is None else str(row["mpp_code"])

    def list(self, mpp_code: str, state: ListState = "open", limit: int = DEFAULT_LIST_LIMIT) -> list[dict[str, Any]]:
        """The MPP's complaints in ``state``, oldest first; the newest ``limit`` when there are more."""
        states = _STATE_FILTER[state]
        marks = ", ".join("?" for _ in states)
        where = f"mpp_code = ? AND state IN ({marks})"
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS}, filed_ms FROM complaints WHERE {where}"
                                " ORDER BY filed_ms DESC, id LIMIT ?", (mpp_code, *states, limit)).fetchall()
            ids = [str(r["id"]) for r in rows]
            events: list[Any] = []
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                events += conn.execute(f"SELECT * FROM complaint_events WHERE complaint_id IN"
                                       f" ({', '.join('?' for _ in chunk)})", chunk).fetchall()
        by_complaint: dict[str, list[Any]] = {}
        for event in sorted(events, key=lambda e: (e["at_ms"], e["action_id"])):
            by_complaint.setdefault(str(event["complaint_id"]), []).append(event)
        return [self._complaint(r, by_complaint.get(r["id"], [])) for r in reversed(rows)]

    def public(self, token: str) -> dict[str, Any] | None:
        """What the status page shows for ``token`` (and its language): no text, contact, officer or agency."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT reference, category, state, filed_at, first_response_at, closed_at, outcome,"
                               " language FROM complaints WHERE token_sha256 = ?", (token_hash(token),)).fetchone()
        return None if row is None else {k: row[k] for k in PUBLIC_FIELDS + ("language",)}

    # -- officer actions ----------------------------------------------------------------------

    def act(self, complaint_id: str, action: NewAction, body_sha256: str) -> tuple[dict[str, Any], bool]:
        """Apply ``action`` once: ``(complaint, applied)``; ``applied`` False for a repeat of its
        ``action_id``. Raises :class:`ComplaintNotFound`, :class:`ActionNotAllowed` (nothing
        written), or :class:`IdConflict` (the action id was used for something else)."""
        sources, target = TRANSITIONS[action.action]
        now = utc_now()
        digest = hashlib.sha256(f"{complaint_id}\n{body_sha256}".encode()).hexdigest()
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM complaints WHERE id = ?", (complaint_id,)).fetchone() is None:
                raise ComplaintNotFound(complaint_id)
            made = conn.execute(
                "INSERT INTO complaint_events (action_id, complaint_id, body_sha256, at, at_ms, action, officer,"
                " text_enc, agency, outcome) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING action_id",
                (action.action_id, complaint_id, digest, now, _ms(now), action.action.value, action.officer,
                 self._seal(action.text, "complaint-event", action.action_id), action.agency,
                 action.outcome)).fetchall()
            if not made:
                row = conn.execute("SELECT body_sha256 FROM complaint_events WHERE action_id = ?",
                                   (action.action_id,)).fetchone()
                if row is None or row["body_sha256"] != digest:
                    raise IdConflict(action.action_id)
            else:
                self._transition(conn, complaint_id, action, sources, target, now)
        found = self.get(complaint_id)
        assert found is not None  # complaints are never deleted
        return found, bool(made)

    @staticmethod
    def _transition(conn: Conn, complaint_id: str, action: NewAction, sources: Sequence[State], target: State,
                    now: str) -> None:
        """The state change, only from an allowed state (checked by the UPDATE itself: no race)."""
        marks = ", ".join("?" for _ in sources)
        closing = action.action == Action.CLOSE
        changed = conn.execute(
            "UPDATE complaints SET state = ?, first_response_at = COALESCE(first_response_at, ?),"
            " closed_at = CASE WHEN ? = 1 THEN ? ELSE closed_at END,"
            " outcome = CASE WHEN ? = 1 THEN ? ELSE outcome END,"
            " forwarded_to = COALESCE(?, forwarded_to)"
            f" WHERE id = ? AND state IN ({marks})",
            (target.value, now, int(closing), now, int(closing), action.outcome,
             action.agency if action.action == Action.FORWARD else None, complaint_id,
             *(s.value for s in sources))).rowcount
        if changed != 1:
            row = conn.execute("SELECT state FROM complaints WHERE id = ?", (complaint_id,)).fetchone()
            raise ActionNotAllowed(str(row["state"]) if row else "unknown")

    # -- plumbing -----------------------------------------------------------------------------

    def _seal(self, text: str, what: str, row_id: str) -> bytes:
        return self._sealer.seal(text.encode("utf-8"), f"{what}:{row_id}")

    def _open(self, sealed: Any, what: str, row_id: str) -> str:
        return self._sealer.open(bytes(sealed), f"{what}:{row_id}").decode("utf-8")

    def _complaint(self, row: Any, events: Sequence[Any]) -> dict[str, Any]:
        complaint_id = str(row["id"])
        contact = None if row["contact_enc"] is None else json.loads(
            self._open(row["contact_enc"], "complaint-contact", complaint_id))
        return {
            "id": complaint_id, "reference": row["reference"], "mpp_code": row["mpp_code"],
            "category": row["category"], "service_code": row["service_code"], "ticket_number": row["ticket_number"],
            "text": self._open(row["text_enc"], "complaint-text", complaint_id), "contact": contact,
            "anonymous": contact is None, "share_contact": bool(row["share_contact"]), "language": row["language"],
            "channel": row["channel"], "filed_by": row["filed_by"], "filed_at": row["filed_at"],
            "received_at": row["received_at"], "state": row["state"], "first_response_at": row["first_response_at"],
            "closed_at": row["closed_at"], "outcome": row["outcome"], "forwarded_to": row["forwarded_to"],
            "events": [{"at": e["at"], "action": e["action"], "officer": e["officer"],
                        "text": self._open(e["text_enc"], "complaint-event", e["action_id"]),
                        "agency": e["agency"], "outcome": e["outcome"]} for e in events]}
