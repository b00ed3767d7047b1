""""Saya sudah booking" at the kiosk, without Qt: the code's keys, one request id per question, and what
the queue's answer means for the citizen.

The screen (:mod:`kiosk.ui.kiosk.booking`) asks the building's queue through :class:`BookingCheckIn` on a
worker thread; the host decides (:mod:`kiosk.queue.checkin`). Asked again after a lost answer, the same
question carries the same request id, and the host never issues a booking's ticket twice anyway: a
second check-in of the same code answers ``already_issued`` with the first ticket. That ticket is shown
(and printed) again while it is still in line; once served, cancelled or missed it is "used".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kiosk.booking.code import CODE_LENGTH, BookingCodeError, canonical_booking_code
from kiosk.i18n import Translator
from kiosk.queue.checkin import Arrival, CheckInAnswer, CheckInChoice
from kiosk.queue.client import CheckInThrottled, QueueClient, QueueUnavailable
from kiosk.queue.models import Closed, QuotaFull, TicketState

log = logging.getLogger(__name__)

# The code's alphabet (Crockford base32, kiosk.booking.code): the kiosk's keys, digits first. I, L, O and U
# are not in it; typed on a USB keyboard they are read as 1, 1, 0 (tests check this against the codec).
KEYS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4  # characters per group, as printed: 7KQ2-M9XD-...
USED_STATES = frozenset({TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED})
# Refusals after which queueing as a walk-in is the sensible next step ("Ambil nomor antrean biasa")
WALK_IN_AFTER = frozenset({"other_mpp", "unknown_service", "other_day", "cancelled", "used", "not_ready"})
RETRY_AFTER = frozenset({"unavailable", "throttled", "unknown"})  # the same question again may work

Shown = Literal["ticket", "choose", "refused"]


def missing_characters(typed: str) -> int:
    """How many characters the typed code still lacks (0 when it has its 24)."""
    return max(0, CODE_LENGTH - len(typed))


def code_form_problem(text: str) -> str | None:
    """None when ``text`` has the code's form (asking the host makes sense), else why not (for the log)."""
    try:
        canonical_booking_code(text)
    except BookingCodeError as exc:
        return str(exc)
    return None


def grouped(typed: str) -> list[str]:
    """The typed characters in the printed groups of four, six groups, the missing places as "_"."""
    padded = typed[:CODE_LENGTH].ljust(CODE_LENGTH, "_")
    return [padded[i:i + GROUP] for i in range(0, CODE_LENGTH, GROUP)]


class BookingCheckIn:
    """Asks the queue to check a booking in, keeping one request id per question (code and choice).

    :meth:`request_id` runs on the GUI thread, :meth:`ask` on a worker (it blocks on the network)."""

    def __init__(self, queue: QueueClient, kiosk: str) -> None:
        self.queue, self.kiosk = queue, kiosk
        self._requests: dict[tuple[str, CheckInChoice | None], str] = {}

    def request_id(self, code: str, choice: CheckInChoice | None = None) -> str:
        """The same id for the same question until :meth:`forget`: a retry is recognised, never doubled."""
        return self._requests.setdefault((code, choice), str(uuid.uuid4()))

    def ask(self, code: str, request_id: str, choice: CheckInChoice | None = None, lang: str = "id") -> CheckInAnswer:
        """``lang``: the ticket's language (its paper and phone page), the citizen's on the kiosk."""
        return self.queue.check_in_booking(code, kiosk=self.kiosk, request_id=request_id, choice=choice, lang=lang)

    def forget(self) -> None:
        """The citizen left (the kiosk was wiped): the next person's questions are new ones."""
        self._requests.clear()


