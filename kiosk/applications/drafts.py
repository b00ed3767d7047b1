"""A citizen's application at the kiosk, from the first answer to the saved record.

The kiosk keeps what the citizen typed and photographed in an :class:`ApplicationDraft` that lives in
the session (so wiping the session on idle forgets it), turns it into the outbox's
``NewApplication`` and saves it through the local ``ApplicationStore`` (one transaction, before the
citizen is told "saved"). Store failures become :class:`ApplicationNotSaved`, which the screen turns
into "please see staff" while keeping everything on screen. The counter reads the application of the
ticket in hand from the queue (:mod:`kiosk.applications.views`) and labels it with
:func:`describe_application`. No Qt here.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from kiosk.catalog.forms import DocumentRequirement, Form, check_form, display_value
from kiosk.citizen.nik import Nik
from kiosk.queue.models import ApplicationView

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
    from kiosk.sync.outbox_values import Attachment, NewApplication

    fields = {f.id: draft.values[f.id] for f in form.fields if draft.values.get(f.id)}
    attachments = [Attachment(kind=d.kind, content_type=DOCUMENT_CONTENT_TYPE, data=jpeg)
                   for d in form.documents for jpeg in draft.photos.get(d.kind, [])]
    return NewApplication(id=draft.id, service_code=draft.service_code, nik=nik.digits, fields=fields,
                          attachments=attachments, ticket_number=ticket_number, lang=lang)


def save_application(store: _Store, application: Any, *, ticket_number: str | None = None) -> Any:
    """Save in the local store (one transaction). Store failures become :class:`ApplicationNotSaved`."""
    from kiosk.storage.store import StoreError

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
    created_at: datetime | None
    state: str
    rows: tuple[tuple[str, str], ...]
    documents: tuple[tuple[str, int], ...]
    details_deleted: bool = False


def describe_application(view: ApplicationView, form: Form | None, lang: str) -> FiledApplication:
    """Label the answers of an application view (``QueueClient.application_of``) in ``lang``.

    Answers follow the form's order with its labels and display values; fields the form does not
    know keep their ids. NIK-type answers arrive masked from the kiosk and are shown as they are.
    """
    values = view.answers
    rows: list[tuple[str, str]] = []
    known = set()
    if form is not None:
        for f in form.fields:
            if f.id in values:
                known.add(f.id)
                shown = values[f.id] if f.type == "nik" else display_value(f, values[f.id], lang)
                rows.append((f.label.get(lang), shown))
    rows += [(key, value) for key, value in values.items() if key not in known]
    counts = dict(view.documents)
    documents = [(d.label.get(lang), counts.pop(d.kind, 0)) for d in form.documents] if form is not None else []
    documents += list(counts.items())
    if view.details_deleted:
        documents = []  # unknown now: "0 photos" would be wrong
    return FiledApplication(number=view.number, service_code=view.service_code, nik_masked=view.nik_masked,
                            created_at=view.created_at, state=view.sync_state, rows=tuple(rows),
                            documents=tuple(documents), details_deleted=view.details_deleted)


def qr_modules(text: str) -> np.ndarray:
    """A QR code for ``text`` as a 2-D uint8 array, one pixel per module (0 dark, 255 light), quiet zone included."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.ascontiguousarray(np.asarray(barcode.to_image(scale=1, add_quiet_zones=True), dtype=np.uint8))
