"""Complaints as the central API returns them, for the export's and the figures' tests."""

from __future__ import annotations

from typing import Any

from kiosk.complaints.record import ComplaintRecord


def complaint_json(n: int = 1, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{n:012d}", "reference": f"ADU-AAAA-{n:04d}", "mpp_code": "MPP-JKT",
        "category": "fees", "service_code": "ktp", "ticket_number": "A-012",
        "text": "Diminta uang tambahan di loket 3.", "contact": {"phone": "+6281234567890", "email": "warga@contoh.id"},
        "share_contact": True, "language": "id", "channel": "counter", "filed_by": "rina",
        "filed_at": "2026-11-02T02:00:00+00:00", "received_at": "2026-11-02T02:05:00+00:00", "state": "received",
        "first_response_at": None, "closed_at": None, "outcome": None, "forwarded_to": None,
        "events": [{"at": "2026-11-02T02:05:00+00:00", "action": "filed", "text": "", "agency": None,
                    "officer": "rina"}],
    }
    data.update(fields)
    return data


def complaint(n: int = 1, **fields: Any) -> ComplaintRecord:
    return ComplaintRecord.from_json(complaint_json(n, **fields))
