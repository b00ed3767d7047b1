"""The booking routes of the reference central API (our model of MPP Digital's online bookings).

* ``GET /v1/bookings/key?mpp_code=X`` (signed, in the contract): the MPP's booking key, with which the
  queue host checks booking codes offline. A device enrolled with ``mpp_code`` got it in the enroll
  answer already (:func:`enrollment_answer`); one enrolled before asks here. A device's MPP is fixed
  at its first claim: another MPP's device gets 403 ``other_mpp``, a revoked one 403 ``device_revoked``.
* ``GET /v1/bookings?mpp_code=X&day=YYYY-MM-DD`` (signed, in the contract): the MPP's bookings of a
  day, cancelled ones included, NIKs masked.
* ``POST /admin/bookings``, ``GET /admin/bookings``, ``POST /admin/bookings/{code}/cancel`` (admin
  token; hidden like the other admin routes): what citizens do at MPP Digital, for tests, demos and
  ``kiosk central-api bookings add|list|cancel``. A booking for a service not in the catalog, a slot
  outside the day, a past day, or a service whose booking tag clashes with another's is refused (422).

The code's format and why it is an HMAC: docs/bookings.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from central_api.booking_contract import (
    DAY_PATTERN,
    MPP_CODE_PATTERN,
    BookingKeyAnswer,
    BookingsAnswer,
    NewBookingBody,
)
from central_api.booking_store import BookingStore, DayFull, StoredBooking
from central_api.contract import SIGNED_ERRORS, ApiError, ErrorBody, responses, same_secret
from kiosk.booking.code import (
    BookingCodeError,
    BookingCodeFields,
    booking_qr_text,
    canonical_booking_code,
    encode_booking_code,
    group_code,
    service_tags_clash,
)
from kiosk.citizen.nik import InvalidNik, parse_nik
from kiosk.sync.bookings_client import encode_key

log = logging.getLogger(__name__)

MAX_DAYS_AHEAD = 366
# A day is refused as past only once it is over everywhere on Earth (UTC-12, "anywhere on Earth"): the
# central API does not know an MPP's time zone, and a machine whose clock runs in UTC (a demo, a test)
# is still on yesterday's date for hours after midnight in Jakarta.
LAST_ZONE_OFFSET = timedelta(hours=-12)

_REFUSALS: dict[int | str, dict[str, Any]] = {403: {"model": ErrorBody, "description": (
    "other_mpp: this device belongs to another MPP (fixed at its first claim: enrollment with mpp_code, or its "
    "first booking request); device_revoked: regional IT revoked this device.")}}


def admin_json(booking: StoredBooking) -> dict[str, Any]:
    """A booking as the admin routes answer it: what a citizen is handed (the code in groups, the QR's text)."""
    return {**booking.to_json(), "mpp_code": booking.mpp_code, "display_code": group_code(booking.code),
            "qr_text": booking_qr_text(group_code(booking.code)), "serial": booking.serial}


class BookingRefused(Exception):
    """A booking that cannot be made: ``code`` for the machine, ``message`` for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def service_codes_of(catalog_path: Path | None) -> tuple[str, ...]:
    """The service codes of the catalog the server serves (none without a catalog: nothing is bookable)."""
    if catalog_path is None:
        return ()
    data = json.loads(Path(catalog_path).read_text(encoding="utf-8"))
    return tuple(str(s["code"]) for s in data.get("services", []))


def earliest_today(now: datetime | None = None) -> date:
    """Today's date in the last time zone to start it: a day before it is past everywhere."""
    return ((now or datetime.now(UTC)) + LAST_ZONE_OFFSET).date()


@dataclass
class BookingDesk:
    """Makes bookings (MPP Digital's side): checks them against the catalog, then stores them with the
    next serial of their MPP and day and their code. Used by the admin route and the demo."""

    store: BookingStore
    service_codes: Sequence[str]
    today: Callable[[], date] = earliest_today

    def __post_init__(self) -> None:
        self._clashes = {a: b for pair in service_tags_clash(self.service_codes) for a, b in (pair, pair[::-1])}

    def create(self, body: NewBookingBody) -> tuple[StoredBooking, bool]:
        """``(booking, created)``; :class:`BookingRefused` saying what to fix, nothing stored."""
        day, slot = self.check(body)

        def make_code(serial: int, key: bytes) -> str:
            fields = BookingCodeFields(mpp_code=body.mpp_code, day=day, slot=slot, service_code=body.service_code,
                                       serial=serial)
            return canonical_booking_code(encode_booking_code(fields, key))

        try:
            return self.store.create(mpp_code=body.mpp_code, service_code=body.service_code, day=day,
                                     slot=slot.strftime("%H:%M"), nik=body.nik, make_code=make_code,
                                     request_id=body.request_id)
        except DayFull as exc:
            raise BookingRefused("day_full", f"No booking can be added: {exc}.") from None

    def check(self, body: NewBookingBody) -> tuple[date, time]:
        if body.service_code not in self.service_codes:
            raise BookingRefused("unknown_service", f"service_code: {body.service_code[:40]!r} is not in the catalog; "
                                 f"use one of {', '.join(self.service_codes) or '(no catalog loaded)'}.")
        other = self._clashes.get(body.service_code)
        if other is not None:
            raise BookingRefused("service_tag_clash", f"service_code: {body.service_code} and {other} have the same "
                                 "booking tag, so a booking code could not tell them apart; rename one of the two "
                                 "service codes in the catalog before booking either.")
        day = parse_day(body.day)
        hours, minutes = (int(part) for part in body.slot.split(":"))
        if hours > 23 or minutes > 59:
            raise BookingRefused("slot_outside_day", f"slot: {body.slot} is not a time of the day (00:00 to 23:59).")
        today = self.today()
        if day < today:
            raise BookingRefused("past_day", f"day: {body.day} has passed; book today or a later day.")
        if day > today + timedelta(days=MAX_DAYS_AHEAD):
            raise BookingRefused("too_far_ahead", f"day: {body.day} is more than {MAX_DAYS_AHEAD} days ahead.")
        try:
            parse_nik(body.nik)
        except InvalidNik as exc:
            raise BookingRefused("invalid_nik", f"nik: not a valid NIK ({exc.detail}).") from None
        return day, time(hours, minutes)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` that is a real date; 422 ``invalid_day`` otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BookingRefused("invalid_day", f"day: {text[:10]!r} is not a date (YYYY-MM-DD).") from None


def enrollment_answer(app: FastAPI, device_id: str, mpp_code: str) -> dict[str, str]:
    """What the enroll answer adds for a device that names its MPP: ``mpp_code`` and ``booking_key``."""
    return _key_for(app.state.bookings, device_id, mpp_code)


def _key_for(bookings: BookingStore, device_id: str, mpp_code: str) -> dict[str, str]:
    bound = bookings.claim(device_id, mpp_code)
    if bound != mpp_code:
        log.warning("device %s (of %s) asked for the bookings of %s: refused", device_id, bound, mpp_code)
        raise ApiError(403, "other_mpp", f"This device belongs to {bound}, not to {mpp_code}.")
    return {"mpp_code": mpp_code, "booking_key": encode_key(bookings.key(mpp_code))}


def add_booking_routes(app: FastAPI, bookings: BookingStore | None, *, catalog_path: Path | None,
                       admin_token: str, signed: Callable[..., Any]) -> None:
    """Add the booking routes; ``bookings`` is None only when the app is built for its OpenAPI document."""
    app.state.bookings = bookings
    desk = BookingDesk(bookings, service_codes_of(catalog_path)) if bookings is not None else None
    app.state.booking_desk = desk

    def not_revoked(device_id: str) -> None:
        fleet = getattr(app.state, "fleet", None)
        if fleet is not None and fleet.is_revoked(device_id):
            raise ApiError(403, "device_revoked", "This device was revoked by regional IT; enroll it again.")

    @app.get("/v1/bookings/key", tags=["bookings"], response_model=BookingKeyAnswer,
             responses={**_REFUSALS, **responses(*SIGNED_ERRORS)})
    def booking_key(mpp_code: Annotated[str, Query(pattern=MPP_CODE_PATTERN, description="The device's MPP.")],
                    caller: Any = Depends(signed)) -> dict[str, str]:  # noqa: B008 - FastAPI
        """The MPP's booking key (32 bytes, base64url): the queue host checks booking codes with it,
        offline. The first request of a device not enrolled with an MPP binds it to this one."""
        assert bookings is not None
        not_revoked(caller.device_id)
        answer = _key_for(bookings, caller.device_id, mpp_code)
        log.info("booking key of %s handed to device %s", mpp_code, caller.device_id)
        return answer

    @app.get("/v1/bookings", tags=["bookings"], response_model=BookingsAnswer,
             responses={**_REFUSALS, **responses(*SIGNED_ERRORS)})
    def day_bookings(mpp_code: Annotated[str, Query(pattern=MPP_CODE_PATTERN, description="The device's MPP.")],
                     day: Annotated[str, Query(pattern=DAY_PATTERN, description="YYYY-MM-DD, the MPP's date.")],
                     caller: Any = Depends(signed)) -> dict[str, Any]:  # noqa: B008 - FastAPI
        """Every booking of the MPP on ``day``, cancelled ones included, by slot; NIKs masked."""
        assert bookings is not None
        not_revoked(caller.device_id)
        wanted = _day_or_422(day)
        _key_for(bookings, caller.device_id, mpp_code)  # the device's MPP, claimed now if not yet
        return {"mpp_code": mpp_code, "day": wanted.isoformat(),
                "bookings": [b.to_json() for b in bookings.day(mpp_code, wanted)]}

    _add_admin_routes(app, bookings, desk, admin_token)


def _day_or_422(text: str) -> date:
    try:
        return parse_day(text)
    except BookingRefused as exc:
        raise ApiError(422, exc.code, exc.message) from None


def _add_admin_routes(app: FastAPI, bookings: BookingStore | None, desk: BookingDesk | None, admin_token: str) -> None:
    def admin(request: Request) -> None:
        if not admin_token or not same_secret(request.headers.get("x-admin-token", ""), admin_token):
            raise ApiError(404, "not_found", "Not found.")

    @app.post("/admin/bookings", include_in_schema=False, dependencies=[Depends(admin)])
    def create_booking(body: NewBookingBody) -> JSONResponse:
        assert desk is not None
        try:
            booking, created = desk.create(body)
        except BookingRefused as exc:
            raise ApiError(409 if exc.code == "day_full" else 422, exc.code, exc.message) from None
        if created:
            log.info("booking %s made: %s %s %s at %s", group_code(booking.code)[:9] + "…", booking.mpp_code,
                     booking.service_code, booking.day, booking.slot)
        return JSONResponse(admin_json(booking), status_code=201 if created else 200)

    @app.get("/admin/bookings", include_in_schema=False, dependencies=[Depends(admin)])
    def list_bookings(mpp_code: Annotated[str, Query(pattern=MPP_CODE_PATTERN)],
                      day: Annotated[str, Query(pattern=DAY_PATTERN)]) -> dict[str, Any]:
        assert bookings is not None
        wanted = _day_or_422(day)
        return {"mpp_code": mpp_code, "day": wanted.isoformat(),
                "bookings": [admin_json(b) for b in bookings.day(mpp_code, wanted)]}

    @app.post("/admin/bookings/{code}/cancel", include_in_schema=False, dependencies=[Depends(admin)])
    def cancel_booking(code: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
        assert bookings is not None
        try:
            canonical = canonical_booking_code(code)
        except BookingCodeError:
            raise ApiError(422, "malformed", "code: not a booking code (24 characters of 0-9 and A-Z, "
                                             "in groups of four).") from None
        cancelled = bookings.cancel(canonical)
        if cancelled is None:
            raise ApiError(404, "not_found", "No booking has this code.")
        log.info("booking %s cancelled", group_code(canonical)[:9] + "…")
        return admin_json(cancelled)
