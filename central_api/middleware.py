"""ASGI middleware of the reference central API: fault injection for tests and demos, body size limits,
and the strict reading of JSON bodies every route uses.

Fault injection (:class:`Faults`, changeable while running): a share of requests fails with 503
before doing anything, every request can be delayed, and a share is processed and committed and
then the connection is dropped before the answer arrives.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import APIRoute
from pydantic_core import from_json
from starlette.requests import Request
from starlette.responses import Response

from central_api.contract import MAX_ATTACHMENT_BYTES, MAX_IDENTITY_BYTES, MAX_JSON_BYTES, ApiError, faults_apply_to
from kiosk.queue.body_limit import ASGIApp, Message, Receive, Scope, Send, send_json
from kiosk.queue.body_limit import BodyLimit as SharedBodyLimit


@dataclass
class Faults:
    """What goes wrong on purpose. Change the fields while the server runs (tests, demo)."""

    fail_rate: float = 0.0
    latency_ms: int = 0
    drop_after_commit_rate: float = 0.0
    in_flight_delay_s: float = 0.0  # hold each new application this long while it is "in flight"
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self.rng.seed(self.seed)
        for name in ("fail_rate", "drop_after_commit_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    def off(self) -> None:
        self.fail_rate = self.drop_after_commit_rate = 0.0
        self.latency_ms = 0


class DroppedAfterCommit(Exception):
    """Raised after the answer's headers were written, so the server closes the connection."""


class _HideDroppedAfterCommit(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedAfterCommit))


logging.getLogger("uvicorn.error").addFilter(_HideDroppedAfterCommit())


class FaultInjection:
    """Fails, delays or cuts requests under ``/v1/`` (not ``/v1/health``) as :class:`Faults` says."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not faults_apply_to(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.fail_rate and faults.rng.random() < faults.fail_rate:
            await send_json(send, 503, {"error": "injected_failure", "message": "Injected failure; try again."})
            return
        if not (faults.drop_after_commit_rate and faults.rng.random() < faults.drop_after_commit_rate):
            await self.app(scope, receive, send)
            return
        started: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)

        await self.app(scope, receive, hold)
        if started:
            await send(started[0])
        raise DroppedAfterCommit("connection dropped after commit (fault injection)")


class BodyLimit(SharedBodyLimit):
    """413 before reading a body over the limit (by Content-Length, or as soon as a chunked body passes it).

    The queue host's middleware (:mod:`kiosk.queue.body_limit`) with this API's limits; no token
    check up front: a device's signature covers the body, so it can only be checked once it is read.
    """

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, self.limit_for)

    @staticmethod
    def limit_for(path: str) -> int:
        if path.startswith("/v1/attachments/") and path != "/v1/missing-attachments":
            return MAX_ATTACHMENT_BYTES
        if path == "/v1/identity/verify":
            return MAX_IDENTITY_BYTES + 1024
        return MAX_JSON_BYTES


# -- strict JSON bodies ---------------------------------------------------------------------------

class StrictJsonRequest(Request):
    """A request whose JSON body is read strictly (pydantic-core's parser): NaN, Infinity, lone
    surrogates (``"\\ud800"``), nesting past 200 levels, invalid UTF-8 and trailing data are refused
    with 422 ``invalid_json`` at parse time, before any model or store sees them. ``json.loads``,
    FastAPI's parser, accepts the first four: they crashed hashing or serializing, or were stored."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = from_json(await self.body(), allow_inf_nan=False)
            except ValueError as exc:  # the message names the place, never the content
                raise ApiError(422, "invalid_json", f"The body is not valid JSON: {exc}.") from None
        return self._json


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class StrictJsonRoute(APIRoute):
    """Every route of the app (``app.router.route_class``): reads JSON with :class:`StrictJsonRequest`,
    and answers 415 to a body sent to a JSON operation under another content type (FastAPI would
    read it as bytes and answer 422 ``valid dictionary``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None

        async def strict(request: Request) -> Response:
            has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
            if takes_json and has_body and not _is_json(request.headers.get("content-type")):
                raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
