"""What the queue host's API description says beyond what FastAPI writes itself (issue 21, item 12).

FastAPI knows neither the bearer token (checked by :class:`~kiosk.queue.routes.access.RoleCheck`, a
plain dependency) nor the body limit (a middleware), and describes its 422 with its own
``{"detail": ...}`` model. Here the document is completed from the routes themselves, so it cannot
drift from them: the bearer scheme and each operation's ``security``, 401 for every operation with a
token, 403 for one that some roles may not call (naming the roles that may), 400/413 for every
operation with a body, and every error answer as :class:`ErrorBody`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, get_args

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from kiosk.queue.devices import DeviceRole
from kiosk.queue.routes.access import RoleCheck

SCHEME = "deviceToken"
ALL_ROLES = frozenset(get_args(DeviceRole))


class ErrorBody(BaseModel):
    """Every refusal: a stable code for programs, a plain English sentence for people, and details by code."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"error": "illegal_transition", "message": "Ticket A-001 is done: cannot recall.", "state": "done"}]})

    error: str = Field(description="Stable code, e.g. unauthorized, forbidden, not_your_ticket, ticket_not_found, "
                                   "unknown_service, illegal_transition, invalid_request, too_large, not_found.")
    message: str = Field(description="What went wrong, in plain English; never echoes personal data.")


def complete(document: dict[str, Any], routes: Iterable[object], max_body_bytes: int) -> dict[str, Any]:
    """Add security, the statuses FastAPI cannot see and the one error model to ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    document["components"]["securitySchemes"] = {SCHEME: {
        "type": "http", "scheme": "bearer",
        "description": "The device's token from the host's devices file; it names the device and its role "
                       "(kiosk, counter, display, admin; admin may call everything)."}}
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        roles = _roles(route.dependant)
        for method in route.methods or ():
            operation = document["paths"][route.path_format].get(method.lower())
            if operation is not None:
                _complete_operation(operation, roles, max_body_bytes)
    return document


def _complete_operation(operation: dict[str, Any], roles: tuple[str, ...] | None, max_body_bytes: int) -> None:
    responses = operation.setdefault("responses", {})
    if roles is None:
        operation["security"] = []
    else:
        operation["security"] = [{SCHEME: []}]
        responses["401"] = {"description": "`unauthorized`: no bearer token, or one this host does not know."}
        allowed = sorted({*roles, "admin"})
        if frozenset(allowed) != ALL_ROLES:
            forbidden = "`forbidden`: only these roles may call this: " + ", ".join(allowed) + "."
            old = responses.get("403", {}).get("description")
            responses["403"] = {"description": forbidden + (f" {old}" if old else "")}
    if "requestBody" in operation:
        responses["400"] = {"description": "`bad_request`: the body cannot be read as JSON (nested too deep)."}
        responses["413"] = {"description": f"`too_large`: the body is over {max_body_bytes} bytes: refused before "
                                           "it is parsed (by Content-Length, or as soon as a chunked body passes it)."}
    # Every operation may answer 422: unknown query parameters are refused (kiosk.queue.routes.strict_query).
    old = responses.get("422", {}).get("description", "")
    responses["422"] = {"description": "`invalid_request`: the message names the fields and rules broken, "
                                       "never the values sent." + (f" {old}" if old != "Validation Error" else "")}
    for status, response in responses.items():
        if status.startswith("4"):
            content = response.setdefault("content", {})  # other media types (a phone's HTML page) stay
            content["application/json"] = {"schema": {"$ref": "#/components/schemas/ErrorBody"}}


def _roles(dependant: Dependant) -> tuple[str, ...] | None:
    """The roles an operation's :class:`RoleCheck` admits, or None when it needs no token."""
    for dependency in _dependencies(dependant):
        if isinstance(dependency.call, RoleCheck):
            return dependency.call.roles
    return None


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)
