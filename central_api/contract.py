"""The central API's wire contract: the error shape, every request and answer body, the size limits.

Read by :mod:`central_api.app` (the routes) and :mod:`central_api.middleware` (size limits, errors);
the OpenAPI document (``docs/api/central.openapi.json``) is generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from central_api.store import APPLICATION_STATUSES

MAX_JSON_BYTES = 1024 * 1024
MAX_IDENTITY_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
NIK_PATTERN = r"^[0-9]{16}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


# -- errors -----------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers or {}, extra


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


class ErrorBody(BaseModel):
    """Every refusal: a machine code and a sentence for the person reading the log."""

    error: str
    message: str
    model_config = ConfigDict(extra="allow", json_schema_extra={
        "examples": [{"error": "idempotency_conflict",
                      "message": "Application 3f2c… was already filed with a different body."}]})


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The request is malformed (missing header, bad JSON).",
        401: "Not signed, unknown device, bad signature, clock skew or a replayed nonce.",
        403: "The enrollment code is not accepted (unknown and used look alike).",
        404: "Not found.",
        409: "Conflict: still in flight, or attachments missing; retry later.",
        413: "The body is larger than allowed.",
        415: "Wrong content type.",
        422: "The body or a parameter is invalid; the message says which.",
        429: "Too many enrollment attempts; wait Retry-After seconds.",
        503: "Injected failure or a missing optional component (face matcher); retry later.",
    }
    return {code: {"model": ErrorBody, "description": described[code]} for code in codes}


SIGNED_ERRORS = (400, 401, 413, 422, 503)  # what any signed endpoint may answer


# -- bodies -----------------------------------------------------------------------------------

class EnrollBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"code": "MPP-ENROLL-7Q2X", "device_name": "kiosk-01", "request_id": "5b0e6f4c9d2a11ef"}]})
    code: str = Field(min_length=4, max_length=100, description="One-time enrollment code from regional IT.")
    device_name: str = Field(default="", max_length=80)
    request_id: str = Field(min_length=8, max_length=64,
                            description="Client-made; repeating it after a lost answer returns the same device.")


class EnrollAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"device_id": "dev-8f3a2c1d9e0b4a5f", "secret": "…43 characters…",
         "enrolled_at": "2026-11-23T08:00:00.000+00:00"}]})
    device_id: str
    secret: str = Field(description="HMAC-SHA256 key for signing requests; shown once, keep it secret.")
    enrolled_at: str


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40, examples=["ktp_photo"])
    content_type: str = Field(min_length=3, max_length=100, examples=["image/jpeg"])
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=1, le=MAX_ATTACHMENT_BYTES)


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", "number": "APP-20261123-0007", "service_code": "STR-PERAWAT",
        "nik": "3171012345670001", "fields": {"str_number": "1234567890"}, "ticket_number": "B012", "lang": "id",
        "created_at": "2026-11-23T09:15:02.123+07:00",
        "attachments": [{"kind": "ktp_photo", "content_type": "image/jpeg",
                         "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         "size": 182311}]}]})
    id: str = Field(pattern=UUID_PATTERN, description="The kiosk's UUID for this application; unique forever.")
    number: str = Field(min_length=1, max_length=40, description="The number on the citizen's receipt.")
    service_code: str = Field(min_length=1, max_length=40)
    nik: str = Field(pattern=NIK_PATTERN)
    fields: dict[str, Any] = Field(default_factory=dict)
    ticket_number: str | None = Field(default=None, max_length=20)
    lang: str = Field(default="id", pattern=r"^(id|en)$")
    created_at: str = Field(min_length=1, max_length=40)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=20)


class ApplicationAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", "number": "APP-20261123-0007", "status": "received",
        "received_at": "2026-11-23T02:15:04.001+00:00"}]})
    id: str
    number: str
    status: str
    received_at: str


class StatusAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", "status": "in_review", "note": "",
        "updated_at": "2026-11-24T03:00:00.000+00:00"}]})
    id: str
    status: str = Field(description=" | ".join(APPLICATION_STATUSES))
    note: str
    updated_at: str


class StatusesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[str, Field(pattern=UUID_PATTERN)]] = Field(min_length=1, max_length=200)


class StatusesAnswer(BaseModel):
    statuses: list[StatusAnswer]


class PublicStatus(BaseModel):
    number: str
    status: str
    updated_at: str


class HashesBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sha256": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}]})
    sha256: list[Annotated[str, Field(pattern=SHA256_PATTERN)]] = Field(min_length=1, max_length=500)


class MissingAnswer(BaseModel):
    missing: list[str] = Field(description="The asked hashes the server does not have (upload these).")


class AttachmentAnswer(BaseModel):
    sha256: str
    size: int
    stored: bool = Field(description="False when the server had it already (nothing new stored).")


class IdentityBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"nik": "3171012345670001", "face_jpeg_base64": "/9j/4AAQSkZJRgABAQ…"}]})
    nik: str = Field(pattern=NIK_PATTERN)
    face_jpeg_base64: str = Field(min_length=4, max_length=MAX_IDENTITY_BYTES,
                                  description="The live face photo, JPEG, base64. Never put it in a URL.")


class IdentityAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"matched": True, "score": 0.62, "distance": 0.38, "reason": ""}]})
    matched: bool
    score: float = Field(ge=0, le=1, description="1 − descriptor distance, clipped; match when ≥ 0.4.")
    distance: float | None = None
    reason: str = Field(description="'' (match), 'no_match' or 'nik_not_registered'.")


class LookupBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nik": "3171012345670001"}]})
    nik: str = Field(pattern=NIK_PATTERN)


class RegistrationAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"found": True, "registration_number": "3171-5-2-1-22-0123456", "profession": "perawat"},
        {"found": False, "registration_number": None, "profession": None}]})
    found: bool
    registration_number: str | None = Field(description="The health worker's STR when the register knows it.")
    profession: str | None = None


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200, description="The client's id, unique forever for this kind.")
    payload: dict[str, Any]


class RecordsBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"records": [{"id": "8d1c6c84-9a53-4d5f-8f7e-3f1a2b3c4d5e",
                      "payload": {"service_code": "KTP-EL", "rating": 5}}]}]})
    records: list[RecordIn] = Field(min_length=1, max_length=500)


class RecordsAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"accepted": ["8d1c6c84-9a53-4d5f-8f7e-3f1a2b3c4d5e"], "duplicates": [], "conflicts": {}}]})
    accepted: list[str]
    duplicates: list[str]
    conflicts: dict[str, str]


class HealthAnswer(BaseModel):
    ok: bool
    time: str
    matcher: bool
