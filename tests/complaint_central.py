"""A real reference central API on loopback with complaints filed through D's endpoint, for the
officer console's, the export's and the report's tests (importable from every test folder)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from central_api.app import RunningCentral
from kiosk.complaints.filing import complaint_payload, new_reference, new_status_token
from kiosk.complaints.model import Category, NewComplaint
from kiosk.sync.central_client import CentralClient
from kiosk.sync.complaints_client import send_complaint

ENROLL_CODE = "complaint-desk-code-1"
MPP_CODE = "MPP-DEMO"


def start_central(folder: Path, **options: Any) -> RunningCentral:
    """``options`` go to :class:`RunningCentral` (``port`` to start it again on the same one, ``admin_token``,
    ``catalog_path`` for bookings); the database is ``folder/central.sqlite3``, the same on a restart."""
    return RunningCentral(folder / "central.sqlite3", enroll_codes=[ENROLL_CODE, ENROLL_CODE + "-b"], **options)


def enroll(central: RunningCentral, data_dir: Path, code: str = ENROLL_CODE, mpp_code: str = MPP_CODE) -> CentralClient:
    """A client of ``central`` enrolled for ``mpp_code``, its credentials saved in ``data_dir``."""
    client = CentralClient(central.url, None, data_dir=data_dir)
    client.enroll(code, "complaint-desk", mpp_code=mpp_code)
    return client


def file_complaint(client: CentralClient, *, days_ago: float = 0, category: Category = Category.FEES,
                   text: str = "Diminta uang tambahan di loket 3.", phone: str | None = "+6281234567890",
                   share_contact: bool = True, anonymous: bool = False, channel: str = "kiosk",
                   filed_by: str | None = None, mpp_code: str = MPP_CODE) -> dict[str, Any]:
    """File one complaint at the central API as a kiosk's outbox would; returns the payload sent."""
    complaint = NewComplaint(category=category, text=text, phone=None if anonymous else phone,
                             anonymous=anonymous, share_contact=share_contact and not anonymous,
                             channel=channel, filed_by=filed_by)  # type: ignore[arg-type]  # "kiosk"/"counter"
    filed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    payload = complaint_payload(complaint, complaint_id=str(uuid.uuid4()), reference=new_reference(),
                                token=new_status_token(), mpp_code=mpp_code, filed_at=filed_at)
    send_complaint(client, payload)
    return payload
