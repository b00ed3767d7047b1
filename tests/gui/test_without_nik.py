"""Every visitor can queue (issue 16, item 1), by clicks: no KTP / NIK not known, a passport or KITAS,
a service that needs a NIK (→ the information desk), and the clerk's console seeing the mark over the
in-process queue and over a real queue host on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from gui_touch import COUNTER_TOKEN, KIOSK_TOKEN, click, named
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk.config.schema import Config, QueueSection
from kiosk.core import Core, build_core
from kiosk.printing.ticket import layout_ticket
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

WORDS = {  # what each language must say, so a missing or wrong text fails the test
    "id": {"no_ktp": "tidak membawa KTP", "title": "Identitas diperiksa di loket", "confirm": "tanpa NIK",
           "counter": "Identitas diperiksa di loket · tanpa NIK", "print": "IDENTITAS DIPERIKSA DI LOKET",
           "desk": "Layanan ini memerlukan NIK", "symbols": "huruf dan angka", "too_long": "terlalu panjang",
           "wanted": "memerlukan NIK"},
    "en": {"no_ktp": "No ID card with me", "title": "Identity checked at the counter", "confirm": "no NIK",
           "print": "IDENTITY CHECKED AT THE COUNTER",
           "desk": "This service needs a NIK", "symbols": "letters and digits", "too_long": "too long",
           "wanted": "needs a NIK"},
}


def make_kiosk(qtbot, core: Core, size: tuple[int, int] = (1080, 1920)) -> KioskWindow:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def make_counter(qtbot, core: Core) -> CounterWindow:
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    return window


def walk_to_identify(qtbot, window: KioskWindow, service: str, lang: str) -> None:
    click(qtbot, named(window, Step.WELCOME, "welcomeLangEn" if lang == "en" else "welcomeLangId"))
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)  # the list's availability has arrived
    click(qtbot, window.screens[Step.SERVICE].tiles[service])
    assert window.current_step == Step.REQUIREMENTS
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    assert window.current_step == Step.IDENTIFY


def take_ticket(qtbot, window: KioskWindow) -> object:
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as issued:
        click(qtbot, named(window, Step.CONFIRM, "confirmButton"))
    assert window.current_step == Step.TICKET
    return issued.args[0]


@pytest.fixture
def shutdown() -> Iterator[list[KioskWindow]]:
    windows: list[KioskWindow] = []
    yield windows
    for window in windows:
        window.shutdown()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_ktp_gets_a_marked_ticket_the_counter_sees(qtbot, core: Core, lang: str, shutdown) -> None:
    words = WORDS[lang]
    kiosk = make_kiosk(qtbot, core)
    shutdown.append(kiosk)
    walk_to_identify(qtbot, kiosk, "KTP-EL", lang)
    no_ktp = named(kiosk, Step.IDENTIFY, "noNikButton")
    assert words["no_ktp"] in no_ktp.text()
    assert no_ktp.geometry().bottom() <= kiosk.screens[Step.IDENTIFY].height()  # on screen, no scrolling
    click(qtbot, no_ktp)
    assert kiosk.current_step == Step.WITHOUT_NIK
    screen = kiosk.screens[Step.WITHOUT_NIK]
    assert screen.title.text() == words["title"]
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "withoutNikNext"))
    assert kiosk.current_step == Step.CONFIRM
    assert words["confirm"] in kiosk.screens[Step.CONFIRM].rows.text()
    issued = take_ticket(qtbot, kiosk)
    assert issued.ticket.identity_status == "no_nik" and issued.ticket.nik_masked is None
    ticket_screen = kiosk.screens[Step.TICKET]
    assert ticket_screen.identity.isVisible() and words["title"].split()[0] in ticket_screen.identity.text()
    # the paper says it too (and never "bring your KTP": they have none with them)
    content = kiosk.printing.content_for(issued, lang)
    assert content.verify_at_counter and content.identity_status == "no_nik"
    printed = " ".join(line.text for line in layout_ticket(content).texts)  # wrapped on the paper's width
    assert words["print"] in printed and "KTP" not in printed.split(words["print"])[1]
    # the clerk calls it and reads the mark (the console speaks its own language, not the citizen's)
    counter = make_counter(qtbot, core)
    qtbot.waitUntil(lambda: counter.waiting_list.count() == 1)
    click(qtbot, counter.buttons["call_next"])
    qtbot.waitUntil(lambda: counter.current_number.text() == issued.ticket.number)
    assert WORDS["id"]["counter"] in counter.current_detail.text()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_passport_is_normalised_checked_and_masked(qtbot, core: Core, lang: str, shutdown) -> None:
    words = WORDS[lang]
    kiosk = make_kiosk(qtbot, core)
    shutdown.append(kiosk)
    walk_to_identify(qtbot, kiosk, "KTP-EL", lang)
    click(qtbot, named(kiosk, Step.IDENTIFY, "travelDocumentButton"))
    assert kiosk.current_step == Step.TRAVEL_DOCUMENT
    screen = kiosk.screens[Step.TRAVEL_DOCUMENT]
    next_button = named(kiosk, Step.TRAVEL_DOCUMENT, "nextButton")
    assert not next_button.isEnabled() and screen.next_reason.isVisible()
    # a symbol typed on a USB keyboard: named under the field, Next held back, nothing typed is lost
    qtbot.keyClicks(screen.field, "a12-")
    assert screen.field.text() == "A12-" and words["symbols"] in screen.message.text()
    assert screen.message.objectName() == "fieldError" and not next_button.isEnabled()
    click(qtbot, named(kiosk, Step.TRAVEL_DOCUMENT, "letterBackspace"))
    assert screen.problem is None and screen.field.text() == "A12"
    # over length, on our keyboard
    for _ in range(20):
        click(qtbot, named(kiosk, Step.TRAVEL_DOCUMENT, "letter9"))
    assert words["too_long"] in screen.message.text() and not next_button.isEnabled()
    screen.reset()
    # spaces and lower case, typed on our keyboard: normalised as they are typed
    for key in ("A", "Space", "1", "2", "3", "Space", "4", "5", "6", "7"):
        click(qtbot, named(kiosk, Step.TRAVEL_DOCUMENT, f"letter{key}"))
    assert screen.field.text() == "A1234567" and screen.problem is None
    click(qtbot, next_button)
    assert kiosk.current_step == Step.WITHOUT_NIK
    body = kiosk.screens[Step.WITHOUT_NIK].body.text()
    assert "A1****67" in body and "A1234567" not in body
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "withoutNikNext"))
    rows = kiosk.screens[Step.CONFIRM].rows.text()
    assert "A1****67" in rows and "A1234567" not in rows
    issued = take_ticket(qtbot, kiosk)
    # never sent where a NIK goes: the queue keeps only the kind of document
    assert issued.ticket.identity_status == "travel_document" and issued.ticket.nik_masked is None
    assert kiosk.session.nik is None
    kiosk.wipe()  # the next visitor finds nothing of it, not even in the field's undo history
    assert kiosk.session.travel_document is None and screen.field.text() == ""
    screen.field.undo()
    assert screen.field.text() == ""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_nik_only_service_says_so_and_gives_an_information_desk_ticket(qtbot, core: Core, lang: str,
                                                                       shutdown) -> None:
    words = WORDS[lang]
    kiosk = make_kiosk(qtbot, core)
    shutdown.append(kiosk)
    walk_to_identify(qtbot, kiosk, "IKD", lang)
    click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
    screen = kiosk.screens[Step.WITHOUT_NIK]
    assert screen.title.text() == words["desk"]
    assert not named(kiosk, Step.WITHOUT_NIK, "withoutNikNext").isVisible()  # no queueing for IKD itself
    assert named(kiosk, Step.WITHOUT_NIK, "typeNikButton").isVisible()
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "deskButton"))
    assert kiosk.current_step == Step.CONFIRM
    assert words["wanted"] in kiosk.screens[Step.CONFIRM].rows.text()
    issued = take_ticket(qtbot, kiosk)
    desk = core.catalog.desk()
    assert desk is not None
    assert issued.ticket.service_code == desk.code and issued.ticket.number.startswith(desk.ticket_prefix)
    assert issued.ticket.identity_status == "no_nik"


def test_back_from_the_desk_and_remembering_the_nik_queues_for_the_wanted_service(qtbot, core: Core,
                                                                                 shutdown) -> None:
    kiosk = make_kiosk(qtbot, core)
    shutdown.append(kiosk)
    walk_to_identify(qtbot, kiosk, "IKD", "id")
    click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "deskButton"))
    kiosk.go_back()  # Back: the choice again, for IKD
    assert kiosk.current_step == Step.WITHOUT_NIK and kiosk.session.service.code == "IKD"
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "typeNikButton"))
    for digit in "3171014501900001":
        click(qtbot, named(kiosk, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(kiosk, Step.IDENTIFY, "nextButton"))
    assert kiosk.current_step == Step.CONFIRM
    issued = take_ticket(qtbot, kiosk)
    assert issued.ticket.service_code == "IKD" and issued.ticket.identity_status == "to_verify_at_counter"


def test_no_ktp_over_a_real_queue_host(qtbot, config: Config, queue_host: str, shutdown) -> None:
    """The mark travels over the LAN: kiosk → host (POST /v1/tickets) → the counter's console."""
    kiosk_core = build_core(dataclasses.replace(config, queue=QueueSection(host_url=queue_host,
                                                                           device_token=KIOSK_TOKEN)))
    counter_core = build_core(dataclasses.replace(config, queue=QueueSection(host_url=queue_host,
                                                                             device_token=COUNTER_TOKEN)))
    try:
        kiosk = make_kiosk(qtbot, kiosk_core)
        shutdown.append(kiosk)
        counter = make_counter(qtbot, counter_core)
        walk_to_identify(qtbot, kiosk, "KTP-EL", "id")
        click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
        click(qtbot, named(kiosk, Step.WITHOUT_NIK, "withoutNikNext"))
        issued = take_ticket(qtbot, kiosk)
        assert issued.ticket.identity_status == "no_nik"
        qtbot.waitUntil(lambda: counter.waiting_list.count() == 1, timeout=10_000)
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counter.current_number.text() == issued.ticket.number, timeout=10_000)
        assert "Identitas diperiksa di loket · tanpa NIK" in counter.current_detail.text()
    finally:
        for window in shutdown:
            window.shutdown()
        shutdown.clear()
        kiosk_core.close()
        counter_core.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_identify_buttons_fit_in_every_orientation_and_large_text(qtbot, core: Core, shutdown, lang: str) -> None:
    for size in ((1080, 1920), (1920, 1080)):
        kiosk = make_kiosk(qtbot, core, size)
        shutdown.append(kiosk)
        kiosk.set_large_text(True)
        walk_to_identify(qtbot, kiosk, "KTP-EL", lang)
        screen = kiosk.screens[Step.IDENTIFY]
        for name in ("noNikButton", "travelDocumentButton", "nextButton"):
            found = screen.findChild(QPushButton, name)
            assert found is not None and found.isVisible()
            box = found.rect().translated(found.mapTo(screen, found.rect().topLeft()))
            assert screen.rect().contains(box), (size, name, box, screen.rect())
            assert found.sizeHint().width() <= found.width(), (size, name, found.text())  # the words not cut


