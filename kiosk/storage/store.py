"""Local SQLite storage: one file per schema, WAL mode, versioned migrations.

Every database the app keeps (the kiosk's own store, the queue host's tickets, later the outbox)
is opened through :func:`open_database`, so they all share the same guarantees:

* the schema version lives in ``PRAGMA user_version``; migrations run in order, each in its own
  transaction, at start;
* a file written by a *newer* version of the app is refused with :class:`SchemaTooNew` and left
  untouched (a downgrade must never silently damage data);
* a file that belongs to another schema (opening the queue database as the kiosk store) is refused;
* the file, its -wal and -shm are 0600 and a folder made for it 0700, whatever the umask; an
  older file readable by others is tightened when it is opened (the central API's store too);
* SQLite's "tell the user" failures (disk full, read-only, corrupt file, locked) become a
  :class:`StoreError` with a human sentence, instead of a bare ``sqlite3.OperationalError``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlite_utils

from kiosk.utils.file_modes import create_private_file, describe, make_private_dir, tighten_all
from kiosk.utils.log import log_at_start

Synchronous = Literal["NORMAL", "FULL"]
log = logging.getLogger(__name__)


class StoreError(Exception):
    """A storage problem a person can act on (disk full, no permission, damaged file)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class SchemaTooNew(StoreError):
    """The file was written by a newer version of the app; we refuse to touch it."""


@dataclass(frozen=True)
class Schema:
    """A named, ordered list of migrations. Version N means the first N migrations have run."""

    name: str
    migrations: Sequence[str]

    @property
    def version(self) -> int:
        return len(self.migrations)


_META_DDL = "CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


