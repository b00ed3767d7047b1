"""The routes without a device token: the terminals' clock check and the citizen's ticket status.

``GET /v1/status/{token}`` is reached from the ticket's QR code on a phone: JSON, or for a browser
(``Accept: text/html``) a small self-refreshing page; the token is a hash of the ticket's random id
(:mod:`kiosk.queue.status`). The page names the MPP: the host is told its site's name with :func:`name_site`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.strict_query import known_query_only
from kiosk.queue.status import TOKEN_LENGTH, status_page, ticket_status


def name_site(app: FastAPI, name: str) -> None:
    """Tell the status page which MPP it belongs to: the site config's ``[site] name``, shown at its top."""
    app.state.site_name = name


def _site_name(request: Request) -> str:
    """The name given with :func:`name_site`; empty when none was (the page then says "Mal Pelayanan Publik")."""
    name = getattr(request.app.state, "site_name", "")
    return name if isinstance(name, str) else ""


def router(host: HostContext) -> APIRouter:
    routes = APIRouter(dependencies=[Depends(known_query_only)])  # the others check it with their token
    engine, status_index = host.engine, host.status_index

    @routes.get("/v1/health", tags=["host"])
    async def health() -> dict[str, Any]:
        return {"ok": True, "time": datetime.now(UTC).isoformat()}

    @routes.get("/v1/status/{token}", tags=["citizen"], responses={
        200: {"description": "Where the ticket stands (JSON), or a phone page when the browser asks for HTML.",
              "content": {"text/html": {"schema": {"type": "string"}}}},
        404: {"description": "`ticket_not_found`: no ticket of the last two days has this token (a page for a "
                             "browser).", "content": {"text/html": {"schema": {"type": "string"}}}}})
    async def status(request: Request, token: Annotated[str, PathParam(
            min_length=TOKEN_LENGTH, max_length=TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_-]+$",
            description="The ticket's status token, as printed in its QR code")]) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        ticket = status_index.find(token)
        if ticket is None:
            if wants_html:
                return Response(status_page(None, site_name=_site_name(request)), status_code=404,
                                media_type="text/html")
            raise ApiError(404, "ticket_not_found", "No ticket has this status code.")
        answer = ticket_status(engine, ticket, host.serving(ticket.service_code))
        if wants_html:
            local = datetime.now(UTC).astimezone(engine.tz).strftime("%H:%M")
            return Response(status_page(answer, answer["lang"], local, _site_name(request)), media_type="text/html",
                            headers={"Cache-Control": "no-store"})
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    return routes