def test_the_form_left_to_the_counter_is_said_with_its_reason(qtbot, core: Core, tmp_path, shutdown) -> None:
    """A service with an application form here (KK): without a NIK the form is not asked (MPP Digital's
    application needs the NIK) and the screen says so before the citizen queues."""
    from kiosk.applications.services import ApplicationServices
    from kiosk.catalog.forms import load_forms
    from kiosk.sync.outbox import ApplicationStore

    store = ApplicationStore(tmp_path / "apps", status_url_template="https://status.example/{id}")
    try:
        services = ApplicationServices(forms=load_forms(), store=store, camera=None)
        kiosk = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), applications=services,
                            survey_store=core.survey)
        qtbot.addWidget(kiosk)
        kiosk.resize(1080, 1920)
        kiosk.show()
        shutdown.append(kiosk)
        walk_to_identify(qtbot, kiosk, "KK", "id")
        assert Step.FORM in kiosk.steps()  # with a NIK the form would come
        click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
        notes = kiosk.screens[Step.WITHOUT_NIK].notes
        assert notes.isVisible() and "Formulir diisi bersama petugas di loket" in notes.text()
        assert Step.FORM not in kiosk.steps() and "NIK" in notes.text()
        click(qtbot, named(kiosk, Step.WITHOUT_NIK, "withoutNikNext"))
        issued = take_ticket(qtbot, kiosk)
        assert issued.ticket.application_id is None and issued.ticket.identity_status == "no_nik"
    finally:
        for window in shutdown:
            window.shutdown()
        shutdown.clear()
        store.close()


