"""The complaint figures of a period, for ``kiosk report`` (definitions also in ``docs/complaints.md``).

* a complaint belongs to the period of its local receiving day (``filed_at`` in the site's zone);
* **received**: complaints of the period;
* **responded within 3 working days**: of those, the ones whose first response came by its due
  time (:mod:`kiosk.complaints.clocks`: working days, public holidays and *cuti bersama* skipped);
* **resolved within 60 days**: of those, the ones closed (any outcome) by their resolution due time;
* **overdue**: of those, the ones that at the report's moment (``now``) are past a due time with the
  thing still not done (no first response yet, or still open);
* **by category**: the same four counts per category; **by agency**: per agency a complaint was
  forwarded to (complaints never forwarded are in no agency row).

Pure: the complaints come in as records (from the central API, which keeps them); nothing here
reads a store or the network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.complaints.deadlines import WorkingCalendar, clock_view
from kiosk.complaints.record import ComplaintRecord


@dataclass
class FigureRow:
    """One line of the table: the whole period, a category or an agency."""

    key: str
    received: int = 0
    responded_in_time: int = 0
    resolved_in_time: int = 0
    overdue: int = 0
    open: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "received": self.received, "responded_within_3_working_days": self.responded_in_time,
                "resolved_within_60_days": self.resolved_in_time, "overdue": self.overdue, "open": self.open}


@dataclass
class ComplaintFigures:
    first_day: date
    last_day: date
    total: FigureRow = field(default_factory=lambda: FigureRow("total"))
    by_category: list[FigureRow] = field(default_factory=list)
    by_agency: list[FigureRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
                "total": self.total.to_json(), "by_category": [r.to_json() for r in self.by_category],
                "by_agency": [r.to_json() for r in self.by_agency]}


def complaint_figures(records: Iterable[ComplaintRecord], first_day: date, last_day: date, *, tz: ZoneInfo,
                      calendar: WorkingCalendar, now: datetime) -> ComplaintFigures:
    """The figures of the complaints received from ``first_day`` to ``last_day`` (local days, inclusive)."""
    figures = ComplaintFigures(first_day, last_day)
    categories: dict[str, FigureRow] = {}
    agencies: dict[str, FigureRow] = {}
    for record in records:
        if not first_day <= record.filed_at.astimezone(tz).date() <= last_day:
            continue
        clocks = clock_view(record, calendar=calendar, now=now)
        rows = [figures.total, categories.setdefault(record.category, FigureRow(record.category))]
        if record.forwarded_to:
            rows.append(agencies.setdefault(record.forwarded_to, FigureRow(record.forwarded_to)))
        for row in rows:
            row.received += 1
            row.responded_in_time += clocks.responded_on_time is True
            row.resolved_in_time += clocks.resolved_on_time is True
            row.overdue += clocks.overdue
            row.open += record.is_open

    def ordered(table: dict[str, FigureRow]) -> list[FigureRow]:
        return sorted(table.values(), key=lambda r: (-r.received, r.key))

    figures.by_category, figures.by_agency = ordered(categories), ordered(agencies)
    return figures
