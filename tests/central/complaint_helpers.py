"""Helpers for the complaint tests: a complaint body exactly as the kiosk's filing makes it, raw signed calls."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests

from central_api.app import RunningCentral
from kiosk.complaints.filing import complaint_payload, new_reference, new_status_token
from kiosk.complaints.model import Category, NewComplaint, normalized
from kiosk.sync.central_client import CentralClient, DeviceCredentials
from kiosk.sync.signing import sign_headers

ENROLL_CODES = ["complaint-kiosk-code-1", "complaint-desk-code-2", "other-mpp-code-3"]
ADMIN_TOKEN = "admin-token-for-complaint-tests"
MPP = "MPP-3171"

TEXT = "Petugas di loket 3 meminta uang Rp 50.000 agar KTP cepat jadi."
PHONE = "0812 3456 7890"


def enroll(central: RunningCentral, code: str, mpp_code: str = MPP) -> DeviceCredentials:
    """An enrolled device of ``mpp_code`` (a kiosk or the officer's console)."""
    with CentralClient(central.url, None) as client:
        return client.enroll(code, device_name=code[:20], mpp_code=mpp_code)


def complaint_body(mpp_code: str = MPP, **changes: Any) -> dict[str, Any]:
    """A filed complaint's outbox record (the body of POST /v1/complaints); ``changes`` override fields."""
    made = normalized(NewComplaint(Category.FEES, TEXT, service_code="KTP-EL", ticket_number="A-012", phone=PHONE,
                                   share_contact=True))
    body = complaint_payload(made, complaint_id=str(uuid.uuid4()), reference=new_reference(),
                             token=new_status_token(), mpp_code=mpp_code,
                             filed_at=datetime(2026, 12, 7, 3, 15, 42, tzinfo=UTC))
    body.update(changes)
    return body


def call(central: RunningCentral, creds: DeviceCredentials, method: str, path: str, body: Any = None, *,
         raw: bytes | None = None, query: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> requests.Response:
    """One signed request to ``/v1`` + ``path``."""
    full = "/v1" + path + ("?" + urlencode(query) if query else "")
    data = raw if raw is not None else (b"" if body is None else json.dumps(body, ensure_ascii=False).encode())
    signed = sign_headers(creds.device_id, creds.secret, method, full, data)
    return requests.request(method, central.url + full, data=data or None, timeout=10,
                            headers={"Content-Type": "application/json", **signed, **(headers or {})})


def action(kind: str, text: str = "Terima kasih, kami periksa.", officer: str = "pengaduan-1",
           **extra: Any) -> dict[str, Any]:
    return {"action_id": str(uuid.uuid4()), "action": kind, "text": text, "officer": officer, **extra}
