"""The reference central API over HTTP (FastAPI): enrollment, signed requests, the idempotent
application inbox, attachments by hash, statuses, catalog, identity check, records upload.

Everything under ``/v1`` except ``/v1/health`` and ``/v1/enroll`` must be signed (see
:mod:`kiosk.sync.signing`): an unknown device, a bad signature, a timestamp outside the skew window
(``clock_skew``, with ``server_time`` so the kiosk can correct itself) or a reused nonce
(``replayed``) answer 401. Errors are JSON ``{"error": <code>, "message": <plain English>}``.

Applications follow the IETF Idempotency-Key draft, with the key (= the kiosk's application UUID)
kept forever: 201 the first time, 200 with the stored answer for an identical repeat, 422
``idempotency_conflict`` for the same id with another body, 409 ``in_flight`` while the first request
is still being processed. An application's attachments must be uploaded first (409
``attachments_missing`` otherwise, with the hashes).

Fault injection for tests and demos (:class:`Faults`, changeable while running): a share of requests
fails with 503 before doing anything, every request can be delayed, and a share is processed and
committed and then the connection is dropped before the answer arrives.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from central_api.matcher import IdentityRegister, NoFace, Registration
from central_api.store import APPLICATION_STATUSES, CentralStore, EnrollRefused, IdConflict, utc_now
from kiosk.queue.host import RunningServer, make_server, validation_message
from kiosk.sync.signing import (
    DEFAULT_SKEW_SECONDS,
    DEVICE_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_matches,
)
from kiosk.utils.privacy import mask_nik

log = logging.getLogger(__name__)

API_VERSION = "1"
MAX_JSON_BYTES = 1024 * 1024
MAX_IDENTITY_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
STALE_IN_FLIGHT_SECONDS = 60.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# -- errors -----------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers or {}, extra


def _error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                    **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


class ErrorBody(BaseModel):
    """Every refusal: a machine code and a sentence for the person reading the log."""

    error: str
    message: str
    model_config = ConfigDict(extra="allow", json_schema_extra={
        "examples": [{"error": "idempotency_conflict",
                      "message": "Application 3f2c… was already filed with a different body."}]})


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The request is malformed (missing header, bad JSON).",
        401: "Not signed, unknown device, bad signature, clock skew or a replayed nonce.",
        403: "The enrollment code is unknown or used.",
        404: "Not found.",
        409: "Conflict: still in flight, or attachments missing; retry later.",
        413: "The body is larger than allowed.",
        415: "Wrong content type.",
        422: "The body or a parameter is invalid; the message says which.",
        503: "Injected failure or a missing optional component (face matcher); retry later.",
    }
    return {code: {"model": ErrorBody, "description": described[code]} for code in codes}


_SIGNED = (400, 401, 413, 422, 503)


# -- bodies -----------------------------------------------------------------------------------

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_SHA256 = r"^[0-9a-f]{64}$"
_NIK = r"^[0-9]{16}$"
_KIND = r"^[a-z][a-z0-9_]{0,39}$"


class EnrollBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"code": "MPP-ENROLL-7Q2X", "device_name": "kiosk-01", "request_id": "5b0e6f4c9d2a11ef"}]})
    code: str = Field(min_length=4, max_length=100, description="One-time enrollment code from regional IT.")
    device_name: str = Field(default="", max_length=80)
    request_id: str = Field(min_length=8, max_length=64,
                            description="Client-made; repeating it after a lost answer returns the same device.")


class EnrollAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"device_id": "dev-8f3a2c1d9e0b4a5f", "secret": "…43 characters…", "enrolled_at": "2026-11-23T08:00:00.000+00:00"}]})
    device_id: str
    secret: str = Field(description="HMAC-SHA256 key for signing requests; shown once, keep it secret.")
    enrolled_at: str


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40, examples=["ktp_photo"])
    content_type: str = Field(min_length=3, max_length=100, examples=["image/jpeg"])
    sha256: str = Field(pattern=_SHA256)
    size: int = Field(ge=1, le=MAX_ATTACHMENT_BYTES)


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", "number": "APP-20261123-0007", "service_code": "STR-PERAWAT",
        "nik": "3171012345670001", "fields": {"str_number": "1234567890"}, "ticket_number": "B012", "lang": "id",
        "created_at": "2026-11-23T09:15:02.123+07:00",
        "attachments": [{"kind": "ktp_photo", "content_type": "image/jpeg",
                         "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "size": 182311}]}]})
    id: str = Field(pattern=_UUID, description="The kiosk's UUID for this application; unique forever.")
    number: str = Field(min_length=1, max_length=40, description="The number on the citizen's receipt.")
    service_code: str = Field(min_length=1, max_length=40)
    nik: str = Field(pattern=_NIK)
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
    ids: list[Annotated[str, Field(pattern=_UUID)]] = Field(min_length=1, max_length=200)


class StatusesAnswer(BaseModel):
    statuses: list[StatusAnswer]


class PublicStatus(BaseModel):
    number: str
    status: str
    updated_at: str


class HashesBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sha256": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}]})
    sha256: list[Annotated[str, Field(pattern=_SHA256)]] = Field(min_length=1, max_length=500)


class MissingAnswer(BaseModel):
    missing: list[str] = Field(description="The asked hashes the server does not have (upload these).")


class AttachmentAnswer(BaseModel):
    sha256: str
    size: int
    stored: bool = Field(description="False when the server had it already (nothing new stored).")


class IdentityBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"nik": "3171012345670001", "face_jpeg_base64": "/9j/4AAQSkZJRgABAQ…"}]})
    nik: str = Field(pattern=_NIK)
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
    nik: str = Field(pattern=_NIK)


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
        {"records": [{"id": "8d1c6c84-9a53-4d5f-8f7e-3f1a2b3c4d5e", "payload": {"service_code": "KTP-EL", "rating": 5}}]}]})
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


# -- fault injection and limits (ASGI middleware) ---------------------------------------------

@dataclass
class Faults:
    """What goes wrong on purpose. Change the fields while the server runs (tests, demo)."""

    fail_rate: float = 0.0
    latency_ms: int = 0
    drop_after_commit_rate: float = 0.0
    in_flight_delay_s: float = 0.0  # hold each new application this long while it is "in flight"
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self.rng.seed(self.seed)
        for name in ("fail_rate", "drop_after_commit_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    def off(self) -> None:
        self.fail_rate = self.drop_after_commit_rate = 0.0
        self.latency_ms = 0


class DroppedAfterCommit(Exception):
    """Raised after the answer's headers were written, so the server closes the connection."""


