"""The citizen's own view of one ticket, reached from the QR code on the paper: no login, no NIK.

A ticket is named by its *status token*, a one-way hash of its random id (uuid4): unguessable
(132 bits), it reveals neither the number nor the id the device API uses, and the kiosk printing
the QR and the queue host answering it both compute it with no shared secret. The host answers
JSON (for apps and the kiosk's "Cek status") or a live page for phones (:mod:`kiosk.queue.phone_page`).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time as wallclock
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.i18n import LANGUAGES, Translator
from kiosk.queue.models import Ticket, TicketNotFound, TicketState

if TYPE_CHECKING:
    from kiosk.queue.engine import QueueEngine

TOKEN_LENGTH = 22  # 132 bits of the hash, base64url
TOKEN_PATTERN = rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_RESCAN_SECONDS = 1.0  # unknown tokens trigger at most one rescan per second (guessing stays cheap for us)
_DAYS_KEPT = 2  # today's tickets answer; yesterday's say "expired"; older ones are not found


def status_token(ticket_id: str) -> str:
    """The unguessable token naming one ticket in its status address."""
    digest = hashlib.sha256(b"mpp-kiosk ticket status v1\0" + ticket_id.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:TOKEN_LENGTH]


def is_status_token(text: str) -> bool:
    return bool(_TOKEN_RE.match(text))


class StatusIndex:
    """Finds a ticket by its token: a cache filled from the engine's recent days on a miss."""

    def __init__(self, engine: QueueEngine) -> None:
        self.engine = engine
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()
        self._last_scan = float("-inf")

    def remember(self, ticket: Ticket) -> None:
        with self._lock:
            self._ids[status_token(ticket.id)] = ticket.id

    def find(self, token: str) -> Ticket | None:
        if not is_status_token(token):
            return None
        with self._lock:
            ticket_id = self._ids.get(token)
            if ticket_id is None and wallclock.monotonic() - self._last_scan >= _RESCAN_SECONDS:
                self._last_scan = wallclock.monotonic()
                self._ids = {status_token(i): i for i in self._recent_ids()}
                ticket_id = self._ids.get(token)
        if ticket_id is None:
            return None
        try:
            return self.engine.get(ticket_id)
        except TicketNotFound:
            return None

    def _recent_ids(self) -> list[str]:
        today = self.engine._day(self.engine._now())
        first = (datetime.fromisoformat(today) - timedelta(days=_DAYS_KEPT - 1)).date().isoformat()
        with self.engine.db.reading() as conn:
            return [row[0] for row in conn.execute("SELECT id FROM tickets WHERE day >= ?", (first,))]


#: The kiosk's sync state of a filed application, as its holder may read it (kiosk.visit.status_check's words).
_APPLICATION_STANDING = {"pending": "on_kiosk", "sending": "on_kiosk", "sent": "received", "rejected": "needs_info"}


def ticket_status(engine: QueueEngine, ticket: Ticket, counters_serving: int = 1) -> dict[str, Any]:
    """The JSON answer: where the ticket stands now. No NIK, no ticket id; of an application filed
    with it, only its number and how far it got (never the answers)."""
    today = engine._day(engine._now())
    current = ticket.day == today
    standing = engine.position(ticket.id, counters_serving) if current else None
    waiting = current and ticket.state == TicketState.ISSUED
    application = None
    attached = engine.application_of(ticket.id) if current and ticket.application_id else None
    if attached is not None:
        application = {"number": attached.view.number,
                       "state": _APPLICATION_STANDING.get(attached.view.sync_state, "on_kiosk")}
    return {
        "number": ticket.number,
        "service_code": ticket.service_code,
        "state": ticket.state.value,
        "valid_today": current,
        "day": ticket.day,
        "people_ahead": standing.people_ahead if standing and waiting else 0,
        "estimated_wait_minutes": standing.estimated_wait_minutes if standing and waiting else 0,
        "counter": ticket.counter,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "lang": ticket.lang if ticket.lang in LANGUAGES else "id",
        "application": application,
        "updated_at": engine._now().isoformat(),
    }


#: What a typed number may learn (``GET /v1/tickets/by-number/{number}/status``, the kiosk's "Cek status"):
#: no more than the lobby board shows. Anyone can type "A-012", so not the ticket's language, its call
#: time or the application filed with it, which only the paper's unguessable QR code may show.
NUMBER_STANDING_FIELDS = ("number", "service_code", "state", "valid_today", "day", "people_ahead",
                          "estimated_wait_minutes", "counter", "updated_at")


def number_standing(status: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket's status cut to :data:`NUMBER_STANDING_FIELDS` (the answer to a typed number)."""
    return {field: status[field] for field in NUMBER_STANDING_FIELDS}


def ticket_status_lines(t: Translator, status: Mapping[str, Any]) -> list[str]:
    """One or two plain sentences on where the ticket stands (the phone page, the kiosk, the board)."""
    if not status["valid_today"]:
        return [t("printing.status.expired", day=status["day"])]
    state = status["state"]
    if state == "issued":
        ahead = (t("printing.status.ahead", count=status["people_ahead"],
                   wait=t.minutes(status["estimated_wait_minutes"]))
                 if status["people_ahead"] else t("printing.status.nobody_ahead"))
        lines = [t("printing.status.waiting"), ahead]
    elif state in ("called", "serving"):
        lines = [t(f"printing.status.{state}", counter=status["counter"])]
    else:
        lines = [t(f"printing.status.{state}")]
    application = status.get("application")
    if application:
        lines.append(t("status_check.application_line", number=application["number"],
                       state=t(f"status_check.application.{application['state']}")))
    return lines
