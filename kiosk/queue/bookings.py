"""Bookings at the queue host (issue 19): the day's bookings, offline verification and the check-in.

The engine's :class:`BookingDesk` is ``QueueEngine.bookings``: ``engine.bookings.check_in(...)``.

The host keeps two things (tables in :mod:`kiosk.queue.schema`):

* ``bookings``: the day's bookings as last downloaded from the central API (:meth:`BookingDesk.replace_day`:
  a day is replaced whole in one transaction, so a cancellation or a booking the central API dropped
  shows at once, and a failed download leaves the previous list);
* ``booking_checkins``: one row per booking checked in; its primary key (the canonical code) makes the
  check-in idempotent: the same booking again, from any kiosk at any time of the day, answers the first
  ticket, and two kiosks at once get one ticket (one ``BEGIN IMMEDIATE`` transaction reads and writes,
  the key is the backstop).

A code is verified offline with the MPP's booking key (:func:`kiosk.booking.code.read_booking_code`), so
a booking made after the last download still checks in; the download adds the masked NIK and the
cancellations. The arrival rule (:func:`kiosk.booking.arrival.classify_arrival`): on time → a booked
ticket at once; early → choose between the booked ticket (called from the slot) and a walk-in ticket
now; late → a walk-in ticket now (the slot is gone). A booked ticket carries its slot
(``Ticket.booking``) and is called ahead of its service's walk-ins once the slot has come
(:mod:`kiosk.queue.calling`).

Quota: bookings not yet checked in (and not past their slot's late window: then they are no-shows)
count against the walk-in quota of the day (:func:`kiosk.queue.availability.walk_in_remaining`), never
below what is already issued; a checked-in booking is an issued ticket instead, so checking in never
meets a full quota, except a late citizen's walk-in ticket, which is an ordinary walk-in.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.booking.arrival import Arrival, classify_arrival
from kiosk.booking.code import BookingCodeError, canonical_booking_code, read_booking_code
from kiosk.queue import reads
from kiosk.queue.availability import IssuedToday, issue_refusal
from kiosk.queue.checkin import BookingSummary, CheckInAnswer, CheckInChoice, CheckInRefusal, Outcome
from kiosk.queue.estimates import WaitEstimates
from kiosk.queue.models import Closed, EventType, OpeningHours, QueueEvent, ServiceRule, Ticket
from kiosk.queue.rows import Clock, insert_ticket, iso, load_ticket, local_day, read_clock, record_event
from kiosk.storage.store import Database
from kiosk.utils.privacy import check_masked_nik

log = logging.getLogger(__name__)

SLOT_PATTERN = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
BOOKING_STATES = ("booked", "cancelled")
CHOICES: dict[Arrival, tuple[CheckInChoice, ...]] = {
    Arrival.ON_TIME: (),
    Arrival.EARLY: (CheckInChoice.BOOKED, CheckInChoice.WALK_IN),
    Arrival.LATE: (CheckInChoice.WALK_IN,),
}


@dataclass(frozen=True)
class BookingSettings:
    """``[bookings]`` of the site's config, and the MPP the host's key belongs to."""

    enabled: bool = False
    early_minutes: int = 30
    late_minutes: int = 15
    mpp_code: str = ""

    def __post_init__(self) -> None:
        if self.early_minutes < 0 or self.late_minutes < 0:
            raise ValueError("the arrival window's minutes cannot be negative")


@dataclass(frozen=True)
class StoredBooking:
    """One downloaded booking, as the host keeps it."""

    code: str
    day: str
    service_code: str
    slot: str
    nik_masked: str
    state: str
    created_at: str | None
    cancelled_at: str | None


@dataclass(frozen=True)
class DownloadResult:
    """What one day's download stored: bookings, of which cancelled, and rows skipped as invalid."""

    stored: int
    cancelled: int
    skipped: int


