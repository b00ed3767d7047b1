"""The figures of a performance report, read from the queue database and the survey store.

Counting is done in SQL (``GROUP BY`` over the period's tickets and events); durations come back as
one compact row per ticket (numbers only) because SQLite has no median or percentile. Definitions
(also in ``docs/survey-and-reports.md``):

* a ticket belongs to the local day it was issued (``tickets.day``) and to its *final* service and
  counter (a transfer moves it in place); ``transfers`` count ``transferred`` events by the service
  the ticket left;
* waiting time = first ``called`` event − arrival; service time = ``finished_at`` − ``started_at``
  of done tickets (the last service, after any transfer);
* median = the middle value (mean of the two middle ones); p90 = nearest rank (the value at
  position ⌈0.9·n⌉ of the sorted list);
* SLA compliance = share of done tickets whose arrival-to-finish time is within the catalog's
  completion time, for services whose completion time is in minutes or hours (services that take
  days finish after the visit and are left out);
* hour of day = local hour of arrival;
* periods: a day, a month, a semester (S1 = January–June, S2 = July–December) or a year, the
  periods PermenPANRB 14/2017 names for the SKM (quarterly, half-yearly, yearly; at least yearly);
* the SKM sample: the population is the citizens served in the period (tickets finished), the
  minimum sample is Krejcie–Morgan's (:mod:`kiosk.survey.sample`), reached when that many
  complete responses (all nine answered) were stored.
"""

from __future__ import annotations

import calendar
import math
import sqlite3
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kiosk.catalog.services import Catalog
from kiosk.survey.ikm import IkmResult
from kiosk.survey.sample import SampleCheck
from kiosk.survey.store import aggregate_sql, result_from_row

Period = Literal["day", "month", "semester", "year"]
PERIODS: tuple[Period, ...] = ("day", "month", "semester", "year")
_PERIOD_NAMES: dict[str, Period] = {name: name for name in PERIODS}
_PERIOD_EXAMPLES = ("day or month (with --date YYYY-MM-DD), 2026-10 (a month), 2026-S1 or 2026-S2 (a semester), "
                    "2026 (a year)")
SLA_SECONDS = {"minute": 60, "hour": 3600}


class ReportError(Exception):
    """The report cannot be made (no queue database, bad date); the message says what to do."""


@dataclass
class Durations:
    """Mean, median and p90 of a list of seconds; None when the list is empty."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Durations:
        if not seconds:
            return cls()
        ordered = sorted(seconds)
        return cls(len(ordered), statistics.fmean(ordered), statistics.median(ordered),
                   ordered[math.ceil(0.9 * len(ordered)) - 1])


@dataclass
class GroupFigures:
    """One row of a table: a service, an agency, a counter or an hour."""

    key: Any
    tickets: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    transfers: int = 0
    applications: int = 0
    waiting: Durations = field(default_factory=Durations)
    service: Durations = field(default_factory=Durations)
    sla_checked: int = 0
    sla_met: int = 0
    ikm: IkmResult | None = None

    @property
    def sla_share(self) -> float | None:
        return self.sla_met / self.sla_checked if self.sla_checked else None


@dataclass
class Report:
    site_name: str
    mpp_code: str
    period: Period
    first_day: str
    last_day: str
    generated_at: datetime
    timezone: str
    total: GroupFigures
    by_service: list[GroupFigures]
    by_agency: list[GroupFigures]
    by_counter: list[GroupFigures]
    by_hour: list[GroupFigures]
    by_day: list[GroupFigures]
    by_month: list[GroupFigures]
    ikm: IkmResult | None
    demographics: dict[str, dict[str, int]]
    feedback: list[dict[str, Any]]
    applications: dict[str, Any] | None
    service_names: dict[str, dict[str, str]]
    agency_names: dict[str, dict[str, str]]
    #: complaint figures from the central API (kiosk.reports.complaints.ComplaintPart); None = not asked
    complaints: Any = None
    #: booking figures from the queue database (kiosk.reports.bookings.BookingFigures); None = none kept
    bookings: Any = None

    @property
    def sample(self) -> SampleCheck:
        """The period's served citizens, the Krejcie–Morgan sample they call for, the complete responses."""
        return SampleCheck.of(self.total.served, self.ikm.complete if self.ikm is not None else 0)


def resolve_period(spec: str, day: str | None = None) -> tuple[Period, str]:
    """The kind of period and a day inside it, from ``--period`` (and ``--date``).

    ``day``/``month``/``semester``/``year`` take the day from ``--date``; ``2026-10``, ``2026-S2``
    and ``2026`` name the period themselves. Anything else is a :class:`ReportError` saying what to write.
    """
    text = spec.strip().upper()
    if text.lower() in PERIODS:
        if not day:
            raise ReportError(f"--period {spec} needs --date YYYY-MM-DD (a day inside the period).")
        return _PERIOD_NAMES[text.lower()], day
    year_text, _, part = text.partition("-")
    if not (len(year_text) == 4 and year_text.isdigit() and 1900 < int(year_text) < 2200):
        raise ReportError(f"--period {spec!r} is not a period; write {_PERIOD_EXAMPLES}.")
    year = int(year_text)
    if not part:
        return "year", f"{year}-01-01"
    if part in ("S1", "S2"):
        return "semester", f"{year}-{'01' if part == 'S1' else '07'}-01"
    if part.isdigit() and len(part) == 2 and 1 <= int(part) <= 12:
        return "month", f"{year}-{part}-01"
    if part.startswith("S"):
        raise ReportError(f"--period {spec!r}: a year has two semesters, S1 (January–June) and S2 (July–December).")
    raise ReportError(f"--period {spec!r} is not a period; write {_PERIOD_EXAMPLES}.")


