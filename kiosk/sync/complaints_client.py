"""Sending one filed complaint to the central API (``POST /v1/complaints``), for the sync engine.

The body is the outbox record as :mod:`kiosk.complaints.filing` sealed it; its ``id`` is also the
``Idempotency-Key``, so a complaint resent after a lost answer or a killed process is stored once
(the server answers 200 for the repeat). Errors are the client's: :class:`CentralUnavailable`
(offline, 5xx: retry), :class:`CentralRejected` (422: the complaint is flagged with the reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.sync.central_client import CentralClient, CentralUnavailable

COMPLAINTS_PATH = "/complaints"


@dataclass(frozen=True)
class ComplaintSent:
    """The central API's receipt: ``created`` False when it already had this complaint."""

    id: str
    reference: str
    state: str
    received_at: str
    created: bool


def send_complaint(client: CentralClient, payload: Mapping[str, Any]) -> ComplaintSent:
    """File ``payload`` (the outbox record) once at the central API."""
    complaint_id = str(payload["id"])
    answer, status = client.post_json(COMPLAINTS_PATH, dict(payload), idempotency_key=complaint_id)
    if not isinstance(answer, dict) or answer.get("id") != complaint_id:
        raise CentralUnavailable("the central API's answer to a complaint does not name it; sent again later")
    return ComplaintSent(id=complaint_id, reference=str(answer.get("reference", "")),
                         state=str(answer.get("state", "")), received_at=str(answer.get("received_at", "")),
                         created=status == 201)
