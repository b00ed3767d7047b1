"""The bookings' wire shapes at the reference central API: a booking as the queue host downloads it,
the day's list, the MPP's booking key, and the admin body that creates one (our model of MPP Digital).

A booking is named everywhere by its canonical code (24 Crockford base32 characters, no hyphens;
:mod:`kiosk.booking.code`). The list carries the NIK masked only: the queue host never needs the
full number (the code itself is what the citizen shows).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from central_api.contract import NIK_PATTERN, Unicode

MPP_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,31}$"  # as [site] mpp_code in the kiosk's configuration
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SLOT_PATTERN = r"^[0-9]{2}:[0-9]{2}$"  # the range (00:00 to 23:59) is checked by the route, with its own message
CODE_PATTERN = r"^[0-9A-Z]{24}$"
BOOKING_STATES = ("booked", "cancelled")

_EXAMPLE_CODE = "7KQ2M9XDA3F0PZ81RC4V6WJT"
_EXAMPLE: dict[str, Any] = {"code": _EXAMPLE_CODE, "service_code": "KTP-EL", "day": "2026-12-07", "slot": "09:30",
            "nik_masked": "3171********0001", "state": "booked", "created_at": "2026-12-01T03:12:44.120+00:00",
            "cancelled_at": None}


class Booking(BaseModel):
    """One booked visit, as the queue host downloads it (cancelled ones too, so it can refuse them)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        _EXAMPLE, {**_EXAMPLE, "code": "B1N8EW4TQ0ZK3M7C2DXY9HFR", "slot": "10:00", "state": "cancelled",
                   "cancelled_at": "2026-12-06T07:00:03.511+00:00"}]})
    code: str = Field(pattern=CODE_PATTERN, description="The canonical booking code: 24 Crockford base32 "
                      "characters, no hyphens (shown to people in six groups of four). The booking's identity.")
    service_code: str = Field(description="The catalog's service code.")
    day: str = Field(pattern=DAY_PATTERN, description="The day of the visit (YYYY-MM-DD, the MPP's local date).")
    slot: str = Field(pattern=SLOT_PATTERN, description="The slot's start, HH:MM local time.")
    nik_masked: str = Field(description="The citizen's NIK with its middle digits hidden; never the full NIK.")
    state: Literal["booked", "cancelled"]
    created_at: str
    cancelled_at: str | None = Field(description="When it was cancelled; null while booked.")


class BookingsAnswer(BaseModel):
    """``GET /v1/bookings``: every booking of one MPP for one day, cancelled ones included, by slot."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mpp_code": "MPP-3171", "day": "2026-12-07", "bookings": [_EXAMPLE]}]})
    mpp_code: str
    day: str
    bookings: list[Booking]


class BookingKeyAnswer(BaseModel):
    """The MPP's booking key: the queue host checks booking codes offline with it (HMAC-SHA256)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mpp_code": "MPP-3171", "booking_key": "q3Jx0yC1m8p0o6y9Yh0gH7bq2d3ZPj1k2cVv5oXxQe4"}]})
    mpp_code: str
    booking_key: str = Field(description="32 bytes, base64url without padding. A secret: kept in the device's "
                                         "credentials file (0600), never logged.")


class NewBookingBody(BaseModel):
    """``POST /admin/bookings``: what a citizen books at MPP Digital (our model of it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mpp_code": "MPP-3171", "service_code": "KTP-EL", "day": "2026-12-07", "slot": "09:30",
         "nik": "3171011508900001", "request_id": "b7c1d2e3f4a5b6c7"}]})
    mpp_code: str = Field(pattern=MPP_CODE_PATTERN)
    service_code: Unicode = Field(min_length=1, max_length=40)
    day: str = Field(pattern=DAY_PATTERN)
    slot: str = Field(pattern=SLOT_PATTERN)
    nik: str = Field(pattern=NIK_PATTERN, description="Checked (province, birth date), kept sealed, listed masked.")
    request_id: Unicode | None = Field(default=None, min_length=8, max_length=64,
                                       description="Optional, client-made: the same id again answers the booking "
                                                   "made the first time (a lost answer), never a second one.")


class NewBookingAnswer(Booking):
    """The booking made, with what the citizen is given: the code in groups and the QR's text."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {**_EXAMPLE, "display_code": "7KQ2-M9XD-A3F0-PZ81-RC4V-6WJT", "qr_text": "MPP-BOOKING:7KQ2-M9XD-A3F0-PZ81-"
         "RC4V-6WJT", "serial": 12, "mpp_code": "MPP-3171"}]})
    mpp_code: str
    display_code: str
    qr_text: str
    serial: int = Field(ge=1, le=65535, description="The booking's number among its MPP's bookings of that day.")


__all__ = ["BOOKING_STATES", "CODE_PATTERN", "DAY_PATTERN", "MPP_CODE_PATTERN", "SLOT_PATTERN", "Booking",
           "BookingKeyAnswer", "BookingsAnswer", "NewBookingAnswer", "NewBookingBody"]
