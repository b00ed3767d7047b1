"""The complaint's rules: what a citizen may file, and the kind message for each problem."""

from __future__ import annotations

import pytest

from kiosk.complaints.model import (
    MAX_TEXT_CHARS,
    Category,
    NewComplaint,
    check_complaint,
    clean_text,
    normalize_email,
    normalize_phone,
    normalized,
)
from kiosk.i18n import Translator


def complaint(**changes: object) -> NewComplaint:
    values: dict[str, object] = {"category": Category.FEES, "text": "Petugas meminta uang Rp 50.000 di loket 3.",
                                 "phone": "0812 3456 7890"}
    values.update(changes)
    return NewComplaint(**values)  # type: ignore[arg-type]  # test values of every type on purpose


def keys(c: NewComplaint) -> list[str]:
    return [p.key.rsplit(".", 1)[1] for p in check_complaint(c)]


def test_a_plain_complaint_passes() -> None:
    assert check_complaint(complaint()) == []
    assert check_complaint(complaint(phone=None, anonymous=True)) == []
    assert check_complaint(complaint(phone=None, email="Warga@Contoh.CO.ID")) == []


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x00"])
def test_empty_text_is_refused(text: str) -> None:
    assert keys(complaint(text=text)) == ["text_empty"]


def test_ten_thousand_characters_are_refused_with_the_limit_and_the_length() -> None:
    problems = check_complaint(complaint(text="a" * 10_000))
    assert [p.key for p in problems] == ["complaint_rules.problem.text_too_long"]
    assert problems[0].kwargs == {"limit": MAX_TEXT_CHARS, "length": 10_000}
    message = Translator("id")(problems[0].key, **problems[0].kwargs)
    assert "10000" in message and str(MAX_TEXT_CHARS) in message
    assert keys(complaint(text="a" * MAX_TEXT_CHARS)) == []


@pytest.mark.parametrize("text", ["😡😡😡", "!!!???...", "👍🏽 😭 🙏", "💩 !", "x 😡"])
def test_only_emoji_or_punctuation_is_refused_kindly(text: str) -> None:
    assert keys(complaint(text=text)) == ["text_no_words"]
    message = Translator("en")("complaint_rules.problem.text_no_words")
    assert "words" in message


def test_emoji_with_words_pass() -> None:
    assert keys(complaint(text="AC mati 😡")) == []


@pytest.mark.parametrize("phone", ["0812", "021 555 1234", "+1 202 555 0100", "08123456789012", "0812-abcd-7890",
                                   "+62 21 5551234", "0800000000"])
def test_invalid_phone_numbers_are_refused(phone: str) -> None:
    assert keys(complaint(phone=phone)) == ["phone_invalid"]


@pytest.mark.parametrize(("phone", "expected"), [
    ("0812 3456 7890", "+6281234567890"), ("+62 812-3456-7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"), ("(0812) 345.678", "+62812345678"), ("0812345678", "+62812345678"),
    ("0812345678901", "+62812345678901")])
def test_mobile_numbers_in_usual_forms(phone: str, expected: str) -> None:
    assert normalize_phone(phone) == expected


@pytest.mark.parametrize("email", ["a@b", "warga@", "@contoh.id", "wa rga@contoh.id", "warga@contoh.i",
                                   "warga@-contoh.id", "x" * 250 + "@contoh.id", "a@@contoh.id"])
def test_invalid_email_is_refused(email: str) -> None:
    assert normalize_email(email) is None
    assert keys(complaint(phone=None, email=email)) == ["email_invalid"]


def test_contact_rules() -> None:
    assert keys(complaint(phone=None)) == ["contact_missing"]
    assert keys(complaint(anonymous=True)) == ["contact_with_anonymous"]
    assert keys(complaint(phone=None, anonymous=True, share_contact=True)) == ["share_without_contact"]


def test_counter_needs_the_clerk_and_the_kiosk_has_none() -> None:
    assert keys(complaint(channel="counter")) == ["clerk_missing"]
    assert keys(complaint(channel="counter", filed_by="k01")) == []
    assert keys(complaint(filed_by="k01")) == ["clerk_at_kiosk"]
    assert keys(complaint(channel="web")) == ["channel_unknown"]
    assert keys(complaint(language="fr")) == ["language_unknown"]
    assert keys(complaint(category="fees")) == ["category_unknown"]
    assert keys(complaint(ticket_number="A-012; DROP")) == ["ticket_invalid"]


def test_every_problem_key_has_a_text_in_both_languages() -> None:
    cases = [complaint(text=""), complaint(text="a" * 10_001), complaint(text="😡"), complaint(phone="1"),
             complaint(phone=None, email="x"), complaint(phone=None), complaint(anonymous=True, share_contact=True),
             complaint(service_code="a b"), complaint(ticket_number="?"), complaint(language="fr"),
             complaint(channel="web"), complaint(channel="counter"), complaint(filed_by="k"),
             complaint(category="x")]
    seen = {p.key for c in cases for p in check_complaint(c)}
    assert len(seen) == 15
    for lang in ("id", "en"):
        t = Translator(lang)
        assert all(t.has(key) for key in seen), [k for k in seen if not t.has(k)]


def test_normalized_cleans_what_is_kept() -> None:
    raw = complaint(text="  Antrean\r\n\r\n\r\n\r\nlama\x00 sekali \x07 ", phone="+62 812-3456-7890",
                    email=" Warga@Contoh.ID ", ticket_number=" a-012 ", service_code=" ")
    clean = normalized(raw)
    assert clean.text == "Antrean\n\nlama sekali"
    assert clean.phone == "+6281234567890" and clean.email == "Warga@contoh.id"
    assert clean.ticket_number == "A-012" and clean.service_code is None
    assert clean_text("e\u0301") == "\u00e9"  # NFC: the length the officer sees is the length counted


def test_repr_holds_neither_text_nor_contact() -> None:
    shown = repr(complaint(email="warga@contoh.id"))
    assert "Petugas" not in shown and "0812" not in shown and "warga" not in shown
