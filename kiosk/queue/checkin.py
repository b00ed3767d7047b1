"""What the queue host answers when a citizen checks in a booking at a kiosk.

The answer holds an :class:`~kiosk.queue.models.IssuedTicket`, so it lives in the queue package
(the booking code itself and the arrival rule are pure and live in :mod:`kiosk.booking`).
:class:`Arrival` is re-exported from :mod:`kiosk.booking.arrival` so callers need one import.

Outcomes:

* ``issued``: a ticket was issued now (on time, or after the citizen's ``choice``);
* ``already_issued``: this booking was checked in before today (by any kiosk): the same first ticket,
  never a second one;
* ``choose``: early or late; ``choices`` says what the citizen may pick; the kiosk asks again with
  ``choice`` (early: BOOKED or WALK_IN; late: WALK_IN only, the slot is gone);
* ``refused``: nothing issued; ``refusal`` says why (one clear message per reason at the kiosk).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal, cast

from kiosk.booking.arrival import Arrival
from kiosk.queue.models import IssuedTicket
from kiosk.queue.wire import issued_from_json, issued_to_json

__all__ = ["Arrival", "BookingSummary", "CheckInAnswer", "CheckInChoice", "CheckInRefusal", "Outcome"]

Outcome = Literal["issued", "already_issued", "choose", "refused"]
OUTCOMES: tuple[Outcome, ...] = ("issued", "already_issued", "choose", "refused")


class CheckInChoice(str, Enum):
    """What an early or late citizen picks."""

    BOOKED = "booked"  # keep the booking: a booked ticket, called ahead of walk-ins once the slot has come
    WALK_IN = "walk_in"  # give up the booking's place and queue now as a walk-in


class CheckInRefusal(str, Enum):
    """Why nothing was issued. The first four mirror :class:`kiosk.booking.code.BookingCodeError`'s reasons."""

    MALFORMED = "malformed"  # not a booking code (truncated, mistyped: the check characters do not add up)
    FORGED = "forged"  # well-formed but its MAC is wrong (one character altered, or made up)
    OTHER_MPP = "other_mpp"  # a booking at another MPP
    UNKNOWN_SERVICE = "unknown_service"  # a service this MPP does not offer (any more)
    OTHER_DAY = "other_day"  # booked for another day (tomorrow's, or a past day's)
    CANCELLED = "cancelled"  # cancelled in MPP Digital (known from the last download)
    CLOSED = "closed"  # the queue issues no tickets now (outside opening hours)
    QUOTA_FULL = "quota_full"  # late, the slot gone: today's walk-in tickets of the service are used up
    NOT_READY = "not_ready"  # the host has no booking key yet (not enrolled), or bookings are off here


@dataclass(frozen=True)
class BookingSummary:
    """The booking as the kiosk may show it back: nothing more personal than the masked NIK.

    ``nik_masked`` is ``""`` for a booking the host verified from its code alone (made after the last
    download): the code carries no NIK."""

    code: str  # canonical: 24 characters, no hyphens
    service_code: str
    day: date
    slot: str  # "HH:MM", local time
    nik_masked: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "service_code": self.service_code, "day": self.day.isoformat(),
                "slot": self.slot, "nik_masked": self.nik_masked}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BookingSummary:
        return cls(code=_text(data, "code"), service_code=_text(data, "service_code"),
                   day=date.fromisoformat(_text(data, "day")), slot=_text(data, "slot"),
                   nik_masked=_text(data, "nik_masked"))


@dataclass(frozen=True)
class CheckInAnswer:
    """The host's answer to one check-in; see the module docstring for the outcomes."""

    outcome: Outcome
    booking: BookingSummary | None = None
    arrival: Arrival | None = None
    ticket: IssuedTicket | None = None  # issued / already_issued
    choices: tuple[CheckInChoice, ...] = ()  # choose
    refusal: CheckInRefusal | None = None  # refused

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown check-in outcome {self.outcome!r}")
        if (self.ticket is not None) != (self.outcome in ("issued", "already_issued")):
            raise ValueError(f"a ticket goes with 'issued' and 'already_issued' only, not {self.outcome!r}")
        if bool(self.choices) != (self.outcome == "choose"):
            raise ValueError("choices go with 'choose' only, and 'choose' needs at least one")
        if (self.refusal is not None) != (self.outcome == "refused"):
            raise ValueError("a refusal goes with 'refused' only, and 'refused' needs one")

    @classmethod
    def refused(cls, refusal: CheckInRefusal, booking: BookingSummary | None = None) -> CheckInAnswer:
        return cls("refused", booking=booking, refusal=refusal)

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome,
                "booking": self.booking.to_json() if self.booking is not None else None,
                "arrival": self.arrival.value if self.arrival is not None else None,
                "ticket": issued_to_json(self.ticket) if self.ticket is not None else None,
                "choices": [c.value for c in self.choices],
                "refusal": self.refusal.value if self.refusal is not None else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckInAnswer:
        """The inverse of :meth:`to_json`; bad values raise ``ValueError`` (unknown keys are ignored)."""
        outcome = data.get("outcome")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown check-in outcome {outcome!r}")
        booking, arrival = data.get("booking"), data.get("arrival")
        ticket, refusal = data.get("ticket"), data.get("refusal")
        try:
            return cls(outcome=cast(Outcome, outcome),
                       booking=BookingSummary.from_json(booking) if booking is not None else None,
                       arrival=Arrival(arrival) if arrival is not None else None,
                       ticket=issued_from_json(ticket) if ticket is not None else None,
                       choices=tuple(CheckInChoice(c) for c in data.get("choices") or ()),
                       refusal=CheckInRefusal(refusal) if refusal is not None else None)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed check-in answer: {exc!r}") from exc


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value
