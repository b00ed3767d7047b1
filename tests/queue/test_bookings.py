"""Bookings at the queue host (issue 19): check-in by code, arrival windows, calling order, quota, downloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.booking.arrival import Arrival, classify_arrival
from kiosk.booking.code import BookingCodeFields, booking_qr_text, encode_booking_code, new_booking_key
from kiosk.queue.availability import Availability, ServiceAvailability
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import OpeningHours, PriorityGroup, QuotaFull, ServiceRule, TicketState
from kiosk.queue.wire import ticket_from_json, ticket_to_json
from tests.queue.manual_clock import MONDAY_MORNING, ManualClock

TZ = ZoneInfo("Asia/Jakarta")
MPP = "MPP-JKT-01"
TODAY = date(2025, 6, 16)  # MONDAY_MORNING is 09:00 on this day in Jakarta
RULES = [ServiceRule("KTP", "A", daily_quota=100, typical_service_minutes=10),
         ServiceRule("KK", "B", daily_quota=100, typical_service_minutes=8)]
KEY = new_booking_key()
SETTINGS = BookingSettings(enabled=True, early_minutes=30, late_minutes=15, mpp_code=MPP)


def code(slot: str = "09:00", service: str = "KTP", serial: int = 1, day: date = TODAY, mpp: str = MPP,
         key: bytes = KEY) -> str:
    hours, minutes = map(int, slot.split(":"))
    return encode_booking_code(BookingCodeFields(mpp, day, time(hours, minutes), service, serial), key)


def row(booking_code: str, slot: str = "09:00", service: str = "KTP", state: str = "booked",
        day: date = TODAY) -> dict[str, object]:
    return {"code": booking_code.replace("-", ""), "service_code": service, "day": day.isoformat(), "slot": slot,
            "nik_masked": "3171********0001", "state": state, "created_at": "2025-06-10T08:00:00+07:00",
            "cancelled_at": "2025-06-12T08:00:00+07:00" if state == "cancelled" else None}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_MORNING)


def open_engine(tmp_path: Path, clock: ManualClock, **kw: object) -> QueueEngine:
    engine = QueueEngine.open(tmp_path / "queue.db", kw.pop("rules", RULES), TZ, clock=clock, **kw)  # type: ignore[arg-type]  # test kwargs
    engine.bookings.configure(SETTINGS, KEY)
    return engine


@pytest.fixture
def engine(tmp_path: Path, clock: ManualClock) -> Iterator[QueueEngine]:
    opened = open_engine(tmp_path, clock)
    yield opened
    opened.close()


def check_in(engine: QueueEngine, text: str, *, kiosk: str = "kiosk-1", request_id: str = "r1",
             choice: CheckInChoice | None = None) -> CheckInAnswer:
    answer = engine.bookings.check_in(text, kiosk=kiosk, request_id=request_id, choice=choice)
    assert CheckInAnswer.from_json(answer.to_json()) == answer  # what the host sends reads back the same
    return answer


def called_id(engine: QueueEngine, service: str) -> str | None:
    """The id of the ticket counter 1's "call next" takes for ``service`` (None: nobody)."""
    ticket = engine.call_next(1, [service], actor="c1")
    return ticket.id if ticket is not None else None


def ktp(engine: QueueEngine) -> ServiceAvailability:
    snapshot = engine.availability(30).of("KTP")
    assert snapshot is not None
    return snapshot


def ticket_count(engine: QueueEngine) -> int:
    with engine.db.reading() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])


# -- the arrival rule ------------------------------------------------------------------------------
def test_arrival_window_edges_count_as_on_time() -> None:
    slot = datetime(2025, 6, 16, 10, 30, tzinfo=TZ)
    assert classify_arrival(slot, slot - timedelta(minutes=30), 30, 15) is Arrival.ON_TIME
    assert classify_arrival(slot, slot - timedelta(minutes=30, seconds=1), 30, 15) is Arrival.EARLY
    assert classify_arrival(slot, slot + timedelta(minutes=15), 30, 15) is Arrival.ON_TIME
    assert classify_arrival(slot, slot + timedelta(minutes=15, seconds=1), 30, 15) is Arrival.LATE
    with pytest.raises(ValueError):
        classify_arrival(slot, slot, -1, 15)


