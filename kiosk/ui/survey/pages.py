"""The survey's six pages: the ticket number, the intro, one question, about you (two), feedback, thanks.

Each page builds its widgets and says what was touched through its signals; the state (answers,
the number typed, which page shows) lives in :class:`kiosk.ui.survey.flow.SurveyFlow`.
Object names stay as the GUI tests and the self-test find them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Translator
from kiosk.survey.model import DEMOGRAPHICS, ELEMENTS, SCORES, Element
from kiosk.ui.qt.ticket_number import TicketNumberInput
from kiosk.ui.qt.widgets import (
    LetterKeyboard,
    button,
    card,
    explain_disabled,
    label,
    restyle,
    set_reason_beside,
    with_reason,
)
from kiosk.ui.survey.faces import AnswerTile, face_pixmap

ABOUT_PAGES: tuple[tuple[str, ...], ...] = (("sex", "age_band"), ("education", "occupation"))


def _direction(landscape: bool) -> QBoxLayout.Direction:
    return QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom


class SurveyPage(QWidget):
    """One page of the survey: a column the page fills."""

    def __init__(self) -> None:
        super().__init__()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(20)


class EntryPage(SurveyPage):
    """The kiosk way in: the letter and the digits printed on the ticket."""

    letter_picked = Signal(str)
    next_wanted = Signal()

    def __init__(self, letters: Sequence[str]) -> None:
        super().__init__()
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        # The field, the letter keys and the keypad, shared with "Cek status" by number (kiosk.ui.qt.ticket_number)
        self.number = TicketNumberInput(letters, self)
        self.number.letter_picked.connect(self.letter_picked.emit)
        self.field, self.letters_caption, self.letter_buttons = (self.number.field, self.number.letters_caption,
                                                                 self.number.letter_buttons)
        self.digits_caption, self.keypad, grid = self.number.digits_caption, self.number.keypad, self.number.letter_grid
        self.next_button = button("", "primary", self.next_wanted.emit, name="surveyEntryNext")
        self.next_area, self.next_reason = with_reason(self.next_button)
        self.left = QVBoxLayout()
        self.left.setSpacing(16)
        for widget in (self.title, self.subtitle):
            self.left.addWidget(widget)
        self.left.addStretch(1)  # what is read at the top, what is touched low (issue 16: reach)
        for widget in (self.field, self.message, self.letters_caption):
            self.left.addWidget(widget)
        self.left.addLayout(grid)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.digits_caption)
        right.addWidget(self.keypad, 1)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(24)
        self.body.addLayout(self.left, 1)
        self.body.addLayout(right)
        self.box.addLayout(self.body, 1)
        self.box.addWidget(self.next_area)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("survey.entry.title"))
        self.subtitle.setText(t("survey.entry.subtitle"))
        self.letters_caption.setText(t("survey.entry.letter"))
        self.digits_caption.setText(t("survey.entry.number"))
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self.next_button.setText(t("survey.entry.next"))

    def show_number(self, letter: str, digits: str, *, ready: bool, why: str = "") -> None:
        """``why``: what is missing, said next to the disabled "Lanjut" (none while a number is checked)."""
        self.number.show_number(letter, digits)
        explain_disabled(self.next_button, self.next_reason, "" if ready else why)
        self.next_button.setEnabled(ready)

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setObjectName("fieldError" if error else "note")
        self.message.setText(text)
        self.message.setVisible(bool(text))  # an empty line would take the room of the reason under it
        restyle(self.message, "state", "error" if error else "")

    def set_landscape(self, landscape: bool) -> None:
        self.body.setDirection(_direction(landscape))
        # Landscape: "Next" under the letters, beside the keypad (the page is not tall enough for both),
        # and why it waits beside it rather than above (no height to spare with large text).
        (self.box if landscape else self.left).removeWidget(self.next_area)
        (self.left if landscape else self.box).addWidget(self.next_area)
        set_reason_beside(self.next_area, True)  # portrait too: the keys stay within reach (issue 16)

    def spoken_text(self) -> str:
        return f"{self.title.text()}. {self.subtitle.text()}"


class IntroPage(SurveyPage):
    """Which visit is rated, the four faces, and "start" or "no thanks"."""

    start_wanted = Signal()
    decline_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.service = label("", "sectionTitle")
        self.counter = label("", "body")
        box.addWidget(self.service)
        box.addWidget(self.counter)
        self.body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        faces = QHBoxLayout()
        faces.addStretch(1)
        self.face_labels = []
        for score in SCORES:
            face = label("", "", wrap=False)
            face.setPixmap(face_pixmap(score, 110))
            self.face_labels.append(face)
            faces.addWidget(face)
        faces.addStretch(1)
        self.start_button = button("", "primary", self.start_wanted.emit, name="surveyStart")
        self.decline_button = button("", "small", self.decline_wanted.emit, name="surveyDecline")
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addWidget(frame)
        self.box.addLayout(faces)
        self.box.addWidget(self.body)
        self.box.addStretch(1)
        self.box.addWidget(self.start_button)
        self.box.addWidget(self.decline_button)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("survey.intro.title"))
        self.body.setText(t("survey.intro.body"))
        self.start_button.setText(t("survey.intro.start"))
        self.decline_button.setText(t("survey.intro.decline"))

    def show_visit(self, t: Translator, service_name: str, counter: int | None) -> None:
        self.service.setText(t("survey.intro.service", service=service_name))
        self.counter.setText(t("survey.intro.counter", counter=counter) if counter else "")
        self.counter.setVisible(bool(counter))

    def set_landscape(self, landscape: bool) -> None:
        for widget in self.face_labels:
            widget.setVisible(not landscape)

    def spoken_text(self) -> str:
        return f"{self.title.text()} {self.body.text()}"


class QuestionPage(SurveyPage):
    """One of the nine elements: progress, the question, four faces to touch, previous and skip."""

    answered = Signal(int)
    previous_wanted = Signal()
    skip_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
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
            tile.clicked.connect(self.answered.emit)
            self.answer_grid.addWidget(tile, 1)
        nav = QHBoxLayout()
        nav.setSpacing(18)
        self.previous_button = button("", "small", self.previous_wanted.emit, name="surveyPrevious")
        self.skip_button = button("", "small", self.skip_wanted.emit, name="surveySkip")
        nav.addWidget(self.previous_button)
        nav.addWidget(self.skip_button)
        self.box.addLayout(top)
        self.box.addWidget(self.progress)
        self.box.addWidget(self.element_name)
        self.box.addWidget(self.question_text)
        self.box.addStretch(1)  # the answers low, within reach (issue 16)
        self.box.addLayout(self.answer_grid)
        self.box.addLayout(nav)

    def retranslate(self, t: Translator) -> None:
        self.previous_button.setText(t("survey.question.back"))
        self.skip_button.setText(t("survey.question.skip") + " ▶")

    def show_element(self, t: Translator, index: int, element: Element, chosen: int | None) -> None:
        self.progress_label.setText(t("survey.question.progress", n=index + 1, total=len(ELEMENTS)))
        self.progress.setValue(index + 1)
        self.element_name.setText(t(f"survey.element.{element.key}.name"))
        self.question_text.setText(t(f"survey.element.{element.key}.question"))
        for tile in self.tiles:
            tile.text.setText(t(f"survey.element.{element.key}.a{tile.score}"))
            tile.set_selected(chosen == tile.score)
        # Back on an answered question, "Skip" would read as "throw my answer away": it goes on, keeping it.
        self.skip_button.setText(t("survey.question.skip" if chosen is None else "survey.question.next") + " ▶")

    def set_shape(self, landscape: bool, face_size: int) -> None:
        """Faces side by side in landscape, one under the other in portrait (this runs on every resize)."""
        self.answer_grid.setDirection(_direction(landscape))
        for tile in self.tiles:
            tile.set_vertical(landscape, face_size)

    def spoken_text(self, t: Translator, element: Element) -> str:
        answers = ", ".join(t(f"survey.element.{element.key}.a{s}") for s in SCORES)
        return f"{self.progress_label.text()}. {self.question_text.text()} {answers}."


class AboutPage(SurveyPage):
    """Two optional questions about the person (the SKM's respondent profile), touch to choose."""

    chosen = Signal(str, str)  # field, code
    back_wanted = Signal()
    next_wanted = Signal()

    def __init__(self, fields: Sequence[str], number: int) -> None:
        super().__init__()
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.box.addWidget(self.title)
        self.box.addWidget(self.subtitle)
        self.captions: dict[str, QLabel] = {}
        self.choice_buttons: dict[tuple[str, str], QPushButton] = {}
        # Portrait: the two questions one under the other; landscape: side by side (see set_landscape).
        self.fields = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.fields.setSpacing(28)
        for field in fields:
            column = QVBoxLayout()
            column.setSpacing(12)
            caption = label("", "sectionTitle")
            self.captions[field] = caption
            column.addWidget(caption)
            grid = QGridLayout()
            grid.setSpacing(12)
            for i, code in enumerate(DEMOGRAPHICS[field]):
                choice = button("", "choice", partial(self.chosen.emit, field, code), name=f"{field}_{code}")
                choice.setCheckable(True)
                self.choice_buttons[(field, code)] = choice
                grid.addWidget(choice, i // 2, i % 2)  # two columns: long words fit even in large text
            column.addLayout(grid)
            column.addStretch(1)
            self.fields.addLayout(column, 1)
        self.box.addStretch(1)  # the choices low, within reach (issue 16)
        self.box.addLayout(self.fields)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.back_button = button("", "small", self.back_wanted.emit, name=f"aboutBack{number}")
        self.skip_button = button("", "small", self.next_wanted.emit, name=f"aboutSkip{number}")
        self.next_button = button("", "primary", self.next_wanted.emit, name=f"aboutNext{number}")
        row.addWidget(self.back_button)
        row.addWidget(self.skip_button)
        row.addWidget(self.next_button, 2)
        self.box.addLayout(row)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("survey.about.title"))
        self.subtitle.setText(t("survey.about.subtitle"))
        for field, caption in self.captions.items():
            caption.setText(t(f"survey.demographic.{field}.title"))
        self.back_button.setText(t("survey.question.back"))
        self.skip_button.setText(t("survey.about.skip") + " ▶")
        self.next_button.setText(t("survey.about.next"))
        for (field, code), widget in self.choice_buttons.items():
            widget.setText(t(f"survey.demographic.{field}.{code}"))

    def show_choices(self, demographics: Mapping[str, str]) -> None:
        for (field, code), widget in self.choice_buttons.items():
            widget.setChecked(demographics.get(field) == code)

    def set_landscape(self, landscape: bool) -> None:
        self.fields.setDirection(_direction(landscape))
        self.subtitle.setVisible(not landscape)


class FeedbackPage(SurveyPage):
    """An optional suggestion or complaint, typed on our keyboard, and "send"."""

    kind_chosen = Signal(str)
    back_wanted = Signal()
    send_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        kinds = QHBoxLayout()
        kinds.setSpacing(16)
        self.suggestion_toggle = button("", "toggle", partial(self.kind_chosen.emit, "suggestion"),
                                        name="kindSuggestion")
        self.complaint_toggle = button("", "toggle", partial(self.kind_chosen.emit, "complaint"), name="kindComplaint")
        for toggle in (self.suggestion_toggle, self.complaint_toggle):
            toggle.setCheckable(True)
            kinds.addWidget(toggle)
        self.text = QLineEdit()
        self.text.setObjectName("search")
        self.text.setMaxLength(500)
        text_row = QHBoxLayout()
        text_row.addWidget(self.text, 1)
        self.keyboard_button = button("", "small", self.toggle_keyboard, name="feedbackKeyboard")
        text_row.addWidget(self.keyboard_button)
        self.keyboard = LetterKeyboard()
        self.keyboard.typed.connect(self.text.insert)
        self.keyboard.backspace.connect(self.text.backspace)
        self.keyboard.hide()
        self.save_error = label("", "errorBanner")
        self.save_error.hide()
        row = QHBoxLayout()
        row.setSpacing(18)
        self.back_button = button("", "small", self.back_wanted.emit, name="feedbackBack")
        self.send_button = button("", "primary", self.send_wanted.emit, name="surveySend")
        row.addWidget(self.back_button)
        row.addWidget(self.send_button, 2)
        for widget in (self.title, self.subtitle):
            self.box.addWidget(widget)
        self.box.addStretch(1)  # what is touched low, within reach (issue 16)
        self.box.addLayout(kinds)
        self.box.addLayout(text_row)
        self.box.addWidget(self.keyboard)
        self.box.addWidget(self.save_error)
        self.box.addLayout(row)
        self._landscape = False

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("survey.feedback.title"))
        self.subtitle.setText(t("survey.feedback.subtitle"))
        self.suggestion_toggle.setText(t("survey.feedback.suggestion"))
        self.complaint_toggle.setText(t("survey.feedback.complaint"))
        self.text.setPlaceholderText(t("survey.feedback.placeholder"))
        self.keyboard_button.setText(t("survey.feedback.keyboard"))
        self.keyboard.retranslate(t("keyboard.space"), t("keyboard.backspace"))
        self.back_button.setText(t("survey.question.back"))
        self.send_button.setText(t("survey.feedback.send"))

    def show_kind(self, kind: str) -> None:
        self.suggestion_toggle.setChecked(kind == "suggestion")
        self.complaint_toggle.setChecked(kind == "complaint")

    def toggle_keyboard(self) -> None:
        self.keyboard.setVisible(self.keyboard.isHidden())
        self.fit(self._landscape)

    def fit(self, landscape: bool) -> None:
        """In landscape the open keyboard needs the room of the title and the kind (chosen before typing)."""
        self._landscape = landscape
        crowded = not self.keyboard.isHidden() and landscape
        for widget in (self.title, self.subtitle, self.suggestion_toggle, self.complaint_toggle):
            widget.setVisible(not crowded)

    def clear(self) -> None:
        self.text.setText("")  # also clears the undo history
        self.keyboard.hide()
        self.fit(self._landscape)
        self.save_error.hide()


class ThanksPage(SurveyPage):
    """Thank you, with a button that counts down to closing the survey."""

    done_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.face = label("", "", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.face.setPixmap(face_pixmap(4, 220))
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.body = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.done_button = button("", "primary", self.done_wanted.emit, name="surveyDone")
        self.box.addStretch(1)
        for widget in (self.face, self.title, self.body):
            self.box.addWidget(widget)
        self.box.addStretch(2)
        self.box.addWidget(self.done_button)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("survey.thanks.title"))
        self.body.setText(t("survey.thanks.body"))

    def show_seconds(self, t: Translator, seconds: int) -> None:
        self.done_button.setText(t("survey.thanks.done", seconds=seconds))

    def spoken_text(self) -> str:
        return f"{self.title.text()} {self.body.text()}"
