"""A counter's console: call the next ticket (or one by number), see its current ticket, its day's
figures, and who waits for the services it serves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from kiosk.queue.routes.access import Clerk, Reader, actor
from kiosk.queue.routes.context import CounterNo, HostContext
from kiosk.queue.routes.errors import REFUSED_CHANGE
from kiosk.queue.routes.types import MAX_SERVICES, BodyModel, Flag, ServiceCode, TicketNumber
from kiosk.queue.wire import ticket_to_json

# Within what the HTTP server reads of a URL (64 KiB) even when every character takes 12 bytes
# percent-encoded; beyond, it answered a bare 400 before the app saw the request.
MAX_SERVICES_QUERY = 4000


class CallNextBody(BodyModel):
    services: list[ServiceCode] = Field(min_length=1, max_length=MAX_SERVICES)
    priority_only: Flag = False


class CallSpecificBody(BodyModel):
    number: TicketNumber


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()
    engine = host.engine

    @routes.post("/v1/counters/{counter}/call-next", tags=["counter"],
                 responses={204: {"description": "Nobody (eligible) is waiting."}})
    async def call_next(counter: CounterNo, body: CallNextBody, grant: Clerk) -> Response:
        ticket = engine.call_next(counter, body.services, actor=actor(grant, counter),
                                  priority_only=body.priority_only)
        if ticket is None:
            return Response(status_code=204)
        return JSONResponse(ticket_to_json(ticket))

    @routes.post("/v1/counters/{counter}/call", tags=["counter"], responses={
        404: {"description": "`ticket_not_found`: no ticket of today has this number."}, **REFUSED_CHANGE})
    async def call_specific(counter: CounterNo, body: CallSpecificBody, grant: Clerk) -> dict[str, Any]:
        return ticket_to_json(engine.call_specific(counter, body.number, actor=actor(grant, counter)))

    @routes.get("/v1/counters/{counter}/current", tags=["read"],
                responses={204: {"description": "The counter has no called or serving ticket."}})
    async def current(counter: CounterNo, _grant: Reader) -> Response:
        ticket = engine.current_at(counter)
        if ticket is None:
            return Response(status_code=204)
        return JSONResponse(ticket_to_json(ticket))

    @routes.get("/v1/counters/{counter}/stats", tags=["read"])
    async def stats(counter: CounterNo, _grant: Reader) -> dict[str, Any]:
        return engine.counter_stats(counter)

    @routes.get("/v1/waiting", tags=["read"])
    async def waiting(_grant: Reader, services: Annotated[str | None, Query(
            max_length=MAX_SERVICES_QUERY,
            description="Comma-separated service codes; all services when absent.")] = None) -> list[dict[str, Any]]:
        codes = [c.strip() for c in services.split(",") if c.strip()] if services is not None else None
        return [ticket_to_json(t) for t in engine.waiting(codes)]

    return routes
