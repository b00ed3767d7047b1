"""The reference central API on a PostgreSQL server (psycopg 3): for a region or the nation, where one
SQLite file on one machine is not enough, and backups and replication are the database server's job.

Several uvicorn worker processes (and machines) may serve one database: everything that must be seen
by all of them lives in it. Nonces are rows (a replay sent to another worker is refused), and an
application being processed holds a session-level advisory lock on its key
(``pg_try_advisory_lock``), so a second request for it, in any worker, answers 409 ``in_flight``; the
lock goes with the connection should the worker die, so no claim is ever left stale.

A server that goes away (stopped, restarting, network) raises :class:`StoreUnavailable`: the API
answers 503 with Retry-After and the kiosk keeps the item. Connections are pooled per process and
all dropped at the first such failure; the next request connects afresh.

Attachments stay in the database (``bytea``, stored uncompressed: sealed bytes do not compress), as
in SQLite: one backup and one replication stream hold everything, an attachment and its owners are
written in one transaction, and worker processes on several machines need no shared disk.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from central_api.stores.base import Conn, Cursor, Dialect, InFlight, SqlStore, StoreUnavailable
from kiosk.storage.store import SchemaTooNew, StoreError

SCHEMA_NAME = "central"
MIGRATIONS: list[str] = [
    """
    CREATE TABLE central_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
        ts BIGINT NOT NULL,
        PRIMARY KEY (device_id, nonce)
    );
    CREATE INDEX nonces_by_time ON nonces(ts);
    -- body and payload are always '' (the sealed copy is in *_enc): kept so both stores speak one SQL
    CREATE TABLE applications (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        body_enc BYTEA NOT NULL,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        response TEXT NOT NULL,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX applications_by_device ON applications(device_id);
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        data BYTEA NOT NULL,
        received_at TEXT NOT NULL,
        sealed INTEGER NOT NULL DEFAULT 1
    );
    ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;
    CREATE TABLE attachment_owners (
        device_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (device_id, sha256)
    );
    CREATE TABLE records (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '',
        payload_enc BYTEA NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    """,
]
SCHEMA_LOCK = 7_304_815_022  # pg_advisory_xact_lock key: one process migrates at a time
CONNECT_TIMEOUT_S = 5
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return _PASSWORD.sub(r"\1***@", url)


class _PgConn:
    """A psycopg connection speaking the stores' SQL: ``?`` placeholders (``%`` is literal), rows by name."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        return self._conn.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(parameters))


class _Pool:
    """Connections of this process, reused; a broken one is closed instead of returned."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._idle: list[psycopg.Connection[dict[str, Any]]] = []
        self._lock = threading.Lock()

    def get(self) -> psycopg.Connection[dict[str, Any]]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        # keepalives: a server that vanished without closing (a cut cable) is noticed in ~25 s, not hours
        return psycopg.connect(self._url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="mpp-central-api", keepalives=1, keepalives_idle=10,
                               keepalives_interval=5, keepalives_count=3)

    def put(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            conn.close()
            return
        with self._lock:
            self._idle.append(conn)

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class PostgresCentralStore(SqlStore):
    """The store on a PostgreSQL server (``postgresql://user@host:port/dbname``); the key in ``key_path``
    (a file: never in the database, so a dump alone reveals nothing)."""

    dialect: Dialect = "postgresql"
    order_column = "seq"

    def __init__(self, url: str, key_path: Path) -> None:
        super().__init__()
        self.url = url
        self.where = redact(url)
        self.key_path = Path(key_path)
        self._pool = _Pool(url)
        self._local = threading.local()
        try:
            self._migrate()
            self._open_sealer()
        except BaseException:
            self._pool.clear()
            raise

    def close(self) -> None:
        self._pool.clear()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            self._pool.clear()  # one failed: the others most likely point at the same dead server
            reason = " ".join(str(exc).split())[:300] or type(exc).__name__  # libpq's words, never the password
            raise StoreUnavailable(f"the central database {self.where} cannot be reached: {reason}") from exc

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """The connection this thread holds for an in-flight claim, or one from the pool."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._translated():
            conn = self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Conn]:
        with self._connection() as conn, self._translated(), conn.transaction():
            yield _PgConn(conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Conn]:
        with self._connection() as conn, self._translated():
            yield _PgConn(conn)

    def single(self) -> contextlib.AbstractContextManager[Conn]:
        return self.reading()  # autocommit: each statement its own transaction

    def _lock_schema(self, conn: Conn) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))

    def _run_script(self, conn: Conn, script: str) -> None:
        assert isinstance(conn, _PgConn)
        conn._conn.execute(script.encode("utf-8"))  # several statements, no parameters: sent as they are

    @contextlib.contextmanager
    def in_flight(self, key: str) -> Iterator[None]:
        """Claim ``key`` for this request in every worker process: an advisory lock on a connection this
        thread keeps (and uses for its queries) until the request ends; :class:`InFlight` if held."""
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("one in-flight claim per thread")
        with self._translated():
            conn = self._pool.get()
        try:
            with self._translated():
                got = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS got", (key,)).fetchone()
            if not (got and got["got"]):
                raise InFlight(key)
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None
                try:
                    conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
                except psycopg.Error:
                    conn.close()  # the lock goes with the session
        finally:
            self._pool.put(conn)

    def _migrate(self) -> None:
        """Run the migrations this database lacks, under an advisory lock (workers may start together);
        a database written by a newer version is refused untouched."""
        with self.transaction() as conn:
            self._lock_schema(conn)
            self._run_script(conn, "CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            rows = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM _meta").fetchall()}
            if rows and rows.get("schema") != SCHEMA_NAME:
                raise StoreError(Path(self.where), f"this database holds '{rows.get('schema', 'unknown')}' data, "
                                 f"not '{SCHEMA_NAME}'; check the database URL.")
            current = int(rows.get("version", "0"))
            if current > len(MIGRATIONS):
                raise SchemaTooNew(Path(self.where), f"this database was written by a newer version of MPP Kiosk "
                                   f"(schema '{SCHEMA_NAME}' version {current}; this version knows up to "
                                   f"{len(MIGRATIONS)}). It was left untouched: install the newer version again, "
                                   "or restore a backup made for this version.")
            for version in range(current + 1, len(MIGRATIONS) + 1):
                self._run_script(conn, MIGRATIONS[version - 1])
                for key, value in (("schema", SCHEMA_NAME), ("version", str(version))):
                    conn.execute("INSERT INTO _meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                                 "SET value=excluded.value", (key, value))
