"""ASGI middleware of the reference central API: fault injection for tests and demos, body size limits.

Fault injection (:class:`Faults`, changeable while running): a share of requests fails with 503
before doing anything, every request can be delayed, and a share is processed and committed and
then the connection is dropped before the answer arrives.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from central_api.contract import MAX_ATTACHMENT_BYTES, MAX_IDENTITY_BYTES, MAX_JSON_BYTES
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
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path == "/v1/health":
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
