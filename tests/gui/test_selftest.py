"""``kiosk selftest``: the JSON report and one picture of every screen of every role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.config.schema import Config
from kiosk.selftest.run import run_selftest


@pytest.mark.slow
def test_selftest_writes_report_and_every_screen(qapp, config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_selftest(config, out) == 0
    report = json.loads((out / "selftest.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    names = {c["name"] for c in report["checks"]}
    assert {"config", "data_dir", "database", "catalog", "texts", "queue", "voice", "screens"} <= names
    assert all(set(c) >= {"name", "ok", "detail"} for c in report["checks"])
    shots = [Path(p) for p in report["screens"]]
    for role in ("kiosk-portrait-id", "kiosk-portrait-en", "kiosk-landscape-id", "kiosk-landscape-en",
                 "counter-id", "counter-en", "display-id", "display-en"):
        assert any(p.name.startswith(role) for p in shots), role
    admin = [p for p in shots if p.name.startswith(("admin-", "setup-"))]  # kiosk/selftest/shots/admin.py
    assert len(admin) == 52
    applications = [p for p in shots if p.name.startswith("application-")]  # kiosk/selftest/shots/application.py
    assert len(applications) == 38 + 3 * 2  # each walk also draws a birth form's SPTJM and witnesses (issue 20)
    survey = [p for p in shots if p.name.startswith(("survey-", "manager-"))]  # kiosk/selftest/shots/survey.py
    assert len(survey) == 2 * 2 * 11 + 4 + 2
    face = [p for p in shots if p.name.startswith("face-")]  # kiosk/selftest/shots/face.py
    assert len(face) == 3 * 9  # with the turn to the right in large text (issue 16)
    without_nik = [p for p in shots if p.name.startswith("without-nik-")]  # kiosk/selftest/shots/without_nik.py
    assert len(without_nik) == 2 * 2 * 2 * 9 + 2 * 2  # orientations × languages × text sizes × scenes + counters
    printing = [p for p in shots if p.name.endswith("-13-ticket-print-failed.png")]  # the printer-fault screen
    assert len(printing) == 2 * 2
    status = [p for p in shots if p.name.startswith(("status-", "board-status-"))]  # citizen/status_shots.py
    assert len(status) == 3 * 13 + 2 * 2  # 13 kiosk states (3 by typed number) × 3 orientation/languages, board
    booking = [p for p in shots if p.name.startswith("booking-")]  # kiosk/selftest/shots/booking.py
    assert len(booking) == 4 * 11  # 11 states: portrait id and en, landscape id, landscape id large text
    helping = [p for p in shots if "-help-" in p.name]  # kiosk/selftest/shots/help.py
    assert len(helping) == 2 * (3 + 1 + 1)  # the kiosk's call in 3 states, a console's list, the board's corner
    complaints = [p for p in shots if p.name.startswith("complaints-")]  # kiosk/selftest/shots/complaints.py
    assert len(complaints) == 2 * 3  # the officer's console: sign-in, the list with an overdue one, one complaint
    filing = [p for p in shots if p.name.startswith("complaint-filing-")]  # kiosk/selftest/shots/complaint_filing.py
    assert len(filing) == 4 * 10 + 2 * 2  # welcome and 9 steps in 4 walks (one in large text), the counter's × 2
    # kiosk 4 × 14 + 2 "unavailable", counter 2 × 5, display 2 × 2
    assert len(shots) - len(admin) - len(applications) - len(survey) - len(face) - len(printing) - len(status) \
        - len(without_nik) - len(helping) - len(booking) - len(complaints) - len(filing) == 72
    ticket = QImage(str(out / "kiosk-portrait-en-13-ticket.png"))
    assert (ticket.width(), ticket.height()) == (1080, 1920)


def test_selftest_fails_on_a_broken_catalog(qapp, config: Config, tmp_path: Path, allow_log_errors) -> None:
    import dataclasses

    bad = tmp_path / "services.json"
    bad.write_text("[]", encoding="utf-8")
    broken = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, catalog_path=str(bad)))
    from kiosk.setup.checks import CHECKS, run_check

    check = run_check("catalog", dict(CHECKS)["catalog"], broken)
    assert not check.ok and check.level == "error"
    assert str(bad) in check.detail
