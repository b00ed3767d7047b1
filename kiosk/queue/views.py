"""The counter's view of the application filed with a ticket, kept beside the queue for that day only.

Its answers are personal data (UU 27/2022): stored encrypted (AES-GCM, the ticket id as associated
data) with the key in ``application-views.key`` beside the database, never logged nor put in the
audit trail, and deleted once the ticket's day is over (when the queue starts, at each attach, and
on the host's timer).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag

from kiosk.queue.models import (
    ApplicationConflict,
    ApplicationView,
    AttachedApplication,
    EventType,
    NotYourTicket,
    QueueEvent,
    Ticket,
    TicketExpired,
)
from kiosk.queue.rows import Clock, iso, load_ticket, local_day, read_clock, record_event, update_ticket
from kiosk.queue.wire import application_view_from_json, application_view_to_json
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import Database

log = logging.getLogger(__name__)

VIEWS_KEY_FILE = "application-views.key"


class ApplicationViews:
    """The ``ticket_applications`` table of one queue database, held by its engine.

    The engine hands in its clock, time zone and listeners' notifier, so an attach is audited and
    announced like any other change of a ticket.
    """

    def __init__(self, db: Database, tz: ZoneInfo, clock: Clock, *,
                 notify: Callable[[Iterable[QueueEvent]], None]) -> None:
        self.db = db
        self.tz = tz
        self._clock = clock
        self._notify = notify
        self._sealer: Sealer | None = None  # made at the first application view (its key file then)

    def attach(self, ticket_id: str, view: ApplicationView, *, actor: str,
               admin: bool = False) -> tuple[AttachedApplication, str]:
        """See :meth:`kiosk.queue.engine.QueueEngine.attach_application`."""
        text = _view_text(view)
        sealed = self._views_sealer().seal(text.encode("utf-8"), ticket_id)
        with self.db.transaction() as conn:
            now = read_clock(self._clock)
            today = local_day(now, self.tz)
            self._purge(conn, today)
            ticket = load_ticket(conn, ticket_id)
            if not admin:
                _check_issuer(conn, ticket, actor)
            if ticket.day != today:
                raise TicketExpired(ticket)
            row = conn.execute("SELECT * FROM ticket_applications WHERE ticket_id = ?", (ticket_id,)).fetchone()
            detail: dict[str, object] = {"application": view.number, "sync_state": view.sync_state}
            if row is None:
                if ticket.application_id not in (None, view.application_id):
                    raise ApplicationConflict(ticket, ticket.application_id)
                conn.execute("INSERT INTO ticket_applications(ticket_id, day, application_id, number, view, "
                             "attached_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (ticket_id, ticket.day, view.application_id, view.number, sealed, iso(now), iso(now)))
                if ticket.application_id is None:
                    ticket = update_ticket(conn, ticket_id, {"application_id": view.application_id})
                event = record_event(conn, ticket, EventType.APPLICATION_ATTACHED, actor, now, None, detail)
                outcome, attached_at = "attached", now
            elif row["application_id"] != view.application_id:
                raise ApplicationConflict(ticket, row["number"])
            elif self._view_text_of(row) == text:
                return AttachedApplication(ticket.id, ticket.number, view, datetime.fromisoformat(row["attached_at"]),
                                           datetime.fromisoformat(row["updated_at"])), "unchanged"
            else:
                conn.execute("UPDATE ticket_applications SET view = ?, number = ?, updated_at = ? WHERE ticket_id = ?",
                             (sealed, view.number, iso(now), ticket_id))
                event = record_event(conn, ticket, EventType.APPLICATION_UPDATED, actor, now, None, detail)
                outcome, attached_at = "updated", datetime.fromisoformat(row["attached_at"])
        self._notify([event])
        return AttachedApplication(ticket.id, ticket.number, view, attached_at, now), outcome

    def of(self, ticket_id: str) -> AttachedApplication | None:
        """The application filed with a ticket of today, or None; an unknown ticket raises TicketNotFound."""
        with self.db.reading() as conn:
            ticket = load_ticket(conn, ticket_id)
            row = conn.execute("SELECT * FROM ticket_applications WHERE ticket_id = ? AND day = ?",
                               (ticket_id, local_day(read_clock(self._clock), self.tz))).fetchone()
        if row is None:
            return None
        text = self._view_text_of(row)
        if text is None:  # the key file was lost or replaced: this view cannot be read again
            log.warning("the application view of ticket %s cannot be read (its key file %s changed); the kiosk's "
                        "next update attaches it again", ticket.number, self._key_path())
            return None
        return AttachedApplication(ticket_id=ticket.id, ticket_number=ticket.number,
                                   view=application_view_from_json(json.loads(text)),
                                   attached_at=datetime.fromisoformat(row["attached_at"]),
                                   updated_at=datetime.fromisoformat(row["updated_at"]))

    def purge(self) -> int:
        """Delete the applications of past days' tickets (personal data kept only while needed)."""
        with self.db.transaction() as conn:
            return self._purge(conn, local_day(read_clock(self._clock), self.tz))

    def mask_niks(self, conn: sqlite3.Connection, masked: Callable[[object], str | None]) -> int:
        """Mask each stored view's ``nik_masked`` that is not masked (inside the caller's transaction).

        For :mod:`kiosk.queue.repairs`; ``masked`` gives the masked value, or None when the value cannot
        be one: that view is deleted (the kiosk's next update attaches it again). Returns how many changed."""
        changed = 0
        for row in conn.execute("SELECT * FROM ticket_applications").fetchall():
            text = self._view_text_of(row)
            if text is None:  # sealed with a lost key: nobody can read it, nothing to mask
                continue
            data = json.loads(text)
            value = data.get("nik_masked")
            fixed = masked(value)
            if fixed == value:
                continue
            changed += 1
            if fixed is None:
                conn.execute("DELETE FROM ticket_applications WHERE ticket_id = ?", (row["ticket_id"],))
                continue
            data["nik_masked"] = fixed
            text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            conn.execute("UPDATE ticket_applications SET view = ? WHERE ticket_id = ?",
                         (self._views_sealer().seal(text.encode("utf-8"), row["ticket_id"]), row["ticket_id"]))
        return changed

    def _key_path(self) -> Path:
        return self.db.path.parent / VIEWS_KEY_FILE

    def _views_sealer(self) -> Sealer:
        if self._sealer is None:
            self._sealer = Sealer(load_or_create_key(self._key_path(), create=True))
        return self._sealer

    def _view_text_of(self, row: sqlite3.Row) -> str | None:
        """The stored view as JSON text; None when it cannot be opened (another key)."""
        stored = row["view"]
        if isinstance(stored, str):  # written before views were encrypted (that day only)
            return stored
        try:
            return self._views_sealer().open(stored, row["ticket_id"]).decode("utf-8")
        except InvalidTag:
            return None

    @staticmethod
    def _purge(conn: sqlite3.Connection, today: str) -> int:
        removed = conn.execute("DELETE FROM ticket_applications WHERE day < ?", (today,)).rowcount
        if removed:
            log.info("deleted %d application views of tickets before %s (kept for their day only)", removed, today)
        return int(removed)


def _check_issuer(conn: sqlite3.Connection, ticket: Ticket, actor: str) -> None:
    """Refuse ``actor`` unless it issued ``ticket``: the audit trail's ``issued`` event names the issuer.

    A kiosk reads every waiting ticket's application id from ``/v1/waiting``; without this, any kiosk
    could overwrite what the counter is shown about another kiosk's citizen (issue 21, item 3)."""
    row = conn.execute("SELECT actor FROM events WHERE ticket_id = ? AND type = ? ORDER BY id LIMIT 1",
                       (ticket.id, EventType.ISSUED.value)).fetchone()
    if row is None or row["actor"] != actor:
        raise NotYourTicket(ticket)


def _view_text(view: ApplicationView) -> str:
    """The view as canonical JSON text, so an identical body compares equal as text."""
    return json.dumps(application_view_to_json(view), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
