"""Daily figures and survey answers queued in the sync outbox, once per record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.app.cli import main
from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.reports.data import build_report
from kiosk.reports.seed import seed_month
from kiosk.reports.upload import QUEUE_DAILY_KIND, SURVEY_RESPONSE_KIND, enqueue_day
from kiosk.survey.store import SurveyStore
from kiosk.sync.outbox import ApplicationStore


class FakeOutbox:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def enqueue_record(self, kind: str, record_id: str, payload: dict[str, Any]) -> bool:
        if (kind, record_id) in self.records:
            return False
        json.dumps(payload)  # must be JSON
        self.records[(kind, record_id)] = payload
        return True


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    seed_month(data / "queue.db", data / "survey.db", load_catalog(default_catalog_path()), 2026, 10, tickets=660,
               survey_share=0.5)
    return data


def test_daily_payload_carries_counts_and_survey_sums(seeded: Path) -> None:
    catalog = load_catalog(default_catalog_path())
    report = build_report(seeded / "queue.db", seeded / "survey.db", catalog, period="day", day="2026-10-05",
                          site_name="MPP", mpp_code="MPP-DEMO", tz=ZoneInfo("Asia/Jakarta"))
    outbox = FakeOutbox()
    store = SurveyStore(seeded / "survey.db")
    try:
        done = enqueue_day(outbox, report, store, "kiosk-01")
        again = enqueue_day(outbox, report, store, "kiosk-01")
    finally:
        store.close()
    assert done.daily_new and done.responses == done.responses_new > 0
    assert not again.daily_new and again.responses_new == 0
    daily = outbox.records[(QUEUE_DAILY_KIND, "2026-10-05/MPP-DEMO/kiosk-01")]
    assert daily["total"]["tickets"] == report.total.tickets == 30
    assert sum(g["tickets"] for g in daily["by_service"]) == 30
    assert daily["total"]["ikm"]["respondents"] == done.responses
    assert sum(daily["total"]["ikm"]["answers"]) <= 9 * done.responses
    responses = [p for (kind, _), p in outbox.records.items() if kind == SURVEY_RESPONSE_KIND]
    assert all(len(p["answers"]) == 9 and p["day"] == "2026-10-05" for p in responses)
    assert not any("nik" in key for p in responses for key in p)
    # Nor the ticket or the time: at MPP Digital they would lead to the application and its NIK.
    assert not any(key in p for p in responses for key in ("ticket_id", "ticket_number", "submitted_at"))
    assert all(p["service_code"] and p["day"] for p in responses)  # still split per service and day


def test_report_enqueue_into_the_real_outbox(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(seeded))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    args = ["report", "--period", "day", "--date", "2026-10-06", "--out", str(tmp_path / "d.pdf"), "--enqueue"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["uploads"]
    assert first["daily_new"] is True and first["survey_responses_new"] == first["survey_responses"] > 0
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)["uploads"]
    assert second["daily_new"] is False and second["survey_responses_new"] == 0
    with ApplicationStore(seeded) as outbox:
        assert outbox.counts(QUEUE_DAILY_KIND)["pending"] == 1
        assert outbox.counts(SURVEY_RESPONSE_KIND)["pending"] == first["survey_responses"]
    # the report now finds the outbox and shows the applications' states instead of "not available"
    assert main(["report", "--period", "day", "--date", "2026-10-06", "--out", str(tmp_path / "e.pdf")]) == 0
    with pytest.raises(SystemExit):
        main(["report", "--period", "month", "--date", "2026-10-06", "--out", str(tmp_path / "f.pdf"), "--enqueue"])
