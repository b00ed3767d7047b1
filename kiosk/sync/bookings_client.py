"""The queue host's side of MPP Digital's bookings: the day's bookings and the MPP's booking key,
fetched over a signed :class:`~kiosk.sync.central_client.CentralClient`.

The key (32 bytes, the HMAC key of the MPP's booking codes, :mod:`kiosk.booking.code`) normally
comes with enrollment (``kiosk sync enroll`` sends ``[site] mpp_code``) and is kept in the device's
credentials file (0600); a device enrolled before asks for it with :func:`remember_booking_key`.
The key is never logged. Calls block: run them off the GUI thread (the queue host's own thread).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from kiosk.sync.central_client import CentralClient, CentralUnavailable, DeviceCredentials, credentials_path

log = logging.getLogger(__name__)

KEY_BYTES = 32
_CODE = re.compile(r"[0-9A-Z]{24}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLOT = re.compile(r"[0-9]{2}:[0-9]{2}")
BOOKING_FIELDS = ("code", "service_code", "day", "slot", "nik_masked", "state", "created_at", "cancelled_at")


class BadBookingKey(ValueError):
    """A booking key that is not 32 bytes of base64url."""


def encode_key(key: bytes) -> str:
    """base64url without padding, as the wire and the credentials file carry it."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def decode_key(text: str) -> bytes:
    """The 32 bytes of a key in base64url (padding optional); :class:`BadBookingKey` otherwise."""
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadBookingKey("the booking key is not base64url") from None
    if len(key) != KEY_BYTES:
        raise BadBookingKey(f"the booking key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


def fetch_booking_key(client: CentralClient, mpp_code: str) -> bytes:
    """The MPP's booking key (``GET /v1/bookings/key``). A device bound to another MPP gets
    :class:`~kiosk.sync.central_client.CentralAuthError` (403 ``other_mpp``); unreachable,
    :class:`~kiosk.sync.central_client.CentralUnavailable`."""
    answer = client.get_json("/bookings/key", {"mpp_code": mpp_code})
    if not isinstance(answer, Mapping) or answer.get("mpp_code") != mpp_code:
        raise CentralUnavailable("the central API answered the booking key request with something else")
    try:
        return decode_key(str(answer.get("booking_key", "")))
    except BadBookingKey as exc:
        raise CentralUnavailable(f"the central API sent a broken booking key ({exc})") from None


def fetch_bookings(client: CentralClient, mpp_code: str, day: date) -> list[dict[str, Any]]:
    """The MPP's bookings of ``day`` (``GET /v1/bookings``), cancelled ones included, as the contract's
    dicts: ``code`` (canonical), ``service_code``, ``day``, ``slot`` ("HH:MM"), ``nik_masked``,
    ``state`` ("booked" | "cancelled"), ``created_at``, ``cancelled_at``. An answer of another shape
    raises :class:`~kiosk.sync.central_client.CentralUnavailable` (nothing half-taken)."""
    answer = client.get_json("/bookings", {"mpp_code": mpp_code, "day": day.isoformat()})
    items = answer.get("bookings") if isinstance(answer, Mapping) else None
    if not isinstance(items, list) or answer.get("mpp_code") != mpp_code or answer.get("day") != day.isoformat():
        raise CentralUnavailable("the central API answered the bookings request with something else")
    bookings = [_booking(item) for item in items]
    log.info("%d bookings of %s on %s downloaded", len(bookings), mpp_code, day.isoformat())
    return bookings


def _booking(item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping) or any(name not in item for name in BOOKING_FIELDS):
        raise CentralUnavailable("a booking in the central API's answer lacks fields")
    booking = {name: item[name] for name in BOOKING_FIELDS}
    texts = all(isinstance(booking[n], str) for n in BOOKING_FIELDS if n != "cancelled_at")
    if not (texts and _CODE.fullmatch(booking["code"]) and _DAY.fullmatch(booking["day"])
            and _SLOT.fullmatch(booking["slot"]) and booking["state"] in ("booked", "cancelled")):
        raise CentralUnavailable("a booking in the central API's answer is malformed")
    return booking


def saved_booking_key(credentials: DeviceCredentials | None, mpp_code: str) -> bytes | None:
    """The key kept in the credentials for ``mpp_code``; None when there is none (or for another MPP)."""
    if credentials is None or not credentials.booking_key or credentials.mpp_code != mpp_code:
        return None
    try:
        return decode_key(credentials.booking_key)
    except BadBookingKey:
        log.warning("the booking key in the device credentials is damaged; it will be fetched again")
        return None


def remember_booking_key(client: CentralClient, mpp_code: str) -> bytes:
    """The MPP's key: from the client's credentials, else fetched and saved in them (the credentials
    file in the client's data dir, 0600), so that codes check offline from then on."""
    saved = saved_booking_key(client.credentials, mpp_code)
    if saved is not None:
        return saved
    key = fetch_booking_key(client, mpp_code)
    if client.credentials is not None:
        client.credentials = dataclasses.replace(client.credentials, mpp_code=mpp_code, booking_key=encode_key(key))
        if client.data_dir is not None:
            client.credentials.save(credentials_path(client.data_dir))
        log.info("booking key of %s kept in the device credentials", mpp_code)
    return key
