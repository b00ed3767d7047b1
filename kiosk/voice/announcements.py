"""What the lobby says when a number is called: numbers read as words, in Indonesian or English.

"A-012 to counter 3" becomes "Nomor antrean A dua belas, silakan menuju loket tiga" — leading
zeros are not read, and the letter stays a letter. Pure text, so the display, the printed ticket and
tests agree on the words; the voice itself is the display's business.
"""

from __future__ import annotations

from num2words import num2words

from kiosk.i18n import Translator

_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
MAX_NUMBER = 999_999


def terbilang(n: int) -> str:
    """Indonesian number words: 12 → "dua belas", 101 → "seratus satu", 1500 → "seribu lima ratus".

    num2words says exactly what our own speller said for every number 0..MAX_NUMBER (checked one by
    one when it replaced it; docs/NOTES.md), so the recorded clips still hold every word.
    """
    _check(n)
    return str(num2words(n, lang="id"))


def english_words(n: int) -> str:
    """English number words: 12 → "twelve", 101 → "one hundred one".

    Our own: num2words says "one hundred and one", a change in what the board says and a word
    ("and") the recorded clips do not have."""
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
