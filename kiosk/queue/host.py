"""The building's queue host: the ticket engine behind a small versioned HTTP API.

Kiosks, counter consoles and lobby boards on other machines reach the one :class:`QueueEngine` of
the building through this service. Every request carries ``Authorization: Bearer <token>``; the
token names the device and its role (:class:`DeviceGrant`), and the device id is the actor written
to the audit trail (``<device>@counter-<n>`` for actions done at a counter).

Endpoints (all under ``/v1``; roles allowed in brackets, ``admin`` may do everything):

* ``POST /tickets`` [kiosk] issue; ``request_id`` makes retries safe (201 new, 200 the same again)
* ``GET /tickets/{id}``, ``GET /services/{code}/preview``, ``GET /waiting?services=A,B``,
  ``GET /counters/{n}/current``, ``GET /counters/{n}/stats`` [kiosk, counter]
* ``POST /counters/{n}/call-next`` (204 when nobody waits), ``POST /counters/{n}/call``,
  ``POST /tickets/{id}/recall|start|finish|no-show|reactivate|cancel|transfer`` [counter]
* ``GET /board``, ``GET /events`` (Server-Sent Events) [kiosk, counter, display]
* ``PUT /tickets/{id}/application`` [kiosk] attach the counter's view of the application the
  citizen filed with the ticket (201 attached, 200 the same again or its new sync state);
  ``GET /tickets/{id}/application`` [counter] read it (404 ``no_application`` when there is
  none). The view holds personal data (UU 27/2022): only a masked NIK is accepted, answers are
  never logged nor put in the audit trail, and views are deleted once their ticket's day is over
  (at start, at each attach, and every ``purge_every_seconds``). A kiosk or display cannot read it.
* ``GET /health`` (no token): ``{"ok": true, "time": <UTC ISO>}`` for the terminals' clock offset
* ``GET /status/{token}`` (no token: the citizen's phone, from the ticket's QR): where one ticket
  stands, as JSON or, for a browser (``Accept: text/html``), a small self-refreshing page; the
  token is a hash of the ticket's random id (:mod:`kiosk.queue.status`)

Engine errors map to JSON ``{"error": <code>, "message": <plain English>}``: unknown service or
ticket 404, a refused state change 409 ``illegal_transition`` with the ticket's current ``state``,
``quota_full`` 409, ``closed`` 409 with ``next_open``, a reused request id 422, another application
on the same ticket 409 ``application_conflict``, a past day's ticket 409 ``ticket_expired``; a body
that fails validation 422 ``invalid_request`` naming the fields (never echoing the values sent).

The wire format (:func:`ticket_to_json`, :func:`ticket_from_json`, ...) lives in :mod:`kiosk.queue.wire`,
shared with the HTTP client; it is re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
import time as wallclock
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import (
    FIELD_ID_PATTERN,
    ID_PATTERN,
    MASKED_NIK_PATTERN,
    MAX_ANSWER_LENGTH,
    MAX_ANSWERS,
    MAX_DOCUMENT_KINDS,
    MAX_PHOTOS_PER_KIND,
    ApplicationConflict,
    ApplicationView,
    Closed,
    IllegalTransition,
    PriorityGroup,
    QueueError,
    QueueEvent,
    QuotaFull,
    RequestIdConflict,
    Ticket,
    TicketExpired,
    TicketNotFound,
    UnknownService,
)
from kiosk.queue.status import TOKEN_LENGTH, StatusIndex, status_page, ticket_status
from kiosk.queue.wire import (  # noqa: F401  (re-exported: the host's wire format)
    _time_to_json,
    application_view_to_json,
    attached_application_to_json,
    board_from_json,
    board_to_json,
    event_from_json,
    event_to_json,
    issued_from_json,
    issued_to_json,
    preview_from_json,
    preview_to_json,
    ticket_from_json,
    ticket_to_json,
)

log = logging.getLogger(__name__)

API_VERSION = "1"
KEEPALIVE_SECONDS = 15.0
PURGE_EVERY_SECONDS = 300.0  # past days' application views are gone at most this long after midnight
_SSE_POLL_SECONDS = 0.25  # how often an idle stream checks for a gone client or a stopping server
_SSE_QUEUE_SIZE = 1000
_SSE_BATCH = 100  # events joined into one write at most

Role = Literal["kiosk", "counter", "display", "admin"]


@dataclasses.dataclass(frozen=True)
class DeviceGrant:
    """What a bearer token allows: which device it is and what that device may do."""

    device_id: str
    role: Role


# -- errors -----------------------------------------------------------------------------------

class ApiError(Exception):
    """Answered as ``{"error": code, "message": message, **extra}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.extra = extra


