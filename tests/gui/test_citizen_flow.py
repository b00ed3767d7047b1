"""The citizen's walk through the kiosk, driven by clicks as a person would."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator

import pytest
from gui_touch import click
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.config.schema import Config, KioskSection
from kiosk.core import Core, build_core
from kiosk.queue.models import PriorityGroup, QuotaFull, TicketState
from kiosk.ui.app import install_recovery
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

VALID_NIK = "3171014501900001"  # DKI Jakarta, woman born 5 January 1990


@pytest.fixture
def kiosk(qtbot, core: Core) -> Iterator[KioskWindow]:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window


def button(window: KioskWindow, step: Step, name: str) -> QPushButton:
    found = window.screens[step].findChild(QPushButton, name)
    assert found is not None, name
    return found


def type_nik(qtbot, window: KioskWindow, digits: str) -> None:
    for digit in digits:
        click(qtbot, button(window, Step.IDENTIFY, f"key{digit}"))


def walk_to_identify(qtbot, window: KioskWindow, service: str = "KTP-EL") -> None:
    click(qtbot, button(window, Step.WELCOME, "startButton"))
    assert window.current_step == Step.SERVICE
    click(qtbot, window.screens[Step.SERVICE].tiles[service])
    assert window.current_step == Step.REQUIREMENTS
    click(qtbot, button(window, Step.REQUIREMENTS, "nextButton"))
    assert window.current_step == Step.IDENTIFY


@pytest.mark.parametrize(("lang", "heading", "welcome"), [
    ("id", "Nomor antrean Anda", "Ambil Nomor Antrean"),
    ("en", "Your queue number", "Take a Queue Number"),
])
def test_walk_from_welcome_to_ticket(qtbot, kiosk: KioskWindow, core: Core, lang: str, heading: str,
                                     welcome: str) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "welcomeLangEn" if lang == "en" else "welcomeLangId"))
    assert button(kiosk, Step.WELCOME, "startButton").text() == welcome
    walk_to_identify(qtbot, kiosk)
    requirements = kiosk.screens[Step.REQUIREMENTS]
    qtbot.waitUntil(lambda: requirements._preview is not None)
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    assert kiosk.current_step == Step.CONFIRM
    assert "3171********0001" in kiosk.screens[Step.CONFIRM].rows.text()
    assert VALID_NIK not in kiosk.screens[Step.CONFIRM].rows.text()
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000):
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    ticket = kiosk.screens[Step.TICKET]
    assert kiosk.current_step == Step.TICKET
    assert ticket.number.text() == "A-001"
    assert ticket.heading.text() == heading
    assert "1, 2" in ticket.counters.text()
    stored = core.queue.waiting(["KTP-EL"])
    assert [t.number for t in stored] == ["A-001"]
    assert stored[0].nik_masked == "3171********0001"
    assert stored[0].lang == lang
    click(qtbot, button(kiosk, Step.TICKET, "doneButton"))
    assert kiosk.current_step == Step.WELCOME


def test_people_ahead_and_estimate_are_shown(qtbot, kiosk: KioskWindow, core: Core) -> None:
    for i in range(3):
        core.queue.issue("KTP-EL", request_id=f"earlier-{i}")
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000):
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    ticket = kiosk.screens[Step.TICKET]
    assert ticket.number.text() == "A-004"
    assert ticket.ahead.text() == "3 orang di depan Anda"
    assert "menit" in ticket.estimate.text()


def test_priority_path_marks_the_ticket(qtbot, kiosk: KioskWindow, core: Core) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "priorityButton"))
    assert kiosk.current_step == Step.PRIORITY
    click(qtbot, button(kiosk, Step.PRIORITY, "priority_elderly"))
    service_screen = kiosk.screens[Step.SERVICE]
    assert service_screen.priority_banner.isVisible()
    assert "Lansia" in service_screen.priority_banner.text()
    click(qtbot, kiosk.bar.lang_en)
    assert service_screen.priority_banner.text() == "Priority: Elderly (60 years or older)"
    click(qtbot, kiosk.bar.lang_id)
    click(qtbot, service_screen.tiles["KK"])
    click(qtbot, button(kiosk, Step.REQUIREMENTS, "nextButton"))
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    assert "Lansia" in kiosk.screens[Step.CONFIRM].rows.text()
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000) as blocker:
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    assert blocker.args[0].ticket.priority == PriorityGroup.ELDERLY
    assert core.queue.waiting(["KK"])[0].priority == PriorityGroup.ELDERLY


def test_search_by_typing_on_the_screen_keyboard(qtbot, kiosk: KioskWindow) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "startButton"))
    screen = kiosk.screens[Step.SERVICE]
    click(qtbot, screen.keyboard_button)
    for letter in "AKTA":
        click(qtbot, screen.keyboard.findChild(QPushButton, f"letter{letter}"))
    assert screen.search.text() == "akta"
    assert {s.code for s in screen.visible_services()} == {"AKTA-LAHIR", "AKTA-MATI"}
    assert all(screen.tiles[c].isVisible() for c in ("AKTA-LAHIR", "AKTA-MATI"))
    assert not screen.tiles["KTP-EL"].isVisible()
    for _ in range(4):
        click(qtbot, screen.keyboard.findChild(QPushButton, "letterBackspace"))
    for letter in "ZZQX":
        click(qtbot, screen.keyboard.findChild(QPushButton, f"letter{letter}"))
    assert screen.empty.isVisible()
    assert "zzqx" in screen.empty.text()


def test_long_list_says_there_is_more_and_pages(qtbot, kiosk: KioskWindow) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "startButton"))
    screen = kiosk.screens[Step.SERVICE]
    qtbot.waitUntil(lambda: screen.page_down.isVisible())
    assert "40 layanan" in screen.more.text()  # 39 and the information desk (issue 16)
    assert not screen.page_up.isEnabled()
    click(qtbot, screen.page_down)
    assert screen.list_scroll.verticalScrollBar().value() > 0
    assert screen.page_up.isEnabled()
    click(qtbot, screen.findChild(QPushButton, "tab_DUKCAPIL"))
    qtbot.waitUntil(lambda: not screen.page_down.isVisible() or screen.list_scroll.verticalScrollBar().value() == 0)


def test_agency_tabs_filter(qtbot, kiosk: KioskWindow) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "startButton"))
    screen = kiosk.screens[Step.SERVICE]
    click(qtbot, screen.findChild(QPushButton, "tab_DUKCAPIL"))
    assert len(screen.visible_services()) == 8
    click(qtbot, screen.findChild(QPushButton, "tab_DPMPTSP"))
    assert len(screen.visible_services()) == 31
    click(qtbot, screen.findChild(QPushButton, "tab_all"))
    assert len(screen.visible_services()) == 40


@pytest.mark.parametrize(("digits", "message"), [
    ("99", "bukan kode provinsi"),
    ("31710135", "Tanggal lahir"),
    ("3171010113", "Bulan lahir"),
    ("317101290223", "tidak ada di kalender"),
    ("3171014501900000", "tidak boleh 0000"),
])
def test_wrong_nik_gets_a_specific_message_and_no_progress(qtbot, kiosk: KioskWindow, digits: str,
                                                           message: str) -> None:
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, digits)
    screen = kiosk.screens[Step.IDENTIFY]
    assert message in screen.message.text()
    assert not button(kiosk, Step.IDENTIFY, "nextButton").isEnabled()


def test_nik_keypad_backspace_and_clear(qtbot, kiosk: KioskWindow) -> None:
    walk_to_identify(qtbot, kiosk)
    screen = kiosk.screens[Step.IDENTIFY]
    type_nik(qtbot, kiosk, "99")
    click(qtbot, button(kiosk, Step.IDENTIFY, "keyBackspace"))
    assert screen.digits == "9"
    click(qtbot, button(kiosk, Step.IDENTIFY, "keyClear"))
    assert screen.digits == ""
    type_nik(qtbot, kiosk, VALID_NIK + "99")  # extra digits are ignored
    assert screen.digits == VALID_NIK
    assert screen.field.text() == "3171 •••• •••• 0001"  # complete: masked against onlookers
    assert screen.field.isReadOnly()
    assert screen.message.text() == "✓ 16 angka lengkap"
    click(qtbot, button(kiosk, Step.IDENTIFY, "revealButton"))
    assert screen.field.text() == "3171 0145 0190 0001"
    click(qtbot, button(kiosk, Step.IDENTIFY, "keyBackspace"))
    assert screen.field.text() == "3171 0145 0190 000"
    assert not button(kiosk, Step.IDENTIFY, "revealButton").isVisible()


def test_back_goes_one_step_back_and_keeps_choices(qtbot, kiosk: KioskWindow) -> None:
    walk_to_identify(qtbot, kiosk)
    click(qtbot, kiosk.bar.back_button)
    assert kiosk.current_step == Step.REQUIREMENTS
    assert kiosk.session.service is not None and kiosk.session.service.code == "KTP-EL"
    click(qtbot, kiosk.bar.back_button)
    assert kiosk.current_step == Step.SERVICE
    click(qtbot, kiosk.bar.home_button)
    assert kiosk.current_step == Step.WELCOME
    assert kiosk.session.service is None


def test_idle_asks_then_wipes_everything(qtbot, kiosk: KioskWindow) -> None:
    click(qtbot, button(kiosk, Step.WELCOME, "welcomeLangEn"))
    click(qtbot, kiosk.bar.text_size)
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, "317101450")
    field = kiosk.screens[Step.IDENTIFY].field
    qtbot.keyClicks(field, "3")  # a USB keypad types into the field: that leaves undo history
    assert field.text() == "3171 0145 03"
    assert field.isUndoAvailable()
    kiosk.overlay.tick_ms = 10
    kiosk.idle_timer.setInterval(20)
    kiosk.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.overlay.isVisible(), timeout=2000)
    assert kiosk.overlay.question.text() == "Still there?"
    qtbot.waitUntil(lambda: kiosk.current_step == Step.WELCOME, timeout=3000)
    assert field.text() == ""
    assert not field.isUndoAvailable()
    assert kiosk.session.nik is None and kiosk.session.service is None
    assert kiosk.session.lang == "id" and not kiosk.session.large_text
    assert not kiosk.bar.text_size.isChecked()
    assert button(kiosk, Step.WELCOME, "startButton").text() == "Ambil Nomor Antrean"


def test_still_here_keeps_the_input(qtbot, kiosk: KioskWindow) -> None:
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, "3171")
    kiosk.idle_timer.setInterval(20)
    kiosk.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.overlay.isVisible(), timeout=2000)
    click(qtbot, kiosk.overlay.stay_button)
    assert not kiosk.overlay.isVisible()
    assert kiosk.current_step == Step.IDENTIFY
    assert kiosk.screens[Step.IDENTIFY].digits == "3171"
    assert kiosk.idle_timer.isActive()


def test_welcome_never_times_out(qtbot, kiosk: KioskWindow) -> None:
    assert kiosk.current_step == Step.WELCOME
    assert not kiosk.idle_timer.isActive()


def test_ticket_screen_returns_to_welcome_by_itself(qtbot, kiosk: KioskWindow) -> None:
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000):
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    kiosk.ticket_timer.setInterval(5)
    qtbot.waitUntil(lambda: kiosk.current_step == Step.WELCOME, timeout=5000)


def test_quota_filled_while_the_nik_is_typed_is_explained_and_nothing_is_issued(qtbot, kiosk: KioskWindow,
                                                                                core: Core) -> None:
    """A full quota is told on the service list (tests/gui/test_service_availability.py); this is the
    race the confirm step still answers: the last tickets went to other kiosks while this citizen typed."""
    walk_to_identify(qtbot, kiosk, service="KIA")
    type_nik(qtbot, kiosk, VALID_NIK)
    i = 0
    with pytest.raises(QuotaFull):
        while True:
            core.queue.issue("KIA", request_id=f"fill-{i}")
            i += 1
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    confirm = kiosk.screens[Step.CONFIRM]
    click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    qtbot.waitUntil(lambda: confirm.error.isVisible(), timeout=5000)
    assert "Kuota antrean" in confirm.error.text()
    assert kiosk.current_step == Step.CONFIRM
    assert len(core.queue.waiting(["KIA"])) == i


def test_retry_after_a_lost_answer_gives_the_same_ticket(qtbot, kiosk: KioskWindow, core: Core) -> None:
    """The request id stays the same for the same choice, so a retry cannot make a second ticket."""
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    first = core.queue.issue("KTP-EL", request_id=kiosk.session.request_id())  # answer "lost" on the way
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000) as blocker:
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    assert blocker.args[0].ticket.id == first.ticket.id
    assert len(core.queue.waiting(["KTP-EL"])) == 1


def test_broken_catalog_shows_unavailable(qtbot, config: Config, tmp_path, allow_log_errors) -> None:
    bad = tmp_path / "services.json"
    bad.write_text("{ not json", encoding="utf-8")
    config = dataclasses.replace(config, kiosk=KioskSection(catalog_path=str(bad), speech="off"))
    core = build_core(config)
    try:
        window = KioskWindow(config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
        qtbot.addWidget(window)
        window.show()
        # both languages at once: a broken kiosk offers no language switch
        assert window.unavailable.title.text() == "Katalog layanan tidak tersedia\nService catalog unavailable"
        window.set_language("en")
        assert window.unavailable.title.text() == "Service catalog unavailable\nKatalog layanan tidak tersedia"
        assert not window.bar.back_button.isVisible()
    finally:
        core.close()


def test_unexpected_error_returns_to_welcome(qtbot, kiosk: KioskWindow, allow_log_errors) -> None:
    undo = install_recovery(kiosk)
    try:
        walk_to_identify(qtbot, kiosk)
        type_nik(qtbot, kiosk, "3171")
        try:
            raise RuntimeError("simulated bug in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        undo()
    assert kiosk.current_step == Step.WELCOME
    assert kiosk.screens[Step.IDENTIFY].digits == ""
    assert any("unexpected error" in r.getMessage() for r in allow_log_errors)


def test_language_switch_mid_flow_keeps_choices(qtbot, kiosk: KioskWindow) -> None:
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, "3171")
    click(qtbot, kiosk.bar.lang_en)
    screen = kiosk.screens[Step.IDENTIFY]
    assert screen.title.text() == "Enter your NIK"
    assert screen.digits == "3171"
    assert kiosk.header.step.text() == "Step 3 of 5"


def test_large_text_makes_type_bigger(qtbot, kiosk: KioskWindow) -> None:
    def title_px() -> int:
        return kiosk.screens[Step.WELCOME].title.font().pixelSize()

    normal = title_px()
    click(qtbot, button(kiosk, Step.WELCOME, "startButton"))
    click(qtbot, kiosk.bar.text_size)
    assert title_px() >= normal * 1.25


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_screen_fits_portrait_and_landscape(qtbot, kiosk: KioskWindow, core: Core, size: tuple[int, int],
                                                  large_text: bool, lang: str) -> None:
    """No screen pushes the window bigger than the display, and no text is cut off."""
    kiosk.resize(*size)
    kiosk.set_language(lang)
    kiosk.set_large_text(large_text)
    kiosk.session.service = kiosk.catalog.service("SIP-PERAWAT-BARU")
    kiosk.session.issued = core.queue.issue("SIP-PERAWAT-BARU", request_id="fit")
    kiosk.session.priority = PriorityGroup.DISABILITY
    screens = [*kiosk.screens.items(), (Step.SERVICE, kiosk.screens[Step.SERVICE])]  # 2nd time: keyboard open
    for i, (step, screen) in enumerate(screens):
        screen.enter(kiosk.session)
        if i == len(screens) - 1:
            screen.set_keyboard_visible(True)  # type: ignore[attr-defined]
        kiosk.stack.setCurrentWidget(screen)
        kiosk._update_header()
        qtbot.wait(5)
        assert (kiosk.width(), kiosk.height()) == size
        area = kiosk.stack.size()
        needed = screen.layout().totalMinimumSize()  # wrapped labels are checked one by one below
        assert needed.width() <= area.width() and needed.height() <= area.height(), (
            f"{step.value} needs {needed.toTuple()} but has {area.toTuple()}")
        assert kiosk.header.minimumSizeHint().width() <= size[0]
        bars = kiosk.header.findChildren(QWidget) + kiosk.bar.findChildren(QWidget)
        for widget in screen.findChildren(QWidget) + bars:
            if not widget.isVisible() or widget.visibleRegion().isEmpty():
                continue
            if isinstance(widget, QPushButton) and widget.text():
                lines = widget.text().split("\n")
                needed = max(widget.fontMetrics().horizontalAdvance(line) for line in lines)
                assert widget.contentsRect().width() >= needed, f"{step.value}: '{widget.text()}' is cut off"
            elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap():
                assert widget.height() >= widget.heightForWidth(widget.width()) - 2, (
                    f"{step.value}: label '{widget.text()[:30]}' is cut off")


def test_touch_targets_are_at_least_72_px(qtbot, kiosk: KioskWindow) -> None:
    kiosk.resize(1080, 1920)
    walk_to_identify(qtbot, kiosk)
    qtbot.wait(10)
    small = [b.objectName() for b in kiosk.findChildren(QPushButton) if b.isVisible() and b.height() < 72]
    assert small == []


def test_speaker_button_hidden_without_voice(qtbot, kiosk: KioskWindow) -> None:
    assert not kiosk.bar.speak_button.isVisible()
    kiosk.speak()  # no voice: silently nothing


def test_ticket_state_is_issued_and_waiting(qtbot, kiosk: KioskWindow, core: Core) -> None:
    walk_to_identify(qtbot, kiosk)
    type_nik(qtbot, kiosk, VALID_NIK)
    click(qtbot, button(kiosk, Step.IDENTIFY, "nextButton"))
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000) as blocker:
        click(qtbot, button(kiosk, Step.CONFIRM, "confirmButton"))
    issued = blocker.args[0]
    assert core.queue.get(issued.ticket.id).state == TicketState.ISSUED
    assert issued.ticket.identity_status == "to_verify_at_counter"
