"""A recorded complaint's two legal clocks at a moment, as the console, the export and the figures read them.

The clocks themselves (due times in working days, holidays, *cuti bersama*) are
:mod:`kiosk.complaints.clocks`; this is the one place that reads them for a
:class:`~kiosk.complaints.record.ComplaintRecord`, so the console's flag, the export's columns and
the report's counts cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.complaints.clocks import ClockState, ComplaintClocks, WorkingCalendar, calendar_for
from kiosk.complaints.record import ComplaintRecord
from kiosk.config.schema import Config

__all__ = ["ClockState", "ClockView", "WorkingCalendar", "clock_view", "complaint_calendar"]
_DONE = {ClockState.MET: True, ClockState.MISSED: False}
_LATE = (ClockState.OVERDUE, ClockState.MISSED)


@dataclass(frozen=True)
class ClockView:
    """Both clocks with the questions the officer, the export and the report ask of them."""

    clocks: ComplaintClocks

    @property
    def first_response_due(self) -> datetime:
        return self.clocks.first_response_due

    @property
    def resolution_due(self) -> datetime:
        return self.clocks.resolution_due

    @property
    def responded_on_time(self) -> bool | None:
        """True/False once responded (by the due time or after it); None while no response yet."""
        return _DONE.get(self.clocks.first_response)

    @property
    def resolved_on_time(self) -> bool | None:
        """True/False once closed, with any outcome; None while open."""
        return _DONE.get(self.clocks.resolution)

    @property
    def first_response_late(self) -> bool:
        """Responded late, or no response yet and past due."""
        return self.clocks.first_response in _LATE

    @property
    def resolution_late(self) -> bool:
        return self.clocks.resolution in _LATE

    @property
    def overdue(self) -> bool:
        """Past a due time with the thing still not done: what the console flags and the report counts."""
        return self.clocks.overdue


def clock_view(record: ComplaintRecord, *, calendar: WorkingCalendar, now: datetime) -> ClockView:
    return ClockView(ComplaintClocks.of(record.filed_at, record.first_response_at, record.closed_at, now, calendar))


def complaint_calendar(config: Config) -> WorkingCalendar:
    """This site's working days: Indonesia's holidays, and the *cuti bersama* of ``[complaints]``."""
    c = config.complaints
    return calendar_for(c.collective_leave_days, c.working_days, library_collective_leave=c.library_collective_leave,
                        tz=config.site.timezone)
