"""ASGI middleware of the reference central API: fault injection for tests and demos, body size limits.

Fault injection (:class:`Faults`, changeable while running): a share of requests fails with 503
before doing anything, every request can be delayed, and a share is processed and committed and
then the connection is dropped before the answer arrives.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from central_api.contract import MAX_ATTACHMENT_BYTES, MAX_IDENTITY_BYTES, MAX_JSON_BYTES, ApiError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path == "/v1/health":
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.fail_rate and faults.rng.random() < faults.fail_rate:
            await _send_json(send, 503, {"error": "injected_failure", "message": "Injected failure; try again."})
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


class BodyLimit:
    """413 before reading a body over the limit (by Content-Length, or while it streams in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        if path.startswith("/v1/attachments/") and path != "/v1/missing-attachments":
            return MAX_ATTACHMENT_BYTES
        if path == "/v1/identity/verify":
            return MAX_IDENTITY_BYTES + 1024
        return MAX_JSON_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _send_json(send, 413, {"error": "too_large",
                                         "message": f"The body is larger than {limit} bytes allowed here."})
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ApiError(413, "too_large", f"The body is larger than {limit} bytes allowed here.")
            return message

        await self.app(scope, counting, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
