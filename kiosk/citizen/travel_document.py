"""A passport or KITAS number typed by a visitor without a NIK: checked for form only, always shown masked.

A foreign visitor has no NIK, and a passport or a KITAS (Kartu Izin Tinggal Terbatas) number follows
its issuing country's or the immigration office's own numbering, so nothing here knows a country's
rules: letters A–Z and digits, within length limits. What people type is normalised (spaces dropped,
lower case raised: "a 123 4567" is "A1234567"); a symbol or too many characters is a problem named
for the message under the field. The number never stands in for a NIK: it is not a :class:`Nik`, is
never sent to MPP Digital's NIK field or to the face check's 1:1 match, and the queue keeps only that
the visitor showed a passport or KITAS (docs/privacy.md). Pure Python: the domain never imports Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# ICAO Doc 9303 gives the document number 9 characters in the passport's machine-readable zone (most
# passports use 7–9, an Indonesian one a letter and 7 digits); a KITAS card number is longer. The
# limits are deliberately loose: the clerk checks the document itself. TODO(verify) the longest KITAS
# number Imigrasi issues.
MIN_LENGTH = 5
MAX_LENGTH = 16

_SPACES = re.compile(r"\s+")
_ALLOWED = re.compile(r"[A-Z0-9]*")


class DocumentProblem(str, Enum):
    """Why a typed number was refused. Values are stable ids; the UI shows ``travel_document.error.<value>``."""

    EMPTY = "empty"
    SYMBOLS = "symbols"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"

    @property
    def i18n_key(self) -> str:
        return f"travel_document.error.{self.value}"


class InvalidTravelDocument(ValueError):
    """A number that failed the format check; the message never holds the number."""

    def __init__(self, problem: DocumentProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def normalise(text: str) -> str:
    """Spaces gone and letters in capitals, as printed on the document: "a 123 4567" → "A1234567"."""
    return _SPACES.sub("", text).upper()


def mask_document_number(number: str) -> str:
    """Like a NIK on a screen: a quarter at each end shown (at least one character), the rest hidden.

    "A1234567" → "A1****67"; a NIK shows 4 + 4 of 16 the same way.
    """
    keep = max(1, len(number) // 4)
    if len(number) <= 2 * keep:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


@dataclass(frozen=True, repr=False)
class TravelDocument:
    """A passport or KITAS number that passed the format check (normalised)."""

    number: str

    @property
    def masked(self) -> str:
        return mask_document_number(self.number)

    def __repr__(self) -> str:
        # as Nik: a repr in a log line or a traceback must not carry the whole number
        return f"TravelDocument({self.masked})"


def check_partial(text: str) -> DocumentProblem | None:
    """For live feedback while typing: a symbol, or already too long. Short is fine until Next."""
    number = normalise(text)
    if not _ALLOWED.fullmatch(number) or not number.isascii():
        return DocumentProblem.SYMBOLS
    if len(number) > MAX_LENGTH:
        return DocumentProblem.TOO_LONG
    return None


def parse_travel_document(text: str) -> TravelDocument:
    """The normalised number, or :class:`InvalidTravelDocument` saying what is wrong."""
    number = normalise(text)
    if not number:
        raise InvalidTravelDocument(DocumentProblem.EMPTY)
    problem = check_partial(number)
    if problem is not None:
        raise InvalidTravelDocument(problem)
    if len(number) < MIN_LENGTH:
        raise InvalidTravelDocument(DocumentProblem.TOO_SHORT)
    return TravelDocument(number)
