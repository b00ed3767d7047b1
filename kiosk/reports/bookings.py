"""The report's booking figures (issue 19), read from the queue database the queue host keeps.

Definitions (also in docs/bookings.md, "Bookings at the queue host"):

* a booking belongs to its booked day; bookings are those the host downloaded (not cancelled) plus
  those it checked in from their code alone (made after its last download);
* checked in = a ticket was issued for it (:mod:`kiosk.queue.bookings`), whatever the citizen chose;
  a booking cancelled after its check-in counts as checked in (the citizen came);
* no-show = booked, not cancelled, not checked in, on a day before the report's making; bookings of
  today (or later) not checked in yet are ``pending``, neither;
* punctuality = the arrival the host classified at check-in against the ``[bookings]`` window then in
  force: early, on time, late; ``walk_in`` counts those who gave up the booked slot for the walk-in line.

A queue database from before bookings (no tables) gives None: the report then leaves the section out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from kiosk.i18n import Translator

_UNCHECKED = "NOT EXISTS (SELECT 1 FROM booking_checkins c WHERE c.code = b.code)"
_BOOKINGS = f"""
SELECT
  SUM(b.state = 'cancelled' AND {_UNCHECKED}),
  SUM(b.state = 'booked' AND b.day < :today AND {_UNCHECKED}),
  SUM(b.state = 'booked' AND b.day >= :today AND {_UNCHECKED})
FROM bookings b WHERE b.day BETWEEN :first AND :last
"""
_CHECKINS = "SELECT arrival, choice, COUNT(*) FROM booking_checkins WHERE day BETWEEN :first AND :last " \
            "GROUP BY arrival, choice"


@dataclass(frozen=True)
class BookingFigures:
    """A period's bookings: how many, who came (and when), who did not."""

    booked: int = 0  # not cancelled: checked_in + no_shows + pending
    checked_in: int = 0
    no_shows: int = 0
    pending: int = 0
    cancelled: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    walk_in: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_booking_figures(conn: sqlite3.Connection, first_day: str, last_day: str, today: str) -> BookingFigures | None:
    """The figures of the days ``first_day``..``last_day`` (ISO), no-shows counted on days before ``today``."""
    params = {"first": first_day, "last": last_day, "today": today}
    try:
        cancelled, no_shows, pending = (n or 0 for n in conn.execute(_BOOKINGS, params).fetchone())
        arrivals: dict[str, int] = {}
        walk_in = 0
        for arrival, choice, count in conn.execute(_CHECKINS, params).fetchall():
            arrivals[arrival] = arrivals.get(arrival, 0) + count
            walk_in += count if choice == "walk_in" else 0
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # a queue database from before bookings
        raise
    checked_in = sum(arrivals.values())
    return BookingFigures(booked=checked_in + no_shows + pending, checked_in=checked_in, no_shows=no_shows,
                          pending=pending, cancelled=cancelled, early=arrivals.get("early", 0),
                          on_time=arrivals.get("on_time", 0), late=arrivals.get("late", 0), walk_in=walk_in)


def booking_figures(queue_db: Path, first_day: str, last_day: str, today: str) -> BookingFigures | None:
    """:func:`read_booking_figures` of the queue database file, opened read-only (None without the file)."""
    if not Path(queue_db).exists():
        return None
    conn = sqlite3.connect(f"file:{queue_db}?mode=ro", uri=True)
    try:
        return read_booking_figures(conn, first_day, last_day, today)
    finally:
        conn.close()


def booking_story(figures: BookingFigures, t: Translator, styles: dict[str, ParagraphStyle],
                  width: float) -> list[Any]:
    """The report's "Booking" section: one table of counts with shares of the bookings."""
    def share(part: int, whole: int) -> str:
        return f"{part} ({100 * part / whole:.0f}%)" if whole else str(part)

    rows: list[list[Any]] = [
        [t("booking_host.report_booked"), str(figures.booked)],
        [t("booking_host.report_checked_in"), share(figures.checked_in, figures.booked)],
        [t("booking_host.report_no_shows"), share(figures.no_shows, figures.booked)],
        *([[t("booking_host.report_pending"), str(figures.pending)]] if figures.pending else []),
        [t("booking_host.report_cancelled"), str(figures.cancelled)],
        [t("booking_host.report_early"), share(figures.early, figures.checked_in)],
        [t("booking_host.report_on_time"), share(figures.on_time, figures.checked_in)],
        [t("booking_host.report_late"), share(figures.late, figures.checked_in)],
        [t("booking_host.report_walk_in"), share(figures.walk_in, figures.checked_in)],
    ]
    table = Table([[Paragraph(name, styles["cell"]), value] for name, value in rows],
                  colWidths=[width * 0.5, width * 0.2], hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#cbd5e1"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Paragraph(t("booking_host.report_title"), styles["h2"]),
            Paragraph(t("booking_host.report_note"), styles["note"]), table]
