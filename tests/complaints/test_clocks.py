"""The legal clocks over Idul Fitri, cuti bersama, weekends and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints.clocks import ClockState, ComplaintClocks, WorkingCalendar, calendar_for

WIB = ZoneInfo("Asia/Jakarta")


def at(day: str, hour: int = 10, tz: ZoneInfo = WIB) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=tz)


def due_day(received: datetime, calendar: WorkingCalendar) -> date:
    return ComplaintClocks.of(received, None, None, received, calendar).first_response_due.date()


def test_idul_fitri_2026_and_its_collective_leave_are_skipped() -> None:
    """Filed Tue 17 March 2026: 18 cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama, 21-22 Idul Fitri
    (a weekend too), 23-24 cuti bersama: the 3 working days are 25, 26, 27 March."""
    calendar = WorkingCalendar()
    assert due_day(at("2026-03-17"), calendar) == date(2026, 3, 27)
    without_leave = WorkingCalendar(library_collective_leave=False)
    assert due_day(at("2026-03-17"), without_leave) == date(2026, 3, 23)  # only the public holidays


def test_a_weekend_is_not_counted() -> None:
    assert due_day(at("2026-12-04"), WorkingCalendar()) == date(2026, 12, 9)   # Fri → Mon, Tue, Wed
    assert due_day(at("2026-12-05"), WorkingCalendar()) == date(2026, 12, 9)  # filed on a Saturday: the same


def test_christmas_and_its_cuti_bersama() -> None:
    # Tue 22 Dec 2026: 23 (1), 24 cuti bersama, 25 Christmas, 26-27 weekend, 28 (2), 29 (3)
    assert due_day(at("2026-12-22"), WorkingCalendar()) == date(2026, 12, 29)


def test_configured_collective_leave_and_working_days() -> None:
    """A year the library does not know yet: the site adds the SKB's days; a cancelled one is removed."""
    base = WorkingCalendar()
    assert base.is_working_day(date(2030, 1, 2))
    site = calendar_for(["2030-01-02", "2030-01-03"])
    assert not site.is_working_day(date(2030, 1, 2))
    assert due_day(at("2030-01-01"), base) == date(2030, 1, 4)
    assert due_day(at("2030-01-01"), site) == date(2030, 1, 8)  # 4, then the weekend, 7, 8
    reopened = calendar_for([], ["2026-12-24"])
    assert due_day(at("2026-12-22"), reopened) == date(2026, 12, 28)


def test_the_day_is_the_mpp_s_local_day() -> None:
    """18:30 UTC on 22 Dec is 01:30 on 23 Dec in Jakarta; in Jayapura the same minute is already 03:30."""
    moment = datetime(2026, 12, 22, 18, 30, tzinfo=UTC)
    assert due_day(moment, WorkingCalendar()) == date(2026, 12, 30)
    clocks = ComplaintClocks.of(moment, None, None, moment, WorkingCalendar(tz="Asia/Jayapura"))
    assert clocks.first_response_due == datetime(2026, 12, 30, 23, 59, 59, tzinfo=ZoneInfo("Asia/Jayapura"))


def test_resolution_is_sixty_calendar_days() -> None:
    clocks = ComplaintClocks.of(at("2026-03-17"), None, None, at("2026-03-17"), WorkingCalendar())
    assert clocks.resolution_due == datetime(2026, 5, 16, 23, 59, 59, tzinfo=WIB)  # a Saturday: not moved


@pytest.mark.parametrize(("now", "first", "resolution"), [
    ("2026-12-22", ClockState.ON_TIME, ClockState.ON_TIME),
    ("2026-12-28", ClockState.DUE_SOON, ClockState.ON_TIME),     # one working day left
    ("2026-12-30", ClockState.OVERDUE, ClockState.ON_TIME),
    ("2027-02-14", ClockState.OVERDUE, ClockState.DUE_SOON),     # 6 days before 20 February
    ("2027-02-21", ClockState.OVERDUE, ClockState.OVERDUE),
])
def test_running_clocks(now: str, first: ClockState, resolution: ClockState) -> None:
    clocks = ComplaintClocks.of(at("2026-12-22"), None, None, at(now), WorkingCalendar())
    assert (clocks.first_response, clocks.resolution) == (first, resolution)
    assert clocks.overdue == (ClockState.OVERDUE in (first, resolution))


def test_stopped_clocks_are_met_or_missed() -> None:
    calendar = WorkingCalendar()
    on_time = ComplaintClocks.of(at("2026-12-22"), at("2026-12-29", 23), at("2027-01-05"), at("2027-06-01"), calendar)
    assert (on_time.first_response, on_time.resolution) == (ClockState.MET, ClockState.MET)
    assert not on_time.overdue
    late = ComplaintClocks.of(at("2026-12-22"), at("2026-12-30", 8), at("2027-02-21"), at("2027-06-01"), calendar)
    assert (late.first_response, late.resolution) == (ClockState.MISSED, ClockState.MISSED)


def test_config_declares_the_calendar_and_refuses_a_bad_date() -> None:
    from kiosk.config.schema import ConfigError, parse_config

    config = parse_config({"complaints": {"collective_leave_days": ["2030-01-02"], "working_days": ["2026-12-24"]}},
                          "site.toml")
    site = calendar_for(config.complaints.collective_leave_days, config.complaints.working_days)
    assert not site.is_working_day(date(2030, 1, 2)) and site.is_working_day(date(2026, 12, 24))
    assert config.complaints.collective_leave_days == (date(2030, 1, 2),)
    native = parse_config({"complaints": {"working_days": [date(2026, 12, 24)]}}, "site.toml")  # unquoted in TOML
    assert native.complaints.working_days == (date(2026, 12, 24),)
    for bad in ("2026-02-30", "24-12-2026", "2026-1-2", 20261224):
        with pytest.raises(ConfigError, match=r"complaints.collective_leave_days\[0\]: .* is not a date"):
            parse_config({"complaints": {"collective_leave_days": [bad]}}, "site.toml")
    assert config.complaints.status_url("https://c.example/") == "https://c.example/complaints/{reference}/{token}"


def test_setup_writes_a_site_file_with_cuti_bersama_dates_back(tmp_path: Path) -> None:
    """`kiosk setup` rewrites site.toml: unquoted TOML dates must survive the round trip."""
    from kiosk.config.site_file import write_site_config

    site = tmp_path / "site.toml"
    site.write_text('[complaints]\ncollective_leave_days = [2028-01-27, "2028-03-24"]\n', encoding="utf-8")
    config = write_site_config(site, {"site": {"name": "MPP Kota Contoh"}})
    assert config.complaints.collective_leave_days == (date(2028, 1, 27), date(2028, 3, 24))
    assert "collective_leave_days = [2028-01-27, \"2028-03-24\"]" in site.read_text(encoding="utf-8")
