"""Helpers for the sync tests (raw signed requests, request bodies)."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import requests

from central_api.app import RunningCentral
from kiosk.sync.central_client import DeviceCredentials
from kiosk.sync.signing import sign_headers

ENROLL_CODE = "test-enroll-code-1"
ADMIN_TOKEN = "admin-token-for-tests"
NIK = "3171011508900001"


def signed_request(central: RunningCentral, creds: DeviceCredentials, method: str, path: str, *,
                   body: bytes = b"", headers: dict[str, str] | None = None, now: float | None = None,
                   nonce: str | None = None, secret: str | None = None) -> requests.Response:
    """One raw signed request, to test the server's checks directly."""
    signed = sign_headers(creds.device_id, secret or creds.secret, method, path, body, now=now, nonce=nonce)
    all_headers = {"Content-Type": "application/json", **signed, **(headers or {})}
    return requests.request(method, central.url + path, data=body, headers=all_headers, timeout=10)


def application_body(app_id: str | None = None, *, attachments: list[dict[str, Any]] | None = None,
                     **changes: Any) -> dict[str, Any]:
    body = {"id": app_id or str(uuid.uuid4()), "number": "APP-20261123-0001", "service_code": "KTP-EL",
            "nik": NIK, "fields": {"alasan": "hilang"}, "ticket_number": "A001", "lang": "id",
            "created_at": "2026-11-23T09:00:00+07:00", "attachments": attachments or []}
    body.update(changes)
    return body


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FACES = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "faces"
OBAMA_NIK = "3171010101610001"
BIDEN_NIK = "3171012011420002"


def write_identities(folder: Path) -> Path:
    """A test register: two people with a reference photo each (the second photos are the probes)."""
    path = folder / "identities.toml"
    path.write_text(f'[[identity]]\nnik = "{OBAMA_NIK}"\nname = "Test A"\nphotos = ["{FACES / "obama.jpg"}"]\n'
                    f'[[identity]]\nnik = "{BIDEN_NIK}"\nname = "Test B"\nphotos = ["{FACES / "biden.jpg"}"]\n',
                    encoding="utf-8")
    return path
