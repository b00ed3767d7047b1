""""Sampaikan pengaduan" at the kiosk (issue 19, item 2): driven by taps, filed by a real ComplaintFiling
over a real ApplicationStore; what is wrong is said at its field, a failed save keeps every word,
anonymous saves no contact, the receipt prints a slip; every page fits and is in reach.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import qtawesome
from fit_checks import cut_off, out_of_reach, shown, stretched
from gui_touch import click, named
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.complaints.filing import COMPLAINT_KIND, ComplaintFiling
from kiosk.complaints.model import MAX_TEXT_CHARS, Category
from kiosk.config.schema import Config, KioskSection
from kiosk.core import Core
from kiosk.printing.complaint_slip import ComplaintSlipContent, layout_complaint_slip
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.kiosk.complaint import ComplaintScreen, attach_complaint_filing
from kiosk.ui.kiosk.welcome import WelcomeScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt import icons
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

STATUS_TEMPLATE = "https://mpp.example.id/complaints/{reference}/{token}"
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


class FullDisk:
    """An outbox whose disk is full: every save fails as SQLite's would."""

    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool:
        raise OSError(28, "No space left on device")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    with ApplicationStore(tmp_path / "outbox") as opened:
        yield opened


def make_kiosk(qtbot, core: Core, outbox: Any, config: Config | None = None) -> tuple[KioskWindow, ComplaintScreen]:
    config = config or core.config
    window = KioskWindow(config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*PORTRAIT)
    window.show()
    filing = ComplaintFiling(outbox, mpp_code="MPP-DEMO", status_url_template=STATUS_TEMPLATE)
    welcome = window.screens[Step.WELCOME]
    assert isinstance(welcome, WelcomeScreen)
    screen = attach_complaint_filing(window, filing, welcome)  # what KioskWindow does with complaints=...
    return window, screen


@pytest.fixture
def kiosk(qtbot, core: Core, store: ApplicationStore) -> Iterator[tuple[KioskWindow, ComplaintScreen]]:
    window, screen = make_kiosk(qtbot, core, store)
    yield window, screen
    window.shutdown()
    screen.stop()


def tap(qtbot, screen: QWidget, name: str) -> None:
    """A button by its objectName, or a tile by its accessible name, as a finger presses it."""
    for found in screen.findChildren(QPushButton, name):
        if found.isVisible():
            click(qtbot, found)
            return
    tiles = [w for w in screen.findChildren(Tile) if w.accessibleName() == name and w.isVisible()]
    assert tiles, f"nothing called {name} on screen"
    click(qtbot, tiles[0])


def type_keys(qtbot, screen: ComplaintScreen, text: str) -> None:
    """Type on the page's on-screen keys: the letters, the signs, or the phone keypad."""
    page = screen.pages.currentWidget()
    for ch in text:
        if ch == " ":
            name = "letterSpace"
        elif ch.isdigit() and screen.contact_page.keypad.isVisible():
            name = f"key{ch}"
        elif ch.isalnum():
            name = f"letter{ch.upper()}"
        else:
            name = f"sign{ord(ch)}"
        tap(qtbot, page, name)


def start(qtbot, window: KioskWindow) -> None:
    """"Sampaikan pengaduan" on the welcome screen."""
    assert window.current_step == Step.WELCOME
    click(qtbot, named(window, Step.WELCOME, "complaintButton"))
    assert window.current_step == Step.COMPLAINT
    qtbot.wait(5)


def to_text_page(qtbot, screen: ComplaintScreen, category: str = "fees") -> None:
    tap(qtbot, screen, f"category_{category}")
    assert screen.page == "service"
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "text"


def complaints_in(store: ApplicationStore) -> list[dict[str, Any]]:
    return [store.record_payload(item) for item in store.items(kind=COMPLAINT_KIND)]


