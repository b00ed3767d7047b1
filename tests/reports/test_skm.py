"""SKM reporting as PermenPANRB 14/2017 asks: semester and annual periods, the Krejcie–Morgan sample
against the citizens served, and the one-page public notice (its text read back, its page drawn)."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.reports.data import ReportError, period_days, resolve_period
from kiosk.reports.seed import seed_month
from kiosk.survey.sample import krejcie_morgan


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """March (semester 1) and July–December (semester 2) of 2026, a few hundred tickets a month."""
    data = tmp_path_factory.mktemp("skm")
    catalog = load_catalog(default_catalog_path())
    for month in (3, 7, 8, 9, 10, 11, 12):
        seed_month(data / "queue.db", data / "survey.db", catalog, 2026, month, tickets=300, seed=month)
    return data


def independent(data: Path, first: str, last: str) -> dict[str, int]:
    """Served tickets and complete responses counted straight from the rows."""
    with sqlite3.connect(data / "queue.db") as conn:
        served = conn.execute("SELECT COUNT(*) FROM tickets WHERE state = 'done' AND day BETWEEN ? AND ?",
                              (first, last)).fetchone()[0]
    with sqlite3.connect(data / "survey.db") as conn:
        rows = conn.execute(f"SELECT {', '.join(f'u{i}' for i in range(1, 10))} FROM responses "
                            "WHERE day BETWEEN ? AND ?", (first, last)).fetchall()
    return {"served": served, "responses": len(rows), "complete": sum(None not in r for r in rows)}


@pytest.fixture
def env(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(seeded))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return seeded


def test_period_names() -> None:
    assert resolve_period("2026-S2") == ("semester", "2026-07-01")
    assert resolve_period("2026-s1") == ("semester", "2026-01-01")
    assert resolve_period("2026") == ("year", "2026-01-01")
    assert resolve_period("2026-10") == ("month", "2026-10-01")
    assert resolve_period("month", "2026-10-15") == ("month", "2026-10-15")
    assert resolve_period("semester", "2026-08-17") == ("semester", "2026-08-17")
    assert period_days("semester", "2026-08-17") == ("2026-07-01", "2026-12-31")
    assert period_days("semester", "2026-06-30") == ("2026-01-01", "2026-06-30")
    assert period_days("year", "2028-02-29") == ("2028-01-01", "2028-12-31")
    assert period_days("month", "2028-02-10") == ("2028-02-01", "2028-02-29")


@pytest.mark.parametrize(("spec", "date", "says"), [
    ("2026-S3", None, "two semesters, S1 (January–June) and S2 (July–December)"),
    ("26", None, "is not a period; write day or month (with --date YYYY-MM-DD), 2026-10"),
    ("2026-13", None, "is not a period"),
    ("semester2026", None, "is not a period"),
    ("month", None, "needs --date YYYY-MM-DD"),
])
def test_bad_periods_say_what_to_write(spec: str, date: str | None, says: str) -> None:
    with pytest.raises(ReportError, match=None) as info:
        resolve_period(spec, date)
    assert says in str(info.value)


def test_bad_period_on_the_command_line(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--period", "2026-S3", "--out", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "Cannot make the report: --period '2026-S3'" in err and "S1 (January–June)" in err
    assert not (tmp_path / "x.pdf").exists()


def test_semester_figures_and_sample(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_dir = tmp_path / "csv"
    assert main(["report", "--period", "2026-S2", "--out", str(tmp_path / "s2.pdf"), "--csv", str(csv_dir)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = independent(env, "2026-07-01", "2026-12-31")
    assert (printed["period"], printed["first_day"], printed["last_day"]) == ("semester", "2026-07-01", "2026-12-31")
    assert printed["tickets"] == 6 * 300 and printed["served"] == expected["served"]
    assert printed["sample"] == {
        "population": expected["served"], "needed": krejcie_morgan(expected["served"]),
        "respondents": expected["complete"], "reached": expected["complete"] >= krejcie_morgan(expected["served"]),
        "short_by": max(0, krejcie_morgan(expected["served"]) - expected["complete"])}
    assert expected["complete"] < expected["responses"]  # the seed skips U8 now and then: the rule shows
    with (csv_dir / "by_month.csv").open(encoding="utf-8") as f:
        months = list(csv.DictReader(f))
    assert [m["key"] for m in months] == [f"2026-{m:02d}" for m in range(7, 13)]
    assert [m["name"] for m in months][0] == "Juli 2026"
    assert sum(int(m["tickets"]) for m in months) == 1800
    with (csv_dir / "summary.csv").open(encoding="utf-8") as f:
        assert sum(int(m["transfers"]) for m in months) == int(next(csv.DictReader(f))["transfers"]) > 0
    with (csv_dir / "skm_sample.csv").open(encoding="utf-8") as f:
        assert next(csv.DictReader(f))["needed"] == str(krejcie_morgan(expected["served"]))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s2.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Semester II 2026" in text and "Per bulan" in text
    assert f"sampel minimal: {krejcie_morgan(expected['served'])}" in " ".join(text.split())


def test_annual_report_adds_both_semesters(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--period", "2026", "--out", str(tmp_path / "y.pdf"), "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = independent(env, "2026-01-01", "2026-12-31")
    assert printed["tickets"] == 7 * 300 and printed["served"] == expected["served"]
    assert printed["sample"]["population"] == expected["served"]
    assert printed["sample"]["respondents"] == expected["complete"]
    assert printed["sample"]["needed"] == krejcie_morgan(expected["served"])
    text = subprocess.run(["pdftotext", str(tmp_path / "y.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Year 2026" in text and "By month" in text and "March 2026" in text


def test_public_notice(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actions = tmp_path / "tindak-lanjut.txt"
    actions.write_text("# SKM Semester II 2026\nMenambah 20 kursi di ruang tunggu.\n\n"
                       "- Membuka loket KTP-el kedua pukul 09.00–11.00.\n", encoding="utf-8")
    notice = tmp_path / "pengumuman.pdf"
    assert main(["report", "--period", "2026-S2", "--notice", str(notice), "--actions", str(actions)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["pdf"] is None and printed["notice"] == str(notice)
    info = subprocess.run(["pdfinfo", str(notice)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    text = " ".join(subprocess.run(["pdftotext", str(notice), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    ikm = f"{printed['ikm']:.2f}".replace(".", ",")
    assert "Hasil Survei Kepuasan Masyarakat" in text and "Mal Pelayanan Publik Kota Contoh" in text
    assert "Semester II 2026 (1 Juli 2026 s.d. 31 Desember 2026)" in text
    assert ikm in text and f"{printed['category']} (" in text
    for name in ("Persyaratan", "Biaya/tarif", "Sarana dan prasarana"):
        assert name in text
    sample = printed["sample"]
    assert f"Responden: {sample['respondents']} warga menjawab kesembilan pertanyaan" in text
    assert f"sampel minimal: {sample['needed']}" in text
    assert "1. Menambah 20 kursi di ruang tunggu." in text
    assert "2. Membuka loket KTP-el kedua pukul 09.00–11.00." in text and "SKM Semester II" not in text
    pages = tmp_path / "notice"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(notice), str(pages)], check=True)
    assert [p.stat().st_size > 5000 for p in tmp_path.glob("notice*.png")] == [True]


def test_notice_without_actions_says_they_are_coming(env: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    notice = tmp_path / "n.pdf"
    assert main(["report", "--period", "2026-S2", "--notice", str(notice), "--lang", "en"]) == 0
    assert "list them with --actions FILE" in capsys.readouterr().err
    text = " ".join(subprocess.run(["pdftotext", str(notice), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Follow-up actions are being prepared" in text and "Semester 2 2026" in text
    too_many = tmp_path / "many.txt"
    too_many.write_text("\n".join(f"action {i}" for i in range(11)), encoding="utf-8")
    assert main(["report", "--period", "2026-S2", "--notice", str(notice), "--actions", str(too_many)]) == 2
    assert "at most 10" in capsys.readouterr().err
