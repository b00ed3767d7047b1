"""NIK parsing, live validation and masking (kiosk.citizen.nik)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kiosk.citizen.nik import PROVINCE_NAMES, InvalidNik, Nik, NikProblem, check_partial, parse_nik
from kiosk.utils.privacy import mask_nik, mask_niks_in

TODAY = date(2025, 6, 15)

# text typed, province name, birth date, sex
VALID = [
    pytest.param("3171010101900001", "DKI Jakarta", date(1990, 1, 1), "M", id="male"),
    pytest.param("3273014101850002", "Jawa Barat", date(1985, 1, 1), "F", id="female-day-41"),
    pytest.param("3171017112990003", "DKI Jakarta", date(1999, 12, 31), "F", id="female-day-71"),
    pytest.param("3578012902960004", "Jawa Timur", date(1996, 2, 29), "M", id="29feb-1996"),
    pytest.param("3578016902240004", "Jawa Timur", date(2024, 2, 29), "F", id="29feb-2024-female"),
    pytest.param("3171012902000005", "DKI Jakarta", date(2000, 2, 29), "M", id="29feb-2000"),
    pytest.param("5171033112800006", "Bali", date(1980, 12, 31), "M", id="31dec"),
    pytest.param("1101011505700001", "Aceh", date(1970, 5, 15), "M", id="aceh"),
    pytest.param("2171025506010002", "Kepulauan Riau", date(2001, 6, 15), "F", id="kepri"),
    pytest.param("6571011010100003", "Kalimantan Utara", date(2010, 10, 10), "M", id="kaltara"),
    pytest.param("8271013001680004", "Maluku Utara", date(1968, 1, 30), "M", id="malut"),
    pytest.param("9101010101010009", "Papua", date(2001, 1, 1), "M", id="papua"),
    pytest.param("9601010101020009", "Papua Barat Daya", date(2002, 1, 1), "M", id="papua-bd"),
    pytest.param("3171 0101 0190 0001", "DKI Jakarta", date(1990, 1, 1), "M", id="spaces"),
    pytest.param(" 31.71.01.010190.0001 ", "DKI Jakarta", date(1990, 1, 1), "M", id="dots"),
    pytest.param("3171-0101-0190-0001", "DKI Jakarta", date(1990, 1, 1), "M", id="dashes"),
    pytest.param("3199990101909999", "DKI Jakarta", date(1990, 1, 1), "M", id="unknown-district-ok"),
]

INVALID = [
    pytest.param("", NikProblem.EMPTY, id="empty"),
    pytest.param("  - . ", NikProblem.EMPTY, id="only-separators"),
    pytest.param("317101010190000", NikProblem.TOO_SHORT, id="15-digits"),
    pytest.param("31710101019000011", NikProblem.TOO_LONG, id="17-digits"),
    pytest.param("3171O10101900001", NikProblem.NOT_DIGITS, id="letter-O"),
    pytest.param("abcdefghijklmnop", NikProblem.NOT_DIGITS, id="letters"),
    pytest.param("317101010190000\u00b2", NikProblem.NOT_DIGITS, id="superscript-two"),
    pytest.param("1071010101900001", NikProblem.PROVINCE, id="province-10"),
    pytest.param("2071010101900001", NikProblem.PROVINCE, id="province-20"),
    pytest.param("3771010101900001", NikProblem.PROVINCE, id="province-37"),
    pytest.param("9971010101900001", NikProblem.PROVINCE, id="province-99"),
    # 97 is a BPS statistics code, not a NIK province code (Kepmendagri 100.1.1-6117/2022 stops at 96)
    pytest.param("9771010101900001", NikProblem.PROVINCE, id="province-97-statistics-code"),
    pytest.param("3100010101900001", NikProblem.REGENCY, id="regency-00"),
    pytest.param("3171000101900001", NikProblem.DISTRICT, id="district-00"),
    pytest.param("3171010100900001", NikProblem.MONTH, id="month-00"),
    pytest.param("3171010113900001", NikProblem.MONTH, id="month-13"),
    pytest.param("3171010001900001", NikProblem.DAY, id="day-00"),
    pytest.param("3171013201900001", NikProblem.DAY, id="day-32"),
    pytest.param("3171014001900001", NikProblem.DAY, id="day-40"),
    pytest.param("3171017201900001", NikProblem.DAY, id="day-72"),
    pytest.param("3171013104900001", NikProblem.DATE, id="31-april"),
    pytest.param("3171012902230001", NikProblem.DATE, id="29feb-2023"),
    pytest.param("3171017104230001", NikProblem.DATE, id="female-31-april"),
    pytest.param("3171013002900001", NikProblem.DATE, id="30-feb"),
    pytest.param("3171010101900000", NikProblem.SERIAL, id="serial-0000"),
]


@pytest.mark.parametrize(("text", "province", "born", "sex"), VALID)
def test_parse_valid(text: str, province: str, born: date, sex: str) -> None:
    nik = parse_nik(text, today=TODAY)
    digits = re.sub(r"\D", "", text)
    assert nik.digits == digits
    assert nik.province_code == digits[:2]
    assert nik.province_name == province
    assert nik.regency_code == digits[2:4]
    assert nik.district_code == digits[4:6]
    assert nik.birth_date == born
    assert nik.sex == sex
    assert nik.serial == digits[12:]
    assert check_partial(text, today=TODAY) is None


@pytest.mark.parametrize(("text", "problem"), INVALID)
def test_parse_invalid(text: str, problem: NikProblem) -> None:
    with pytest.raises(InvalidNik) as caught:
        parse_nik(text, today=TODAY)
    assert caught.value.problem is problem
    assert isinstance(caught.value, ValueError)
    assert caught.value.detail
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 16:
        assert digits not in str(caught.value)
        assert digits[6:] not in caught.value.detail  # no birth date or serial in logs either


@pytest.mark.parametrize(("text", "problem"), INVALID)
def test_check_partial_agrees_with_parse_on_complete_input(text: str, problem: NikProblem) -> None:
    expected = {NikProblem.EMPTY: None, NikProblem.TOO_SHORT: None}.get(problem, problem)
    assert check_partial(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "province", "born", "sex"), VALID)
def test_every_prefix_of_a_valid_nik_is_fine(text: str, province: str, born: date, sex: str) -> None:
    for end in range(len(text) + 1):
        assert check_partial(text[:end], today=TODAY) is None, text[:end]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        pytest.param("", None, id="nothing-yet"),
        pytest.param("3", None, id="3"),
        pytest.param("31", None, id="31"),
        pytest.param("3171 01", None, id="with-space"),
        pytest.param("317101", None, id="district-done"),
        pytest.param("3171010", None, id="day-0"),
        pytest.param("3171013", None, id="day-3"),
        pytest.param("3171017", None, id="day-7"),
        pytest.param("31710131", None, id="day-31"),
        pytest.param("317101310", None, id="31-month-0"),
        pytest.param("3171012902", None, id="29-feb-year-pending"),
        pytest.param("31710129022", None, id="29-feb-202x-may-be-leap"),
        pytest.param("317101290224", None, id="29-feb-2024"),
        pytest.param("317101010190000", None, id="15-digits-serial-pending"),
        pytest.param("3171010101900001", None, id="complete"),
        pytest.param("4", NikProblem.PROVINCE, id="province-4x"),
        pytest.param("0", NikProblem.PROVINCE, id="province-0x"),
        pytest.param("99", NikProblem.PROVINCE, id="province-99"),
        pytest.param("37", NikProblem.PROVINCE, id="province-37"),
        pytest.param("3100", NikProblem.REGENCY, id="regency-00"),
        pytest.param("317100", NikProblem.DISTRICT, id="district-00"),
        pytest.param("3171018", NikProblem.DAY, id="day-8x"),
        pytest.param("31710135", NikProblem.DAY, id="day-35"),
        pytest.param("31710140", NikProblem.DAY, id="day-40"),
        pytest.param("317101012", NikProblem.MONTH, id="month-2x"),
        pytest.param("3171010113", NikProblem.MONTH, id="month-13"),
        pytest.param("3171013104", NikProblem.DATE, id="31-april-known-without-year"),
        pytest.param("3171017104", NikProblem.DATE, id="female-31-april"),
        pytest.param("317101290223", NikProblem.DATE, id="29-feb-2023"),
        pytest.param("3171010101900000", NikProblem.SERIAL, id="serial-0000"),
        pytest.param("31710101019000011", NikProblem.TOO_LONG, id="17-digits"),
        pytest.param("317x", NikProblem.NOT_DIGITS, id="letter"),
    ],
)
def test_check_partial(typed: str, problem: NikProblem | None) -> None:
    assert check_partial(typed, today=TODAY) == problem


@pytest.mark.parametrize(
    ("yymmdd_field", "today", "expected"),
    [
        pytest.param("150625", TODAY, date(2025, 6, 15), id="today-is-20yy"),
        pytest.param("160625", TODAY, date(1925, 6, 16), id="tomorrow-is-19yy"),
        pytest.param("010100", TODAY, date(2000, 1, 1), id="00-is-2000"),
        pytest.param("311299", TODAY, date(1999, 12, 31), id="99-is-1999"),
        pytest.param("010199", date(2099, 12, 31), date(2099, 1, 1), id="in-2099-99-is-2099"),
        pytest.param("290200", date(2000, 2, 29), date(2000, 2, 29), id="290200-on-the-day"),
        pytest.param("290224", date(2024, 2, 28), date(1924, 2, 29), id="1924-was-leap-too"),
    ],
)
def test_century_rule(yymmdd_field: str, today: date, expected: date) -> None:
    assert parse_nik(f"317101{yymmdd_field}0001", today=today).birth_date == expected


@pytest.mark.parametrize("today", [date(1999, 12, 31), date(2000, 2, 28)])
def test_290200_before_2000_means_1900_which_was_not_leap(today: date) -> None:
    with pytest.raises(InvalidNik) as caught:
        parse_nik("3171012902000001", today=today)
    assert caught.value.problem is NikProblem.DATE
    assert check_partial("317101290200", today=today) is NikProblem.DATE


def test_today_defaults_to_the_real_date() -> None:
    assert parse_nik("3171010101900001").birth_date == date(1990, 1, 1)
    assert check_partial("3171010101900001") is None


def test_provinces() -> None:
    assert len(PROVINCE_NAMES) == 38  # the provinces of Kepmendagri 100.1.1-6117/2022, Papua's four new ones 93-96
    expected_codes = {
        *range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66),
        *range(71, 77), 81, 82, *range(91, 97),
    }
    assert {int(code) for code in PROVINCE_NAMES} == expected_codes
    assert PROVINCE_NAMES["31"] == "DKI Jakarta"
    assert [PROVINCE_NAMES[str(code)] for code in range(91, 97)] == [
        "Papua", "Papua Barat", "Papua Selatan", "Papua Tengah", "Papua Pegunungan",
        "Papua Barat Daya",
    ]
    for code in PROVINCE_NAMES:
        assert parse_nik(f"{code}71010101900001", today=TODAY).province_code == code


def test_problem_ids_are_stable_i18n_keys() -> None:
    assert {p.value for p in NikProblem} == {
        "empty", "not_digits", "too_short", "too_long", "province", "regency", "district",
        "month", "day", "date", "serial",
    }
    assert NikProblem.DATE.i18n_key == "nik.error.date"


def test_nik_is_frozen_and_never_shows_the_full_number() -> None:
    nik = parse_nik("3171010101900001", today=TODAY)
    assert nik.masked == "3171********0001"
    assert repr(nik) == str(nik) == "Nik(3171********0001)"  # no NIK or birth date in logs
    with pytest.raises(AttributeError):
        nik.digits = "0"  # type: ignore[misc]
    assert isinstance(nik, Nik)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("3171010101900001", "3171********0001", id="nik"),
        pytest.param("3171 0101 0190 0001", "3171********0001", id="typed-with-spaces"),
        pytest.param("", "", id="empty"),
        pytest.param("12345678", "********", id="8-chars"),
        pytest.param("123456789", "1234*****", id="9-chars"),
        pytest.param("317101010190000", "3171***********", id="15-digits"),
        pytest.param("31710101019000011", "3171*************", id="17-digits"),
    ],
)
def test_mask_nik(text: str, masked: str) -> None:
    assert mask_nik(text) == masked


def test_mask_never_reveals_more_than_8_digits() -> None:
    source = "31710101019000014567"
    for length in range(21):
        text = source[:length]
        masked = mask_nik(text)
        visible = sum(ch.isdigit() for ch in masked)
        assert visible <= 8, (text, masked)
        if length != 16:
            assert visible <= 4, (text, masked)
        if length <= 8:
            assert visible == 0, (text, masked)
        assert len(masked) == length


def test_mask_niks_in_a_log_line() -> None:
    line = (
        "lookup nik=3171010101900001 other:3273014101850002, "
        "ref 12345678901234567 phone +6281234567890 ticket A-012 NIK3578012902960004x"
    )
    assert mask_niks_in(line) == (
        "lookup nik=3171********0001 other:3273********0002, "
        "ref 12345678901234567 phone +6281234567890 ticket A-012 NIK3578********0004x"
    )
    assert mask_niks_in("no numbers here") == "no numbers here"
