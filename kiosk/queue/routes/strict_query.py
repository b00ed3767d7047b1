"""Unknown or repeated query parameters are refused (422), as unknown body fields are (issue 21, item 12).

A misspelt ``?recnet=3`` silently ignored answers something the caller did not ask for; refusing it
keeps the host as strict as its API description says (schemathesis sends such requests as invalid).
Checked inside :class:`~kiosk.queue.routes.access.RoleCheck` for routes with a token (no second
dependency to solve on every request) and by :func:`known_query_only` for the public ones.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.types import clip

_known: dict[int, frozenset[str]] = {}  # route id → the query parameters it declares


async def known_query_only(request: Request) -> None:
    """A dependency for the routes without a token (those with one are checked by their RoleCheck)."""
    check_known_query(request)


def check_known_query(request: Request) -> None:
    """422 ``invalid_request`` naming (clipped) the query parameters the request's route does not take."""
    if not request.scope.get("query_string"):
        return  # the usual request: nothing to check
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _known.get(id(route))
    if known is None:
        known = _known[id(route)] = frozenset(_query_names(dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ApiError(422, "invalid_request", f"Unknown query parameter {clip(', '.join(unknown))!r}; this operation "
                                               f"takes {', '.join(sorted(known)) or 'none'}.")
    # Every query parameter the host declares is a single value: "?services=A&services=B" would
    # silently keep only the last one (Starlette), answering something the caller did not ask for.
    repeated = sorted({name for name, _ in request.query_params.multi_items()
                       if len(request.query_params.getlist(name)) > 1})
    if repeated:
        raise ApiError(422, "invalid_request", f"Query parameter {clip(', '.join(repeated))!r} given more than once; "
                                               "give it once (a list of services is comma-separated).")


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names
