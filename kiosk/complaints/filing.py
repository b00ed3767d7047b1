"""Filing a complaint on this device: checked, given its reference and saved to the outbox in one step.

The complaint is saved locally first (sealed, in the outbox the sync engine drains to the central API
as kind :data:`COMPLAINT_KIND`), so a citizen gets a receipt even when the central API is down for a
day. The filing owns no storage: it is handed a :class:`RecordOutbox`
(``kiosk.sync.outbox.ApplicationStore`` fits) by ``kiosk.core``.

Identity: the complaint's ``id`` (uuid4) is its key everywhere (outbox, central API, idempotency).
The ``reference`` (``ADU-XXXX-XXXX``) is for people: 40 random bits in Crockford base32, easy to read
out and type (no I, L, O, U). It is not a secret and not unique by construction; within one MPP a
collision is unlikely (10,000 complaints: about 1 in 20,000) and harmless, since everything is keyed by
the id. The status ``token`` in the receipt's QR is 128 random bits: only whoever holds the receipt
can open the status page; it never contains the NIK, the phone or the text.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from kiosk.complaints.model import ComplaintProblem, NewComplaint, check_complaint, normalized

log = logging.getLogger(__name__)

COMPLAINT_KIND = "complaint"
REFERENCE_PREFIX = "ADU"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_VERSION = 1


class RecordOutbox(Protocol):
    """Where a filed complaint waits for the sync (``ApplicationStore.enqueue_record``)."""

    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool: ...


@dataclass(frozen=True)
class ComplaintReceipt:
    """What the citizen takes home: the reference to quote, and the status page for the QR."""

    id: str
    reference: str
    filed_at: datetime
    status_url: str


class ComplaintInvalid(ValueError):
    """The complaint breaks a rule of :func:`check_complaint`; ``problems`` say which, for the screen."""

    def __init__(self, problems: list[ComplaintProblem]) -> None:
        super().__init__("complaint not valid: " + ", ".join(f"{p.field} ({p.key})" for p in problems))
        self.problems = problems


class ComplaintNotSaved(Exception):
    """Saving failed (disk full, store broken): nothing was saved, the citizen is told and may retry."""


def new_reference(randbits: Callable[[int], int] = secrets.randbits) -> str:
    """``ADU-XXXX-XXXX``: 40 random bits as 8 Crockford base32 characters."""
    value = randbits(40)
    chars = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def canonical_reference(text: str) -> str | None:
    """A typed reference as printed (``adu 7kq2 m9xd`` → ``ADU-7KQ2-M9XD``; I/L read as 1, O as 0),
    or None when it cannot be one."""
    chars = "".join(ch for ch in text.upper() if ch.isalnum())
    if chars.startswith(REFERENCE_PREFIX):
        chars = chars[len(REFERENCE_PREFIX):]
    chars = chars.translate(str.maketrans("ILO", "110"))
    if len(chars) != 8 or any(ch not in CROCKFORD for ch in chars):
        return None
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def new_status_token() -> str:
    """128 random bits, URL-safe (22 characters): the key of the public status page."""
    return secrets.token_urlsafe(16)


def complaint_payload(complaint: NewComplaint, *, complaint_id: str, reference: str, token: str,
                      mpp_code: str, filed_at: datetime) -> dict[str, Any]:
    """The outbox record (and the body of ``POST /v1/complaints``) of a checked, normalized complaint."""
    contact = None if complaint.anonymous else {"phone": complaint.phone, "email": complaint.email}
    return {"version": PAYLOAD_VERSION, "id": complaint_id, "reference": reference, "status_token": token,
            "mpp_code": mpp_code, "category": complaint.category.value, "service_code": complaint.service_code,
            "ticket_number": complaint.ticket_number, "text": complaint.text, "contact": contact,
            "share_contact": bool(complaint.share_contact and contact is not None),
            "language": complaint.language, "channel": complaint.channel, "filed_by": complaint.filed_by,
            "filed_at": filed_at.isoformat(timespec="seconds")}


class ComplaintFiling:
    """Checks a complaint and saves it for the sync; one call per citizen's "Kirim".

    ``status_url_template`` may hold ``{reference}``, ``{token}`` and ``{id}``, e.g.
    ``https://mppdigital.example.id/complaints/{reference}/{token}``; empty = no QR.
    """

    def __init__(self, outbox: RecordOutbox, *, mpp_code: str, status_url_template: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.outbox = outbox
        self.mpp_code = mpp_code
        self.status_url_template = status_url_template
        self._clock = clock

    def status_url(self, complaint_id: str, reference: str, token: str) -> str:
        if not self.status_url_template:
            return ""
        return (self.status_url_template.replace("{reference}", reference).replace("{token}", token)
                .replace("{id}", complaint_id))

    def file(self, complaint: NewComplaint) -> ComplaintReceipt:
        """Save ``complaint``; raises :class:`ComplaintInvalid` or :class:`ComplaintNotSaved`.

        One outbox row in one transaction: either the whole complaint is saved or nothing is.
        """
        problems = check_complaint(complaint)
        if problems:
            raise ComplaintInvalid(problems)
        clean = normalized(complaint)
        complaint_id, reference, token = str(uuid.uuid4()), new_reference(), new_status_token()
        filed_at = self._clock().astimezone(UTC).replace(microsecond=0)
        payload = complaint_payload(clean, complaint_id=complaint_id, reference=reference, token=token,
                                    mpp_code=self.mpp_code, filed_at=filed_at)
        try:
            self.outbox.enqueue_record(COMPLAINT_KIND, complaint_id, payload)
        except Exception as exc:  # any storage failure (sqlite3, OSError...): the store is a seam here
            log.error("complaint %s could not be saved: %s", reference, type(exc).__name__)
            raise ComplaintNotSaved(str(exc)) from exc
        log.info("complaint %s filed (%s, %s)", reference, clean.category.value, clean.channel)
        return ComplaintReceipt(id=complaint_id, reference=reference, filed_at=filed_at,
                                status_url=self.status_url(complaint_id, reference, token))
