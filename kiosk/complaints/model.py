"""What a complaint holds and the rules it must meet before it is filed.

One check, :func:`check_complaint`, used by the kiosk, the counter and (on the same words) the
central API, so a complaint the kiosk accepts is never refused later for its form. Each problem
names the field and an i18n key (table ``complaint_rules`` in ``kiosk/i18n/*/complaint_rules.toml``)
so a screen shows a kind sentence in the citizen's language, never a code.

Limits and why:

* :data:`MAX_TEXT_CHARS` = 2,000 characters: about 300 words, one printed A4 page. A citizen typing
  on the kiosk's touch keyboard manages about 10 words a minute, so 2,000 characters is already half
  an hour of typing; an officer reads it in two minutes; SP4N-LAPOR! referrals carry it whole.
  A 10,000-character paste (the issue's example) is refused with the limit and the length.
* A text needs at least :data:`MIN_WORD_CHARS` letters or digits: a text of only emoji or
  punctuation says nothing an officer can act on, and the citizen is asked, kindly, to use words.
* Phone: an Indonesian mobile number (``08…``, ``+628…`` or ``628…``; 10 to 13 digits written from
  the leading 0; spaces, dots, hyphens and brackets allowed). Officers call back from an ordinary
  phone; a landline is not asked for because SMS updates need a mobile.
* E-mail: deliberately simple (one ``@``, a local part without spaces, a domain with a dot and a
  top-level part of at least two letters, at most 254 characters). A full RFC 5322 check refuses
  nothing a citizen really has and accepts addresses no mail server delivers; the officer's reply
  is the real test.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal

MAX_TEXT_CHARS = 2000
MIN_WORD_CHARS = 2
MAX_EMAIL_CHARS = 254
MAX_SERVICE_CODE_CHARS = 64
MAX_TICKET_CHARS = 16
MAX_CLERK_ID_CHARS = 64
I18N_TABLE = "complaint_rules"

Channel = Literal["kiosk", "counter"]
CHANNELS: tuple[str, ...] = ("kiosk", "counter")
LANGUAGES: tuple[str, ...] = ("id", "en")

_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_MOBILE = re.compile(r"08[1-9][0-9]{7,10}")          # 10..13 digits from the leading 0
_EMAIL = re.compile(r"[^\s@]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_TICKET = re.compile(r"[A-Za-z0-9-]{1,16}")
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_BLANK_LINES = re.compile(r"\n{3,}")


class Category(str, Enum):
    """What the complaint is about: the six groups of the issue (the officer's list and the report)."""

    SERVICE_PROCESS = "service_process"
    STAFF_CONDUCT = "staff_conduct"
    FACILITIES = "facilities"
    FEES = "fees"                      # fees or illegal charges (pungutan liar)
    INFORMATION = "information"
    OTHER = "other"


@dataclass(frozen=True)
class NewComplaint:
    """What the citizen (or the clerk on their behalf) gave; the filing adds id, reference and time.

    ``share_contact``: the citizen agreed that the contact goes with a referral to SP4N-LAPOR!
    (without it, an export carries no contact). ``filed_by`` is the clerk's id at a counter, None at
    the kiosk.
    """

    category: Category
    text: str
    service_code: str | None = None
    ticket_number: str | None = None
    phone: str | None = None
    email: str | None = None
    anonymous: bool = False
    share_contact: bool = False
    language: str = "id"
    channel: Channel = "kiosk"
    filed_by: str | None = None

    def __repr__(self) -> str:  # the text and the contact are personal data: never in a log line
        return (f"NewComplaint(category={self.category.value!r}, channel={self.channel!r}, "
                f"chars={len(self.text)}, anonymous={self.anonymous})")


@dataclass(frozen=True)
class ComplaintProblem:
    """One thing to fix: ``field`` (``"text"``, ``"phone"``...), ``key`` (i18n) and its ``params``."""

    field: str
    key: str
    params: tuple[tuple[str, int | str], ...] = ()

    @property
    def kwargs(self) -> dict[str, int | str]:
        """The params as keyword arguments for the translator: ``t(p.key, **p.kwargs)``."""
        return dict(self.params)


def _problem(field: str, name: str, **params: int | str) -> ComplaintProblem:
    return ComplaintProblem(field, f"{I18N_TABLE}.problem.{name}", tuple(sorted(params.items())))


def clean_text(text: str) -> str:
    """The text as it is kept: NFC, control characters removed (tab and newline kept), line ends
    made ``\\n``, at most one blank line in a row, no space at either end."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def word_chars(text: str) -> int:
    """How many letters and digits ``text`` has (emoji, symbols and punctuation are not counted)."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def normalize_phone(phone: str) -> str | None:
    """``+628…`` for an Indonesian mobile number written any usual way, None when it is not one."""
    digits = _PHONE_SEPARATORS.sub("", phone.strip())
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not _MOBILE.fullmatch(digits):
        return None
    return "+62" + digits[1:]


def normalize_email(email: str) -> str | None:
    """The address with its domain in lowercase, None when it fails the simple check above."""
    email = email.strip()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
        return None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalized(c: NewComplaint) -> NewComplaint:
    """``c`` as it is saved: text cleaned, phone as ``+628…``, e-mail domain lowercase, empty
    strings as None. Call after :func:`check_complaint` found no problem."""
    phone = normalize_phone(c.phone) if c.phone and c.phone.strip() else None
    email = normalize_email(c.email) if c.email and c.email.strip() else None
    return replace(c, text=clean_text(c.text), phone=phone, email=email,
                   service_code=(c.service_code or "").strip() or None,
                   ticket_number=(c.ticket_number or "").strip().upper() or None,
                   filed_by=(c.filed_by or "").strip() or None)


def check_complaint(c: NewComplaint) -> list[ComplaintProblem]:
    """Every problem of ``c`` (empty list: it may be filed), in the order a screen asks for them."""
    problems: list[ComplaintProblem] = []
    if not isinstance(c.category, Category):
        problems.append(_problem("category", "category_unknown"))
    problems += _text_problems(c.text)
    problems += _contact_problems(c)
    problems += _context_problems(c)
    return problems


def _text_problems(raw: str) -> list[ComplaintProblem]:
    if not isinstance(raw, str):
        return [_problem("text", "text_empty")]
    text = clean_text(raw)
    if not text:
        return [_problem("text", "text_empty")]
    if len(text) > MAX_TEXT_CHARS:
        return [_problem("text", "text_too_long", limit=MAX_TEXT_CHARS, length=len(text))]
    if word_chars(text) < MIN_WORD_CHARS:
        return [_problem("text", "text_no_words")]
    return []


def _contact_problems(c: NewComplaint) -> list[ComplaintProblem]:
    phone = (c.phone or "").strip()
    email = (c.email or "").strip()
    if c.anonymous:
        problems = [_problem("contact", "contact_with_anonymous")] if phone or email else []
        if c.share_contact:
            problems.append(_problem("share_contact", "share_without_contact"))
        return problems
    problems = []
    if phone and normalize_phone(phone) is None:
        problems.append(_problem("phone", "phone_invalid"))
    if email and normalize_email(email) is None:
        problems.append(_problem("email", "email_invalid"))
    if not phone and not email:
        problems.append(_problem("contact", "contact_missing"))
    return problems


def _context_problems(c: NewComplaint) -> list[ComplaintProblem]:
    problems = []
    if c.service_code and not _CODE.fullmatch(c.service_code.strip()):
        problems.append(_problem("service_code", "service_unknown"))
    if c.ticket_number and not _TICKET.fullmatch(c.ticket_number.strip()):
        problems.append(_problem("ticket_number", "ticket_invalid"))
    if c.language not in LANGUAGES:
        problems.append(_problem("language", "language_unknown"))
    if c.channel not in CHANNELS:
        problems.append(_problem("channel", "channel_unknown"))
    elif c.channel == "counter" and not (c.filed_by or "").strip():
        problems.append(_problem("filed_by", "clerk_missing"))
    elif c.channel == "kiosk" and c.filed_by:
        problems.append(_problem("filed_by", "clerk_at_kiosk"))
    if c.filed_by and len(c.filed_by) > MAX_CLERK_ID_CHARS:
        problems.append(_problem("filed_by", "clerk_missing"))
    return problems
