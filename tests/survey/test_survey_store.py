"""Survey responses on disk: one per ticket, IKM per group through SQL, anonymous."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.survey.ikm import compute
from kiosk.survey.model import InvalidResponse, SurveyResponse
from kiosk.survey.store import AlreadyRated, SurveyStore


def response(answers: tuple, ticket: str | None, service: str = "KTP-EL", counter: int = 1,
             day: str = "2026-11-02", **kw: object) -> SurveyResponse:
    return SurveyResponse(answers=answers, ticket_id=ticket, ticket_number=ticket, day=day, service_code=service,
                          agency="DUKCAPIL" if service != "SIPA-BARU" else "DPMPTSP", counter=counter, **kw)


def test_one_response_per_ticket_and_ikm_per_group(tmp_path: Path) -> None:
    store = SurveyStore(tmp_path / "survey.db", clock=lambda: datetime(2026, 11, 2, 3, tzinfo=UTC))
    try:
        a = (4, 4, 3, 4, 3, 3, 4, 3, 3)
        b = (3, 3, 3, 4, 3, 3, 3, 3, 3)
        c = (2, 2, None, 4, 2, 2, 2, 1, 2)
        store.record(response(a, "t1"))
        store.record(response(b, "t2", counter=2))
        store.record(response(c, "t3", service="SIPA-BARU", counter=7, day="2026-11-03",
                              demographics={"sex": "female"}, complaint="Antrean lama"))
        store.record(response(a, None, channel="paper"))  # paper sheets have no ticket
        with pytest.raises(AlreadyRated):
            store.record(response(b, "t1"))
        assert store.is_rated("t1") and not store.is_rated("t9")
        by_service = store.ikm("service")
        assert by_service["KTP-EL"].ikm == compute([a, b, a]).ikm
        assert by_service["SIPA-BARU"].ikm == compute([c]).ikm
        assert store.ikm("counter")[2].respondents == 1
        assert store.ikm("agency")["DPMPTSP"].elements[2].answers == 0
        assert store.ikm("agency")["DPMPTSP"].ikm is None  # U3 skipped by its only respondent
        one_day = store.ikm("all", first_day="2026-11-02", last_day="2026-11-02")["all"]
        assert one_day.ikm == Decimal("83.33")  # Σ 90 points / 3 = 30; 30 × 25 / 9
        assert store.demographics()["sex"] == {"female": 1, "not_given": 3}
        assert store.feedback() == [{"day": "2026-11-03", "service_code": "SIPA-BARU", "counter": 7,
                                     "suggestion": "", "complaint": "Antrean lama"}]
        day = store.responses_on("2026-11-03")
        assert day[0]["answers"] == list(c) and day[0]["demographics"] == {"sex": "female"}
        assert "nik" not in " ".join(day[0]).lower()
    finally:
        store.close()


def test_invalid_responses_are_refused() -> None:
    with pytest.raises(InvalidResponse):
        SurveyResponse(answers=(4,) * 9, demographics={"sex": "x"})
    with pytest.raises(InvalidResponse):
        SurveyResponse(answers=(4,) * 9, suggestion="a" * 501)
    with pytest.raises(InvalidResponse):
        SurveyResponse(answers=(4,) * 8)
