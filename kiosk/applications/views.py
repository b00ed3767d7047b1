"""The counter's view of an application filed at the kiosk, and getting it to the queue with its ticket.

A citizen who files an application takes one ticket with it. The counter that calls the ticket is,
in a building, another machine: it reads the application from the queue
(``QueueClient.application_of``), which keeps what the kiosk attached to the ticket
(``QueueClient.attach_application``). In the one-machine demo the queue is in-process and the path
is the same; there is no other way for a counter to see an application.

:func:`counter_view` builds the view from the kiosk's own store: the masked NIK, the answers by
form field (NIK-type answers masked too), photo counts per document kind and the sync state to MPP
Digital. :class:`CounterViews` remembers which application goes with which ticket, and which sync
state the queue last accepted, in ``counter-views.sqlite3`` beside the applications database
(ids and states only, no personal data). :meth:`CounterViews.push` attaches what the queue does
not have yet and sends newer sync states; the kiosk runs it right after each filing and then every
few seconds, off the receipt's path: a queue host that was down when the citizen filed gets the
view once it is back, and a kiosk restarted meanwhile picks it up again from the file. No Qt here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from kiosk.catalog.forms import Form, FormSet, flat_key
from kiosk.queue.models import (
    MAX_ANSWER_LENGTH,
    MAX_ANSWERS,
    ApplicationConflict,
    ApplicationView,
    NotYourTicket,
    QueueError,
    Ticket,
    TicketExpired,
    TicketNotFound,
)
from kiosk.storage.store import Schema, StoreError, open_database
from kiosk.utils.privacy import mask_nik, mask_niks_in

log = logging.getLogger(__name__)

VIEWS_FILE = "counter-views.sqlite3"
PUSH_INTERVAL_SECONDS = 15  # how often the kiosk retries and sends newer sync states
KEEP_DAYS = 2  # rows older than this are past their ticket's day for sure: forgotten
_FINAL_STATE = "sent"  # once the queue shows "sent", nothing about the view changes any more

SCHEMA = Schema("counter_views", [
    """
    CREATE TABLE views (
        application_id TEXT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        day TEXT NOT NULL,
        sent_state TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
])


class _Store(Protocol):
    """What the view needs of ``kiosk.sync.outbox.ApplicationStore``."""

    data_dir: Path

    def status(self, app_id: str) -> Any: ...
    def outgoing_application(self, app_id: str) -> Any: ...


class _Queue(Protocol):
    def attach_application(self, ticket_id: str, view: ApplicationView) -> ApplicationView: ...


def counter_view(store: _Store, application_id: str, form: Form | None) -> ApplicationView:
    """The counter's view of a saved application, read back from the kiosk's (encrypted) store.

    NIK-type answers are masked with the form's field types (the clerk sees them masked anyway);
    answers of fields the form does not know have any NIK-shaped number masked. When the kiosk's
    retention already deleted the details, the view says so and carries no answers.
    """
    from kiosk.sync.outbox_values import ApplicationDataGone

    state = store.status(application_id)
    if state is None:
        raise ValueError(f"application {application_id} is not in this kiosk's store")
    common = {"application_id": application_id, "number": state.number, "service_code": state.service_code,
              "nik_masked": state.nik_masked, "created_at": _aware(state.created_at),
              "sync_state": state.sync_state}
    try:
        body = store.outgoing_application(application_id).body
    except ApplicationDataGone:
        return ApplicationView(**common, details_deleted=True)
    return ApplicationView(**common, answers=_answers(body.get("fields") or {}, form),
                           documents=_documents(body.get("attachments") or (), form))


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _flatten(fields: Mapping[str, Any], form: Form | None) -> dict[str, tuple[str, bool]]:
    """Answer key → (text, is a NIK) in form order; a group's people become ``witnesses_1_nik``...

    The queue holds text by question id, so a group's list of people is spread over flat keys.
    """
    flat: dict[str, tuple[str, bool]] = {}
    for item in form.fields if form is not None else ():
        value = fields.get(item.id)
        if item.is_group and isinstance(value, list):
            for index, person in enumerate(value[:item.max_items]):
                for sub in item.items:
                    if isinstance(person, Mapping) and person.get(sub.id) not in (None, ""):
                        flat[flat_key(item, index, sub)] = (str(person[sub.id]), sub.type == "nik")
        elif not item.is_group and value not in (None, ""):
            flat[item.id] = (str(value), item.type == "nik")
    known = {f.id for f in form.fields} if form is not None else set()
    for key, value in fields.items():
        if key not in known and value not in (None, ""):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            flat[key] = (mask_niks_in(text), False)
    return flat


def _answers(fields: Mapping[str, Any], form: Form | None) -> dict[str, str]:
    answers: dict[str, str] = {}
    for key, (value, is_nik) in _flatten(fields, form).items():
        if len(answers) == MAX_ANSWERS:
            log.warning("the counter sees the first %d answers only", MAX_ANSWERS)
            break
        answers[key] = (mask_nik(value) if is_nik else value)[:MAX_ANSWER_LENGTH]
    return answers