class Database:
    """A migrated SQLite database shared by threads through one connection and a lock.

    SQLite serialises writers anyway; one connection guarded by a lock keeps transactions from
    different threads from interleaving and keeps ``BEGIN IMMEDIATE`` semantics simple.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, schema: Schema) -> None:
        self.path = path
        self.schema = schema
        self._conn = conn
        self._lock = threading.RLock()
        self.utils = sqlite_utils.Database(conn)
        self._checkpointer: _Checkpointer | None = None

    def checkpoint_in_background(self, every_seconds: float = 1.0) -> None:
        """Move WAL checkpoints off the commit path, onto a thread with its own connection.

        SQLite checkpoints inside the commit that fills the WAL past 1,000 pages, and that
        checkpoint syncs the file: measured here, one issue in a hundred took 12 ms instead of
        0.4 ms, and every request queued behind it waited too. A passive checkpoint on another
        connection copies pages without blocking writers.
        """
        if self._checkpointer is None:
            with self._lock:
                self._conn.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(self.path, every_seconds)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

        Taking the lock at BEGIN makes read-then-write sequences atomic across processes too:
        two queue terminals can never read the same "last number" before either writes.
        """
        with self._lock, translate_errors(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.rollback()
                raise
            else:
                self._conn.commit()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Use the connection for reads, serialised with writers of this process."""
        with self._lock, translate_errors(self.path):
            yield self._conn

    def integrity_errors(self) -> list[str]:
        """``PRAGMA integrity_check`` findings; an empty list means the file is sound."""
        with self.reading() as conn:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            self._conn.close()


_WAL_RESTART_FRAMES = 4000  # about 16 MB of WAL with 4 KiB pages
_RESTART_WAIT = 0.02  # seconds a restart may wait for the write lock or for readers


class _Checkpointer:
    """Checkpoints a WAL database every few seconds from its own thread and connection."""

    def __init__(self, path: Path, every_seconds: float) -> None:
        self._path = path
        self._every = every_seconds
        self._stop = threading.Event()
        # A daemon: a database left open must not keep the process from exiting (an interrupted
        # checkpoint is safe; SQLite resumes it on the next open).
        self._thread = threading.Thread(target=self._run, name=f"sqlite-checkpoint-{path.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Little waiting: a restart that finds a reader (a report, say) in its way gives up after
        # _RESTART_WAIT and is tried again next time, instead of holding the write lock while it waits.
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=_RESTART_WAIT)
        try:
            while not self._stop.wait(self._every):
                frames = self._checkpoint(conn, "PASSIVE")
                if frames >= _WAL_RESTART_FRAMES:
                    # Under steady writing the WAL never drains and so never starts over. A second
                    # passive pass copies what was written during the first (tens of ms of work);
                    # the restart then copies the little left, with writers held off only that long
                    # (restarting right after one pass held them off 10-35 ms, bench/queue_host.py).
                    self._checkpoint(conn, "PASSIVE")
                    self._checkpoint(conn, "RESTART")
            conn.execute("PRAGMA busy_timeout=2000")
            self._checkpoint(conn, "TRUNCATE")  # leave a small WAL behind
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection, mode: str) -> int:
        """Run one checkpoint; returns the WAL's length in frames (0 when unknown)."""
        try:
            _busy, frames, _copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            return max(0, int(frames))
        except sqlite3.Error as exc:  # e.g. disk full: writers will report it in words
            log.warning("checkpoint of %s failed: %s", self._path.name, exc)
            return 0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


def open_database(path: Path, schema: Schema, *, synchronous: Synchronous = "NORMAL") -> Database:
    """Open (creating if needed) and migrate the database at ``path`` for ``schema``.

    ``synchronous="FULL"`` is for data that must survive a power cut once committed (citizen
    applications); queue tickets can use NORMAL, which WAL keeps consistent after a crash.
    """
    path = Path(path)
    with translate_errors(path):
        make_private_dir(path.parent)
        if not create_private_file(path) and not _looks_like_sqlite(path):
            raise StoreError(path, "this file is not a database of this app (damaged or foreign); "
                             "it was left untouched. Move it aside to start fresh.")
        # SQLite gives the -wal and -shm it creates the database's mode; older ones are tightened here
        restrict_modes([path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")], path.parent)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            _migrate(path, conn, schema)
        except BaseException:
            conn.close()
            raise
    return Database(path, conn, schema)


def restrict_modes(paths: Iterable[Path], root: Path) -> list[Path]:
    """Take group and other access off ``paths`` (named relative to ``root``), saying so in one INFO line.

    Paths that cannot be changed (another owner) are named in a warning; the app still starts.
    """
    changed, failed = tighten_all(paths)
    if changed:
        log_at_start(log, logging.INFO, "file modes repaired (group and other access removed) in %s: %s",
                     root, describe(changed, root))
    if failed:
        log_at_start(log, logging.WARNING, "cannot make these private to this user (check their owner): %s",
                     "; ".join(f"{describe([p], root)} ({exc.strerror})" for p, exc in failed))
    return changed


def _looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        header = f.read(16)
    return header == b"" or header == b"SQLite format 3\x00"


def _migrate(path: Path, conn: sqlite3.Connection, schema: Schema) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > 0:
        owner = conn.execute("SELECT value FROM _meta WHERE key='schema'").fetchone()
        if owner is None or owner[0] != schema.name:
            found = owner[0] if owner else "unknown"
            raise StoreError(path, f"this database holds '{found}' data, not '{schema.name}'; "
                             "check the data directory in the configuration.")
    if current > schema.version:
        raise SchemaTooNew(
            path,
            f"this database was written by a newer version of MPP Kiosk (schema '{schema.name}' "
            f"version {current}; this version knows up to {schema.version}). It was left untouched: "
            "install the newer version again, or restore a backup made for this version.",
        )
    for version in range(current + 1, schema.version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_META_DDL)
            for statement in _split_sql(schema.migrations[version - 1]):
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO _meta(key, value) VALUES ('schema', ?)", (schema.name,))
            conn.execute(f"PRAGMA user_version={version}")
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements so they all run inside one transaction.

    ``executescript`` would COMMIT first, breaking the all-or-nothing migration step.
    """
    statements, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements


_HUMAN_ERRORS: dict[int, str] = {
    sqlite3.SQLITE_FULL: "the disk is full; free some space and try again.",
    sqlite3.SQLITE_READONLY: "the data folder is read-only; give the app write permission to it.",
    sqlite3.SQLITE_CANTOPEN: "the database file cannot be opened; check the data folder exists and is writable.",
    sqlite3.SQLITE_CORRUPT: "the database file is damaged; it was left untouched. Restore a backup or move it aside.",
    sqlite3.SQLITE_NOTADB: "this file is not a database of this app; it was left untouched.",
    sqlite3.SQLITE_IOERR: "the disk reported an input/output error; check the disk.",
    sqlite3.SQLITE_BUSY: "the database is busy in another program for too long; try again.",
    sqlite3.SQLITE_LOCKED: "the database is locked by another program; try again.",
    sqlite3.SQLITE_PERM: "the app has no permission to use the database file.",
}


@contextlib.contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn environment failures into :class:`StoreError`; let programming errors through."""
    try:
        yield
    except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
            raise
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary in _HUMAN_ERRORS:
            raise StoreError(path, _HUMAN_ERRORS[primary]) from exc
        raise
    except PermissionError as exc:
        raise StoreError(path, "the app has no permission to write in this folder.") from exc
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            raise StoreError(path, "the disk is full; free some space and try again.") from exc
        if exc.errno == 30:  # EROFS
            raise StoreError(path, "the data folder is on a read-only disk.") from exc
        raise
