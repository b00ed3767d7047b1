"""Where a ticket stands by its typed number: the kiosk's "Cek status" without a camera (issue 19, item 3).

``GET /v1/tickets/by-number/{number}/status`` [kiosk, counter] answers what the lobby board shows
anyway (:func:`kiosk.queue.status.number_standing`: the number, its state, people ahead, the
counter), never the language, the application or anything of the person: a number is easy to
guess, unlike the QR's token. A kiosk's touchscreen could still be scripted to walk through
"A-001" … "A-999", so each device gets a token bucket (:class:`LookupThrottle`): a few lookups at
once, then one every few seconds; past it 429 ``too_many_lookups`` with ``Retry-After``.
"""

from __future__ import annotations

import threading
import time as wallclock
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from kiosk.queue.routes.access import Reader
from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.status import number_standing, ticket_status


@dataclass(frozen=True)
class LookupLimits:
    """A citizen types a number in 10-20 s; a queue at the kiosk checks a few in a row. The defaults
    allow 8 at once, then one every 4 s (15 a minute) per device: walking a whole prefix of 999 numbers
    takes over an hour and shows no more than the lobby board does."""

    burst: int = 8
    per_second: float = 0.25


DEFAULT_LIMITS = LookupLimits()


class LookupThrottle:
    """A token bucket per device id; :meth:`take` answers 0 (go) or the seconds until the next lookup."""

    MAX_DEVICES = 10_000  # a building has a few dozen; bounded whatever tokens exist

    def __init__(self, limits: LookupLimits | None = None) -> None:
        self.limits = limits or DEFAULT_LIMITS
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, device: str, now: float | None = None) -> float:
        now = wallclock.monotonic() if now is None else now
        burst, rate = float(self.limits.burst), self.limits.per_second
        with self._lock:
            level, at = self._levels.get(device, (burst, now))
            level = min(burst, level + (now - at) * rate)
            if len(self._levels) >= self.MAX_DEVICES and device not in self._levels:
                self._levels.clear()  # only a misconfiguration gets here; forgetting refills the buckets
            if level >= 1.0:
                self._levels[device] = (level - 1.0, now)
                return 0.0
            self._levels[device] = (level, now)
        return (1.0 - level) / rate if rate > 0 else 3600.0


def router(host: HostContext, throttle: LookupThrottle | None = None) -> APIRouter:
    routes = APIRouter()
    engine = host.engine
    limiter = throttle or LookupThrottle()

    @routes.get("/v1/tickets/by-number/{number}/status", tags=["read"], responses={
        404: {"description": "`ticket_not_found`: no ticket of today has this number."},
        429: {"description": "`too_many_lookups`: this device asked too often; `retry_after` (and the "
                             "`Retry-After` header) says in how many seconds it may ask again."}})
    async def status_by_number(number: Annotated[str, PathParam(
            min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$",
            description="A ticket number as printed, e.g. A-012")], grant: Reader) -> dict[str, Any]:
        """Where today's ticket with this number stands: `number`, `service_code`, `state`, `valid_today`,
        `day`, `people_ahead`, `estimated_wait_minutes`, `counter`, `updated_at`; nothing personal."""
        wait = limiter.take(grant.device_id)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise ApiError(429, "too_many_lookups", "Too many status lookups from this device; wait and try again.",
                           {"Retry-After": str(seconds)}, retry_after=seconds)
        ticket = engine.find(number)
        return number_standing(ticket_status(engine, ticket, host.serving(ticket.service_code)))

    return routes
