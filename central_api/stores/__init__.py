"""The reference central API's stores: one interface (:class:`CentralStore`), two databases.

* SQLite (:class:`SqliteCentralStore`, ``--db central.sqlite3``): the embedded default, one process;
* PostgreSQL (:class:`PostgresCentralStore`, ``--db postgresql://...``): a database server, any number
  of worker processes (``kiosk central-api --workers N``).

:func:`open_store` picks one from what ``--db`` says. Both behave the same (the same tests run on
both: tests/central_pg.py). Another part of the server that keeps its own tables in the same database
declares them as :class:`Migrations` and calls :meth:`CentralStore.ensure_schema` at start; it then
reads and writes through :meth:`CentralStore.transaction` / :meth:`CentralStore.reading` with ``?``
placeholders and rows read by column name, on either database.
"""

from __future__ import annotations

from pathlib import Path

from central_api.stores.base import (
    APPLICATION_STATUSES,
    ENROLL_REFUSED,
    MIN_ENROLL_CODE_LENGTH,
    RECORD_ID_TAKEN,
    CentralStore,
    Conn,
    Device,
    Dialect,
    EnrollRefused,
    IdConflict,
    InFlight,
    Migrations,
    StoreUnavailable,
    utc_now,
)
from central_api.stores.sqlite import SqliteCentralStore, key_path_for

__all__ = ["APPLICATION_STATUSES", "ENROLL_REFUSED", "MIN_ENROLL_CODE_LENGTH", "RECORD_ID_TAKEN", "CentralStore",
           "Conn", "Device", "Dialect", "EnrollRefused", "IdConflict", "InFlight", "Migrations",
           "SqliteCentralStore", "StoreUnavailable", "is_postgres_url", "key_path_for", "open_store", "utc_now"]


def is_postgres_url(target: str | Path) -> bool:
    """Whether ``--db`` names a PostgreSQL server rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | Path, key_path: Path | None = None) -> CentralStore:
    """The store ``target`` names: a ``postgresql://`` URL (``key_path`` required: there is no folder
    to keep the key beside) or a SQLite file (the key defaults to ``<file>.key`` next to it).
    Raises :class:`kiosk.storage.store.StoreError` (or ValueError for a missing key path)."""
    if is_postgres_url(target):
        if key_path is None:
            raise ValueError("a PostgreSQL database needs --key FILE: the sealing key is kept in a file, "
                             "never in the database (back it up apart from the database)")
        try:
            from central_api.stores.postgres import PostgresCentralStore  # psycopg only where PostgreSQL is used
        except ImportError as exc:
            raise ValueError(f"PostgreSQL needs psycopg ({exc}): pip install 'mpp-kiosk[central-postgres]'") from None

        return PostgresCentralStore(str(target), key_path)
    return SqliteCentralStore(Path(target), key_path)
