"""A passport or KITAS number: normalised as typed, checked for form only (no NIK rules), masked like a NIK."""

from __future__ import annotations

import logging

import pytest

from kiosk.citizen.nik import InvalidNik, parse_nik
from kiosk.citizen.travel_document import (
    MAX_LENGTH,
    MIN_LENGTH,
    DocumentProblem,
    InvalidTravelDocument,
    check_partial,
    mask_document_number,
    normalise,
    parse_travel_document,
)


@pytest.mark.parametrize(("typed", "number"), [
    ("A1234567", "A1234567"),          # an Indonesian passport: a letter and 7 digits
    ("a 123 4567", "A1234567"),        # spaces and lower case as people type them
    ("  x9876543\t", "X9876543"),
    ("c01x00t47", "C01X00T47"),        # a foreign passport, 9 characters (ICAO 9303)
    ("2c21ab1234567", "2C21AB1234567"),  # a KITAS card number, longer
])
def test_good_numbers_are_normalised(typed: str, number: str) -> None:
    assert normalise(typed) == number
    assert parse_travel_document(typed).number == number


@pytest.mark.parametrize(("typed", "problem"), [
    ("", DocumentProblem.EMPTY),
    ("   ", DocumentProblem.EMPTY),
    ("A123-4567", DocumentProblem.SYMBOLS),
    ("A123/4567", DocumentProblem.SYMBOLS),
    ("A1234.567", DocumentProblem.SYMBOLS),
    ("É1234567", DocumentProblem.SYMBOLS),   # a letter outside A-Z: not on a passport's data page
    ("٣1234567", DocumentProblem.SYMBOLS),   # an Arabic-Indic digit
    ("A" * (MAX_LENGTH + 1), DocumentProblem.TOO_LONG),
    ("A12", DocumentProblem.TOO_SHORT),
])
def test_bad_numbers_say_what_is_wrong(typed: str, problem: DocumentProblem) -> None:
    with pytest.raises(InvalidTravelDocument) as caught:
        parse_travel_document(typed)
    assert caught.value.problem is problem
    assert typed.strip() == "" or normalise(typed) not in str(caught.value)  # the message never holds it


def test_while_typing_only_symbols_and_length_are_problems() -> None:
    assert check_partial("A1") is None  # short is fine until Next
    assert check_partial("a 1") is None
    assert check_partial("A1-") is DocumentProblem.SYMBOLS
    assert check_partial("9" * MAX_LENGTH) is None
    assert check_partial("9" * (MAX_LENGTH + 1)) is DocumentProblem.TOO_LONG
    assert MIN_LENGTH <= 8 <= MAX_LENGTH


def test_no_nik_rules_apply() -> None:
    """16 digits that are no valid NIK (province 00) are a fine document number: the rules are the issuer's."""
    with pytest.raises(InvalidNik):
        parse_nik("0000000000000000")
    assert parse_travel_document("0000000000000000").number == "0" * 16


def test_masked_like_a_nik_on_screens_and_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    document = parse_travel_document("a1234567")
    assert document.masked == "A1****67" == mask_document_number("A1234567")
    assert mask_document_number("2C21AB1234567") == "2C2*******567"
    assert mask_document_number("AB12") == "A**2"
    assert "1234" not in document.masked
    caplog.set_level(logging.INFO)
    logging.getLogger("test").info("document %r", document)
    assert "A1234567" not in caplog.text and "A1****67" in caplog.text
