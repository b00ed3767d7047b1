"""Who may call what: the bearer token names a device and its role (:class:`DeviceGrant`).

Routes declare a parameter of type :data:`Reader`, :data:`Issuer`, :data:`Clerk` or
:data:`Watcher`; ``admin`` may do everything. The device id is the actor in the audit trail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from kiosk.queue.devices import DeviceRole as Role
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.strict_query import check_known_query


@dataclasses.dataclass(frozen=True)
class DeviceGrant:
    """What a bearer token allows: which device it is and what that device may do."""

    device_id: str
    role: Role


READERS: tuple[Role, ...] = ("kiosk", "counter", "admin")
ISSUERS: tuple[Role, ...] = ("kiosk", "admin")
COUNTERS: tuple[Role, ...] = ("counter", "admin")
WATCHERS: tuple[Role, ...] = ("kiosk", "counter", "display", "admin")


MAX_TOKEN_LENGTH = 512  # a device token is 24-100 characters (kiosk.queue.devices); longer is not one


def unauthorized(grants: Mapping[str, DeviceGrant], header: str) -> ApiError | None:
    """The 401 for an ``Authorization`` header that names no known device, or None when it does.

    Also asked by the host's body limit (:mod:`kiosk.queue.body_limit`) before a body is read. Any
    bytes may arrive (decoded as latin-1): they only ever meet a dictionary lookup, never an echo."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return ApiError(401, "unauthorized", "A bearer token is required (Authorization: Bearer <token>).",
                        headers={"WWW-Authenticate": "Bearer"})
    if len(token) > MAX_TOKEN_LENGTH or token not in grants:
        return ApiError(401, "unauthorized", "The token is not known to this queue host.",
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return None


class RoleCheck:
    """A dependency: the caller's grant, if its bearer token is known and its role is one of ``roles``.

    A class rather than a closure so the API description can read which roles an operation admits
    (:mod:`kiosk.queue.routes.contract`)."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles

    async def __call__(self, request: Request) -> DeviceGrant:
        grants = request.app.state.device_grants
        header = request.headers.get("authorization", "")
        refusal = unauthorized(grants, header)
        if refusal is not None:
            raise refusal
        grant: DeviceGrant = grants[header.partition(" ")[2].strip()]
        if grant.role != "admin" and grant.role not in self.roles:
            raise ApiError(403, "forbidden", f"A {grant.role} device may not do this.")
        check_known_query(request)
        return grant


def require(*roles: Role) -> RoleCheck:
    """A dependency: the caller's grant, if its bearer token is known and its role allowed (admin always is)."""
    return RoleCheck(roles)


Reader = Annotated[DeviceGrant, Depends(require(*READERS))]
Issuer = Annotated[DeviceGrant, Depends(require(*ISSUERS))]
Clerk = Annotated[DeviceGrant, Depends(require(*COUNTERS))]
Watcher = Annotated[DeviceGrant, Depends(require(*WATCHERS))]


def actor(grant: DeviceGrant, counter: int | None) -> str:
    """The audit trail's actor: the device, and the counter when the action was done at one."""
    return f"{grant.device_id}@counter-{counter}" if counter is not None else grant.device_id