def period_days(period: Period, day: str) -> tuple[str, str]:
    """First and last day (ISO) of the period holding ``day``."""
    try:
        start = date.fromisoformat(day)
    except ValueError:
        raise ReportError(f"--date {day!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-02.") from None
    if period == "day":
        return start.isoformat(), start.isoformat()
    if period == "month":
        first_month = last_month = start.month
    elif period == "semester":
        first_month = 1 if start.month <= 6 else 7
        last_month = first_month + 5
    elif period == "year":
        first_month, last_month = 1, 12
    else:
        raise ReportError(f"unknown period {period!r}; one of {', '.join(PERIODS)}")
    last = calendar.monthrange(start.year, last_month)[1]
    return date(start.year, first_month, 1).isoformat(), date(start.year, last_month, last).isoformat()


def _utc_bounds(first_day: str, last_day: str, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(date.fromisoformat(first_day), datetime.min.time(), tz)
    end = datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), datetime.min.time(), tz)
    # Events of a day's tickets can only happen on or after the day; a margin covers late closing.
    return (start.astimezone(UTC).isoformat(timespec="microseconds"),
            (end + timedelta(hours=12)).astimezone(UTC).isoformat(timespec="microseconds"))


def _offset_modifier(tz: ZoneInfo, day: str) -> str:
    offset = datetime.combine(date.fromisoformat(day), datetime.min.time(), tz).utcoffset() or timedelta(0)
    return f"{offset.total_seconds() / 3600:+.2f} hours"


_PER_TICKET = """
WITH first_call AS (
    SELECT e.ticket_id, MIN(e.at) AS at FROM events e
    WHERE e.type = 'called' AND e.at >= :since AND e.at < :until GROUP BY e.ticket_id
)
SELECT t.service_code, t.counter, t.state, t.day,
       CAST(strftime('%H', t.arrived_at, :offset) AS INTEGER) AS hour,
       CASE WHEN f.at IS NOT NULL THEN (julianday(f.at) - julianday(t.arrived_at)) * 86400.0 END AS wait_s,
       CASE WHEN t.state = 'done' THEN (julianday(t.finished_at) - julianday(t.started_at)) * 86400.0 END AS serve_s,
       CASE WHEN t.state = 'done' THEN (julianday(t.finished_at) - julianday(t.arrived_at)) * 86400.0 END AS visit_s,
       t.application_id IS NOT NULL AS application
FROM tickets t LEFT JOIN first_call f ON f.ticket_id = t.id
WHERE t.day BETWEEN :first AND :last
"""

_TRANSFERS = """
SELECT json_extract(e.detail, '$.from') AS service, e.counter, t.day, COUNT(*)
FROM events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.type = 'transferred' AND e.at >= :since AND e.at < :until AND t.day BETWEEN :first AND :last
GROUP BY 1, 2, 3
"""


