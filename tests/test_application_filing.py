"""Filing an application without a screen: the ticket first, then the application with its number,
and what the citizen is told when the queue is down, the quota is used up or the disk is full."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.applications.drafts import ApplicationDraft, ApplicationNotSaved
from kiosk.applications.filing import ApplicationFiling, FilingProblem, FilingRequest, filing_problem
from kiosk.applications.services import ApplicationServices
from kiosk.catalog.forms import load_forms
from kiosk.citizen.nik import parse_nik
from kiosk.core import Core
from kiosk.queue.client import QueueUnavailable
from kiosk.queue.models import QuotaFull
from kiosk.storage.store import StoreError
from kiosk.sync.outbox import ApplicationStore
from kiosk.visit.flow import issue_problem

NIK = "3171014501900001"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps", status_url_template="https://status.example/a/{number}")
    yield opened
    opened.close()


def kk_request(request_id: str = "visit-1") -> FilingRequest:
    form = load_forms().form_for("KK")
    assert form is not None
    draft = ApplicationDraft(service_code="KK", values={"reason": "new", "head_name": "BUDI", "address": "JL MAWAR 1",
                                                        "rt": "001", "rw": "002", "kelurahan": "GAMBIR",
                                                        "phone": "081234567890"})
    draft.add_photo("ktp", b"\xff\xd8ktp photo")
    return FilingRequest(draft=draft, form=form, nik=parse_nik(NIK), service_code="KK", request_id=request_id,
                         lang="id", identity_status="to_verify_at_counter")


class FullDisk:
    """A store whose disk is full: every save fails the way ApplicationStore reports it."""

    def __init__(self) -> None:
        self.attempts = 0

    def save(self, application: Any) -> Any:
        self.attempts += 1
        raise StoreError(Path("/data/applications.sqlite3"), "disk full")


class DownQueue:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def issue(self, service_code: str, **_: Any) -> Any:
        raise self.exc


def test_the_ticket_comes_first_and_the_application_carries_its_number(core: Core, store: ApplicationStore) -> None:
    services = ApplicationServices(forms=load_forms(), store=store)
    try:
        filed = services.filing(core.queue).file(kk_request())
        assert filed.issued.ticket.service_code == "KK" and filed.issued.ticket.nik_masked == "3171********0001"
        outgoing = store.outgoing_application(filed.saved.id)
        assert outgoing.body["ticket_number"] == filed.issued.ticket.number
        assert store.counts()["pending"] == 1
        assert filed.saved.status_url == f"https://status.example/a/{filed.saved.number}"
        # the counter's view waits for the queue beside the store (pushed after the receipt)
        assert services.views is not None
        [waiting] = services.views.waiting()
        assert waiting["application_id"] == filed.saved.id and waiting["ticket_number"] == filed.issued.ticket.number
    finally:
        services.close()


def test_try_again_after_a_full_disk_keeps_the_same_ticket(core: Core, store: ApplicationStore,
                                                           caplog: pytest.LogCaptureFixture,
                                                           allow_log_errors: list[logging.LogRecord]) -> None:
    full = FullDisk()
    with pytest.raises(ApplicationNotSaved) as refused:
        ApplicationFiling(core.queue, full).file(kk_request("visit-2"))
    first_ticket = refused.value.ticket_number
    assert first_ticket and full.attempts == 1
    assert filing_problem(refused.value, issue_problem) == FilingProblem(
        "application.error.not_saved_ticket", {"ticket": first_ticket})
    assert any("not saved" in r.getMessage() for r in allow_log_errors)  # IT learns why
    filed = ApplicationFiling(core.queue, store).file(kk_request("visit-2"))  # space freed: "try again"
    assert filed.issued.ticket.number == first_ticket
    assert len(core.queue.waiting(["KK"])) == 1  # one citizen, one ticket


def test_a_queue_that_cannot_be_reached_saves_nothing(store: ApplicationStore,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    filing = ApplicationFiling(DownQueue(QueueUnavailable("queue host unreachable")), store)
    with pytest.raises(QueueUnavailable) as down:
        filing.file(kk_request())
    assert store.counts()["pending"] == 0
    with caplog.at_level(logging.WARNING, logger="kiosk.applications.filing"):
        assert filing_problem(down.value, issue_problem) == FilingProblem("confirm.error.offline")
    assert "queue unavailable while filing" in caplog.text


def test_a_used_up_quota_is_said_as_such(store: ApplicationStore) -> None:
    with pytest.raises(QuotaFull) as full:
        ApplicationFiling(DownQueue(QuotaFull("KK", 40)), store).file(kk_request())
    assert filing_problem(full.value, issue_problem) == FilingProblem("confirm.error.quota_full")
    assert store.counts()["pending"] == 0


def test_a_store_failure_before_any_ticket_sends_the_citizen_to_staff() -> None:
    assert filing_problem(ApplicationNotSaved("read-only"), issue_problem) == FilingProblem(
        "application.error.not_saved")


def test_anything_unexpected_is_logged_with_its_traceback(allow_log_errors: list[logging.LogRecord]) -> None:
    assert filing_problem(RuntimeError("a bug"), issue_problem) == FilingProblem("application.error.not_saved")
    [record] = allow_log_errors
    assert record.getMessage() == "filing an application failed" and record.exc_info is not None


def test_without_counter_views_filing_still_works(core: Core, store: ApplicationStore) -> None:
    filed = ApplicationFiling(core.queue, store, views=None).file(kk_request())
    assert store.status(filed.saved.id) is not None
