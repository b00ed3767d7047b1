"""The central API's wire contract: the error shape, every request and answer body, the size limits,
the signing headers' form, and the input types every body is made of (valid Unicode, finite
numbers, bounded texts, JSON of bounded depth, aware times in a sane range).

Read by :mod:`central_api.app` (the routes) and :mod:`central_api.middleware` (size limits, errors);
the OpenAPI document (``docs/api/central.openapi.json``) is generated from these models, completed
by :func:`document_security` (security schemes and the statuses of the shared mechanisms).
"""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NamedTuple

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

from central_api.stores import APPLICATION_STATUSES
from kiosk.sync.signing import DEFAULT_SKEW_SECONDS, DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

MAX_JSON_BYTES = 1024 * 1024
MAX_IDENTITY_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
NIK_PATTERN = r"^[0-9]{16}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


# -- errors -----------------------------------------------------------------------------------

class ApiError(StarletteHTTPException):
    """A refusal in the one error shape. An HTTP exception, so that one raised while FastAPI reads the
    body (:class:`central_api.middleware.StrictJsonRequest`) reaches the handler as itself, not as a bare 400."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(status, message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers or {}, extra


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


class ErrorBody(BaseModel):
    """Every refusal: a machine code and a sentence for the person reading the log."""

    error: str
    message: str
    model_config = ConfigDict(extra="allow", json_schema_extra={
        "examples": [{"error": "idempotency_conflict",
                      "message": "Application 3f2c… was already filed with a different body."}]})


ERROR_STATUSES = {
    400: "The request is malformed (a required header is missing).",
    401: "Not signed, unknown device, bad signature, clock skew or a replayed nonce.",
    403: "The enrollment code is not accepted (unknown and used look alike), or this address is locked out.",
    404: "Not found.",
    409: "Conflict: still in flight, or attachments missing; retry later.",
    413: "The body is larger than allowed.",
    415: "Wrong content type.",
    422: "The body is not strict JSON (no NaN, Infinity or lone surrogates), or it or a parameter is invalid; "
         "the message says which.",
    429: "Too many enrollment attempts; wait Retry-After seconds.",
    503: "Injected failure or a missing optional component (face matcher); retry later.",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """For a route's ``responses=``: these statuses, each answered as :class:`ErrorBody`."""
    return {code: {"model": ErrorBody, "description": ERROR_STATUSES[code]} for code in codes}


