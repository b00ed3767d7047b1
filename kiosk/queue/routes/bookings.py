"""Checking in a booking at the kiosk (issue 19): ``POST /v1/bookings/check-in`` [kiosk].

The body is the code as the citizen typed it (any case, spaces, hyphens) or the QR's text, a
client-made ``request_id`` and, after an early or late answer, the citizen's ``choice``. The answer is
always 200 with a :class:`~kiosk.queue.checkin.CheckInAnswer` (``issued``, ``already_issued``, ``choose``
or ``refused`` with the reason): a refusal is the citizen's answer, not a fault of the request.
Rules: :mod:`kiosk.queue.bookings`.

A code is 40 bits of MAC, but a scripted touchscreen could still try codes in a loop, so each device
gets a token bucket (:class:`~kiosk.queue.routes.lookup.LookupThrottle`, its own, apart from the
status lookups): past it 429 ``too_many_check_ins`` with ``Retry-After``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kiosk.queue.checkin import Arrival, CheckInChoice, CheckInRefusal
from kiosk.queue.routes.access import Issuer
from kiosk.queue.routes.context import HostContext
from kiosk.queue.routes.errors import ApiError
from kiosk.queue.routes.lookup import LookupLimits, LookupThrottle
from kiosk.queue.routes.types import BodyModel, Unicode

# A citizen types 24 characters (20-60 s) and may answer one choice: 10 at once, then one every 3 s
# (20 a minute) is beyond any real kiosk, and 2^40 codes at that pace is out of reach.
CHECK_IN_LIMITS = LookupLimits(burst=10, per_second=1 / 3)
MAX_CODE_TEXT = 120  # the QR's text with its prefix is 41 characters; a typed code with spaces a little more


class CheckInBody(BodyModel):
    code: Annotated[str, Unicode] = Field(
        min_length=1, max_length=MAX_CODE_TEXT,
        description="The booking code as typed (any case; spaces and hyphens ignored; I/L read as 1, O as 0) "
                    "or the QR's text `MPP-BOOKING:XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.")
    request_id: Annotated[str, Unicode] = Field(
        min_length=1, max_length=200,
        description="Client-generated; the same id again answers the same ticket as `issued`.")
    choice: CheckInChoice | None = Field(
        default=None, description="After a `choose` answer: `booked` (early: keep the booking, called from the "
                                  "slot) or `walk_in` (queue now as a walk-in).")
    lang: Annotated[str, Unicode] = Field(default="id", min_length=1, max_length=16,
                                          description="The ticket's language (its paper and phone page).")


class BookingAnswer(BaseModel):
    code: str = Field(description="Canonical: 24 characters, no hyphens.")
    service_code: str
    day: date
    slot: str = Field(description="The booked slot's start, HH:MM in the building's time.")
    nik_masked: str = Field(description="Masked (3171********0001); empty when the booking was verified from "
                                        "its code alone (made after the host's last download).")


class CheckInAnswerBody(BaseModel):
    """:meth:`kiosk.queue.checkin.CheckInAnswer.to_json`."""

    outcome: Literal["issued", "already_issued", "choose", "refused"] = Field(
        description="`issued`: a ticket now (or this request's ticket again); `already_issued`: the booking was "
                    "checked in before today, the same first ticket; `choose`: early or late, ask again with a "
                    "`choice` from `choices`; `refused`: nothing issued, `refusal` says why.")
    booking: BookingAnswer | None
    arrival: Arrival | None
    ticket: dict[str, Any] | None = Field(description="The ticket and where it stands, as `POST /v1/tickets` "
                                                       "answers it; the ticket's `booking` is its slot when kept.")
    choices: list[CheckInChoice]
    refusal: CheckInRefusal | None = Field(
        description="`malformed` (not a code: truncated, wrong characters), `forged` (does not check: a "
                    "character altered), `other_mpp`, `unknown_service`, `other_day` (tomorrow's, or a past "
                    "day's), `cancelled`, `closed` (outside ticket hours), `quota_full` (late: walk-in tickets "
                    "used up), `not_ready` (the host has no booking key yet, or bookings are off).")


def router(host: HostContext, throttle: LookupThrottle | None = None) -> APIRouter:
    routes = APIRouter()
    engine = host.engine
    limiter = throttle or LookupThrottle(CHECK_IN_LIMITS)

    @routes.post("/v1/bookings/check-in", tags=["kiosk"], response_model=CheckInAnswerBody, responses={
        429: {"description": "`too_many_check_ins`: this device tried too many codes; `retry_after` (and the "
                             "`Retry-After` header) says in how many seconds it may try again."}})
    async def check_in(body: CheckInBody, grant: Issuer) -> dict[str, Any]:
        """A booked citizen checks in: a ticket of the booking's service (on time), a choice (early or late),
        the first ticket again (already checked in), or a refusal with its reason."""
        wait = limiter.take(grant.device_id)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise ApiError(429, "too_many_check_ins", "Too many booking check-ins from this device; wait and try "
                           "again.", {"Retry-After": str(seconds)}, retry_after=seconds)
        answer = engine.bookings.check_in(body.code, kiosk=grant.device_id, request_id=body.request_id,
                                         choice=body.choice, lang=body.lang, counters_serving=host.serving)
        if answer.ticket is not None:
            host.status_index.remember(answer.ticket.ticket)  # its QR's phone page
        return answer.to_json()

    return routes
