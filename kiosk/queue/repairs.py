"""Repairs of a queue database's stored data, each run once: filed by a migration in ``pending_repairs``
(:mod:`kiosk.queue.schema`), done by the engine when it opens the file (:class:`kiosk.queue.engine.QueueEngine`).

``mask_niks`` (issue 21, item 4): before the host checked ``nik_masked`` at every door, a kiosk could
send a full NIK in its place, and it was stored in clear in the tickets, in application views and
possibly in the audit trail's details. Each such value is masked in place (:func:`mask_nik`); one that
cannot be made into a masked NIK is dropped. One INFO line gives the counts, never the values.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable

from kiosk.storage.store import Database
from kiosk.utils.privacy import is_masked_nik, mask_nik

log = logging.getLogger(__name__)

# A masked NIK in SQLite's GLOB: 4 digits, 8 asterisks (each written [*]), 4 digits.
_MASKED_GLOB = "[0-9][0-9][0-9][0-9]" + "[*]" * 8 + "[0-9][0-9][0-9][0-9]"

ViewRepair = Callable[[sqlite3.Connection, Callable[[object], str | None]], int]


def masked_or_none(value: object) -> str | None:
    """``value`` as a masked NIK (masking a full one), or None when it cannot be one."""
    if is_masked_nik(value):
        return str(value)
    if not isinstance(value, str):
        return None
    masked = mask_nik(value)
    return masked if is_masked_nik(masked) else None


def run_pending(db: Database, mask_views: ViewRepair) -> None:
    """Run the repairs the file's migrations filed and not yet done; ``mask_views`` masks the application views."""
    with db.reading() as conn:
        if conn.execute("SELECT 1 FROM pending_repairs WHERE name = 'mask_niks'").fetchone() is None:
            return
        conn.execute("PRAGMA secure_delete=ON")  # the clear values are overwritten on disk, not left in free space
    try:
        with db.transaction() as conn:
            tickets = _mask_tickets(conn)
            views = mask_views(conn, masked_or_none)
            events = _mask_events(conn)
            conn.execute("DELETE FROM pending_repairs WHERE name = 'mask_niks'")
    finally:
        with db.reading() as conn:
            conn.execute("PRAGMA secure_delete=OFF")
    if tickets or views or events:
        log.info("masked %d full NIKs left in %s by an older version (tickets %d, application views %d, "
                 "audit trail %d)", tickets + views + events, db.path.name, tickets, views, events)


def _mask_tickets(conn: sqlite3.Connection) -> int:
    rows = conn.execute("SELECT id, nik_masked FROM tickets WHERE nik_masked IS NOT NULL AND nik_masked NOT GLOB ?",
                        (_MASKED_GLOB,)).fetchall()
    for ticket_id, value in rows:
        conn.execute("UPDATE tickets SET nik_masked = ? WHERE id = ?", (masked_or_none(value), ticket_id))
    return len(rows)


def _mask_events(conn: sqlite3.Connection) -> int:
    """Mask every ``nik``-named value in the audit trail's details (none is written today)."""
    count = 0
    for event_id, text in conn.execute("SELECT id, detail FROM events WHERE detail LIKE '%nik%'").fetchall():
        try:
            detail = json.loads(text)
        except ValueError:
            continue
        changed = _mask_nik_values(detail)
        if changed:
            conn.execute("UPDATE events SET detail = ? WHERE id = ?",
                         (json.dumps(detail, ensure_ascii=False), event_id))
            count += changed
    return count


def _mask_nik_values(data: object) -> int:
    """Mask, in place, the values under keys naming a NIK anywhere in ``data``; returns how many changed."""
    changed = 0
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and "nik" in key.lower() and isinstance(value, str) \
                    and any(ch.isdigit() for ch in value) and not is_masked_nik(value):
                data[key] = masked_or_none(value)
                changed += 1
            else:
                changed += _mask_nik_values(value)
    elif isinstance(data, list):
        for item in data:
            changed += _mask_nik_values(item)
    return changed