# -- check-in ---------------------------------------------------------------------------------------
def test_on_time_gets_a_booked_ticket_of_the_booking_service(engine: QueueEngine) -> None:
    engine.bookings.replace_day(TODAY, [row(code("09:10"), "09:10")])
    answer = check_in(engine, booking_qr_text(code("09:10")))
    assert answer.outcome == "issued" and answer.arrival is Arrival.ON_TIME and answer.ticket is not None
    ticket = answer.ticket.ticket
    assert (ticket.service_code, ticket.number, ticket.booking) == ("KTP", "A-001", "09:10")
    assert answer.booking is not None and answer.booking.nik_masked == "3171********0001"
    assert ticket.nik_masked == "3171********0001" and ticket.identity_status == "to_verify_at_counter"
    issued = [e for e in engine.events() if e["type"] == "issued"]
    assert issued[-1]["detail"]["booking"] == "09:10" and issued[-1]["actor"] == "kiosk-1"
    assert answer.ticket.estimated_wait_minutes >= 10  # its slot is 10 minutes away


def test_a_booking_made_after_the_last_download_checks_in_from_its_code_alone(engine: QueueEngine) -> None:
    answer = check_in(engine, code("09:00").lower().replace("-", " "))  # typed sloppily
    assert answer.outcome == "issued" and answer.ticket is not None
    assert answer.booking is not None and answer.booking.nik_masked == ""
    assert answer.ticket.ticket.identity_status == "none" and answer.ticket.ticket.nik_masked is None


def test_the_same_booking_again_answers_the_first_ticket_never_a_second(engine: QueueEngine) -> None:
    first = check_in(engine, code(), request_id="r1")
    again = check_in(engine, code(), request_id="r1")  # the kiosk resent after a lost answer
    other = check_in(engine, code(), kiosk="kiosk-2", request_id="r2")  # another kiosk, later
    assert first.ticket is not None and again.ticket is not None and other.ticket is not None
    assert again.outcome == "issued" and other.outcome == "already_issued"
    assert first.ticket.ticket.id == again.ticket.ticket.id == other.ticket.ticket.id
    assert ticket_count(engine) == 1


def test_early_citizen_chooses_and_a_kept_booking_waits_for_its_slot(engine: QueueEngine, clock: ManualClock) -> None:
    answer = check_in(engine, code("10:30"))
    assert answer.outcome == "choose" and answer.arrival is Arrival.EARLY
    assert answer.choices == (CheckInChoice.BOOKED, CheckInChoice.WALK_IN) and ticket_count(engine) == 0
    kept = check_in(engine, code("10:30"), choice=CheckInChoice.BOOKED)
    assert kept.outcome == "issued" and kept.ticket is not None and kept.ticket.ticket.booking == "10:30"
    assert kept.ticket.estimated_wait_minutes >= 90
    assert engine.call_next(1, ["KTP"], actor="c1") is None  # nobody else waits: still not before its slot
    walk_in = engine.issue("KTP", request_id="w1").ticket
    assert called_id(engine, "KTP") == walk_in.id
    clock.now = datetime(2025, 6, 16, 10, 30, tzinfo=TZ).astimezone(UTC)
    assert called_id(engine, "KTP") == kept.ticket.ticket.id


def test_early_citizen_may_queue_now_as_a_walk_in_instead(engine: QueueEngine) -> None:
    answer = check_in(engine, code("11:00"), choice=CheckInChoice.WALK_IN)
    assert answer.outcome == "issued" and answer.ticket is not None and answer.ticket.ticket.booking is None
    assert called_id(engine, "KTP") == answer.ticket.ticket.id
    assert check_in(engine, code("11:00"), request_id="r9").outcome == "already_issued"


