"""The legal clocks of a complaint: first response in 3 working days, resolution in 60 days.

Sources (docs/complaints.md, "Clocks", has the whole note):

* First response: 3 working days (*hari kerja*), the SP4N-LAPOR! handling rule of PermenPANRB
  62/2018 (a report is verified and answered within 3 working days).
* Resolution: 60 days (*hari*, not *hari kerja*) "sejak berkas pengaduan dinyatakan lengkap",
  Perpres 76/2013 (and UU 25/2009). The regulation says "hari kerja" where it means working days,
  so the 60 are calendar days; it is also the stricter reading (60 working days is ~12 weeks).
  A complaint filed at the kiosk is complete when filed (the check refuses an incomplete one).

Counting: the day of filing is not counted; a deadline is the end (23:59:59, MPP local time) of its
last day. Working days are Monday to Friday minus Indonesia's public holidays and the collective
leave days (*cuti bersama*) — those the ``holidays`` library knows (its ``government`` category,
taken from each year's SKB of three ministers) plus those the site configures in
``[complaints] collective_leave_days``, minus ``[complaints] working_days`` (days a decree
cancelled, or days the MPP declares working).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

import holidays

FIRST_RESPONSE_WORKING_DAYS = 3
RESOLUTION_DAYS = 60
DUE_SOON_WORKING_DAYS = 1      # first response: flagged on the last working day
DUE_SOON_DAYS = 7              # resolution: flagged in the last week
DEFAULT_TZ = "Asia/Jakarta"
WEEKEND = (5, 6)               # Saturday, Sunday: the civil service works Monday to Friday


class ClockState(str, Enum):
    """Where one clock stands: running (on time, due soon, overdue) or stopped (met, missed)."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"


class WorkingCalendar:
    """Which days are working days at this MPP: weekdays minus holidays and *cuti bersama*."""

    def __init__(self, collective_leave: Iterable[date] = (), *, working_days: Iterable[date] = (),
                 library_collective_leave: bool = True, tz: str | tzinfo = DEFAULT_TZ) -> None:
        self.collective_leave = frozenset(collective_leave)
        self.working_days = frozenset(working_days)
        self.library_collective_leave = library_collective_leave
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self._years: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        known = self._years.get(year)
        if known is None:
            categories = ("public", "government") if self.library_collective_leave else ("public",)
            known = self._years[year] = frozenset(holidays.country_holidays("ID", years=year, categories=categories))
        return known

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day.weekday() in WEEKEND or day in self.collective_leave:
            return False
        return day not in self._holidays(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def end_of(self, day: date) -> datetime:
        """The last second of ``day`` in the MPP's time zone (a deadline)."""
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.tz)


@dataclass(frozen=True)
class ComplaintClocks:
    """Both clocks of one complaint at ``now``: the deadlines and where each stands."""

    first_response_due: datetime
    resolution_due: datetime
    first_response: ClockState
    resolution: ClockState

    @property
    def overdue(self) -> bool:
        """A clock is running late or was met late: the officer's list flags the complaint."""
        return ClockState.OVERDUE in (self.first_response, self.resolution)

    @classmethod
    def of(cls, received_at: datetime, first_response_at: datetime | None, closed_at: datetime | None,
           now: datetime, calendar: WorkingCalendar, *, first_response_working_days: int = FIRST_RESPONSE_WORKING_DAYS,
           resolution_days: int = RESOLUTION_DAYS) -> ComplaintClocks:
        """``received_at``: when the citizen filed it (the kiosk's time, not the sync's)."""
        filed_day = calendar.local_day(received_at)
        first_due = calendar.end_of(calendar.add_working_days(filed_day, first_response_working_days))
        resolution_due = calendar.end_of(filed_day + timedelta(days=resolution_days))
        today = calendar.local_day(now)
        first_soon = calendar.working_days_between(today, calendar.local_day(first_due)) <= DUE_SOON_WORKING_DAYS
        resolution_soon = (calendar.local_day(resolution_due) - today).days <= DUE_SOON_DAYS
        return cls(first_due, resolution_due,
                   _state(first_response_at, first_due, now, first_soon),
                   _state(closed_at, resolution_due, now, resolution_soon))


def _state(stopped_at: datetime | None, due: datetime, now: datetime, soon: bool) -> ClockState:
    if stopped_at is not None:
        return ClockState.MET if stopped_at <= due else ClockState.MISSED
    if now > due:
        return ClockState.OVERDUE
    return ClockState.DUE_SOON if soon else ClockState.ON_TIME


def calendar_for(collective_leave_days: Iterable[str | date], working_days: Iterable[str | date] = (), *,
                 library_collective_leave: bool = True, tz: str = DEFAULT_TZ) -> WorkingCalendar:
    """A calendar from the ``[complaints]`` configuration (dates, or ``"2026-12-24"`` strings)."""
    return WorkingCalendar((_day(d) for d in collective_leave_days), working_days=(_day(d) for d in working_days),
                           library_collective_leave=library_collective_leave, tz=tz)


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