def test_the_counter_application_view_says_no_form_came_without_a_nik(qtbot, core: Core) -> None:
    """A form service (KK) taken without a NIK: the console's application view tells the clerk to check the
    identity and fill the form in with the citizen (no application was filed at the kiosk)."""
    from kiosk.catalog.forms import load_forms

    core.queue.issue("KK", request_id="kk-no-nik", identity_status="no_nik")
    core.queue.issue("KK", request_id="kk-nik", nik_masked="3171********0001", identity_status="to_verify_at_counter")
    counter = CounterWindow(core.config, core.catalog, core.queue, application_finder=core.queue.application_of,
                            forms=load_forms(), survey_store=core.survey)
    qtbot.addWidget(counter)
    counter.resize(1600, 900)
    counter.show()
    try:
        counter.counter_picker.setCurrentIndex(counter.counter_picker.findData(3))  # a KK counter
        qtbot.waitUntil(lambda: counter.waiting_list.count() == 2)
        panel = counter.application_panel
        assert panel is not None and not panel.isVisible()
        click(qtbot, counter.buttons["call_next"])
        qtbot.waitUntil(lambda: counter.current_number.text() == "B-001")
        assert panel.isVisible() and "tanpa NIK" in panel.header.text()
        assert "isi formulir bersama warga" in panel.header.text()
        click(qtbot, counter.buttons["call_next"])  # a NIK without a filed form: nothing to say
        qtbot.waitUntil(lambda: counter.current_number.text() == "B-002")
        assert not panel.isVisible()
    finally:
        counter.shutdown()


