"""NIK (Nomor Induk Kependudukan): parse and validate while typing (masking: :mod:`kiosk.utils.privacy`).

Layout ``PP KK CC DDMMYY SSSS``: province, regency/city, district, birth date (women: day + 40),
serial. Every rule lives once in ``_RULES`` as the set of values allowed in a span of digits;
``parse_nik`` and ``check_partial`` both ask "is what was typed in this span a prefix of an allowed
value?", so the two can never disagree. Pure Python: the domain never imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from kiosk.utils.privacy import compact_number, is_ascii_digits, mask_nik

__all__ = [
    "NIK_LENGTH",
    "PROVINCE_DECREE",
    "PROVINCE_NAMES",
    "InvalidNik",
    "Nik",
    "NikProblem",
    "Sex",
    "check_partial",
    "mask_nik",
    "parse_nik",
]

NIK_LENGTH = 16

Sex = Literal["F", "M"]

# Province codes of the NIK (kode wilayah) and their Indonesian names: the 38 provinces of
# Kepmendagri No. 100.1.1-6117 Tahun 2022 (Pemberian dan Pemutakhiran Kode, Data Wilayah Administrasi
# Pemerintahan, dan Pulau), which gave the four provinces formed in Papua in 2022 the codes 93-96.
# BPS's statistics codes differ in places (97 is one of them): they are not NIK codes and are refused.
PROVINCE_DECREE = "Kepmendagri No. 100.1.1-6117 Tahun 2022"
PROVINCE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "11": "Aceh",
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "14": "Riau",
        "15": "Jambi",
        "16": "Sumatera Selatan",
        "17": "Bengkulu",
        "18": "Lampung",
        "19": "Kepulauan Bangka Belitung",
        "21": "Kepulauan Riau",
        "31": "DKI Jakarta",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "34": "DI Yogyakarta",
        "35": "Jawa Timur",
        "36": "Banten",
        "51": "Bali",
        "52": "Nusa Tenggara Barat",
        "53": "Nusa Tenggara Timur",
        "61": "Kalimantan Barat",
        "62": "Kalimantan Tengah",
        "63": "Kalimantan Selatan",
        "64": "Kalimantan Timur",
        "65": "Kalimantan Utara",
        "71": "Sulawesi Utara",
        "72": "Sulawesi Tengah",
        "73": "Sulawesi Selatan",
        "74": "Sulawesi Tenggara",
        "75": "Gorontalo",
        "76": "Sulawesi Barat",
        "81": "Maluku",
        "82": "Maluku Utara",
        "91": "Papua",
        "92": "Papua Barat",
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }
)


class NikProblem(str, Enum):
    """Why a NIK was rejected. Values are stable ids; the UI shows ``nik.error.<value>``."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    MONTH = "month"
    DAY = "day"
    DATE = "date"  # impossible date: 31 April, 29 February outside a leap year
    SERIAL = "serial"

    @property
    def i18n_key(self) -> str:
        """The translation key, so the UI never builds it by hand."""
        return f"nik.error.{self.value}"


class InvalidNik(ValueError):
    """A NIK that failed validation; ``detail`` is English for logs and never holds the NIK."""

    def __init__(self, problem: NikProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, repr=False)
class Nik:
    """A validated NIK and what it encodes."""

    digits: str
    province_code: str
    province_name: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: Sex
    serial: str

    @property
    def masked(self) -> str:
        """Safe to show on a screen or a slip: ``3171********0001``."""
        return mask_nik(self.digits)

    def __repr__(self) -> str:
        # The default dataclass repr would put the whole NIK (and birth date) into any log or
        # traceback that formats this object.
        return f"Nik({self.masked})"


# --- normalisation -------------------------------------------------------------------------------

# --- the rules -----------------------------------------------------------------------------------


def _birth_date(ddmmyy: str, today: date) -> date | None:
    """The birth date a DDMMYY field stands for, or None if no such day exists."""
    return _calendar_date(int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6]), today)


def _calendar_date(day: int, month: int, yy: int, today: date) -> date | None:
    """Women's day is stored + 40. YY is 20YY unless that day is still in the future, then 19YY.

    The century is picked before the calendar check, so 29-02-00 is valid only if 2000 is chosen.
    """
    if day > 40:
        day -= 40
    year = 2000 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year = 1900 + yy
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numbers(width: int, values: Iterable[int]) -> frozenset[str]:
    return frozenset(f"{n:0{width}d}" for n in values)


_DAYS = _numbers(2, [*range(1, 32), *range(41, 72)])
_MONTHS = _numbers(2, range(1, 13))
_DAY_MONTHS = [(dd + mm, int(dd), int(mm)) for dd in sorted(_DAYS) for mm in sorted(_MONTHS)]
_YEARS = [f"{yy:02d}" for yy in range(100)]
_COMMON_YEAR = 1  # 2001 (or 1901): not a leap year


