""""Pengaduan" at the counter (issue 19, item 2): the clerk records a citizen's complaint from the console,
filed with channel "counter" by the signed-in clerk, the ticket in hand prefilled; problems under their
fields, a failed save keeps everything, the reference is shown (and printed when the counter has a printer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from gui_touch import click
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QDialog

from kiosk.complaints.filing import COMPLAINT_KIND, ComplaintFiling
from kiosk.complaints.model import Category
from kiosk.core import Core
from kiosk.staff.directory import StaffMember
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.counter.complaint_dialog import ComplaintDialog, CounterComplaints
from kiosk.ui.counter.console import CounterWindow

TEMPLATE = "https://mpp.example.id/complaints/{reference}/{token}"


class FullDisk:
    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool:
        raise OSError(28, "No space left on device")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    with ApplicationStore(tmp_path / "outbox") as opened:
        yield opened


def console(qtbot, core: Core, outbox: Any, config: Any = None) -> tuple[CounterWindow, CounterComplaints]:
    window = CounterWindow(config or core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    complaints = CounterComplaints(window, ComplaintFiling(outbox, mpp_code="MPP-DEMO", status_url_template=TEMPLATE),
                                   window)  # what the console holds once wired (see the module's docstring)
    right = window.console.layout().itemAt(1).layout()  # the console's right column, under "Minta rating"
    right.addWidget(complaints.button)
    return window, complaints


def opened(complaints: CounterComplaints) -> ComplaintDialog:
    dialog = complaints.open()
    assert dialog is not None and dialog.isVisible()
    return dialog


def called_ticket(qtbot, window: CounterWindow, core: Core) -> str:
    issued = core.queue.issue("KTP-EL", request_id="complaint-at-counter", lang="en")
    window.counter = 1
    ticket = core.queue.call_specific(1, issued.ticket.number, actor="test")
    window.refresh()
    qtbot.waitUntil(lambda: window.current is not None and window.current.number == ticket.number, timeout=5000)
    return ticket.number


def payloads(store: ApplicationStore) -> list[dict[str, Any]]:
    return [store.record_payload(item) for item in store.items(kind=COMPLAINT_KIND)]


def choose(dialog: ComplaintDialog, category: Category) -> None:
    dialog.category.setCurrentIndex(dialog.category.findData(category.value))


def tick(qtbot, box: QAbstractButton) -> None:
    """Click a check box or a radio button on its mark, as the clerk's mouse does."""
    assert box.isVisible() and box.isEnabled()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_a_clerk_records_a_complaint_for_the_citizen_at_the_counter(qtbot, core: Core,
                                                                    store: ApplicationStore) -> None:
    window, complaints = console(qtbot, core, store)
    try:
        number = called_ticket(qtbot, window, core)
        window.staff_member = StaffMember("siti", "Siti Aminah", "x")  # signed in
        click(qtbot, complaints.button)
        dialog = complaints.dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.ticket_number.text() == number  # the ticket in hand
        assert dialog.service.currentData() == "KTP-EL"
        choose(dialog, Category.STAFF_CONDUCT)
        qtbot.keyClicks(dialog.text, "Petugas loket 3 membentak warga lansia.")
        assert dialog.count.text() == "39 dari 2000 karakter"
        qtbot.keyClicks(dialog.phone, "0812-3456-7890")
        click(qtbot, dialog.save_button)
        assert dialog.errors["share"].isVisible()  # the consent is asked, never assumed
        assert payloads(store) == []
        tick(qtbot, dialog.share_no)
        click(qtbot, dialog.save_button)
        qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
        assert dialog.pages.currentWidget() is dialog.done_page
        reference = dialog.reference.text()
        assert reference.startswith("ADU-") and reference in dialog.saved_label.text()
        [saved] = payloads(store)
        assert saved["channel"] == "counter" and saved["filed_by"] == "siti"
        assert saved["ticket_number"] == number and saved["service_code"] == "KTP-EL"
        assert saved["category"] == "staff_conduct" and saved["language"] == "en"  # the citizen's, from the ticket
        assert saved["contact"] == {"phone": "+6281234567890", "email": None} and saved["share_contact"] is False
        assert saved["reference"] == reference
        click(qtbot, dialog.close_button)
        qtbot.waitUntil(lambda: complaints.dialog is None, timeout=2000)
    finally:
        complaints.shutdown()
        window.shutdown()


def test_without_a_filing_there_is_no_button(qtbot, core: Core) -> None:
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    complaints = CounterComplaints(window, None, window)
    assert complaints.button.isHidden() and complaints.open() is None
    window.shutdown()


