"""The routes without a device token: the terminals' clock check and the citizen's ticket status.

``GET /v1/status/{token}`` is reached from the ticket's QR code on a phone: JSON, or for a browser
(``Accept: text/html``) the live phone page (:mod:`kiosk.queue.phone_page`); the token is a hash of
the ticket's random id (:mod:`kiosk.queue.status`). The page keeps itself current through
``GET /v1/status/{token}/events`` (Server-Sent Events: the page's view on each change of the ticket's
standing, and every keepalive period) and, when that stream fails, by polling
``GET /v1/status/{token}/view``. The page carries a strict Content-Security-Policy: its one style
block and its one script run under a nonce made for the response, nothing else runs or loads, and
it fetches only from its own host. The page names the MPP: the host is told its site's name with
:func:`name_site`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time as wallclock
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse

from kiosk.queue.models import Ticket
from kiosk.queue.phone_page import phone_view, status_page
from kiosk.queue.routes.board import POLL_SECONDS, EventStreamResponse
from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.strict_query import known_query_only
from kiosk.queue.status import TOKEN_LENGTH, ticket_status

MAX_PHONE_STREAMS = 1000  # open phone streams in all; past this a page polls instead (each costs a read per change)
MAX_STREAMS_PER_TICKET = 4  # one ticket's page open on a few phones (or tabs)
COALESCE_SECONDS = 0.2  # a burst of changes is one recomputation per stream, at most this often
STREAM_RETRY_MS = 3000  # the browser's reconnect delay after a dropped stream

Token = Annotated[str, PathParam(min_length=TOKEN_LENGTH, max_length=TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_-]+$",
                                 description="The ticket's status token, as printed in its QR code")]


def name_site(app: FastAPI, name: str) -> None:
    """Tell the status page which MPP it belongs to: the site config's ``[site] name``, shown at its top."""
    app.state.site_name = name


def _site_name(request: Request) -> str:
    """The name given with :func:`name_site`; empty when none was (the page then says "Mal Pelayanan Publik")."""
    name = getattr(request.app.state, "site_name", "")
    return name if isinstance(name, str) else ""


def page_headers(nonce: str) -> dict[str, str]:
    """The phone page's headers: never cached (the token is in the address), no referrer, nothing but
    its own nonce'd style and script, fetches only to its own host, never framed."""
    policy = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
              "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return {"Cache-Control": "no-store", "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


class StreamSlots:
    """Counts the open phone streams, in all and per ticket token, so a flood of pages cannot hold the host."""

    def __init__(self, total: int = MAX_PHONE_STREAMS, per_token: int = MAX_STREAMS_PER_TICKET) -> None:
        self.total, self.per_token = total, per_token
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, token: str) -> Iterator[bool]:
        """True while this stream holds a slot; False when none was free (the page then polls)."""
        with self._lock:
            taken = sum(self._open.values()) < self.total and self._open.get(token, 0) < self.per_token
            if taken:
                self._open[token] = self._open.get(token, 0) + 1
        try:
            yield taken
        finally:
            if taken:
                with self._lock:
                    left = self._open[token] - 1
                    if left:
                        self._open[token] = left
                    else:
                        del self._open[token]


