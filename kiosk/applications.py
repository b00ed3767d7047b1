"""A citizen's application at the kiosk, from the first answer to the saved record.

The kiosk keeps what the citizen typed and photographed in an :class:`ApplicationDraft` that lives in
the session (so wiping the session on idle forgets it), turns it into the outbox's
``NewApplication`` and saves it through the local ``ApplicationStore`` (one transaction, before the
citizen is told "saved"). Store failures become :class:`ApplicationNotSaved`, which the screen turns
into "please see staff" while keeping everything on screen. The counter finds the application of
the ticket in hand with :func:`application_for_ticket`. No Qt here.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

import numpy as np

from kiosk.forms import DocumentRequirement, Form, check_form, display_value
from kiosk.nik import Nik, mask_nik

log = logging.getLogger(__name__)

DOCUMENT_CONTENT_TYPE = "image/jpeg"

#: Looks up a health worker's registration number (STR) by NIK on the central platform (SISDMK).
#: Returns None when the platform does not know it or cannot be reached; may block (runs off the GUI).
RegistrationLookup = Callable[[str], "str | None"]


class ApplicationNotSaved(Exception):
    """The local store refused the application (disk full, read-only, damaged): the citizen sees staff.

    ``ticket_number`` is the queue number already issued, so the citizen can still be served.
    """

    def __init__(self, reason: str, ticket_number: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ticket_number = ticket_number


@dataclass
class ApplicationDraft:
    """What one citizen has entered so far. Lives in the session; dropped with it on wipe."""

    service_code: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    values: dict[str, str] = field(default_factory=dict)
    photos: dict[str, list[bytes]] = field(default_factory=dict)
    prefilled: set[str] = field(default_factory=set)

    def photo_count(self, kind: str) -> int:
        return len(self.photos.get(kind, []))

    def add_photo(self, kind: str, jpeg: bytes) -> None:
        self.photos.setdefault(kind, []).append(jpeg)

    def remove_last_photo(self, kind: str) -> None:
        if self.photos.get(kind):
            self.photos[kind].pop()

    def missing_documents(self, form: Form) -> list[DocumentRequirement]:
        """Required documents that do not yet have all their photos."""
        return [d for d in form.documents if d.required and self.photo_count(d.kind) < d.count]

    def ready(self, form: Form) -> bool:
        return not check_form(form, self.values) and not self.missing_documents(form)

    def forget(self) -> None:
        """Drop every answer and photo (the session is about to be replaced)."""
        self.values.clear()
        self.photos.clear()
        self.prefilled.clear()


class _Store(Protocol):
    """What saving needs of ``kiosk.sync.outbox.ApplicationStore``."""

    def save(self, application: Any) -> Any: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_new_application(draft: ApplicationDraft, form: Form, nik: Nik, lang: str,
                          ticket_number: str | None) -> Any:
    """The outbox record for ``draft``: only the form's fields, photos in document order."""
    from kiosk.sync.outbox import Attachment, NewApplication

    fields = {f.id: draft.values[f.id] for f in form.fields if draft.values.get(f.id)}
    attachments = [Attachment(kind=d.kind, content_type=DOCUMENT_CONTENT_TYPE, data=jpeg)
                   for d in form.documents for jpeg in draft.photos.get(d.kind, [])]
    return NewApplication(id=draft.id, service_code=draft.service_code, nik=nik.digits, fields=fields,
                          attachments=attachments, ticket_number=ticket_number, lang=lang)


def save_application(store: _Store, application: Any, *, ticket_number: str | None = None) -> Any:
    """Save in the local store (one transaction). Store failures become :class:`ApplicationNotSaved`."""
    from kiosk.store import StoreError

    try:
        saved = store.save(application)
    except StoreError as exc:
        log.error("application %s not saved: %s", application.id, exc.message)
        raise ApplicationNotSaved(exc.message, ticket_number) from exc
    log.info("application %s saved as %s (%d attachments)", application.id, saved.number,
             len(application.attachments))
    return saved


# --- the counter's view -----------------------------------------------------------------------