def _queue_error(exc: QueueError) -> ApiError:
    message = str(exc)
    message = message[:1].upper() + message[1:] + "."
    if isinstance(exc, UnknownService):
        return ApiError(404, "unknown_service", message, service=exc.service)
    if isinstance(exc, TicketNotFound):
        return ApiError(404, "ticket_not_found", message)
    if isinstance(exc, IllegalTransition):  # RecallLimitReached included
        return ApiError(409, "illegal_transition", message, state=exc.current_state.value)
    if isinstance(exc, QuotaFull):
        return ApiError(409, "quota_full", message, service=exc.service, quota=exc.quota)
    if isinstance(exc, Closed):
        return ApiError(409, "closed", message, next_open=_time_to_json(exc.next_open))
    if isinstance(exc, RequestIdConflict):
        return ApiError(422, "request_id_conflict", message, ticket=ticket_to_json(exc.ticket))
    if isinstance(exc, ApplicationConflict):
        return ApiError(409, "application_conflict", message, application=exc.attached_number)
    if isinstance(exc, TicketExpired):
        return ApiError(409, "ticket_expired", message, day=exc.ticket.day)
    return ApiError(409, "queue_error", message)


# -- request bodies ---------------------------------------------------------------------------

class IssueBody(BaseModel):
    service_code: str = Field(min_length=1)
    request_id: str = Field(min_length=1, max_length=200,
                            description="Client-generated; a retry with the same id returns the same ticket.")
    priority: PriorityGroup | None = None
    lang: str = Field(default="id", min_length=1, max_length=16)
    nik_masked: str | None = Field(default=None, max_length=32)
    identity_status: Literal["none", "verified", "to_verify_at_counter"] = "none"


class CallNextBody(BaseModel):
    services: list[str] = Field(min_length=1)
    priority_only: bool = False


class CallSpecificBody(BaseModel):
    number: str = Field(min_length=1)


class ActionBody(BaseModel):
    counter: int | None = Field(default=None, ge=1, description="The counter acting; recorded in the audit trail.")


class TransferBody(ActionBody):
    to_service: str = Field(min_length=1)


_FieldId = Annotated[str, StringConstraints(pattern=FIELD_ID_PATTERN)]


class ApplicationViewBody(BaseModel):
    """The counter's view of the application filed with a ticket (:class:`kiosk.queue.models.ApplicationView`)."""

    model_config = ConfigDict(extra="forbid")  # nothing else (a full NIK, say) can ride along

    application_id: str = Field(pattern=ID_PATTERN, description="The kiosk's id of the application (uuid4).")
    number: str = Field(min_length=1, max_length=64, description="The application number on the receipt.")
    service_code: str = Field(min_length=1, max_length=64)
    nik_masked: str = Field(pattern=MASKED_NIK_PATTERN, description="Always masked (3171********0001).")
    created_at: AwareDatetime
    sync_state: Literal["pending", "sending", "sent", "rejected"] = Field(
        description="Where the kiosk's copy stands on its way to MPP Digital.")
    answers: dict[_FieldId, Annotated[str, StringConstraints(max_length=MAX_ANSWER_LENGTH)]] = Field(
        default_factory=dict, max_length=MAX_ANSWERS,
        description="Form field id → answer; NIK-type answers masked. Personal data: kept for the ticket's day only.")
    documents: dict[_FieldId, Annotated[int, Field(ge=0, le=MAX_PHOTOS_PER_KIND)]] = Field(
        default_factory=dict, max_length=MAX_DOCUMENT_KINDS, description="Document kind → pages photographed.")
    details_deleted: bool = Field(default=False, description="The kiosk's retention already deleted the answers.")

    def view(self) -> ApplicationView:
        """The domain value; rules pydantic cannot express (total size) answer 422 by name."""
        try:
            return ApplicationView(**self.model_dump())
        except ValueError as exc:  # the rules pydantic cannot say (total size): named, values not echoed
            raise ApiError(422, "invalid_request", str(exc)[:1].upper() + str(exc)[1:] + ".") from None


