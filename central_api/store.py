"""The reference central API's database (SQLite through :mod:`kiosk.storage.store`).

Applications are keyed by the kiosk's UUID and kept unique forever (no expiry window: a kiosk may
stay offline for days); attachments by SHA-256; records (survey answers, queue statistics) by
kind + client id. Every write is one transaction, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.storage.store import Database, Schema, open_database

APPLICATION_STATUSES = ("received", "in_review", "needs_info", "approved", "rejected", "completed")

SCHEMA = Schema("central", [
    """
    CREATE TABLE enroll_codes (code TEXT PRIMARY KEY, added_at TEXT NOT NULL);
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        name TEXT NOT NULL,
        enroll_code TEXT NOT NULL UNIQUE,
        request_id TEXT NOT NULL,
        enrolled_at TEXT NOT NULL
    );
    CREATE TABLE nonces (
        device_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (device_id, nonce)
    ) WITHOUT ROWID;
    CREATE INDEX nonces_by_time ON nonces(ts);
    CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        body TEXT NOT NULL,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        response TEXT NOT NULL,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    """,
])


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Device:
    id: str
    secret: str
    name: str


MIN_ENROLL_CODE_LENGTH = 16  # ``kiosk central-api`` refuses shorter codes: a short one falls to guessing

ENROLL_REFUSED = "this enrollment code is not accepted; ask regional IT for a new one"


class EnrollRefused(Exception):
    """The code is unknown or already used by another enrollment (one message for both: no oracle)."""


class IdConflict(Exception):
    """The id is already used for a different body."""


class CentralStore:
    """All the reference server keeps, behind one connection (see :class:`kiosk.storage.store.Database`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db: Database = open_database(self.path, SCHEMA, synchronous="NORMAL")
        self._devices: dict[str, Device] = {}

    def close(self) -> None:
        self.db.close()

    # -- enrollment -------------------------------------------------------------------------

    def add_enroll_codes(self, codes: Iterable[str], *, min_length: int = 0) -> None:
        """Accept these one-time codes; ValueError (nothing added) if one is under ``min_length``."""
        codes = list(codes)
        short = [c for c in codes if len(c) < min_length]
        if short:
            raise ValueError(f"an enrollment code must have at least {min_length} characters "
                             f"({len(short)} too short); leave it out to have a long random one made")
        with self.db.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO enroll_codes(code, added_at) VALUES (?, ?)",
                             [(c, utc_now()) for c in codes])

    def enroll(self, code: str, request_id: str, name: str) -> tuple[Device, str, bool]:
        """Use a one-time code; the same request id again gets the same device (a lost answer)."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM enroll_codes WHERE code=?", (code,)).fetchone() is None:
                raise EnrollRefused(ENROLL_REFUSED)
            used = conn.execute("SELECT * FROM devices WHERE enroll_code=?", (code,)).fetchone()
            if used is not None:
                if used["request_id"] == request_id:
                    return Device(used["id"], used["secret"], used["name"]), used["enrolled_at"], False
                raise EnrollRefused(ENROLL_REFUSED)
            device = Device("dev-" + secrets.token_hex(8), secrets.token_urlsafe(32), name)
            enrolled_at = utc_now()
            conn.execute("INSERT INTO devices(id, secret, name, enroll_code, request_id, enrolled_at) "
                         "VALUES (?,?,?,?,?,?)", (device.id, device.secret, name, code, request_id, enrolled_at))
        return device, enrolled_at, True

    def device(self, device_id: str) -> Device | None:
        cached = self._devices.get(device_id)
        if cached is not None:
            return cached
        with self.db.reading() as conn:
            row = conn.execute("SELECT id, secret, name FROM devices WHERE id=?", (device_id,)).fetchone()
        if row is None:
            return None
        device = Device(row["id"], row["secret"], row["name"])
        self._devices[device_id] = device
        return device

    def use_nonce(self, device_id: str, nonce: str, ts: int, forget_before: int) -> bool:
        """Remember a nonce; False if this device used it already (a replay)."""
        with self.db.transaction() as conn:
            try:
                conn.execute("INSERT INTO nonces(device_id, nonce, ts) VALUES (?,?,?)", (device_id, nonce, ts))
            except sqlite3.IntegrityError:
                return False
            if secrets.randbelow(200) == 0:  # now and then, forget nonces older than the skew window
                conn.execute("DELETE FROM nonces WHERE ts < ?", (forget_before,))
        return True

    # -- applications -----------------------------------------------------------------------

    def application(self, app_id: str) -> sqlite3.Row | None:
        with self.db.reading() as conn:
            return conn.execute("SELECT * FROM applications WHERE id=?", (app_id,)).fetchone()

    def insert_application(self, app_id: str, device_id: str, body_sha256: str, body: dict[str, Any],
                           response: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store once; returns ``(stored response, created)``; :class:`IdConflict` for another body."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT body_sha256, response FROM applications WHERE id=?", (app_id,)).fetchone()
            if row is not None:
                if row["body_sha256"] != body_sha256:
                    raise IdConflict(app_id)
                return json.loads(row["response"]), False
            now = response["received_at"]
            conn.execute("INSERT INTO applications(id, device_id, body_sha256, body, number, service_code, status,"
                         " response, received_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (app_id, device_id, body_sha256, json.dumps(body, ensure_ascii=False), body["number"],
                          body["service_code"], response["status"], json.dumps(response), now, now))
        return response, True

    def set_status(self, app_id: str, status: str, note: str = "") -> bool:
        if status not in APPLICATION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(APPLICATION_STATUSES)}")
        with self.db.transaction() as conn:
            cursor = conn.execute("UPDATE applications SET status=?, note=?, updated_at=? WHERE id=?",
                                  (status, note, utc_now(), app_id))
            return cursor.rowcount == 1

    def statuses(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in ids)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT id, status, note, updated_at FROM applications WHERE id IN ({marks})",
                                tuple(ids)).fetchall()
        return [dict(r) for r in rows]

    def count_applications(self) -> int:
        with self.db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0])

    def application_ids(self) -> list[str]:
        with self.db.reading() as conn:
            return [r[0] for r in conn.execute("SELECT id FROM applications ORDER BY rowid").fetchall()]

    # -- attachments ------------------------------------------------------------------------

    def missing(self, hashes: Sequence[str]) -> list[str]:
        if not hashes:
            return []
        marks = ",".join("?" for _ in hashes)
        with self.db.reading() as conn:
            have = {r[0] for r in conn.execute(f"SELECT sha256 FROM attachments WHERE sha256 IN ({marks})",
                                               tuple(hashes)).fetchall()}
        return [h for h in hashes if h not in have]

    def attachment_sizes(self, hashes: Sequence[str]) -> dict[str, int]:
        if not hashes:
            return {}
        marks = ",".join("?" for _ in hashes)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT sha256, size FROM attachments WHERE sha256 IN ({marks})",
                                tuple(hashes)).fetchall()
        return {r[0]: r[1] for r in rows}

    def put_attachment(self, sha256: str, content_type: str, data: bytes) -> bool:
        """Store by hash (the caller checked it); False when it was already here (nothing written)."""
        with self.db.transaction() as conn:
            cursor = conn.execute("INSERT OR IGNORE INTO attachments(sha256, content_type, size, data, received_at)"
                                  " VALUES (?,?,?,?,?)", (sha256, content_type, len(data), data, utc_now()))
            return cursor.rowcount == 1

    def attachment(self, sha256: str) -> bytes | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT data FROM attachments WHERE sha256=?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    # -- records ----------------------------------------------------------------------------

    def put_records(self, kind: str, device_id: str, records: Sequence[tuple[str, str, str]]
                    ) -> tuple[list[str], list[str], dict[str, str]]:
        """``records`` = (id, body_sha256, payload json): accepted, duplicates, conflicts."""
        accepted, duplicates, conflicts = [], [], {}
        now = utc_now()
        with self.db.transaction() as conn:
            for record_id, digest, payload in records:
                row = conn.execute("SELECT body_sha256 FROM records WHERE kind=? AND id=?",
                                   (kind, record_id)).fetchone()
                if row is None:
                    conn.execute("INSERT INTO records(kind, id, device_id, body_sha256, payload, received_at) "
                                 "VALUES (?,?,?,?,?,?)", (kind, record_id, device_id, digest, payload, now))
                    accepted.append(record_id)
                elif row[0] == digest:
                    duplicates.append(record_id)
                else:
                    conflicts[record_id] = "this id was already used for a different record"
        return accepted, duplicates, conflicts

    def records(self, kind: str) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, payload FROM records WHERE kind=? ORDER BY received_at", (kind,)).fetchall()
        return [{"id": r[0], "payload": json.loads(r[1])} for r in rows]
