"""Large text and fit on every citizen screen (issue 17, items 1, 2 and 6).

"A+ Huruf besar" must enlarge every text a citizen sees — the header, Back and Cancel, "Tampilkan NIK",
the survey's "Pertanyaan x dari 8" — and with it on, in both orientations, nothing may be cut off (the
NIK's first digit was, in landscape) or stretched (keys, result tiles).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fit_checks import cut_off, shown, stretched
from gui_touch import click
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from kiosk.core import Core
from kiosk.queue.models import PriorityGroup
from kiosk.ui.kiosk.identify import IdentifyScreen
from kiosk.ui.kiosk.service_choice import ServiceScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.survey.flow import SurveyFlow
from kiosk.visit.flow import Step

SIZES = [(1080, 1920), (1920, 1080)]
NIK = "3171014501900001"


def served_number(core: Core, request_id: str = "large-text") -> str:
    issued = core.queue.issue("KTP-EL", request_id=request_id)
    core.queue.call_specific(2, issued.ticket.number, actor="test")
    core.queue.start(issued.ticket.id, actor="test")
    return core.queue.finish(issued.ticket.id, actor="test").number


def show(qtbot, kiosk: KioskWindow, step: Step) -> QWidget:
    screen = kiosk.screens[step]
    screen.enter(kiosk.session)
    kiosk.stack.setCurrentWidget(screen)
    kiosk._update_header()
    qtbot.wait(5)
    return screen


def citizen_states(qtbot, kiosk: KioskWindow, core: Core, number: str) -> Iterator[tuple[str, QWidget]]:
    """Every citizen screen in its busiest states, with the widget holding it; the header is shown too."""
    kiosk.session.service = kiosk.catalog.service("SIP-PERAWAT-BARU")
    kiosk.session.issued = core.queue.issue("SIP-PERAWAT-BARU", request_id="fit")
    kiosk.session.priority = PriorityGroup.DISABILITY
    for step in list(kiosk.screens):
        if step == Step.SURVEY:
            continue
        screen = show(qtbot, kiosk, step)
        yield step.value, screen
        if isinstance(screen, ServiceScreen):
            screen.set_keyboard_visible(True)
            qtbot.wait(5)
            yield "service with keyboard", screen
            screen.set_keyboard_visible(False)
        if isinstance(screen, IdentifyScreen):
            screen._set_digits(NIK[:15])  # grouped, the widest text the field shows while typing
            qtbot.wait(5)
            yield "identify typing", screen
            screen._set_digits(NIK)
            screen._toggle_reveal()  # "Tampilkan NIK": all 16 digits
            qtbot.wait(5)
            yield "identify revealed", screen
            screen.reset()
    kiosk.start_survey()
    flow = kiosk.screens[Step.SURVEY]
    assert isinstance(flow, SurveyFlow)
    qtbot.wait(5)
    yield "survey empty number", flow  # "Lanjut" disabled, with its reason
    letter, digits = number.split("-")
    click(qtbot, flow.findChild(QPushButton, f"prefix{letter}"))
    for digit in str(int(digits)):
        click(qtbot, flow.entry.keypad.findChild(QPushButton, f"key{digit}"))
    qtbot.wait(5)
    yield "survey number", flow
    click(qtbot, flow.findChild(QPushButton, "surveyEntryNext"))
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    kiosk.stack.setCurrentWidget(flow)
    kiosk._update_header()
    yield "survey intro", flow
    flow._start_questions()
    flow.index = 7  # "Pertanyaan 8 dari 8", the longest answers
    flow._show_question()
    qtbot.wait(5)
    yield "survey question", flow
    for i, page in enumerate([*flow.about_pages, flow.feedback, flow.thanks]):
        flow.pages.setCurrentWidget(page)
        qtbot.wait(5)
        yield f"survey page {i + 3}", flow


def texts(window: KioskWindow, screen: QWidget) -> list[QWidget]:
    widgets = screen.findChildren(QWidget) + window.header.findChildren(QWidget) + window.bar.findChildren(QWidget)
    return [w for w in widgets if shown(w) and isinstance(w, (QLabel, QPushButton, QLineEdit))
            and (w.text() if not isinstance(w, QLineEdit) else w.text() or w.placeholderText())]


def type_px(widget: QWidget) -> int:
    return QFontInfo(widget.font()).pixelSize()


@pytest.mark.parametrize("size", SIZES)
def test_large_text_enlarges_every_text_of_every_citizen_screen(qtbot, kiosk: KioskWindow, core: Core,
                                                                 size: tuple[int, int]) -> None:
    """Every visible text (labels, buttons, fields, the header's) is at least 1.2× larger with large text."""
    kiosk.resize(*size)
    number = served_number(core)
    normal: dict[tuple[str, int], int] = {}
    for state, screen in citizen_states(qtbot, kiosk, core, number):
        for widget in texts(kiosk, screen):
            normal[(state, id(widget))] = type_px(widget)
    kiosk.wipe()
    kiosk.set_large_text(True)
    kiosk.session.large_text = True
    same: list[str] = []
    checked = 0
    number = served_number(core, "large-text-2")
    for state, screen in citizen_states(qtbot, kiosk, core, number):
        kiosk.set_large_text(True)
        for widget in texts(kiosk, screen):
            before = normal.get((state, id(widget)))
            if before is None:
                continue
            checked += 1
            if type_px(widget) < 1.2 * before:
                text = widget.text() or getattr(widget, "placeholderText", lambda: "")()
                same.append(f"{state}: {widget.objectName() or type(widget).__name__} '{text[:30]}' "
                            f"{before} → {type_px(widget)} px")
    assert checked > 150
    assert same == [], "\n" + "\n".join(same)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_citizen_screen_fits_with_large_text(qtbot, kiosk: KioskWindow, core: Core, size: tuple[int, int],
                                                   lang: str) -> None:
    """Large text on, both orientations: no screen outgrows the window, no text is cut off, nothing is
    stretched — the NIK in the field included."""
    kiosk.resize(*size)
    kiosk.set_language(lang)
    kiosk.set_large_text(True)
    problems: list[str] = []
    for state, screen in citizen_states(qtbot, kiosk, core, served_number(core)):
        kiosk.set_large_text(True)
        qtbot.wait(1)  # rows of buttons (FlowRows) re-arrange for the larger type on the next turn of the loop
        assert (kiosk.width(), kiosk.height()) == size
        needed = screen.layout().totalMinimumSize()
        area = kiosk.stack.size()
        if needed.width() > area.width() or needed.height() > area.height():
            problems.append(f"{state} needs {needed.toTuple()} but has {area.toTuple()}")
        if kiosk.header.minimumSizeHint().width() > size[0]:
            problems.append(f"{state}: the header needs {kiosk.header.minimumSizeHint().width()} px")
        widgets = screen.findChildren(QWidget) + kiosk.header.findChildren(QWidget) + kiosk.bar.findChildren(QWidget)
        problems += cut_off(widgets, state) + stretched(widgets, state)
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("large_text", [False, True])
def test_service_list_shows_many_services_and_results_keep_their_height(qtbot, kiosk: KioskWindow,
                                                                        size: tuple[int, int],
                                                                        large_text: bool) -> None:
    """The landscape list showed 4 of 39 services; three search results were 340 px cards."""
    kiosk.resize(*size)
    kiosk.set_large_text(large_text)
    screen = show(qtbot, kiosk, Step.SERVICE)
    assert isinstance(screen, ServiceScreen)
    viewport = screen.list_scroll.viewport()
    offset = screen.list_scroll.verticalScrollBar().value()
    whole = [t for t in screen.tiles.values() if t.isVisible()
             and viewport.rect().contains(t.geometry().translated(0, -offset))]
    assert len(whole) >= (4 if large_text else 6), f"only {len(whole)} services in view"  # was 4 at normal size
    screen.set_keyboard_visible(True)
    screen.search.setText("akta")
    qtbot.wait(5)
    problems = stretched(screen.findChildren(QWidget), "search 'akta'")
    assert problems == [], "\n" + "\n".join(problems)


def test_disabled_next_says_why(qtbot, kiosk: KioskWindow) -> None:
    """A disabled "Lanjut" on the NIK step says what is missing, in the citizen's language."""
    screen = show(qtbot, kiosk, Step.IDENTIFY)
    assert isinstance(screen, IdentifyScreen)
    assert not screen.next_button.isEnabled()
    assert screen.next_reason.isVisible() and screen.next_reason.text() == "Masukkan 16 angka NIK untuk lanjut"
    screen._set_digits("0000")  # an impossible province code
    assert not screen.next_button.isEnabled() and "Perbaiki" in screen.next_reason.text()
    kiosk.set_language("en")
    assert screen.next_reason.text() == "Correct the NIK above to continue"
    screen._set_digits(NIK)
    assert screen.next_button.isEnabled()
    assert not screen.next_reason.isVisible()


def test_disabled_survey_next_says_why(qtbot, kiosk: KioskWindow) -> None:
    """The survey's number entry: "Lanjut" says whether the letter or the digits are missing."""
    kiosk.start_survey()
    flow = kiosk.screens[Step.SURVEY]
    assert isinstance(flow, SurveyFlow)
    entry = flow.entry
    assert not entry.next_button.isEnabled()
    assert entry.next_reason.isVisible() and entry.next_reason.text() == "Pilih huruf nomor Anda untuk lanjut"
    click(qtbot, flow.findChild(QPushButton, "prefixA"))
    assert entry.next_reason.text() == "Ketik angka nomor Anda untuk lanjut"
    click(qtbot, entry.keypad.findChild(QPushButton, "key1"))
    assert entry.next_button.isEnabled() and not entry.next_reason.isVisible()
