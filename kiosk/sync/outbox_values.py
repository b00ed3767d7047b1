"""What goes in and out of the outbox store (:mod:`kiosk.sync.outbox`): plain frozen values.

Apart from the store so that the store module stays readable; :mod:`kiosk.sync.outbox` re-exports
every name, which is where callers import them from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

OutboxState = Literal["pending", "sending", "sent", "rejected"]
STATES: tuple[OutboxState, ...] = ("pending", "sending", "sent", "rejected")


@dataclass(frozen=True)
class Attachment:
    """A document or face photo: ``kind`` e.g. ``"ktp_photo"``, ``"face"``, ``"str_certificate"``."""

    kind: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class NewApplication:
    """What the forms collected. ``id`` is a uuid4 made once when the form starts (kept on retries)."""

    id: str
    service_code: str
    nik: str = field(repr=False)
    fields: Mapping[str, Any] = field(repr=False)
    attachments: Sequence[Attachment] = ()
    ticket_number: str | None = None
    lang: str = "id"


@dataclass(frozen=True)
class SavedApplication:
    """What the receipt shows: the number, and the address (for the QR) to check the status later."""

    id: str
    number: str
    status_url: str
    created_at: str


@dataclass(frozen=True)
class OutboxItem:
    """One row of the diagnostics list. ``reason`` is the server's message for a rejected item."""

    seq: int
    kind: str
    ref_id: str
    state: OutboxState
    attempts: int
    last_error: str
    reason: str
    created_at: str
    updated_at: str
    sent_at: str | None
    number: str = ""
    service_code: str = ""
    nik_masked: str = ""


@dataclass(frozen=True)
class ApplicationState:
    """Where one application stands: locally (``sync_state``) and at the central API (``central_status``)."""

    id: str
    number: str
    service_code: str
    nik_masked: str
    created_at: str
    sync_state: OutboxState
    reason: str
    central_status: str
    central_note: str
    status_updated_at: str | None


@dataclass(frozen=True)
class OutgoingAttachment:
    kind: str
    content_type: str
    sha256: str
    size: int


@dataclass(frozen=True)
class OutgoingApplication:
    """What the engine sends: the JSON body and the attachments to make sure the server has."""

    id: str
    body: dict[str, Any]
    attachments: list[OutgoingAttachment]


class ApplicationDataGone(Exception):
    """The application's data was purged or its key does not fit; it cannot be sent."""
