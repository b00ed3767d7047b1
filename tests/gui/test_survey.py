"""The satisfaction survey, driven by clicks: at the kiosk by ticket number, and at the counter."""

from __future__ import annotations

import pytest
from gui_touch import click
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.core import Core
from kiosk.queue.models import Ticket
from kiosk.survey.model import SurveyResponse
from kiosk.survey.store import SurveyStore
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.survey.counter import CounterSurvey
from kiosk.ui.survey.flow import SurveyFlow
from kiosk.visit.flow import Step


def served(core: Core, service: str = "KTP-EL", counter: int = 2) -> Ticket:
    issued = core.queue.issue(service, request_id=f"t-{service}-{counter}")
    core.queue.call_specific(counter, issued.ticket.number, actor="test")
    core.queue.start(issued.ticket.id, actor="test")
    return core.queue.finish(issued.ticket.id, actor="test")


def flow_of(kiosk: KioskWindow) -> SurveyFlow:
    return kiosk.screens[Step.SURVEY]  # type: ignore[return-value]


def named(flow: SurveyFlow, name: str) -> QPushButton:
    found = flow.findChild(QPushButton, name)
    assert found is not None, name
    return found


def tile(flow: SurveyFlow, score: int) -> QWidget:
    return flow.question.tiles[score - 1]


def type_number(qtbot, kiosk: KioskWindow, number: str) -> None:
    flow = flow_of(kiosk)
    letter, digits = number.split("-")
    click(qtbot, named(flow, f"prefix{letter}"))
    for digit in str(int(digits)):
        click(qtbot, flow.entry.keypad.findChild(QPushButton, f"key{digit}"))
    click(qtbot, named(flow, "surveyEntryNext"))


def test_rate_a_finished_ticket_at_the_kiosk(qtbot, kiosk: KioskWindow, core: Core) -> None:
    ticket = served(core, "KTP-EL", counter=2)
    click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton"))
    assert kiosk.current_step == Step.SURVEY
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    assert "KTP Elektronik" in flow.intro.service.text() and flow.intro.counter.text() == "Loket 2"
    click(qtbot, named(flow, "surveyStart"))
    answers = [4, 3, 3, None, 4, 4, 2, 3, 4]
    for i, score in enumerate(answers):
        assert flow.question.progress_label.text() == f"Pertanyaan {i + 1} dari 9"
        if score is None:
            click(qtbot, named(flow, "surveySkip"))
        else:
            click(qtbot, tile(flow, score))
    click(qtbot, named(flow, "sex_female"))
    click(qtbot, named(flow, "age_band_60_plus"))
    click(qtbot, named(flow, "age_band_30_39"))  # changed her mind
    click(qtbot, named(flow, "aboutNext0"))
    click(qtbot, named(flow, "aboutSkip1"))
    click(qtbot, named(flow, "kindComplaint"))
    click(qtbot, named(flow, "feedbackKeyboard"))
    for letter in "ANTRE":
        click(qtbot, flow.feedback.keyboard.findChild(QPushButton, f"letter{letter}"))
    click(qtbot, named(flow, "surveySend"))
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.thanks)

    store = SurveyStore(core.config.data_dir / "survey.db")
    try:
        [saved] = store.responses_on(ticket.day)
        assert saved["answers"] == answers
        assert saved["ticket_id"] == ticket.id and saved["service_code"] == "KTP-EL" and saved["counter"] == 2
        assert saved["agency"] == "DUKCAPIL" and saved["channel"] == "kiosk"
        assert saved["demographics"] == {"sex": "female", "age_band": "30_39"}
        assert saved["complaint"] == "antre" and saved["suggestion"] == ""
    finally:
        store.close()
    click(qtbot, named(flow, "surveyDone"))
    assert kiosk.current_step == Step.WELCOME

    # the same ticket cannot be rated twice
    click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton"))
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow._entry_error is not None)
    assert flow.entry.message.text() == f"Nomor {ticket.number} sudah memberi penilaian. Terima kasih!"
    assert flow.entry.message.property("state") != "error"  # a thank-you, not a mistake in red
    assert flow.pages.currentWidget() is flow.entry


def test_unknown_and_unfinished_numbers_are_explained(qtbot, kiosk: KioskWindow, core: Core) -> None:
    waiting = core.queue.issue("KK", request_id="waiting").ticket
    click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton"))
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, waiting.number)
    qtbot.waitUntil(lambda: flow._entry_error is not None)
    assert flow.entry.message.text() == (f"Nomor {waiting.number} belum selesai dilayani. "
                                         "Beri penilaian setelah dilayani.")
    click(qtbot, flow.entry.keypad.clear_button)
    assert not named(flow, "surveyEntryNext").isEnabled()
    type_number(qtbot, kiosk, "A-077")
    qtbot.waitUntil(lambda: flow._entry_error is not None)
    assert flow.entry.message.text() == "Nomor A-077 tidak ada hari ini. Periksa tiket Anda."


