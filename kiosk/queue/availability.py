"""Whether a ticket can be had now, for every service at once, by the very checks ``issue()`` makes.

The kiosk used to learn "quota full" or "closed" only when it asked for the ticket, after the citizen
had chosen the service, read the requirements and typed a NIK (issue 17). :func:`issue_refusal` is
the one place the rules live: :meth:`kiosk.queue.engine.QueueEngine.issue` raises what it returns,
and :func:`availability` maps it to a state per service, so the service list never promises a
ticket ``issue()`` would refuse, nor hides one it would give.

A priority citizen (UU 25/2009 art. 29: the elderly, people with disabilities, pregnant women,
children, disaster victims) is never turned away by the daily quota (issue 20): priority tickets are
issued past it, and only closing time refuses them. They still count toward the quota, so the
walk-in line fills no later than the counters can serve; a site may also hold back a share of the
quota for them (``[queue] priority_reserved_share``): walk-in tickets then stop at the quota less
that share, unless priority tickets have already used more. The snapshot's states are the walk-in
citizen's; :meth:`ServiceAvailability.can_issue_for` says what a priority citizen may have. The order
is ``issue()``'s: outside opening hours a service is ``closed`` even when its quota is used up too.

Pure values and functions: no storage, no Qt, so the kiosk's screens use the same types. Times are
aware and in the building's time zone (a kiosk shows "15:00", not UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.queue.models import Closed, OpeningHours, QueueError, QuotaFull, ServiceRule


class Availability(str, Enum):
    """What the kiosk may promise for a service now."""

    OPEN = "open"
    CLOSING_SOON = "closing_soon"  # tickets still issued; ticket hours end within the configured minutes
    CLOSED = "closed"  # outside the building's ticket hours
    QUOTA_FULL = "quota_full"  # today's walk-in tickets used up (priority citizens are still served)


@dataclass(frozen=True)
class ServiceAvailability:
    """One service: its state, tickets left today and, in local time, when ticket hours end or start again.

    ``closes_at`` is today's end of ticket hours while tickets are issued (None without hours);
    ``next_open`` is when tickets can be had again once ``closed`` or ``quota_full`` (None: never, or
    not known because the building has no ticket hours).
    """

    service_code: str
    state: Availability
    remaining: int
    closes_at: datetime | None = None
    next_open: datetime | None = None

    @property
    def can_issue(self) -> bool:
        """A walk-in citizen can have a ticket now."""
        return self.state in (Availability.OPEN, Availability.CLOSING_SOON)

    def can_issue_for(self, priority: bool) -> bool:
        """A citizen can have a ticket now: a priority citizen also once the quota is used up."""
        return self.can_issue or (priority and self.state is Availability.QUOTA_FULL)


@dataclass(frozen=True)
class IssuedToday:
    """Tickets issued today for one service, walk-in and priority apart (the quota treats them apart),
    and ``booked``: bookings of today not yet checked in, which hold their places in the walk-in
    quota (issue 19, :mod:`kiosk.queue.bookings`; a checked-in booking is an issued ticket instead)."""

    walk_in: int = 0
    priority: int = 0
    booked: int = 0


def reserved_for_priority(daily_quota: int, share: float) -> int:
    """How many of the day's tickets are held back for priority citizens (rounded down)."""
    return int(daily_quota * share)


def walk_in_remaining(rule: ServiceRule, issued: IssuedToday, reserved_share: float) -> int:
    """Walk-in tickets left today: the quota less the walk-in tickets, less the priority ones or the
    reserve, whichever is larger (priority tickets use their reserve first, then the common quota), less
    the outstanding bookings; never below zero, so tickets already issued stay valid whatever was booked."""
    reserve = reserved_for_priority(rule.daily_quota, reserved_share)
    return max(0, rule.daily_quota - issued.walk_in - max(issued.priority, reserve) - issued.booked)


@dataclass(frozen=True)
class AvailabilitySnapshot:
    """Every service's availability at one moment (``at``, local time), in the rules' order."""

    at: datetime
    services: tuple[ServiceAvailability, ...]

    def of(self, service_code: str) -> ServiceAvailability | None:
        return next((s for s in self.services if s.service_code == service_code), None)


