"""What the lobby says when a number is called: numbers read as words, in Indonesian or English.

"A-012 to counter 3" becomes "Nomor antrian A dua belas, silakan menuju loket tiga" — leading
zeros are not read, and the letter stays a letter. Pure text, so the display, the printed ticket and
tests agree on the words; the voice itself is the display's business.
"""

from __future__ import annotations

from kiosk.i18n import Translator

_ID_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
MAX_NUMBER = 999_999


def terbilang(n: int) -> str:
    """Indonesian number words: 12 → "dua belas", 101 → "seratus satu", 1500 → "seribu lima ratus"."""
    _check(n)
    if n < 10:
        return _ID_UNITS[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{_ID_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_ID_UNITS[tens]} puluh" + (f" {_ID_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{_ID_UNITS[hundreds]} ratus"
        return head + (f" {terbilang(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "seribu" if thousands == 1 else f"{terbilang(thousands)} ribu"
    return head + (f" {terbilang(rest)}" if rest else "")


def english_words(n: int) -> str:
    """English number words: 12 → "twelve", 101 → "one hundred one"."""
    _check(n)
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_UNITS[hundreds]} hundred" + (f" {english_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{english_words(thousands)} thousand" + (f" {english_words(rest)}" if rest else "")


def _check(n: int) -> None:
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0..{MAX_NUMBER}")


def number_words(n: int, lang: str) -> str:
    return terbilang(n) if lang == "id" else english_words(n)


def announcement(ticket_number: str, counter: int, lang: str) -> str:
    """The sentence for one call; the display says it twice after the chime."""
    prefix, _, digits = ticket_number.partition("-")
    if not digits.isdigit():
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    t = Translator(lang)
    return t("announce.call", letter=prefix, number=number_words(int(digits), lang),
             counter=number_words(counter, lang))