def _documents(attachments: Any, form: Form | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for attachment in attachments:
        kind = str(attachment.get("kind", "") if isinstance(attachment, Mapping) else getattr(attachment, "kind", ""))
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    ordered = {d.kind: counts.pop(d.kind) for d in (form.documents if form is not None else ()) if d.kind in counts}
    return {**ordered, **counts}


@dataclass
class PushReport:
    """What one :meth:`CounterViews.push` did; ``waiting`` are views the queue does not have yet."""

    attached: int = 0
    updated: int = 0
    waiting: int = 0
    dropped: int = 0
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _refused_for_good(exc: BaseException) -> bool:
    """A refusal that sending again cannot change (the ticket is gone, past, another kiosk's, or has
    another application)."""
    if isinstance(exc, (TicketNotFound, TicketExpired, ApplicationConflict, NotYourTicket, ValueError)):
        return True
    return getattr(exc, "status", None) in (400, 404, 409, 413, 422)  # the HTTP client's refusals


def open_counter_views(store: Any, forms: FormSet | None) -> CounterViews | None:
    """The kiosk's :class:`CounterViews` beside ``store``; None (logged) when it cannot be opened."""
    if getattr(store, "data_dir", None) is None:
        return None
    try:
        return CounterViews(store, forms)
    except StoreError as exc:
        log.error("filed applications will not reach the counter from this kiosk: %s", exc)
        return None


class CounterViews:
    """Which filed applications go with which ticket, until the queue has their view (kiosk side).

    Safe to share between the thread that files and the one that pushes (one connection, a lock).
    """

    def __init__(self, store: _Store, forms: FormSet | None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.store, self.forms = store, forms
        self._clock = clock or (lambda: datetime.now(UTC))
        self.path = Path(store.data_dir) / VIEWS_FILE
        self.db = open_database(self.path, SCHEMA)
        self._failing = False

    def close(self) -> None:
        self.db.close()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def filed(self, application_id: str, ticket: Ticket) -> bool:
        """Remember that ``application_id`` was filed with ``ticket`` (one local write, on the filing path).

        Never raises: the application itself is already saved and on its way to MPP Digital, so a
        failure here costs only the counter's view of it, and that is logged.
        """
        now = self._now()
        try:
            with self.db.transaction() as conn:
                conn.execute("INSERT INTO views(application_id, ticket_id, ticket_number, day, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(application_id) DO NOTHING",
                             (application_id, ticket.id, ticket.number, ticket.day, now, now))
        except StoreError as exc:
            log.warning("the counter will not see the application of ticket %s: %s", ticket.number, exc)
            return False
        return True

    def waiting(self) -> list[dict[str, Any]]:
        """Views the queue does not have yet: application, ticket number, attempts, last error."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT application_id, ticket_number, day, attempts, last_error FROM views "
                                "WHERE sent_state IS NULL ORDER BY created_at").fetchall()
        return [dict(row) for row in rows]

    def push(self, queue: _Queue, *, limit: int = 200) -> PushReport:
        """Attach the views the queue lacks and send changed sync states; stops at the first
        unreachable queue (the next pass tries again). Never raises for a queue or store problem."""
        report = PushReport()
        try:
            rows = self._due(limit)
        except StoreError as exc:
            report.error = str(exc)
            log.warning("application views for the counter cannot be read: %s", exc)
            return report
        for index, row in enumerate(rows):
            app_id = row["application_id"]
            try:
                state = self.store.status(app_id)
                if state is None:
                    raise ValueError(f"application {app_id} is not in this kiosk's store")
                if row["sent_state"] == state.sync_state:
                    continue
                form = self.forms.form_for(state.service_code) if self.forms is not None else None
                queue.attach_application(row["ticket_id"], counter_view(self.store, app_id, form))
            except (QueueError, ValueError, StoreError) as exc:
                if _refused_for_good(exc):
                    log.warning("application %s will not be shown at the counter with ticket %s: %s",
                                app_id, row["ticket_number"], exc)
                    self._forget(app_id)
                    report.dropped += 1
                    continue
                self._note_failure(app_id, str(exc))
                report.error = str(exc)
                report.waiting = sum(1 for r in rows[index:] if r["sent_state"] is None)
                if not self._failing:
                    log.warning("the queue does not have the application of ticket %s yet (%s); retrying every "
                                "%d s", row["ticket_number"], exc, PUSH_INTERVAL_SECONDS)
                self._failing = True
                return report
            self._accepted(app_id, state.sync_state)
            if row["sent_state"] is None:
                report.attached += 1
            else:
                report.updated += 1
        if self._failing:
            log.info("the queue has the counter's application views again (%d attached now)", report.attached)
        self._failing = False
        return report

    def _due(self, limit: int) -> list[dict[str, Any]]:
        cutoff = (self._clock() - timedelta(days=KEEP_DAYS)).astimezone(UTC).isoformat(timespec="milliseconds")
        with self.db.transaction() as conn:
            stale = conn.execute("DELETE FROM views WHERE created_at < ? RETURNING ticket_number, sent_state",
                                 (cutoff,)).fetchall()
            rows = conn.execute("SELECT * FROM views WHERE sent_state IS NULL OR sent_state != ? "
                                "ORDER BY created_at LIMIT ?", (_FINAL_STATE, limit)).fetchall()
        never = [r["ticket_number"] for r in stale if r["sent_state"] is None]
        if never:
            log.warning("%d application views never reached the queue before their day ended (tickets %s)",
                        len(never), ", ".join(never[:10]))
        return [dict(row) for row in rows]

    def _accepted(self, app_id: str, state: str) -> None:
        with self.db.transaction() as conn:
            if state == _FINAL_STATE:
                conn.execute("DELETE FROM views WHERE application_id = ?", (app_id,))
            else:
                conn.execute("UPDATE views SET sent_state = ?, last_error = '', updated_at = ? "
                             "WHERE application_id = ?", (state, self._now(), app_id))

    def _note_failure(self, app_id: str, error: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE views SET attempts = attempts + 1, last_error = ?, updated_at = ? "
                         "WHERE application_id = ?", (error[:500], self._now(), app_id))

    def _forget(self, app_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM views WHERE application_id = ?", (app_id,))