class _HideDroppedAfterCommit(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedAfterCommit))


logging.getLogger("uvicorn.error").addFilter(_HideDroppedAfterCommit())


class FaultInjection:
    """Fails, delays or cuts requests under ``/v1/`` (not ``/v1/health``) as :class:`Faults` says."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path == "/v1/health":
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.fail_rate and faults.rng.random() < faults.fail_rate:
            await _send_json(send, 503, {"error": "injected_failure", "message": "Injected failure; try again."})
            return
        if not (faults.drop_after_commit_rate and faults.rng.random() < faults.drop_after_commit_rate):
            await self.app(scope, receive, send)
            return
        started: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)

        await self.app(scope, receive, hold)
        if started:
            await send(started[0])
        raise DroppedAfterCommit("connection dropped after commit (fault injection)")


class BodyLimit:
    """413 before reading a body over the limit (by Content-Length, or while it streams in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        if path.startswith("/v1/attachments/") and path != "/v1/missing-attachments":
            return MAX_ATTACHMENT_BYTES
        if path == "/v1/identity/verify":
            return MAX_IDENTITY_BYTES + 1024
        return MAX_JSON_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _send_json(send, 413, {"error": "too_large",
                                         "message": f"The body is larger than {limit} bytes allowed here."})
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ApiError(413, "too_large", f"The body is larger than {limit} bytes allowed here.")
            return message

        await self.app(scope, counting, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


# -- the app ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Caller:
    """A request that passed the signature check: which device, and the exact body it signed."""

    device_id: str
    body: bytes
    body_sha256: str


def _canonical_sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


async def _signed(request: Request) -> Caller:
    """The dependency of every signed endpoint: checks device, clock, signature and nonce."""
    store: CentralStore = request.app.state.store
    skew_seconds: int = request.app.state.skew_seconds
    headers = request.headers
    device_id = headers.get(DEVICE_HEADER)
    if not device_id or not all(headers.get(h) for h in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)):
        raise ApiError(401, "unsigned", f"Sign the request: {DEVICE_HEADER}, {TIMESTAMP_HEADER}, "
                       f"{NONCE_HEADER} and {SIGNATURE_HEADER} are required.")
    device = store.device(device_id)
    if device is None:
        raise ApiError(401, "unknown_device", "This device is not enrolled; enroll it with a one-time code.")
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
    except ValueError:
        raise ApiError(401, "bad_timestamp", f"{TIMESTAMP_HEADER} must be Unix seconds.") from None
    now = time.time()
    if abs(now - timestamp) > skew_seconds:
        raise ApiError(401, "clock_skew", f"The request time is more than {skew_seconds} s from the server's; "
                       "set the kiosk's clock (NTP).", server_time=int(now))
    body = await request.body()
    path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    if request.scope.get("query_string"):
        path += "?" + request.scope["query_string"].decode("latin-1")
    digest = hashlib.sha256(body).hexdigest()
    if not signature_matches(device.secret, request.method, path, headers, digest):
        raise ApiError(401, "bad_signature", "The signature does not match this request.")
    if not await anyio.to_thread.run_sync(store.use_nonce, device_id, headers[NONCE_HEADER], timestamp,
                                   int(now) - 2 * skew_seconds):
        raise ApiError(401, "replayed", "This nonce was used before; a request is never accepted twice.")
    return Caller(device_id, body, digest)



Signed = Annotated[Caller, Depends(_signed)]


def create_app(store: CentralStore, *, catalog_path: Path | None = None, register: IdentityRegister | None = None,
               faults: Faults | None = None, admin_token: str = "",
               skew_seconds: int = DEFAULT_SKEW_SECONDS,
               registrations: Mapping[str, Registration] | None = None) -> FastAPI:
    """The reference central API over ``store``. ``admin_token`` enables ``/admin/...`` (status
    changes, fault settings) for tests and demos; empty = those answer 404."""
    faults = faults or Faults()
    catalog_bytes = Path(catalog_path).read_bytes() if catalog_path else b"{}"
    catalog_etag = '"' + hashlib.sha256(catalog_bytes).hexdigest()[:32] + '"'
    in_flight: dict[str, float] = {}
    in_flight_lock = threading.Lock()

    app = FastAPI(title="MPP Digital central API (reference)", version=API_VERSION,
                  description="Our executable model of the MPP Digital API: kiosk enrollment, signed requests, "
                              "applications kept unique forever by the kiosk's UUID, attachments by SHA-256, "
                              "statuses, the service catalog, 1:1 identity checks and record uploads.")
    app.state.store = store
    app.state.faults = faults
    app.state.skew_seconds = skew_seconds
    app.add_middleware(FaultInjection, faults=faults)
    app.add_middleware(BodyLimit)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(ClientDisconnect)
    async def _gone(_request: Request, _exc: ClientDisconnect) -> Response:
        """The kiosk went away mid-request (killed, cable pulled): nothing was stored; no one to answer."""
        return Response(status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        message = exc.detail if isinstance(exc.detail, str) else "The request cannot be handled."
        return _error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message,
                               dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, "invalid_request", validation_message(exc))


    @app.get("/v1/health", tags=["service"], response_model=HealthAnswer)
    def health() -> dict[str, Any]:
        matcher = register is not None and register.matcher is not None
        return {"ok": True, "time": utc_now(), "matcher": matcher}

    @app.post("/v1/enroll", tags=["device"], status_code=201, response_model=EnrollAnswer,
              responses={200: {"model": EnrollAnswer, "description": "The same request again: the same device."},
                         **_responses(400, 403, 413, 422, 503)})
    def enroll(body: EnrollBody) -> JSONResponse:
        try:
            device, enrolled_at, created = store.enroll(body.code, body.request_id, body.device_name)
        except EnrollRefused as exc:
            raise ApiError(403, "enroll_refused", str(exc) + ".") from None
        if created:
            log.info("enrolled device %s (%s)", device.id, body.device_name or "unnamed")
        return JSONResponse({"device_id": device.id, "secret": device.secret, "enrolled_at": enrolled_at},
                            status_code=201 if created else 200)

    @app.get("/v1/catalog", tags=["catalog"], responses={
        200: {"description": "The service catalog (same format as config/services.json).",
              "content": {"application/json": {"schema": {"type": "object"}}}},
        304: {"description": "Not modified: the If-None-Match ETag is current."}, **_responses(*_SIGNED)})
    def catalog(caller: Signed, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        if if_none_match == catalog_etag:
            return Response(status_code=304, headers={"ETag": catalog_etag})
        return Response(catalog_bytes, media_type="application/json", headers={"ETag": catalog_etag})

    @app.post("/v1/identity/verify", tags=["identity"], response_model=IdentityAnswer,
              responses=_responses(*_SIGNED))
    def verify_identity(body: IdentityBody, caller: Signed) -> dict[str, Any]:
        if register is None or register.matcher is None:
            raise ApiError(503, "matcher_unavailable", "The face matcher is not installed on this server "
                           "(pip install 'mpp-kiosk[central-matcher]').")
        try:
            face = base64.b64decode(body.face_jpeg_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_request", "face_jpeg_base64: not valid base64.") from None
        if body.nik not in register:
            log.info("identity check: NIK %s not in the register", mask_nik(body.nik))
            return {"matched": False, "score": 0.0, "distance": None, "reason": "nik_not_registered"}
        try:
            result = register.verify(body.nik, face)
        except NoFace as exc:
            raise ApiError(422, "no_face", f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        log.info("identity check: NIK %s %s (distance %.3f)", mask_nik(body.nik),
                 "matched" if result.matched else "not matched", result.distance)
        return {"matched": result.matched, "score": result.score, "distance": result.distance,
                "reason": "" if result.matched else "no_match"}

    @app.post("/v1/registrations/lookup", tags=["identity"], response_model=RegistrationAnswer,
              responses=_responses(*_SIGNED))
    def lookup_registration(body: LookupBody, caller: Signed) -> dict[str, Any]:
        """A health worker's registration number (STR) by NIK, so the form never asks for it twice.
        The NIK travels in the body, never in the URL."""
        found = (registrations or {}).get(body.nik)
        if found is None:
            return {"found": False, "registration_number": None, "profession": None}
        return {"found": True, "registration_number": found.registration_number, "profession": found.profession}

    @contextlib.contextmanager
    def claim(app_id: str) -> Iterator[None]:
        with in_flight_lock:
            started = in_flight.get(app_id)
            if started is not None and time.monotonic() - started < STALE_IN_FLIGHT_SECONDS:
                raise ApiError(409, "in_flight", "This application is still being processed; retry shortly.",
                               headers={"Retry-After": "1"})
            in_flight[app_id] = time.monotonic()
        try:
            yield
        finally:
            with in_flight_lock:
                in_flight.pop(app_id, None)

    @app.post("/v1/applications", tags=["applications"], status_code=201, response_model=ApplicationAnswer,
              responses={200: {"model": ApplicationAnswer,
                               "description": "An identical repeat: the stored answer, nothing new stored."},
                         **_responses(400, 401, 409, 413, 422, 503)})
    def put_application(body: ApplicationBody, caller: Signed,
                        idempotency_key: Annotated[str | None, Header(
                            description="Must equal the body's id.")] = None) -> JSONResponse:
        if not idempotency_key:
            raise ApiError(400, "idempotency_key_missing", "Send the application's id as Idempotency-Key.")
        if idempotency_key != body.id:
            raise ApiError(422, "idempotency_key_mismatch", "Idempotency-Key must equal the application id.")
        content = body.model_dump(mode="json")
        digest = _canonical_sha256(content)
        with claim(body.id):
            if faults.in_flight_delay_s:
                time.sleep(faults.in_flight_delay_s)
            existing = store.application(body.id)
            if existing is None:
                hashes = sorted({a.sha256 for a in body.attachments})
                sizes = store.attachment_sizes(hashes)
                missing = [h for h in hashes if h not in sizes]
                if missing:
                    raise ApiError(409, "attachments_missing", "Upload these attachments first.", missing=missing)
                wrong = [a.sha256 for a in body.attachments if sizes[a.sha256] != a.size]
                if wrong:
                    raise ApiError(422, "attachment_size_mismatch",
                                   f"Attachment sizes differ from the stored files: {', '.join(w[:12] for w in wrong)}.")
            answer = {"id": body.id, "number": body.number, "status": "received", "received_at": utc_now()}
            try:
                stored, created = store.insert_application(body.id, caller.device_id, digest, content, answer)
            except IdConflict:
                raise ApiError(422, "idempotency_conflict",
                               f"Application {body.id} was already filed with a different body.") from None
        if created:
            log.info("application %s received (%s, NIK %s)", body.number, body.service_code, mask_nik(body.nik))
        return JSONResponse(stored, status_code=201 if created else 200,
                            headers=None if created else {"Idempotent-Replayed": "true"})

    @app.get("/v1/applications/{app_id}", tags=["applications"], response_model=StatusAnswer,
             responses=_responses(404, *_SIGNED))
    def application_status(app_id: Annotated[str, PathParam(pattern=_UUID)], caller: Signed) -> dict[str, Any]:
        found = store.statuses([app_id])
        if not found:
            raise ApiError(404, "not_found", "No application with this id.")
        return found[0]

    @app.post("/v1/application-statuses", tags=["applications"], response_model=StatusesAnswer,
              responses=_responses(*_SIGNED))
    def application_statuses(body: StatusesBody, caller: Signed) -> dict[str, Any]:
        return {"statuses": store.statuses(sorted(set(body.ids)))}

    @app.get("/v1/public/applications/{app_id}", tags=["citizen"], response_model=PublicStatus,
             responses={404: {"model": ErrorBody, "description": "No application with this id."},
                        **_responses(400, 422, 503)})
    def public_status(app_id: Annotated[str, PathParam(pattern=_UUID)]) -> dict[str, Any]:
        """What the receipt's QR opens: number and status only, no personal data (no signature)."""
        row = store.application(app_id)
        if row is None:
            raise ApiError(404, "not_found", "No application with this id (it may not have arrived yet).")
        return {"number": row["number"], "status": row["status"], "updated_at": row["updated_at"]}

    @app.post("/v1/missing-attachments", tags=["attachments"], response_model=MissingAnswer,
              responses=_responses(*_SIGNED))
    def missing_attachments(body: HashesBody, caller: Signed) -> dict[str, Any]:
        return {"missing": store.missing(list(dict.fromkeys(body.sha256)))}

    @app.put("/v1/attachments/{sha256}", tags=["attachments"], status_code=201, response_model=AttachmentAnswer,
             responses={200: {"model": AttachmentAnswer, "description": "Already stored; nothing new written."},
                        **_responses(*_SIGNED)},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                 "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                 "image/png": {"schema": {"type": "string", "format": "binary"}},
                 "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def put_attachment(sha256: Annotated[str, PathParam(pattern=_SHA256)], caller: Signed,
                       content_type: Annotated[str | None, Header()] = None) -> JSONResponse:
        data = caller.body
        if not data:
            raise ApiError(422, "empty", "The attachment is empty.")
        actual = caller.body_sha256
        if actual != sha256:
            raise ApiError(422, "hash_mismatch", f"The bytes hash to {actual}, not to the {sha256} in the path.")
        stored = store.put_attachment(sha256, (content_type or "application/octet-stream")[:100], data)
        return JSONResponse({"sha256": sha256, "size": len(data), "stored": stored}, status_code=201 if stored else 200)

    @app.post("/v1/records/{kind}", tags=["records"], response_model=RecordsAnswer, responses=_responses(*_SIGNED))
    def put_records(kind: Annotated[str, PathParam(pattern=_KIND, description="e.g. survey, queue_stats")],
                    body: RecordsBody, caller: Signed) -> dict[str, Any]:
        """Survey answers, queue statistics...: each record once by (kind, id); repeats are no-ops."""
        seen: set[str] = set()
        rows = []
        for record in body.records:
            if record.id in seen:
                raise ApiError(422, "duplicate_id", f"Record id {record.id} appears twice in the batch.")
            seen.add(record.id)
            rows.append((record.id, _canonical_sha256(record.payload),
                         json.dumps(record.payload, ensure_ascii=False, sort_keys=True)))
        accepted, duplicates, conflicts = store.put_records(kind, caller.device_id, rows)
        return {"accepted": accepted, "duplicates": duplicates, "conflicts": conflicts}

    # -- admin (tests, demos; not part of the contract) -------------------------------------

    def admin(request: Request) -> None:
        if not admin_token or not hmac.compare_digest(request.headers.get("x-admin-token", ""), admin_token):
            raise ApiError(404, "not_found", "Not found.")

    @app.post("/admin/applications/{app_id}/status", include_in_schema=False, dependencies=[Depends(admin)])
    def admin_status(app_id: str, body: dict[str, str]) -> dict[str, Any]:
        try:
            changed = store.set_status(app_id, body.get("status", ""), body.get("note", ""))
        except ValueError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from None
        if not changed:
            raise ApiError(404, "not_found", "No application with this id.")
        return store.statuses([app_id])[0]

    @app.put("/admin/faults", include_in_schema=False, dependencies=[Depends(admin)])
    def admin_faults(body: dict[str, float]) -> dict[str, Any]:
        for name in ("fail_rate", "latency_ms", "drop_after_commit_rate", "in_flight_delay_s"):
            if name in body:
                setattr(faults, name, type(getattr(faults, name))(body[name]))
        return {"fail_rate": faults.fail_rate, "latency_ms": faults.latency_ms,
                "drop_after_commit_rate": faults.drop_after_commit_rate}

    @app.get("/status/{app_id}", include_in_schema=False, response_class=HTMLResponse)
    def status_page(app_id: str) -> HTMLResponse:
        """A phone-sized page for the receipt's QR (Bahasa Indonesia and English)."""
        row = store.application(app_id) if re.fullmatch(_UUID, app_id) else None
        if row is None:
            text = ("Permohonan belum ditemukan. Mungkin belum terkirim dari kios; coba lagi nanti.<br>"
                    "Application not found yet. It may not have been sent from the kiosk; try again later.")
        else:
            text = f"<b>{row['number']}</b><br>Status: <b>{row['status']}</b><br>{row['updated_at']}"
        return HTMLResponse(f"<!doctype html><meta name=viewport content='width=device-width'>"
                            f"<body style='font:20px sans-serif;padding:1em'>{text}</body>")

    return app


# -- running ----------------------------------------------------------------------------------

class RunningCentral(RunningServer):
    """The reference API on a background thread (loopback by default) with its own store.

    ``url`` to reach it, ``faults`` to change behaviour while it runs, ``store`` to look inside,
    :meth:`stop` (or ``with``) to end it and close the store.
    """

    def __init__(self, db_path: Path, *, host: str = "127.0.0.1", port: int = 0,
                 enroll_codes: Iterable[str] = (), catalog_path: Path | None = None,
                 register: IdentityRegister | None = None, faults: Faults | None = None,
                 admin_token: str = "", skew_seconds: int = DEFAULT_SKEW_SECONDS,
                 registrations: Mapping[str, Registration] | None = None) -> None:
        self.store = CentralStore(db_path)
        self.store.add_enroll_codes(enroll_codes)
        self.faults = faults or Faults()
        self.app = create_app(self.store, catalog_path=catalog_path, register=register, faults=self.faults,
                              admin_token=admin_token, skew_seconds=skew_seconds, registrations=registrations)
        try:
            super().__init__(self.app, host, port)
        except BaseException:
            self.store.close()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        try:
            super().stop(timeout)
        finally:
            self.store.close()

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve(app: FastAPI, host: str, port: int) -> None:
    make_server(app, host, port).run()


# -- API description --------------------------------------------------------------------------

def openapi_document() -> dict[str, Any]:
    """The contract, built from the app (no database needed)."""
    return create_app(store=None).openapi()  # type: ignore[arg-type]


def write_openapi(path: Path) -> None:
    """Write ``docs/api/central.openapi.json`` (stable order, trailing newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