class AttachedApplicationAnswer(ApplicationViewBody):
    """A ticket's application as the host keeps it: the view, which ticket, and since when."""

    ticket_id: str
    ticket_number: str
    attached_at: AwareDatetime
    updated_at: AwareDatetime


# -- the app ----------------------------------------------------------------------------------

_TICKET_ID = Annotated[str, PathParam(min_length=1, max_length=100)]
_COUNTER = Annotated[int, PathParam(ge=1, le=999)]

_READERS: tuple[Role, ...] = ("kiosk", "counter", "admin")
_ISSUERS: tuple[Role, ...] = ("kiosk", "admin")
_COUNTERS: tuple[Role, ...] = ("counter", "admin")
_WATCHERS: tuple[Role, ...] = ("kiosk", "counter", "display", "admin")


def _require(*roles: Role) -> Callable[[Request], DeviceGrant]:
    """A dependency: the caller's grant, if its bearer token is known and its role allowed."""
    async def check(request: Request) -> DeviceGrant:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "unauthorized", "A bearer token is required (Authorization: Bearer <token>).",
                           headers={"WWW-Authenticate": "Bearer"})
        grant = request.app.state.device_grants.get(token)
        if grant is None:
            raise ApiError(401, "unauthorized", "The token is not known to this queue host.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if grant.role != "admin" and grant.role not in roles:
            raise ApiError(403, "forbidden", f"A {grant.role} device may not do this.")
        return grant
    return check


Reader = Annotated[DeviceGrant, Depends(_require(*_READERS))]
Issuer = Annotated[DeviceGrant, Depends(_require(*_ISSUERS))]
Clerk = Annotated[DeviceGrant, Depends(_require(*_COUNTERS))]
Watcher = Annotated[DeviceGrant, Depends(_require(*_WATCHERS))]


class _Hub:
    """Fans committed engine events out to the connected SSE clients (one asyncio queue each).

    The engine calls :meth:`on_event` on the committing thread (the event loop's own, since the
    handlers run there; any thread works): events are handed to each client's loop with
    ``call_soon_threadsafe``. It also notes, per thread, which ticket the
    last ``issued`` event created, so the issue endpoint can tell a new ticket from a retry.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[tuple[str, str]]]] = set()
        self.issuing = threading.local()

    def on_event(self, event: QueueEvent) -> None:
        if event.type.value == "issued":
            self.issuing.created = event.ticket.id
        with self._lock:
            clients = list(self._clients)
        if not clients:
            return
        item = (event.type.value, json.dumps(event_to_json(event), ensure_ascii=False, default=str))
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, queue in clients:
            if loop is current:  # the usual case (handlers run on the loop): no wake-up through the loop's pipe
                self._offer(queue, item)
                continue
            with contextlib.suppress(RuntimeError):  # that client's loop is closing
                loop.call_soon_threadsafe(self._offer, queue, item)

    @staticmethod
    def _offer(queue: asyncio.Queue[tuple[str, str]], item: tuple[str, str]) -> None:
        if queue.full():
            # A client this far behind gets one "resync" instead of the backlog (the host keeps its
            # memory; the client redraws from the board, which is what counts, and misses no call
            # on screen). Its listeners are told, so nothing is silently lost.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(("resync", "{}"))
            return
        queue.put_nowait(item)

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    @contextlib.contextmanager
    def client(self) -> Iterator[asyncio.Queue[tuple[str, str]]]:
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=_SSE_QUEUE_SIZE)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._clients.add(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._clients.discard(entry)


class _EventStreamResponse(StreamingResponse):
    """A streaming response without Starlette's own disconnect watcher.

    That watcher (used with uvicorn's httptools, ASGI spec 2.3) waits on ``receive()`` and cancels
    the stream when it returns ``http.disconnect``; on a loaded machine it did so for clients that
    were still connected (seen: one stream in three cut right after ": connected"). The event
    stream finds gone clients itself (``request.is_disconnected()`` between events, and a failed
    send), so it only streams.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.stream_response(send)
        except OSError:
            pass  # the client went away mid-send


def validation_message(exc: RequestValidationError) -> str:
    """What was wrong with a request, naming fields and rules but never the values sent.

    FastAPI's default 422 echoes the values: for our APIs those are NIKs and application answers
    that would end up in the client's log (docs/NOTES.md)."""
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "The request is invalid."


def create_app(engine: QueueEngine, tokens: Mapping[str, DeviceGrant], *,
               counters_serving: Callable[[str], int] | None = None,
               keepalive_seconds: float = KEEPALIVE_SECONDS,
               purge_every_seconds: float = PURGE_EVERY_SECONDS) -> FastAPI:
    """The queue host's API over ``engine``; ``tokens`` maps bearer tokens to devices.

    ``counters_serving(service_code)`` (default: 1) refines wait estimates. Building the app does
    not touch the engine; it subscribes to it while the app runs (ASGI lifespan), and deletes the
    application views of past days when it starts and every ``purge_every_seconds``.
    """
    grants = dict(tokens)
    hub = _Hub()
    # Handlers are ``async def`` and call the engine directly on the event loop: an engine call
    # takes about half a millisecond under one lock, so handing each request to a thread pool (and
    # back) cost more than the work. Measured with bench/queue_host.py (50 terminals, closed loop):
    # 330-430 ops/s with thread-pool handlers, 700-855 ops/s on the loop; paced 300 ops/s p99 49 → 13 ms.

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        unsubscribe = engine.subscribe(hub.on_event)
        engine.purge_application_views()
        purging = asyncio.get_running_loop().create_task(purge_views_at_rollover())
        try:
            yield
        finally:
            purging.cancel()
            unsubscribe()

    async def purge_views_at_rollover() -> None:
        while True:
            await asyncio.sleep(purge_every_seconds)
            try:
                engine.purge_application_views()
            except Exception as exc:  # a busy or full disk: try again next time, keep serving
                log.warning("deleting past days' application views failed (retrying later): %s", exc)

    app = FastAPI(title="MPP Kiosk queue host", version=API_VERSION, lifespan=lifespan,
                  description="The building's ticket queue, shared by kiosks, counters and lobby boards.")
    app.state.device_grants = grants
    app.state.event_hub = hub

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message, **exc.extra}, status_code=exc.status,
                            headers=exc.headers)

    @app.exception_handler(QueueError)
    async def _engine_error(_request: Request, exc: QueueError) -> JSONResponse:
        return await _api_error(_request, _queue_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "message": validation_message(exc)},
                            status_code=422)

    def actor(grant: DeviceGrant, counter: int | None) -> str:
        return f"{grant.device_id}@counter-{counter}" if counter is not None else grant.device_id

    def serving(service_code: str) -> int:
        return max(1, counters_serving(service_code)) if counters_serving is not None else 1

    @app.get("/v1/health", tags=["host"])
    async def health() -> dict[str, Any]:
        return {"ok": True, "time": datetime.now(UTC).isoformat()}

    status_index = StatusIndex(engine)

    @app.get("/v1/status/{token}", tags=["citizen"], responses={
        200: {"description": "Where the ticket stands (JSON), or a phone page when the browser asks for HTML.",
              "content": {"text/html": {"schema": {"type": "string"}}}},
        404: {"description": "No ticket of the last two days has this token."}})
    async def status(request: Request, token: Annotated[str, PathParam(
            min_length=TOKEN_LENGTH, max_length=TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_-]+$",
            description="The ticket's status token, as printed in its QR code")]) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        ticket = status_index.find(token)
        if ticket is None:
            if wants_html:
                return Response(status_page(None), status_code=404, media_type="text/html")
            raise ApiError(404, "ticket_not_found", "No ticket has this status code.")
        answer = ticket_status(engine, ticket, serving(ticket.service_code))
        if wants_html:
            local = datetime.now(UTC).astimezone(engine.tz).strftime("%H:%M")
            return Response(status_page(answer, answer["lang"], local), media_type="text/html",
                            headers={"Cache-Control": "no-store"})
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    @app.post("/v1/tickets", status_code=201, tags=["kiosk"])
    async def issue(body: IssueBody, grant: Issuer) -> JSONResponse:
        hub.issuing.created = None
        issued = engine.issue(body.service_code, request_id=body.request_id, priority=body.priority,
                              lang=body.lang, nik_masked=body.nik_masked, identity_status=body.identity_status,
                              actor=grant.device_id, counters_serving=serving(body.service_code))
        created = hub.issuing.created == issued.ticket.id
        status_index.remember(issued.ticket)
        return JSONResponse(issued_to_json(issued), status_code=201 if created else 200)

    @app.get("/v1/tickets/by-number/{number}", tags=["read"], responses={
        404: {"description": "No ticket of today has this number."}})
    async def find_ticket(number: Annotated[str, PathParam(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$",
                                                           description="A ticket number as printed, e.g. A-012")],
                          _grant: Reader) -> dict[str, Any]:
        """Today's ticket with this number (the kiosk's "Nilai layanan kami" rates it by the paper's number)."""
        return ticket_to_json(engine.find(number))

    @app.get("/v1/tickets/{ticket_id}", tags=["read"])
    async def get_ticket(ticket_id: _TICKET_ID, _grant: Reader) -> dict[str, Any]:
        return ticket_to_json(engine.get(ticket_id))

    @app.get("/v1/services/{code}/preview", tags=["read"])
    async def preview(code: str, _grant: Reader, priority: PriorityGroup | None = None) -> dict[str, Any]:
        return preview_to_json(engine.preview(code, priority=priority, counters_serving=serving(code)))

    @app.post("/v1/counters/{counter}/call-next", tags=["counter"],
              responses={204: {"description": "Nobody (eligible) is waiting."}})
    async def call_next(counter: _COUNTER, body: CallNextBody, grant: Clerk) -> Response:
        ticket = engine.call_next(counter, body.services, actor=actor(grant, counter),
                                  priority_only=body.priority_only)
        if ticket is None:
            return Response(status_code=204)
        return JSONResponse(ticket_to_json(ticket))

    @app.post("/v1/counters/{counter}/call", tags=["counter"])
    async def call_specific(counter: _COUNTER, body: CallSpecificBody, grant: Clerk) -> dict[str, Any]:
        return ticket_to_json(engine.call_specific(counter, body.number, actor=actor(grant, counter)))

    def action(name: str, method: str) -> None:
        async def handler(ticket_id: _TICKET_ID, grant: Clerk,
                          body: Annotated[ActionBody | None, Body()] = None) -> JSONResponse:
            change: Callable[..., Ticket] = getattr(engine, method)
            return JSONResponse(ticket_to_json(change(ticket_id, actor=actor(grant, body.counter if body else None))))

        handler.__name__ = name.replace("-", "_")
        # The answer is built here (no response model to re-validate): start and finish are half
        # of a counter's requests (the API description still says "an object").
        app.post(f"/v1/tickets/{{ticket_id}}/{name}", tags=["counter"], name=handler.__name__,
                 response_model=dict[str, Any])(handler)

    action("recall", "recall")
    action("start", "start")
    action("finish", "finish")
    action("no-show", "no_show")
    action("reactivate", "reactivate")
    action("cancel", "cancel")

    @app.post("/v1/tickets/{ticket_id}/transfer", tags=["counter"])
    async def transfer(ticket_id: _TICKET_ID, body: TransferBody, grant: Clerk) -> dict[str, Any]:
        return ticket_to_json(engine.transfer(ticket_id, body.to_service, actor=actor(grant, body.counter)))

    @app.put("/v1/tickets/{ticket_id}/application", status_code=201, tags=["kiosk"], responses={
        201: {"model": AttachedApplicationAnswer, "description": "Attached to the ticket."},
        200: {"model": AttachedApplicationAnswer,
              "description": "The same view again (a retry), or the same application's new sync state."},
        404: {"description": "No such ticket."},
        409: {"description": "`application_conflict`: the ticket carries another application; "
                             "`ticket_expired`: the ticket is from a past day."}})
    async def attach_application(ticket_id: _TICKET_ID, body: ApplicationViewBody, grant: Issuer) -> JSONResponse:
        attached, outcome = engine.attach_application(ticket_id, body.view(), actor=grant.device_id)
        return JSONResponse(attached_application_to_json(attached), status_code=201 if outcome == "attached" else 200,
                            headers={"Cache-Control": "no-store"})

    @app.get("/v1/tickets/{ticket_id}/application", tags=["counter"], responses={
        200: {"model": AttachedApplicationAnswer, "description": "The application filed with the ticket."},
        404: {"description": "`ticket_not_found`, or `no_application`: the ticket has none (or its day is over)."}})
    async def application_of(ticket_id: _TICKET_ID, _grant: Clerk) -> JSONResponse:
        attached = engine.application_of(ticket_id)
        if attached is None:
            raise ApiError(404, "no_application", "This ticket has no application attached (none was filed with it, "
                                                  "or its day is over and the application was deleted).")
        return JSONResponse(attached_application_to_json(attached), headers={"Cache-Control": "no-store"})

    @app.get("/v1/waiting", tags=["read"])
    async def waiting(_grant: Reader, services: Annotated[str | None, Query(
            description="Comma-separated service codes; all services when absent.")] = None) -> list[dict[str, Any]]:
        codes = [c.strip() for c in services.split(",") if c.strip()] if services is not None else None
        return [ticket_to_json(t) for t in engine.waiting(codes)]

    @app.get("/v1/counters/{counter}/current", tags=["read"],
             responses={204: {"description": "The counter has no called or serving ticket."}})
    async def current(counter: _COUNTER, _grant: Reader) -> Response:
        ticket = engine.current_at(counter)
        if ticket is None:
            return Response(status_code=204)
        return JSONResponse(ticket_to_json(ticket))

    @app.get("/v1/counters/{counter}/stats", tags=["read"])
    async def stats(counter: _COUNTER, _grant: Reader) -> dict[str, Any]:
        return engine.counter_stats(counter)

    @app.get("/v1/board", tags=["board"])
    async def board(_grant: Watcher, recent: Annotated[int, Query(ge=0, le=100)] = 8) -> dict[str, Any]:
        return board_to_json(engine.board(recent=recent))

    @app.get("/v1/events", tags=["board"], response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "Server-Sent Events: `event: <type>`, `data: <json>`."}})
    async def events(request: Request, _grant: Watcher) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            with hub.client() as queue:
                yield ": connected\n\n"  # the subscription is live once a client reads this
                last_sent = wallclock.monotonic()
                while True:
                    try:
                        kind, data = await asyncio.wait_for(queue.get(), timeout=_SSE_POLL_SECONDS)
                    except TimeoutError:
                        server = getattr(request.app.state, "uvicorn_server", None)
                        if (server is not None and server.should_exit) or await request.is_disconnected():
                            return
                        if wallclock.monotonic() - last_sent >= keepalive_seconds:
                            last_sent = wallclock.monotonic()
                            yield ": keepalive\n\n"
                        continue
                    last_sent = wallclock.monotonic()
                    # What else is already queued goes in the same write: under load one send
                    # carries several events instead of one system call (and wake-up) each.
                    chunk = [f"event: {kind}\ndata: {data}\n\n"]
                    while not queue.empty() and len(chunk) < _SSE_BATCH:
                        kind, data = queue.get_nowait()
                        chunk.append(f"event: {kind}\ndata: {data}\n\n")
                    yield "".join(chunk)

        return _EventStreamResponse(stream(), media_type="text/event-stream",
                                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


# -- running ----------------------------------------------------------------------------------

def make_server(app: FastAPI, host: str = "127.0.0.1", port: int = 8765) -> uvicorn.Server:
    """A uvicorn server for ``app`` that leaves the app's logging alone; port 0 picks a free one."""
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                            timeout_graceful_shutdown=5, lifespan="on")
    server = uvicorn.Server(config)
    app.state.uvicorn_server = server  # open event streams end when it is told to stop
    return server


