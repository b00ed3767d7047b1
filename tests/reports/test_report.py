"""A seeded month → ``kiosk report``: numbers checked against plain Python over the raw rows,
the PDF rasterized and its text read back."""

from __future__ import annotations

import csv
import json
import math
import shutil
import sqlite3
import subprocess
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.app.cli import main
from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.reports.seed import seed_month

TZ = ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    seed_month(data / "queue.db", data / "survey.db", load_catalog(default_catalog_path()), 2026, 10, tickets=3000)
    return data


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * 9 / 10) - 1]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def independent(data: Path, first: str, last: str) -> dict:
    """Everything recomputed from the raw rows, without the report's SQL."""
    catalog = load_catalog(default_catalog_path())
    sla = {s.code: s.sla.amount * {"minute": 60, "hour": 3600}[s.sla.unit] for s in catalog.services
           if s.sla.unit in ("minute", "hour")}
    conn = sqlite3.connect(data / "queue.db")
    tickets = conn.execute("SELECT id, service_code, state, arrived_at, started_at, finished_at, day, counter "
                           "FROM tickets").fetchall()
    events = conn.execute("SELECT ticket_id, at, type, detail FROM events ORDER BY id").fetchall()
    conn.close()
    first_call: dict[str, datetime] = {}
    transfers: dict[str, int] = defaultdict(int)
    in_period = {t[0] for t in tickets if first <= t[6] <= last}
    for ticket_id, at, kind, detail in events:
        if ticket_id not in in_period:
            continue
        if kind == "called" and ticket_id not in first_call:
            first_call[ticket_id] = datetime.fromisoformat(at)
        if kind == "transferred":
            transfers[json.loads(detail)["from"]] += 1
    out: dict = {"services": defaultdict(lambda: {"tickets": 0, "served": 0, "no_shows": 0, "waits": [],
                                                   "serves": [], "sla": [0, 0]})}
    waits, serves, sla_all = [], [], [0, 0]
    hours: dict[int, list[float]] = defaultdict(list)
    for ticket_id, service, state, arrived, started, finished, _day, _counter in tickets:
        if ticket_id not in in_period:
            continue
        s = out["services"][service]
        s["tickets"] += 1
        arrived_at = datetime.fromisoformat(arrived)
        if ticket_id in first_call:
            wait = (first_call[ticket_id] - arrived_at).total_seconds()
            s["waits"].append(wait)
            waits.append(wait)
            hours[arrived_at.astimezone(TZ).hour].append(wait)
        if state == "done":
            s["served"] += 1
            serve = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
            s["serves"].append(serve)
            serves.append(serve)
            if service in sla:
                ok = (datetime.fromisoformat(finished) - arrived_at).total_seconds() <= sla[service]
                for bucket in (s["sla"], sla_all):
                    bucket[0] += 1
                    bucket[1] += ok
        if state == "no_show":
            s["no_shows"] += 1
    out.update(tickets=len(in_period), waits=waits, serves=serves, sla=sla_all, transfers=transfers, hours=hours)
    sconn = sqlite3.connect(data / "survey.db")
    rows = sconn.execute(f"SELECT {', '.join(f'u{i}' for i in range(1, 10))} FROM responses "
                         "WHERE day BETWEEN ? AND ?", (first, last)).fetchall()
    sconn.close()
    nrr = [sum(r[i] for r in rows if r[i] is not None) / sum(1 for r in rows if r[i] is not None) for i in range(9)]
    out["ikm"] = sum(nrr) / 9 * 25
    out["respondents"] = len(rows)
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_monthly_report_matches_an_independent_count(seeded: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(seeded))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    pdf, csv_dir = tmp_path / "oktober.pdf", tmp_path / "csv"
    assert main(["report", "--period", "month", "--date", "2026-10-15", "--out", str(pdf), "--csv", str(csv_dir)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = independent(seeded, "2026-10-01", "2026-10-31")
    assert printed["tickets"] == expected["tickets"] == 3000
    assert printed["ikm"] == pytest.approx(expected["ikm"], abs=0.005)

    summary = _read(csv_dir / "summary.csv")[0]
    assert int(summary["tickets"]) == expected["tickets"]
    assert int(summary["transfers"]) == sum(expected["transfers"].values())
    mean_wait = sum(expected["waits"]) / len(expected["waits"])
    assert float(summary["wait_mean_min"]) == pytest.approx(mean_wait / 60, abs=0.01)
    assert float(summary["wait_median_min"]) == pytest.approx(_median(expected["waits"]) / 60, abs=0.01)
    assert float(summary["wait_p90_min"]) == pytest.approx(_p90(expected["waits"]) / 60, abs=0.01)
    assert float(summary["service_p90_min"]) == pytest.approx(_p90(expected["serves"]) / 60, abs=0.01)
    assert (int(summary["sla_checked"]), int(summary["sla_met"])) == tuple(expected["sla"])
    assert int(summary["ikm_respondents"]) == expected["respondents"]

    by_service = {row["key"]: row for row in _read(csv_dir / "by_service.csv")}
    assert set(by_service) == set(expected["services"])
    for code, figures in expected["services"].items():
        row = by_service[code]
        assert (int(row["tickets"]), int(row["served"]), int(row["no_shows"])) == \
            (figures["tickets"], figures["served"], figures["no_shows"]), code
        assert int(row["transfers"]) == expected["transfers"].get(code, 0), code
        if figures["waits"]:
            assert float(row["wait_median_min"]) == pytest.approx(_median(figures["waits"]) / 60, abs=0.01), code
            assert float(row["wait_p90_min"]) == pytest.approx(_p90(figures["waits"]) / 60, abs=0.01), code
    by_hour = {int(row["key"]): row for row in _read(csv_dir / "by_hour.csv")}
    for hour, waits in expected["hours"].items():
        assert float(by_hour[hour]["wait_mean_min"]) == pytest.approx(sum(waits) / len(waits) / 60, abs=0.01)
    assert sum(int(r["tickets"]) for r in _read(csv_dir / "by_counter.csv")) <= expected["tickets"]
    assert len(_read(csv_dir / "by_day.csv")) == 22  # the weekdays of October 2026

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Laporan Kinerja Pelayanan" in text and "Mal Pelayanan Publik Kota Contoh" in text
    assert "Oktober 2026" in text and "3.000" in text
    assert "Indeks Kepuasan Masyarakat" in text
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(pages)], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) >= 3
    assert all(p.stat().st_size > 5000 for p in pngs)


def test_daily_report_in_english(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(seeded))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    pdf = tmp_path / "day.pdf"
    assert main(["report", "--period", "day", "--date", "2026-10-05", "--out", str(pdf), "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["tickets"] == independent(seeded, "2026-10-05", "2026-10-05")["tickets"] > 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Service Performance Report" in text and "5 October 2026" in text
    assert "Public Satisfaction Index" in text


def test_report_errors_are_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert main(["report", "--period", "day", "--date", "2026-10-05", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "no queue database here" in capsys.readouterr().err
    assert main(["report", "--period", "day", "--date", "5-10-2026", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_pdftoppm_is_installed() -> None:
    assert shutil.which("pdftoppm") and shutil.which("pdftotext")
