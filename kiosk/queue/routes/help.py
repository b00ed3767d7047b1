"""Calls for staff from a kiosk ("Minta bantuan"): a kiosk raises, a counter acknowledges, the kiosk closes.

``POST /v1/help-requests`` [kiosk] raises the calling kiosk's request (201), or answers the one it
already has open (200: a second tap raises nothing); the kiosk is the token's device, never a
field. ``GET /v1/help-requests`` [counter, display] lists the open ones, oldest first (the lobby
board gets which kiosk, how long and which counter answered, no clerk).
``GET /v1/help-requests/{id}`` [kiosk: its own; counter] is what the kiosk polls.
``POST .../acknowledge`` [counter] "Saya datang" (409 ``help_conflict`` once another answered or it
closed); ``POST .../close`` [kiosk: its own] with the reason (a touch closes only an answered one).
Rules: :mod:`kiosk.queue.help`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from kiosk.queue.help import (
    MAX_CLERK_LENGTH,
    HelpConflict,
    HelpRequest,
    HelpRequestNotFound,
    NotYourHelpRequest,
    board_help_to_json,
    help_to_json,
)
from kiosk.queue.models import QueueError
from kiosk.queue.routes.access import Clerk, DeviceGrant, Issuer, Reader, actor, require
from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.types import BodyModel, CounterNumber, Unicode

HelpId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$",
                                  description="The help request's id, as raising it answered")]
HelpWatcher = Annotated[DeviceGrant, Depends(require("counter", "display"))]  # the consoles and the lobby board

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "`help_request_not_found`: no such request."}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {
    "description": "`help_conflict`: the request's `state` does not allow this (another counter answered it "
                   "first: `counter`; or it is closed)."}}
NOT_YOURS: dict[int | str, dict[str, Any]] = {403: {
    "description": "`not_your_help_request`: a kiosk may read and close only its own request."}}


class HelpRequestAnswer(BaseModel):
    """A help request as it stands (:func:`kiosk.queue.help.help_to_json`); a lobby board gets only the
    fields without a default here (no clerk, no audit actor)."""

    id: str
    kiosk: str = Field(description="The device id of the kiosk that called (the board shows its number).")
    state: Literal["raised", "acknowledged", "closed"]
    raised_at: AwareDatetime
    counter: int | None = Field(description="The counter whose clerk answered; null until then.")
    age_seconds: int = Field(ge=0, description="Seconds since it was raised (until it closed), by the host's clock.")
    acknowledged_at: AwareDatetime | None = None
    acknowledged_by: str | None = Field(default=None, description="The audit actor: device and counter.")
    clerk: str | None = None
    closed_at: AwareDatetime | None = None
    close_reason: Literal["touched", "cancelled", "session_ended", "timeout"] | None = None


ANSWER: dict[int | str, dict[str, Any]] = {200: {"model": HelpRequestAnswer, "description": "The request now."}}


class AcknowledgeBody(BodyModel):
    counter: CounterNumber = Field(description="The counter whose clerk is on the way (shown on the kiosk's "
                                               "neighbours and in the audit trail).")
    clerk: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CLERK_LENGTH), Unicode] | None = Field(
        default=None, description="The signed-in clerk's staff id, for the audit trail.")


class CloseBody(BodyModel):
    reason: Literal["touched", "cancelled", "session_ended"] = Field(description=(
        "`touched`: the citizen touched the kiosk after a clerk answered (refused before); `cancelled`: the "
        "citizen cancelled; `session_ended`: the kiosk's session was wiped. A timeout is the host's own."))


def _help_error(exc: QueueError) -> ApiError:
    if isinstance(exc, HelpRequestNotFound):
        return ApiError(404, "help_request_not_found", "No such help request.")
    if isinstance(exc, NotYourHelpRequest):
        return ApiError(403, "not_your_help_request", "This help request was raised by another kiosk.")
    if isinstance(exc, HelpConflict):
        message = str(exc)
        return ApiError(409, "help_conflict", message[:1].upper() + message[1:] + ".", state=exc.request.state.value,
                        counter=exc.request.counter)
    raise exc


def _own(grant: DeviceGrant) -> str | None:
    """The kiosk a grant may only touch its own request of (None: a counter or an admin may touch any)."""
    return grant.device_id if grant.role == "kiosk" else None


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()
    engine = host.engine

    def answer(request: HelpRequest, status: int = 200) -> JSONResponse:
        return JSONResponse(help_to_json(request), status_code=status, headers={"Cache-Control": "no-store"})

    @routes.post("/v1/help-requests", status_code=201, tags=["kiosk"], responses={
        201: {"model": HelpRequestAnswer, "description": "Raised: every console and the lobby board show it."},
        200: {"model": HelpRequestAnswer,
              "description": "This kiosk already has an open request (a second tap): that one, nothing new."}})
    async def raise_help(grant: Issuer) -> JSONResponse:
        try:
            request, created = engine.raise_help(grant.device_id)
        except ValueError as exc:  # a device id longer than a kiosk id may be (the devices file allows any)
            raise ApiError(422, "invalid_request", f"This device cannot raise a help request: {exc}.") from None
        return answer(request, 201 if created else 200)

    @routes.get("/v1/help-requests", tags=["help"], responses={
        200: {"model": list[HelpRequestAnswer], "description": "The open requests, oldest first."}})
    async def open_help_requests(grant: HelpWatcher) -> JSONResponse:
        """The open requests, oldest first; `age_seconds` since each was raised (no clock to compare)."""
        view = board_help_to_json if grant.role == "display" else help_to_json
        return JSONResponse([view(r) for r in engine.open_help_requests()], headers={"Cache-Control": "no-store"})

    @routes.get("/v1/help-requests/{request_id}", tags=["help"], responses={**ANSWER, **NOT_FOUND, **NOT_YOURS})
    async def help_request(request_id: HelpId, grant: Reader) -> JSONResponse:
        try:
            return answer(engine.help_request(request_id, kiosk=_own(grant)))
        except QueueError as exc:
            raise _help_error(exc) from None

    @routes.post("/v1/help-requests/{request_id}/acknowledge", tags=["counter"],
                 responses={**ANSWER, **NOT_FOUND, **CONFLICT})
    async def acknowledge_help(request_id: HelpId, body: AcknowledgeBody, grant: Clerk) -> JSONResponse:
        """"Saya datang": a clerk of `counter` is on the way; the kiosk says "Petugas segera datang"."""
        try:
            return answer(engine.acknowledge_help(request_id, actor=actor(grant, body.counter), counter=body.counter,
                                                  clerk=body.clerk))
        except QueueError as exc:
            raise _help_error(exc) from None

    @routes.post("/v1/help-requests/{request_id}/close", tags=["kiosk"],
                 responses={**ANSWER, **NOT_FOUND, **NOT_YOURS, **CONFLICT})
    async def close_help(request_id: HelpId, body: CloseBody, grant: Issuer) -> JSONResponse:
        """Closed (a closed request is answered unchanged: a retry after a lost answer)."""
        try:
            return answer(engine.close_help(request_id, body.reason, actor=grant.device_id, kiosk=_own(grant)))
        except QueueError as exc:
            raise _help_error(exc) from None

    return routes