def serve(app: FastAPI, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the host until interrupted (signals are handled only on the main thread)."""
    make_server(app, host, port).run()


class RunningServer:
    """A server running in a background thread: ``url`` to reach it, :meth:`stop` to end it."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0, *, start_timeout: float = 10.0) -> None:
        self.server = make_server(app, host, port)
        self.thread = threading.Thread(target=self.server.run, name=f"queue-host-{host}:{port}")
        self.thread.start()
        deadline = wallclock.monotonic() + start_timeout
        while not self.server.started:
            if not self.thread.is_alive() or wallclock.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the queue host did not start on {host}:{port}")
            wallclock.sleep(0.01)
        bound = self.server.servers[0].sockets[0].getsockname()
        self.host, self.port = bound[0], bound[1]
        self.url = f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise RuntimeError("the queue host did not stop in time")


# -- API description --------------------------------------------------------------------------

def openapi_document(*, examples: bool = True) -> dict[str, Any]:
    """The API description, with request/answer examples recorded from a real session on loopback."""
    app = create_app(engine=None, tokens={})  # type: ignore[arg-type]  # describing needs no engine
    document = app.openapi()
    if examples:
        from kiosk.queue.api_examples import add_examples, recorded_examples

        add_examples(document, recorded_examples())
    return document


def write_openapi(path: Path) -> None:
    """Write the OpenAPI description of the API to ``path`` (stable key order, trailing newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
