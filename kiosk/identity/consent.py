"""The citizen's answer to the face check's consent question, kept as an audit record (issue 18 item 6).

UU 27/2022 (Pelindungan Data Pribadi) asks a controller to be able to *show* that consent to process
biometric data was given. The face step therefore records every answer — given or declined — with the
time, the kiosk and the ticket request it belongs to, and nothing else: no picture, no NIK (not even
masked: the ticket already holds the masked NIK and is found by the request id).

Where it is kept: the kiosk's outbox (:meth:`kiosk.sync.outbox.ApplicationStore.enqueue_record`, kind
``face_consent``), the same ordered, encrypted-at-rest channel that already carries survey answers and
queue statistics to the central API's records (``POST /v1/records/face_consent``). So the record stays
on the kiosk until the platform has it, and the platform — the controller — keeps it per device, beside
the applications. The link to the visit is ``ticket_request_id``: the request id the ticket is issued
with (``tickets.request_id`` in the queue; an application filed for the ticket carries the ticket's
number). Each answer is also logged as event ``face.consent`` (same fields). Recording never stops the
citizen: a store that cannot write is logged and the visit goes on.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from kiosk.utils.log import event

log = logging.getLogger(__name__)

CONSENT_KIND = "face_consent"
#: bump when the consent text's meaning changes, so a record says which wording the citizen answered
CONSENT_TEXT_VERSION = "2026-12-face-1"

Answer = Literal["given", "declined"]


class RecordOutbox(Protocol):
    """The part of the outbox this needs (:class:`kiosk.sync.outbox.ApplicationStore`)."""

    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool: ...


@dataclass(frozen=True)
class ConsentRecord:
    """One answer. No picture, no NIK."""

    record_id: str
    answer: Answer
    at: str  # ISO 8601 with its UTC offset
    kiosk_id: str
    ticket_request_id: str | None  # the request id the visit's ticket is issued with
    service: str | None  # the service code asked for
    text_version: str = CONSENT_TEXT_VERSION
    purpose: str = "face_check_identity_1to1"

    def payload(self) -> dict[str, Any]:
        return asdict(self)


class ConsentLog:
    """Records consent answers into the outbox (when there is one) and the log."""

    def __init__(self, outbox: RecordOutbox | None, kiosk_id: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.outbox = outbox
        self.kiosk_id = kiosk_id
        self._clock = clock

    def record(self, answer: Answer, *, ticket_request_id: str | None, service: str | None) -> ConsentRecord:
        """Keep one answer; never raises for a store problem (logged: the citizen's visit goes on)."""
        if answer not in ("given", "declined"):
            raise ValueError(f"consent answer must be 'given' or 'declined', not {answer!r}")
        record = ConsentRecord(str(uuid.uuid4()), answer, self._clock().isoformat(timespec="seconds"),
                               self.kiosk_id, ticket_request_id, service)
        kept = False
        if self.outbox is not None:
            try:
                kept = self.outbox.enqueue_record(CONSENT_KIND, record.record_id, record.payload())
            except Exception as exc:  # a full disk or a locked database must not stop the citizen
                log.error("face consent not stored in the outbox (%s: %s); it is kept in the log line below only",
                          type(exc).__name__, exc)
        event(log, "face.consent", "face check consent %s (%s) %s", answer,
              "kept in the outbox" if kept else "log only", json.dumps(record.payload(), separators=(",", ":")))
        return record