def test_a_citizen_files_a_complaint_by_taps_and_gets_a_receipt(qtbot, kiosk, store: ApplicationStore) -> None:
    window, screen = kiosk
    start(qtbot, window)
    assert screen.page == "category" and screen.step_label.text() == "Pengaduan: langkah 1 dari 6"
    assert len([t for t in screen.category_page.tiles.values() if t.isVisible()]) == 6
    tap(qtbot, screen, "category_fees")
    assert screen.page == "service"
    tap(qtbot, screen, "complaintTab_DUKCAPIL")
    tap(qtbot, screen, "complaintService_KTP-EL")
    assert screen.service_page.chosen_label.text() == "Dipilih: KTP Elektronik (baru, rusak, hilang)"
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "text"
    assert "2000" in screen.text_page.hint.text()
    type_keys(qtbot, screen, "saya diminta bayar. tanpa kuitansi")
    assert screen.text_page.text == "Saya diminta bayar. Tanpa kuitansi"  # a sentence starts with a capital
    assert screen.text_page.count.text() == f"34 dari {MAX_TEXT_CHARS} karakter"
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "contact"
    assert not screen.next_button.isEnabled() and screen.next_reason.text() == "Pilih salah satu cara di bawah"
    assert screen.contact_page.hint.text().startswith("Agar petugas dapat menghubungi Anda")
    tap(qtbot, screen, "complaintWay_phone")
    type_keys(qtbot, screen, "081234567890")
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "share"
    assert "SP4N-LAPOR!" in screen.share_page.body.text()
    assert not any(tile.title.text().startswith("✓") for tile in (screen.share_page.yes, screen.share_page.no))
    tap(qtbot, screen, "complaintShareYes")
    assert screen.page == "confirm"
    facts = screen.confirm_page.facts.text()
    assert "Biaya atau pungutan liar" in facts and "Nomor HP: 081234567890" in facts
    assert "Kontak boleh diteruskan ke SP4N-LAPOR!" in facts
    assert screen.confirm_page.readback.toPlainText() == "Saya diminta bayar. Tanpa kuitansi"
    tap(qtbot, screen, "complaintNext")  # "Kirim pengaduan"
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    reference = screen.receipt_page.reference.text()
    assert reference.startswith("ADU-") and len(reference) == 13
    assert screen.receipt_page.qr.isVisible() and not screen.receipt_page.qr.pixmap().isNull()
    assert screen.receipt is not None and screen.receipt_page.url == screen.receipt.status_url
    assert screen.receipt.status_url.startswith(f"https://mpp.example.id/complaints/{reference}/")
    [saved] = complaints_in(store)
    assert store.items(kind=COMPLAINT_KIND)[0].state == "pending"  # sealed, waiting for the sync
    assert saved["reference"] == reference and saved["category"] == "fees"
    assert saved["service_code"] == "KTP-EL" and saved["channel"] == "kiosk" and saved["filed_by"] is None
    assert saved["contact"] == {"phone": "+6281234567890", "email": None} and saved["share_contact"] is True
    assert saved["text"] == "Saya diminta bayar. Tanpa kuitansi" and saved["language"] == "id"
    assert screen.done_button.text() == f"Selesai ({window.config.kiosk.ticket_screen_seconds})"
    assert screen.back() and screen.page == "receipt"  # Back cannot un-file it
    tap(qtbot, screen, "complaintDone")
    assert window.current_step == Step.WELCOME
    assert screen.draft.text == "" and screen.receipt_page.reference.text() == ""  # nothing left for the next person


def test_the_sealed_payload_is_not_readable_in_the_database(kiosk, qtbot, store: ApplicationStore) -> None:
    window, screen = kiosk
    start(qtbot, window)
    to_text_page(qtbot, screen, "staff_conduct")
    type_keys(qtbot, screen, "petugas membentak")
    tap(qtbot, screen, "complaintNext")
    tap(qtbot, screen, "complaintWay_anonymous")
    tap(qtbot, screen, "complaintNext")
    tap(qtbot, screen, "complaintNext")
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    raw = (store.path).read_bytes()
    assert b"membentak" not in raw