@dataclass(frozen=True)
class CheckInView:
    """What the screen shows after a check-in was asked: the ticket, the choice, or why not (and what next)."""

    shown: Shown
    answer: CheckInAnswer | None = None
    reason: str = ""  # refused: a CheckInRefusal value, or "used", "unavailable", "throttled", "unknown"

    @property
    def can_retry(self) -> bool:
        return self.reason in RETRY_AFTER

    @property
    def offers_walk_in(self) -> bool:
        return self.reason in WALK_IN_AFTER

    @property
    def code_to_check(self) -> bool:
        """The refusal is about the code's characters: correcting them may help."""
        return self.reason in ("malformed", "forged")

    def lines(self, t: Translator, service_name: Callable[[str], str]) -> tuple[str, str, str]:
        """A refusal's three parts: what happened, the booking it is about (or ""), what to do now."""
        answer, key = self.answer, f"booking_checkin.refused.{self.reason}"
        booking = answer.booking if answer is not None else None
        if self.reason == "used" and answer is not None and answer.ticket is not None:
            what = t(key, number=answer.ticket.ticket.number)
        elif self.reason == "other_day":
            what = t(key, date=long_date(t, booking.day)) if booking else t(f"{key}_unknown")
        else:
            what = t(key if t.has(key) else "booking_checkin.refused.unknown")
        facts = ""
        if booking is not None and self.reason in ("other_day", "cancelled", "used"):
            facts = t("booking_checkin.booking_line", service=service_name(booking.service_code), slot=booking.slot)
        todo = f"{key}_todo"
        return what, facts, t(todo if t.has(todo) else "booking_checkin.refused.unknown_todo")


def view_of(answer: CheckInAnswer) -> CheckInView:
    """What ``answer`` means at the kiosk: a ticket already served, cancelled or missed is "used"."""
    if answer.outcome in ("issued", "already_issued"):
        assert answer.ticket is not None
        if answer.outcome == "already_issued" and answer.ticket.ticket.state in USED_STATES:
            return CheckInView("refused", answer, "used")
        return CheckInView("ticket", answer)
    if answer.outcome == "choose":
        return CheckInView("choose", answer)
    assert answer.refusal is not None
    return CheckInView("refused", answer, answer.refusal.value)


def view_of_error(exc: BaseException) -> CheckInView:
    """An ask that raised: the queue unreachable (try again), closed, its quota used up, or a fault."""
    if isinstance(exc, CheckInThrottled):  # this kiosk tried too many codes: the host waits a moment
        log.warning("booking check-in throttled: %s", exc)
        return CheckInView("refused", reason="throttled")
    if isinstance(exc, QueueUnavailable):
        log.warning("booking check-in: queue unavailable: %s", exc)
        return CheckInView("refused", reason="unavailable")
    if isinstance(exc, QuotaFull):
        return CheckInView("refused", reason="quota_full")
    if isinstance(exc, Closed):
        return CheckInView("refused", reason="closed")
    log.error("booking check-in failed", exc_info=exc)
    return CheckInView("refused", reason="unknown")


def choice_texts(t: Translator, arrival: Arrival | None, choice: CheckInChoice, slot: str) -> tuple[str, str]:
    """A choice's button title and what it means, for an early or a late arrival."""
    base = "booking_checkin.choose"
    if choice is CheckInChoice.BOOKED:
        return t(f"{base}.booked_title", slot=slot), t(f"{base}.booked_detail", slot=slot)
    detail = f"{base}.late_walk_in_detail" if arrival is Arrival.LATE else f"{base}.walk_in_detail"
    return t(f"{base}.walk_in_title"), t(detail)


def choose_texts(t: Translator, arrival: Arrival | None, slot: str) -> tuple[str, str]:
    """The choice page's heading and the sentence under it."""
    if arrival is Arrival.LATE:
        return t("booking_checkin.choose.late_heading"), t("booking_checkin.choose.late_body", slot=slot)
    return t("booking_checkin.choose.early_heading"), t("booking_checkin.choose.early_body")


def long_date(t: Translator, day: date) -> str:
    """"Selasa, 8 Desember 2026": a booking's day as people say it."""
    return t("booking_checkin.date.format", weekday=t(f"booking_checkin.weekday.d{day.weekday()}"), day=day.day,
             month=t(f"report.month.m{day.month}"), year=day.year)