def test_late_citizen_may_only_queue_as_a_walk_in(engine: QueueEngine) -> None:
    answer = check_in(engine, code("08:00"))
    assert answer.outcome == "choose" and answer.arrival is Arrival.LATE
    assert answer.choices == (CheckInChoice.WALK_IN,)
    assert check_in(engine, code("08:00"), choice=CheckInChoice.BOOKED).outcome == "choose"  # not offered
    walk_in = check_in(engine, code("08:00"), choice=CheckInChoice.WALK_IN)
    assert walk_in.outcome == "issued" and walk_in.ticket is not None and walk_in.ticket.ticket.booking is None


# -- bad codes ----------------------------------------------------------------------------------------
def test_bad_codes_are_refused_with_their_reason_and_nothing_is_issued(engine: QueueEngine) -> None:
    good = code()
    last = good[-1]
    altered = good[:-1] + ("0" if last != "0" else "1")
    engine.bookings.replace_day(TODAY, [row(code(serial=7), state="cancelled")])
    cases = {
        good[:-5]: CheckInRefusal.MALFORMED,  # truncated
        good + "Z": CheckInRefusal.MALFORMED,
        "": CheckInRefusal.MALFORMED,
        altered: CheckInRefusal.FORGED,  # one character of the MAC altered
        code(key=new_booking_key()): CheckInRefusal.FORGED,  # made with another key
        code(mpp="MPP-BDG-02"): CheckInRefusal.OTHER_MPP,
        code(service="PASPOR"): CheckInRefusal.UNKNOWN_SERVICE,
        code(day=TODAY + timedelta(days=1)): CheckInRefusal.OTHER_DAY,  # tomorrow's
        code(day=TODAY - timedelta(days=1)): CheckInRefusal.OTHER_DAY,
        code(serial=7): CheckInRefusal.CANCELLED,
    }
    for text, reason in cases.items():
        answer = check_in(engine, text)
        assert (answer.outcome, answer.refusal) == ("refused", reason), text
    assert ticket_count(engine) == 0


def test_any_single_character_altered_never_issues(engine: QueueEngine) -> None:
    good = code().replace("-", "")
    for position in range(len(good)):
        other = "7" if good[position] != "7" else "8"
        answer = check_in(engine, good[:position] + other + good[position + 1:])
        assert answer.outcome == "refused", position
    assert ticket_count(engine) == 0


def test_a_host_without_a_key_or_with_bookings_off_refuses_as_not_ready(tmp_path: Path, clock: ManualClock) -> None:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, TZ, clock=clock)
    try:
        assert check_in(engine, code()).refusal is CheckInRefusal.NOT_READY  # nothing configured
        engine.bookings.configure(SETTINGS)
        assert check_in(engine, code()).refusal is CheckInRefusal.NOT_READY  # on, but no key yet
        engine.bookings.configure(BookingSettings(enabled=False, mpp_code=MPP), KEY)
        assert check_in(engine, code()).refusal is CheckInRefusal.NOT_READY  # off
        engine.bookings.configure(SETTINGS)
        assert check_in(engine, code()).outcome == "issued"
    finally:
        engine.close()


def test_outside_ticket_hours_a_booking_is_refused_as_closed(tmp_path: Path, clock: ManualClock) -> None:
    hours = OpeningHours(open=time(10, 0), close=time(15, 0), weekdays=frozenset(range(5)))
    engine = open_engine(tmp_path, clock, hours=hours)
    try:
        assert check_in(engine, code("09:00")).refusal is CheckInRefusal.CLOSED
        assert check_in(engine, code("10:30", serial=2)).refusal is CheckInRefusal.CLOSED  # no choice to offer
        assert ticket_count(engine) == 0
    finally:
        engine.close()


