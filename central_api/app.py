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

The wire shapes are in :mod:`central_api.contract`; fault injection for tests and demos and the body
size limits in :mod:`central_api.middleware`.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from central_api.booking_store import BookingStore
from central_api.bookings import add_booking_routes
from central_api.bookings import enrollment_answer as booking_enrollment
from central_api.complaint_store import ComplaintStore
from central_api.complaints import add_complaint_routes
from central_api.contract import (
    KIND_PATTERN,
    SHA256_PATTERN,
    SIGNED_ERRORS,
    UUID_PATTERN,
    ApiError,
    ApplicationAnswer,
    ApplicationBody,
    AttachmentAnswer,
    EnrollAnswer,
    EnrollBody,
    ErrorBody,
    FaultsBody,
    HashesBody,
    HealthAnswer,
    IdentityAnswer,
    IdentityBody,
    LookupBody,
    MissingAnswer,
    PublicStatus,
    RecordsAnswer,
    RecordsBody,
    RegistrationAnswer,
    StatusAnswer,
    StatusesAnswer,
    StatusesBody,
    document_security,
    error_response,
    responses,
    same_secret,
    signing_headers,
)
from central_api.fleet import add_fleet_routes
from central_api.fleet_store import FleetStore
from central_api.matcher import IdentityRegister, NoFace, Registration
from central_api.middleware import BodyLimit, FaultInjection, Faults, StrictJsonRoute
from central_api.stores import (
    CentralStore,
    EnrollRefused,
    IdConflict,
    InFlight,
    StoreUnavailable,
    open_store,
    utc_now,
)
from central_api.throttle import EnrollLimits, EnrollThrottle
from kiosk.citizen.nik import InvalidNik, parse_nik
from kiosk.queue.server import RunningServer, make_server, validation_message
from kiosk.sync.signing import (
    DEFAULT_SKEW_SECONDS,
    DEVICE_HEADER,
    NONCE_HEADER,
    TIMESTAMP_HEADER,
    signature_matches,
)
from kiosk.utils.html_template import HtmlTemplate
from kiosk.utils.privacy import mask_nik

log = logging.getLogger(__name__)

API_VERSION = "1"
STORE_RETRY_AFTER_S = 5  # Retry-After of a 503 while the database server cannot be reached


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
    """The dependency of every signed endpoint: checks the headers' form, device, clock, signature and nonce.

    The headers' form comes first (:func:`central_api.contract.signing_headers`): only short ASCII
    values of the documented patterns reach ``int``, ``hmac`` and the store."""
    store: CentralStore = request.app.state.store
    skew_seconds: int = request.app.state.skew_seconds
    headers = request.headers
    values = signing_headers(headers)
    device_id = values[DEVICE_HEADER]
    device = store.device(device_id)
    if device is None:
        raise ApiError(401, "unknown_device", "This device is not enrolled; enroll it with a one-time code.")
    timestamp = int(values[TIMESTAMP_HEADER])  # at most 12 digits: no float overflow below
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
               registrations: Mapping[str, Registration] | None = None,
               enroll_limits: EnrollLimits | None = None) -> FastAPI:
    """The reference central API over ``store``. ``admin_token`` enables ``/admin/...`` (status
    changes, fault settings) for tests and demos; empty = those answer 404."""
    faults = faults or Faults()

    app = FastAPI(title="MPP Digital central API (reference)", version=API_VERSION,
                  description="Our executable model of the MPP Digital API: kiosk enrollment, signed requests, "
                              "applications kept unique forever by the kiosk's UUID, attachments by SHA-256, "
                              "statuses, the service catalog, 1:1 identity checks and record uploads.")
    app.state.store = store
    app.state.faults = faults
    app.state.skew_seconds = skew_seconds
    app.state.enroll_throttle = throttle = EnrollThrottle(enroll_limits or EnrollLimits())
    app.add_middleware(FaultInjection, faults=faults)
    app.add_middleware(BodyLimit)
    _add_error_handlers(app)
    app.router.route_class = StrictJsonRoute  # strict JSON bodies and 415; set before any route is added
    document_security(app, _signed)
    _add_device_routes(app, store, register, catalog_path, throttle)
    _add_identity_routes(app, register, registrations or {})
    _add_application_routes(app, store, faults)
    _add_attachment_routes(app, store)
    _add_admin_routes(app, store, faults, admin_token, throttle)
    add_fleet_routes(app, FleetStore(store) if store is not None else None, admin_token=admin_token, signed=_signed)
    add_booking_routes(app, BookingStore(store) if store is not None else None, catalog_path=catalog_path,
                       admin_token=admin_token, signed=_signed)
    add_complaint_routes(app, ComplaintStore(store) if store is not None else None, signed=_signed)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(StoreUnavailable)
    async def _store_gone(_request: Request, exc: StoreUnavailable) -> JSONResponse:
        """The database server went away (stopped, restarting, network): nothing was stored half; retry."""
        log.warning("%s", exc)
        return error_response(503, "store_unavailable", "The central database cannot be reached right now; "
                              "nothing was stored. Try again shortly.", {"Retry-After": str(STORE_RETRY_AFTER_S)})

    @app.exception_handler(ClientDisconnect)
    async def _gone(_request: Request, _exc: ClientDisconnect) -> Response:
        """The kiosk went away mid-request (killed, cable pulled): nothing was stored; no one to answer."""
        return error_response(400, "client_gone", "The body was cut off before its end.")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                 415: "unsupported_media_type", 422: "invalid_request"}
        message = exc.detail if isinstance(exc.detail, str) else "The request cannot be handled."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names one route's methods; a path may have several (complaints)
            methods = {m for route in request.app.routes if isinstance(route, APIRoute)
                       and route.path_regex.match(request.url.path) for m in route.methods or ()}
            headers["Allow"] = ", ".join(sorted(methods)) or headers.get("Allow", "")
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """422, except a missing required header: 400 ``<header>_missing`` (a malformed request)."""
        for error in exc.errors():
            loc = error.get("loc", ())
            if error.get("type") == "missing" and len(loc) == 2 and loc[0] == "header":
                name = str(loc[1])
                return error_response(400, f"{name.replace('-', '_')}_missing", f"Send the {name} header.")
        return error_response(422, "invalid_request", validation_message(exc))

    @app.exception_handler(Exception)
    async def _crashed(_request: Request, _exc: Exception) -> JSONResponse:
        """The last net: a bug still answers in the one error shape (and is logged with its traceback)."""
        return error_response(500, "internal_error", "The server failed on this request; it was logged.")


