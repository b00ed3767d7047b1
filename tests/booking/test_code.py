"""The booking code: round trip, forgiving typing, and every kind of bad code told apart."""

from __future__ import annotations

import itertools
from datetime import date, time

import pytest

from kiosk.booking.code import (
    CODE_LENGTH,
    BookingCodeFields,
    ForgedCode,
    MalformedCode,
    OtherMppCode,
    UnknownServiceCode,
    booking_qr_text,
    canonical_booking_code,
    encode_booking_code,
    new_booking_key,
    read_booking_code,
    service_tags_clash,
)

SERVICES = ["KTP", "KK", "PASPOR", "SIP-DOKTER"]
KEY = bytes(range(32))
FIELDS = BookingCodeFields(mpp_code="MPP-DEMO", day=date(2026, 12, 7), slot=time(10, 30), service_code="KK",
                           serial=42)


def read(text: str, *, key: bytes = KEY, mpp: str = "MPP-DEMO", services: list[str] = SERVICES) -> BookingCodeFields:
    return read_booking_code(text, key=key, mpp_code=mpp, service_codes=services)


def test_a_code_reads_back_its_fields() -> None:
    code = encode_booking_code(FIELDS, KEY)
    assert len(code) == CODE_LENGTH + 5 and code.count("-") == 5
    assert read(code) == FIELDS


def test_typing_is_forgiving_and_the_qr_text_reads_too() -> None:
    code = encode_booking_code(FIELDS, KEY)
    typed = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert read(typed) == FIELDS
    assert read(booking_qr_text(code)) == FIELDS
    assert read("https://mpp.example.go.id/booking/" + code.replace("-", "")) == FIELDS
    assert canonical_booking_code(code) == code.replace("-", "")


@pytest.mark.parametrize("text", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TVWX", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2",
                                  "ABCD-EFGH-JKMN-PQRS-TVWX-YZU1", "💥" * 24])
def test_wrong_forms_are_malformed(text: str) -> None:
    with pytest.raises(MalformedCode):
        read(text)


def test_one_character_altered_anywhere_is_refused() -> None:
    code = canonical_booking_code(encode_booking_code(FIELDS, KEY))
    refused = 0
    for position, other in itertools.product(range(CODE_LENGTH), "0Z"):
        if code[position] == other:
            continue
        altered = code[:position] + other + code[position + 1:]
        with pytest.raises((ForgedCode, OtherMppCode, MalformedCode)):
            read(altered)
        refused += 1
    assert refused >= CODE_LENGTH


def test_another_mpps_code_and_another_key_and_an_unknown_service() -> None:
    theirs = encode_booking_code(BookingCodeFields("MPP-SURABAYA", FIELDS.day, FIELDS.slot, "KK", 7), KEY)
    with pytest.raises(OtherMppCode):
        read(theirs)
    with pytest.raises(ForgedCode):
        read(encode_booking_code(FIELDS, new_booking_key()))
    with pytest.raises(UnknownServiceCode):
        read(encode_booking_code(FIELDS, KEY), services=["KTP"])


def test_fields_out_of_range_are_refused_when_encoding() -> None:
    for bad in (BookingCodeFields("MPP-DEMO", date(2023, 12, 31), time(9), "KK", 1),
                BookingCodeFields("MPP-DEMO", date(2026, 1, 1), time(9), "KK", 0),
                BookingCodeFields("MPP-DEMO", date(2026, 1, 1), time(9), "KK", 70000)):
        with pytest.raises(ValueError):
            encode_booking_code(bad, KEY)
    with pytest.raises(ValueError):
        encode_booking_code(FIELDS, b"short")


def test_service_tag_clashes_are_found() -> None:
    assert service_tags_clash(SERVICES) == []
    # 16-bit tags: among 2,000 made-up codes some pair must clash (birthday bound ~300)
    assert service_tags_clash(f"S{i}" for i in range(2000))