def build_report(queue_db: Path, survey_db: Path | None, catalog: Catalog | None, *, period: Period, day: str,
                 site_name: str, mpp_code: str, tz: ZoneInfo, applications: dict[str, Any] | None = None,
                 now: datetime | None = None) -> Report:
    """Read every figure of the report for the period holding ``day``."""
    first_day, last_day = period_days(period, day)
    if not Path(queue_db).exists():
        raise ReportError(f"{queue_db}: no queue database here. Run the report on the machine that keeps the "
                          "queue (the queue host, or the demo machine), or set [device] data_dir.")
    since, until = _utc_bounds(first_day, last_day, tz)
    params = {"first": first_day, "last": last_day, "since": since, "until": until,
              "offset": _offset_modifier(tz, first_day)}
    services = {s.code: s for s in (catalog.services if catalog else ())}
    agency_of = {code: s.agency for code, s in services.items()}
    limits = {code: s.sla.amount * SLA_SECONDS[s.sla.unit] for code, s in services.items()
              if s.sla.unit in SLA_SECONDS}
    groups: dict[str, dict[Any, _Collector]] = {k: defaultdict(_Collector) for k in
                                                ("service", "agency", "counter", "hour", "day", "month")}
    total = _Collector()
    conn = sqlite3.connect(f"file:{queue_db}?mode=ro", uri=True)
    try:
        # Streamed row by row: 100,000 tickets never sit in memory as one list.
        for service_code, counter, state, ticket_day, hour, wait_s, serve_s, visit_s, application in \
                conn.execute(_PER_TICKET, params):
            limit = limits.get(service_code)
            for collector in (total, groups["service"][service_code],
                              groups["agency"][agency_of.get(service_code, "?")],
                              groups["hour"][hour], groups["day"][ticket_day], groups["month"][ticket_day[:7]]):
                collector.add(state, wait_s, serve_s, visit_s, limit, application)
            if counter is not None:
                groups["counter"][counter].add(state, wait_s, serve_s, visit_s, limit, application)
        transfers = conn.execute(_TRANSFERS, params).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"{queue_db}: cannot be read as the queue database ({exc}).") from None
    finally:
        conn.close()
    for service_code, counter, ticket_day, count in transfers:
        total.transfers += count
        groups["service"][service_code].transfers += count
        groups["agency"][agency_of.get(service_code, "?")].transfers += count
        groups["day"][ticket_day].transfers += count
        groups["month"][ticket_day[:7]].transfers += count
        if counter is not None:
            groups["counter"][counter].transfers += count

    ikm_total: IkmResult | None = None
    ikm_groups: dict[str, dict[Any, IkmResult]] = {"service": {}, "agency": {}, "counter": {}, "day": {},
                                                   "month": {}}
    demographics: dict[str, dict[str, int]] = {}
    feedback: list[dict[str, Any]] = []
    if survey_db is not None and Path(survey_db).exists():
        ikm_total, ikm_groups, demographics, feedback = _survey(Path(survey_db), first_day, last_day)
    total_figures = total.figures("total")
    total_figures.ikm = ikm_total

    def table(name: str, order: Any = None) -> list[GroupFigures]:
        out = [c.figures(key) for key, c in groups[name].items()]
        for figures in out:
            figures.ikm = ikm_groups.get(name, {}).get(figures.key)
        return sorted(out, key=order or (lambda g: (-g.tickets, str(g.key))))

    return Report(
        site_name=site_name, mpp_code=mpp_code, period=period, first_day=first_day, last_day=last_day,
        generated_at=(now or datetime.now(UTC)).astimezone(tz), timezone=str(tz),
        total=total_figures, by_service=table("service"), by_agency=table("agency"),
        by_counter=table("counter", lambda g: g.key), by_hour=table("hour", lambda g: g.key),
        by_day=table("day", lambda g: g.key), by_month=table("month", lambda g: g.key), ikm=ikm_total,
        demographics=demographics, feedback=feedback,
        applications=applications,
        service_names={code: {"id": s.name.id, "en": s.name.en} for code, s in services.items()},
        agency_names={a.code: {"id": a.short_name.id, "en": a.short_name.en}
                      for a in (catalog.agencies if catalog else ())},
    )


class _Collector:
    __slots__ = ("tickets", "served", "no_shows", "cancelled", "transfers", "applications", "waits", "serves",
                 "sla_checked", "sla_met")

    def __init__(self) -> None:
        self.tickets = self.served = self.no_shows = self.cancelled = self.transfers = self.applications = 0
        self.sla_checked = self.sla_met = 0
        self.waits: list[float] = []
        self.serves: list[float] = []

    def add(self, state: str, wait_s: float | None, serve_s: float | None, visit_s: float | None,
            limit: int | None, application: int) -> None:
        self.tickets += 1
        self.applications += application
        if wait_s is not None:
            self.waits.append(wait_s)
        if state == "done":
            self.served += 1
            if serve_s is not None:
                self.serves.append(serve_s)
            if limit is not None and visit_s is not None:
                self.sla_checked += 1
                self.sla_met += visit_s <= limit
        elif state == "no_show":
            self.no_shows += 1
        elif state == "cancelled":
            self.cancelled += 1

    def figures(self, key: Any) -> GroupFigures:
        return GroupFigures(key=key, tickets=self.tickets, served=self.served, no_shows=self.no_shows,
                            cancelled=self.cancelled, transfers=self.transfers, applications=self.applications,
                            waiting=Durations.of(self.waits), service=Durations.of(self.serves),
                            sla_checked=self.sla_checked, sla_met=self.sla_met)


def _survey(path: Path, first_day: str, last_day: str) -> tuple[IkmResult | None, dict[str, dict[Any, IkmResult]],
                                                                dict[str, dict[str, int]], list[dict[str, Any]]]:
    from kiosk.survey.store import GROUPINGS, SurveyStore

    where = "day BETWEEN ? AND ?"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        overall = conn.execute(aggregate_sql(where), (first_day, last_day)).fetchone()
        groups = {name: {row[0]: result_from_row(row)
                         for row in conn.execute(aggregate_sql(where, GROUPINGS[name]), (first_day, last_day))}
                  for name in ("service", "agency", "counter", "day")}
        groups["month"] = {row[0]: result_from_row(row)
                           for row in conn.execute(aggregate_sql(where, "substr(day, 1, 7)"), (first_day, last_day))}
    finally:
        conn.close()
    store = SurveyStore(path)
    try:
        demographics = store.demographics(first_day, last_day)
        feedback = store.feedback(first_day, last_day, limit=12)
    finally:
        store.close()
    return (result_from_row(overall) if overall else None), groups, demographics, feedback