def _add_device_routes(app: FastAPI, store: CentralStore, register: IdentityRegister | None,
                       catalog_path: Path | None, throttle: EnrollThrottle) -> None:
    catalog_bytes = Path(catalog_path).read_bytes() if catalog_path else b"{}"
    catalog_etag = '"' + hashlib.sha256(catalog_bytes).hexdigest()[:32] + '"'

    @app.get("/v1/health", tags=["service"], response_model=HealthAnswer)
    def health() -> dict[str, Any]:
        matcher = register is not None and register.matcher is not None
        return {"ok": True, "time": utc_now(), "matcher": matcher}

    @app.post("/v1/enroll", tags=["device"], status_code=201, response_model=EnrollAnswer,
              responses={200: {"model": EnrollAnswer, "description": "The same request again: the same device."},
                         **responses(400, 403, 413, 422, 429, 503)})
    def enroll(body: EnrollBody, request: Request) -> JSONResponse:
        # throttled before the store is touched; every refused code gets the very same 403 (no oracle)
        address = request.client.host if request.client else "?"
        throttle.check(address)
        try:
            device, enrolled_at, created = store.enroll(body.code, body.request_id, body.device_name)
        except EnrollRefused as exc:
            throttle.refused(address)
            raise ApiError(403, "enroll_refused", str(exc).capitalize() + ".") from None
        if created:  # not a repeat: replaying one's own old enrollment must not wipe the count
            throttle.succeeded(address)
            log.info("enrolled device %s (%s)", device.id, body.device_name or "unnamed")
        answer = {"device_id": device.id, "secret": device.secret, "enrolled_at": enrolled_at}
        if body.mpp_code:
            answer.update(booking_enrollment(request.app, device.id, body.mpp_code))
        return JSONResponse(answer, status_code=201 if created else 200)

    @app.get("/v1/catalog", tags=["catalog"], responses={
        200: {"description": "The service catalog (same format as config/services.json).",
              "content": {"application/json": {"schema": {"type": "object"}}}},
        304: {"description": "Not modified: the If-None-Match ETag is current."}, **responses(*SIGNED_ERRORS)})
    def catalog(caller: Signed, if_none_match: Annotated[str | None, Header(max_length=200)] = None) -> Response:
        if if_none_match == catalog_etag:
            return Response(status_code=304, headers={"ETag": catalog_etag})
        return Response(catalog_bytes, media_type="application/json", headers={"ETag": catalog_etag})


