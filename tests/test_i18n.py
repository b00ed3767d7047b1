"""Both languages complete, and formats people read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.i18n import LANGUAGES, Translator, completeness_problems, texts

ROOT = Path(__file__).resolve().parents[1]


def test_languages_have_the_same_keys_and_placeholders() -> None:
    assert completeness_problems() == []


def test_every_key_used_in_code_exists() -> None:
    """Keys written literally in the code (t("...")) must exist in the Indonesian texts."""
    used: set[str] = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no keys found: the pattern is wrong"
    missing = sorted(k for k in used if k not in texts("id"))
    assert missing == []


@pytest.mark.parametrize(("lang", "minutes", "expected"), [
    ("id", 0, "segera dipanggil"), ("id", 0.2, "± 1 menit"), ("id", 25, "± 25 menit"), ("id", 60, "± 1 jam"),
    ("id", 75, "± 1 jam 15 menit"), ("en", 25, "about 25 min"), ("en", 125, "about 2 h 5 min"),
])
def test_waiting_time_reads_naturally(lang: str, minutes: float, expected: str) -> None:
    assert Translator(lang).minutes(minutes) == expected


@pytest.mark.parametrize(("lang", "amount", "unit", "expected"), [
    ("en", 1, "hour", "1 hour"), ("en", 3, "working_day", "3 working days"), ("en", 1, "working_day", "1 working day"),
    ("id", 1, "hour", "1 jam"), ("id", 14, "working_day", "14 hari kerja"),
])
def test_completion_time_singular_and_plural(lang: str, amount: int, unit: str, expected: str) -> None:
    assert Translator(lang).duration(amount, unit) == expected


@pytest.mark.parametrize(("lang", "idr", "expected"), [
    ("id", 0, "Gratis"), ("en", 0, "Free"), ("id", 50000, "Rp 50.000"), ("en", 1250000, "Rp 1.250.000"),
])
def test_money(lang: str, idr: int, expected: str) -> None:
    assert Translator(lang).money(idr) == expected


def test_missing_key_falls_back_and_is_logged(allow_log_errors: list) -> None:
    t = Translator("en")
    assert t("no.such.key") == "no.such.key"
    assert [r.getMessage() for r in allow_log_errors] == ["missing text 'no.such.key' for language en"]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        Translator("fr")
    assert LANGUAGES == ("id", "en")


# Non-standard forms people mix in (KBBI: antrean, not antrian) and second words for one thing
# (the kiosk prints a "tiket"; "karcis" too made readers wonder whether they are different papers).
ONE_WORD_FOR_ONE_THING = {"antrian": "antrean", "karcis": "tiket"}


def test_indonesian_texts_use_one_kbbi_word_for_each_thing() -> None:
    found = [(key, wrong) for key, text in texts("id").items() for wrong in ONE_WORD_FOR_ONE_THING
             if re.search(rf"\b{wrong}", text, re.IGNORECASE)]
    assert found == [], f"use {ONE_WORD_FOR_ONE_THING}"
    spoken_and_printed = [p for p in (ROOT / "kiosk").rglob("*.py")
                          if re.search(r"\b(antrian|karcis)\b", p.read_text(encoding="utf-8"), re.IGNORECASE)]
    assert spoken_and_printed == []


@pytest.mark.parametrize(("key", "params", "one", "many"), [
    ("application.counter.photos", {}, "1 photo", "2 photos"),
    ("ticket.ahead", {}, "1 person ahead of you", "2 people ahead of you"),
    ("admin.pin.wrong", {}, "Wrong PIN. 1 try left.", "Wrong PIN. 2 tries left."),
    ("application.documents.count", {"document": "KTP", "have": 0}, "KTP: 0 of 1 photo", "KTP: 0 of 2 photos"),
])
def test_english_says_one_photo_not_one_photos(key: str, params: dict, one: str, many: str) -> None:
    t = Translator("en")
    assert (t(key, count=1, **params), t(key, count=2, **params)) == (one, many)


def test_indonesian_needs_no_singular_forms_and_is_not_asked_for_them() -> None:
    assert Translator("id")("application.counter.photos", count=1) == "1 foto"
    assert not [k for k in texts("id") if k.endswith("_one") and k.startswith("application.")]
