"""What every store of the reference central API does, whatever the database under it.

:class:`CentralStore` is the interface the routes use; :class:`SqlStore` implements it once in the
SQL both SQLite and PostgreSQL speak (``?`` placeholders, ``INSERT ... ON CONFLICT DO NOTHING``,
``RETURNING``), over a connection each backend hands out (:meth:`SqlStore.transaction`,
:meth:`SqlStore.reading`). Every write is a single statement that is atomic on its own or one
transaction, and none relies on SQLite's one-writer lock: the PostgreSQL store may be served by
several worker processes, so a concurrent second request for the same id finds the first one's
row (``ON CONFLICT DO NOTHING`` waits for it) instead of reading "absent" and inserting twice.

Personal data is sealed at rest (:mod:`kiosk.storage.sealing`, AES-256-GCM bound to the row):
application bodies, record payloads, attachment bytes. The key lives in a file, never in the
database (a database backup alone reveals nothing); ``central_meta.key_check`` refuses a key that
does not belong to the database.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidTag

from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import StoreError

APPLICATION_STATUSES = ("received", "in_review", "needs_info", "approved", "rejected", "completed")
MIN_ENROLL_CODE_LENGTH = 16  # ``kiosk central-api`` refuses shorter codes: a short one falls to guessing
ENROLL_REFUSED = "this enrollment code is not accepted; ask regional IT for a new one"
RECORD_ID_TAKEN = "this id was already used for a different record"
STALE_IN_FLIGHT_SECONDS = 60.0  # a claim older than this (a request that never finished) no longer blocks
NONCE_CLEANUP_ONE_IN = 200  # now and then a nonce insert also forgets those older than the skew window

Dialect = Literal["sqlite", "postgresql"]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Device:
    id: str
    secret: str
    name: str


class EnrollRefused(Exception):
    """The code is unknown or already used by another enrollment (one message for both: no oracle)."""


class IdConflict(Exception):
    """The id is already used for a different body, or by another device (the two look alike)."""


class InFlight(Exception):
    """Another request for this application is being processed right now (answered 409 ``in_flight``)."""


class StoreUnavailable(Exception):
    """The database server cannot be reached (stopped, restarting, network): answered 503 with
    Retry-After, so the kiosk keeps the item and sends it again later. Never a data problem."""


@dataclass(frozen=True)
class Migrations:
    """Extra tables kept in the central database by another part of the reference server (the fleet
    view's heartbeats, say): a name and ordered scripts per dialect, run once each, in order, by
    :meth:`CentralStore.ensure_schema`. Version N = the first N scripts ran; a database that has
    more than this code knows is refused (:class:`kiosk.storage.store.SchemaTooNew`)."""

    name: str
    sqlite: Sequence[str]
    postgresql: Sequence[str]

    def for_dialect(self, dialect: Dialect) -> Sequence[str]:
        scripts = self.sqlite if dialect == "sqlite" else self.postgresql
        if len(self.sqlite) != len(self.postgresql):
            raise ValueError(f"schema {self.name!r}: both dialects need the same number of migrations")
        return scripts


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Conn(Protocol):
    """What :meth:`CentralStore.transaction` and :meth:`~CentralStore.reading` hand out: ``?``
    placeholders on both backends, rows readable by column name (``row["id"]``)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...


class CentralStore(Protocol):
    """All the reference server keeps. Implementations: :class:`central_api.stores.sqlite.SqliteCentralStore`
    (one file, one process) and :class:`central_api.stores.postgres.PostgresCentralStore` (a server,
    any number of worker processes)."""

    dialect: Dialect
    where: str  # the file, or the server's URL without its password: for messages and logs
    key_path: Path  # the sealing key's file (the bookings seal their own columns with it)

    def close(self) -> None: ...
    def transaction(self) -> contextlib.AbstractContextManager[Conn]: ...
    def reading(self) -> contextlib.AbstractContextManager[Conn]: ...
    def ensure_schema(self, migrations: Migrations) -> None: ...
    def in_flight(self, key: str) -> contextlib.AbstractContextManager[None]: ...
    def add_enroll_codes(self, codes: Iterable[str], *, min_length: int = 0) -> None: ...
    def enroll(self, code: str, request_id: str, name: str) -> tuple[Device, str, bool]: ...
    def device(self, device_id: str) -> Device | None: ...
    def use_nonce(self, device_id: str, nonce: str, ts: int, forget_before: int) -> bool: ...
    def application(self, app_id: str, device_id: str | None = None) -> dict[str, Any] | None: ...
    def insert_application(self, app_id: str, device_id: str, body_sha256: str, body: dict[str, Any],
                           response: dict[str, Any]) -> tuple[dict[str, Any], bool]: ...
    def set_status(self, app_id: str, status: str, note: str = "") -> bool: ...
    def statuses(self, ids: Sequence[str], device_id: str | None = None) -> list[dict[str, Any]]: ...
    def count_applications(self) -> int: ...
    def application_ids(self) -> list[str]: ...
    def missing(self, hashes: Sequence[str], device_id: str) -> list[str]: ...
    def attachment_sizes(self, hashes: Sequence[str], device_id: str) -> dict[str, int]: ...
    def put_attachment(self, sha256: str, content_type: str, data: bytes, device_id: str) -> bool: ...
    def attachment(self, sha256: str) -> bytes | None: ...
    def put_records(self, kind: str, device_id: str, records: Sequence[tuple[str, str, str]]
                    ) -> tuple[list[str], list[str], dict[str, str]]: ...
    def records(self, kind: str) -> list[dict[str, Any]]: ...
    def count(self, table: str) -> int: ...


class SqlStore:
    """The shared implementation; a backend supplies :meth:`transaction`, :meth:`reading`,
    :meth:`in_flight`, :meth:`close`, ``dialect``, ``where`` and ``order_column`` (the column that
    keeps arrival order: SQLite's ``rowid``, PostgreSQL's ``seq``)."""

    dialect: Dialect
    where: str
    order_column: str
    key_path: Path
    _sealer: Sealer

    def __init__(self) -> None:
        self._devices: dict[str, Device] = {}

    # -- what a backend provides ------------------------------------------------------------

    def transaction(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError

    def reading(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError

    def single(self) -> contextlib.AbstractContextManager[Conn]:
        """For statements each correct on its own (an ``INSERT ... ON CONFLICT``, then a read of the
        row it found): a transaction on SQLite; on PostgreSQL each statement commits alone, without
        the BEGIN and COMMIT round trips (the hot path: every request's nonce, every application)."""
        return self.transaction()

    def _lock_schema(self, conn: Conn) -> None:
        """Hold off other processes migrating the same database until this transaction ends."""

    def _run_script(self, conn: Conn, script: str) -> None:
        raise NotImplementedError

    # -- key and extra schemas --------------------------------------------------------------

    def _open_sealer(self) -> None:
        """Load the key in ``key_path`` (made, with a check value, for a new database) and check it fits."""
        with self.reading() as conn:
            check = conn.execute("SELECT value FROM central_meta WHERE key='key_check'").fetchone()
        key = load_or_create_key(self.key_path, create=check is None, what="the central applications and records")
        sealer = Sealer(key)
        if check is None:
            with self.transaction() as conn:
                conn.execute("INSERT INTO central_meta(key, value) VALUES ('key_check', ?) ON CONFLICT DO NOTHING",
                             (sealer.seal(b"mpp-central", "key_check").hex(),))
                check = conn.execute("SELECT value FROM central_meta WHERE key='key_check'").fetchone()
        try:
            sealer.open(bytes.fromhex(check["value"]), "key_check")
        except (InvalidTag, ValueError):
            raise StoreError(self.key_path, f"this encryption key does not belong to the central database "
                             f"{self.where}; restore the matching key file. Nothing was changed.") from None
        self._sealer = sealer

    def ensure_schema(self, migrations: Migrations) -> None:
        """Run the scripts of ``migrations`` this database has not run yet, each in its own transaction
        (their version is kept in ``central_meta`` as ``schema:<name>``). Refuses a newer database."""
        from kiosk.storage.store import SchemaTooNew

        scripts = migrations.for_dialect(self.dialect)
        key = f"schema:{migrations.name}"
        for version in range(1, len(scripts) + 1):
            with self.transaction() as conn:
                self._lock_schema(conn)
                row = conn.execute("SELECT value FROM central_meta WHERE key=?", (key,)).fetchone()
                current = int(row["value"]) if row else 0
                if current > len(scripts):
                    raise SchemaTooNew(Path(self.where), f"the '{migrations.name}' tables were written by a newer "
                                       f"version (version {current}; this one knows {len(scripts)}); left untouched.")
                if current >= version:
                    continue
                self._run_script(conn, scripts[version - 1])
                conn.execute("INSERT INTO central_meta(key, value) VALUES (?, ?) ON CONFLICT (key) "
                             "DO UPDATE SET value=excluded.value", (key, str(version)))
        if not scripts:
            return
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM central_meta WHERE key=?", (key,)).fetchone()
        if row is not None and int(row["value"]) > len(scripts):
            raise SchemaTooNew(Path(self.where), f"the '{migrations.name}' tables were written by a newer "
                               f"version (version {row['value']}; this one knows {len(scripts)}); left untouched.")

    # -- enrollment -------------------------------------------------------------------------

    def add_enroll_codes(self, codes: Iterable[str], *, min_length: int = 0) -> None:
        """Accept these one-time codes; ValueError (nothing added) if one is under ``min_length``."""
        codes = list(codes)
        short = [c for c in codes if len(c) < min_length]
        if short:
            raise ValueError(f"an enrollment code must have at least {min_length} characters "
                             f"({len(short)} too short); leave it out to have a long random one made")
        with self.transaction() as conn:
            for code in codes:
                conn.execute("INSERT INTO enroll_codes(code, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             (code, utc_now()))

    def enroll(self, code: str, request_id: str, name: str) -> tuple[Device, str, bool]:
        """Use a one-time code; the same request id again gets the same device (a lost answer)."""
        device = Device("dev-" + secrets.token_hex(8), secrets.token_urlsafe(32), name)
        enrolled_at = utc_now()
        with self.transaction() as conn:
            if conn.execute("SELECT 1 AS x FROM enroll_codes WHERE code=?", (code,)).fetchone() is None:
                raise EnrollRefused(ENROLL_REFUSED)
            made = conn.execute("INSERT INTO devices(id, secret, name, enroll_code, request_id, enrolled_at) "
                                "VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
                                (device.id, device.secret, name, code, request_id, enrolled_at)).fetchall()
            if made:
                return device, enrolled_at, True
            used = conn.execute("SELECT * FROM devices WHERE enroll_code=?", (code,)).fetchone()
        if used is not None and used["request_id"] == request_id:
            return Device(used["id"], used["secret"], used["name"]), used["enrolled_at"], False
        raise EnrollRefused(ENROLL_REFUSED)

    def device(self, device_id: str) -> Device | None:
        cached = self._devices.get(device_id)
        if cached is not None:
            return cached
        with self.reading() as conn:
            row = conn.execute("SELECT id, secret, name FROM devices WHERE id=?", (device_id,)).fetchone()
        if row is None:
            return None
        device = Device(row["id"], row["secret"], row["name"])
        self._devices[device_id] = device
        return device

    def use_nonce(self, device_id: str, nonce: str, ts: int, forget_before: int) -> bool:
        """Remember a nonce; False if this device used it already (a replay). In the database, so that
        a replay sent to another worker process is caught too."""
        with self.single() as conn:
            added = conn.execute("INSERT INTO nonces(device_id, nonce, ts) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                                 (device_id, nonce, ts)).rowcount
            if added == 1 and secrets.randbelow(NONCE_CLEANUP_ONE_IN) == 0:
                conn.execute("DELETE FROM nonces WHERE ts < ?", (forget_before,))
        return added == 1

    # -- applications -----------------------------------------------------------------------

    def application(self, app_id: str, device_id: str | None = None) -> dict[str, Any] | None:
        """The application (``body`` opened, as JSON text); with ``device_id``, only if that device filed it."""
        with self.reading() as conn:
            row = conn.execute("SELECT id, device_id, body_enc, number, service_code, status, note, received_at,"
                               " updated_at FROM applications WHERE id=?", (app_id,)).fetchone()
        if row is None or (device_id is not None and row["device_id"] != device_id):
            return None
        found = {k: row[k] for k in ("id", "device_id", "number", "service_code", "status", "note", "received_at",
                                     "updated_at")}
        found["body"] = self._sealer.open(bytes(row["body_enc"]), f"application:{app_id}").decode("utf-8")
        return found

    def insert_application(self, app_id: str, device_id: str, body_sha256: str, body: dict[str, Any],
                           response: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store once; returns ``(stored response, created)``; :class:`IdConflict` for another body or
        when another device filed this id (its answer is never handed to this one)."""
        sealed = self._sealer.seal(json.dumps(body, ensure_ascii=False).encode("utf-8"), f"application:{app_id}")
        now = response["received_at"]
        with self.single() as conn:
            made = conn.execute(
                "INSERT INTO applications(id, device_id, body_sha256, body, body_enc, number, service_code, status,"
                " response, received_at, updated_at) VALUES (?,?,?,'',?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"
                " RETURNING id", (app_id, device_id, body_sha256, sealed, body["number"], body["service_code"],
                                  response["status"], json.dumps(response), now, now)).fetchall()
            if made:
                return response, True
            row = conn.execute("SELECT device_id, body_sha256, response FROM applications WHERE id=?",
                               (app_id,)).fetchone()
        if row is None or row["device_id"] != device_id or row["body_sha256"] != body_sha256:
            raise IdConflict(app_id)
        return json.loads(row["response"]), False

    def set_status(self, app_id: str, status: str, note: str = "") -> bool:
        if status not in APPLICATION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(APPLICATION_STATUSES)}")
        with self.single() as conn:
            return conn.execute("UPDATE applications SET status=?, note=?, updated_at=? WHERE id=?",
                                (status, note, utc_now(), app_id)).rowcount == 1

    def statuses(self, ids: Sequence[str], device_id: str | None = None) -> list[dict[str, Any]]:
        """Statuses of these ids; with ``device_id``, of those this device filed only (others look unknown)."""
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        query = f"SELECT id, status, note, updated_at FROM applications WHERE id IN ({marks})"
        params: tuple[str, ...] = tuple(ids)
        if device_id is not None:
            query, params = query + " AND device_id=?", (*params, device_id)
        with self.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        return [{k: r[k] for k in ("id", "status", "note", "updated_at")} for r in rows]

    def count_applications(self) -> int:
        return self.count("applications")

    def count(self, table: str) -> int:
        """Rows in one of the store's tables (tests, diagnostics)."""
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        with self.reading() as conn:
            return int(conn.execute(f"SELECT COUNT(*) AS n FROM {table}").fetchone()["n"])

    def application_ids(self) -> list[str]:
        """Every application id, in the order they arrived."""
        with self.reading() as conn:
            rows = conn.execute(f"SELECT id FROM applications ORDER BY {self.order_column}").fetchall()
        return [r["id"] for r in rows]

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
        with self.reading() as conn:
            rows = conn.execute(f"SELECT a.sha256 AS sha256, a.size AS size FROM attachments a JOIN attachment_owners o"
                                f" ON o.sha256 = a.sha256 AND o.device_id = ? WHERE a.sha256 IN ({marks})",
                                (device_id, *hashes)).fetchall()
        return {r["sha256"]: int(r["size"]) for r in rows}

    def put_attachment(self, sha256: str, content_type: str, data: bytes, device_id: str) -> bool:
        """Store by hash (the caller checked it) for this device; False when this device had uploaded it
        already. Bytes another device uploaded are kept once and now shared (this device has them too)."""
        sealed = self._sealer.seal(data, f"blob:{sha256}")
        with self.transaction() as conn:
            conn.execute("INSERT INTO attachments(sha256, content_type, size, data, received_at, sealed)"
                         " VALUES (?,?,?,?,?,1) ON CONFLICT DO NOTHING",
                         (sha256, content_type, len(data), sealed, utc_now()))
            return conn.execute("INSERT INTO attachment_owners(device_id, sha256) VALUES (?,?) ON CONFLICT DO NOTHING",
                                (device_id, sha256)).rowcount == 1

    def attachment(self, sha256: str) -> bytes | None:
        with self.reading() as conn:
            row = conn.execute("SELECT data FROM attachments WHERE sha256=?", (sha256,)).fetchone()
        return None if row is None else self._sealer.open(bytes(row["data"]), f"blob:{sha256}")

    # -- records ----------------------------------------------------------------------------

    def put_records(self, kind: str, device_id: str, records: Sequence[tuple[str, str, str]]
                    ) -> tuple[list[str], list[str], dict[str, str]]:
        """``records`` = (id, body_sha256, payload json): accepted, duplicates, conflicts. An id another
        device filed is a conflict whatever its payload (a duplicate would say the payloads match)."""
        accepted: list[str] = []
        duplicates: list[str] = []
        conflicts: dict[str, str] = {}
        now = utc_now()
        with self.transaction() as conn:
            for record_id, digest, payload in records:
                sealed = self._sealer.seal(payload.encode("utf-8"), f"record:{kind}:{record_id}")
                made = conn.execute("INSERT INTO records(kind, id, device_id, body_sha256, payload, payload_enc,"
                                    " received_at) VALUES (?,?,?,?,'',?,?) ON CONFLICT DO NOTHING RETURNING id",
                                    (kind, record_id, device_id, digest, sealed, now)).fetchall()
                if made:
                    accepted.append(record_id)
                    continue
                row = conn.execute("SELECT device_id, body_sha256 FROM records WHERE kind=? AND id=?",
                                   (kind, record_id)).fetchone()
                if row is not None and row["device_id"] == device_id and row["body_sha256"] == digest:
                    duplicates.append(record_id)
                else:
                    conflicts[record_id] = RECORD_ID_TAKEN
        return accepted, duplicates, conflicts

    def records(self, kind: str) -> list[dict[str, Any]]:
        with self.reading() as conn:
            rows = conn.execute(f"SELECT id, payload_enc FROM records WHERE kind=? ORDER BY received_at, "
                                f"{self.order_column}", (kind,)).fetchall()
        return [{"id": r["id"], "payload": json.loads(self._sealer.open(bytes(r["payload_enc"]),
                                                                         f"record:{kind}:{r['id']}"))}
                for r in rows]