def test_previous_and_header_back_move_inside_the_survey(qtbot, kiosk: KioskWindow, core: Core) -> None:
    ticket = served(core)
    kiosk.start_survey()
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    click(qtbot, named(flow, "surveyStart"))
    click(qtbot, tile(flow, 2))
    click(qtbot, tile(flow, 3))
    assert not named(flow, "surveyPrevious").isVisible()  # one Back: the kiosk's own, not a second on the page
    click(qtbot, kiosk.bar.back_button)
    assert flow.index == 1 and flow.question.tiles[2].property("selected") is True  # the answer given is shown
    click(qtbot, kiosk.bar.back_button)
    assert flow.index == 0 and flow.question.tiles[1].property("selected") is True
    skip = named(flow, "surveySkip")
    assert skip.text().startswith("Lanjut")  # answered: going on keeps the answer, nothing is "skipped"
    click(qtbot, skip)
    assert flow.index == 1 and flow.answers[:2] == [2, 3]
    click(qtbot, skip)
    assert flow.index == 2 and flow.answers[2] is None and skip.text().startswith("Lewati")
    click(qtbot, kiosk.bar.back_button)
    click(qtbot, kiosk.bar.back_button)
    click(qtbot, kiosk.bar.back_button)
    assert flow.pages.currentWidget() is flow.intro
    click(qtbot, kiosk.bar.home_button)  # "cancel, start over" forgets every answer
    assert kiosk.current_step == Step.WELCOME and flow.answers == [None] * 9


def test_declining_and_language(qtbot, kiosk: KioskWindow, core: Core) -> None:
    ticket = served(core)
    kiosk.start_survey()
    kiosk.set_language("en")
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    click(qtbot, named(flow, "surveyStart"))
    assert flow.question.question_text.text() == "Do the requirements fit the service you came for?"
    assert [t.text.text() for t in flow.question.tiles] == ["Not suitable", "Less suitable", "Suitable",
                                                            "Very suitable"]
    kiosk.set_language("id")
    assert flow.question.question_text.text() == "Apakah persyaratan pelayanan sesuai dengan jenis layanannya?"
    click(qtbot, kiosk.bar.back_button)
    click(qtbot, named(flow, "surveyDecline"))
    assert kiosk.current_step == Step.WELCOME


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_survey_page_fits(qtbot, kiosk: KioskWindow, core: Core, size: tuple[int, int], large_text: bool,
                                lang: str) -> None:
    ticket = served(core)
    kiosk.resize(*size)
    kiosk.set_language(lang)
    kiosk.set_large_text(large_text)
    kiosk.start_survey()
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    flow._start_questions()
    flow.index = 7  # the longest answers ("Ada tetapi tidak berfungsi")
    flow._show_question()
    pages = [flow.entry, flow.intro, flow.question, *flow.about_pages, flow.feedback, flow.feedback, flow.thanks]
    for i, page in enumerate(pages):
        if page is flow.feedback and i == len(pages) - 2:
            flow._toggle_keyboard()  # second time: with the keyboard open
        flow.pages.setCurrentWidget(page)
        qtbot.wait(5)
        assert (kiosk.width(), kiosk.height()) == size
        area = flow.pages.size()
        needed = page.layout().totalMinimumSize()
        assert needed.width() <= area.width() and needed.height() <= area.height(), (
            f"page {i} needs {needed.toTuple()} but has {area.toTuple()}")
        whole = flow.layout().totalMinimumSize()  # the stack asks for its largest page, shown or not
        assert whole.width() <= kiosk.stack.width() and whole.height() <= kiosk.stack.height(), (
            f"the survey needs {whole.toTuple()} but has {kiosk.stack.size().toTuple()}")
        for widget in page.findChildren(QWidget):
            if not widget.isVisible() or widget.visibleRegion().isEmpty():
                continue
            if isinstance(widget, QPushButton) and widget.text():
                needed_px = widget.fontMetrics().horizontalAdvance(widget.text())
                assert widget.contentsRect().width() >= needed_px, f"page {i}: '{widget.text()}' is cut off"
                assert widget.height() >= 72, f"page {i}: '{widget.text()}' is a small touch target"
            elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap():
                assert widget.height() >= widget.heightForWidth(widget.width()) - 2, (
                    f"page {i}: label '{widget.text()[:30]}' is cut off")


