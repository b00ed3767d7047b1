"""Kept for imports written before the stores were split: everything is in :mod:`central_api.stores`
(the interface, :func:`~central_api.stores.open_store`, the SQLite and PostgreSQL stores)."""

from __future__ import annotations

from central_api.stores import (
    APPLICATION_STATUSES,
    ENROLL_REFUSED,
    MIN_ENROLL_CODE_LENGTH,
    RECORD_ID_TAKEN,
    CentralStore,
    Device,
    EnrollRefused,
    IdConflict,
    InFlight,
    Migrations,
    SqliteCentralStore,
    StoreUnavailable,
    key_path_for,
    open_store,
    utc_now,
)
from central_api.stores.sqlite import SCHEMA

__all__ = ["APPLICATION_STATUSES", "ENROLL_REFUSED", "MIN_ENROLL_CODE_LENGTH", "RECORD_ID_TAKEN", "SCHEMA",
           "CentralStore", "Device", "EnrollRefused", "IdConflict", "InFlight", "Migrations", "SqliteCentralStore",
           "StoreUnavailable", "key_path_for", "open_store", "utc_now"]