def slot_text(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def parse_booking(data: Mapping[str, object], day: date) -> StoredBooking:
    """A booking of the central API's ``GET /v1/bookings`` answer, checked; ``ValueError`` when it is not one."""
    code = canonical_booking_code(str(data.get("code", "")))
    service, slot, state = data.get("service_code"), data.get("slot"), data.get("state")
    if not isinstance(service, str) or not 1 <= len(service) <= 64:
        raise ValueError("service_code must be 1-64 characters")
    if data.get("day") != day.isoformat():
        raise ValueError(f"the booking is not of {day.isoformat()}")
    if not isinstance(slot, str) or not SLOT_PATTERN.fullmatch(slot):
        raise ValueError("slot must be HH:MM")
    if state not in BOOKING_STATES:
        raise ValueError(f"state must be one of {', '.join(BOOKING_STATES)}")
    nik = data.get("nik_masked") or ""
    if not isinstance(nik, str):
        raise ValueError("nik_masked must be text")
    if nik:
        check_masked_nik(nik)  # a full NIK is never kept
    stamps = [data.get(name) for name in ("created_at", "cancelled_at")]
    for stamp in stamps:
        if stamp is not None and (not isinstance(stamp, str) or datetime.fromisoformat(stamp).tzinfo is None):
            raise ValueError("times must be ISO 8601 with their UTC offset")
    return StoredBooking(code, day.isoformat(), service, slot, nik, str(state), *stamps)  # type: ignore[arg-type]  # checked above


class BookingDesk:
    """The host's bookings over the queue database; ``QueueEngine.bookings``."""

    def __init__(self, db: Database, tz: ZoneInfo, clock: Clock, estimates: WaitEstimates, *,
                 hours: OpeningHours | None, reserved_share: float,
                 notify: Callable[[list[QueueEvent]], None] = lambda _events: None) -> None:
        self.db, self.tz, self._clock, self._estimates = db, tz, clock, estimates
        self._notify = notify  # the engine's listeners, after commit (kiosk.queue.engine.Listeners)
        self.hours, self.reserved_share = hours, reserved_share
        self.settings = BookingSettings()
        self._key: bytes | None = None
        self._rules: Mapping[str, ServiceRule] = {}

    # -- configuration -----------------------------------------------------------------------
    def configure(self, settings: BookingSettings, key: bytes | None = None) -> None:
        self.settings = settings
        if key is not None:
            self.set_key(key)

    def set_key(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a booking key has at least 16 bytes")
        self._key = bytes(key)

    @property
    def has_key(self) -> bool:
        return self._key is not None

    @property
    def ready(self) -> bool:
        """Bookings are on and the key is here: codes can be checked."""
        return self.settings.enabled and self._key is not None and bool(self.settings.mpp_code)

    def use_rules(self, rules: Mapping[str, ServiceRule]) -> None:
        self._rules = rules

    # -- time --------------------------------------------------------------------------------
    def local_now(self) -> datetime:
        return read_clock(self._clock).astimezone(self.tz)

    def slot_now(self, now: datetime) -> str:
        """The local "HH:MM" up to which booked slots have come (what calling compares ``booking`` with)."""
        return slot_text(now.astimezone(self.tz).time())

    def _expired_before(self, local: datetime) -> str:
        """Slots before this local "HH:MM" are past their late window today: their bookings are no-shows."""
        cutoff = local - timedelta(minutes=self.settings.late_minutes)
        return slot_text(cutoff.time()) if cutoff.date() == local.date() else ""

    # -- the quota ---------------------------------------------------------------------------
    def outstanding(self, conn: sqlite3.Connection, day: str, now: datetime,
                    service_code: str | None = None) -> dict[str, int]:
        """Bookings of ``day`` per service (all, or one) not checked in, not cancelled, not past their late window."""
        if not self.settings.enabled:
            return {}
        local = now.astimezone(self.tz)
        cutoff = self._expired_before(local) if local_day(now, self.tz) == day else ""
        one = "AND b.service_code = ? " if service_code is not None else ""
        rows = conn.execute("SELECT b.service_code, COUNT(*) FROM bookings b WHERE b.day = ? AND b.state = 'booked' "
                            f"{one}AND b.slot >= ? AND NOT EXISTS (SELECT 1 FROM booking_checkins c "
                            "WHERE c.code = b.code) GROUP BY b.service_code",
                            (day, *([service_code] if service_code is not None else []), cutoff)).fetchall()
        return {code: count for code, count in rows}

    def with_outstanding(self, conn: sqlite3.Connection, issued: dict[str, IssuedToday], day: str, now: datetime,
                         service_code: str | None = None) -> dict[str, IssuedToday]:
        """``issued`` with each service's (or one's) outstanding bookings added (:func:`walk_in_remaining`
        subtracts them)."""
        for code, count in self.outstanding(conn, day, now, service_code).items():
            issued[code] = replace(issued.get(code, IssuedToday()), booked=count)
        return issued

    # -- downloads ---------------------------------------------------------------------------
    def replace_day(self, day: date, bookings: Iterable[Mapping[str, object]]) -> DownloadResult:
        """Make the stored bookings of ``day`` exactly the valid ones downloaded (one transaction)."""
        valid: dict[str, StoredBooking] = {}
        skipped = 0
        for data in bookings:
            try:
                booking = parse_booking(data, day)
            except (ValueError, TypeError) as exc:
                skipped += 1
                log.warning("bookings of %s: one skipped (%s)", day.isoformat(), exc)
                continue
            valid[booking.code] = booking
        now = iso(read_clock(self._clock))
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM bookings WHERE day = ?", (day.isoformat(),))
            conn.executemany(
                "INSERT INTO bookings(code, day, service_code, slot, nik_masked, state, created_at, cancelled_at, "
                "downloaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET day = excluded.day, "
                "service_code = excluded.service_code, slot = excluded.slot, nik_masked = excluded.nik_masked, "
                "state = excluded.state, created_at = excluded.created_at, cancelled_at = excluded.cancelled_at, "
                "downloaded_at = excluded.downloaded_at",
                [(b.code, b.day, b.service_code, b.slot, b.nik_masked, b.state, b.created_at, b.cancelled_at, now)
                 for b in valid.values()])
        cancelled = sum(1 for b in valid.values() if b.state == "cancelled")
        return DownloadResult(len(valid), cancelled, skipped)

    def stored(self, day: date) -> list[StoredBooking]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT * FROM bookings WHERE day = ? ORDER BY slot, code", (day.isoformat(),))
            return [StoredBooking(r["code"], r["day"], r["service_code"], r["slot"], r["nik_masked"], r["state"],
                                  r["created_at"], r["cancelled_at"]) for r in rows.fetchall()]

    # -- check-in ----------------------------------------------------------------------------
    def check_in(self, code_text: str, *, kiosk: str, request_id: str, choice: CheckInChoice | None = None,
                 lang: str = "id", counters_serving: Callable[[str], int] = lambda _code: 1) -> CheckInAnswer:
        """A booked citizen's ticket, the first one again, a choice to make, or a refusal (see the module
        docstring); the ``issued`` event goes to the engine's listeners after commit."""
        answer, events = self._check_in(code_text, kiosk=kiosk, request_id=request_id, choice=choice, lang=lang,
                                        counters_serving=counters_serving)
        self._notify(events)
        return answer

    def _check_in(self, code_text: str, *, kiosk: str, request_id: str, choice: CheckInChoice | None, lang: str,
                  counters_serving: Callable[[str], int]) -> tuple[CheckInAnswer, list[QueueEvent]]:
        if not request_id:
            raise ValueError("a request id is required (it makes retries safe)")
        key = self._key
        if not self.ready or key is None:
            return CheckInAnswer.refused(CheckInRefusal.NOT_READY), []
        try:
            fields = read_booking_code(code_text, key=key, mpp_code=self.settings.mpp_code,
                                       service_codes=self._rules.keys())
        except BookingCodeError as exc:
            return CheckInAnswer.refused(CheckInRefusal(exc.reason)), []
        code = canonical_booking_code(code_text)
        with self.db.transaction() as conn:
            now = read_clock(self._clock)
            done = conn.execute("SELECT * FROM booking_checkins WHERE code = ?", (code,)).fetchone()
            stored = conn.execute("SELECT nik_masked, state FROM bookings WHERE code = ?", (code,)).fetchone()
            summary = BookingSummary(code, fields.service_code, fields.day, slot_text(fields.slot),
                                     stored["nik_masked"] if stored is not None else "")
            local = now.astimezone(self.tz)
            if fields.day != local.date():
                return CheckInAnswer.refused(CheckInRefusal.OTHER_DAY, summary), []
            if done is not None:  # the same booking again: its first ticket, never a second
                ticket = load_ticket(conn, done["ticket_id"])
                standing = self._estimates.standing(conn, ticket, counters_serving(ticket.service_code), now)
                outcome: Outcome = "issued" if done["request_id"] == request_id else "already_issued"
                return CheckInAnswer(outcome, summary, Arrival(done["arrival"]), standing), []
            if stored is not None and stored["state"] == "cancelled":
                return CheckInAnswer.refused(CheckInRefusal.CANCELLED, summary), []
            if self.hours is not None and not self.hours.is_open(local):  # before a choice that could not be had
                return CheckInAnswer.refused(CheckInRefusal.CLOSED, summary), []
            arrival = classify_arrival(datetime.combine(fields.day, fields.slot, self.tz), local,
                                       self.settings.early_minutes, self.settings.late_minutes)
            allowed = CHOICES[arrival]
            if allowed and choice not in allowed:
                return CheckInAnswer("choose", summary, arrival, choices=allowed), []
            taken = choice if allowed and choice is not None else CheckInChoice.BOOKED
            issued = self._issue(conn, summary, arrival, taken, now, request_id=request_id, kiosk=kiosk, lang=lang)
            if isinstance(issued, CheckInRefusal):
                return CheckInAnswer.refused(issued, summary), []
            ticket, event = issued
            standing = self._estimates.standing(conn, ticket, counters_serving(ticket.service_code), now)
        return CheckInAnswer("issued", summary, arrival, standing), [event]

    def _issue(self, conn: sqlite3.Connection, booking: BookingSummary, arrival: Arrival, choice: CheckInChoice,
               now: datetime, *, request_id: str, kiosk: str,
               lang: str) -> tuple[Ticket, QueueEvent] | CheckInRefusal:
        """Issue the check-in's ticket, or say why not (closed; a late walk-in past the quota)."""
        rule = self._rules[booking.service_code]
        day = local_day(now, self.tz)
        # A kept booking (or one traded for a walk-in ticket before its slot) already holds its place in
        # the quota; a late citizen's walk-in ticket is an ordinary one and meets the quota like any.
        ordinary = arrival is Arrival.LATE
        used: dict[str, IssuedToday] = {}
        if ordinary:
            used = self.with_outstanding(conn, reads.issued_counts(
                conn, day, rule.code, split_priority=self.reserved_share > 0), day, now, rule.code)
        # ``priority``: issue_refusal's way to check the hours alone (a priority ticket never meets the quota)
        refusal = issue_refusal(rule, used.get(rule.code, IssuedToday()), self.hours, self.tz, now,
                                priority=not ordinary, reserved_share=self.reserved_share)
        if refusal is not None:
            return CheckInRefusal.CLOSED if isinstance(refusal, Closed) else CheckInRefusal.QUOTA_FULL
        kept = choice is CheckInChoice.BOOKED
        nik = booking.nik_masked or None
        ticket = insert_ticket(conn, rule, day, now, request_id=request_id, priority=None, lang=lang,
                               identity_status="to_verify_at_counter" if nik else "none", nik_masked=nik,
                               application_id=None, booking=booking.slot if kept else None)
        conn.execute("INSERT INTO booking_checkins(code, day, service_code, slot, ticket_id, arrival, choice, kiosk, "
                     "request_id, checked_in_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (booking.code, day, rule.code, booking.slot, ticket.id, arrival.value, choice.value, kiosk,
                      request_id, iso(now)))
        event = record_event(conn, ticket, EventType.ISSUED, kiosk, now, None,
                             {"service": rule.code, "priority": None, "booking": booking.slot,
                              "arrival": arrival.value, "choice": choice.value})
        return ticket, event


class BookingDownloader:
    """Downloads today's bookings every ``interval`` on its own thread (the queue host's role starts it).

    ``fetch_day(day)`` returns the central API's bookings of that day; ``fetch_key()`` the MPP's booking
    key, asked only while the desk has none. Offline, the host keeps what it has and logs it once (and
    once more when the central API answers again)."""

    def __init__(self, desk: BookingDesk, fetch_day: Callable[[date], Iterable[Mapping[str, object]]],
                 fetch_key: Callable[[], bytes] | None, interval: timedelta,
                 on_stop: Callable[[], None] | None = None) -> None:
        self.desk, self._fetch_day, self._fetch_key, self.interval = desk, fetch_day, fetch_key, interval
        self._on_stop = on_stop  # e.g. close the central API client
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._offline = False
        self.last: DownloadResult | None = None

    def run_once(self) -> bool:
        """One round: the key if missing, then today's bookings; False when the central API failed."""
        try:
            if not self.desk.has_key and self._fetch_key is not None:
                self.desk.set_key(self._fetch_key())
                log.info("bookings: the MPP's booking key was fetched from the central API")
            today = self.desk.local_now().date()
            self.last = self.desk.replace_day(today, self._fetch_day(today))
        except Exception as exc:  # offline, refused, or a broken answer: keep what we have
            if not self._offline:
                log.warning("bookings: cannot download today's bookings (%s); checking codes with what is kept", exc)
            self._offline = True
            return False
        if self._offline:
            log.info("bookings: downloads work again")
        self._offline = False
        log.debug("bookings: %s", self.last)
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="booking-download", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval.total_seconds())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._on_stop is not None:
            self._on_stop()