def test_anonymous_saves_no_contact_and_asks_no_consent(qtbot, kiosk, store: ApplicationStore) -> None:
    window, screen = kiosk
    start(qtbot, window)
    to_text_page(qtbot, screen, "facilities")
    type_keys(qtbot, screen, "toilet rusak")
    tap(qtbot, screen, "complaintNext")
    tap(qtbot, screen, "complaintWay_phone")
    type_keys(qtbot, screen, "0812")  # typed, then the citizen changes their mind
    tap(qtbot, screen, "complaintWay_anonymous")
    assert screen.contact_page.note.isVisible() and not screen.contact_page.field.isVisible()
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "confirm"  # no SP4N-LAPOR! question: there is no contact to share
    assert screen.step_label.text() == "Pengaduan: langkah 5 dari 5"
    assert "Tanpa nama" in screen.confirm_page.facts.text() and "0812" not in screen.confirm_page.facts.text()
    tap(qtbot, screen, "complaintNext")
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    [saved] = complaints_in(store)
    assert saved["contact"] is None and saved["share_contact"] is False
    assert saved["service_code"] is None and saved["ticket_number"] is None


@pytest.mark.parametrize(("typed", "pasted", "words"), [
    ("", None, "Tuliskan pengaduan Anda terlebih dahulu."),
    (None, "x" * 10_000, "Pengaduan terlalu panjang: 10000 karakter, paling banyak 2000. Mohon diringkas."),
    (None, "😡😡😡 🙏", "Mohon tuliskan pengaduan Anda dengan kata-kata, agar petugas dapat memahaminya."),
])
def test_a_text_that_cannot_be_filed_is_explained_at_the_text(qtbot, kiosk, store: ApplicationStore,
                                                                typed: str | None, pasted: str | None,
                                                                words: str) -> None:
    window, screen = kiosk
    start(qtbot, window)
    to_text_page(qtbot, screen)
    if typed is not None:
        type_keys(qtbot, screen, typed)
    else:
        screen.text_page.edit.setPlainText(pasted or "")  # a USB keyboard's paste
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "text"
    assert screen.text_page.message.isVisible() and screen.text_page.message.text() == words
    if pasted and len(pasted) > MAX_TEXT_CHARS:
        assert screen.text_page.count.objectName() == "fieldError"  # the count says it too, in red
        assert screen.text_page.text == pasted  # nothing cut off behind the citizen's back
    assert complaints_in(store) == []


def test_a_wrong_phone_number_is_explained_and_mended(qtbot, kiosk, store: ApplicationStore) -> None:
    window, screen = kiosk
    start(qtbot, window)
    to_text_page(qtbot, screen)
    type_keys(qtbot, screen, "pungli")
    tap(qtbot, screen, "complaintNext")
    tap(qtbot, screen, "complaintWay_phone")
    tap(qtbot, screen, "complaintNext")  # nothing typed
    assert screen.contact_page.message.text().startswith("Isi nomor HP atau e-mail")
    type_keys(qtbot, screen, "12345")
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "contact"
    assert screen.contact_page.message.text() == ("Nomor HP belum benar. Tulis nomor HP Indonesia, misalnya "
                                                  "0812 3456 7890.")
    tap(qtbot, screen, "keyClear")
    type_keys(qtbot, screen, "085711112222")
    assert not screen.contact_page.message.isVisible()  # mended: the message goes at once
    tap(qtbot, screen, "complaintWay_email")
    type_keys(qtbot, screen, "warga@contoh")
    tap(qtbot, screen, "complaintNext")
    assert screen.contact_page.message.text() == "Alamat e-mail belum benar. Contoh: nama@contoh.id"
    type_keys(qtbot, screen, ".id")
    tap(qtbot, screen, "complaintNext")
    assert screen.page == "share"
    tap(qtbot, screen, "complaintShareNo")
    tap(qtbot, screen, "complaintNext")
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    [saved] = complaints_in(store)
    assert saved["contact"] == {"phone": None, "email": "warga@contoh.id"} and saved["share_contact"] is False


