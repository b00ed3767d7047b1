"""One answer: how it is stored, whether it is acceptable, how it is shown.

Validation returns a :class:`~kiosk.catalog.form_model.Problem` (a text key and its parameters),
never a sentence: the screen says it in the citizen's language. Pure Python, no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kiosk.catalog.form_model import Field, Problem
from kiosk.citizen.nik import InvalidNik, check_partial, parse_nik
from kiosk.utils.privacy import mask_nik

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TEXT_ALLOWED = re.compile(r"[\w .,'/()&:-]*", re.UNICODE)
_REGISTRATION = re.compile(r"[A-Z0-9][A-Z0-9./-]{5,29}")  # kept as issued: "STR-0001" stays so


def normalize(field: Field, raw: str) -> str:
    """The value as stored: spaces tidied, phone as 08…, registration numbers without separators."""
    text = " ".join(raw.split())
    if field.type in ("digits", "nik", "date", "time"):
        return re.sub(r"[\s.:-]", "", text)
    if field.type == "phone":
        digits = re.sub(r"[\s().-]", "", text)
        if digits.startswith("+62"):
            digits = "0" + digits[3:]
        elif digits.startswith("62") and len(digits) > 9:
            digits = "0" + digits[2:]
        return digits
    if field.type == "registration":
        return re.sub(r"\s", "", text).upper()
    if field.type == "email":
        return text.replace(" ", "").lower()
    return text


def parse_date(value: str) -> date | None:
    """``DDMMYYYY`` (typed on the keypad; shown as DD-MM-YYYY) to a date, or None."""
    if not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


def show_date(value: str) -> str:
    """What the citizen sees while typing a date: 0501 → 05-01, 05011990 → 05-01-1990."""
    digits = value[:8]
    parts = [digits[:2], digits[2:4], digits[4:]]
    return "-".join(p for p in parts if p)


def show_time(value: str) -> str:
    """A time typed as ``HHMM``: 081 → 08:1, 0812 → 08:12."""
    digits = value[:4]
    return digits if len(digits) <= 2 else f"{digits[:2]}:{digits[2:]}"


def check_value(field: Field, raw: str, *, today: date | None = None) -> Problem | None:
    """Why ``raw`` is not acceptable for ``field`` (normalised first), or None when it is."""
    value = normalize(field, raw)
    if not value:
        if not field.required:
            return None
        return Problem("choice" if field.type == "choice" else "required", {})
    whole = _WHOLE_CHECKS.get(field.type)
    if whole is not None:
        return whole(field, value, today)
    if field.type == "digits":
        if not value.isdigit():
            return Problem("digits", {})
        if field.min_length and field.min_length == field.max_length and len(value) != field.min_length:
            return Problem("digits_exact", {"n": field.min_length})
        if field.min_value is not None and field.max_value is not None \
                and not field.min_value <= int(value) <= field.max_value:
            return Problem("forms.error.range", {"min": field.min_value, "max": field.max_value})
    if field.type == "text" and not _TEXT_ALLOWED.fullmatch(value):
        return Problem("characters", {})
    if len(value) < field.min_length:
        return Problem("too_short", {"n": field.min_length})
    if len(value) > field.max_length:
        return Problem("too_long", {"n": field.max_length})
    return None


def _check_choice(field: Field, value: str, today: date | None) -> Problem | None:
    return None if field.choice(value) is not None else Problem("choice", {})


def _check_nik(field: Field, value: str, today: date | None) -> Problem | None:
    early = check_partial(value, today=today)  # a wrong province says more than "too short"
    if early is not None:
        return Problem(f"nik.{early.value}", {})
    try:
        nik = parse_nik(value, today=today)
    except InvalidNik as exc:
        return Problem(f"nik.{exc.problem.value}", {})
    if field.sex is not None and nik.sex != field.sex:  # women's NIKs carry the day + 40
        return Problem(f"forms.error.nik_sex_{field.sex.lower()}", {})
    return None


def _check_date(field: Field, value: str, today: date | None) -> Problem | None:
    when = parse_date(value)
    if when is None:
        return Problem("date", {})
    today = today or date.today()
    if field.when == "past" and when > today:
        return Problem("date_future", {})
    if field.when == "future" and when < today:
        return Problem("date_past", {})
    if when.year < 1900:
        return Problem("date", {})
    return None


def _check_time(field: Field, value: str, today: date | None) -> Problem | None:
    ok = re.fullmatch(r"\d{4}", value) and int(value[:2]) < 24 and int(value[2:]) < 60
    return None if ok else Problem("forms.error.time", {})


def _check_phone(field: Field, value: str, today: date | None) -> Problem | None:
    return None if re.fullmatch(r"08\d{8,11}", value) else Problem("phone", {})


def _check_email(field: Field, value: str, today: date | None) -> Problem | None:
    return None if _EMAIL.fullmatch(value) and len(value) <= field.max_length else Problem("email", {})


def _check_registration(field: Field, value: str, today: date | None) -> Problem | None:
    return None if _REGISTRATION.fullmatch(value) else Problem("registration", {})


# Field types whose own check decides alone (no length limits after it).
_WHOLE_CHECKS: dict[str, Callable[[Field, str, date | None], Problem | None]] = {
    "choice": _check_choice, "nik": _check_nik, "date": _check_date, "time": _check_time,
    "phone": _check_phone, "email": _check_email, "registration": _check_registration,
}


def display_value(field: Field, value: str, lang: str) -> str:
    """A stored value the way the summary and the counter show it."""
    if field.type == "choice":
        choice = field.choice(value)
        return choice.label.get(lang) if choice else value
    if field.type == "date":
        return show_date(value)
    if field.type == "time":
        return show_time(value)
    if field.type == "nik":
        return mask_nik(value)
    return value
