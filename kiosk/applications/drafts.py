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

from kiosk.catalog.forms import (
    DocumentRequirement,
    Form,
    Page,
    asked,
    asked_form,
    check_form,
    display_value,
    flat_key,
)
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
    groups: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # group id → one answer map per person
    photos: dict[str, list[bytes]] = field(default_factory=dict)
    prefilled: set[str] = field(default_factory=set)

    # -- answers, one page at a time -----------------------------------------------------------
    def answer(self, page: Page) -> str:
        if page.group is None or page.item is None:
            return "" if page.is_list else self.values.get(page.field.id, "")
        items = self.groups.get(page.group.id, [])
        return items[page.item].get(page.field.id, "") if page.item < len(items) else ""

    def set_answer(self, page: Page, value: str) -> None:
        """Keep ``value`` for the question of ``page``; a group's person is added as needed."""
        if page.group is None or page.item is None:
            if not page.is_list:
                self.values[page.field.id] = value
            return
        items = self.groups.setdefault(page.group.id, [])
        while len(items) <= page.item:
            items.append({})
        items[page.item][page.field.id] = value

    def add_item(self, group_id: str, max_items: int) -> int | None:
        """A new empty person in the group (its index), or None when the group is full."""
        items = self.groups.setdefault(group_id, [])
        if len(items) >= max_items:
            return None
        items.append({})
        return len(items) - 1

    def remove_item(self, group_id: str, index: int) -> None:
        items = self.groups.get(group_id, [])
        if 0 <= index < len(items):
            del items[index]

    def photo_count(self, kind: str) -> int:
        return len(self.photos.get(kind, []))

    def add_photo(self, kind: str, jpeg: bytes) -> None:
        self.photos.setdefault(kind, []).append(jpeg)

    def remove_last_photo(self, kind: str) -> None:
        if self.photos.get(kind):
            self.photos[kind].pop()

    def missing_documents(self, form: Form) -> list[DocumentRequirement]:
        """Required documents asked for these answers that do not yet have all their photos."""
        return [d for d in form.documents
                if d.required and asked(d, self.values) and self.photo_count(d.kind) < d.count]

    def ready(self, form: Form) -> bool:
        return not check_form(form, self.values, self.groups) and not self.missing_documents(form)

    def forget(self) -> None:
        """Drop every answer and photo (the session is about to be replaced)."""
        self.values.clear()
        self.groups.clear()
        self.photos.clear()
        self.prefilled.clear()


class _Store(Protocol):
    """What saving needs of ``kiosk.sync.outbox.ApplicationStore``."""

    def save(self, application: Any) -> Any: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_new_application(draft: ApplicationDraft, form: Form, nik: Nik, lang: str,
                          ticket_number: str | None) -> Any:
    """The outbox record for ``draft``: only the questions and photos asked for its answers (a
    question or photo left from a choice the citizen changed stays out), in form order. A group goes
    as a list with one object per person: ``"witnesses": [{"nik": ..., "name": ...}, ...]``."""
    from kiosk.sync.outbox_values import Attachment, NewApplication

    shown = asked_form(form, draft.values)
    fields: dict[str, Any] = {}
    for item in shown.fields:
        if item.is_group:
            people = [{sub.id: person[sub.id] for sub in item.items if asked(sub, draft.values) and person.get(sub.id)}
                      for person in draft.groups.get(item.id, [])]
            if any(people):
                fields[item.id] = people
        elif draft.values.get(item.id):
            fields[item.id] = draft.values[item.id]
    attachments = [Attachment(kind=d.kind, content_type=DOCUMENT_CONTENT_TYPE, data=jpeg)
                   for d in shown.documents for jpeg in draft.photos.get(d.kind, [])]
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
            questions = [(key, sub, f"{f.item_name(i + 1, lang)}: {sub.label.get(lang)}")
                         for i in range(f.max_items) for sub in f.items
                         if (key := flat_key(f, i, sub)) in values] if f.is_group else \
                [(f.id, f, f.label.get(lang))] if f.id in values else []
            for key, question, name in questions:
                known.add(key)
                shown = values[key] if question.type == "nik" else display_value(question, values[key], lang)
                rows.append((name, shown))
    rows += [(key, value) for key, value in values.items() if key not in known]
    counts = dict(view.documents)
    documents = [(d.label.get(lang), counts.pop(d.kind, 0)) for d in form.documents
                 if asked(d, values) or d.kind in counts] if form is not None else []
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
