"""Waiting-time estimates: people ahead of a ticket, and minutes from the median of recent service times.

The counts come from the database (``line_counts``, kept by triggers, or a count of the line);
only the median service time is reused for a few seconds per service and day, because every issue
estimates the wait, and reading and parsing the last 20 durations was a sixth of an issue's cost
(bench/queue_host.py). It is an estimate, not state: a finish in this process forgets it at once.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
import time as wallclock
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from kiosk.queue.models import IssuedTicket, ServiceRule, Ticket, TicketState
from kiosk.queue.rows import day_start, iso, local_day, seconds_between
from kiosk.queue.schema import LINE_ORDER

HISTORY_SIZE = 20  # service durations in the rolling median
HISTORY_FALLBACK_DAYS = 7
# How long a service's median duration is reused. A finish in this process forgets it at once; a
# finish by another process on the same file shows in estimates at most this late.
MEDIAN_REUSE_SECONDS = 5.0
UNKNOWN_SERVICE_MINUTES = 10  # estimate for a ticket whose service left the rules


class WaitEstimates:
    """People ahead and minutes to wait, for one engine (its time zone and service rules)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._rules: Mapping[str, ServiceRule] = {}
        # (service, day) -> (median seconds, monotonic expiry)
        self._medians: dict[tuple[str, str], tuple[float, float]] = {}

    def use_rules(self, rules: Mapping[str, ServiceRule]) -> None:
        """The engine's new rules: a changed typical duration counts at once."""
        self._rules = rules
        self._medians = {}

    def forget(self, service_code: str) -> None:
        """A new duration of this service: its next estimate reads the history again."""
        self._medians = {key: value for key, value in self._medians.items() if key[0] != service_code}

    @staticmethod
    def line_counts(conn: sqlite3.Connection, day: str, service_code: str) -> tuple[int, int]:
        """How many wait in the service's priority line and in its normal line (kept by triggers)."""
        counts = dict(conn.execute("SELECT priority_line, waiting FROM line_counts WHERE day = ? AND service_code = ?",
                                   (day, service_code)).fetchall())
        return counts.get(1, 0), counts.get(0, 0)

    def standing_of_newest(self, conn: sqlite3.Connection, ticket: Ticket, counters_serving: int,
                           now: datetime) -> IssuedTicket:
        """:meth:`standing` of a ticket just issued, from the running counts instead of a count of the line.

        A new ticket is the last of its line unless the clock stepped back; then it is counted.
        """
        behind = conn.execute(
            "SELECT 1 FROM tickets WHERE day = ? AND service_code = ? AND (priority IS NULL) = ? "
            "AND state = 'issued' AND (arrived_at, id) > (?, ?) LIMIT 1",
            (ticket.day, ticket.service_code, int(not ticket.is_priority), iso(ticket.arrived_at),
             ticket.id)).fetchone()
        if behind is not None:
            return self.standing(conn, ticket, counters_serving, now)
        priority_waiting, normal_waiting = self.line_counts(conn, ticket.day, ticket.service_code)
        ahead = priority_waiting - 1 if ticket.is_priority else priority_waiting + normal_waiting - 1
        return IssuedTicket(ticket, ahead, self.estimate(conn, ticket.service_code, ahead, counters_serving, now))

    def standing(self, conn: sqlite3.Connection, ticket: Ticket, counters_serving: int,
                 now: datetime) -> IssuedTicket:
        """People ahead of a ticket and its wait estimate (0/0 once it is no longer waiting)."""
        if ticket.state is not TicketState.ISSUED:
            return IssuedTicket(ticket, 0, 0)
        if ticket.booking is not None:
            return self._booked_standing(conn, ticket, counters_serving, now)
        # Same key as the line order: (priority IS NULL, arrived_at, id), compared as a row value.
        ahead = conn.execute(
            f"SELECT COUNT(*) FROM tickets WHERE day = ? AND state = 'issued' AND service_code = ? "
            f"AND ({LINE_ORDER}) < (?, ?, ?)",
            (ticket.day, ticket.service_code, int(not ticket.is_priority), iso(ticket.arrived_at),
             ticket.id)).fetchone()[0]
        return IssuedTicket(ticket, ahead, self.estimate(conn, ticket.service_code, ahead, counters_serving, now))

    def _booked_standing(self, conn: sqlite3.Connection, ticket: Ticket, counters_serving: int,
                         now: datetime) -> IssuedTicket:
        """A booked ticket goes after the booked tickets of earlier slots only (kiosk.queue.calling), and
        never before its slot: the wait is at least the minutes until it."""
        assert ticket.booking is not None
        ahead = conn.execute(
            "SELECT COUNT(*) FROM tickets WHERE day = ? AND state = 'issued' AND service_code = ? "
            "AND booking IS NOT NULL AND (booking, arrived_at, id) < (?, ?, ?)",
            (ticket.day, ticket.service_code, ticket.booking, iso(ticket.arrived_at), ticket.id)).fetchone()[0]
        slot = datetime.combine(date.fromisoformat(ticket.day), time.fromisoformat(ticket.booking), self.tz)
        until_slot = math.ceil(max(0.0, (slot - now).total_seconds()) / 60)
        return IssuedTicket(ticket, ahead, max(until_slot, self.estimate(conn, ticket.service_code, ahead,
                                                                          counters_serving, now)))

    def estimate(self, conn: sqlite3.Connection, service_code: str, ahead: int, counters_serving: int,
                 now: datetime) -> int:
        """Minutes, rounded up: people ahead × median service time ÷ counters serving."""
        if ahead <= 0:
            return 0
        seconds = self._median_service_seconds(conn, service_code, now)
        return math.ceil(Fraction(ahead) * Fraction(seconds) / (60 * max(1, counters_serving)))

    def _median_service_seconds(self, conn: sqlite3.Connection, service_code: str, now: datetime) -> float:
        """Median of the last 20 service durations today, else over the last 7 days, else typical."""
        day = local_day(now, self.tz)
        key = (service_code, day)
        reused = self._medians.get(key)
        if reused is not None and reused[1] > wallclock.monotonic():
            return reused[0]
        seconds = self._median_from_history(conn, service_code, day_start(day, self.tz))
        self._medians[key] = (seconds, wallclock.monotonic() + MEDIAN_REUSE_SECONDS)
        return seconds

    def _median_from_history(self, conn: sqlite3.Connection, service_code: str, today: datetime) -> float:
        for since in (today, today - timedelta(days=HISTORY_FALLBACK_DAYS)):
            rows = conn.execute(
                "SELECT started_at, finished_at FROM tickets WHERE service_code = ? AND state = 'done' "
                "AND finished_at >= ? AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
                (service_code, iso(since), HISTORY_SIZE)).fetchall()
            durations = [seconds_between(datetime.fromisoformat(r[0]), datetime.fromisoformat(r[1])) for r in rows]
            if durations:
                return float(statistics.median(durations))
        rule = self._rules.get(service_code)
        return 60.0 * (rule.typical_service_minutes if rule else UNKNOWN_SERVICE_MINUTES)
