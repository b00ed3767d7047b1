"""Forms with repeatable groups, statements and rules, by clicks: a birth registration with two
witnesses and an SPTJM (Indonesian), a doctor's permit extension with the SKP proof and the
practice-place limit (English and Indonesian), through the summary into the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from gui_touch import click, named, type_text
from PySide6.QtWidgets import QLabel, QPushButton
from test_application_flow import STATUS_URL, camera_of, make_kiosk, photograph_all, walk_to_form

from kiosk.applications.documents import draw_document_like
from kiosk.core import Core
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.visit.flow import Step

MOTHER = "3171015203920002"    # a woman's NIK: day 52 = 12 + 40
FATHER = "3171011203900003"
WITNESS_1 = "3171010101800004"
WITNESS_2 = "3171014101850005"
STR_NUMBER = "3121100320145443"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps", status_url_template=STATUS_URL)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def page_picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docs") / "page.png"
    cv2.imwrite(str(path), draw_document_like(seed=4))
    return path


def answer(qtbot, kiosk: KioskWindow, text: str = "", choice: str = "") -> None:
    form = kiosk.screens[Step.FORM]
    if choice:  # a page's answers are shown by the next turn of the event loop
        qtbot.waitUntil(lambda: form.choice_buttons[choice].isVisible(), timeout=2000)
        click(qtbot, form.choice_buttons[choice])
    else:
        type_text(qtbot, kiosk, text)
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.problem is None, form.message.text()


def refused(qtbot, kiosk: KioskWindow, text: str) -> str:
    """Type ``text``, touch Next, and return the message that kept the citizen on the page."""
    form = kiosk.screens[Step.FORM]
    before = form.index
    type_text(qtbot, kiosk, text)
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.index == before and form.problem is not None
    said = form.message.text()
    click(qtbot, named(kiosk, Step.FORM, "keyClear"))
    return said


def test_birth_registration_with_two_witnesses_and_an_sptjm(qtbot, core: Core, store: ApplicationStore,
                                                            page_picture: Path) -> None:
    kiosk = make_kiosk(qtbot, core, store, camera_of(page_picture))
    walk_to_form(qtbot, kiosk, "AKTA-LAHIR")
    form = kiosk.screens[Step.FORM]
    answer(qtbot, kiosk, choice="father")
    answer(qtbot, kiosk, "BUDI SANTOSO")
    answer(qtbot, kiosk, choice="m")
    answer(qtbot, kiosk, "01112026")
    type_text(qtbot, kiosk, "0812")
    assert form.field.text() == "08:12"
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    answer(qtbot, kiosk, "JAKARTA TIMUR")
    answer(qtbot, kiosk, choice="puskesmas")
    answer(qtbot, kiosk, choice="single")
    answer(qtbot, kiosk, "1")
    answer(qtbot, kiosk, choice="midwife")
    assert refused(qtbot, kiosk, "90") == "Angka harus antara 300 dan 7000."
    answer(qtbot, kiosk, "3200")
    answer(qtbot, kiosk, "49")
    # No birth letter: the SPTJM, and what it declares, in full on the page
    assert form.question.text() == "Bukti kelahiran"
    qtbot.waitUntil(lambda: form.choice_buttons["sptjm_birth"].isVisible(), timeout=2000)
    click(qtbot, form.choice_buttons["sptjm_birth"])
    assert form.statement.isVisible() and "bertanggung jawab penuh" in form.statement.text()
    assert "2 orang saksi" in form.spoken_text()
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert refused(qtbot, kiosk, FATHER).startswith("NIK ini milik laki-laki")  # the mother's NIK is a woman's
    answer(qtbot, kiosk, MOTHER)
    answer(qtbot, kiosk, "SITI AMINAH")
    answer(qtbot, kiosk, "12031992")
    answer(qtbot, kiosk, choice="recorded")
    answer(qtbot, kiosk, FATHER)
    answer(qtbot, kiosk, "BAMBANG")
    answer(qtbot, kiosk, "12031990")
    # the witnesses, one question per page, then their list
    assert form.question.text() == "Saksi 1: NIK saksi"
    assert refused(qtbot, kiosk, MOTHER).startswith("NIK ini sudah diisi untuk orang lain")
    answer(qtbot, kiosk, WITNESS_1)
    answer(qtbot, kiosk, "AHMAD")
    assert form.question.text() == "Saksi 2: NIK saksi"
    answer(qtbot, kiosk, WITNESS_2)
    answer(qtbot, kiosk, "DEWI")
    assert form.group_list.isVisible()
    assert form.group_list.row_texts == ["Saksi 1: 3171********0004 · AHMAD", "Saksi 2: 3171********0005 · DEWI"]
    assert not form.group_list.add_button.isVisible()  # exactly two witnesses: none added, none removed
    assert not form.findChild(QPushButton, "groupRemove0").isVisible()
    click(qtbot, named(kiosk, Step.FORM, "groupEdit1"))  # a typo in the second name
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    click(qtbot, named(kiosk, Step.FORM, "letterBackspace"))
    answer(qtbot, kiosk, "I")
    assert form.group_list.row_texts[1] == "Saksi 2: 3171********0005 · DEWI"
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    answer(qtbot, kiosk, "081234567890")
    assert kiosk.current_step == Step.DOCUMENTS

    docs = kiosk.screens[Step.DOCUMENTS]
    assert [d.kind for d in docs.form.documents] == ["kk", "mother_ktp", "father_ktp", "marriage"]  # no birth letter
    assert photograph_all(qtbot, kiosk) == 4
    click(qtbot, docs.next_button)
    rows = dict(kiosk.screens[Step.SUMMARY].row_texts())
    assert rows["Saksi 1: NIK saksi"] == "3171********0004"
    assert rows["Saksi 2: Nama lengkap saksi"] == "DEWI"
    assert rows["Bukti kelahiran"].startswith("Tidak ada surat: saya membuat SPTJM")
    assert rows["Pukul lahir (JJ:MM)"] == "08:12"
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10000):
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
    outgoing = store.outgoing_application(kiosk.session.saved_application.id)
    fields = outgoing.body["fields"]
    assert fields["witnesses"] == [{"nik": WITNESS_1, "name": "AHMAD"}, {"nik": WITNESS_2, "name": "DEWI"}]
    assert fields["birth_proof"] == "sptjm_birth" and fields["father_nik"] == FATHER
    assert fields["birth_time"] == "0812" and fields["weight_g"] == "3200"
    assert [a.kind for a in outgoing.attachments] == ["kk", "mother_ktp", "father_ktp", "marriage"]


SAID = {
    "en": {"for_life": "for life", "others": "Your other practice permits (besides the one extended)",
           "limit": "You already hold 3 other permits", "rule": "at most 3 practice places",
           "same": "You already hold a permit for RSUD TARAKAN",
           "skp": "Proof of sufficient SKP credits (from SISDMK / Plataran Sehat): 1 photo",
           "row": "Other permit 1: Name of the practice place"},
    "id": {"for_life": "seumur hidup", "others": "SIP lain Anda (selain yang diperpanjang)",
           "limit": "Anda sudah punya 3 SIP lain", "rule": "paling banyak 3 tempat praktik",
           "same": "Anda sudah punya SIP untuk RSUD TARAKAN",
           "skp": "Bukti kecukupan SKP (dari SISDMK / Plataran Sehat): 1 foto",
           "row": "SIP lain 1: Nama tempat praktik"},
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_permit_extension_asks_for_the_skp_proof_and_keeps_the_place_limit(qtbot, core: Core,
                                                                         store: ApplicationStore,
                                                                         page_picture: Path, lang: str) -> None:
    said = SAID[lang]
    kiosk = make_kiosk(qtbot, core, store, camera_of(page_picture), lambda _nik: STR_NUMBER)
    walk_to_form(qtbot, kiosk, "SIP-DU-PERPANJANG", lang=lang)
    form = kiosk.screens[Step.FORM]
    qtbot.waitUntil(lambda: form.value == STR_NUMBER, timeout=5000)
    assert said["for_life"] in form.hint.text()  # the STR no longer expires: active is what counts
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    answer(qtbot, kiosk, "503/SIP/2021")
    answer(qtbot, kiosk, choice="facility")
    answer(qtbot, kiosk, "RSUD TARAKAN")
    answer(qtbot, kiosk, "JL KYAI CARINGIN 7")
    answer(qtbot, kiosk, "JAKARTA PUSAT")
    assert form.question.text() == said["others"]
    for place in ("KLINIK SEHAT", "RS MITRA", "PUSKESMAS GAMBIR"):
        click(qtbot, named(kiosk, Step.FORM, "groupAdd"))
        answer(qtbot, kiosk, place)
        answer(qtbot, kiosk, "JAKARTA")
    assert not form.group_list.add_button.isVisible()  # three is as many as the law allows besides this one
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.problem is not None and form.message.text().startswith(said["limit"])
    assert said["rule"] in form.message.text()
    click(qtbot, named(kiosk, Step.FORM, "groupRemove2"))
    click(qtbot, named(kiosk, Step.FORM, "groupEdit1"))  # the second one is this very hospital
    for _ in "RS MITRA":
        click(qtbot, named(kiosk, Step.FORM, "letterBackspace"))
    answer(qtbot, kiosk, "rsud tarakan")
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.group_list.isVisible()
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.message.text().startswith(said["same"])
    click(qtbot, named(kiosk, Step.FORM, "groupRemove1"))
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.problem is None
    answer(qtbot, kiosk, "081234567890")
    answer(qtbot, kiosk, "")
    docs = kiosk.screens[Step.DOCUMENTS]
    assert kiosk.current_step == Step.DOCUMENTS
    assert [d.kind for d in docs.form.documents] == ["ktp", "old_sip", "skp_proof", "practice_letter"]
    assert photograph_all(qtbot, kiosk) == 4
    click(qtbot, docs.next_button)
    summary = kiosk.screens[Step.SUMMARY]
    assert said["skp"] in summary.documents.text()
    assert dict(summary.row_texts())[said["row"]] == "KLINIK SEHAT"
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10000):
        click(qtbot, named(kiosk, Step.SUMMARY, "sendApplication"))
    outgoing = store.outgoing_application(kiosk.session.saved_application.id)
    assert outgoing.body["fields"]["other_sips"] == [{"place_name": "KLINIK SEHAT", "place_city": "JAKARTA"}]
    assert "skp_proof" in [a.kind for a in outgoing.attachments]


def test_idle_wipe_forgets_the_witnesses_on_screen(qtbot, core: Core, store: ApplicationStore) -> None:
    kiosk = make_kiosk(qtbot, core, store, None)
    walk_to_form(qtbot, kiosk, "AKTA-LAHIR")
    form = kiosk.screens[Step.FORM]
    draft = kiosk.session.application
    draft.groups["witnesses"] = [{"nik": WITNESS_1, "name": "AHMAD"}, {"nik": WITNESS_2, "name": "DEWI"}]
    form.start_at(next(i for i, p in enumerate(form.pages) if p.is_list))
    form.enter(kiosk.session)
    assert "AHMAD" in form.group_list.row_texts[0]
    kiosk.overlay.tick_ms = 5
    kiosk.idle.question()
    qtbot.waitUntil(lambda: kiosk.current_step == Step.WELCOME, timeout=3000)
    assert draft.groups == {} and form.group_list.row_texts == []
    assert not any("AHMAD" in w.text() for w in form.group_list.findChildren(QLabel))
