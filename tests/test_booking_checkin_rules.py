"""The kiosk's booking check-in without a screen (kiosk.visit.booking_checkin): the keys are the code's
alphabet, a question keeps its request id until the citizen leaves, an answer means what the citizen reads,
and a booking's QR is told from a ticket's, a receipt's and a digital ID's."""

from __future__ import annotations

import string
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.booking.code import (
    BookingCodeFields,
    MalformedCode,
    booking_qr_text,
    canonical_booking_code,
    encode_booking_code,
)
from kiosk.i18n import Translator
from kiosk.queue.checkin import Arrival, BookingSummary, CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.client import CheckInThrottled, QueueUnavailable
from kiosk.queue.models import IssuedTicket, Ticket, TicketState
from kiosk.visit.booking_checkin import (
    KEYS,
    BookingCheckIn,
    CheckInView,
    choice_texts,
    grouped,
    long_date,
    missing_characters,
    view_of,
    view_of_error,
)
from kiosk.visit.qr_codes import classify_qr

KEY = bytes(range(32))
CODE = encode_booking_code(BookingCodeFields("MPP-X", date(2026, 12, 7), time(10, 30), "KTP-EL", 3), KEY)


def test_the_keys_are_exactly_the_characters_a_code_is_written_with() -> None:
    """Every key makes a code the codec reads as itself; I, L and O are read as 1, 1, 0; U is no character."""
    for char in string.ascii_uppercase + string.digits:
        try:
            read = canonical_booking_code(char * 24)
        except MalformedCode:
            assert char == "U"
            continue
        assert (read == char * 24) == (char in KEYS), char
        assert char in KEYS or char in "ILO"
    assert len(KEYS) == 32 and len(set(KEYS)) == 32


def test_the_typed_code_is_shown_in_the_printed_groups() -> None:
    typed = CODE.replace("-", "")[:10]
    assert grouped(typed) == [CODE[:4], CODE[5:9], CODE[10:12] + "__", "____", "____", "____"]
    assert "-".join(grouped(CODE.replace("-", ""))) == CODE
    assert missing_characters(typed) == 14 and missing_characters(CODE.replace("-", "")) == 0


class Recorder:
    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def check_in_booking(self, code_text: str, **kw: Any) -> CheckInAnswer:
        self.asked.append({"code": code_text, **kw})
        return CheckInAnswer.refused(CheckInRefusal.FORGED)


def test_a_question_keeps_its_request_id_until_the_citizen_leaves() -> None:
    queue = Recorder()
    checkin = BookingCheckIn(queue, "kiosk-07")  # type: ignore[arg-type]  # only check_in_booking is asked
    first = checkin.request_id(CODE)
    assert checkin.request_id(CODE) == first  # "Coba lagi": the same question
    booked = checkin.request_id(CODE, CheckInChoice.BOOKED)
    assert booked != first  # after "choose": another question
    assert checkin.request_id(CODE, CheckInChoice.WALK_IN) not in (first, booked)
    checkin.ask(CODE, booked, CheckInChoice.BOOKED, "en")
    assert queue.asked == [{"code": CODE, "kiosk": "kiosk-07", "request_id": booked, "choice": CheckInChoice.BOOKED,
                            "lang": "en"}]
    checkin.forget()  # the next citizen
    assert checkin.request_id(CODE) != first


def ticket(state: TicketState) -> IssuedTicket:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    return IssuedTicket(Ticket(id="t1", number="A-012", service_code="KTP-EL", prefix="A", seq=12, day="2026-12-07",
                               priority=None, state=state, arrived_at=now, issued_at=now, called_at=None,
                               started_at=None, finished_at=None, counter=None, recalls=0, request_id="r1",
                               identity_status="none", nik_masked=None, lang="id", application_id=None,
                               booking="10:30"), 0, 0)


SUMMARY = BookingSummary(CODE.replace("-", ""), "KTP-EL", date(2026, 12, 8), "10:30", "")


@pytest.mark.parametrize("state, shown", [(TicketState.ISSUED, "ticket"), (TicketState.CALLED, "ticket"),
                                          (TicketState.DONE, "refused"), (TicketState.NO_SHOW, "refused"),
                                          (TicketState.CANCELLED, "refused")])
def test_a_booking_checked_in_before_shows_its_ticket_until_it_was_used(state: TicketState, shown: str) -> None:
    again = view_of(CheckInAnswer("already_issued", SUMMARY, Arrival.ON_TIME, ticket(state)))
    assert again.shown == shown and (again.reason == "used") == (shown == "refused")
    assert view_of(CheckInAnswer("issued", SUMMARY, Arrival.ON_TIME, ticket(state))).shown == "ticket"


def test_each_refusal_says_what_happened_and_what_to_do() -> None:
    t = Translator("id")
    names = {"KTP-EL": "KTP Elektronik"}.__getitem__
    for refusal in CheckInRefusal:
        view = view_of(CheckInAnswer.refused(refusal, SUMMARY))
        what, _facts, todo = view.lines(t, names)
        assert what and todo and "booking_checkin" not in what + todo, refusal
    other_day = view_of(CheckInAnswer.refused(CheckInRefusal.OTHER_DAY, SUMMARY)).lines(t, names)
    assert other_day == ("Booking ini untuk Selasa, 8 Desember 2026, bukan hari ini.",
                         "Booking Anda: KTP Elektronik, pukul 10:30.",
                         "Silakan datang pada tanggal booking Anda, atau ambil nomor antrean biasa sekarang.")
    used = view_of(CheckInAnswer("already_issued", SUMMARY, Arrival.ON_TIME, ticket(TicketState.DONE)))
    assert used.lines(t, names)[0] == "Kode booking ini sudah dipakai untuk tiket A-012."
    assert used.offers_walk_in and not used.can_retry
    assert long_date(Translator("en"), date(2026, 12, 8)) == "Tuesday, 8 December 2026"


def test_a_host_that_does_not_answer_asks_for_a_retry() -> None:
    assert view_of_error(QueueUnavailable("down")) == CheckInView("refused", reason="unavailable")
    assert view_of_error(CheckInThrottled(3)).can_retry
    forged = view_of(CheckInAnswer.refused(CheckInRefusal.FORGED))
    assert forged.code_to_check and not forged.can_retry and not forged.offers_walk_in


def test_the_choices_say_when_the_booked_ticket_is_called() -> None:
    t = Translator("id")
    assert choice_texts(t, Arrival.EARLY, CheckInChoice.BOOKED, "10:30")[0] == \
        "Ambil tiket booking — dipanggil mulai 10:30"
    assert "Booking Anda tidak berlaku lagi" in choice_texts(t, Arrival.EARLY, CheckInChoice.WALK_IN, "10:30")[1]
    assert "tidak berlaku" not in choice_texts(t, Arrival.LATE, CheckInChoice.WALK_IN, "10:30")[1]


def test_a_bookings_qr_is_told_from_the_other_codes() -> None:
    reading = classify_qr(booking_qr_text(CODE))
    assert reading.kind == "booking" and canonical_booking_code(reading.value) == CODE.replace("-", "")
    assert classify_qr("mpp-booking:" + CODE.lower()).kind == "booking"
    digits = "MPP-BOOKING:3171-0145-0190-0001-2345-6789"  # 16 digits in a row would pass for a NIK
    assert classify_qr(digits).kind == "booking"
    assert classify_qr("https://example.com/promo").kind == "unknown"
