"""Pictures of the application screens for ``kiosk selftest``: form, document photos, summary, receipt,
the sync diagnostics panel and the counter's application panel.

Shots are named ``application-<orientation>-<lang>-<n>-<what>.png``; the screens are driven through
taps on named buttons and tiles, against a throw-away queue, store and a generated document picture.
"""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import cv2
from PySide6.QtWidgets import QComboBox, QPushButton

from kiosk.applications.documents import draw_document_like
from kiosk.applications.services import ApplicationServices
from kiosk.applications.views import CounterViews
from kiosk.camera.sources import ImageListSource
from kiosk.catalog.forms import load_forms
from kiosk.catalog.services import Service
from kiosk.citizen.nik import parse_nik
from kiosk.config.schema import Config
from kiosk.i18n import LANGUAGES, Language, Translator
from kiosk.selftest.scene import save_shot, scratch_core, tap, tap_keys, type_on_screen, wait_for, widget_named
from kiosk.sync.engine import sync_status
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication
from kiosk.ui.admin.style import admin_style
from kiosk.ui.admin.sync_status import SyncStatusPanel
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.application.documents import DocumentsScreen
from kiosk.ui.kiosk.application.form import FormScreen
from kiosk.ui.kiosk.application.summary import SummaryScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.qt.theme import Scale
from kiosk.visit.flow import Step

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
SAMPLE_NIK = "3171014501900001"
SAMPLE_STR = "3121100320145443"
STATUS_URL = "https://mpp-digital.example/status/{number}"


def capture_applications(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in SIZES.items():
        for lang in LANGUAGES:
            if orientation == "landscape" and lang == "en":
                continue  # the landscape layout is the same in both languages; one set is enough
            _walk(config, orientation, size, lang, out, shots)
    for lang in LANGUAGES:
        _sync_and_counter(config, lang, out, shots)


def _walk(config: Config, orientation: str, size: tuple[int, int], lang: Language, out: Path,
          shots: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        folder = Path(scratch)
        picture = folder / "document.png"
        cv2.imwrite(str(picture), draw_document_like(seed=7))
        core = scratch_core(config, folder / "data")
        store = ApplicationStore(folder / "apps", status_url_template=STATUS_URL)
        services = ApplicationServices(
            forms=load_forms(), store=store,
            camera=lambda: ImageListSource([picture], fps=15, loop=True, realtime=True),
            lookup_registration=lambda _nik: SAMPLE_STR)
        window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), applications=services,
                             survey_store=core.survey)
        try:
            window.resize(*size)
            window.show()
            def shot(name: str) -> None:
                save_shot(window, out / f"application-{orientation}-{lang}-{name}.png", shots)

            _file_application(window, lang, orientation == "portrait" and lang == "id", shot)
            assert core.catalog is not None
            _birth_witnesses(window, core.catalog.service("AKTA-LAHIR"), shot)
        finally:
            window.shutdown()
            window.deleteLater()
            store.close()
            core.close()


def _file_application(window: KioskWindow, lang: str, large_text_too: bool, shot: Callable[[str], None]) -> None:
    """A nurse's practice permit, from the welcome screen to the receipt, by taps."""
    tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
    tap(window, "startButton")
    tap(window, "SIP-PERAWAT-BARU")
    tap(window, "nextButton")
    tap_keys(window, SAMPLE_NIK)
    tap(window, "nextButton")
    form = window.screens[Step.FORM]
    assert isinstance(form, FormScreen)
    wait_for(lambda: form.value == SAMPLE_STR)  # prefilled from the platform's register
    shot("01-form-prefilled")
    tap(window, "formNext")
    tap(window, "formNext")  # nothing chosen: the error
    shot("02-form-choice-error")
    tap(window, "choice_facility")
    tap(window, "formNext")
    type_on_screen(window, "RSUD TARAKAN")
    shot("03-form-keyboard")
    tap(window, "formNext")
    type_on_screen(window, "JL")
    tap(window, "formNext")
    shot("04-form-too-short")
    type_on_screen(window, " KYAI CARINGIN NO. 7")
    tap(window, "formNext")
    type_on_screen(window, "JAKARTA PUSAT")
    tap(window, "formNext")
    tap(window, "formNext")  # no other practice permits: the list stays empty
    type_on_screen(window, "081234567890")
    shot("05-form-keypad")
    if large_text_too:
        tap(window, "textSize")
        shot("05b-form-keypad-large-text")
        tap(window, "textSize")
    tap(window, "formNext")
    tap(window, "formNext")  # e-mail left empty (optional)
    docs = window.screens[Step.DOCUMENTS]
    assert isinstance(docs, DocumentsScreen)
    wait_for(lambda: docs.last_check is not None and docs.last_check.ok)
    shot("06-documents-live")
    for i in range(3):
        wait_for(lambda: docs.take_button.isEnabled() and docs.last_check is not None and docs.last_check.ok)
        tap(window, "takePhoto")
        wait_for(lambda: docs.reviewing is not None)
        if i == 0:
            shot("07-documents-review")
        tap(window, "usePhoto")
    shot("08-documents-done")
    tap(window, "documentsNext")
    shot("09-summary")
    summary = window.screens[Step.SUMMARY]
    assert isinstance(summary, SummaryScreen)
    summary.show_error("application.error.not_saved_ticket", ticket="H-001")  # what a full disk shows
    shot("10-summary-not-saved")
    summary.show_error(None)
    tap(window, "sendApplication")
    wait_for(lambda: window.current_step == Step.RECEIPT)
    shot("11-receipt")