# -- calling -------------------------------------------------------------------------------------------
def test_a_due_booking_goes_ahead_of_walk_ins_and_takes_the_normal_turn_of_the_priority_ratio(
        engine: QueueEngine, clock: ManualClock) -> None:
    walk_in = engine.issue("KTP", request_id="w1").ticket
    priorities = []
    for i in range(3):
        clock.tick(10)
        priorities.append(engine.issue("KTP", request_id=f"p{i}", priority=PriorityGroup.ELDERLY).ticket)
    clock.tick(60)
    booked = check_in(engine, code("09:00")).ticket
    other_service = engine.issue("KK", request_id="kk").ticket
    assert booked is not None
    assert getattr(engine.next_up(1, ["KTP"]), "id", None) == priorities[0].id
    called = [engine.call_next(1, ["KTP"], actor="c1") for _ in range(5)]
    # ratio 2: two priority citizens, then the normal line's head: the due booking before the older walk-in
    assert [t.id for t in called if t] == [priorities[0].id, priorities[1].id, booked.ticket.id, priorities[2].id,
                                           walk_in.id]
    assert called_id(engine, "KK") == other_service.id


def test_booked_tickets_among_themselves_go_by_slot(engine: QueueEngine, clock: ManualClock) -> None:
    clock.now = datetime(2025, 6, 16, 9, 40, tzinfo=TZ).astimezone(UTC)
    later = check_in(engine, code("09:45", serial=2), request_id="a").ticket
    earlier = check_in(engine, code("09:30", serial=3), request_id="b").ticket
    assert later is not None and earlier is not None
    assert earlier.people_ahead == 0 and later.people_ahead == 0  # the later slot checked in first
    clock.now = datetime(2025, 6, 16, 9, 46, tzinfo=TZ).astimezone(UTC)
    assert engine.position(later.ticket.id).people_ahead == 1
    assert called_id(engine, "KTP") == earlier.ticket.id
    assert called_id(engine, "KTP") == later.ticket.id


# -- the quota -----------------------------------------------------------------------------------------
def small_quota_engine(tmp_path: Path, clock: ManualClock) -> QueueEngine:
    return open_engine(tmp_path, clock, rules=[ServiceRule("KTP", "A", daily_quota=5, typical_service_minutes=10)])


def test_outstanding_bookings_hold_their_places_in_the_walk_in_quota(tmp_path: Path, clock: ManualClock) -> None:
    engine = small_quota_engine(tmp_path, clock)
    try:
        engine.bookings.replace_day(TODAY, [row(code("10:00", serial=s), "10:00") for s in (1, 2, 3)])
        assert ktp(engine).remaining == 2
        engine.issue("KTP", request_id="w1")
        engine.issue("KTP", request_id="w2")
        assert ktp(engine).state is Availability.QUOTA_FULL
        with pytest.raises(QuotaFull):
            engine.issue("KTP", request_id="w3")
        engine.issue("KTP", request_id="p1", priority=PriorityGroup.DISABILITY)  # priority: never refused
        clock.now = datetime(2025, 6, 16, 9, 50, tzinfo=TZ).astimezone(UTC)
        for serial in (1, 2, 3):  # the booked citizens still get their tickets
            assert check_in(engine, code("10:00", serial=serial), request_id=f"b{serial}").outcome == "issued"
    finally:
        engine.close()


