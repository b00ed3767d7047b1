"""The lobby board: its state now (``GET /v1/board``) and every change as it happens (``GET /v1/events``).

The event stream is Server-Sent Events (``event: <type>``, ``data: <json>``). Each role reads what it
uses (issue 21): kiosks and counters the ticket without its masked NIK or application (a kiosk
deletes a pending face by request id, a counter rereads an application by ticket id), every other
role, the lobby board first, only the number, service, state and counter. It was tuned for the
load of a whole building (bench/queue_host.py, docs/NOTES.md "The queue host's CPU per request"):
events already queued go out in one write, and the engine hands them over on the loop without a
wake-up through its pipe (:class:`~kiosk.queue.routes.hub.EventHub`). Not sse-starlette: its
disconnect listener ended live streams (docs/NOTES.md, "Libraries weighed for issue 15").
"""

from __future__ import annotations

import asyncio
import time as wallclock
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from kiosk.queue.routes.access import DeviceGrant, Watcher
from kiosk.queue.routes.context import HostContext
from kiosk.queue.wire import board_to_json

POLL_SECONDS = 0.25  # how often an idle stream checks for a gone client or a stopping server
BATCH = 100  # events joined into one write at most
TERMINAL_VIEW_ROLES = frozenset({"kiosk", "counter", "admin"})  # the others get the board's view


class EventStreamResponse(StreamingResponse):
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


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()

    @routes.get("/v1/board", tags=["board"])
    async def board(_grant: Watcher, recent: Annotated[int, Query(ge=0, le=100)] = 8) -> dict[str, Any]:
        return board_to_json(host.engine.board(recent=recent))

    @routes.get("/v1/events", tags=["board"], response_class=StreamingResponse,
                responses={200: {"content": {"text/event-stream": {}},
                                 "description": "Server-Sent Events: `event: <type>`, `data: <json>`."}})
    async def events(request: Request, grant: Watcher) -> StreamingResponse:
        """Every committed change: `type`, `at`, `counter` and the ticket's `number`, `service_code` and
        `state`. Kiosks, counters and admins also get the rest of the ticket except `nik_masked` and
        `application_id`, and the `actor` and `detail`; a lobby board gets no more (issue 21)."""
        return EventStreamResponse(_stream(request, host, grant), media_type="text/event-stream",
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return routes


async def _stream(request: Request, host: HostContext, grant: DeviceGrant) -> AsyncIterator[str]:
    with host.hub.client(board=grant.role not in TERMINAL_VIEW_ROLES) as queue:
        yield ": connected\n\n"  # the subscription is live once a client reads this
        last_sent = wallclock.monotonic()
        while True:
            try:
                kind, data = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                server = getattr(request.app.state, "uvicorn_server", None)
                if (server is not None and server.should_exit) or await request.is_disconnected():
                    return
                if wallclock.monotonic() - last_sent >= host.keepalive_seconds:
                    last_sent = wallclock.monotonic()
                    yield ": keepalive\n\n"
                continue
            last_sent = wallclock.monotonic()
            # What else is already queued goes in the same write: under load one send
            # carries several events instead of one system call (and wake-up) each.
            chunk = [f"event: {kind}\ndata: {data}\n\n"]
            while not queue.empty() and len(chunk) < BATCH:
                kind, data = queue.get_nowait()
                chunk.append(f"event: {kind}\ndata: {data}\n\n")
            yield "".join(chunk)