def _check_nik(nik: str) -> None:
    """The one NIK check at the central door (:func:`kiosk.citizen.nik.parse_nik`: length, province,
    birth date): 422 ``invalid_nik`` saying what is wrong, never echoing the NIK."""
    try:
        parse_nik(nik)
    except InvalidNik as exc:
        raise ApiError(422, "invalid_nik", f"nik: not a valid NIK ({exc.detail}).") from None


def _add_identity_routes(app: FastAPI, register: IdentityRegister | None,
                         registrations: Mapping[str, Registration]) -> None:
    @app.post("/v1/identity/verify", tags=["identity"], response_model=IdentityAnswer,
              responses=responses(*SIGNED_ERRORS))
    def verify_identity(body: IdentityBody, caller: Signed) -> dict[str, Any]:
        _check_nik(body.nik)
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
              responses=responses(*SIGNED_ERRORS))
    def lookup_registration(body: LookupBody, caller: Signed) -> dict[str, Any]:
        """A health worker's registration number (STR) by NIK, so the form never asks for it twice.
        The NIK travels in the body, never in the URL."""
        _check_nik(body.nik)
        found = registrations.get(body.nik)
        if found is None:
            return {"found": False, "registration_number": None, "profession": None}
        return {"found": True, "registration_number": found.registration_number, "profession": found.profession}


@contextlib.contextmanager
def _claimed(store: CentralStore, key: str) -> Iterator[None]:
    """While this request processes the application, a second one for it (in any worker process: the
    claim lives in the store) answers 409 ``in_flight``."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(store.in_flight(key))
        except InFlight:
            raise ApiError(409, "in_flight", "This application is still being processed; retry shortly.",
                           headers={"Retry-After": "1"}) from None
        yield


def _check_attachments(store: CentralStore, body: ApplicationBody, device_id: str) -> None:
    """A new application's attachments must all be uploaded already by this device, each with the size
    it states: naming a hash only another device uploaded does not borrow that device's file."""
    hashes = sorted({a.sha256 for a in body.attachments})
    sizes = store.attachment_sizes(hashes, device_id)
    missing = [h for h in hashes if h not in sizes]
    if missing:
        raise ApiError(409, "attachments_missing", "Upload these attachments first.", missing=missing)
    wrong = [a.sha256 for a in body.attachments if sizes[a.sha256] != a.size]
    if wrong:
        raise ApiError(422, "attachment_size_mismatch",
                       f"Attachment sizes differ from the stored files: {', '.join(w[:12] for w in wrong)}.")


def _add_application_routes(app: FastAPI, store: CentralStore, faults: Faults) -> None:
    @app.post("/v1/applications", tags=["applications"], status_code=201, response_model=ApplicationAnswer,
              responses={200: {"model": ApplicationAnswer,
                               "description": "An identical repeat: the stored answer, nothing new stored."},
                         **responses(400, 401, 409, 413, 422, 503)})
    def put_application(body: ApplicationBody, caller: Signed,
                        idempotency_key: Annotated[str, Header(
                            pattern=UUID_PATTERN, description="Required: the body's id.")]) -> JSONResponse:
        if not idempotency_key:
            raise ApiError(400, "idempotency_key_missing", "Send the application's id as Idempotency-Key.")
        if idempotency_key != body.id:
            raise ApiError(422, "idempotency_key_mismatch", "Idempotency-Key must equal the application id.")
        _check_nik(body.nik)
        content = body.model_dump(mode="json")
        digest = _canonical_sha256(content)
        with _claimed(store, f"{caller.device_id}/{body.id}"):  # per device: no signal from another's request
            if faults.in_flight_delay_s:
                time.sleep(faults.in_flight_delay_s)
            if body.attachments and not store.statuses([body.id], caller.device_id):  # a repeat needs no files
                _check_attachments(store, body, caller.device_id)
            answer = {"id": body.id, "number": body.number, "status": "received", "received_at": utc_now()}
            try:
                stored, created = store.insert_application(body.id, caller.device_id, digest, content, answer)
            except IdConflict:  # another body, or another device's application: the same answer, no data
                raise ApiError(422, "idempotency_conflict",
                               f"Application {body.id} was already filed with a different body.") from None
        if created:
            log.info("application %s received (%s, NIK %s)", body.number, body.service_code, mask_nik(body.nik))
        return JSONResponse(stored, status_code=201 if created else 200,
                            headers=None if created else {"Idempotent-Replayed": "true"})

    @app.get("/v1/applications/{app_id}", tags=["applications"], response_model=StatusAnswer,
             responses={**responses(*SIGNED_ERRORS), 404: {
                 "model": ErrorBody, "description": "No application with this id filed by this device "
                                                    "(another device's application answers the same)."}})
    def application_status(app_id: Annotated[str, PathParam(pattern=UUID_PATTERN)], caller: Signed) -> dict[str, Any]:
        found = store.statuses([app_id], caller.device_id)  # another device's application looks unknown
        if not found:
            raise ApiError(404, "not_found", "No application with this id.")
        return found[0]

    @app.post("/v1/application-statuses", tags=["applications"], response_model=StatusesAnswer,
              responses=responses(*SIGNED_ERRORS))
    def application_statuses(body: StatusesBody, caller: Signed) -> dict[str, Any]:
        """Statuses of the caller's own applications; other ids (unknown, or another device's) are left out."""
        return {"statuses": store.statuses(sorted(set(body.ids)), caller.device_id)}

    @app.get("/v1/public/applications/{app_id}", tags=["citizen"], response_model=PublicStatus,
             responses={404: {"model": ErrorBody, "description": "No application with this id."},
                        **responses(400, 422, 503)})
    def public_status(app_id: Annotated[str, PathParam(pattern=UUID_PATTERN)]) -> dict[str, Any]:
        """What the receipt's QR opens: number and status only, no personal data (no signature)."""
        row = store.application(app_id)
        if row is None:
            raise ApiError(404, "not_found", "No application with this id (it may not have arrived yet).")
        return {"number": row["number"], "status": row["status"], "updated_at": row["updated_at"]}


