"""Issue 18 item 6: the face step's consent answer is an audit record — given or declined, the time, the
kiosk and the ticket request, no picture and no NIK — kept in the kiosk's outbox for the central API."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.identity.consent import CONSENT_KIND, ConsentLog
from kiosk.sync.outbox import ApplicationStore

from .conftest import MODELS

NIK = "3171014501900001"
AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


class ListOutbox:
    def __init__(self, fail: bool = False) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []
        self.fail = fail

    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool:
        if self.fail:
            raise OSError("disk full")
        self.records.append((kind, record_id, dict(payload)))
        return True


def test_an_answer_is_kept_in_the_real_outbox_without_nik_or_picture(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with ApplicationStore(tmp_path) as store:
        consent = ConsentLog(store, "kiosk-07", clock=lambda: AT)
        given = consent.record("given", ticket_request_id="req-1", service="KTP-EL")
        consent.record("declined", ticket_request_id="req-2", service="KK")
        items = store.items(kind=CONSENT_KIND)
        assert [i.ref_id for i in items] == [given.record_id, items[1].ref_id] and len(items) == 2
        assert all(i.state == "pending" for i in items)  # the sync engine uploads it like survey answers
        payload = store.record_payload(items[0])
    assert payload == {"record_id": given.record_id, "answer": "given", "at": "2026-12-06T09:30:00+00:00",
                       "kiosk_id": "kiosk-07", "ticket_request_id": "req-1", "service": "KTP-EL",
                       "text_version": given.text_version, "purpose": "face_check_identity_1to1"}
    logged = [r.getMessage() for r in caplog.records if getattr(r, "event", "") == "face.consent"]
    assert len(logged) == 2 and "kept in the outbox" in logged[0] and '"answer":"declined"' in logged[1]
    database = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"req-1" not in database  # sealed at rest like every outbox payload


def test_a_store_that_cannot_write_never_stops_the_citizen(caplog: pytest.LogCaptureFixture,
                                                           allow_log_errors: None) -> None:
    caplog.set_level(logging.INFO)
    record = ConsentLog(ListOutbox(fail=True), "kiosk-01").record("given", ticket_request_id=None, service=None)
    assert record.answer == "given"
    assert any("not stored in the outbox" in r.getMessage() for r in caplog.records)
    with pytest.raises(ValueError):
        ConsentLog(None, "kiosk-01").record("maybe", ticket_request_id=None, service=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("button_name, answer, outcome", [("faceDecline", "declined", "counter"),
                                                          ("faceAgree", "given", None)])
def test_the_face_step_records_the_answer_with_the_ticket_request(qtbot: Any, button_name: str, answer: str,
                                                                   outcome: str | None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from kiosk.camera.sources import ImageListSource
    from kiosk.catalog.services import default_catalog_path, load_catalog
    from kiosk.citizen.nik import parse_nik
    from kiosk.config.schema import FaceSection
    from kiosk.i18n import Translator
    from kiosk.identity.face_services import FaceServices
    from kiosk.ui.kiosk.face import FaceScreen
    from kiosk.visit.flow import CitizenSession

    outbox = ListOutbox()
    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([]),
                            consent=ConsentLog(outbox, "kiosk-03"))
    screen = FaceScreen(services)
    qtbot.addWidget(screen)
    screen.retranslate(Translator("id"))
    session = CitizenSession("id", service=load_catalog(default_catalog_path()).service("KTP-EL"),
                             nik=parse_nik(NIK))
    screen.enter(session)
    screen.show()
    finished: list[str] = []
    screen.finished.connect(finished.append)
    try:
        qtbot.mouseClick(screen.findChild(QPushButton, button_name), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(outbox.records) == 1, timeout=5000)
        kind, _, payload = outbox.records[0]
        assert kind == CONSENT_KIND and payload["answer"] == answer and payload["kiosk_id"] == "kiosk-03"
        assert payload["ticket_request_id"] == session.request_id()  # the id the ticket is issued with
        assert payload["service"] == "KTP-EL"
        assert NIK not in json.dumps(payload) and NIK[-4:] not in json.dumps(payload)
        assert finished == ([outcome] if outcome else [])
    finally:
        screen.reset()
        screen.runner.stop()
