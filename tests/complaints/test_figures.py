"""The report's complaint figures: received, on time, overdue, by category and agency, for a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from complaint_samples import complaint

from kiosk.complaints.clocks import WorkingCalendar
from kiosk.complaints.figures import complaint_figures

TZ = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar(tz=TZ)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def figures_of(records, first=date(2026, 11, 1), last=date(2026, 11, 30)):
    return complaint_figures(records, first, last, tz=TZ, calendar=CALENDAR, now=NOW)


def test_counts_follow_the_clocks() -> None:
    # all filed Monday 2 November: first response due Thursday 5 November (WIB)
    records = [
        complaint(1, first_response_at="2026-11-04T02:00:00+00:00", closed_at="2026-11-10T02:00:00+00:00",
                  state="closed", outcome="resolved"),                       # on time, resolved in time
        complaint(2, first_response_at="2026-11-09T02:00:00+00:00", state="responded"),  # responded late
        complaint(3),                                                         # no response yet: overdue
        complaint(4, category="facilities", forwarded_to="DINAS-PU", state="forwarded",
                  first_response_at="2026-11-03T02:00:00+00:00"),
    ]
    figures = figures_of(records)
    total = figures.total
    assert (total.received, total.responded_in_time, total.resolved_in_time, total.overdue, total.open) == \
        (4, 2, 1, 1, 3)
    by_category = {r.key: (r.received, r.overdue) for r in figures.by_category}
    assert by_category == {"fees": (3, 1), "facilities": (1, 0)}
    assert [(r.key, r.received, r.responded_in_time) for r in figures.by_agency] == [("DINAS-PU", 1, 1)]


def test_the_period_is_the_local_filing_day() -> None:
    records = [complaint(1, filed_at="2026-10-31T17:30:00+00:00"),   # 1 November 00:30 WIB: in
               complaint(2, filed_at="2026-10-31T16:30:00+00:00"),   # 31 October 23:30 WIB: out
               complaint(3, filed_at="2026-11-30T16:59:00+00:00"),   # 30 November 23:59 WIB: in
               complaint(4, filed_at="2026-11-30T17:00:00+00:00")]   # 1 December: out
    assert figures_of(records).total.received == 2


def test_nothing_received_gives_zeros_not_errors() -> None:
    figures = figures_of([])
    assert figures.total.received == 0 and figures.by_category == [] and figures.by_agency == []
    assert figures.to_json()["total"]["responded_within_3_working_days"] == 0
