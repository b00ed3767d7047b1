"""The reference central API's database (SQLite through :mod:`kiosk.storage.store`).

Applications are keyed by the kiosk's UUID and kept unique forever (no expiry window: a kiosk may
stay offline for days); attachments by SHA-256; records (survey answers, queue statistics) by
kind + client id. Every write is one transaction, so a refused request leaves nothing behind.

Each device sees only its own data: applications and records belong to the device that filed them,
and an attachment to every device that uploaded its bytes (``attachment_owners``; the bytes are kept
once). Personal data is sealed at rest the way the kiosk seals it (:mod:`kiosk.storage.sealing`,
AES-256-GCM bound to the row): application bodies (NIK, answers), record payloads and attachment
bytes. The key is ``<database>.key`` next to the file (0600, made at the first start).
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

from cryptography.exceptions import InvalidTag

from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import Database, Schema, StoreError, open_database

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
    # 2: ownership of attachments (the devices whose filed applications name them own them) and
    # sealed columns; rows written before are sealed by CentralStore at its first open (it has the key)
    """
    CREATE TABLE attachment_owners (
        device_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (device_id, sha256)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO attachment_owners(device_id, sha256)
        SELECT a.device_id, json_extract(j.value, '$.sha256')
        FROM applications a, json_each(a.body, '$.attachments') j
        WHERE json_valid(a.body) AND json_extract(j.value, '$.sha256') IN (SELECT sha256 FROM attachments);
    ALTER TABLE applications ADD COLUMN body_enc BLOB;
    ALTER TABLE records ADD COLUMN payload_enc BLOB;
    ALTER TABLE attachments ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE central_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
])

KEY_SUFFIX = ".key"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Device:
    id: str
    secret: str
    name: str


MIN_ENROLL_CODE_LENGTH = 16  # ``kiosk central-api`` refuses shorter codes: a short one falls to guessing

ENROLL_REFUSED = "this enrollment code is not accepted; ask regional IT for a new one"
RECORD_ID_TAKEN = "this id was already used for a different record"


class EnrollRefused(Exception):
    """The code is unknown or already used by another enrollment (one message for both: no oracle)."""


class IdConflict(Exception):
    """The id is already used for a different body, or by another device (the two look alike)."""


def key_path_for(db_path: Path) -> Path:
    """Where the key of the database at ``db_path`` lives: next to it, ``central.sqlite3.key``."""
    return Path(db_path).with_name(Path(db_path).name + KEY_SUFFIX)


