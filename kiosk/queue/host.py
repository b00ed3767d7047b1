"""The building's queue host: the ticket engine behind a small versioned HTTP API.

Kiosks, counter consoles and lobby boards on other machines reach the one :class:`QueueEngine` of
the building through this service. Every request carries ``Authorization: Bearer <token>``; the
token names the device and its role (:class:`DeviceGrant`), and the device id is the actor written
to the audit trail (``<device>@counter-<n>`` for actions done at a counter).

Endpoints (all under ``/v1``; roles allowed in brackets, ``admin`` may do everything), one module
of :mod:`kiosk.queue.routes` per concern:

* tickets: ``POST /tickets`` [kiosk] issue; ``request_id`` makes retries safe (201 new, 200 the
  same again); ``GET /tickets/{id}``, ``GET /tickets/by-number/{number}``,
  ``GET /tickets/by-number/{number}/status`` (where it stands, nothing personal; throttled per device,
  :mod:`kiosk.queue.routes.lookup`), ``GET /services/{code}/preview``, ``GET /services/availability``
  (every service: open, closing soon,
  closed, quota full) [kiosk, counter]; ``POST /tickets/{id}/recall|start|finish|
  no-show|reactivate|cancel|transfer`` [counter]
* counters: ``POST /counters/{n}/call-next`` (204 when nobody waits), ``POST /counters/{n}/call``
  [counter]; ``GET /counters/{n}/current``, ``GET /counters/{n}/stats``,
  ``GET /waiting?services=A,B`` [kiosk, counter]
* applications: ``PUT /tickets/{id}/application`` [kiosk], ``GET`` the same [counter]: the
  counter's view of the application filed with the ticket (personal data: masked NIK only, never
  logged, deleted once the ticket's day is over: at start, at each attach, and every
  ``purge_every_seconds``)
* board: ``GET /board``, ``GET /events`` (Server-Sent Events) [kiosk, counter, display]
* help (a kiosk's call for staff, :mod:`kiosk.queue.routes.help`): ``POST /help-requests`` [kiosk],
  ``GET /help-requests`` [counter, display], ``GET /help-requests/{id}`` [kiosk: its own, counter],
  ``POST /help-requests/{id}/acknowledge`` [counter], ``POST /help-requests/{id}/close`` [kiosk: its own]
* public (no token): ``GET /health`` ``{"ok": true, "time": <UTC ISO>}`` for the terminals' clock
  offset; ``GET /status/{token}``, the citizen's phone from the ticket's QR (:mod:`kiosk.queue.status`),
  kept live by ``GET /status/{token}/events`` (or polling ``/status/{token}/view``; :mod:`kiosk.queue.routes.public`)

Engine errors map to JSON ``{"error": <code>, "message": <plain English>}``: unknown service or
ticket 404, a refused state change 409 ``illegal_transition`` with the ticket's current ``state``,
``quota_full`` 409, ``closed`` 409 with ``next_open``, a reused request id 422, another application
on the same ticket 409 ``application_conflict``, a past day's ticket 409 ``ticket_expired``, a ticket
another kiosk issued 403 ``not_your_ticket``; a body, path or query that fails validation 422
``invalid_request`` naming the fields (never echoing the values sent). Every other refusal (an unknown
path 404 ``not_found``, 405, an unreadable body 400) has the same shape, and so has a crash (500): no
answer says ``{"detail": ...}``. Fields are strict and bounded (:mod:`kiosk.queue.routes.types`), and
the API description declares the bearer scheme and every status (:mod:`kiosk.queue.routes.contract`).

A request with a body is vetted before the body is read (:mod:`kiosk.queue.body_limit`): without a
known token it gets 401 at once, and a body over :data:`MAX_BODY_BYTES` gets 413 ``too_large``
(by ``Content-Length``, or as soon as a chunked body passes the limit), never parsed.

The wire format lives in :mod:`kiosk.queue.wire` (shared with the HTTP client), running a server in
:mod:`kiosk.queue.server`, the API description in :mod:`kiosk.queue.openapi`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from kiosk.queue.body_limit import BodyLimit, Refusal
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import QueueError
from kiosk.queue.routes import applications, availability, board, bookings, contract, counters, lookup, public, tickets
from kiosk.queue.routes import help as help_requests
from kiosk.queue.routes.access import DeviceGrant, unauthorized
from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError, queue_error
from kiosk.queue.routes.hub import EventHub
from kiosk.queue.server import validation_message
from kiosk.queue.status import StatusIndex

log = logging.getLogger(__name__)

API_VERSION = "1"
KEEPALIVE_SECONDS = 15.0
PURGE_EVERY_SECONDS = 300.0  # past days' application views are gone at most this long after midnight
# The largest body is an application view (kiosk.queue.models): at most 20,000 characters of answers,
# each up to 12 bytes as JSON (an emoji is written as two \uXXXX escapes) = 240,000 bytes, plus 100
# field ids and 40 document kinds of 64 characters: under 256 KiB with room to spare. Every other
# body is a few hundred bytes. tests/queue/test_host_limits.py checks the worst view fits.
MAX_BODY_BYTES = 256 * 1024


def create_app(engine: QueueEngine, tokens: Mapping[str, DeviceGrant], *,
               counters_serving: Callable[[str], int] | None = None,
               keepalive_seconds: float = KEEPALIVE_SECONDS,
               purge_every_seconds: float = PURGE_EVERY_SECONDS) -> FastAPI:
    """The queue host's API over ``engine``; ``tokens`` maps bearer tokens to devices.

    ``counters_serving(service_code)`` (default: 1) refines wait estimates. Building the app does
    not touch the engine; it subscribes to it while the app runs (ASGI lifespan), and deletes the
    application views of past days when it starts and every ``purge_every_seconds``.
    """
    host = HostContext(engine, EventHub(), StatusIndex(engine), counters_serving, keepalive_seconds)
    # Handlers are ``async def`` and call the engine directly on the event loop: an engine call
    # takes about half a millisecond under one lock, so handing each request to a thread pool (and
    # back) cost more than the work. Measured with bench/queue_host.py (50 terminals, closed loop):
    # 330-430 ops/s with thread-pool handlers, 700-855 ops/s on the loop; paced 300 ops/s p99 49 → 13 ms.

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        unsubscribe = engine.subscribe(host.hub.on_event)
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

    app = _QueueHostApi(
        title="MPP Kiosk queue host", version=API_VERSION, lifespan=lifespan,
        description="The building's ticket queue, shared by kiosks, counters and lobby boards. "
                    "A request with a body is refused before the body is read: 401 without a known "
                    f"device token, 413 `too_large` when the body is over {MAX_BODY_BYTES} bytes.")
    app.state.device_grants = grants = dict(tokens)
    app.state.event_hub = host.hub
    app.exception_handler(ApiError)(_api_error)
    app.exception_handler(QueueError)(_engine_error)
    app.exception_handler(RequestValidationError)(_invalid)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(Exception)(_crash)
    for routes in (public, availability, tickets, lookup, bookings, applications, counters, board, help_requests):
        router = routes.router(host)
        app.include_router(router)
        app.described_routes.extend(router.routes)

    def admit(authorization: str) -> Refusal | None:
        refusal = unauthorized(grants, authorization)
        return None if refusal is None else (refusal.status, {"error": refusal.code, "message": refusal.message},
                                             refusal.headers)

    app.add_middleware(BodyLimit, limit_for=_body_limit, admit=admit)
    return app


def _body_limit(_path: str) -> int:
    return MAX_BODY_BYTES


class _QueueHostApi(FastAPI):
    """The host's app; its API description is completed from the routes (security, every status, one error model)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.described_routes: list[BaseRoute] = []  # as the routers made them (the app nests included routers)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = contract.complete(super().openapi(), self.described_routes, MAX_BODY_BYTES)
        return self.openapi_schema


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": exc.code, "message": exc.message, **exc.extra}, status_code=exc.status,
                        headers=exc.headers)


async def _engine_error(request: Request, exc: QueueError) -> JSONResponse:
    return await _api_error(request, queue_error(exc))


async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": validation_message(exc)}, status_code=422)


_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's and FastAPI's own refusals (unknown path, wrong method, unreadable body) in the one shape."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400:  # not an error (FastAPI raises none today): nothing to wrap
        return Response(status_code=exc.status_code, headers=exc.headers)
    message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette names the methods of one route; the path may have several
        path = request.url.path
        methods = {m for route in getattr(request.app, "described_routes", ())
                   if isinstance(route, APIRoute) and route.path_regex.match(path) for m in route.methods or ()}
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return JSONResponse({"error": _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
                         "message": message.rstrip(".") + "."}, status_code=exc.status_code, headers=headers)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    """The last net: a bug still answers in the one shape (and is logged with its traceback by the server)."""
    log.error("queue host: %s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"error": "internal_error", "message": "The queue host failed; IT can find why in its log."},
                        status_code=500)
