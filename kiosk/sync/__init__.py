"""Offline applications and their sync to the MPP Digital central API (issue 6).

* :mod:`kiosk.sync.outbox` — the local store: applications, attachments and the outbox, saved in one
  transaction before the citizen sees "saved"; encrypted at rest; retention;
* :mod:`kiosk.sync.central_client` — the signed HTTP client (TLS always verified);
* :mod:`kiosk.sync.engine` — drains the outbox in order, exactly once at the server, pulls statuses
  and the catalog; ``kiosk sync now|status|enroll|retry`` in :mod:`kiosk.app.commands.sync`.

The reference server the tests and the demo run against is :mod:`central_api`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config.schema import Config


def backlog(config: Config) -> tuple[int, float]:
    """How many outbox entries wait to be sent, and the age in hours of the oldest (diagnostics).

    Reads the outbox without the encryption key and without creating anything: a kiosk that never
    saved an application has no backlog.
    """
    from kiosk.storage.store import open_database
    from kiosk.sync.outbox import DB_FILE, SCHEMA

    path = config.data_dir / DB_FILE
    if not path.exists():
        return 0, 0.0
    db = open_database(path, SCHEMA, synchronous="FULL")
    try:
        with db.reading() as conn:
            count, oldest = conn.execute("SELECT COUNT(*), MIN(created_at) FROM outbox "
                                         "WHERE state IN ('pending', 'sending')").fetchone()
    finally:
        db.close()
    if not count or not oldest:
        return 0, 0.0
    age = datetime.now(UTC) - datetime.fromisoformat(oldest)
    return int(count), max(0.0, age.total_seconds() / 3600)
