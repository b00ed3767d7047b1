"""Scenes of a visitor without a NIK (issue 16): the identify step's two other ways, the passport/KITAS
number (bad input and normalised), what happens without a NIK, a NIK-only service sent to the information
desk, the marked ticket, and the clerk's console calling it. Portrait and landscape, normal and large text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from kiosk.catalog.forms import load_forms
from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES
from kiosk.selftest.scene import KIOSK_SIZES, letter_key, save_shot, scratch, tap, tap_keys, wait_for, widget_named
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.travel_document import TravelDocumentScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def capture_without_nik(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            for large in (False, True):
                with scratch(config) as core:
                    suffix = "-large" if large else ""
                    _walk(core, lang, size, large, out / f"without-nik-{orientation}-{lang}{suffix}", shots)
    for lang in LANGUAGES:
        with scratch(dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang))) as core:
            _counter(core, out / f"without-nik-counter-{lang}.png", shots)


def _walk(core: Core, lang: str, size: tuple[int, int], large: bool, prefix: Path, shots: list[Path]) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)

    def shot(name: str) -> None:
        save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

    def to_identify(service: str) -> None:
        window.wipe()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
        window.set_large_text(large)
        tap(window, "startButton")
        tap(window, service)
        tap(window, "nextButton")

    try:
        window.resize(*size)
        window.show()
        to_identify("KTP-EL")
        shot("1-identify")
        tap(window, "travelDocumentButton")
        travel = window.screens[Step.TRAVEL_DOCUMENT]
        assert isinstance(travel, TravelDocumentScreen)
        travel.field.setText("a12-4")  # a USB keyboard's dash: the message under the field
        travel.field.textEdited.emit("a12-4")
        shot("2-passport-symbol")
        travel.reset()
        tap_keys(window, "a1234567", letter_key)
        shot("3-passport-valid")
        tap(window, "nextButton")
        shot("4-passport-what-happens")
        tap(window, "withoutNikNext")
        shot("5-passport-confirm")
        to_identify("KK")
        tap(window, "noNikButton")
        shot("6-no-ktp-what-happens")
        tap(window, "withoutNikNext")
        tap(window, "confirmButton")
        wait_for(lambda: window.current_step == Step.TICKET)
        shot("7-no-ktp-ticket")
        to_identify("IKD")
        tap(window, "noNikButton")
        shot("8-nik-only-service")
        tap(window, "deskButton")
        shot("9-information-desk-confirm")
    finally:
        window.shutdown()
        window.deleteLater()


def _counter(core: Core, path: Path, shots: list[Path]) -> None:
    """The clerk calls a ticket taken without a NIK: "Identitas diperiksa di loket · tanpa NIK"; at a form
    service's counter the application view says no form came from the kiosk."""
    core.queue.issue("KTP-EL", request_id="selftest-no-nik", identity_status="no_nik")
    core.queue.issue("KK", request_id="selftest-kk-no-nik", identity_status="no_nik")
    counter = CounterWindow(core.config, core.catalog, core.queue, application_finder=core.queue.application_of,
                            forms=load_forms(), survey_store=core.survey)
    try:
        counter.resize(1600, 900)
        counter.show()
        call_next = widget_named(counter, "call_next", QPushButton)
        wait_for(call_next.isEnabled)
        tap(counter, "call_next")
        wait_for(lambda: counter.current is not None)
        save_shot(counter, path, shots)
        assert core.catalog is not None
        counter.counter_picker.setCurrentIndex(counter.counter_picker.findData(core.catalog.service("KK").counters[0]))
        wait_for(call_next.isEnabled)
        tap(counter, "call_next")
        wait_for(lambda: counter.current is not None and counter.current.service_code == "KK")
        save_shot(counter, path.with_name(path.stem + "-application.png"), shots)
    finally:
        counter.shutdown()
        counter.deleteLater()