def test_bookings_never_take_back_what_is_issued_and_no_shows_free_their_places(
        tmp_path: Path, clock: ManualClock) -> None:
    engine = small_quota_engine(tmp_path, clock)
    try:
        for i in range(4):
            engine.issue("KTP", request_id=f"w{i}")
        engine.bookings.replace_day(TODAY, [row(code("09:30", serial=s), "09:30") for s in (1, 2, 3)])
        snapshot = engine.availability(30).of("KTP")
        assert snapshot is not None and snapshot.remaining == 0 and snapshot.state is Availability.QUOTA_FULL
        assert all(t.state is TicketState.ISSUED for t in engine.waiting())  # the four tickets stand
        clock.now = datetime(2025, 6, 16, 9, 46, tzinfo=TZ).astimezone(UTC)  # 09:30 + 15 min late window passed
        assert ktp(engine).remaining == 1
        late = check_in(engine, code("09:30", serial=1), choice=CheckInChoice.WALK_IN)
        assert late.outcome == "issued"  # an ordinary walk-in: the last place
        refused = check_in(engine, code("09:30", serial=2), request_id="r2", choice=CheckInChoice.WALK_IN)
        assert refused.refusal is CheckInRefusal.QUOTA_FULL
    finally:
        engine.close()


# -- downloads -----------------------------------------------------------------------------------------
def test_a_download_replaces_the_day_whole_with_cancellations(engine: QueueEngine) -> None:
    a, b, c = code(serial=1), code(serial=2), code(serial=3)
    engine.bookings.replace_day(TODAY, [row(a), row(b)])
    result = engine.bookings.replace_day(TODAY, [row(b, state="cancelled"), row(c),
                                                 {**row(c), "code": "nonsense"},
                                                 {**row(c), "nik_masked": "3171234567890001"},  # a full NIK
                                                 row(code(serial=4, day=TODAY + timedelta(days=1)),
                                                     day=TODAY + timedelta(days=1))])
    assert (result.stored, result.cancelled, result.skipped) == (2, 1, 3)
    stored = {s.code: s.state for s in engine.bookings.stored(TODAY)}
    assert stored == {b.replace("-", ""): "cancelled", c.replace("-", ""): "booked"}
    assert check_in(engine, b).refusal is CheckInRefusal.CANCELLED


def test_a_booking_cancelled_after_its_check_in_keeps_its_ticket(engine: QueueEngine) -> None:
    first = check_in(engine, code())
    engine.bookings.replace_day(TODAY, [row(code(), state="cancelled")])
    again = check_in(engine, code(), request_id="r2")
    assert again.outcome == "already_issued" and again.ticket is not None and first.ticket is not None
    assert again.ticket.ticket.id == first.ticket.ticket.id


# -- the wire ------------------------------------------------------------------------------------------
def test_tickets_from_hosts_before_bookings_read_without_a_booking(engine: QueueEngine) -> None:
    ticket = engine.issue("KTP", request_id="w1").ticket
    data = ticket_to_json(ticket)
    assert data["booking"] is None
    del data["booking"]
    assert ticket_from_json(data) == ticket


def test_check_in_answers_refuse_inconsistent_values() -> None:
    with pytest.raises(ValueError):
        CheckInAnswer("issued")  # no ticket
    with pytest.raises(ValueError):
        CheckInAnswer("choose")  # no choices
    with pytest.raises(ValueError):
        CheckInAnswer.from_json({"outcome": "refused", "refusal": "nope", "choices": []})


def test_each_service_s_bookings_reduce_its_own_quota(tmp_path: Path, clock: ManualClock) -> None:
    engine = open_engine(tmp_path, clock, rules=[ServiceRule("KTP", "A", daily_quota=5, typical_service_minutes=10),
                                                 ServiceRule("KK", "B", daily_quota=5, typical_service_minutes=8)])
    try:
        engine.issue("KTP", request_id="w1")  # tickets of one service only
        engine.bookings.replace_day(TODAY, [row(code("10:00", "KTP", 1), "10:00", "KTP"),
                                            row(code("10:00", "KK", 2), "10:00", "KK"),
                                            row(code("10:00", "KK", 3), "10:00", "KK")])
        snapshot = engine.availability(30)
        assert [(s.service_code, s.remaining) for s in snapshot.services] == [("KTP", 3), ("KK", 3)]
        for n in range(3):
            engine.issue("KK", request_id=f"kk{n}")
        with pytest.raises(QuotaFull):
            engine.issue("KK", request_id="kk-full")
    finally:
        engine.close()