def router(host: HostContext) -> APIRouter:
    routes = APIRouter(dependencies=[Depends(known_query_only)])  # the others check it with their token
    engine, status_index = host.engine, host.status_index
    slots = StreamSlots()

    def local_time() -> str:
        """The building's time on the engine's clock (a fixed clock gives the API examples a fixed time)."""
        return engine._now().astimezone(engine.tz).strftime("%H:%M")

    def status_of(ticket: Ticket | None) -> dict[str, Any] | None:
        return None if ticket is None else ticket_status(engine, ticket, host.serving(ticket.service_code))

    def view_of(token: str) -> tuple[Ticket | None, dict[str, Any]]:
        ticket = status_index.find(token)
        status = status_of(ticket)
        return ticket, phone_view(status, status["lang"] if status else "id", local_time())

    @routes.get("/v1/health", tags=["host"])
    async def health() -> dict[str, Any]:
        return {"ok": True, "time": datetime.now(UTC).isoformat()}

    @routes.get("/v1/status/{token}", tags=["citizen"], responses={
        200: {"description": "Where the ticket stands (JSON), or the live phone page when the browser asks for "
                             "HTML (with a strict Content-Security-Policy).",
              "content": {"text/html": {"schema": {"type": "string"}}}},
        404: {"description": "`ticket_not_found`: no ticket of the last two days has this token (a page for a "
                             "browser).", "content": {"text/html": {"schema": {"type": "string"}}}}})
    async def status(request: Request, token: Token) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        ticket = status_index.find(token)
        if ticket is None and not wants_html:
            raise ApiError(404, "ticket_not_found", "No ticket has this status code.")
        answer = status_of(ticket)
        if not wants_html:
            return JSONResponse(answer, headers={"Cache-Control": "no-store"})
        nonce = secrets.token_urlsafe(18)
        lang = answer["lang"] if answer else "id"
        page = status_page(answer, lang, local_time() if answer else "", _site_name(request), nonce)
        return Response(page, status_code=200 if answer else 404, media_type="text/html",
                        headers=page_headers(nonce))

    @routes.get("/v1/status/{token}/view", tags=["citizen"], responses={
        404: {"description": "`ticket_not_found`: no ticket of the last two days has this token."}})
    async def view(token: Token) -> JSONResponse:
        """What the phone page shows now, in the ticket's language: `state` (`waiting`, `near` with 3 or
        fewer people ahead, `called`, `serving`, `missed`, `done`), `number`, `title`, `alert`, `go`
        (the counter, when called), `lines`, `updated`. The page polls this when its event stream fails."""
        ticket, shown = view_of(token)
        if ticket is None:
            raise ApiError(404, "ticket_not_found", "No ticket has this status code.")
        return JSONResponse(shown, headers={"Cache-Control": "no-store"})

    @routes.get("/v1/status/{token}/events", tags=["citizen"], response_class=StreamingResponse, responses={
        200: {"content": {"text/event-stream": {}},
              "description": "Server-Sent Events: `event: view` with the page's view (as `/view` answers) on "
                             "every change of the ticket's standing, and at least every keepalive period."},
        404: {"description": "`ticket_not_found`: no ticket of the last two days has this token."},
        503: {"description": "`too_many_streams`: too many pages are open (in all, or for this ticket); "
                             "the page polls `/view` instead."}})
    async def events(request: Request, token: Token) -> StreamingResponse:
        if status_index.find(token) is None:
            raise ApiError(404, "ticket_not_found", "No ticket has this status code.")
        return EventStreamResponse(_stream(request, host, slots, token, view_of), media_type="text/event-stream",
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return routes


def _concerns(kind: str, data: str, ticket: Ticket | None) -> bool:
    """Whether a queue event may move this ticket: one of its service's (or its own, moved elsewhere)."""
    if ticket is None:
        return False
    if kind == "resync":
        return True
    try:
        moved = json.loads(data)["ticket"]
    except (ValueError, KeyError, TypeError):
        return True
    return bool(moved.get("service_code") == ticket.service_code or moved.get("number") == ticket.number)


ViewOf = Callable[[str], tuple[Ticket | None, dict[str, Any]]]


async def _stream(request: Request, host: HostContext, slots: StreamSlots, token: str,
                  view_of: ViewOf) -> AsyncIterator[str]:
    with slots.slot(token) as open_slot:
        if not open_slot:
            yield f"retry: {STREAM_RETRY_MS}\nevent: busy\ndata: {{}}\n\n"
            return
        with host.hub.client(board=True) as queue:
            yield f"retry: {STREAM_RETRY_MS}\n: connected\n\n"
            last, sent_at = None, float("-inf")
            while True:
                computed_at = wallclock.monotonic()
                ticket, shown = view_of(token)
                if shown != last or computed_at - sent_at >= host.keepalive_seconds:
                    last, sent_at = shown, computed_at
                    yield f"event: view\ndata: {json.dumps(shown, ensure_ascii=False)}\n\n"
                if not await _wait_for_change(request, host, queue, ticket, sent_at):
                    return
                await asyncio.sleep(max(0.0, COALESCE_SECONDS - (wallclock.monotonic() - computed_at)))


async def _wait_for_change(request: Request, host: HostContext, queue: asyncio.Queue[tuple[str, str]],
                           ticket: Ticket | None, sent_at: float) -> bool:
    """Until an event concerns ``ticket`` or the keepalive is due: True; False when the client or server is gone."""
    while True:
        try:
            kind, data = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
        except TimeoutError:
            server = getattr(request.app.state, "uvicorn_server", None)
            if (server is not None and server.should_exit) or await request.is_disconnected():
                return False
            if wallclock.monotonic() - sent_at >= host.keepalive_seconds:
                return True
            continue
        changed = _concerns(kind, data, ticket)
        while not queue.empty():
            kind, data = queue.get_nowait()
            changed = changed or _concerns(kind, data, ticket)
        if changed:
            return True
