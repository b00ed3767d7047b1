"""The counter console shows the application the citizen filed at the kiosk beside the ticket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from kiosk.applications import application_for_ticket
from kiosk.core import Core
from kiosk.forms import load_forms
from kiosk.sync.outbox import ApplicationStore, Attachment, NewApplication
from kiosk.ui.counter import CounterWindow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps")
    yield opened
    opened.close()


def test_the_called_ticket_shows_its_application(qtbot, core: Core, store: ApplicationStore) -> None:
    plain = core.queue.issue("KIA", request_id="walk-in")  # no application: panel stays hidden
    issued = core.queue.issue("KIA", request_id="with-form", nik_masked="3171********0001",
                              identity_status="to_verify_at_counter")
    saved = store.save(NewApplication(
        id=str(uuid.uuid4()), service_code="KIA", nik="3171014501900001", ticket_number=issued.ticket.number,
        fields={"child_nik": "3171010101150002", "child_name": "SITI AMINAH", "child_birth_date": "01012015",
                "reporter_relation": "parent", "phone": "081234567890"},
        attachments=[Attachment("birth_certificate", "image/jpeg", b"a"), Attachment("kk", "image/jpeg", b"b")]))
    tz = ZoneInfo(core.config.site.timezone)
    counter = CounterWindow(core.config, core.catalog, core.queue,
                            application_finder=lambda number, day: application_for_ticket(store, number, day=day, tz=tz),
                            forms=load_forms())
    qtbot.addWidget(counter)
    counter.resize(1600, 900)
    counter.show()
    panel = counter.application_panel
    assert panel is not None and not panel.isVisible()
    serving_kia = core.catalog.service("KIA").counters[0]
    counter.counter_picker.setCurrentIndex(counter.counter_picker.findData(serving_kia))

    def call_next() -> None:
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled(), timeout=5000)
    with qtbot.waitSignal(panel.shown, timeout=5000) as first:
        call_next()
    assert counter.current.number == plain.ticket.number and first.args[0] is None
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: counter.buttons["start"].isEnabled(), timeout=5000)
    qtbot.mouseClick(counter.buttons["start"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.buttons["finish"].isEnabled(), timeout=5000)
    qtbot.mouseClick(counter.buttons["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled(), timeout=5000)
    with qtbot.waitSignal(panel.shown, timeout=5000):
        call_next()
    assert counter.current.number == issued.ticket.number
    assert panel.isVisible()
    assert saved.number in panel.header.text() and "3171********0001" in panel.header.text()
    assert "3171014501900001" not in panel.header.text()
    rows = dict(panel.row_texts())
    assert rows["Nama lengkap anak"] == "SITI AMINAH"
    assert rows["Tanggal lahir anak (HH-BB-TTTT)"] == "01-01-2015"
    assert rows["NIK anak (lihat KK)"] == "3171********0002"
    assert rows["  Akta kelahiran anak"] == "1 foto"
    assert panel.state.text() == "Kirim ke MPP Digital: menunggu"
    counter.shutdown()


def test_lookup_respects_the_day_numbers_restart(store: ApplicationStore) -> None:
    store.save(NewApplication(id=str(uuid.uuid4()), service_code="KK", nik="3171014501900001",
                              fields={"phone": "081234567890"}, ticket_number="B-001"))
    today = store.outgoing_application(store.items()[0].ref_id).body["created_at"]
    from datetime import datetime

    day = datetime.fromisoformat(today).astimezone().date().isoformat()
    assert application_for_ticket(store, "B-001", day=day)["fields"] == {"phone": "081234567890"}
    assert application_for_ticket(store, "B-001", day="2001-01-01") is None
    assert application_for_ticket(store, "B-002", day=day) is None