@lru_cache(maxsize=2)
def _real_dates(today: date) -> frozenset[str]:
    """Every DDMMYY that is a real birth date as seen from ``today`` (about 73,000 strings).

    Built per day-and-month, not per date, to keep the first keystroke fast: a day that exists in
    a common year exists in every year; only the rest (29 February, 31 April) is tried per year.
    """
    valid: list[str] = []
    for ddmm, day, month in _DAY_MONTHS:
        if _calendar_date(day, month, _COMMON_YEAR, today) is not None:
            valid.extend(ddmm + yy for yy in _YEARS)
        else:
            valid.extend(
                ddmm + _YEARS[yy]
                for yy in range(100)
                if _calendar_date(day, month, yy, today) is not None
            )
    return frozenset(valid)


@dataclass(frozen=True)
class _Rule:
    """One check: ``digits[start:end]`` must be one of ``allowed(today)``."""

    problem: NikProblem
    start: int
    end: int
    allowed: Callable[[date], frozenset[str]]
    detail: str
    loggable: bool = False  # the field is not personal, so the log may name it


def _constant(values: frozenset[str]) -> Callable[[date], frozenset[str]]:
    return lambda _today: values


_PROVINCE_CODES = _constant(frozenset(PROVINCE_NAMES))

# Ordered by position, so the problem reported is the leftmost one; DAY and MONTH precede DATE so
# an out-of-range field is named as such. Unknown regency/district codes are not rejected: that
# list changes whenever a kabupaten or kecamatan is created or split.
_RULES: tuple[_Rule, ...] = (
    _Rule(NikProblem.PROVINCE, 0, 2, _PROVINCE_CODES, "unknown province", True),
    _Rule(NikProblem.REGENCY, 2, 4, _constant(_numbers(2, range(1, 100))), "regency code 00"),
    _Rule(NikProblem.DISTRICT, 4, 6, _constant(_numbers(2, range(1, 100))), "district code 00"),
    _Rule(NikProblem.DAY, 6, 8, _constant(_DAYS), "birth day not in 01-31 or 41-71"),
    _Rule(NikProblem.MONTH, 8, 10, _constant(_MONTHS), "birth month not in 01-12"),
    _Rule(NikProblem.DATE, 6, 12, _real_dates, "birth date does not exist in the calendar"),
    _Rule(NikProblem.SERIAL, 12, 16, _constant(_numbers(4, range(1, 10_000))), "serial 0000"),
)


# Small on purpose: a key is a whole value set, and a kiosk runs for weeks (a new date set a day).
@lru_cache(maxsize=8)
def _prefixes(values: frozenset[str]) -> tuple[frozenset[str], ...]:
    """The prefixes of the allowed values, by length: what may stand in a partly typed span."""
    by_length = [values]
    while any(by_length[0]):  # all values of a rule have the same width
        by_length.insert(0, frozenset(value[:-1] for value in by_length[0]))
    return tuple(by_length)


def _rule_problem(digits: str, today: date) -> InvalidNik | None:
    """The first rule that what was typed can no longer satisfy; a full span must match exactly."""
    for rule in _RULES:
        typed = digits[rule.start : rule.end]
        if typed in _prefixes(rule.allowed(today))[len(typed)]:
            continue
        detail = f"{rule.detail} {typed}" if rule.loggable else rule.detail
        return InvalidNik(rule.problem, detail)
    return None


# --- public API ----------------------------------------------------------------------------------


def parse_nik(text: str, *, today: date | None = None) -> Nik:
    """Validate a typed NIK and decode it; raises InvalidNik saying what is wrong."""
    if today is None:
        today = date.today()
    digits = compact_number(text)
    if not digits:
        raise InvalidNik(NikProblem.EMPTY, "no digits given")
    if not is_ascii_digits(digits):
        raise InvalidNik(NikProblem.NOT_DIGITS, "characters other than digits and separators")
    if len(digits) < NIK_LENGTH:
        raise InvalidNik(NikProblem.TOO_SHORT, f"{len(digits)} digits, expected {NIK_LENGTH}")
    if len(digits) > NIK_LENGTH:
        raise InvalidNik(NikProblem.TOO_LONG, f"{len(digits)} digits, expected {NIK_LENGTH}")
    problem = _rule_problem(digits, today)
    if problem is not None:
        raise problem
    birth_date = _birth_date(digits[6:12], today)
    assert birth_date is not None  # guaranteed by the DATE rule
    return Nik(
        digits=digits,
        province_code=digits[0:2],
        province_name=PROVINCE_NAMES[digits[0:2]],
        regency_code=digits[2:4],
        district_code=digits[4:6],
        birth_date=birth_date,
        sex="F" if int(digits[6:8]) > 40 else "M",
        serial=digits[12:16],
    )


def check_partial(text: str, *, today: date | None = None) -> NikProblem | None:
    """For live feedback on a keypad: the problem once no completion of ``text`` can be valid.

    None means "fine so far", including empty and short input. A problem is reported at the
    earliest digit that rules out every completion (e.g. province "4", day "8", 31 April at the
    10th digit), not only when a field is complete.
    """
    if today is None:
        today = date.today()
    digits = compact_number(text)
    if not is_ascii_digits(digits):
        return NikProblem.NOT_DIGITS
    if len(digits) > NIK_LENGTH:
        return NikProblem.TOO_LONG
    problem = _rule_problem(digits, today)
    return None if problem is None else problem.problem
