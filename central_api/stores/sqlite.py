"""The reference central API's embedded store: one SQLite file (:mod:`kiosk.storage.store`), the default.

One process only: SQLite has one writer, and the requests being processed right now (the 409
``in_flight`` check) are kept in this process's memory. For several worker processes use the
PostgreSQL store (:mod:`central_api.stores.postgres`). The key is ``<database>.key`` next to the
file (0600, made at the first start).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from central_api.stores.base import STALE_IN_FLIGHT_SECONDS, Conn, Dialect, InFlight, SqlStore, utc_now
from kiosk.storage.store import Database, Schema, _split_sql, open_database

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
    # sealed columns; rows written before are sealed by the store at its first open (it has the key)
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


def key_path_for(db_path: Path) -> Path:
    """Where the key of the database at ``db_path`` lives: next to it, ``central.sqlite3.key``."""
    return Path(db_path).with_name(Path(db_path).name + KEY_SUFFIX)


class SqliteCentralStore(SqlStore):
    """The store in one SQLite file, behind one connection (see :class:`kiosk.storage.store.Database`)."""

    dialect: Dialect = "sqlite"
    order_column = "rowid"

    def __init__(self, path: Path, key_path: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.where = str(self.path)
        self.key_path = Path(key_path) if key_path else key_path_for(self.path)
        self.db: Database = open_database(self.path, SCHEMA, synchronous="NORMAL")
        self._started: dict[str, float] = {}
        self._claims = threading.Lock()
        try:
            with self.db.reading() as conn:
                conn.execute("PRAGMA secure_delete=ON")  # what is overwritten is zeroed, not left in free pages
            self._open_sealer()
            self._seal_legacy_rows()
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> contextlib.AbstractContextManager[Conn]:
        return self.db.transaction()

    def reading(self) -> contextlib.AbstractContextManager[Conn]:
        return self.db.reading()

    def _run_script(self, conn: Conn, script: str) -> None:
        for statement in _split_sql(script):
            conn.execute(statement)

    @contextlib.contextmanager
    def in_flight(self, key: str) -> Iterator[None]:
        """Claim ``key`` while a request processes it; :class:`InFlight` if another holds it (in memory:
        one process serves a SQLite file). A claim older than a minute is taken over."""
        with self._claims:
            started = self._started.get(key)
            if started is not None and time.monotonic() - started < STALE_IN_FLIGHT_SECONDS:
                raise InFlight(key)
            self._started[key] = time.monotonic()
        try:
            yield
        finally:
            with self._claims:
                self._started.pop(key, None)

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