@dataclass(frozen=True)
class FiledApplication:
    """What the clerk sees of an application: labelled answers, document counts, sync state."""

    number: str
    service_code: str
    nik_masked: str
    ticket_number: str | None
    created_at: datetime | None
    state: str
    rows: tuple[tuple[str, str], ...]
    documents: tuple[tuple[str, int], ...]


def _get(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def describe_application(item: Any, form: Form | None, lang: str) -> FiledApplication:
    """Turn a stored outbox item into labelled rows in ``lang`` (unknown fields keep their ids)."""
    values: Mapping[str, str] = _get(item, "fields", {}) or {}
    rows: list[tuple[str, str]] = []
    known = set()
    if form is not None:
        for f in form.fields:
            if f.id in values:
                known.add(f.id)
                rows.append((f.label.get(lang), display_value(f, str(values[f.id]), lang)))
    rows += [(key, str(value)) for key, value in values.items() if key not in known]
    kinds: dict[str, int] = {}
    for attachment in _get(item, "attachments", ()) or ():
        kind = str(_get(attachment, "kind", "?"))
        kinds[kind] = kinds.get(kind, 0) + 1
    documents = []
    if form is not None:
        documents = [(d.label.get(lang), kinds.pop(d.kind, 0)) for d in form.documents]
    documents += list(kinds.items())
    nik = str(_get(item, "nik", "") or "")
    return FiledApplication(
        number=str(_get(item, "number", "")), service_code=str(_get(item, "service_code", "")),
        nik_masked=mask_nik(nik) if nik else str(_get(item, "nik_masked", "") or "—"), ticket_number=_get(item, "ticket_number"),
        created_at=_get(item, "created_at"), state=str(_get(item, "state", "pending")),
        rows=tuple(rows), documents=tuple(documents))


def application_for_ticket(store: Any, ticket_number: str, *, day: str | None = None,
                           tz: tzinfo | None = None) -> dict[str, Any] | None:
    """The newest application filed with queue number ``ticket_number``, as the counter shows it.

    Queue numbers restart every day, so ``day`` (YYYY-MM-DD in ``tz``, the site's zone) picks that day's one. Returns the
    stored body (fields, attachment kinds, unmasked NIK: mask before showing) plus ``state`` (the
    outbox state); ``fields`` is empty when the retention job already deleted the personal data.
    In the one-machine demo the store is this machine's; on a building LAN the counter is another
    machine, and the queue host would have to serve this lookup (see the issue 6 report).
    """
    finder = getattr(store, "find_by_ticket", None)
    app_id = finder(ticket_number, day=day) if callable(finder) else _find_by_ticket(store, ticket_number, day, tz)
    if app_id is None:
        return None
    state = store.status(app_id)
    try:
        body = dict(store.outgoing_application(app_id).body)
    except Exception as exc:  # purged by retention, or its key does not fit: show what is left
        log.warning("application %s: details unavailable (%s)", app_id, exc)
        body = {"number": state.number if state else "", "service_code": state.service_code if state else "",
                "fields": {}, "attachments": [], "ticket_number": ticket_number}
    body["state"] = state.sync_state if state is not None else "pending"
    body["nik_masked"] = mask_nik(str(body.pop("nik", ""))) if body.get("nik") else (state.nik_masked if state else "")
    return body


def _find_by_ticket(store: Any, ticket_number: str, day: str | None, tz: tzinfo | None) -> str | None:
    """ADAPTER until ``ApplicationStore.find_by_ticket(ticket_number, day=)`` exists (asked of the sync area):
    reads the store's ``applications`` table through its own locked connection, newest first."""
    with store.db.reading() as conn:
        rows = conn.execute("SELECT id, created_at FROM applications WHERE ticket_number=? "
                            "ORDER BY created_at DESC LIMIT 20", (ticket_number,)).fetchall()
    for row in rows:
        if day is None:
            return str(row[0])
        try:
            created = datetime.fromisoformat(str(row[1])).astimezone(tz)
        except ValueError:
            continue
        if created.date().isoformat() == day:
            return str(row[0])
    return None


def qr_modules(text: str) -> np.ndarray:
    """A QR code for ``text`` as a 2-D uint8 array, one pixel per module (0 dark, 255 light), quiet zone included."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.ascontiguousarray(np.asarray(barcode.to_image(scale=1, add_quiet_zones=True), dtype=np.uint8))
