"""Masking personal numbers for screens and logs (UU 27/2022): a NIK never appears whole outside its form.

Here, below every other layer, so the log filter (:mod:`kiosk.utils.log`) can mask what any module
writes. The NIK's own rules are :mod:`kiosk.citizen.nik`.
"""

from __future__ import annotations

import re

_NIK_LENGTH = 16

# What a person may type between groups of digits: spaces, dots, dashes (incl. typographic ones).
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_ASCII_DIGITS = frozenset("0123456789")


def compact_number(text: str) -> str:
    """Drop the separators people type ("3171 0101 ...", "31.71.01..."), keep everything else."""
    return _SEPARATORS.sub("", text)


def is_ascii_digits(text: str) -> bool:
    # Not str.isdigit(): that also accepts "²" and Arabic-Indic digits.
    return all(ch in _ASCII_DIGITS for ch in text)


def mask_nik(text: str) -> str:
    """Hide a NIK for display: ``3171********0001``. Never shows more than 8 digits of anything.

    Input that is not exactly 16 digits shows at most its first 4 characters, and nothing at all
    when it has 8 or fewer, since then 4 would be half of it.
    """
    compact = compact_number(text)
    if len(compact) == _NIK_LENGTH and is_ascii_digits(compact):
        return compact[:4] + "*" * 8 + compact[-4:]
    if len(compact) <= 8:
        return "*" * len(compact)
    return compact[:4] + "*" * (len(compact) - 4)


# What mask_nik makes of a NIK (4 digits, 8 asterisks, 4 digits). The one rule every door checks a
# "masked" NIK against (the queue host's models, the engine, application views): a full NIK sent
# in its place would be stored and shown in clear (issue 21).
MASKED_NIK_PATTERN = r"^[0-9]{4}\*{8}[0-9]{4}$"
_MASKED_NIK = re.compile(MASKED_NIK_PATTERN)


def is_masked_nik(text: object) -> bool:
    """True for exactly what :func:`mask_nik` makes of a 16-digit NIK, e.g. ``3171********0001``."""
    return isinstance(text, str) and _MASKED_NIK.fullmatch(text) is not None


def check_masked_nik(text: object, name: str = "nik_masked") -> str:
    """``text`` if it is a masked NIK, else ``ValueError`` naming ``name`` and never echoing the value."""
    if isinstance(text, str) and _MASKED_NIK.fullmatch(text):
        return text
    raise ValueError(f"{name} must be a masked NIK like 3171********0001 (never the full NIK)")


# 16 digits in a row, or typed in groups of four ("3171 0145 0190 0001", "3171-0145-...").
_NIK_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{16}|[0-9]{4}(?:[ .\-][0-9]{4}){3})(?![0-9])")


def mask_niks_in(text: str) -> str:
    """Mask each standalone NIK-shaped number in free text, for the log filter; longer runs stay."""
    return _NIK_IN_TEXT.sub(lambda match: mask_nik(match.group()), text)