def test_counter_asks_for_a_rating_after_finishing(qtbot, core: Core) -> None:
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(counter)
    counter.resize(1600, 900)
    counter.show()
    try:
        core.queue.issue("KTP-EL", request_id="c1")
        ask = counter.findChild(QPushButton, "askRating")
        assert not ask.isEnabled()
        for action in ("call_next", "start", "finish"):
            qtbot.waitUntil(lambda a=action: counter.buttons[a].isEnabled())
            click(qtbot, counter.buttons[action])
        qtbot.waitUntil(lambda: ask.isEnabled())
        click(qtbot, ask)
        window = counter.survey.window
        assert window is not None and window.isVisible()
        flow = window.flow
        assert flow.pages.currentWidget() is flow.intro and flow.intro.counter.text() == "Loket 1"
        click(qtbot, named(flow, "surveyStart"))
        click(qtbot, flow.question.tiles[3])
        click(qtbot, named(flow, "surveyPrevious"))  # no kiosk bar at a counter: the page's own Back is the one
        assert flow.index == 0
        for _ in range(9):
            click(qtbot, flow.question.tiles[3])
        click(qtbot, named(flow, "aboutSkip0"))
        click(qtbot, named(flow, "aboutSkip1"))
        click(qtbot, named(flow, "surveySend"))
        qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.thanks)
        click(qtbot, named(flow, "surveyDone"))
        assert not window.isVisible()
        assert counter.message.text().startswith("Terima kasih: A-001 sudah dinilai")
        assert not ask.isEnabled()  # one rating per ticket
        ikm = counter.survey.store.ikm("counter")
        assert ikm[1].respondents == 1 and str(ikm[1].ikm) == "100.00"
    finally:
        counter.shutdown()


class HandedStore:
    """A survey store handed in by the composition root: the screens use it and leave closing it to its owner."""

    def __init__(self, store: SurveyStore) -> None:
        self.store, self.closed = store, False

    def record(self, response: SurveyResponse) -> str:
        return self.store.record(response)

    def is_rated(self, ticket_id: str) -> bool:
        return self.store.is_rated(ticket_id)

    def close(self) -> None:
        self.closed = True


def test_the_kiosk_and_the_counter_rate_into_the_store_they_are_handed(qtbot, core: Core, tmp_path) -> None:
    handed = HandedStore(SurveyStore(tmp_path / "handed-survey.db"))
    ticket = served(core, "KK", counter=3)
    kiosk = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=handed)
    qtbot.addWidget(kiosk)
    kiosk.resize(1080, 1920)
    kiosk.show()
    host = QWidget()
    qtbot.addWidget(host)
    counter_survey = CounterSurvey(core.config, core.catalog, host, store=handed)
    try:
        click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton"))
        flow = flow_of(kiosk)
        type_number(qtbot, kiosk, ticket.number)
        qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
        click(qtbot, named(flow, "surveyStart"))
        for _ in range(9):
            click(qtbot, named(flow, "surveySkip"))
        click(qtbot, named(flow, "aboutSkip0"))
        click(qtbot, named(flow, "aboutSkip1"))
        click(qtbot, named(flow, "surveySend"))
        qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.thanks)
        [saved] = handed.store.responses_on(ticket.day)
        assert saved["ticket_id"] == ticket.id and saved["counter"] == 3
        assert counter_survey.store is handed
    finally:
        kiosk.shutdown()
        counter_survey.shutdown()
    assert not handed.closed  # its owner (kiosk.core's role parts) closes it
    assert not (core.config.data_dir / "survey.db").exists()  # no store of their own was opened
    handed.store.close()


def test_intro_says_what_is_stored(qtbot, kiosk: KioskWindow, core: Core) -> None:
    """The survey is not called anonymous: its words say the rating is kept with the ticket number, and
    that a question may be skipped; what is stored matches (the ticket, a skip kept as no answer)."""
    ticket = served(core)
    click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton"))
    flow = flow_of(kiosk)
    type_number(qtbot, kiosk, ticket.number)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.intro)
    words = flow.intro.body.text()
    assert "Tanpa nama dan tanpa NIK" not in words and "anonim" not in words.lower()
    assert "disimpan bersama nomor tiket Anda untuk statistik per layanan" in words
    assert "boleh dilewati" in words
    assert words in flow.spoken_text()  # read aloud too
    kiosk.set_language("en")
    assert "kept with your ticket number" in flow.intro.body.text()
    kiosk.set_language("id")
    click(qtbot, named(flow, "surveyStart"))
    click(qtbot, named(flow, "surveySkip"))
    for _ in range(8):
        click(qtbot, tile(flow, 3))
    click(qtbot, named(flow, "aboutSkip0"))
    click(qtbot, named(flow, "aboutSkip1"))
    click(qtbot, named(flow, "surveySend"))
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.thanks)
    [saved] = core.survey.responses_on(ticket.day)
    assert saved["ticket_number"] == ticket.number and saved["answers"] == [None] + [3] * 8
    result = core.survey.ikm()["all"]
    assert (result.respondents, result.complete) == (1, 0)  # counts for U2..U9, not toward the sample