def _add_attachment_routes(app: FastAPI, store: CentralStore) -> None:
    @app.post("/v1/missing-attachments", tags=["attachments"], response_model=MissingAnswer,
              responses=responses(*SIGNED_ERRORS))
    def missing_attachments(body: HashesBody, caller: Signed) -> dict[str, Any]:
        """The asked hashes this device has not uploaded: a file only another device uploaded counts as
        missing (no oracle of other kiosks' files) and must be uploaded before an application names it."""
        return {"missing": store.missing(list(dict.fromkeys(body.sha256)), caller.device_id)}

    @app.put("/v1/attachments/{sha256}", tags=["attachments"], status_code=201, response_model=AttachmentAnswer,
             responses={200: {"model": AttachmentAnswer, "description": "Already stored; nothing new written."},
                        **responses(*SIGNED_ERRORS)},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                 "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                 "image/png": {"schema": {"type": "string", "format": "binary"}},
                 "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def put_attachment(sha256: Annotated[str, PathParam(pattern=SHA256_PATTERN)], caller: Signed,
                       content_type: Annotated[str | None, Header(max_length=200)] = None) -> JSONResponse:
        data = caller.body
        if not data:
            raise ApiError(422, "empty", "The attachment is empty.")
        actual = caller.body_sha256
        if actual != sha256:
            raise ApiError(422, "hash_mismatch", f"The bytes hash to {actual}, not to the {sha256} in the path.")
        stored = store.put_attachment(sha256, (content_type or "application/octet-stream")[:100], data,
                                      caller.device_id)
        return JSONResponse({"sha256": sha256, "size": len(data), "stored": stored}, status_code=201 if stored else 200)

    @app.post("/v1/records/{kind}", tags=["records"], response_model=RecordsAnswer, responses=responses(*SIGNED_ERRORS))
    def put_records(kind: Annotated[str, PathParam(pattern=KIND_PATTERN, description="e.g. survey, queue_stats")],
                    body: RecordsBody, caller: Signed) -> dict[str, Any]:
        """Survey answers, queue statistics...: each record once by (kind, id); repeats are no-ops. An id
        another device filed is a conflict, whatever its payload (no data about it is returned)."""
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


class LockoutClearBody(BaseModel):
    """``{"address": "10.0.0.7"}`` lifts one address's enrollment lockout; no body (or no address) lifts all."""

    model_config = ConfigDict(extra="forbid")
    address: str | None = Field(default=None, min_length=1, max_length=100)


