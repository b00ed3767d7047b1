"""Enrollment throttling: token buckets per client address and in all, and a lockout an admin lifts.

Kept apart from the routes (:mod:`central_api.app`) so the rules of guessing can be read, and
tested, on their own.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from central_api.contract import ApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnrollLimits:
    """How fast enrollment codes may be tried: a token bucket per client address and one shared by all.

    The defaults let a kiosk retry a few times at once, then one try per 5 s per address and two
    per second in all, so guessing even a short code takes days, not seconds. After
    ``lockout_after`` refused codes an address is locked out until an admin lifts it
    (``POST /admin/enroll-lockouts/clear``, ``kiosk central-api clear-lockouts``).
    """

    per_client_burst: int = 10
    per_client_per_s: float = 0.2
    global_burst: int = 60
    global_per_s: float = 2.0
    lockout_after: int = 20


class _TokenBuckets:
    """Token buckets by key; :meth:`take` says 0 (go) or how many seconds until a token is free."""

    MAX_KEYS = 10_000  # past this, full buckets (idle clients) are forgotten: memory stays bounded

    def __init__(self, burst: int, per_s: float) -> None:
        self.burst, self.per_s = float(burst), per_s
        self._levels: dict[str, tuple[float, float]] = {}

    def take(self, key: str, now: float) -> float:
        level, at = self._levels.get(key, (self.burst, now))
        level = min(self.burst, level + (now - at) * self.per_s)
        if len(self._levels) > self.MAX_KEYS:
            self._levels = {k: (lv, t) for k, (lv, t) in self._levels.items()
                            if lv + (now - t) * self.per_s < self.burst}
        if level >= 1.0:
            self._levels[key] = (level - 1.0, now)
            return 0.0
        self._levels[key] = (level, now)
        return (1.0 - level) / self.per_s if self.per_s > 0 else 3600.0


class EnrollThrottle:
    """Refuses (429 with Retry-After) an enrollment attempt past the per-client or global rate, and
    (403 ``locked_out``) every attempt from an address that had ``lockout_after`` codes refused,
    until an admin lifts it: waiting out the rate limit must not give a guesser a new round.

    Kept in memory: a restart of the reference server lifts lockouts too (an admin act as well).
    """

    MAX_COUNTED = 10_000  # past this, the refusal counts of addresses not locked out are forgotten

    def __init__(self, limits: EnrollLimits) -> None:
        self._clients = _TokenBuckets(limits.per_client_burst, limits.per_client_per_s)
        self._all = _TokenBuckets(limits.global_burst, limits.global_per_s)
        self._lockout_after = limits.lockout_after
        self._refused: dict[str, int] = {}
        self._locked: set[str] = set()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        with self._lock:
            if client in self._locked:
                raise ApiError(403, "locked_out", "Too many refused enrollment codes from this address; it is "
                               "locked out. Ask regional IT to lift the lockout and give you a valid code.")
            now = time.monotonic()
            wait = self._clients.take(client, now) or self._all.take("*", now)
        if wait:
            raise ApiError(429, "too_many_attempts", "Too many enrollment attempts; wait and try again.",
                           {"Retry-After": str(max(1, int(wait + 0.999)))})

    def refused(self, client: str) -> None:
        """Count a refused code from ``client``; the one that reaches the limit locks it out."""
        with self._lock:
            if len(self._refused) >= self.MAX_COUNTED:
                self._refused = {c: n for c, n in self._refused.items() if c in self._locked}
            count = self._refused.get(client, 0) + 1
            self._refused[client] = count
            if count < self._lockout_after or client in self._locked:
                return
            self._locked.add(client)
        log.warning("enrollment locked out for address %s after %d refused codes; lift it with "
                    "POST /admin/enroll-lockouts/clear or `kiosk central-api clear-lockouts`", client, count)

    def succeeded(self, client: str) -> None:
        """A code was accepted: the address's earlier mistakes no longer count."""
        with self._lock:
            self._refused.pop(client, None)

    def locked(self) -> list[str]:
        with self._lock:
            return sorted(self._locked)

    def clear(self, client: str | None = None) -> list[str]:
        """Lift the lockout of ``client`` (None: of every address) and forget its refusals; the lifted ones."""
        with self._lock:
            lifted = sorted(self._locked) if client is None else sorted(self._locked & {client})
            if client is None:
                self._locked.clear()
                self._refused.clear()
            else:
                self._locked.discard(client)
                self._refused.pop(client, None)
        if lifted:
            log.info("enrollment lockout lifted by an admin for %s", ", ".join(lifted))
        return lifted
