"""The application a citizen filed with a ticket, as the counter sees it.

``PUT /v1/tickets/{id}/application`` [kiosk] attaches it (201 attached, 200 the same again or its
new sync state), only from the kiosk that issued the ticket or an admin (403 ``not_your_ticket``);
``GET`` [counter] reads it (404 ``no_application`` when there is none). The view holds personal
data (UU 27/2022): only a masked NIK is accepted, answers are never logged nor put in the audit
trail, and views are deleted once their ticket's day is over. A kiosk or display cannot read it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, Field, Strict, StringConstraints

from kiosk.queue.models import (
    FIELD_ID_PATTERN,
    ID_PATTERN,
    MAX_ANSWER_LENGTH,
    MAX_ANSWERS,
    MAX_DOCUMENT_KINDS,
    MAX_PHOTOS_PER_KIND,
    ApplicationView,
)
from kiosk.queue.routes.access import Clerk, Issuer
from kiosk.queue.routes.context import HostContext, TicketId
from kiosk.queue.routes.errors import NO_TICKET, ApiError
from kiosk.queue.routes.types import BodyModel, Flag, Moment, Unicode
from kiosk.queue.wire import attached_application_to_json
from kiosk.utils.privacy import MASKED_NIK_PATTERN

_FieldId = Annotated[str, StringConstraints(pattern=FIELD_ID_PATTERN, max_length=64)]
_ONLY_FIELD_IDS: dict[str, Any] = {"additionalProperties": False}  # keys not matching the pattern are refused


class ApplicationViewBody(BodyModel):
    """The counter's view of the application filed with a ticket (:class:`kiosk.queue.models.ApplicationView`).

    Nothing else (a full NIK, say) can ride along: extra fields are refused."""

    application_id: str = Field(pattern=ID_PATTERN, max_length=64,
                                description="The kiosk's id of the application (uuid4).")
    number: Annotated[str, Unicode] = Field(min_length=1, max_length=64,
                                            description="The application number on the receipt.")
    service_code: Annotated[str, Unicode] = Field(min_length=1, max_length=64)
    nik_masked: str = Field(pattern=MASKED_NIK_PATTERN, min_length=16, max_length=16,
                            description="Always masked (3171********0001).")
    created_at: Moment
    sync_state: Literal["pending", "sending", "sent", "rejected"] = Field(
        description="Where the kiosk's copy stands on its way to MPP Digital.")
    answers: dict[_FieldId, Annotated[str, StringConstraints(max_length=MAX_ANSWER_LENGTH), Unicode]] = Field(
        default_factory=dict, max_length=MAX_ANSWERS, json_schema_extra=_ONLY_FIELD_IDS,
        description="Form field id → answer; NIK-type answers masked. Personal data: kept for the ticket's day only.")
    documents: dict[_FieldId, Annotated[int, Strict(), Field(ge=0, le=MAX_PHOTOS_PER_KIND)]] = Field(
        default_factory=dict, max_length=MAX_DOCUMENT_KINDS, json_schema_extra=_ONLY_FIELD_IDS,
        description="Document kind → pages photographed.")
    details_deleted: Flag = Field(default=False, description="The kiosk's retention already deleted the answers.")

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


def router(host: HostContext) -> APIRouter:
    routes = APIRouter()
    engine = host.engine

    @routes.put("/v1/tickets/{ticket_id}/application", status_code=201, tags=["kiosk"], responses={
        201: {"model": AttachedApplicationAnswer, "description": "Attached to the ticket."},
        200: {"model": AttachedApplicationAnswer,
              "description": "The same view again (a retry), or the same application's new sync state."},
        403: {"description": "`not_your_ticket`: another kiosk issued the ticket (only it, or an admin, may write "
                             "its application); nothing is changed."},
        **NO_TICKET,
        409: {"description": "`application_conflict`: the ticket carries another application; "
                             "`ticket_expired`: the ticket is from a past day."}})
    async def attach_application(ticket_id: TicketId, body: ApplicationViewBody, grant: Issuer) -> JSONResponse:
        attached, outcome = engine.attach_application(ticket_id, body.view(), actor=grant.device_id,
                                                      admin=grant.role == "admin")
        return JSONResponse(attached_application_to_json(attached), status_code=201 if outcome == "attached" else 200,
                            headers={"Cache-Control": "no-store"})

    @routes.get("/v1/tickets/{ticket_id}/application", tags=["counter"], responses={
        200: {"model": AttachedApplicationAnswer, "description": "The application filed with the ticket."},
        404: {"description": "`ticket_not_found`, or `no_application`: the ticket has none (or its day is over)."}})
    async def application_of(ticket_id: TicketId, _grant: Clerk) -> JSONResponse:
        attached = engine.application_of(ticket_id)
        if attached is None:
            raise ApiError(404, "no_application", "This ticket has no application attached (none was filed with it, "
                                                  "or its day is over and the application was deleted).")
        return JSONResponse(attached_application_to_json(attached), headers={"Cache-Control": "no-store"})

    return routes
