"""The console's client, ``kiosk complaints export`` and ``kiosk report``'s complaint figures, end to end
against a real reference central API on loopback (complaints filed through its endpoint)."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from complaint_central import MPP_CODE, enroll, file_complaint, start_central

from central_api.app import RunningCentral
from kiosk.app.cli import main
from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.complaints.desk import ActionRefused, DeskNotEnrolled, DeskOffline, OfficerAction
from kiosk.complaints.model import Category
from kiosk.reports.seed import seed_month
from kiosk.sync.central_client import CentralClient
from kiosk.sync.complaint_desk import ComplaintDesk


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = start_central(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def site(tmp_path: Path, central: RunningCentral, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site.toml pointing at ``central``, this device enrolled for MPP-DEMO."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    enroll(central, data).close()
    path = tmp_path / "site.toml"
    path.write_text(f'[site]\nmpp_code = "{MPP_CODE}"\n[device]\ndata_dir = "{data}"\n'
                    f'[central]\napi_url = "{central.url}"\nallow_insecure_http = true\ntimeout_seconds = 3\n',
                    encoding="utf-8")
    return path


def test_desk_lists_gets_and_acts_once(central: RunningCentral, tmp_path: Path) -> None:
    client = enroll(central, tmp_path)
    filed = file_complaint(client)
    desk = ComplaintDesk(client, MPP_CODE)
    try:
        [listed] = desk.list("open")
        assert listed.reference == filed["reference"] and listed.phone == "+6281234567890"
        respond = OfficerAction("respond", "Kami periksa hari ini.", officer="pengaduan-1")
        after = desk.act(listed.id, respond)
        again = desk.act(listed.id, respond)  # the answer was lost: the same action id, applied once
        assert after.state == again.state == "responded" and len(again.events) == 1
        closed = desk.act(listed.id, OfficerAction("close", "Selesai.", officer="pengaduan-1", outcome="resolved"))
        assert closed.state == "closed" and desk.get(listed.id).outcome == "resolved"
        with pytest.raises(ActionRefused):
            desk.act(listed.id, OfficerAction("respond", "Lagi.", officer="pengaduan-1"))
        assert desk.list("open") == [] and len(desk.list("closed")) == 1
    finally:
        desk.close()


def test_desk_errors_are_clear(central: RunningCentral, tmp_path: Path) -> None:
    with pytest.raises(DeskNotEnrolled):
        ComplaintDesk(CentralClient(central.url, None), MPP_CODE).list()
    client = enroll(central, tmp_path)
    url = central.url
    central.stop()
    desk = ComplaintDesk(CentralClient(url, client.credentials, timeout=2), MPP_CODE)
    try:
        with pytest.raises(DeskOffline):
            desk.list()
    finally:
        desk.close()
        client.close()


def test_export_writes_consented_rows_only(site: Path, central: RunningCentral, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    client = enroll(central, tmp_path / "filer", code="complaint-desk-code-1-b")
    shared = file_complaint(client, days_ago=20, channel="counter", filed_by="clerk-rina-77")
    private = file_complaint(client, days_ago=1, share_contact=False, phone="+6281299998888",
                             category=Category.FACILITIES, text="=HYPERLINK(\"http://x\") toilet rusak")
    file_complaint(client, anonymous=True, text="Informasi di papan berbeda.", category=Category.INFORMATION)
    client.close()
    out = tmp_path / "lapor.csv"
    assert main(["--config", str(site), "complaints", "export", "--format", "csv", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["complaints"] == 3
    rows = {r["reference"]: r for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())}
    assert rows[shared["reference"]]["contact_phone"] == "'+6281234567890"  # the "+" would start a formula
    assert rows[shared["reference"]]["first_response_overdue"] == "true"  # 20 days, no response
    assert rows[private["reference"]]["contact_phone"] == ""
    assert rows[private["reference"]]["text"].startswith("'=HYPERLINK")
    text = out.read_text(encoding="utf-8")
    for secret in ("clerk-rina-77", "+6281299998888", shared["id"], shared["status_token"]):
        assert secret not in text
    as_json = tmp_path / "lapor.json"
    assert main(["--config", str(site), "complaints", "export", "--format", "json", "--since",
                 datetime.now(UTC).date().isoformat(), "--out", str(as_json)]) == 0
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert document["format"] == "mpp-kiosk/sp4n-lapor-referral" and document["count"] == 1
    assert document["complaints"][0]["anonymous"] is True


def test_export_with_the_central_api_down_writes_nothing(site: Path, central: RunningCentral, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    central.stop()
    out = tmp_path / "lapor.csv"
    assert main(["--config", str(site), "complaints", "export", "--out", str(out)]) == 1
    assert "cannot be reached" in capsys.readouterr().err
    assert not out.exists()


def _report(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    data = Path(site.read_text().split('data_dir = "')[1].split('"')[0])
    today = datetime.now(UTC).date()
    seed_month(data / "queue.db", data / "survey.db", load_catalog(default_catalog_path()), today.year, today.month,
               tickets=20)
    pdf, folder = tmp_path / "report.pdf", tmp_path / "csv"
    assert main(["--config", str(site), "report", "--period", "month", "--date", today.isoformat(), "--out", str(pdf),
                 "--csv", str(folder), "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return printed, text


def test_report_has_the_complaint_figures(site: Path, central: RunningCentral, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    client = enroll(central, tmp_path / "filer", code="complaint-desk-code-1-b")
    for _ in range(2):
        file_complaint(client)
    file_complaint(client, category=Category.FACILITIES)
    client.close()
    printed, text = _report(site, tmp_path, capsys)
    assert printed["complaints"]["total"]["received"] == 3
    assert {r["key"]: r["received"] for r in printed["complaints"]["by_category"]} == {"fees": 2, "facilities": 1}
    assert "Complaints" in text and "Fees or illegal charges" in text
    rows = list(csv.DictReader((tmp_path / "csv" / "complaints.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0]["group"] == "total" and rows[0]["received"] == "3"


def test_report_says_when_figures_could_not_be_fetched(site: Path, central: RunningCentral, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    central.stop()
    printed, text = _report(site, tmp_path, capsys)
    assert printed["complaints"] == {"unavailable": "unreachable"}
    assert "could not be fetched" in " ".join(text.split())
    assert not (tmp_path / "csv" / "complaints.csv").exists()
