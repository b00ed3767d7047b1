"""The citizen's own view of one ticket, reached from the QR code on the paper: no login, no NIK.

A ticket is named by its *status token*, a one-way hash of its random id (uuid4): unguessable
(132 bits), it reveals neither the number nor the id the device API uses, and the kiosk printing
the QR and the queue host answering it both compute it with no shared secret. The host answers
JSON (for apps and the kiosk's "Cek status") or a small self-refreshing page for phones.
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
from kiosk.utils.html_template import HtmlTemplate

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


#: The phone page. Sized for a 70-year-old on a cheap phone (360-412 CSS px wide): the MPP's name on a
#: dark band at the top, text of 22-26 px, and the number alone on its line, never wrapped, as large as
#: the width allows (see :func:`_number_size`). Nothing but the number and where it stands: no name, no NIK.
_PAGE = HtmlTemplate("""<!doctype html>
<html lang="$lang"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>$title</title>
<style>
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,"DejaVu Sans",Roboto,Arial,sans-serif;margin:0;background:#fff;color:#111;
font-size:24px;line-height:1.4}
header{background:#0b3d91;color:#fff;padding:14px 20px 16px}
main{padding:16px 20px 28px}
header>*,main>*{max-width:36rem;margin-left:auto;margin-right:auto}
.site{font-size:26px;font-weight:700;line-height:1.25;margin-top:0;margin-bottom:4px;overflow-wrap:anywhere}
.what{font-size:22px;margin-top:0;margin-bottom:0}
.label{font-size:24px;margin-top:0;margin-bottom:0}
.number{font-weight:800;line-height:1.15;white-space:nowrap;margin-top:0;margin-bottom:16px}
.box{border:3px solid #111;border-radius:12px;padding:4px 18px;font-size:26px;font-weight:600}
.box p{margin:12px 0}
.box .go{font-size:min(48px,11vw);font-weight:800;line-height:1.15;margin-top:16px;margin-bottom:4px}
.called{background:#ffd400}
.note{font-size:22px;color:#333;margin-top:16px;margin-bottom:0}
</style></head>
<body><header><p class="site">$site</p><p class="what">$what</p></header>
<main>$number
<div class="$box_class">$lines</div>
$updated<p class="note">$refresh</p></main>
</body></html>
""")
_LINE = HtmlTemplate("<p>$text</p>")
_GO_TO = HtmlTemplate('<p class="go">$text</p>')
_NOTE = HtmlTemplate('<p class="note">$text</p>')
_NUMBER = HtmlTemplate('<p class="label">$label</p>\n'
                       '<p class="number" style="font-size:$size">$number</p>')
_NUMBER_MAX_PX = 128
_NUMBER_EM_PER_CHAR = 0.75  # bold digits ~0.7 em, "-" ~0.4 em, a wide prefix letter ("W") ~1 em: room to spare
_PAGE_PADDING_PX = 40


def _number_size(number: str) -> str:
    """The number's CSS font size: as large as fits the screen's width on one line, at most 128 px.

    ``white-space: nowrap`` keeps "A-005" on one line whatever happens; this keeps it on the screen."""
    ems = round(_NUMBER_EM_PER_CHAR * max(len(number), 4), 2)
    return f"min({_NUMBER_MAX_PX}px, calc((100vw - {_PAGE_PADDING_PX}px) / {ems}))"


def status_page(status: dict[str, Any] | None, lang: str = "id", local_time: str = "", site_name: str = "") -> str:
    """A small page for a phone: the MPP's name, the big number, one or two plain sentences; it
    refreshes every 30 s. In the ticket's language (``lang``); ``site_name`` is the site config's name.

    Every value (the application number a kiosk sent too) is escaped by the template."""
    t = Translator(lang if lang in LANGUAGES else "id")
    if status is None:
        lines, number = [t("printing.status.not_found")], ""
    else:
        lines, number = ticket_status_lines(t, status), status["number"]
    called = status is not None and status["valid_today"] and status["state"] == "called"
    go_to = _GO_TO.render(text=t("printing.status.go_to", counter=status["counter"])) if called and status else ""
    return str(_PAGE.render(
        lang=t.lang, title=t("printing.status.page_title", number=number) if number else t("printing.status.title"),
        site=site_name.strip() or t("printing.status.site_unknown"), what=t("printing.status.title"),
        number=_NUMBER.render(label=t("printing.status.number_label"), number=number,
                              size=_number_size(number)) if number else "",
        box_class="box called" if called else "box",
        lines=go_to + _LINE.join([{"text": line} for line in lines]),
        updated=_NOTE.render(text=t("printing.status.updated", time=local_time)) if local_time else "",
        refresh=t("printing.status.refresh")))
