"""The satisfaction survey screens ("Nilai layanan kami"), for the kiosk and the counter's citizen screen.

One question per page with four large faces, each with its words (the SKM answer labels), a
progress line and bar, "Skip" and "Previous" on every question; then two short optional pages
about the person, an optional suggestion or complaint, and a thank-you page that closes itself.
The same :class:`SurveyFlow` runs inside the lobby kiosk (entered by typing the ticket number) and
in :class:`SurveyWindow`, the citizen-facing screen at a counter (entered with the ticket the
clerk just finished). Storage and look-ups run on a :class:`~kiosk.ui.qt.tasks.TaskRunner`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.models import Ticket
from kiosk.survey.link import NotRateable, SurveyTarget, TicketFinder, check_rateable, target_for
from kiosk.survey.model import DEMOGRAPHICS, ELEMENTS, SCORES, Channel, SurveyResponse
from kiosk.survey.store import AlreadyRated, SurveyStore
from kiosk.ui.kiosk.screens import Screen
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import PRIMARY, Scale, kiosk_style, tile_style
from kiosk.ui.qt.widgets import LetterKeyboard, NumericKeypad, button, card, label, restyle
from kiosk.visit.flow import CitizenSession, Step

log = logging.getLogger(__name__)

FACE_COLOURS = {1: "#c62828", 2: "#ef6c00", 3: "#7cb342", 4: "#2e7d32"}
THANKS_SECONDS = 12
ABOUT_PAGES: tuple[tuple[str, ...], ...] = (("sex", "age_band"), ("education", "occupation"))


def face_pixmap(score: int, size: int) -> QPixmap:
    """A face from very unhappy (1) to very happy (4): colour, eyes and mouth all say the score."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    line = max(2.0, size / 28)
    p.setPen(QPen(QColor("#0f172a"), line))
    p.setBrush(QColor(FACE_COLOURS[score]))
    p.drawEllipse(QRectF(line, line, size - 2 * line, size - 2 * line))
    p.setBrush(QColor("#0f172a"))
    eye = size * 0.075
    for x in (0.35, 0.65):
        p.drawEllipse(QPointF(size * x, size * 0.38), eye, eye)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("#0f172a"), line * 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    curve = {1: -0.16, 2: -0.07, 3: 0.08, 4: 0.17}[score]  # negative: a frown
    mouth = QPainterPath(QPointF(size * 0.3, size * 0.68))
    mouth.quadTo(QPointF(size * 0.5, size * (0.68 + 2 * curve)), QPointF(size * 0.7, size * 0.68))
    p.drawPath(mouth)
    p.end()
    return pixmap


class AnswerTile(QFrame):
    """One answer: a big face and its words, the whole tile is the touch target."""

    clicked = Signal(int)

    def __init__(self, score: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = score
        self.setObjectName("tile")
        self.setAccessibleName(f"answer{score}")
        self.setProperty("pressed", False)
        self.setProperty("selected", False)
        self.face = label("", "answerFace", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.text = label("", "answerText", align=Qt.AlignmentFlag.AlignCenter)
        for child in (self.face, self.text):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(18, 12, 18, 12)
        self.box.setSpacing(18)
        self.box.addWidget(self.face, 0, Qt.AlignmentFlag.AlignCenter)
        self.box.addWidget(self.text, 1)
        self._face_size = 0
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_vertical(self, vertical: bool, face_size: int) -> None:
        self.box.setDirection(QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight)
        self.text.setAlignment((Qt.AlignmentFlag.AlignCenter if vertical else Qt.AlignmentFlag.AlignLeft)
                               | Qt.AlignmentFlag.AlignVCenter)
        if face_size != self._face_size:
            self._face_size = face_size
            self.face.setPixmap(face_pixmap(self.score, face_size))
            self.face.setFixedSize(face_size, face_size)

    def set_selected(self, selected: bool) -> None:
        restyle(self, "selected", selected)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", True)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", False)
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.score)


