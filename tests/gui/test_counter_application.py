"""The counter console shows the application the citizen filed at the kiosk beside the ticket.

The kiosk attaches the application to its ticket in the queue, and the console reads it from there:
over the building's queue host (two HTTP clients with their own tokens, as two machines would have),
and the same way through the in-process queue of the demo.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest
from gui_touch import COUNTER_TOKEN, KIOSK_TOKEN, click, named, type_text

from kiosk.applications.documents import draw_document_like
from kiosk.applications.services import ApplicationServices
from kiosk.applications.views import CounterViews
from kiosk.camera.sources import ImageListSource
from kiosk.catalog.forms import load_forms
from kiosk.config.schema import Config, QueueSection
from kiosk.core import Core, build_core
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

VALID_NIK = "3171014501900001"


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    paths = []
    for seed in (1, 2):
        paths.append(tmp_path / f"page-{seed}.png")
        cv2.imwrite(str(paths[-1]), draw_document_like(seed=seed))
    return paths


def terminal(config: Config, url: str, token: str, name: str) -> Core:
    data = Path(config.device.data_dir) / name  # each machine its own data folder
    data.mkdir()
    return build_core(dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(data)),
                                          queue=QueueSection(host_url=url, device_token=token)))


def file_child_id_card(qtbot, kiosk: KioskWindow) -> None:
    """A parent files the child identity card (KIA) at the kiosk, by touch, with two photographed papers."""
    click(qtbot, named(kiosk, Step.WELCOME, "startButton"))
    click(qtbot, kiosk.screens[Step.SERVICE].tiles["KIA"])
    click(qtbot, named(kiosk, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, named(kiosk, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(kiosk, Step.IDENTIFY, "nextButton"))
    for text in ("3171010101150002", "SITI AMINAH", "01012015"):
        type_text(qtbot, kiosk, text)
        click(qtbot, named(kiosk, Step.FORM, "formNext"))
    click(qtbot, kiosk.screens[Step.FORM].choice_buttons["parent"])
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    type_text(qtbot, kiosk, "081234567890")
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    docs = kiosk.screens[Step.DOCUMENTS]
    while docs.index < len(docs.form.documents):
        qtbot.waitUntil(lambda: docs.take_button.isEnabled() and docs.last_check is not None
                        and docs.last_check.ok, timeout=5000)
        click(qtbot, docs.take_button)
        qtbot.waitUntil(lambda: docs.reviewing is not None, timeout=5000)
        click(qtbot, docs.use_button)
    click(qtbot, docs.next_button)
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000):
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))


def call_next(qtbot, counter: CounterWindow) -> None:
    qtbot.waitUntil(lambda: counter.buttons["call_next"].isEnabled(), timeout=5000)
    click(qtbot, counter.buttons["call_next"])


def test_application_filed_at_the_kiosk_opens_at_the_counter_over_the_lan(
        qtbot, config: Config, queue_host: str, pages: list[Path]) -> None:
    kiosk_core = terminal(config, queue_host, KIOSK_TOKEN, "kiosk")
    counter_core = terminal(config, queue_host, COUNTER_TOKEN, "loket")
    store = ApplicationStore(Path(kiosk_core.config.device.data_dir))
    try:
        services = ApplicationServices(forms=load_forms(), store=store,
                                       camera=lambda: ImageListSource(pages, fps=20, loop=True, realtime=True))
        kiosk = KioskWindow(kiosk_core.config, kiosk_core.catalog, kiosk_core.queue, Speaker(enabled=False),
                            applications=services, survey_store=kiosk_core.survey)
        counter = CounterWindow(counter_core.config, counter_core.catalog, counter_core.queue,
                                application_finder=counter_core.queue.application_of, forms=load_forms(),
survey_store=counter_core.survey)
        for window in (kiosk, counter):
            qtbot.addWidget(window)
        kiosk.resize(1080, 1920)
        counter.resize(1600, 900)
        kiosk.show()
        counter.show()
        panel = counter.application_panel
        assert panel is not None
        counter.counter_picker.setCurrentIndex(
            counter.counter_picker.findData(counter_core.catalog.service("KIA").counters[0]))

        walk_in = kiosk_core.queue.issue("KIA", request_id="walk-in")  # no application: the panel stays hidden
        file_child_id_card(qtbot, kiosk)
        filed = kiosk.session.issued.ticket
        saved = kiosk.session.saved_application
        qtbot.waitUntil(lambda: kiosk.application_flow.last_push is not None, timeout=5000)
        assert kiosk.application_flow.last_push.attached == 1

        with qtbot.waitSignal(panel.shown, timeout=5000) as first:
            call_next(qtbot, counter)
        assert counter.current.number == walk_in.ticket.number and first.args[0] is None
        assert not panel.isVisible()
        qtbot.waitUntil(lambda: counter.buttons["start"].isEnabled(), timeout=5000)
        click(qtbot, counter.buttons["start"])
        qtbot.waitUntil(lambda: counter.buttons["finish"].isEnabled(), timeout=5000)
        click(qtbot, counter.buttons["finish"])
        with qtbot.waitSignal(panel.shown, timeout=5000, check_params_cb=lambda app: app is not None):
            call_next(qtbot, counter)
        assert counter.current.number == filed.number and panel.isVisible()
        assert saved.number in panel.header.text() and "3171********0001" in panel.header.text()
        rows = dict(panel.row_texts())
        assert rows["Nama lengkap anak"] == "SITI AMINAH"
        assert rows["Tanggal lahir anak (HH-BB-TTTT)"] == "01-01-2015"
        assert rows["NIK anak (lihat KK)"] == "3171********0002"
        assert rows["  Akta kelahiran anak"] == "1 foto"
        # the ticket's identity mark, in the application view too (issue 16)
        assert panel.state.text() == "Kirim ke MPP Digital: menunggu\nIdentitas diperiksa di loket"

        # the kiosk's sync delivers it to MPP Digital; the console follows without a click
        store.mark_sent(store.items()[0].seq)
        kiosk.application_flow.push_views()  # what the kiosk's timer does every few seconds
        qtbot.waitUntil(lambda: panel.state.text().startswith("Kirim ke MPP Digital: terkirim"), timeout=5000)
    finally:
        store.close()
        kiosk_core.close()
        counter_core.close()


def test_the_demo_uses_the_same_path_and_shows_deleted_details(qtbot, core: Core, tmp_path: Path) -> None:
    store = ApplicationStore(tmp_path / "kiosk")
    views = CounterViews(store, load_forms())
    try:
        issued = core.queue.issue("KIA", request_id="with-form", nik_masked="3171********0001")
        app_id = str(uuid.uuid4())
        store.save(NewApplication(id=app_id, service_code="KIA", nik=VALID_NIK, ticket_number=issued.ticket.number,
                                  fields={"child_name": "SITI AMINAH", "phone": "081234567890"}))
        store.mark_sent(store.items()[0].seq)
        store.purge_expired(0, now=datetime.now(UTC) + timedelta(days=1))  # retention already ran
        views.filed(app_id, issued.ticket)
        assert views.push(core.queue).attached == 1  # the in-process queue: the same call as the LAN's
        counter = CounterWindow(core.config, core.catalog, core.queue, application_finder=core.queue.application_of,
                                forms=load_forms(), survey_store=core.survey)
        qtbot.addWidget(counter)
        counter.resize(1600, 900)
        counter.show()
        counter.counter_picker.setCurrentIndex(counter.counter_picker.findData(core.catalog.service("KIA").counters[0]))
        panel = counter.application_panel
        with qtbot.waitSignal(panel.shown, timeout=5000, check_params_cb=lambda app: app is not None):
            call_next(qtbot, counter)
        assert panel.isVisible() and panel.row_texts() == []  # neither answers nor "0 photos"
        assert "3171********0001" in panel.header.text()
        assert panel.state.text() == ("Kirim ke MPP Digital: terkirim\n"
                                      "Isian dan foto sudah dihapus dari kiosk (masa simpan habis).")
        counter.shutdown()
    finally:
        views.close()
        store.close()
