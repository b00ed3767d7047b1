"""``kiosk report`` counts bookings (issue 19): how many, who came early, on time or late, who chose the
walk-in line, no-shows and cancellations, in its printed figures and its PDF."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.checkin import CheckInChoice
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import ServiceRule
from kiosk.reports.bookings import read_booking_figures
from tests.queue.manual_clock import MONDAY_MORNING, ManualClock
from tests.queue.test_bookings import KEY, TODAY, TZ, code, row

MPP = "MPP-JKT-01"


def seed(data: Path) -> None:
    """Bookings of 2025-06-16 at 09:00: A on time, B never came, C early and kept, D late (walk-in), E
    cancelled, F checked in from its code alone."""
    engine = QueueEngine.open(data / "queue.db", [ServiceRule("KTP-EL", "A", 100, 10)], TZ,
                              clock=ManualClock(MONDAY_MORNING))
    engine.bookings.configure(BookingSettings(enabled=True, mpp_code=MPP), KEY)
    a, b, c, d, e, f = (code(slot, "KTP-EL", serial) for serial, slot in
                        enumerate(("09:00", "09:00", "10:30", "08:00", "09:00", "09:05"), start=1))
    engine.bookings.replace_day(TODAY, [row(a, "09:00", "KTP-EL"), row(b, "09:00", "KTP-EL"),
                                        row(c, "10:30", "KTP-EL"), row(d, "08:00", "KTP-EL"),
                                        row(e, "09:00", "KTP-EL", state="cancelled")])
    answers = [engine.bookings.check_in(a, kiosk="k", request_id="a"),
               engine.bookings.check_in(c, kiosk="k", request_id="c", choice=CheckInChoice.BOOKED),
               engine.bookings.check_in(d, kiosk="k", request_id="d", choice=CheckInChoice.WALK_IN),
               engine.bookings.check_in(f, kiosk="k", request_id="f")]
    assert [x.outcome for x in answers] == ["issued"] * 4
    assert engine.bookings.check_in(e, kiosk="k", request_id="e").outcome == "refused"
    engine.close()


def test_the_figures_count_each_booking_once(tmp_path: Path) -> None:
    seed(tmp_path)
    conn = sqlite3.connect(tmp_path / "queue.db")
    try:
        later = read_booking_figures(conn, "2025-06-01", "2025-06-30", "2025-07-01")
        same_day = read_booking_figures(conn, "2025-06-16", "2025-06-16", "2025-06-16")
        other = read_booking_figures(conn, "2025-05-01", "2025-05-31", "2025-07-01")
    finally:
        conn.close()
    assert later is not None and same_day is not None and other is not None
    assert (later.booked, later.checked_in, later.no_shows, later.pending, later.cancelled) == (5, 4, 1, 0, 1)
    assert (later.early, later.on_time, later.late, later.walk_in) == (1, 2, 1, 1)
    assert (same_day.no_shows, same_day.pending, same_day.booked) == (0, 1, 5)  # B may still come today
    assert other.booked == 0


def test_kiosk_report_prints_and_draws_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    seed(data)
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    site = tmp_path / "site.toml"
    site.write_text(f'[site]\nmpp_code = "{MPP}"\n[device]\ndata_dir = "{data}"\n', encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    assert main(["--config", str(site), "report", "--period", "month", "--date", "2025-06-16", "--out", str(pdf),
                 "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["bookings"] == {"booked": 5, "checked_in": 4, "no_shows": 1, "pending": 0, "cancelled": 1,
                                   "early": 1, "on_time": 2, "late": 1, "walk_in": 1}
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Bookings (MPP Digital)" in text and "No-shows 1 (20%)" in text and "On time 2 (50%)" in text


def test_a_queue_database_from_before_bookings_has_no_figures(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE tickets (id TEXT)")
    assert read_booking_figures(conn, "2025-06-01", "2025-06-30", "2025-07-01") is None
    conn.close()