def test_a_full_disk_is_told_and_every_word_is_kept(qtbot, core: Core, allow_log_errors) -> None:
    window, screen = make_kiosk(qtbot, core, FullDisk())
    try:
        start(qtbot, window)
        to_text_page(qtbot, screen, "service_process")
        type_keys(qtbot, screen, "antre tiga jam")
        tap(qtbot, screen, "complaintNext")
        tap(qtbot, screen, "complaintWay_anonymous")
        tap(qtbot, screen, "complaintNext")
        tap(qtbot, screen, "complaintNext")
        qtbot.waitUntil(lambda: screen.confirm_page.error.isVisible(), timeout=5000)
        assert screen.page == "confirm"
        assert screen.confirm_page.error.text().startswith("Pengaduan belum tersimpan.")
        assert "meja informasi" in screen.confirm_page.error.text()
        assert screen.confirm_page.readback.toPlainText() == "Antre tiga jam"
        assert screen.next_button.isEnabled()  # try again
        assert screen.back() and screen.page == "contact"
        assert screen.back() and screen.page == "text"
        assert screen.text_page.text == "Antre tiga jam"  # nothing lost
        window.set_language("en")
        assert screen.text_page.text == "Antre tiga jam"
    finally:
        window.shutdown()
        screen.stop()


def test_todays_ticket_is_offered_and_filed_with_the_complaint(qtbot, kiosk, core: Core,
                                                               store: ApplicationStore) -> None:
    window, screen = kiosk
    window.session.service = core.catalog.service("KTP-EL")
    window.session.issued = core.queue.issue("KTP-EL", request_id="complaint-ticket")
    number = window.session.issued.ticket.number
    start(qtbot, window)
    tap(qtbot, screen, "category_service_process")
    assert screen.service_page.ticket_tile.isVisible()
    assert screen.service_page.ticket_tile.title.text() == f"✓ Tiket Anda hari ini: {number}"
    tap(qtbot, screen, "complaintNext")
    type_keys(qtbot, screen, "lama")
    tap(qtbot, screen, "complaintNext")
    tap(qtbot, screen, "complaintWay_anonymous")
    tap(qtbot, screen, "complaintNext")
    assert f"Tiket: {number}" in screen.confirm_page.facts.text()
    tap(qtbot, screen, "complaintNext")
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    [saved] = complaints_in(store)
    assert saved["ticket_number"] == number and saved["service_code"] == "KTP-EL"


def test_the_receipt_prints_a_slip_without_personal_data(qtbot, core: Core, store: ApplicationStore,
                                                        tmp_path: Path) -> None:
    slips = tmp_path / "slips"
    config = dataclasses.replace(core.config, printer=dataclasses.replace(core.config.printer, kind="file",
                                                                           target=str(slips)))
    window, screen = make_kiosk(qtbot, core, store, config)
    try:
        start(qtbot, window)
        to_text_page(qtbot, screen, "information")
        type_keys(qtbot, screen, "syarat berbeda")
        tap(qtbot, screen, "complaintNext")
        tap(qtbot, screen, "complaintWay_anonymous")
        tap(qtbot, screen, "complaintNext")
        tap(qtbot, screen, "complaintNext")
        qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
        tap(qtbot, screen, "complaintPrint")
        qtbot.waitUntil(lambda: screen.receipt_page.printing.text() == "Ambil bukti pengaduan di bawah layar.",
                        timeout=5000)
        [pdf] = list(slips.glob("*.pdf"))
        assert screen.receipt_page.reference.text() in pdf.name
        assert not screen.print_button.isEnabled()  # one slip per complaint
    finally:
        window.shutdown()
        screen.stop()


def test_the_slip_layout_carries_the_reference_and_the_qr_and_no_text() -> None:
    from datetime import UTC, datetime

    content = ComplaintSlipContent(lang="id", site_name="MPP Kota Contoh", reference="ADU-7KQ2-M9XD",
                                   category="Biaya atau pungutan liar",
                                   filed_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
                                   timezone="Asia/Jakarta", status_url="https://mpp.example.id/c/ADU-7KQ2-M9XD/t")
    for width in (80, 58):
        layout = layout_complaint_slip(content, width)
        words = [line.text for line in layout.texts]
        assert layout.number_line is not None and layout.number_line.text == "ADU-7KQ2-M9XD"
        assert layout.number_cap_height_mm() >= (5 if width == 80 else 3.5)  # the whole width of the roll
        assert layout.qr is not None and "07/12/2026 10:00 WIB" in words
        assert "Tanggapan pertama paling lambat 3 hari kerja." in " ".join(words)
    plain = dataclasses.replace(content, status_url="")
    assert layout_complaint_slip(plain).qr is None


