"""The kiosk side of the counter's application view (kiosk.applications.views): what the view holds
(NIKs masked, photo counts, sync state, retention) and how it reaches the queue host, including the
retry after the host was down when the citizen filed. Real store, real queue host on loopback."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.applications.views import CounterViews, counter_view
from kiosk.catalog.forms import FormSet, load_forms
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ServiceRule, Ticket
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication

APPLICANT_NIK = "3171014501900001"
CHILD_NIK = "3171010101150002"
TOKENS = {"kiosk-token": DeviceGrant("kiosk-01", "kiosk"), "counter-token": DeviceGrant("loket-01", "counter"),
          "other-kiosk-token": DeviceGrant("kiosk-02", "kiosk")}


@pytest.fixture(scope="module")
def forms() -> FormSet:
    return load_forms()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "kiosk")
    yield opened
    opened.close()


def file_kia(store: ApplicationStore, ticket_number: str, **extra_fields: str) -> str:
    app_id = str(uuid.uuid4())
    store.save(NewApplication(
        id=app_id, service_code="KIA", nik=APPLICANT_NIK, ticket_number=ticket_number,
        fields={"child_nik": CHILD_NIK, "child_name": "SITI AMINAH", "child_birth_date": "01012015",
                "reporter_relation": "parent", "phone": "081234567890", **extra_fields},
        attachments=[Attachment("kk", "image/jpeg", b"kk-page"), Attachment("birth_certificate", "image/jpeg", b"a1"),
                     Attachment("birth_certificate", "image/jpeg", b"a2")]))
    return app_id


def test_the_view_masks_every_nik_and_counts_the_photos(store: ApplicationStore, forms: FormSet) -> None:
    app_id = file_kia(store, "C-001", note=f"father {APPLICANT_NIK}")
    view = counter_view(store, app_id, forms.form_for("KIA"))
    assert view.nik_masked == "3171********0001"
    assert view.answers["child_nik"] == "3171********0002"  # a NIK-type field of the form
    assert view.answers["note"] == "father 3171********0001"  # a field the form does not know
    assert view.answers["child_name"] == "SITI AMINAH" and view.answers["child_birth_date"] == "01012015"
    assert list(view.answers)[:2] == ["child_nik", "child_name"]  # the form's order
    assert view.documents == {"birth_certificate": 2, "kk": 1}
    assert list(view.documents) == ["birth_certificate", "kk"]
    assert view.sync_state == "pending" and not view.details_deleted
    assert view.number.startswith("APP-") and view.created_at.tzinfo is not None
    assert APPLICANT_NIK not in repr(view) and CHILD_NIK not in repr(view)


def test_the_view_says_when_the_kiosk_already_deleted_the_details(store: ApplicationStore, forms: FormSet) -> None:
    app_id = file_kia(store, "C-001")
    store.mark_sent(store.items()[0].seq)
    assert store.purge_expired(0, now=datetime.now(UTC) + timedelta(days=1)) == 1
    view = counter_view(store, app_id, forms.form_for("KIA"))
    assert view.details_deleted and view.answers == {} and view.documents == {}
    assert view.sync_state == "sent" and view.nik_masked == "3171********0001"


class Building:
    """A queue host on loopback that can be stopped and started again on the same port and database."""

    def __init__(self, folder: Path) -> None:
        self.engine = QueueEngine.open(folder / "queue.db", [ServiceRule("KIA", "C", 500, 10)],
                                       ZoneInfo("Asia/Jakarta"))
        self.server: RunningServer | None = None
        self.port = 0
        self.start()

    def start(self) -> None:
        self.server = RunningServer(create_app(self.engine, TOKENS), "127.0.0.1", self.port)
        self.port = self.server.port

    def stop(self) -> None:
        if self.server is not None and self.server.thread.is_alive():
            self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def building(tmp_path: Path) -> Iterator[Building]:
    made = Building(tmp_path)
    yield made
    made.stop()
    made.engine.close()


def test_host_down_when_filed_then_the_kiosk_retries(building: Building, store: ApplicationStore, forms: FormSet,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    kiosk = HttpQueue(building.url, "kiosk-token", timeout=1.0, retries=0)
    counter = HttpQueue(building.url, "counter-token", timeout=1.0)
    views = CounterViews(store, forms)
    try:
        ticket = kiosk.issue("KIA", request_id="walk-1").ticket
        building.stop()  # the host goes down right after the ticket was printed
        app_id = file_kia(store, ticket.number)
        assert views.filed(app_id, ticket)
        with caplog.at_level(logging.WARNING, logger="kiosk.applications.views"):
            missed = views.push(kiosk)
        assert (missed.attached, missed.waiting) == (0, 1) and "cannot be reached" in missed.error
        assert "does not have the application of ticket C-001 yet" in caplog.text
        assert "SITI" not in caplog.text and "0812" not in caplog.text  # answers are never logged
        assert [w["ticket_number"] for w in views.waiting()] == ["C-001"]
        views.close()  # the kiosk restarts meanwhile: what waits is kept on disk
        views = CounterViews(store, forms)
        assert views.waiting()[0]["attempts"] == 1
        try:
            building.start()
        except RuntimeError:
            pytest.skip(f"port {building.port} could not be bound again right away")
        done = views.push(kiosk)
        assert (done.attached, done.waiting, done.error) == (1, 0, "")
        assert views.waiting() == []
        seen = counter.application_of(ticket.id)
        assert seen is not None and seen.answers["child_name"] == "SITI AMINAH" and seen.sync_state == "pending"
        assert views.push(kiosk).to_json() == {"attached": 0, "updated": 0, "waiting": 0, "dropped": 0, "error": ""}
        store.mark_sent(store.items()[0].seq)  # the sync engine delivered it to MPP Digital
        assert views.push(kiosk).updated == 1
        seen = counter.application_of(ticket.id)
        assert seen is not None and seen.sync_state == "sent"
        with views.db.reading() as conn:  # nothing left to tell the queue about it
            assert conn.execute("SELECT COUNT(*) FROM views").fetchone()[0] == 0
    finally:
        views.close()
        kiosk.close()
        counter.close()


def test_a_refusal_for_good_is_dropped_and_named(building: Building, store: ApplicationStore, forms: FormSet,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    kiosk = HttpQueue(building.url, "kiosk-token", timeout=1.0)
    views = CounterViews(store, forms)
    try:
        real = kiosk.issue("KIA", request_id="walk-1").ticket
        ghost = Ticket(**{**real.__dict__, "id": "no-such-ticket", "number": "C-404"})
        views.filed(file_kia(store, "C-404"), ghost)
        views.filed(file_kia(store, real.number), real)
        with caplog.at_level(logging.WARNING, logger="kiosk.applications.views"):
            report = views.push(kiosk)
        assert (report.dropped, report.attached) == (1, 1)
        assert "will not be shown at the counter with ticket C-404" in caplog.text
        assert views.waiting() == []
    finally:
        views.close()
        kiosk.close()


def test_another_kiosks_ticket_is_refused_for_good_not_retried(building: Building, store: ApplicationStore,
                                                              forms: FormSet) -> None:
    """The host lets only the issuing kiosk write a ticket's application (issue 21): a 403 that no
    retry can change must not block every later pass."""
    other = HttpQueue(building.url, "other-kiosk-token", timeout=1.0)
    kiosk = HttpQueue(building.url, "kiosk-token", timeout=1.0)
    views = CounterViews(store, forms)
    try:
        theirs = other.issue("KIA", request_id="walk-2").ticket
        views.filed(file_kia(store, theirs.number), theirs)
        report = views.push(kiosk)
        assert (report.dropped, report.attached, report.waiting) == (1, 0, 0)
        assert building.engine.application_of(theirs.id) is None
    finally:
        views.close()
        kiosk.close()
        other.close()
