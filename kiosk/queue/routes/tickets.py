"""Issuing tickets and changing their state: the kiosk issues, a counter moves a ticket along.

``POST /v1/tickets`` carries a client-made ``request_id``: a retry answers the same ticket (200
instead of 201), so a kiosk may resend after a lost answer without printing two numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import Field

from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import PriorityGroup, Ticket
from kiosk.queue.routes.access import Clerk, Issuer, Reader, actor
from kiosk.queue.routes.context import CodeParam, HostContext, TicketId
from kiosk.queue.routes.errors import NO_TICKET, REFUSED_CHANGE
from kiosk.queue.routes.types import BodyModel, CounterNumber, ServiceCode, Unicode
from kiosk.queue.wire import issued_to_json, preview_to_json, ticket_to_json
from kiosk.utils.privacy import MASKED_NIK_PATTERN

# The state changes a counter makes with no more than the counter's number: (path, engine method).
ACTIONS = (("recall", "recall"), ("start", "start"), ("finish", "finish"), ("no-show", "no_show"),
           ("reactivate", "reactivate"), ("cancel", "cancel"))


class IssueBody(BodyModel):
    service_code: ServiceCode
    request_id: Annotated[str, Unicode] = Field(
        min_length=1, max_length=200, description="Client-generated; a retry with the same id returns the same ticket.")
    priority: PriorityGroup | None = None
    lang: Annotated[str, Unicode] = Field(default="id", min_length=1, max_length=16)
    nik_masked: str | None = Field(default=None, pattern=MASKED_NIK_PATTERN, min_length=16, max_length=16,
                                   description="Always masked (3171********0001); a full NIK is refused.")
    identity_status: Literal["none", "verified", "to_verify_at_counter", "no_nik", "travel_document"] = Field(
        default="none", description="What the clerk must check: `to_verify_at_counter` (a NIK the face check did "
        "not match), `no_nik` (no KTP, NIK not known) and `travel_document` (a passport or KITAS, whose number "
        "is never sent) mark the ticket \"identitas diperiksa di loket\".")


class ActionBody(BodyModel):
    counter: CounterNumber | None = Field(default=None, description="The counter acting; recorded in the audit trail.")


class TransferBody(ActionBody):
    to_service: ServiceCode


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()
    engine, hub = host.engine, host.hub

    @routes.post("/v1/tickets", status_code=201, tags=["kiosk"], responses={
        200: {"description": "This `request_id` already issued this ticket (a retry): the same ticket, nothing new."},
        404: {"description": "`unknown_service`: no such service."},
        409: {"description": "`quota_full`: today's tickets for the service are used up; `closed`: outside "
                             "opening hours (`next_open` says when)."},
        422: {"description": "`request_id_conflict`: the request id issued a ticket for another choice."}})
    async def issue(body: IssueBody, grant: Issuer) -> JSONResponse:
        hub.issuing.created = None
        issued = engine.issue(body.service_code, request_id=body.request_id, priority=body.priority,
                              lang=body.lang, nik_masked=body.nik_masked, identity_status=body.identity_status,
                              actor=grant.device_id, counters_serving=host.serving(body.service_code))
        created = hub.issuing.created == issued.ticket.id
        host.status_index.remember(issued.ticket)
        return JSONResponse(issued_to_json(issued), status_code=201 if created else 200)

    @routes.get("/v1/tickets/by-number/{number}", tags=["read"], responses={
        404: {"description": "No ticket of today has this number."}})
    async def find_ticket(number: Annotated[str, PathParam(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$",
                                                           description="A ticket number as printed, e.g. A-012")],
                          _grant: Reader) -> dict[str, Any]:
        """Today's ticket with this number (the kiosk's "Nilai layanan kami" rates it by the paper's number)."""
        return ticket_to_json(engine.find(number))

    @routes.get("/v1/tickets/{ticket_id}", tags=["read"], responses=NO_TICKET)
    async def get_ticket(ticket_id: TicketId, _grant: Reader) -> dict[str, Any]:
        return ticket_to_json(engine.get(ticket_id))

    @routes.get("/v1/services/{code}/preview", tags=["read"], responses={
        404: {"description": "`unknown_service`: no such service."}})
    async def preview(code: CodeParam, _grant: Reader, priority: PriorityGroup | None = None) -> dict[str, Any]:
        return preview_to_json(engine.preview(code, priority=priority, counters_serving=host.serving(code)))

    for name, method in ACTIONS:
        _add_action(routes, engine, name, method)

    @routes.post("/v1/tickets/{ticket_id}/transfer", tags=["counter"], responses={
        **NO_TICKET, 404: {"description": "`ticket_not_found`: no such ticket; `unknown_service`: no such "
                                          "service to transfer to."}, **REFUSED_CHANGE})
    async def transfer(ticket_id: TicketId, body: TransferBody, grant: Clerk) -> dict[str, Any]:
        return ticket_to_json(engine.transfer(ticket_id, body.to_service, actor=actor(grant, body.counter)))

    return routes


def _add_action(routes: APIRouter, engine: QueueEngine, name: str, method: str) -> None:
    async def handler(ticket_id: TicketId, grant: Clerk,
                      body: Annotated[ActionBody | None, Body()] = None) -> JSONResponse:
        change: Callable[..., Ticket] = getattr(engine, method)  # looked up here: describing the API has no engine
        return JSONResponse(ticket_to_json(change(ticket_id, actor=actor(grant, body.counter if body else None))))

    handler.__name__ = name.replace("-", "_")
    # The answer is built here (no response model to re-validate): start and finish are half
    # of a counter's requests (the API description still says "an object").
    routes.post(f"/v1/tickets/{{ticket_id}}/{name}", tags=["counter"], name=handler.__name__,
                response_model=dict[str, Any], responses={**NO_TICKET, **REFUSED_CHANGE})(handler)