def test_the_face_check_left_out_without_a_nik_is_said_with_its_reason(qtbot, core: Core, shutdown) -> None:
    from kiosk.camera.sources import ImageListSource
    from kiosk.config.schema import FaceSection
    from kiosk.identity.face_services import FaceServices

    models = core.config.model_dir
    services = FaceServices(FaceSection(), models, lambda: ImageListSource([]))
    kiosk = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), face_services=services,
                        survey_store=core.survey)
    qtbot.addWidget(kiosk)
    kiosk.resize(1080, 1920)
    kiosk.show()
    shutdown.append(kiosk)
    assert kiosk.face_check_available
    walk_to_identify(qtbot, kiosk, "KTP-EL", "en")
    assert Step.FACE in kiosk.steps()
    click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
    notes = kiosk.screens[Step.WITHOUT_NIK].notes
    assert notes.isVisible() and "The face check is skipped, because matching a face needs a NIK." in notes.text()
    assert Step.FACE not in kiosk.steps()
    click(qtbot, named(kiosk, Step.WITHOUT_NIK, "withoutNikNext"))
    assert kiosk.current_step == Step.CONFIRM  # straight on: no camera, no consent asked


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_screens_without_a_nik_are_within_reach(qtbot, core: Core, shutdown, size: tuple[int, int],
                                                    large: bool, lang: str) -> None:
    """Wheelchair reach (issue 16, item 3) on this item's screens: nothing to touch above 1,200 mm at the
    default mounting (tests/gui/fit_checks.py), the passport keyboard's top row included."""
    from fit_checks import out_of_reach

    from kiosk.config.schema import KioskSection

    mounting = KioskSection()
    screen_mm = mounting.screen_height_mm * (1 if size[1] > size[0] else size[1] / size[0])
    kiosk = make_kiosk(qtbot, core, size)
    shutdown.append(kiosk)
    kiosk.set_large_text(large)
    problems: list[str] = []

    def check(state: str) -> None:
        qtbot.wait(5)
        found, _top = out_of_reach(kiosk, [kiosk.stack.currentWidget()], f"{lang} {state}",
                                   mounting.screen_lower_edge_mm, screen_mm)
        problems.extend(found)

    walk_to_identify(qtbot, kiosk, "KTP-EL", lang)
    check("identify")
    click(qtbot, named(kiosk, Step.IDENTIFY, "travelDocumentButton"))
    check("passport")
    for key in "A1234567":
        click(qtbot, named(kiosk, Step.TRAVEL_DOCUMENT, f"letter{key}"))
    click(qtbot, named(kiosk, Step.TRAVEL_DOCUMENT, "nextButton"))
    check("without NIK, passport")
    kiosk.wipe()
    kiosk.set_large_text(large)
    walk_to_identify(qtbot, kiosk, "IKD", lang)
    click(qtbot, named(kiosk, Step.IDENTIFY, "noNikButton"))
    check("NIK-only service")
    assert problems == [], "\n" + "\n".join(problems)