def test_every_complaint_picture_exists_in_the_font(qtbot) -> None:
    for name in icons.COMPLAINTS.values():
        assert not qtawesome.icon(name).isNull(), name
    assert {c.value for c in Category} <= set(icons.COMPLAINTS)


def complaint_states(qtbot, window: KioskWindow, screen: ComplaintScreen) -> Iterator[str]:
    """Every page in its busiest state (long words, a message, the keyboard), and the receipt."""
    window.wipe()
    start(qtbot, window)
    yield "category"
    screen.choose_category(Category.FEES)
    screen.service_page.show_agency("DPMPTSP")
    screen.choose_service("SIP-PERAWAT-BARU")
    qtbot.wait(5)
    yield "service"
    screen.show_page("text")
    screen.text_page.edit.setPlainText("Petugas meminta uang tambahan di luar tarif resmi. " * 3)
    screen.next()  # fine: on to contact; back to show the text page with a message
    screen.show_page("text")
    screen.text_page.show_problem(window.t("complaint_rules.problem.text_no_words"))
    qtbot.wait(5)
    yield "text"
    screen.show_page("contact")
    screen.choose_way("email")
    screen.contact_page._set("nama.panjang@contoh.id")
    screen.contact_page.show_problem(window.t("complaint_rules.problem.email_invalid"))
    qtbot.wait(5)
    yield "contact email"
    screen.choose_way("phone")
    screen.contact_page._set("081234567890")
    qtbot.wait(5)
    yield "contact phone"
    screen.choose_way("anonymous")
    qtbot.wait(5)
    yield "contact anonymous"
    screen.choose_way("phone")
    screen.show_page("share")
    qtbot.wait(5)
    yield "share"
    screen.draft.share = True
    screen.show_page("confirm")
    screen.confirm_page.show_error(window.t("complaint_filing.confirm.not_saved"))
    qtbot.wait(5)
    yield "confirm"
    screen.send()
    qtbot.waitUntil(lambda: screen.page == "receipt", timeout=5000)
    qtbot.wait(5)
    yield "receipt"


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_complaint_page_fits_and_is_within_reach(qtbot, kiosk, size: tuple[int, int], large_text: bool,
                                                       lang: str) -> None:
    """Both orientations, both languages, normal and large text: nothing cut off or stretched, nothing
    outgrows the window, every control at most 1,200 mm above the floor."""
    window, screen = kiosk
    window.resize(*size)
    defaults = KioskSection()
    screen_mm = defaults.screen_height_mm * (1 if size[1] > size[0] else size[1] / size[0])
    problems: list[str] = []
    states = 0
    for state in complaint_states(qtbot, window, screen):
        window.set_language(lang)
        window.set_large_text(large_text)
        window._update_header()
        qtbot.wait(5)
        states += 1
        where = f"{lang} large={large_text} {state}"
        needed = screen.layout().totalMinimumSize()
        area = window.stack.size()
        if needed.width() > area.width() or needed.height() > area.height():
            problems.append(f"{where} needs {needed.toTuple()} but has {area.toTuple()}")
        widgets = screen.findChildren(QWidget) + window.bar.findChildren(QWidget)
        problems += cut_off(widgets, where) + stretched(widgets, where)
        found, _top = out_of_reach(window, [window.stack.currentWidget(), window.bar], where,
                                   defaults.screen_lower_edge_mm, screen_mm)
        problems += found
        assert screen.spoken_text(), where  # "Bacakan" reads every page
    assert states == 9
    assert problems == [], "\n" + "\n".join(problems)


def test_large_text_enlarges_the_complaint_pages(qtbot, kiosk) -> None:
    window, screen = kiosk
    start(qtbot, window)
    tile = screen.category_page.tiles[Category.FEES]
    before = (tile.title.fontInfo().pixelSize(), screen.step_label.fontInfo().pixelSize())
    window.set_large_text(True)
    qtbot.wait(5)
    after = (tile.title.fontInfo().pixelSize(), screen.step_label.fontInfo().pixelSize())
    assert after[0] >= 1.2 * before[0] and after[1] >= 1.2 * before[1]
    assert all(shown(t) for t in screen.category_page.tiles.values())
