"""What the fleet page knows: each device's latest heartbeat, 7 days of history, revoked devices and
the IT users who may sign in. Its own tables with their own schema version (``fleet``, kept by the
central store's :meth:`~central_api.stores.CentralStore.ensure_schema`), apart from the applications.

It lives in the central API's database, SQLite or PostgreSQL alike: plain standard SQL (``INSERT ...
ON CONFLICT``, no ``INSERT OR``, no ``ROWID``, times as integer milliseconds, JSON as text), ``?``
placeholders (the store's connection turns them into the driver's), every write one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from central_api.stores import Conn, Migrations

HISTORY_DAYS = 7
PRUNE_EVERY_SECONDS = 60.0
DAY_MS = 86_400_000

_TABLES = """
CREATE TABLE fleet_latest (device_id VARCHAR(64) PRIMARY KEY, received_ms BIGINT NOT NULL,
    mpp_code VARCHAR(32) NOT NULL, region VARCHAR(80) NOT NULL, build VARCHAR(40) NOT NULL, summary TEXT NOT NULL);
CREATE TABLE fleet_history (device_id VARCHAR(64) NOT NULL, received_ms BIGINT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY (device_id, received_ms));
CREATE INDEX fleet_history_by_time ON fleet_history (received_ms);
CREATE TABLE fleet_revoked (device_id VARCHAR(64) PRIMARY KEY, revoked_ms BIGINT NOT NULL);
CREATE TABLE fleet_users (name VARCHAR(64) PRIMARY KEY, password_hash TEXT NOT NULL, added_ms BIGINT NOT NULL);
CREATE TABLE fleet_meta (name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL);
"""
# One script per version, the same SQL for both databases (kept as two lists: a later migration may differ).
MIGRATIONS = Migrations("fleet", sqlite=[_TABLES], postgresql=[_TABLES])


class FleetDatabase(Protocol):
    """What the fleet needs of the central store (:class:`central_api.stores.CentralStore` has it)."""

    def transaction(self) -> contextlib.AbstractContextManager[Conn]: ...
    def reading(self) -> contextlib.AbstractContextManager[Conn]: ...
    def ensure_schema(self, migrations: Migrations) -> None: ...


@dataclass(frozen=True)
class Seen:
    """A device's heartbeat as stored."""

    device_id: str
    received_ms: int
    summary: dict[str, Any]


def now_ms() -> int:
    return int(time.time() * 1000)


def _seen(row: Any) -> Seen:
    return Seen(str(row["device_id"]), int(row["received_ms"]), json.loads(row["summary"]))


class FleetStore:
    """The fleet's tables in the central database; thread-safe as far as the store is."""

    def __init__(self, db: FleetDatabase) -> None:
        self.db = db
        self._last_prune = 0.0
        db.ensure_schema(MIGRATIONS)

    # -- heartbeats ---------------------------------------------------------------------------

    def record(self, device_id: str, summary: dict[str, Any], received_ms: int | None = None) -> bool:
        """Keep this heartbeat as the device's latest (unless a later one is stored) and in its history;
        False, and nothing stored, for a revoked device (checked in the same transaction: one round trip)."""
        received_ms = now_ms() if received_ms is None else received_ms
        text = json.dumps(summary, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM fleet_revoked WHERE device_id = ?", (device_id,)).fetchone() is not None:
                return False
            conn.execute("INSERT INTO fleet_latest (device_id, received_ms, mpp_code, region, build, summary)"
                         " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                         " received_ms = excluded.received_ms, mpp_code = excluded.mpp_code,"
                         " region = excluded.region, build = excluded.build, summary = excluded.summary"
                         " WHERE fleet_latest.received_ms <= excluded.received_ms",
                         (device_id, received_ms, summary["mpp_code"], summary.get("region", ""), summary["build"],
                          text))
            conn.execute("INSERT INTO fleet_history (device_id, received_ms, summary) VALUES (?, ?, ?)"
                         " ON CONFLICT (device_id, received_ms) DO NOTHING", (device_id, received_ms, text))
        self._prune_now_and_then(received_ms)
        return True

    def _prune_now_and_then(self, received_ms: int) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        self.prune(received_ms - HISTORY_DAYS * DAY_MS)

    def prune(self, before_ms: int) -> int:
        """Forget history older than ``before_ms``; returns how many rows went."""
        with self.db.transaction() as conn:
            return int(conn.execute("DELETE FROM fleet_history WHERE received_ms < ?", (before_ms,)).rowcount)

    def latest(self) -> list[Seen]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT device_id, received_ms, summary FROM fleet_latest").fetchall()
        return [_seen(r) for r in rows]

    def latest_of(self, device_id: str) -> Seen | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT device_id, received_ms, summary FROM fleet_latest WHERE device_id = ?",
                               (device_id,)).fetchone()
        return None if row is None else _seen(row)

    def history(self, device_id: str, since_ms: int) -> list[Seen]:
        """The device's heartbeats since ``since_ms``, oldest first."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT device_id, received_ms, summary FROM fleet_history WHERE device_id = ?"
                                " AND received_ms >= ? ORDER BY received_ms", (device_id, since_ms)).fetchall()
        return [_seen(r) for r in rows]

    def count_history(self, device_id: str | None = None) -> int:
        where, params = ("", ()) if device_id is None else (" WHERE device_id = ?", (device_id,))
        with self.db.reading() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM fleet_history" + where, params).fetchone()
        return int(row["n"])

    # -- revoked devices ----------------------------------------------------------------------

    def revoke(self, device_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO fleet_revoked (device_id, revoked_ms) VALUES (?, ?)"
                         " ON CONFLICT (device_id) DO NOTHING", (device_id, now_ms()))

    def is_revoked(self, device_id: str) -> bool:
        with self.db.reading() as conn:
            return conn.execute("SELECT 1 FROM fleet_revoked WHERE device_id = ?", (device_id,)).fetchone() is not None

    def revoked(self) -> set[str]:
        with self.db.reading() as conn:
            return {str(r["device_id"]) for r in conn.execute("SELECT device_id FROM fleet_revoked").fetchall()}

    # -- IT users and sessions ----------------------------------------------------------------

    def add_user(self, name: str, password: str) -> None:
        """Add (or change the password of) an IT user who may sign in to the fleet page."""
        if len(password) < 12:
            raise ValueError("an IT user's password must have at least 12 characters")
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO fleet_users (name, password_hash, added_ms) VALUES (?, ?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
                         (name, _hash_password(password), now_ms()))

    def check_user(self, name: str, password: str) -> bool:
        with self.db.reading() as conn:
            row = conn.execute("SELECT password_hash FROM fleet_users WHERE name = ?", (name,)).fetchone()
        stored = str(row["password_hash"]) if row is not None else _UNKNOWN_USER_HASH
        return _password_matches(password, stored) and row is not None  # the same work for unknown names

    def session_key(self) -> bytes:
        """The key that signs fleet page sessions, made once and kept (worker processes share it)."""
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO fleet_meta (name, value) VALUES ('session_key', ?)"
                         " ON CONFLICT (name) DO NOTHING", (secrets.token_hex(32),))
            row = conn.execute("SELECT value FROM fleet_meta WHERE name = 'session_key'").fetchone()
        return bytes.fromhex(str(row["value"]))


_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


_UNKNOWN_USER_HASH = _hash_password("no such user", salt=b"0" * 16)


def _password_matches(password: str, stored: str) -> bool:
    try:
        _scheme, salt, digest = stored.split("$")
        again = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=bytes.fromhex(salt), **_SCRYPT)
    except ValueError:
        return False
    return hmac.compare_digest(again.hex(), digest)