def issue_refusal(rule: ServiceRule, issued: IssuedToday, hours: OpeningHours | None, tz: ZoneInfo,
                  now: datetime, *, priority: bool = False, reserved_share: float = 0.0) -> QueueError | None:
    """Why ``issue()`` would refuse a ticket for ``rule`` now, or None: :class:`Closed` before :class:`QuotaFull`,
    and never :class:`QuotaFull` for a ``priority`` citizen."""
    local = now.astimezone(tz)
    if hours is not None and not hours.is_open(local):
        next_open = hours.next_open(local)
        return Closed(next_open.astimezone(UTC) if next_open else None)
    if not priority and walk_in_remaining(rule, issued, reserved_share) == 0:
        return QuotaFull(rule.code, rule.daily_quota)
    return None


def next_day_opening(hours: OpeningHours | None, local: datetime) -> datetime | None:
    """When a used-up quota can be had again: the first opening after today (quotas reset at local midnight).

    None without ticket hours: the quota comes back at midnight, but nobody should be told "come
    back at 00:00"; the kiosk then names only what can be done now.
    """
    if hours is None:
        return None
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), local.tzinfo)
    return hours.next_open(midnight - timedelta(microseconds=1))


def availability(rules: Iterable[ServiceRule], issued: Mapping[str, IssuedToday], hours: OpeningHours | None,
                 tz: ZoneInfo, now: datetime, closing_soon: timedelta, *,
                 reserved_share: float = 0.0) -> AvailabilitySnapshot:
    """Each service's state now for a walk-in citizen, from :func:`issue_refusal`; ``issued`` counts today's
    tickets per service."""
    local = now.astimezone(tz)
    closes_at = datetime.combine(local.date(), hours.close, tz) if hours is not None else None
    soon = closes_at is not None and closes_at - local <= closing_soon
    tomorrow = next_day_opening(hours, local)
    services = []
    for rule in rules:
        used = issued.get(rule.code, IssuedToday())
        remaining = walk_in_remaining(rule, used, reserved_share)
        refusal = issue_refusal(rule, used, hours, tz, now, reserved_share=reserved_share)
        if isinstance(refusal, Closed):
            opens = refusal.next_open.astimezone(tz) if refusal.next_open is not None else None
            services.append(ServiceAvailability(rule.code, Availability.CLOSED, remaining, None, opens))
        elif isinstance(refusal, QuotaFull):
            services.append(ServiceAvailability(rule.code, Availability.QUOTA_FULL, 0, closes_at, tomorrow))
        else:
            state = Availability.CLOSING_SOON if soon else Availability.OPEN
            services.append(ServiceAvailability(rule.code, state, remaining, closes_at, None))
    return AvailabilitySnapshot(local, tuple(services))


# -- wire format (the queue host and its HTTP client) ---------------------------------------------
def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment  # kept in the offset sent: the building's local time


def snapshot_to_json(snapshot: AvailabilitySnapshot) -> dict[str, Any]:
    """ISO 8601 times with the building's offset (``+07:00``), states as their values."""
    return {"at": snapshot.at.isoformat(), "services": [
        {"service_code": s.service_code, "state": s.state.value, "remaining": s.remaining,
         "closes_at": s.closes_at.isoformat() if s.closes_at else None,
         "next_open": s.next_open.isoformat() if s.next_open else None} for s in snapshot.services]}


def snapshot_from_json(data: Mapping[str, Any]) -> AvailabilitySnapshot:
    """The inverse of :func:`snapshot_to_json`; unknown keys are ignored (newer hosts may add some)."""
    at = _time(data["at"])
    if at is None:
        raise ValueError("an availability answer needs its time")
    return AvailabilitySnapshot(at, tuple(
        ServiceAvailability(str(s["service_code"]), Availability(s["state"]), int(s["remaining"]),
                            _time(s.get("closes_at")), _time(s.get("next_open"))) for s in data["services"]))
