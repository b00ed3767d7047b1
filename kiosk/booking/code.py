"""The booking code: what a booked visit carries from MPP Digital to the kiosk, checkable offline.

A citizen who booked online brings a code (on paper, in an app, as a QR). The queue host must accept it
even when the central API is unreachable and the booking was made after the host's last download, so
the code carries the booking's fields and a MAC the host checks with its MPP's booking key (given at
enrollment). 15 bytes, written as 24 Crockford base32 characters in six groups of four::

    version (1) | MPP tag (1) | day (2) | slot start (2) | service tag (2) | serial (2) | MAC (5)

* the MPP tag (SHA-256 of the MPP code, first byte) tells "another MPP's booking" from a forgery;
* day = days since 2024-01-01; slot = minutes after midnight in the building's local time;
* the service tag (SHA-256 of the service code, first two bytes) is mapped back through the catalog:
  the central API refuses a catalog whose tags clash (:func:`service_tags_clash`);
* serial = the booking's number for that MPP and day (1..65535), from the central API;
* MAC = the first 40 bits of HMAC-SHA256(key, the first 10 bytes).

Why a symmetric MAC and not a public-key signature: an Ed25519 signature alone is 103 base32
characters, too long to type on a kiosk; the queue host that holds the key is trusted inside its
building anyway. Against online guessing at a throttled kiosk, 40 bits is ample (2^40 tries).
Typing is forgiving: any case, spaces or hyphens, I and L read as 1, O as 0 (Crockford's rules).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

VERSION = 1
CODE_LENGTH = 24  # characters, without the hyphens
KEY_BYTES = 32
MAC_BYTES = 5
QR_PREFIX = "MPP-BOOKING:"
EPOCH = date(2024, 1, 1)
MAX_SERIAL = 0xFFFF

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_RFC = str.maketrans(_CROCKFORD, _RFC4648)
_TO_CROCKFORD = str.maketrans(_RFC4648, _CROCKFORD)
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-–—.]+")
_CODE_CHARS = re.compile(f"[{_CROCKFORD}]{{{CODE_LENGTH}}}")
_PAYLOAD = struct.Struct(">BBHHHH")  # version, MPP tag, day, slot minutes, service tag, serial


class BookingCodeError(ValueError):
    """A code that cannot be accepted; ``reason`` says which kind (the kiosk words it for the citizen)."""

    reason = "malformed"


class MalformedCode(BookingCodeError):
    """Not 24 characters of the code's alphabet: truncated, too long, or other characters."""


class ForgedCode(BookingCodeError):
    """The MAC does not match: a character typed wrong, or a code no MPP issued."""

    reason = "forged"


class OtherMppCode(BookingCodeError):
    """A genuine-looking code of another MPP (its tag differs from this building's)."""

    reason = "other_mpp"


class UnknownServiceCode(BookingCodeError):
    """The code checks, but its service is not (or no longer) in this building's catalog."""

    reason = "unknown_service"


@dataclass(frozen=True)
class BookingCodeFields:
    """What a booking code says: the MPP, the day, the slot's start (local time), the service, the serial."""

    mpp_code: str
    day: date
    slot: time
    service_code: str
    serial: int


def new_booking_key() -> bytes:
    """A fresh MPP booking key (kept by the central API, handed to the MPP's queue host at enrollment)."""
    return secrets.token_bytes(KEY_BYTES)


def _tag(text: str, size: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:size], "big")


def mpp_tag(mpp_code: str) -> int:
    return _tag(mpp_code, 1)


def service_tag(service_code: str) -> int:
    return _tag(service_code, 2)


def _mac(key: bytes, payload: bytes) -> bytes:
    if len(key) < 16:
        raise ValueError("a booking key has at least 16 bytes")
    return hmac.new(key, payload, hashlib.sha256).digest()[:MAC_BYTES]


def _payload(fields: BookingCodeFields) -> bytes:
    days = (fields.day - EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise ValueError(f"a booking day must be from {EPOCH.isoformat()} on: {fields.day.isoformat()}")
    if not 1 <= fields.serial <= MAX_SERIAL:
        raise ValueError(f"a booking serial is 1..{MAX_SERIAL}: {fields.serial}")
    minutes = fields.slot.hour * 60 + fields.slot.minute
    return _PAYLOAD.pack(VERSION, mpp_tag(fields.mpp_code), days, minutes, service_tag(fields.service_code),
                         fields.serial)


def group_code(code: str) -> str:
    """``7KQ2M9XD...`` → ``7KQ2-M9XD-...`` (how the code is shown and printed)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def encode_booking_code(fields: BookingCodeFields, key: bytes) -> str:
    """The code of a booking, grouped for reading: ``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``."""
    payload = _payload(fields)
    raw = payload + _mac(key, payload)
    return group_code(base64.b32encode(raw).decode("ascii").translate(_TO_CROCKFORD))


def booking_qr_text(code: str) -> str:
    """What the booking's QR holds: the prefix tells a booking from a ticket or an application QR."""
    return QR_PREFIX + group_code(canonical_booking_code(code))


def canonical_booking_code(text: str) -> str:
    """The 24 characters of typed or scanned text (no hyphens, upper case, I/L → 1, O → 0).

    Accepts the QR's ``MPP-BOOKING:`` text and a URL ending in the code. Raises :class:`MalformedCode`."""
    candidate = text.strip()
    if candidate.upper().startswith(QR_PREFIX):
        candidate = candidate[len(QR_PREFIX):]
    elif "/" in candidate:  # a link whose last part is the code
        candidate = candidate.rstrip("/").rsplit("/", 1)[-1]
    candidate = _SEPARATORS.sub("", candidate).upper().translate(_TYPED)
    if not _CODE_CHARS.fullmatch(candidate):
        raise MalformedCode(f"a booking code has {CODE_LENGTH} letters and digits")
    return candidate


def read_booking_code(text: str, *, key: bytes, mpp_code: str, service_codes: Iterable[str]) -> BookingCodeFields:
    """The booking ``text`` carries, checked against this MPP's key; raises a :class:`BookingCodeError`.

    The order of the checks gives the citizen the most useful message: a code of the wrong form, then
    another MPP's (its tag; the MAC cannot be checked without that MPP's key), then a forgery or typo,
    then a service this building does not offer."""
    code = canonical_booking_code(text)
    raw = base64.b32decode(code.translate(_TO_RFC))
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    version, tag, days, minutes, service, serial = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise MalformedCode(f"booking code version {version} is not known")
    if tag != mpp_tag(mpp_code):
        raise OtherMppCode("this booking is for another MPP")
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise ForgedCode("this booking code does not check")
    if minutes >= 24 * 60 or serial == 0:
        raise ForgedCode("this booking code does not check")
    matches = [s for s in dict.fromkeys(service_codes) if service_tag(s) == service]
    if len(matches) != 1:
        raise UnknownServiceCode("this booking's service is not offered here")
    return BookingCodeFields(mpp_code=mpp_code, day=EPOCH + timedelta(days=days),
                             slot=time(minutes // 60, minutes % 60), service_code=matches[0], serial=serial)


def service_tags_clash(service_codes: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of services whose 16-bit tags are equal (their bookings could not be told apart)."""
    seen: dict[int, str] = {}
    clashes = []
    for code in dict.fromkeys(service_codes):
        other = seen.setdefault(service_tag(code), code)
        if other != code:
            clashes.append((other, code))
    return clashes