def _add_admin_routes(app: FastAPI, store: CentralStore, faults: Faults, admin_token: str,
                      throttle: EnrollThrottle) -> None:
    """Tests, demos and regional IT, not part of the contract: status changes, fault settings, enrollment
    lockouts; and the receipt's page.

    Kept out of the OpenAPI document on purpose: the national API has no such routes (this is the
    reference server's test and demo control), a wrong token answers 404 so that they stay hidden
    (a documented security scheme would be refused with 401), and fuzzing ``/admin/faults`` would
    inject failures and delays into the rest of a contract run. Their inputs are typed all the same
    (:class:`central_api.contract.FaultsBody`) and tested by hand (tests/sync/test_central_odd_inputs.py)."""

    def admin(request: Request) -> None:
        if not admin_token or not same_secret(request.headers.get("x-admin-token", ""), admin_token):
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

    @app.get("/admin/enroll-lockouts", include_in_schema=False, dependencies=[Depends(admin)])
    def admin_lockouts() -> dict[str, Any]:
        return {"locked_out": throttle.locked()}

    @app.post("/admin/enroll-lockouts/clear", include_in_schema=False, dependencies=[Depends(admin)])
    def admin_clear_lockouts(body: LockoutClearBody | None = None) -> dict[str, Any]:
        """Lift the lockout of one address, or of all; answers the addresses lifted."""
        return {"cleared": throttle.clear(body.address if body else None), "locked_out": throttle.locked()}

    @app.put("/admin/faults", include_in_schema=False, dependencies=[Depends(admin)])
    def admin_faults(body: FaultsBody) -> dict[str, Any]:
        for name in ("fail_rate", "latency_ms", "drop_after_commit_rate", "in_flight_delay_s"):
            if name in body:
                setattr(faults, name, type(getattr(faults, name))(body[name]))
        return {"fail_rate": faults.fail_rate, "latency_ms": faults.latency_ms,
                "drop_after_commit_rate": faults.drop_after_commit_rate}

    @app.get("/status/{app_id}", include_in_schema=False, response_class=HTMLResponse)
    def status_page(app_id: str) -> HTMLResponse:
        """A phone-sized page for the receipt's QR (Bahasa Indonesia and English); values escaped by the template."""
        row = store.application(app_id) if re.fullmatch(UUID_PATTERN, app_id) else None
        if row is None:
            text = _NOT_FOUND.render()
        else:
            text = _FOUND.render(number=row["number"], status=row["status"], updated_at=row["updated_at"])
        return HTMLResponse(str(_STATUS_PAGE.render(text=text)))


_STATUS_PAGE = HtmlTemplate("<!doctype html><meta name=viewport content='width=device-width'>"
                            "<body style='font:20px sans-serif;padding:1em'>$text</body>")
_FOUND = HtmlTemplate("<b>$number</b><br>Status: <b>$status</b><br>$updated_at")
_NOT_FOUND = HtmlTemplate("Permohonan belum ditemukan. Mungkin belum terkirim dari kios; coba lagi nanti.<br>"
                          "Application not found yet. It may not have been sent from the kiosk; try again later.")


# -- running ----------------------------------------------------------------------------------

class RunningCentral(RunningServer):
    """The reference API on a background thread (loopback by default) with its own store.

    ``min_code_length`` refuses short codes (``kiosk central-api`` uses 16; tests may use short ones),
    ``enroll_limits`` sets the enrollment rate limits (see :class:`EnrollLimits`).
    ``url`` to reach it, ``faults`` to change behaviour while it runs, ``store`` to look inside,
    :meth:`stop` (or ``with``) to end it and close the store. ``db`` is a SQLite file or a
    ``postgresql://`` URL (then ``key_path`` names the sealing key's file; see :func:`open_store`).
    """

    def __init__(self, db: Path | str, *, key_path: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 enroll_codes: Iterable[str] = (), catalog_path: Path | None = None,
                 register: IdentityRegister | None = None, faults: Faults | None = None,
                 admin_token: str = "", skew_seconds: int = DEFAULT_SKEW_SECONDS,
                 registrations: Mapping[str, Registration] | None = None,
                 enroll_limits: EnrollLimits | None = None, min_code_length: int = 0) -> None:
        self.store = open_store(db, key_path)
        try:
            self.store.add_enroll_codes(enroll_codes, min_length=min_code_length)
        except ValueError:
            self.store.close()
            raise
        self.faults = faults or Faults()
        self.app = create_app(self.store, catalog_path=catalog_path, register=register, faults=self.faults,
                              admin_token=admin_token, skew_seconds=skew_seconds, registrations=registrations,
                              enroll_limits=enroll_limits)
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
    return create_app(store=None).openapi()  # type: ignore[arg-type]  # no route runs: no store needed


def write_openapi(path: Path) -> None:
    """Write ``docs/api/central.openapi.json`` (stable order, trailing newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