def error_response_document(code: int) -> dict[str, Any]:
    """The OpenAPI response object of an error status (``ErrorBody`` is in the document's schemas)."""
    return {"description": ERROR_STATUSES[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


SIGNED_ERRORS = (400, 401, 413, 422, 503)  # what any signed endpoint may answer


def same_secret(given: str, expected: str) -> bool:
    """Constant-time equality of two secrets of any characters (``hmac.compare_digest`` raises
    TypeError on a non-ASCII ``str``, which a header decoded as Latin-1 can be)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


# -- the signing headers ----------------------------------------------------------------------

class SigningHeader(NamedTuple):
    scheme: str  # its name among the OpenAPI security schemes
    pattern: str
    rule: str  # the pattern in words, for the refusal and the contract


SIGNING_HEADERS = {
    DEVICE_HEADER: SigningHeader("deviceId", r"^[A-Za-z0-9._-]{1,64}$",
                                 "the device id issued at enrollment: 1 to 64 letters, digits, '.', '-' or '_'"),
    TIMESTAMP_HEADER: SigningHeader("timestamp", r"^[0-9]{1,12}$",
                                    f"Unix seconds when the request was signed (1 to 12 digits), within "
                                    f"{DEFAULT_SKEW_SECONDS} s of the server's clock"),
    NONCE_HEADER: SigningHeader("nonce", r"^[A-Za-z0-9_-]{16,64}$",
                                "16 to 64 letters, digits, '-' or '_' (the kiosk sends 32 random hex digits), "
                                "never reused by the device"),
    SIGNATURE_HEADER: SigningHeader("signature", r"^[0-9a-f]{64}$",
                                    "64 lowercase hex digits: HMAC-SHA256(secret, METHOD\\nPATH?QUERY\\n"
                                    "TIMESTAMP\\nNONCE\\nhex SHA-256 of the body)"),
}
_SIGNING_REGEX = {name: re.compile(header.pattern) for name, header in SIGNING_HEADERS.items()}


def signing_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The four signing headers, each checked against its pattern before anything uses it
    (a 400-digit timestamp overflowed a float, a non-ASCII signature crashed ``hmac``): 401 otherwise."""
    values = {name: headers.get(name, "") for name in SIGNING_HEADERS}
    if not all(values.values()):
        raise ApiError(401, "unsigned", f"Sign the request: {', '.join(SIGNING_HEADERS)} are required.")
    for name, value in values.items():
        if not _SIGNING_REGEX[name].fullmatch(value):
            code = "bad_timestamp" if name == TIMESTAMP_HEADER else "bad_signing_header"
            raise ApiError(401, code, f"{name} must be {SIGNING_HEADERS[name].rule}.")
    return values


def signing_security_schemes() -> dict[str, dict[str, str]]:
    """The signing headers as OpenAPI apiKey schemes; :data:`SIGNED_REQUEST` requires them together."""
    return {header.scheme: {"type": "apiKey", "in": "header", "name": name,
                            "description": f"{header.rule[:1].upper()}{header.rule[1:]}; pattern {header.pattern}. "
                                           "Sent with the three other signing headers (all four required)."}
            for name, header in SIGNING_HEADERS.items()}


# one security requirement naming all four: they are required together
SIGNED_REQUEST: dict[str, list[str]] = {header.scheme: [] for header in SIGNING_HEADERS.values()}


def faults_apply_to(path: str) -> bool:
    """Whether injected faults (:class:`central_api.middleware.FaultInjection`) reach ``path``."""
    return path.startswith("/v1/") and path != "/v1/health"


def document_security(app: FastAPI, signed: Callable[..., Any]) -> None:
    """Completes the app's OpenAPI document with what FastAPI cannot infer: the four signing headers as
    security schemes, required together by every operation that depends on ``signed``, and the
    statuses the shared mechanisms answer (body limit 413 on any operation; strict JSON 415 and 422
    where a body is read; 400 for a missing required header; 401 where signed; injected 503)."""
    build = app.openapi

    def document() -> dict[str, Any]:
        doc = build()  # FastAPI caches it: what follows must be idempotent
        doc.setdefault("components", {})["securitySchemes"] = signing_security_schemes()
        for route in app.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                _complete_operations(doc, route, any(dep.call is signed for dep in route.dependant.dependencies))
        return doc

    app.openapi = document  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


def _complete_operations(doc: dict[str, Any], route: APIRoute, signed: bool) -> None:
    codes = [413]
    if route.body_field is not None:
        codes += [415, 422]
    if any(param.field_info.is_required() for param in route.dependant.header_params):
        codes.append(400)
    if signed:
        codes.append(401)
    if faults_apply_to(route.path):
        codes.append(503)
    for method in route.methods or ():
        operation = doc["paths"][route.path_format][method.lower()]
        if signed:
            operation["security"] = [SIGNED_REQUEST]
        for code in codes:
            operation["responses"].setdefault(str(code), error_response_document(code))


# -- shared input types -----------------------------------------------------------------------
# Every text, number and free-form JSON value of a request body is one of these, so the limits hold
# at every door, not route by route: valid Unicode (a lone surrogate such as "\ud800" cannot be
# encoded to UTF-8, so it crashed hashing and storing), finite numbers, bounded length and nesting.

MAX_JSON_DEPTH = 16  # application answers and record payloads are flat in practice
MAX_JSON_ENTRIES = 1000  # per object or array
MAX_JSON_KEY = 200
MAX_JSON_TEXT = 64 * 1024
MAX_JSON_INT = 2**63 - 1


def valid_unicode(value: str) -> str:
    """``value`` if it encodes to UTF-8 (no lone surrogates) and holds no NUL character (PostgreSQL
    cannot store one in text: psycopg raised, a 500; no client has a reason to send one)."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL (\\u0000) characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


def _check_json(value: Any, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, dict | list) and len(value) > MAX_JSON_ENTRIES:
        raise ValueError(f"more than {MAX_JSON_ENTRIES} entries in one object or array")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > MAX_JSON_KEY:
                raise ValueError(f"keys must be text of at most {MAX_JSON_KEY} characters")
            valid_unicode(key)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)
    elif isinstance(value, str):
        if len(value) > MAX_JSON_TEXT:
            raise ValueError(f"texts must be at most {MAX_JSON_TEXT} characters")
        valid_unicode(value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if abs(value) > MAX_JSON_INT:
            raise ValueError("integers must fit in 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
    else:
        raise ValueError("not a JSON value")


def bounded_json_object(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` if it is JSON within the limits above (depth counted from this object)."""
    _check_json(value, 1)
    return value


EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)
MAX_UTC_OFFSET = timedelta(hours=14)  # the widest real one (Kiribati); -23:59 overflowed year 9999


def aware_time(value: str) -> str:
    """``value`` if it is an ISO 8601 date and time with a real offset, between 2000 and 2100.

    Kept as sent (not re-serialized): an application's body hash, hence its idempotency, must not
    depend on how this server formats dates."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO 8601 date and time") from None
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("the time zone offset is missing (e.g. +07:00 or Z)")
    if abs(offset) > MAX_UTC_OFFSET:
        raise ValueError("the time zone offset must be within ±14:00")
    if not EARLIEST_TIME.year <= moment.year < LATEST_TIME.year or not (
            EARLIEST_TIME <= moment.astimezone(UTC) < LATEST_TIME):  # the year check first: no overflow
        raise ValueError("the time must be between 2000 and 2100")
    return value


Unicode = Annotated[str, AfterValidator(valid_unicode)]
"""Text that encodes to UTF-8; give each field its length bounds with ``Field``."""

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

JsonObject = Annotated[dict[str, Any], AfterValidator(bounded_json_object), WithJsonSchema({
    "type": "object", "maxProperties": MAX_JSON_ENTRIES, "additionalProperties": True,
    "description": f"Any JSON object: nested at most {MAX_JSON_DEPTH} deep, at most {MAX_JSON_ENTRIES} entries "
                   f"per object or array, keys up to {MAX_JSON_KEY} and texts up to {MAX_JSON_TEXT} characters, "
                   "finite numbers (no NaN or Infinity), integers within 64 bits, valid Unicode."})]

AwareTime = Annotated[str, Field(min_length=10, max_length=40), AfterValidator(aware_time), WithJsonSchema({
    "type": "string", "format": "date-time", "minLength": 10, "maxLength": 40,
    "description": "ISO 8601 with a time zone offset (within ±14:00), between 2000 and 2100; e.g. "
                   "2026-11-23T02:15:04.001+00:00 as the kiosk sends it."})]


# -- bodies -----------------------------------------------------------------------------------

class EnrollBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"code": "MPP-ENROLL-7Q2X", "device_name": "kiosk-01", "request_id": "5b0e6f4c9d2a11ef"},
                     {"code": "MPP-ENROLL-9K4M", "device_name": "queue-host", "request_id": "0c7d1e2f3a4b5c6d",
                      "mpp_code": "MPP-3171"}]})
    code: Unicode = Field(min_length=4, max_length=100, description="One-time enrollment code from regional IT.")
    device_name: Unicode = Field(default="", max_length=80)
    request_id: Unicode = Field(min_length=8, max_length=64,
                            description="Client-made; repeating it after a lost answer returns the same device.")
    mpp_code: str | None = Field(default=None, pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$",
                                 description="The device's MPP ([site] mpp_code): binds the device to it (for "
                                             "good) and the answer carries the MPP's booking key.")


class EnrollAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"device_id": "dev-8f3a2c1d9e0b4a5f", "secret": "…43 characters…",
         "enrolled_at": "2026-11-23T08:00:00.000+00:00"},
        {"device_id": "dev-1c2d3e4f5a6b7c8d", "secret": "…43 characters…",
         "enrolled_at": "2026-11-23T08:00:00.000+00:00", "mpp_code": "MPP-3171",
         "booking_key": "q3Jx0yC1m8p0o6y9Yh0gH7bq2d3ZPj1k2cVv5oXxQe4"}]})
    device_id: str
    secret: str = Field(description="HMAC-SHA256 key for signing requests; shown once, keep it secret.")
    enrolled_at: str
    mpp_code: str | None = Field(default=None, description="Present when the request named its MPP.")
    booking_key: str | None = Field(default=None, description="The MPP's booking key (32 bytes, base64url without "
                                    "padding; present with mpp_code): checks booking codes offline. Keep it secret.")


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Unicode = Field(min_length=1, max_length=40, examples=["ktp_photo"])
    content_type: Unicode = Field(min_length=3, max_length=100, examples=["image/jpeg"])
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=1, le=MAX_ATTACHMENT_BYTES)


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", "number": "APP-20261123-0007", "service_code": "STR-PERAWAT",
        "nik": "3171011508900001", "fields": {"str_number": "1234567890"}, "ticket_number": "B012", "lang": "id",
        "created_at": "2026-11-23T09:15:02.123+07:00",
        "attachments": [{"kind": "ktp_photo", "content_type": "image/jpeg",
                         "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         "size": 182311}]}]})
    id: str = Field(pattern=UUID_PATTERN, description="The kiosk's UUID for this application; unique forever.")
    number: Unicode = Field(min_length=1, max_length=40, description="The number on the citizen's receipt.")
    service_code: Unicode = Field(min_length=1, max_length=40)
    nik: str = Field(pattern=NIK_PATTERN)
    fields: JsonObject = Field(default_factory=dict)
    ticket_number: Unicode | None = Field(default=None, max_length=20)
    lang: str = Field(default="id", pattern=r"^(id|en)$")
    created_at: AwareTime
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
        {"nik": "3171011508900001", "face_jpeg_base64": "/9j/4AAQSkZJRgABAQ…"}]})
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
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nik": "3171011508900001"}]})
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
    id: Unicode = Field(min_length=1, max_length=200, description="The client's id, unique forever for this kind.")
    payload: JsonObject


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


class FaultsBody(BaseModel):
    """``PUT /admin/faults`` (tests and demos): only the fields sent change; rates are shares, 0 to 1.

    Reads like the mapping it replaces (``name in body``, ``body[name]``) for the fields the request
    set, so the route applies exactly those. Strict: "0.5" or true is not a number."""

    model_config = ConfigDict(extra="forbid", strict=True)
    fail_rate: FiniteFloat = Field(default=0.0, ge=0, le=1)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    drop_after_commit_rate: FiniteFloat = Field(default=0.0, ge=0, le=1)
    in_flight_delay_s: FiniteFloat = Field(default=0.0, ge=0, le=60)

    def __contains__(self, name: object) -> bool:
        return name in self.model_fields_set

    def __getitem__(self, name: str) -> float:
        if name not in self.model_fields_set:
            raise KeyError(name)
        return float(getattr(self, name))