class CentralStore:
    """All the reference server keeps, behind one connection (see :class:`kiosk.storage.store.Database`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db: Database = open_database(self.path, SCHEMA, synchronous="NORMAL")
        self._devices: dict[str, Device] = {}
        try:
            with self.db.reading() as conn:
                conn.execute("PRAGMA secure_delete=ON")  # what is overwritten is zeroed, not left in free pages
            self._sealer = Sealer(self._key())
            self._seal_legacy_rows()
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def _key(self) -> bytes:
        """The key in ``<db>.key`` (made with a check value for a new or pre-sealing database)."""
        key_path = key_path_for(self.path)
        with self.db.reading() as conn:
            check = conn.execute("SELECT value FROM central_meta WHERE key='key_check'").fetchone()
        key = load_or_create_key(key_path, create=check is None, what="the central applications and records")
        sealer = Sealer(key)
        if check is None:
            with self.db.transaction() as conn:
                conn.execute("INSERT OR IGNORE INTO central_meta(key, value) VALUES ('key_check', ?)",
                             (sealer.seal(b"mpp-central", "key_check").hex(),))
        else:
            try:
                sealer.open(bytes.fromhex(check[0]), "key_check")
            except (InvalidTag, ValueError):
                raise StoreError(key_path, f"this encryption key does not belong to the central database {self.path}; "
                                 "restore the matching key file. Nothing was changed.") from None
        return key

    def _seal_legacy_rows(self) -> None:
        """Seal what a database written before sealing holds in clear, once (new rows are always sealed,
        and an older version refuses this schema, so nothing in clear can come back)."""
        seal = self._sealer.seal
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM central_meta WHERE key='legacy_sealed'").fetchone() is not None:
                return
            conn.execute("INSERT INTO central_meta(key, value) VALUES ('legacy_sealed', ?)", (utc_now(),))
            for row in conn.execute("SELECT id, body FROM applications WHERE body_enc IS NULL").fetchall():
                conn.execute("UPDATE applications SET body_enc=?, body='' WHERE id=?",
                             (seal(row["body"].encode("utf-8"), f"application:{row['id']}"), row["id"]))
            for row in conn.execute("SELECT kind, id, payload FROM records WHERE payload_enc IS NULL").fetchall():
                conn.execute("UPDATE records SET payload_enc=?, payload='' WHERE kind=? AND id=?",
                             (seal(row["payload"].encode("utf-8"), f"record:{row['kind']}:{row['id']}"),
                              row["kind"], row["id"]))
            for row in conn.execute("SELECT sha256 FROM attachments WHERE sealed=0").fetchall():
                data = conn.execute("SELECT data FROM attachments WHERE sha256=?", (row[0],)).fetchone()[0]
                conn.execute("UPDATE attachments SET data=?, sealed=1 WHERE sha256=?",
                             (seal(bytes(data), f"blob:{row[0]}"), row[0]))

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

    def application(self, app_id: str, device_id: str | None = None) -> dict[str, Any] | None:
        """The application (``body`` opened, as JSON text); with ``device_id``, only if that device filed it."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT id, device_id, body_enc, number, service_code, status, note, received_at,"
                               " updated_at FROM applications WHERE id=?", (app_id,)).fetchone()
        if row is None or (device_id is not None and row["device_id"] != device_id):
            return None
        found = {k: row[k] for k in row.keys() if k != "body_enc"}
        found["body"] = self._sealer.open(bytes(row["body_enc"]), f"application:{app_id}").decode("utf-8")
        return found

    def insert_application(self, app_id: str, device_id: str, body_sha256: str, body: dict[str, Any],
                           response: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store once; returns ``(stored response, created)``; :class:`IdConflict` for another body or
        when another device filed this id (its answer is never handed to this one)."""
        sealed = self._sealer.seal(json.dumps(body, ensure_ascii=False).encode("utf-8"), f"application:{app_id}")
        with self.db.transaction() as conn:
            row = conn.execute("SELECT device_id, body_sha256, response FROM applications WHERE id=?",
                               (app_id,)).fetchone()
            if row is not None:
                if row["device_id"] != device_id or row["body_sha256"] != body_sha256:
                    raise IdConflict(app_id)
                return json.loads(row["response"]), False
            now = response["received_at"]
            conn.execute("INSERT INTO applications(id, device_id, body_sha256, body, body_enc, number, service_code,"
                         " status, response, received_at, updated_at) VALUES (?,?,?,'',?,?,?,?,?,?,?)",
                         (app_id, device_id, body_sha256, sealed, body["number"], body["service_code"],
                          response["status"], json.dumps(response), now, now))
        return response, True

    def set_status(self, app_id: str, status: str, note: str = "") -> bool:
        if status not in APPLICATION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(APPLICATION_STATUSES)}")
        with self.db.transaction() as conn:
            cursor = conn.execute("UPDATE applications SET status=?, note=?, updated_at=? WHERE id=?",
                                  (status, note, utc_now(), app_id))
            return cursor.rowcount == 1

    def statuses(self, ids: Sequence[str], device_id: str | None = None) -> list[dict[str, Any]]:
        """Statuses of these ids; with ``device_id``, of those this device filed only (others look unknown)."""
        marks = ",".join("?" for _ in ids)
        query = f"SELECT id, status, note, updated_at FROM applications WHERE id IN ({marks})"
        params: tuple[str, ...] = tuple(ids)
        if device_id is not None:
            query, params = query + " AND device_id=?", (*params, device_id)
        with self.db.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return [dict(r) for r in rows]

    def count_applications(self) -> int:
        with self.db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0])

    def application_ids(self) -> list[str]:
        with self.db.reading() as conn:
            return [r[0] for r in conn.execute("SELECT id FROM applications ORDER BY rowid").fetchall()]

    # -- attachments ------------------------------------------------------------------------

    def missing(self, hashes: Sequence[str], device_id: str) -> list[str]:
        """The hashes this device has not uploaded (what another device uploaded counts as missing:
        the answer must not tell whether someone else holds a file)."""
        have = self.attachment_sizes(hashes, device_id)
        return [h for h in hashes if h not in have]

    def attachment_sizes(self, hashes: Sequence[str], device_id: str) -> dict[str, int]:
        """Sizes of the attachments among ``hashes`` that this device uploaded."""
        if not hashes:
            return {}
        marks = ",".join("?" for _ in hashes)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT a.sha256, a.size FROM attachments a JOIN attachment_owners o"
                                f" ON o.sha256 = a.sha256 AND o.device_id = ? WHERE a.sha256 IN ({marks})",
                                (device_id, *hashes)).fetchall()
        return {r[0]: r[1] for r in rows}

    def put_attachment(self, sha256: str, content_type: str, data: bytes, device_id: str) -> bool:
        """Store by hash (the caller checked it) for this device; False when this device had uploaded it
        already. Bytes another device uploaded are kept once and now shared (this device has them too)."""
        sealed = self._sealer.seal(data, f"blob:{sha256}")
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO attachments(sha256, content_type, size, data, received_at, sealed)"
                         " VALUES (?,?,?,?,?,1)", (sha256, content_type, len(data), sealed, utc_now()))
            cursor = conn.execute("INSERT OR IGNORE INTO attachment_owners(device_id, sha256) VALUES (?,?)",
                                  (device_id, sha256))
            return cursor.rowcount == 1

    def attachment(self, sha256: str) -> bytes | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT data FROM attachments WHERE sha256=?", (sha256,)).fetchone()
        return None if row is None else self._sealer.open(bytes(row[0]), f"blob:{sha256}")

    # -- records ----------------------------------------------------------------------------

    def put_records(self, kind: str, device_id: str, records: Sequence[tuple[str, str, str]]
                    ) -> tuple[list[str], list[str], dict[str, str]]:
        """``records`` = (id, body_sha256, payload json): accepted, duplicates, conflicts. An id another
        device filed is a conflict whatever its payload (a duplicate would say the payloads match)."""
        accepted, duplicates, conflicts = [], [], {}
        now = utc_now()
        with self.db.transaction() as conn:
            for record_id, digest, payload in records:
                row = conn.execute("SELECT device_id, body_sha256 FROM records WHERE kind=? AND id=?",
                                   (kind, record_id)).fetchone()
                if row is None:
                    sealed = self._sealer.seal(payload.encode("utf-8"), f"record:{kind}:{record_id}")
                    conn.execute("INSERT INTO records(kind, id, device_id, body_sha256, payload, payload_enc,"
                                 " received_at) VALUES (?,?,?,?,'',?,?)",
                                 (kind, record_id, device_id, digest, sealed, now))
                    accepted.append(record_id)
                elif row["device_id"] == device_id and row["body_sha256"] == digest:
                    duplicates.append(record_id)
                else:
                    conflicts[record_id] = RECORD_ID_TAKEN
        return accepted, duplicates, conflicts

    def records(self, kind: str) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, payload_enc FROM records WHERE kind=? ORDER BY received_at, rowid",
                                (kind,)).fetchall()
        return [{"id": r[0], "payload": json.loads(self._sealer.open(bytes(r[1]), f"record:{kind}:{r[0]}"))}
                for r in rows]