def _birth_witnesses(window: KioskWindow, service: Service, shot: Callable[[str], None]) -> None:
    """A birth registration's repeatable group (the two witnesses' list page) and the SPTJM choice
    with its statement: the answers before them are set directly, the pages are the real ones."""
    tap(window, "receiptDone")
    window.choose_service(service)
    window.identified(parse_nik(SAMPLE_NIK))
    form = window.screens[Step.FORM]
    assert isinstance(form, FormScreen) and window.session.application is not None
    draft = window.session.application
    draft.values.update(birth_proof="sptjm_birth", parents_marriage="recorded")
    draft.groups["witnesses"] = [{"nik": "3171010101800004", "name": "AHMAD SUBARJO"},
                                 {"nik": "3171014101850005", "name": "DEWI LESTARI"}]
    statement = next(i for i, p in enumerate(form.pages) if p.field.id == "birth_proof")
    form.start_at(statement)
    form.enter(window.session)
    shot("12-form-sptjm-statement")
    form.start_at(next(i for i, p in enumerate(form.pages) if p.is_list))
    form.enter(window.session)
    shot("13-form-witnesses")


def _sync_and_counter(config: Config, lang: Language, out: Path, shots: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        folder = Path(scratch)
        local = dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))
        core = scratch_core(local, folder / "data")
        store = ApplicationStore(folder / "apps")
        views = CounterViews(store, load_forms())
        panel = counter = None
        try:
            issued = core.queue.issue("SIP-PERAWAT-BARU", request_id="selftest-app", nik_masked="3171********0001",
                                      identity_status="to_verify_at_counter")
            fields = {"str_number": SAMPLE_STR, "practice_type": "facility", "facility_name": "RSUD TARAKAN",
                      "practice_address": "JL KYAI CARINGIN NO. 7", "practice_city": "JAKARTA PUSAT",
                      "sip_held": "none", "phone": "081234567890"}
            for i in range(4):
                store.save(NewApplication(
                    id=str(uuid.uuid4()), service_code="SIP-PERAWAT-BARU", nik=SAMPLE_NIK, fields=fields,
                    ticket_number=issued.ticket.number if i == 3 else None,
                    attachments=[Attachment(k, "image/jpeg", b"%s-%d" % (k.encode(), i))
                                 for k in ("ktp", "practice_letter", "health_certificate")]))
            views.filed(store.items()[3].ref_id, issued.ticket)
            views.push(core.queue)  # the counter reads the application from the queue, as in a building
            items = store.items()
            store.mark_sent(items[0].seq)
            store.mark_rejected(items[1].seq, "422 Unprocessable: str_number 3121100320145443 is not active in SISDMK")
            store.set_meta({"last_success_at": "2026-11-23T06:41:00+00:00",
                            "last_error": "central API unreachable: connection refused (https://mpp-digital.example)"})
            panel = SyncStatusPanel(lambda: sync_status(store), sync_now=lambda: {"sent": 0, "error": ""},
                                    requeue=store.requeue, t=Translator(lang))
            panel.setStyleSheet(admin_style(Scale.for_size(1080, 1920)))
            panel.resize(1080, 1920)
            panel.show()
            wait_for(lambda: panel.status is not None)
            save_shot(panel, out / f"application-sync-{lang}.png", shots)

            counter = CounterWindow(core.config, core.catalog, core.queue, forms=load_forms(),
                                    application_finder=core.queue.application_of, survey_store=core.survey)
            counter.resize(1600, 900)
            counter.show()
            serving = core.catalog.service("SIP-PERAWAT-BARU").counters[0] if core.catalog else 1
            picker = widget_named(counter, "counterPicker", QComboBox)
            picker.setCurrentIndex(picker.findData(serving))  # the clerk picks their counter
            call_next = widget_named(counter, "call_next", QPushButton)
            wait_for(call_next.isEnabled)
            tap(counter, "call_next")
            wait_for(lambda: counter.application_panel is not None
                     and counter.application_panel.application is not None)
            save_shot(counter, out / f"application-counter-{lang}.png", shots)
        finally:
            for widget in (panel, counter):
                if widget is not None:
                    widget.shutdown()
                    widget.deleteLater()
            views.close()
            store.close()
            core.close()