def test_without_accounts_the_counter_itself_files_it(qtbot, core: Core, store: ApplicationStore) -> None:
    window, complaints = console(qtbot, core, store)
    try:
        dialog = opened(complaints)
        assert dialog.ticket_number.text() == "" and dialog.service.currentData() == ""  # no ticket in hand
        choose(dialog, Category.FACILITIES)
        qtbot.keyClicks(dialog.text, "Lift rusak sejak pagi")
        tick(qtbot, dialog.anonymous)
        assert not dialog.phone.isEnabled() and not dialog.share_yes.isEnabled()
        click(qtbot, dialog.save_button)
        qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
        [saved] = payloads(store)
        assert saved["filed_by"] == f"{core.config.device.id}/counter-{window.counter}"
        assert saved["contact"] is None and saved["service_code"] is None and saved["ticket_number"] is None
    finally:
        complaints.shutdown()
        window.shutdown()


@pytest.mark.parametrize(("text", "phone", "where", "words"), [
    ("", "", "text", "Tuliskan pengaduan Anda terlebih dahulu."),
    ("x" * 10_000, "", "text", "Pengaduan terlalu panjang: 10000 karakter, paling banyak 2000. Mohon diringkas."),
    ("🙏🙏🙏", "", "text", "Mohon tuliskan pengaduan Anda dengan kata-kata, agar petugas dapat memahaminya."),
    ("Antre lama", "12345", "contact", "Nomor HP belum benar. Tulis nomor HP Indonesia, misalnya 0812 3456 7890."),
    ("Antre lama", "", "contact", "Isi nomor HP atau e-mail agar kami dapat menghubungi Anda, atau pilih tanpa nama."),
])
def test_each_problem_is_said_under_its_field(qtbot, core: Core, store: ApplicationStore, text: str, phone: str,
                                              where: str, words: str) -> None:
    window, complaints = console(qtbot, core, store)
    try:
        dialog = opened(complaints)
        click(qtbot, dialog.save_button)  # nothing chosen yet
        assert dialog.errors["category"].text() == "Pilih jenis pengaduan."
        choose(dialog, Category.SERVICE_PROCESS)
        dialog.text.setPlainText(text)
        dialog.phone.setText(phone)
        tick(qtbot, dialog.share_no)
        click(qtbot, dialog.save_button)
        assert dialog.errors[where].isVisible() and dialog.errors[where].text() == words
        assert not dialog.errors["category"].isVisible()
        assert dialog.pages.currentWidget() is dialog.form and payloads(store) == []
        assert dialog.text.toPlainText() == text  # nothing cut or cleared
    finally:
        complaints.shutdown()
        window.shutdown()


def test_a_full_disk_is_said_and_the_form_is_kept(qtbot, core: Core, allow_log_errors) -> None:
    window, complaints = console(qtbot, core, FullDisk())
    try:
        dialog = opened(complaints)
        choose(dialog, Category.FEES)
        qtbot.keyClicks(dialog.text, "Diminta uang rokok")
        tick(qtbot, dialog.anonymous)
        click(qtbot, dialog.save_button)
        qtbot.waitUntil(lambda: "belum tersimpan" in dialog.message.text(), timeout=5000)
        assert dialog.pages.currentWidget() is dialog.form
        assert dialog.text.toPlainText() == "Diminta uang rokok" and dialog.save_button.isEnabled()
    finally:
        complaints.shutdown()
        window.shutdown()


def test_the_counter_prints_the_slip_on_its_printer(qtbot, core: Core, store: ApplicationStore,
                                                   tmp_path: Path) -> None:
    slips = tmp_path / "slips"
    config = dataclasses.replace(core.config, printer=dataclasses.replace(core.config.printer, kind="file",
                                                                           target=str(slips)))
    window, complaints = console(qtbot, core, store, config)
    try:
        dialog = opened(complaints)
        choose(dialog, Category.INFORMATION)
        qtbot.keyClicks(dialog.text, "Syarat di papan berbeda dengan di loket")
        tick(qtbot, dialog.anonymous)
        click(qtbot, dialog.save_button)
        qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
        click(qtbot, dialog.print_button)
        qtbot.waitUntil(lambda: dialog.print_state.text() == "Bukti pengaduan dicetak.", timeout=5000)
        assert len(list(slips.glob("*.pdf"))) == 1
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.result() == QDialog.DialogCode.Rejected
    finally:
        complaints.shutdown()
        window.shutdown()