def survey_style(scale: Scale) -> str:
    """What the kiosk style does not have: the selected answer and the progress bar."""
    p = scale.px
    return f"""
    QFrame#tile[selected="true"] {{ border: {max(4, p(7))}px solid {PRIMARY}; background: #dbeafe; }}
    QLabel#answerFace {{ background: transparent; }}
    QLabel#answerText {{ background: transparent; font-size: {scale.font(38)}px; font-weight: 700; }}
    QProgressBar#surveyProgress {{ border: none; background: #e2e8f0; border-radius: {p(8)}px;
                                   min-height: {p(16)}px; max-height: {p(16)}px; }}
    QProgressBar#surveyProgress::chunk {{ background: {PRIMARY}; border-radius: {p(8)}px; }}
    QLabel#ticketEntry {{ font-size: {scale.font(64)}px; font-weight: 800; border: {max(3, p(4))}px solid {PRIMARY};
                          border-radius: {p(14)}px; padding: {p(8)}px; background: white; }}
    """


class _Page(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(20)


class SurveyFlow(Screen):
    """The survey's pages in one screen; emits ``finished`` when the citizen is done or leaves."""

    step = Step.SURVEY
    finished = Signal()
    saved = Signal(object)  # the SurveyResponse just stored

    def __init__(self, store: SurveyStore, catalog: Catalog | None, runner: TaskRunner, *,
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
        self.entry = self._build_entry()
        self.intro = self._build_intro()
        self.question = self._build_question()
        self.about_pages = [self._build_about(fields, i) for i, fields in enumerate(ABOUT_PAGES)]
        self.feedback = self._build_feedback()
        self.thanks = self._build_thanks()
        for page in (self.entry, self.intro, self.question, *self.about_pages, self.feedback, self.thanks):
            self.pages.addWidget(page)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setInterval(1000)
        self.thanks_timer.timeout.connect(self._thanks_tick)
        self._landscape = False

    # -- building ------------------------------------------------------------------------------
    def _build_entry(self) -> _Page:
        page = _Page()
        self.entry_title = label("", "title")
        self.entry_subtitle = label("", "subtitle")
        self.entry_field = label("", "ticketEntry", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.entry_field.setAccessibleName("ticketEntry")
        self.entry_message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.letters_caption = label("", "sectionTitle")
        letters = sorted({s.ticket_prefix for s in self.catalog.services}) if self.catalog else []
        self.letter_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, letter in enumerate(letters):
            key = button(letter, "letter", lambda x=letter: self._pick_letter(x), name=f"prefix{letter}")
            key.setCheckable(True)
            self.letter_buttons[letter] = key
            grid.addWidget(key, i // 6, i % 6)
        self.digits_caption = label("", "sectionTitle")
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self._type_digit)
        self.keypad.backspace.connect(lambda: self._set_number(self._letter, self._number[:-1]))
        self.keypad.clear.connect(lambda: self._set_number("", ""))
        self.entry_next = button("", "primary", self._check_number, name="surveyEntryNext")
        left = QVBoxLayout()
        left.setSpacing(16)
        for widget in (self.entry_title, self.entry_subtitle, self.entry_field, self.entry_message,
                       self.letters_caption):
            left.addWidget(widget)
        left.addLayout(grid)
        left.addStretch(1)
        self.entry_left = left
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.digits_caption)
        right.addWidget(self.keypad, 1)
        self.entry_body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.entry_body.setSpacing(24)
        self.entry_body.addLayout(left)
        self.entry_body.addLayout(right, 1)
        page.box.addLayout(self.entry_body, 1)
        page.box.addWidget(self.entry_next)
        return page

    def _build_intro(self) -> _Page:
        page = _Page()
        self.intro_title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.intro_service = label("", "sectionTitle")
        self.intro_counter = label("", "body")
        box.addWidget(self.intro_service)
        box.addWidget(self.intro_counter)
        self.intro_body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.intro_faces = QHBoxLayout()
        self.intro_faces.addStretch(1)
        self.intro_face_labels = []
        for score in SCORES:
            face = label("", "", wrap=False)
            face.setPixmap(face_pixmap(score, 110))
            self.intro_face_labels.append(face)
            self.intro_faces.addWidget(face)
        self.intro_faces.addStretch(1)
        self.start_button = button("", "primary", self._start_questions, name="surveyStart")
        self.decline_button = button("", "small", self._leave, name="surveyDecline")
        page.box.addStretch(1)
        page.box.addWidget(self.intro_title)
        page.box.addWidget(frame)
        page.box.addLayout(self.intro_faces)
        page.box.addWidget(self.intro_body)
        page.box.addStretch(1)
        page.box.addWidget(self.start_button)
        page.box.addWidget(self.decline_button)
        return page

    def _build_question(self) -> _Page:
        page = _Page()
        top = QHBoxLayout()
        self.progress_label = label("", "stepLabel", wrap=False)
        self.progress_label.setAccessibleName("surveyProgressLabel")
        top.addWidget(self.progress_label)
        self.progress = QProgressBar()
        self.progress.setObjectName("surveyProgress")
        self.progress.setRange(0, len(ELEMENTS))
        self.progress.setTextVisible(False)
        self.element_name = label("", "note")
        self.question_text = label("", "title")
        self.tiles = [AnswerTile(score) for score in SCORES]
        self.answer_grid = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.answer_grid.setSpacing(18)
        for tile in self.tiles:
            tile.clicked.connect(self._answer)
            self.answer_grid.addWidget(tile, 1)
        nav = QHBoxLayout()
        nav.setSpacing(18)
        self.previous_button = button("", "small", self._previous, name="surveyPrevious")
        self.skip_button = button("", "small", self._skip, name="surveySkip")
        nav.addWidget(self.previous_button)
        nav.addWidget(self.skip_button)
        page.box.addLayout(top)
        page.box.addWidget(self.progress)
        page.box.addWidget(self.element_name)
        page.box.addWidget(self.question_text)
        page.box.addLayout(self.answer_grid, 1)
        page.box.addLayout(nav)
        return page

    def _build_about(self, fields: Sequence[str], number: int) -> _Page:
        page = _Page()
        page.title = label("", "title")  # type: ignore[attr-defined]
        page.subtitle = label("", "subtitle")  # type: ignore[attr-defined]
        page.box.addWidget(page.title)  # type: ignore[attr-defined]
        page.box.addWidget(page.subtitle)  # type: ignore[attr-defined]
        page.captions = {}  # type: ignore[attr-defined]
        self.choice_buttons: dict[tuple[str, str], QPushButton] = getattr(self, "choice_buttons", {})
        # Portrait: the two questions one under the other; landscape: side by side (see _relayout).
        page.fields = QBoxLayout(QBoxLayout.Direction.TopToBottom)  # type: ignore[attr-defined]
        page.fields.setSpacing(28)  # type: ignore[attr-defined]
        for field in fields:
            column = QVBoxLayout()
            column.setSpacing(12)
            caption = label("", "sectionTitle")
            page.captions[field] = caption  # type: ignore[attr-defined]
            column.addWidget(caption)
            grid = QGridLayout()
            grid.setSpacing(12)
            for i, code in enumerate(DEMOGRAPHICS[field]):
                choice = button("", "toggle", lambda f=field, c=code: self._choose(f, c), name=f"{field}_{code}")
                choice.setCheckable(True)
                self.choice_buttons[(field, code)] = choice
                grid.addWidget(choice, i // 2, i % 2)  # two columns: long words fit even in large text
            column.addLayout(grid)
            column.addStretch(1)
            page.fields.addLayout(column, 1)  # type: ignore[attr-defined]
        page.box.addLayout(page.fields)  # type: ignore[attr-defined]
        page.box.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(18)
        page.back_button = button("", "small", self._previous, name=f"aboutBack{number}")  # type: ignore[attr-defined]
        page.skip_button = button("", "small", self._next_page, name=f"aboutSkip{number}")  # type: ignore[attr-defined]
        page.next_button = button("", "primary", self._next_page, name=f"aboutNext{number}")  # type: ignore[attr-defined]
        row.addWidget(page.back_button)  # type: ignore[attr-defined]
        row.addWidget(page.skip_button)  # type: ignore[attr-defined]
        row.addWidget(page.next_button, 2)  # type: ignore[attr-defined]
        page.box.addLayout(row)
        return page

    def _build_feedback(self) -> _Page:
        page = _Page()
        self.feedback_title = label("", "title")
        self.feedback_subtitle = label("", "subtitle")
        kinds = QHBoxLayout()
        kinds.setSpacing(16)
        self.suggestion_toggle = button("", "toggle", lambda: self._set_kind("suggestion"), name="kindSuggestion")
        self.complaint_toggle = button("", "toggle", lambda: self._set_kind("complaint"), name="kindComplaint")
        for toggle in (self.suggestion_toggle, self.complaint_toggle):
            toggle.setCheckable(True)
            kinds.addWidget(toggle)
        self.feedback_text = QLineEdit()
        self.feedback_text.setObjectName("search")
        self.feedback_text.setMaxLength(500)
        text_row = QHBoxLayout()
        text_row.addWidget(self.feedback_text, 1)
        self.feedback_keyboard_button = button("", "small", self._toggle_keyboard, name="feedbackKeyboard")
        text_row.addWidget(self.feedback_keyboard_button)
        self.feedback_keyboard = LetterKeyboard()
        self.feedback_keyboard.typed.connect(self.feedback_text.insert)
        self.feedback_keyboard.backspace.connect(self.feedback_text.backspace)
        self.feedback_keyboard.hide()
        self.save_error = label("", "errorBanner")
        self.save_error.hide()
        row = QHBoxLayout()
        row.setSpacing(18)
        self.feedback_back = button("", "small", self._previous, name="feedbackBack")
        self.send_button = button("", "primary", self._send, name="surveySend")
        row.addWidget(self.feedback_back)
        row.addWidget(self.send_button, 2)
        for widget in (self.feedback_title, self.feedback_subtitle):
            page.box.addWidget(widget)
        page.box.addLayout(kinds)
        page.box.addLayout(text_row)
        page.box.addWidget(self.feedback_keyboard)
        page.box.addStretch(1)
        page.box.addWidget(self.save_error)
        page.box.addLayout(row)
        return page

    def _build_thanks(self) -> _Page:
        page = _Page()
        self.thanks_face = label("", "", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.thanks_face.setPixmap(face_pixmap(4, 220))
        self.thanks_title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.thanks_body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.thanks_done = button("", "primary", self._leave, name="surveyDone")
        page.box.addStretch(1)
        for widget in (self.thanks_face, self.thanks_title, self.thanks_body):
            page.box.addWidget(widget)
        page.box.addStretch(2)
        page.box.addWidget(self.thanks_done)
        return page

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
        self._feedback_kind = "suggestion"
        self._set_number("", "")
        self.feedback_text.setText("")  # also clears the undo history
        self.feedback_keyboard.hide()
        self._fit_feedback()
        self.save_error.hide()
        for choice in self.choice_buttons.values():
            choice.setChecked(False)
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
        for key, widget in self.letter_buttons.items():
            widget.setChecked(key == letter)
        self._show_entry()

    @property
    def typed_number(self) -> str:
        return f"{self._letter}-{self._number}" if self._letter or self._number else ""

    def _show_entry(self) -> None:
        t = self.t
        self.entry_field.setText(f"{self._letter or '_'} - {self._number or '___'}")
        ready = bool(self._letter and self._number) and not self._saving
        self.entry_next.setEnabled(ready)
        if self._entry_error is not None:
            key, number = self._entry_error
            self.entry_message.setObjectName("fieldError")
            self.entry_message.setText(t(f"survey.entry.{key}", number=number))
        else:
            self.entry_message.setObjectName("note")
            self.entry_message.setText(t("survey.entry.checking") if self._saving else "")
        restyle(self.entry_message, "state", "error" if self._entry_error else "")

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
        self.intro_service.setText(t("survey.intro.service", service=name))
        self.intro_counter.setText(t("survey.intro.counter", counter=target.counter) if target.counter else "")
        self.intro_counter.setVisible(bool(target.counter))

    def _start_questions(self) -> None:
        self.index = 0
        self._show_question()

    def _show_question(self) -> None:
        t = self.t
        element = ELEMENTS[self.index]
        self.progress_label.setText(t("survey.question.progress", n=self.index + 1, total=len(ELEMENTS)))
        self.progress.setValue(self.index + 1)
        self.element_name.setText(t(f"survey.element.{element.key}.name"))
        self.question_text.setText(t(f"survey.element.{element.key}.question"))
        for tile in self.tiles:
            tile.text.setText(t(f"survey.element.{element.key}.a{tile.score}"))
            tile.set_selected(self.answers[self.index] == tile.score)
        self.pages.setCurrentWidget(self.question)

    def _answer(self, score: int) -> None:
        self.answers[self.index] = score
        self._advance()

    def _skip(self) -> None:
        self.answers[self.index] = None
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
        if page in self.about_pages:
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
        for (name, value), widget in self.choice_buttons.items():
            if name == field:
                widget.setChecked(self.demographics.get(field) == value)

    def _next_page(self) -> None:
        page = self.pages.currentWidget()
        index = self.about_pages.index(page) if page in self.about_pages else len(self.about_pages) - 1
        if index + 1 < len(self.about_pages):
            self.pages.setCurrentWidget(self.about_pages[index + 1])
        else:
            self.pages.setCurrentWidget(self.feedback)

    def _set_kind(self, kind: str) -> None:
        self._feedback_kind = kind
        self.suggestion_toggle.setChecked(kind == "suggestion")
        self.complaint_toggle.setChecked(kind == "complaint")

    def _toggle_keyboard(self) -> None:
        self.feedback_keyboard.setVisible(self.feedback_keyboard.isHidden())
        self._fit_feedback()

    def _fit_feedback(self) -> None:
        """In landscape the open keyboard needs the room of the title and the kind (chosen before typing)."""
        crowded = not self.feedback_keyboard.isHidden() and self.landscape
        for widget in (self.feedback_title, self.feedback_subtitle, self.suggestion_toggle, self.complaint_toggle):
            widget.setVisible(not crowded)

    # -- saving ----------------------------------------------------------------------------------
    def response(self) -> SurveyResponse:
        target = self.target
        text = self.feedback_text.text().strip()
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
        self.send_button.setEnabled(False)
        self.runner.run(lambda: store.record(response),
                        on_done=lambda _id: self._saved(generation, response),
                        on_error=lambda exc: self._save_error(generation, exc))

    def _saved(self, generation: int, response: SurveyResponse) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.send_button.setEnabled(True)
        log.info("survey response saved for ticket %s (%d of %d answered)", response.ticket_number,
                 response.answered, len(ELEMENTS))
        self.saved.emit(response)
        self._show_thanks()

    def _save_error(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.send_button.setEnabled(True)
        if isinstance(exc, AlreadyRated):  # rated meanwhile on another screen: nothing is lost
            self._show_thanks()
            return
        log.warning("survey response not saved: %s", exc)
        self._save_failed = True
        self.save_error.setText(self.t("survey.thanks.error"))
        self.save_error.show()

    def _show_thanks(self) -> None:
        self._seconds = THANKS_SECONDS
        self._show_seconds()
        self.pages.setCurrentWidget(self.thanks)
        self.thanks_timer.start()

    def _thanks_tick(self) -> None:
        self._seconds -= 1
        if self._seconds <= 0:
            self._leave()
        else:
            self._show_seconds()

    def _show_seconds(self) -> None:
        self.thanks_done.setText(self.t("survey.thanks.done", seconds=self._seconds))

    def _leave(self) -> None:
        self.thanks_timer.stop()
        self.finished.emit()

    def stop(self) -> None:
        self.thanks_timer.stop()

    # -- texts and layout ------------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.entry_title.setText(t("survey.entry.title"))
        self.entry_subtitle.setText(t("survey.entry.subtitle"))
        self.letters_caption.setText(t("survey.entry.letter"))
        self.digits_caption.setText(t("survey.entry.number"))
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self.entry_next.setText(t("survey.entry.next"))
        self.intro_title.setText(t("survey.intro.title"))
        self.intro_body.setText(t("survey.intro.body"))
        self.start_button.setText(t("survey.intro.start"))
        self.decline_button.setText(t("survey.intro.decline"))
        self.previous_button.setText(t("survey.question.back"))
        self.skip_button.setText(t("survey.question.skip") + " ▶")
        for page in self.about_pages:
            page.title.setText(t("survey.about.title"))  # type: ignore[attr-defined]
            page.subtitle.setText(t("survey.about.subtitle"))  # type: ignore[attr-defined]
            for field, caption in page.captions.items():  # type: ignore[attr-defined]
                caption.setText(t(f"survey.demographic.{field}.title"))
            page.back_button.setText(t("survey.question.back"))  # type: ignore[attr-defined]
            page.skip_button.setText(t("survey.about.skip") + " ▶")  # type: ignore[attr-defined]
            page.next_button.setText(t("survey.about.next"))  # type: ignore[attr-defined]
        for (field, code), widget in self.choice_buttons.items():
            widget.setText(t(f"survey.demographic.{field}.{code}"))
        self.feedback_title.setText(t("survey.feedback.title"))
        self.feedback_subtitle.setText(t("survey.feedback.subtitle"))
        self.suggestion_toggle.setText(t("survey.feedback.suggestion"))
        self.complaint_toggle.setText(t("survey.feedback.complaint"))
        self.feedback_text.setPlaceholderText(t("survey.feedback.placeholder"))
        self.feedback_keyboard_button.setText(t("survey.feedback.keyboard"))
        self.feedback_keyboard.retranslate(t("keyboard.space"), t("keyboard.backspace"))
        self.feedback_back.setText(t("survey.question.back"))
        self.send_button.setText(t("survey.feedback.send"))
        if self._save_failed:
            self.save_error.setText(t("survey.thanks.error"))
        self.thanks_title.setText(t("survey.thanks.title"))
        self.thanks_body.setText(t("survey.thanks.body"))
        self._show_seconds()
        self._show_entry()
        self._fill_intro()
        if self.pages.currentWidget() is self.question:
            self._show_question()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        landscape = self.landscape
        short = max(1, min(self.width(), self.height()))
        face = max(64, round(short * (0.13 if landscape else 0.15)))
        self.answer_grid.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        for tile in self.tiles:
            tile.set_vertical(landscape, face)
        self._fit_feedback()
        if landscape != self._landscape:
            self._landscape = landscape
            self.entry_body.setDirection(QBoxLayout.Direction.LeftToRight if landscape
                                         else QBoxLayout.Direction.TopToBottom)
            # Landscape: "Next" under the letters, beside the keypad (the page is not tall enough for both).
            (self.entry.box if landscape else self.entry_left).removeWidget(self.entry_next)
            (self.entry_left if landscape else self.entry.box).addWidget(self.entry_next)
            for widget in self.intro_face_labels:
                widget.setVisible(not landscape)
            for page in self.about_pages:
                page.fields.setDirection(QBoxLayout.Direction.LeftToRight if landscape  # type: ignore[attr-defined]
                                         else QBoxLayout.Direction.TopToBottom)
                page.subtitle.setVisible(not landscape)  # type: ignore[attr-defined]

    def spoken_text(self) -> str:
        page = self.pages.currentWidget()
        if page is self.question:
            element = ELEMENTS[self.index]
            answers = ", ".join(self.t(f"survey.element.{element.key}.a{s}") for s in SCORES)
            return f"{self.progress_label.text()}. {self.question_text.text()} {answers}."
        if page is self.entry:
            return f"{self.entry_title.text()}. {self.entry_subtitle.text()}"
        if page is self.intro:
            return f"{self.intro_title.text()} {self.intro_body.text()}"
        if page is self.thanks:
            return f"{self.thanks_title.text()} {self.thanks_body.text()}"
        return ""


class SurveyWindow(QWidget):
    """The citizen-facing screen at a counter (a small touch monitor or tablet turned to the citizen).

    The clerk opens it with the ticket they just finished; it shows the same pages as the kiosk
    survey, then hides itself. Its own task runner keeps the database off the GUI thread.
    """

    closed = Signal(object, bool)  # target, whether a response was saved

    def __init__(self, config: Config, catalog: Catalog | None, store: SurveyStore,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveyWindow")
        self.config = config
        self.t = Translator(config.device.language)
        self.runner = TaskRunner("counter-survey", self)
        self.flow = SurveyFlow(store, catalog, self.runner, channel="counter")
        self.flow.finished.connect(self._finished)
        self.flow.saved.connect(lambda _r: setattr(self, "_saved", True))
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.flow)
        self._scale: Scale | None = None
        self._target: SurveyTarget | None = None
        self._saved = False
        self.flow.retranslate(self.t)
        self._apply_style()

    def open_for(self, target: SurveyTarget, lang: str | None = None) -> None:
        self.t = Translator(lang or self.config.device.language)
        self.flow.retranslate(self.t)
        self.setWindowTitle(self.t("survey.counter.window_title"))
        self._target, self._saved = target, False
        self.flow.start_for(target)
        self.show()

    def _finished(self) -> None:
        target, saved = self._target, self._saved
        self.flow.reset()
        self.hide()
        if target is not None:
            self.closed.emit(target, saved)
        self._target = None

    def _apply_style(self) -> None:
        scale = Scale.for_size(self.width() or 1080, self.height() or 1920)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(kiosk_style(scale) + tile_style(scale) + survey_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flow.stop()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.flow.stop()
        self.runner.stop()


class CounterSurvey(QObject):
    """The counter console's "Ask for a rating" (F9): after "Finish", open the survey for that ticket
    on the citizen-facing screen. One rating per ticket; the console says how it went."""

    message = Signal(str, bool)  # text, is_error

    def __init__(self, config: Config, catalog: Catalog | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.config, self.catalog = config, catalog
        self.t = Translator(config.device.language)
        self.store = SurveyStore(config.data_dir / "survey.db")
        self.window: SurveyWindow | None = None
        self.ticket: Ticket | None = None
        self.button = button("", "", self.ask, name="askRating")
        self.button.setEnabled(False)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.button.setText(f"★ {t('survey.counter.ask')}  [F9]")

    def offer(self, ticket: Ticket) -> None:
        """A ticket was just finished here: it may now be rated."""
        self.ticket = ticket
        self.button.setEnabled(True)

    def ask(self) -> None:
        if self.ticket is None or not self.button.isEnabled():
            return
        if self.window is None:
            self.window = SurveyWindow(self.config, self.catalog, self.store)
            self.window.resize(1280, 800)  # a small touch monitor or tablet turned to the citizen
            self.window.closed.connect(self._closed)
        self.button.setEnabled(False)
        self.window.open_for(target_for(self.ticket, self.catalog), self.ticket.lang)
        self.message.emit(self.t("survey.counter.opened", number=self.ticket.number), False)

    def _closed(self, target: SurveyTarget, saved: bool) -> None:
        key = "survey.counter.rated" if saved else "survey.counter.closed"
        self.message.emit(self.t(key, number=target.ticket_number), False)

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.shutdown()
            self.window.close()
            self.window.deleteLater()
            self.window = None
        self.store.close()
