"""Pictures of "Sampaikan pengaduan" for ``kiosk selftest``: each step and the receipt at the kiosk, and the
counter's "Pengaduan" dialog (``complaint-filing-*.png``).

Everything is reached by taps on the screens' named buttons and keys and filed by a real
:class:`~kiosk.complaints.filing.ComplaintFiling` into a throw-away outbox; the failed save is the same
filing over an outbox whose disk is full. The slip prints to a file in the scratch folder.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from kiosk.complaints.filing import ComplaintFiling, ComplaintNotSaved, ComplaintReceipt
from kiosk.complaints.model import Category, NewComplaint
from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES, Language
from kiosk.selftest.scene import KIOSK_SIZES, letter_key, save_shot, scratch_core, settle, tap, tap_keys, wait_for
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.counter.complaint_dialog import CounterComplaints
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.complaint import ComplaintScreen, attach_complaint_filing
from kiosk.ui.kiosk.welcome import WelcomeScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

SAMPLE_STATUS_URL = "https://mppdigital.example.id/complaints/{reference}/{token}"
SAMPLE_TEXT = {"id": "saya diminta bayar di loket. tanpa kuitansi",
               "en": "i was asked to pay at the counter. no receipt"}
# (orientation, language, large text): the walk as a 70-year-old (large text) and a wheelchair user see it
WALKS = (("portrait", "id", False), ("portrait", "en", False), ("landscape", "id", False), ("portrait", "id", True))


class _FullDisk(ComplaintFiling):
    """A filing on a full disk: the kiosk says the complaint is not saved and keeps every word (raised
    here rather than by a failing outbox, whose error log would count as a fault of the self-test)."""

    def file(self, complaint: NewComplaint) -> ComplaintReceipt:
        raise ComplaintNotSaved("disk full (self-test picture)")


def capture_complaint_filing(config: Config, out: Path, shots: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as folder:
        scratch = Path(folder)
        printer = dataclasses.replace(config.printer, kind="file", target=str(scratch / "slips"))
        core = scratch_core(dataclasses.replace(config, printer=printer), scratch / "data")
        store = ApplicationStore(scratch / "outbox")
        try:
            filing = ComplaintFiling(store, mpp_code=core.config.site.mpp_code, status_url_template=SAMPLE_STATUS_URL)
            for orientation, lang, large in WALKS:
                name = f"complaint-filing-{orientation}-{lang}{'-large' if large else ''}"
                _kiosk_walk(core, filing, KIOSK_SIZES[orientation], lang, large, out / name, shots)
            for lang in LANGUAGES:
                _counter(core, filing, lang, out / f"complaint-filing-counter-{lang}", shots)
        finally:
            store.close()
            core.close()


def _kiosk_walk(core: Core, filing: ComplaintFiling, size: tuple[int, int], lang: str, large: bool,
                prefix: Path, shots: list[Path]) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    welcome = window.screens[Step.WELCOME]
    assert isinstance(welcome, WelcomeScreen)
    screen = attach_complaint_filing(window, filing, welcome)  # as the window does with its complaints
    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")

        def shot(name: str) -> None:
            save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        shot("00-welcome")
        tap(window, "complaintButton")
        if large:
            tap(window, "textSize")
        _walk(window, screen, lang, shot)
    finally:
        window.shutdown()
        screen.stop()
        window.deleteLater()


def _walk(window: KioskWindow, screen: ComplaintScreen, lang: str, shot: Callable[[str], None]) -> None:
    shot("01-category")
    tap(screen, f"category_{Category.FEES.value}")
    tap(screen, "complaintTab_DUKCAPIL")
    tap(screen, "complaintService_KTP-EL")
    shot("02-service")
    tap(screen, "complaintNext")
    tap(screen, "complaintNext")  # nothing typed yet: the page says what is missing
    shot("03-text-empty")
    tap_keys(screen, SAMPLE_TEXT[lang], lambda ch: letter_key(ch) if ch == " " or ch.isalnum() else f"sign{ord(ch)}")
    shot("04-text")
    tap(screen, "complaintNext")
    tap(screen, "complaintWay_phone")
    tap_keys(screen, "081234567890")
    shot("05-contact")
    tap(screen, "complaintNext")
    shot("06-share")
    tap(screen, "complaintShareYes")
    shot("07-confirm")
    real = screen.filing
    screen.filing = _FullDisk(real.outbox, mpp_code="X", status_url_template="")
    tap(screen, "complaintNext")
    wait_for(lambda: screen.confirm_page.error.isVisible())
    shot("08-not-saved")
    screen.filing = real
    tap(screen, "complaintNext")
    wait_for(lambda: screen.page == "receipt")
    tap(screen, "complaintPrint")
    wait_for(lambda: screen.print_button.isVisible() and screen.receipt_page.printing.text() != window.t(
        "complaint_filing.receipt.printing"))
    shot("09-receipt")


def _counter(core: Core, filing: ComplaintFiling, lang: Language, prefix: Path, shots: list[Path]) -> None:
    config = dataclasses.replace(core.config, device=dataclasses.replace(core.config.device, language=lang))
    window = CounterWindow(config, core.catalog, core.queue, survey_store=core.survey)
    complaints = CounterComplaints(window, filing, window)
    try:
        window.resize(1366, 768)
        window.show()
        issued = core.queue.issue("KTP-EL", request_id=f"complaint-filing-{lang}", lang=lang)
        core.queue.call_specific(1, issued.ticket.number, actor="selftest")
        window.counter = 1
        window.refresh()
        wait_for(lambda: window.current is not None)
        dialog = complaints.open()
        assert dialog is not None
        dialog.category.setCurrentIndex(dialog.category.findData(Category.STAFF_CONDUCT.value))
        dialog.text.setPlainText(SAMPLE_TEXT[lang].capitalize())
        dialog.phone.setText("0812 3456")  # too short: said under the field
        dialog.save()
        settle()
        save_shot(_frame(dialog), prefix.with_name(f"{prefix.name}-01-form.png"), shots)
        dialog.phone.setText("0812 3456 7890")
        dialog.share_no.setChecked(True)
        dialog.save()
        wait_for(lambda: dialog.receipt is not None)
        save_shot(_frame(dialog), prefix.with_name(f"{prefix.name}-02-receipt.png"), shots)
        dialog.accept()
    finally:
        complaints.shutdown()
        window.shutdown()
        window.deleteLater()


def _frame(dialog: QWidget) -> QWidget:
    dialog.resize(900, 820)
    return dialog
