"""Filing an application at the kiosk, by clicks: form with the on-screen keyboard, document photos
from a camera (a list of generated document pictures), summary, save into the real store, receipt."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from fit_checks import cut_off, shown, stretched
from gui_touch import click, named, type_text
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QWidget

from kiosk.applications.documents import draw_document_like
from kiosk.applications.services import ApplicationServices
from kiosk.camera.sources import ImageListSource
from kiosk.catalog.forms import Problem, load_forms
from kiosk.citizen.nik import parse_nik
from kiosk.core import Core
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

VALID_NIK = "3171014501900001"
STR_NUMBER = "3121100320145443"
STATUS_URL = "https://status.mpp.example/a/{number}"


@pytest.fixture(scope="module")
def document_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docs")
    pictures = {"good": draw_document_like(seed=1), "good2": draw_document_like(seed=2, angle=-5),
                "desk": draw_document_like(scale=0.03, seed=3), "blurry": draw_document_like(blur=17)}
    paths = {}
    for name, image in pictures.items():
        paths[name] = folder / f"{name}.png"
        cv2.imwrite(str(paths[name]), image)
    return paths


def make_kiosk(qtbot, core: Core, store: ApplicationStore, camera: Callable[[], ImageListSource] | None,
               lookup: Callable[[str], str | None] | None = None) -> KioskWindow:
    services = ApplicationServices(forms=load_forms(), store=store, camera=camera, lookup_registration=lookup)
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), applications=services,
                         survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    return window


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps", status_url_template=STATUS_URL)
    yield opened
    opened.close()


def camera_of(*paths: Path) -> Callable[[], ImageListSource]:
    return lambda: ImageListSource(list(paths), fps=20, loop=True, realtime=True)


def walk_to_form(qtbot, window: KioskWindow, service: str, lang: str = "id") -> None:
    click(qtbot, named(window, Step.WELCOME, "welcomeLangEn" if lang == "en" else "welcomeLangId"))
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles[service])
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, named(window, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(window, Step.IDENTIFY, "nextButton"))
    assert window.current_step == Step.FORM


def answer(qtbot, window: KioskWindow, text: str = "", choice: str = "") -> None:
    if choice:
        click(qtbot, window.screens[Step.FORM].choice_buttons[choice])
    else:
        type_text(qtbot, window, text)
    click(qtbot, named(window, Step.FORM, "formNext"))


def photograph_all(qtbot, window: KioskWindow, *, retake_first: bool = False) -> int:
    screen = window.screens[Step.DOCUMENTS]
    taken = 0
    while screen.index < len(screen.form.documents):
        qtbot.waitUntil(lambda: screen.take_button.isEnabled() and screen.last_check is not None
                        and screen.last_check.ok, timeout=5000)
        click(qtbot, screen.take_button)
        qtbot.waitUntil(lambda: screen.reviewing is not None, timeout=5000)
        assert screen.use_button.isVisible() and screen.retake_button.isVisible()
        if retake_first and taken == 0:
            click(qtbot, screen.retake_button)
            assert screen.reviewing is None and screen.take_button.isVisible()
            retake_first = False
            continue
        click(qtbot, screen.use_button)
        taken += 1
    return taken


def test_nurse_files_a_permit_application_in_indonesian(qtbot, core: Core, store: ApplicationStore,
                                                        document_images: dict[str, Path]) -> None:
    lookups: list[str] = []

    def lookup(nik: str) -> str | None:
        lookups.append(nik)
        return STR_NUMBER

    kiosk = make_kiosk(qtbot, core, store, camera_of(document_images["good"], document_images["good2"]), lookup)
    walk_to_form(qtbot, kiosk, "SIP-PERAWAT-BARU")
    form = kiosk.screens[Step.FORM]
    assert "3171********0001" in form.nik_note.text() and VALID_NIK not in form.nik_note.text()
    assert form.question.text() == "Nomor STR"
    qtbot.waitUntil(lambda: form.value == STR_NUMBER, timeout=5000)  # prefilled from the platform
    assert lookups == [VALID_NIK]
    assert "SISDMK" in form.message.text()
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    # a choice left empty is refused with a specific message, then answered
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.problem is not None and form.message.text() == "Sentuh salah satu jawaban."
    answer(qtbot, kiosk, choice="facility")
    answer(qtbot, kiosk, "RSUD TARAKAN")
    # too short an address: the error shows, and goes once the answer is long enough
    type_text(qtbot, kiosk, "JL")
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.message.text() == "Terlalu pendek: paling sedikit 5 huruf."
    assert form.field.property("state") == "error"
    answer(qtbot, kiosk, " KYAI CARINGIN 7")
    answer(qtbot, kiosk, "JAKARTA PUSAT")
    assert form.group_list.isVisible() and form.group_list.empty.isVisible()  # no other permits: none listed
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    # a phone number that is not Indonesian mobile
    type_text(qtbot, kiosk, "12345")
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.message.text().startswith("Nomor HP tidak benar")
    for _ in range(5):
        click(qtbot, named(kiosk, Step.FORM, "keyBackspace"))
    answer(qtbot, kiosk, "081234567890")
    answer(qtbot, kiosk, "")  # email is optional
    assert kiosk.current_step == Step.DOCUMENTS

    docs = kiosk.screens[Step.DOCUMENTS]
    assert not docs.next_button.isEnabled()  # required papers first, and the screen says so beside the button
    reason = docs.next_reason
    assert reason.isVisible() and reason.text() == "Lanjut bisa disentuh setelah 3 dokumen wajib difoto."
    assert reason.geometry().bottom() <= docs.next_button.geometry().top()  # right above it, in the same column
    assert photograph_all(qtbot, kiosk, retake_first=True) == 3
    assert docs.next_button.isEnabled() and not reason.isVisible()
    click(qtbot, docs.next_button)
    assert kiosk.current_step == Step.SUMMARY

    summary = kiosk.screens[Step.SUMMARY]
    rows = dict(summary.row_texts())
    assert rows["Nomor STR"] == STR_NUMBER
    assert rows["Alamat tempat praktik"] == "JL KYAI CARINGIN 7"
    assert rows["Tempat praktik"] == "Di fasilitas kesehatan (RS, puskesmas, klinik)"
    assert rows["NIK"] == "3171********0001"
    assert summary.documents.text().count(": 1 foto") == 3
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10000):
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
    assert kiosk.current_step == Step.RECEIPT

    receipt = kiosk.screens[Step.RECEIPT]
    saved = kiosk.session.saved_application
    assert receipt.ticket.text() == kiosk.session.issued.ticket.number
    assert saved.number in receipt.number.text()
    qr = receipt.qr.pixmap().toImage().convertToFormat(receipt.qr.pixmap().toImage().Format.Format_Grayscale8)
    pixels = np.array(qr.constBits(), np.uint8).reshape(qr.height(), qr.bytesPerLine())[:, :qr.width()]
    assert zxingcpp.read_barcodes(pixels)[0].text == STATUS_URL.replace("{number}", saved.number)

    assert store.counts()["pending"] == 1
    outgoing = store.outgoing_application(saved.id)
    assert outgoing.body["fields"]["str_number"] == STR_NUMBER
    assert outgoing.body["fields"]["practice_address"] == "JL KYAI CARINGIN 7"
    assert outgoing.body["fields"]["phone"] == "081234567890"
    assert "email" not in outgoing.body["fields"]
    assert outgoing.body["ticket_number"] == kiosk.session.issued.ticket.number
    assert [a.kind for a in outgoing.attachments] == ["ktp", "practice_letter", "health_certificate"]
    draft = kiosk.session.application
    for attachment in outgoing.attachments:
        data = store.blob(attachment.sha256)
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
        assert data == draft.photos[attachment.kind][0]
        page = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert page.shape[0] > page.shape[1] and page.shape[0] >= 800  # the page alone, upright, enlarged

    click(qtbot, named(kiosk, Step.RECEIPT, "receiptDone"))
    assert kiosk.current_step == Step.WELCOME
    assert kiosk.session.application is None


def test_child_id_card_in_english_with_validation_errors(qtbot, core: Core, store: ApplicationStore,
                                                         document_images: dict[str, Path]) -> None:
    kiosk = make_kiosk(qtbot, core, store, camera_of(document_images["good"]))
    walk_to_form(qtbot, kiosk, "KIA", lang="en")
    form = kiosk.screens[Step.FORM]
    assert form.question.text() == "Child's NIK (see the family card)"
    type_text(qtbot, kiosk, "9901")
    assert form.keypad.isVisible() and not form.keyboard.isVisible()
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert "province" in form.message.text()
    click(qtbot, named(kiosk, Step.FORM, "keyClear"))
    answer(qtbot, kiosk, "3171010101150002")
    answer(qtbot, kiosk, "SITI AMINAH")
    type_text(qtbot, kiosk, "01012099")
    assert form.field.text() == "01-01-2099"
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.message.text() == "This date has not happened yet. Please check."
    click(qtbot, named(kiosk, Step.FORM, "keyClear"))
    answer(qtbot, kiosk, "01012015")
    answer(qtbot, kiosk, choice="parent")
    # the header's Back (the only one) goes one question back and keeps the answer
    click(qtbot, kiosk.bar.back_button)
    assert kiosk.current_step == Step.FORM
    assert form.choice_buttons["parent"].property("pressed") is True
    assert form.choice_buttons["parent"].title.text() == "✓ Parent"
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    answer(qtbot, kiosk, "08125550101")
    assert kiosk.current_step == Step.DOCUMENTS
    photograph_all(qtbot, kiosk)
    docs = kiosk.screens[Step.DOCUMENTS]
    first_kk = kiosk.session.application.photos["kk"][0]
    # every paper done: each one can be photographed again from its tile
    click(qtbot, docs.redo_tiles[1])
    assert "kk" not in kiosk.session.application.photos and not docs.next_button.isEnabled()
    assert docs.document.text() == "Family card (KK)"
    photograph_all(qtbot, kiosk)
    assert kiosk.session.application.photo_count("kk") == 1
    assert kiosk.session.application.photos["kk"][0] is not first_kk
    click(qtbot, docs.next_button)
    summary = kiosk.screens[Step.SUMMARY]
    rows = dict(summary.row_texts())
    assert rows["Child's date of birth (DD-MM-YYYY)"] == "01-01-2015"
    assert rows["Child's NIK (see the family card)"] == "3171********0002"
    assert rows["Your relationship to the child"] == "Parent"
    assert named(kiosk, Step.SUMMARY, "sendApplication").text() == "Yes, send my application"
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10000):
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
    saved = kiosk.session.saved_application
    body = store.outgoing_application(saved.id).body
    assert body["fields"]["child_birth_date"] == "01012015" and body["fields"]["phone"] == "08125550101"
    assert body["lang"] == "en"
    assert kiosk.screens[Step.RECEIPT].heading.text() == "✓ Your application is saved"


def test_camera_says_what_is_wrong_and_takes_no_photo_without_a_page(qtbot, core: Core, store: ApplicationStore,
                                                                     document_images: dict[str, Path]) -> None:
    kiosk = make_kiosk(qtbot, core, store, camera_of(document_images["desk"]))
    walk_to_form(qtbot, kiosk, "KIA")
    kiosk.session.application.values.update(child_nik="3171010101150002", child_name="A", child_birth_date="01012015",
                                            reporter_relation="parent", phone="081234567890")
    kiosk.show_step(Step.DOCUMENTS)
    docs = kiosk.screens[Step.DOCUMENTS]
    qtbot.waitUntil(lambda: docs.last_check is not None, timeout=5000)
    assert docs.status.text() == "Dokumen belum terlihat. Letakkan kertas di bawah kamera."
    click(qtbot, docs.take_button)
    qtbot.waitUntil(lambda: not docs.busy, timeout=5000)
    assert docs.reviewing is None and kiosk.session.application.photos == {}
    assert not docs.next_button.isEnabled()
    kiosk.set_language("en")
    assert docs.next_reason.isVisible()
    assert docs.next_reason.text() == "Next can be touched once the 2 required documents are photographed."


def test_idle_wipe_forgets_answers_and_photos(qtbot, core: Core, store: ApplicationStore,
                                              document_images: dict[str, Path]) -> None:
    kiosk = make_kiosk(qtbot, core, store, camera_of(document_images["good"]))
    walk_to_form(qtbot, kiosk, "KIA")
    answer(qtbot, kiosk, "3171010101150002")
    type_text(qtbot, kiosk, "BUDI")
    draft = kiosk.session.application
    draft.add_photo("kk", b"jpeg")
    kiosk.overlay.tick_ms = 5
    kiosk.idle.question()
    qtbot.waitUntil(lambda: kiosk.current_step == Step.WELCOME, timeout=3000)
    assert kiosk.session.application is None
    assert draft.values == {} and draft.photos == {}  # the old draft object is emptied too
    form = kiosk.screens[Step.FORM]
    assert form.field.text() == "" and not form.field.isUndoAvailable()
    assert kiosk.screens[Step.DOCUMENTS].picture.image() is None


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs (root only, like CI): the honest way to get a disk that fills up."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small file system")
    point = tmp_path / "tiny"
    point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(point)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {result.stderr.decode().strip()}")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_full_disk_sends_the_citizen_to_staff_and_keeps_everything(qtbot, core: Core, tiny_disk: Path,
                                                                  document_images: dict[str, Path],
                                                                  allow_log_errors) -> None:
    store = ApplicationStore(tiny_disk / "apps", status_url_template=STATUS_URL)
    try:
        kiosk = make_kiosk(qtbot, core, store, camera_of(document_images["good"]))
        walk_to_form(qtbot, kiosk, "KIA")
        for text in ("3171010101150002", "SITI", "01012015"):
            answer(qtbot, kiosk, text)
        answer(qtbot, kiosk, choice="parent")
        answer(qtbot, kiosk, "081234567890")
        photograph_all(qtbot, kiosk)
        click(qtbot, kiosk.screens[Step.DOCUMENTS].next_button)
        summary = kiosk.screens[Step.SUMMARY]
        before = summary.row_texts()
        filler = fill(tiny_disk)
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
        qtbot.waitUntil(lambda: summary.error.isVisible(), timeout=10000)
        ticket = core.queue.waiting(["KIA"])[0].number  # issued before the save failed
        assert summary.error.text().startswith("Maaf, permohonan belum dapat disimpan")
        assert ticket in summary.error.text()  # the queue number to show at the counter
        assert kiosk.current_step == Step.SUMMARY and summary.row_texts() == before  # nothing lost
        assert named(kiosk, Step.SUMMARY, "sendApplication").text() == "Coba lagi"
        assert any("not saved" in r.getMessage() for r in allow_log_errors)
        assert store.counts() == {"pending": 0, "sending": 0, "sent": 0, "rejected": 0}
        filler.unlink()  # staff freed some space
        with qtbot.waitSignal(kiosk.ticket_issued, timeout=10000):
            click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
        assert kiosk.current_step == Step.RECEIPT
        assert kiosk.session.issued.ticket.number == ticket  # the same number, not a second one
        assert store.counts()["pending"] == 1
        assert len(core.queue.waiting(["KIA"])) == 1
    finally:
        store.close()


def in_scroll_area(widget: QWidget) -> bool:
    """Content of a scroll area (the summary's answers) may be taller than the screen: it scrolls."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def application_states(kiosk: KioskWindow, core: Core,
                       store: ApplicationStore) -> list[tuple[Step, Callable[[], object]]]:
    """Every application screen in its busiest states: each question with its longest error, the
    documents before and after, the summary with an error, the receipt."""
    kiosk.choose_service(core.catalog.service("SIP-DSP-PINDAH"))
    kiosk.identified(parse_nik(VALID_NIK))
    form = kiosk.screens[Step.FORM]
    draft = kiosk.session.application
    kiosk.session.issued = core.queue.issue("SIP-DSP-PINDAH", request_id="fit")
    kiosk.session.saved_application = store.save(NewApplication(
        id=draft.id, service_code="SIP-DSP-PINDAH", nik=VALID_NIK, fields={"phone": "081234567890"}))
    states = []
    for index in range(len(form.pages)):  # every page, with its longest error shown
        states.append((Step.FORM, lambda i=index: (form.start_at(i), form.enter(kiosk.session), form._type("X"),
                                                   setattr(form, "_problem", Problem("characters", {})),
                                                   form._render())))

    def full_group() -> None:
        """The list page of a full group (three other permits): three rows with Change and Remove."""
        draft.groups["other_sips"] = [{"place_name": f"RUMAH SAKIT UMUM DAERAH KABUPATEN {n}", "place_city": "KOTA"}
                                      for n in range(3)]
        form.start_at(next(i for i, p in enumerate(form.pages) if p.is_list))
        form.enter(kiosk.session)
        form.next()  # the place-limit message on the list page

    states.append((Step.FORM, full_group))
    docs = kiosk.screens[Step.DOCUMENTS]
    states.append((Step.DOCUMENTS, lambda: (draft.groups.clear(), docs.enter(kiosk.session))))

    def all_photographed() -> None:
        for doc in form.form.documents:
            draft.photos[doc.kind] = [b"jpeg"] * doc.count
        docs.enter(kiosk.session)

    states.append((Step.DOCUMENTS, all_photographed))
    summary = kiosk.screens[Step.SUMMARY]
    states.append((Step.SUMMARY, lambda: (summary.enter(kiosk.session),
                                          summary.show_error("application.error.not_saved_ticket", ticket="H-001"))))
    states.append((Step.RECEIPT, lambda: (kiosk.screens[Step.RECEIPT].enter(kiosk.session),)))
    return states


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_application_screens_fit_portrait_and_landscape(qtbot, core: Core, store: ApplicationStore,
                                                        document_images: dict[str, Path], size: tuple[int, int],
                                                        large_text: bool, lang: str) -> None:
    """Every application screen, in its busiest state, fits without pushing the window or cutting text."""
    kiosk = make_kiosk(qtbot, core, store, None)
    kiosk.resize(*size)
    kiosk.set_language(lang)
    kiosk.set_large_text(large_text)
    states = application_states(kiosk, core, store)
    form = kiosk.screens[Step.FORM]
    for step, prepare in states:
        screen = kiosk.screens[step]
        kiosk.stack.setCurrentWidget(screen)
        prepare()
        kiosk._update_header()
        qtbot.wait(20)
        assert (kiosk.width(), kiosk.height()) == size
        area = kiosk.stack.size()
        needed = screen.layout().totalMinimumSize()
        assert needed.width() <= area.width() and needed.height() <= area.height(), (
            f"{step.value} needs {needed.toTuple()} but has {area.toTuple()}")
        for widget in screen.findChildren(QWidget):
            if not widget.isVisible() or widget.visibleRegion().isEmpty():
                continue
            if isinstance(widget, QPushButton) and widget.text():
                needed_px = max(widget.fontMetrics().horizontalAdvance(line) for line in widget.text().split("\n"))
                assert widget.contentsRect().width() >= needed_px, f"{step.value}: '{widget.text()}' is cut off"
                assert widget.height() >= 72, f"{step.value}: '{widget.text()}' is below 72 px"
            elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap() and not in_scroll_area(widget):
                assert widget.height() >= widget.heightForWidth(widget.width()) - 2, (
                    f"{step.value}: label '{widget.text()[:30]}' is cut off")
        # Nothing stretched (the "." key was 195×509 px), the header's larger text fits too.
        problems = stretched(screen.findChildren(QWidget), step.value) + cut_off(
            kiosk.header.findChildren(QWidget) + kiosk.bar.findChildren(QWidget), step.value)
        assert problems == [], "\n" + "\n".join(problems)
        if step == Step.FORM and form.keyboard.isVisible():
            letter = form.keyboard.letters.findChild(QPushButton, "letterQ")
            for sign in form.keyboard.sign_buttons.values():
                if sign.isVisible():
                    assert sign.width() <= 1.3 * letter.width(), f"'{sign.text()}' key is {sign.width()} px wide"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_large_text_enlarges_every_text_of_the_application_screens(qtbot, core: Core, store: ApplicationStore,
                                                                   size: tuple[int, int]) -> None:
    """Issue 17: every visible text of the form, documents, summary and receipt (and the header) grows."""
    kiosk = make_kiosk(qtbot, core, store, None)
    kiosk.resize(*size)
    states = application_states(kiosk, core, store)
    sizes: dict[tuple[int, int], int] = {}
    same: list[str] = []
    for large in (False, True):
        kiosk.set_large_text(large)
        for n, (step, prepare) in enumerate(states):
            kiosk.stack.setCurrentWidget(kiosk.screens[step])
            prepare()
            kiosk._update_header()
            qtbot.wait(10)
            bars = kiosk.header.findChildren(QWidget) + kiosk.bar.findChildren(QWidget)
            for widget in kiosk.screens[step].findChildren(QWidget) + bars:
                if not (shown(widget) and isinstance(widget, (QLabel, QPushButton)) and widget.text()):
                    continue
                px = QFontInfo(widget.font()).pixelSize()
                if not large:
                    sizes[(n, id(widget))] = px
                elif (n, id(widget)) in sizes and px < 1.2 * sizes[(n, id(widget))]:
                    same.append(f"{step.value}: '{widget.text()[:30]}' {sizes[(n, id(widget))]} → {px} px")
    assert len(sizes) > 100
    assert same == [], "\n" + "\n".join(same)


def test_a_citizen_may_leave_the_form_to_the_counter(qtbot, core: Core, store: ApplicationStore) -> None:
    kiosk = make_kiosk(qtbot, core, store, None)
    walk_to_form(qtbot, kiosk, "KK")
    assert kiosk.screens[Step.FORM].findChild(QPushButton, "formPrevious") is None  # one Back: the header's
    click(qtbot, named(kiosk, Step.FORM, "formSkip"))
    assert kiosk.current_step == Step.CONFIRM and kiosk.session.application is None
    assert kiosk.header.step.text() == "Langkah 4 dari 5"
    click(qtbot, kiosk.bar.back_button)  # changed their mind: the form again, the application path
    assert kiosk.current_step == Step.FORM and kiosk.header.step.text() == "Langkah 4 dari 7"
    click(qtbot, named(kiosk, Step.FORM, "formSkip"))
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000):
        click(qtbot, named(kiosk, Step.CONFIRM, "confirmButton"))
    assert kiosk.current_step == Step.TICKET
    assert store.counts()["pending"] == 0  # nothing filed: the clerk fills it in
