"""The satisfaction survey ("Nilai layanan kami") as one screen, for the kiosk and the counter's citizen screen.

One question per page with four large faces, each with its words (the SKM answer labels), a
progress line and bar, "Skip" and "Previous" on every question; then two short optional pages
about the person, an optional suggestion or complaint, and a thank-you page that closes itself.
The same :class:`SurveyFlow` runs inside the lobby kiosk (entered by typing the ticket number) and
in :class:`kiosk.ui.survey.counter.SurveyWindow` (entered with the ticket the clerk just finished).
The store is handed in (the composition root opens it); saving and look-ups run on a
:class:`~kiosk.ui.qt.tasks.TaskRunner`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStackedWidget, QWidget

from kiosk.catalog.services import Catalog
from kiosk.i18n import Translator
from kiosk.survey.link import NotRateable, SurveyTarget, TicketFinder, check_rateable
from kiosk.survey.model import ELEMENTS, AlreadyRated, Channel, SurveyRecorder, SurveyResponse
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.survey.faces import ANSWER_TEXT_PX
from kiosk.ui.survey.pages import (
    ABOUT_PAGES,
    AboutPage,
    EntryPage,
    FeedbackPage,
    IntroPage,
    QuestionPage,
    ThanksPage,
)
from kiosk.visit.flow import CitizenSession, Step

log = logging.getLogger(__name__)

THANKS_SECONDS = 12


class SurveyFlow(Screen):
    """The survey's pages in one screen; emits ``finished`` when the citizen is done or leaves."""

    step = Step.SURVEY
    finished = Signal()
    saved = Signal(object)  # the SurveyResponse just stored

    def __init__(self, store: SurveyRecorder, catalog: Catalog | None, runner: TaskRunner, *,
                 finder: TicketFinder | None = None, channel: Channel = "kiosk",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.catalog, self.runner, self.finder, self.channel = store, catalog, runner, finder, channel
        self.target: SurveyTarget | None = None
        self.answers: list[int | None] = [None] * len(ELEMENTS)
        self.demographics: dict[str, str] = {}
        self.index = 0
        self._number = ""
        self._letter = ""
        self._feedback_kind = "suggestion"
        self._saving = False
        self._entry_error: tuple[str, str] | None = None
        self._save_failed = False
        self._seconds = 0
        self._generation = 0  # answers from a look-up started before a reset are ignored
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages, 1)
        self.entry = EntryPage(sorted({s.ticket_prefix for s in catalog.services}) if catalog else [])
        self.intro = IntroPage()
        self.question = QuestionPage()
        self.about_pages = [AboutPage(fields, i) for i, fields in enumerate(ABOUT_PAGES)]
        self.feedback = FeedbackPage()
        self.thanks = ThanksPage()
        for page in (self.entry, self.intro, self.question, *self.about_pages, self.feedback, self.thanks):
            self.pages.addWidget(page)
        self._connect_pages()
        if channel == "kiosk":
            # One Back on every page: the kiosk's bar Back steps back inside the survey (see back()), so the
            # pages' own "Previous" would be a second button for the same thing. The counter's citizen
            # screen has no bar: there the pages keep theirs.
            for previous in (self.question.previous_button, self.feedback.back_button,
                             *(page.back_button for page in self.about_pages)):
                previous.setVisible(False)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setInterval(1000)
        self.thanks_timer.timeout.connect(self._thanks_tick)
        self._landscape = False
        self._restyled = QTimer(self)  # large text on or off: re-fit once the pages have their new type
        self._restyled.setSingleShot(True)
        self._restyled.setInterval(0)
        self._restyled.timeout.connect(self._relayout)

    def _connect_pages(self) -> None:
        self.entry.letter_picked.connect(self._pick_letter)
        self.entry.next_wanted.connect(self._check_number)
        self.entry.keypad.digit.connect(self._type_digit)
        self.entry.keypad.backspace.connect(lambda: self._set_number(self._letter, self._number[:-1]))
        self.entry.keypad.clear.connect(lambda: self._set_number("", ""))
        self.intro.start_wanted.connect(self._start_questions)
        self.intro.decline_wanted.connect(self._leave)
        self.question.answered.connect(self._answer)
        self.question.previous_wanted.connect(self._previous)
        self.question.skip_wanted.connect(self._skip)
        for page in self.about_pages:
            page.chosen.connect(self._choose)
            page.back_wanted.connect(self._previous)
            page.next_wanted.connect(self._next_page)
        self.feedback.kind_chosen.connect(self._set_kind)
        self.feedback.back_wanted.connect(self._previous)
        self.feedback.send_wanted.connect(self._send)
        self.thanks.done_wanted.connect(self._leave)

    @property
    def landscape(self) -> bool:
        """Wide enough to put things side by side (1920×1080 kiosks) rather than stacked."""
        return self.width() > self.height() * 1.2

    # -- entering ------------------------------------------------------------------------------
    @property
    def can_find_numbers(self) -> bool:
        return self.finder is not None

    def start_with_number(self) -> None:
        """The kiosk way in: the citizen types the number on their ticket."""
        self.reset()
        self.pages.setCurrentWidget(self.entry)

    def start_for(self, target: SurveyTarget) -> None:
        """The counter way in: the ticket is known."""
        self.reset()
        self.target = target
        self._fill_intro()
        self.pages.setCurrentWidget(self.intro)

    def enter(self, session: CitizenSession) -> None:
        self._relayout()

    def reset(self) -> None:
        """Forget every answer (the screen is shared by strangers)."""
        self._generation += 1
        self.thanks_timer.stop()
        self.target = None
        self.answers = [None] * len(ELEMENTS)
        self.demographics = {}
        self.index = 0
        self._saving = False
        self._save_failed = False
        self._entry_error = None
        self._set_number("", "")
        self.feedback.clear()
        for page in self.about_pages:
            page.show_choices(self.demographics)
        self._set_kind("suggestion")
        self.pages.setCurrentWidget(self.entry)

    # -- the ticket number -----------------------------------------------------------------------
    def _pick_letter(self, letter: str) -> None:
        self._set_number(letter, self._number)

    def _type_digit(self, digit: str) -> None:
        if len(self._number) < 4:
            self._set_number(self._letter, self._number + digit)

    def _set_number(self, letter: str, digits: str) -> None:
        self._letter, self._number = letter, digits
        self._entry_error = None
        self._show_entry()

    @property
    def typed_number(self) -> str:
        return f"{self._letter}-{self._number}" if self._letter or self._number else ""

    def _show_entry(self) -> None:
        t = self.t
        why = ("" if self._saving else t("survey.entry.why_letter") if not self._letter
               else t("survey.entry.why_number") if not self._number else "")
        self.entry.show_number(self._letter, self._number,
                               ready=bool(self._letter and self._number) and not self._saving, why=why)
        if self._entry_error is not None:
            key, number = self._entry_error
            # "already rated, thank you" is not a mistake: said in the plain colour, not in error red
            self.entry.show_message(t(f"survey.entry.{key}", number=number), error=key != "already_rated")
        else:
            self.entry.show_message(t("survey.entry.checking") if self._saving else "", error=False)

    def _check_number(self) -> None:
        if self.finder is None or not (self._letter and self._number):
            return
        number, finder, store, catalog = self.typed_number, self.finder, self.store, self.catalog
        generation = self._generation
        self._saving = True
        self._show_entry()
        self.runner.run(lambda: check_rateable(number, finder, store, catalog),
                        on_done=lambda target: self._number_ok(generation, target),
                        on_error=lambda exc: self._number_failed(generation, number, exc))

    def _number_ok(self, generation: int, target: SurveyTarget) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.target = target
        self._fill_intro()
        self.pages.setCurrentWidget(self.intro)

    def _number_failed(self, generation: int, number: str, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._saving = False
        if isinstance(exc, NotRateable):
            self._entry_error = (exc.reason, exc.number)
        else:
            log.warning("survey: ticket look-up failed: %s", exc)
            self._entry_error = ("offline", number)
        self._show_entry()

    # -- questions -------------------------------------------------------------------------------
    def _fill_intro(self) -> None:
        t, target = self.t, self.target
        if target is None:
            return
        name = target.service_code
        if self.catalog is not None:
            try:
                name = self.catalog.service(target.service_code).name.get(t.lang)
            except KeyError:
                pass
        self.intro.show_visit(t, name, target.counter)

    def _start_questions(self) -> None:
        self.index = 0
        self._show_question()

    def _show_question(self) -> None:
        self.question.show_element(self.t, self.index, ELEMENTS[self.index], self.answers[self.index])
        self.pages.setCurrentWidget(self.question)

    def _answer(self, score: int) -> None:
        self.answers[self.index] = score
        self._advance()

    def _skip(self) -> None:
        """On to the next question; an answer given earlier stays (the button then reads "Next")."""
        self._advance()

    def _advance(self) -> None:
        if self.index + 1 < len(ELEMENTS):
            self.index += 1
            self._show_question()
        else:
            self.pages.setCurrentWidget(self.about_pages[0])

    def _previous(self) -> None:
        self.back()

    def back(self) -> bool:
        """One page back inside the survey; False when there is nothing before (leave the survey)."""
        page = self.pages.currentWidget()
        if page is self.question:
            if self.index == 0:
                self.pages.setCurrentWidget(self.intro)
            else:
                self.index -= 1
                self._show_question()
            return True
        if page is self.about_pages[0]:
            self.index = len(ELEMENTS) - 1
            self._show_question()
            return True
        if isinstance(page, AboutPage):
            self.pages.setCurrentWidget(self.about_pages[self.about_pages.index(page) - 1])
            return True
        if page is self.feedback:
            self.pages.setCurrentWidget(self.about_pages[-1])
            return True
        if page is self.intro and self.channel == "kiosk" and self.finder is not None:
            self.pages.setCurrentWidget(self.entry)
            return True
        self.reset()  # leaving the survey: nothing of this citizen stays behind
        return False

    def _choose(self, field: str, code: str) -> None:
        """Touch to choose, touch again to un-choose (every question here is optional)."""
        if self.demographics.get(field) == code:
            del self.demographics[field]
        else:
            self.demographics[field] = code
        for page in self.about_pages:
            page.show_choices(self.demographics)

    def _next_page(self) -> None:
        page = self.pages.currentWidget()
        index = self.about_pages.index(page) if isinstance(page, AboutPage) else len(self.about_pages) - 1
        if index + 1 < len(self.about_pages):
            self.pages.setCurrentWidget(self.about_pages[index + 1])
        else:
            self.pages.setCurrentWidget(self.feedback)

    def _set_kind(self, kind: str) -> None:
        self._feedback_kind = kind
        self.feedback.show_kind(kind)

    def _toggle_keyboard(self) -> None:
        self.feedback.toggle_keyboard()

    # -- saving ----------------------------------------------------------------------------------
    def response(self) -> SurveyResponse:
        target = self.target
        text = self.feedback.text.text().strip()
        return SurveyResponse(
            answers=tuple(self.answers), ticket_id=target.ticket_id if target else None,
            ticket_number=target.ticket_number if target else None, day=target.day if target else None,
            service_code=target.service_code if target else None, agency=target.agency if target else None,
            counter=target.counter if target else None, channel=self.channel, lang=self.t.lang,
            demographics=dict(self.demographics),
            suggestion=text if self._feedback_kind == "suggestion" else "",
            complaint=text if self._feedback_kind == "complaint" else "")

    def _send(self) -> None:
        if self._saving:
            return
        response = self.response()
        store = self.store
        generation = self._generation
        self._saving = True
        self.feedback.send_button.setEnabled(False)
        self.runner.run(lambda: store.record(response),
                        on_done=lambda _id: self._saved(generation, response),
                        on_error=lambda exc: self._save_error(generation, exc))

    def _saved(self, generation: int, response: SurveyResponse) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.feedback.send_button.setEnabled(True)
        log.info("survey response saved for ticket %s (%d of %d answered)", response.ticket_number,
                 response.answered, len(ELEMENTS))
        self.saved.emit(response)
        self._show_thanks()

    def _save_error(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.feedback.send_button.setEnabled(True)
        if isinstance(exc, AlreadyRated):  # rated meanwhile on another screen: nothing is lost
            self._show_thanks()
            return
        log.warning("survey response not saved: %s", exc)
        self._save_failed = True
        self.feedback.save_error.setText(self.t("survey.thanks.error"))
        self.feedback.save_error.show()

    def _show_thanks(self) -> None:
        self._seconds = THANKS_SECONDS
        self.thanks.show_seconds(self.t, self._seconds)
        self.pages.setCurrentWidget(self.thanks)
        self.thanks_timer.start()

    def _thanks_tick(self) -> None:
        self._seconds -= 1
        if self._seconds <= 0:
            self._leave()
        else:
            self.thanks.show_seconds(self.t, self._seconds)

    def _leave(self) -> None:
        self.thanks_timer.stop()
        self.finished.emit()

    def stop(self) -> None:
        self.thanks_timer.stop()
        self._restyled.stop()

    # -- texts and layout ------------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.entry.retranslate(t)
        self.intro.retranslate(t)
        self.question.retranslate(t)
        for page in self.about_pages:
            page.retranslate(t)
        self.feedback.retranslate(t)
        if self._save_failed:
            self.feedback.save_error.setText(t("survey.thanks.error"))
        self.thanks.retranslate(t)
        self.thanks.show_seconds(t, self._seconds)
        self._show_entry()
        self._fill_intro()
        if self.pages.currentWidget() is self.question:
            self._show_question()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:  # the pages are restyled after this screen
            self._restyled.start()

    def _large_type(self) -> bool:
        """Large text is on: the answers' words are bigger than the style's normal size for this window."""
        top = self.window()
        unit = max(320, min(top.width(), top.height())) / 1080
        return self.question.tiles[0].text.fontInfo().pixelSize() > ANSWER_TEXT_PX * unit * 1.15

    def _relayout(self) -> None:
        landscape = self.landscape
        short = max(1, min(self.width(), self.height()))
        face = short * (0.13 if landscape else 0.12)  # portrait: four answers low, within reach (issue 16)
        if landscape and self._large_type():
            face *= 0.7  # four answers side by side: their larger words need the height
        self.question.set_shape(landscape, max(64, round(face)))
        self.feedback.fit(landscape)
        if landscape != self._landscape:
            self._landscape = landscape
            self.entry.set_landscape(landscape)
            self.intro.set_landscape(landscape)
            for page in self.about_pages:
                page.set_landscape(landscape)

    def spoken_text(self) -> str:
        page = self.pages.currentWidget()
        if page is self.question:
            return self.question.spoken_text(self.t, ELEMENTS[self.index])
        if page is self.entry:
            return self.entry.spoken_text()
        if page is self.intro:
            return self.intro.spoken_text()
        if page is self.thanks:
            return self.thanks.spoken_text()
        return ""
