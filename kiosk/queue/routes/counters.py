"""A counter's console: call the next ticket (or one by number), see its current ticket, its day's
figures, and who waits for the services it serves.

"Panggil berikutnya" with a ticket in hand is one request (``finish-and-call-next``): the host finishes
that ticket and calls the next in one transaction, so a lost answer or a refused finish never leaves
one done without the other; ``undo-finish`` takes such a finish back. ``next-up`` names the ticket the
next call would take, by the same rule the call uses (kiosk.queue.calling).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field, StringConstraints

from kiosk.queue.routes.access import Clerk, Reader, actor
from kiosk.queue.routes.context import CounterNo, HostContext
from kiosk.queue.routes.errors import REFUSED_CHANGE
from kiosk.queue.routes.types import MAX_SERVICES, BodyModel, Flag, ServiceCode, TicketNumber, Unicode
from kiosk.queue.wire import ticket_to_json

# Within what the HTTP server reads of a URL (64 KiB) even when every character takes 12 bytes
# percent-encoded; beyond, it answered a bare 400 before the app saw the request.
MAX_SERVICES_QUERY = 4000


class CallNextBody(BodyModel):
    services: list[ServiceCode] = Field(min_length=1, max_length=MAX_SERVICES)
    priority_only: Flag = False


class CallSpecificBody(BodyModel):
    number: TicketNumber


BodyTicketId = Annotated[str, StringConstraints(min_length=1, max_length=100), Unicode]


class FinishAndCallBody(CallNextBody):
    finish: BodyTicketId | None = Field(default=None, description=(
        "The ticket this counter holds (called or serving), finished before the call; null: just call."))


class UndoFinishBody(BodyModel):
    finished: BodyTicketId = Field(description="The ticket finished by mistake: it is served again.")
    called: BodyTicketId | None = Field(default=None, description=(
        "The ticket the same key called (still only called): back in line at its place."))


NEXT_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"description": "`ticket_not_found`: no such ticket."},
    409: {"description": "`illegal_transition`: a ticket is not (or no longer) where the request says; "
                         "nothing changed."}}


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

    @routes.post("/v1/counters/{counter}/finish-and-call-next", tags=["counter"], responses=NEXT_REFUSED)
    async def finish_and_call_next(counter: CounterNo, body: FinishAndCallBody, grant: Clerk) -> dict[str, Any]:
        """Finish the ticket in hand and call the next, both or neither; `called` is null when nobody waits."""
        finished, called = engine.finish_and_call_next(counter, body.services, body.finish,
                                                       actor=actor(grant, counter), priority_only=body.priority_only)
        return {"finished": ticket_to_json(finished) if finished is not None else None,
                "called": ticket_to_json(called) if called is not None else None}

    @routes.post("/v1/counters/{counter}/undo-finish", tags=["counter"], responses=NEXT_REFUSED)
    async def undo_finish(counter: CounterNo, body: UndoFinishBody, grant: Clerk) -> dict[str, Any]:
        """Take back a finish pressed by mistake (within a minute): the ticket is served again."""
        return ticket_to_json(engine.undo_finish(counter, body.finished, body.called, actor=actor(grant, counter)))

    @routes.get("/v1/counters/{counter}/next-up", tags=["read"],
                responses={204: {"description": "Nobody (eligible) is waiting."}})
    async def next_up(counter: CounterNo, _grant: Reader, services: Annotated[str, Query(
            min_length=1, max_length=MAX_SERVICES_QUERY, description="Comma-separated service codes.")]) -> Response:
        """The ticket `call-next` would take now, by the same rule (the console marks it in its line)."""
        ticket = engine.next_up(counter, [c.strip() for c in services.split(",") if c.strip()])
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
