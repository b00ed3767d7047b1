"""The application form: one question per page, with the right on-screen keyboard for the answer.

A group (the witnesses) is asked person by person, question by question, then shown as a list
(:class:`~.group.GroupList`) where a person is changed, removed or added within the group's bounds.
Which pages there are, and what is wrong on one, comes from :mod:`kiosk.catalog.form_answers`.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from kiosk.applications.drafts import ApplicationDraft
from kiosk.catalog.forms import Field, Form, FormSet, Page, Problem, check_page, normalize, pages, show_date, show_time
from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.group import GroupList
from kiosk.ui.kiosk.application.widgets import clear_layout
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.kiosk.privacy_notice import PrivacyNotice
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import LetterKeyboard, NumericKeypad, button, label, restyle
from kiosk.visit.flow import CitizenSession, Step


def problem_text(t: Translator, problem: Problem) -> str:
    if problem.key.startswith("nik."):
        return t(f"nik.error.{problem.key[4:]}")
    if problem.key.startswith("forms."):
        return t(problem.key, **problem.params)
    return t(f"application.error.{problem.key}", **problem.params)



class FormKeyboard(QWidget):
    """Letters, digits and the few signs forms need (our own keyboard: Qt Virtual Keyboard is GPL)."""

    typed = Signal(str)
    backspace = Signal()

    SIGNS = {"email": "@._-", "registration": "-/.", "text": ".,-/'"}

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.letters = LetterKeyboard()
        self.letters.typed.connect(self.typed.emit)
        self.letters.backspace.connect(self.backspace.emit)
        box.addWidget(self.letters)
        self.sign_row = QHBoxLayout()
        self.sign_row.setSpacing(8)
        self.sign_buttons: dict[str, QWidget] = {}
        for sign in "@._-.,/'":
            if sign in self.sign_buttons:
                continue
            key = button(sign, "letter", partial(self.typed.emit, sign), name=f"sign{ord(sign)}")
            self.sign_buttons[sign] = key
            self.sign_row.addWidget(key, 1)
        # The signs are as wide as a letter key (a tenth of the row), not a third of it each, and
        # every row keeps its height: a 195×509 px "." is typed by a palm resting on the screen.
        self.sign_row.addStretch(0)
        box.addLayout(self.sign_row)
        box.addStretch(1)

    def show_signs_for(self, field_type: str) -> None:
        signs = self.SIGNS.get(field_type, "")
        for sign, key in self.sign_buttons.items():
            key.setVisible(sign in signs)
        row_keys = max(len(row) for row in LetterKeyboard.ROWS)
        self.sign_row.setStretch(self.sign_row.count() - 1, max(0, row_keys - len(set(signs))))

    def retranslate(self, t: Translator) -> None:
        self.letters.retranslate(t("keyboard.space"), t("keyboard.backspace"))


class FormScreen(Screen):
    """One question per page: the question in large type, the answer, and the right keyboard for it."""

    step = Step.FORM
    finished = Signal()
    skipped = Signal()              # "fill it in at the counter instead"
    lookup_wanted = Signal(object)  # the draft: the flow looks up the registration number for it

    def __init__(self, forms: FormSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = forms
        self.form: Form | None = None
        self.draft: ApplicationDraft | None = None
        self.session: CitizenSession | None = None
        self.index = 0
        self._value = ""
        self._problem: Problem | None = None
        self._lookup_state: str | None = None  # looking_up / prefilled / not_found

        self.title = label("", "subtitle")
        self.nik_note = label("", "note")
        self.counter = label("", "stepLabel")
        self.question = label("", "title")  # the question is the biggest thing on the page
        self.question.setAccessibleName("question")
        self.hint = label("", "note")
        self.field = QLineEdit()
        self.field.setObjectName("formField")
        self.field.setMaxLength(200)
        self.field.textEdited.connect(self._edited)
        self.message = label("", "note")
        self.message.setAccessibleName("formMessage")

        self.inputs = QStackedWidget()
        self.keyboard = FormKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(self._backspace)
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self._type)
        self.keypad.backspace.connect(self._backspace)
        self.keypad.clear.connect(lambda: self._set_value(""))
        self.choices_page = QWidget()
        self.choices_box = QVBoxLayout(self.choices_page)
        self.choices_box.setContentsMargins(0, 0, 0, 0)
        self.choices_box.setSpacing(14)
        self.choice_buttons: dict[str, Tile] = {}
        # What choosing an answer declares (an SPTJM), shown in full under the answers.
        self.statement = label("", "body")
        self.statement.setAccessibleName("choiceStatement")
        self.group_list = GroupList()
        self.group_list.edit.connect(self._edit_item)
        self.group_list.remove.connect(self._remove_item)
        self.group_list.add.connect(self._add_item)
        for page in (self.keyboard, self.keypad, self.choices_page, self.group_list):
            self.inputs.addWidget(page)

        self.next_button = button("", "primary", self.next, name="formNext")
        self.skip_button = button("", "small", self.skipped.emit, name="formSkip")
        self.nav = nav = QHBoxLayout()
        nav.setSpacing(16)
        nav.addWidget(self.skip_button, 1)  # first question only; the header's Back goes to the previous one
        nav.addWidget(self.next_button, 2)

        self.info = QVBoxLayout()
        self.info.setSpacing(14)
        for widget in (self.title, self.nik_note, self.counter, self.question, self.hint):
            self.info.addWidget(widget)
        self.info.addStretch(1)  # portrait: the question at the top, the answer low within reach (issue 16)
        self.info.addWidget(self.field)
        self.info.addWidget(self.message)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addLayout(self.info, 1)
        self.body.addWidget(self.inputs, 0)
        self.layout_.addLayout(self.body, 1)
        self.action_row.addLayout(nav)
        self.privacy: PrivacyNotice | None = None

    def attach_privacy_notice(self, notice: PrivacyNotice) -> None:
        """The notice of UU 27/2022 for the application (who holds the answers and photos, why, how long),
        on the first question: its words under the title, its button beside "Lanjut" (no row of its own:
        the page's answer needs the room)."""
        self.privacy = notice
        self.info.insertWidget(self.info.indexOf(self.nik_note) + 1, notice)
        self.nav.insertWidget(1, notice.toggle, 1)
        notice.retranslate(self.t)

    # -- state ---------------------------------------------------------------------------------
    @property
    def pages(self) -> list[Page]:
        if self.form is None or self.draft is None:
            return []
        return pages(self.form, self.draft.values, self.draft.groups)

    @property
    def page(self) -> Page | None:
        shown = self.pages
        return shown[min(self.index, len(shown) - 1)] if shown else None

    @property
    def current(self) -> Field | None:
        page = self.page
        return page.field if page is not None else None

    @property
    def value(self) -> str:
        return self._value

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        session.form_skipped = False  # back on the form: the application path again
        service = session.service
        form = self.forms.form_for(service.code) if service is not None else None
        self.form = form
        if form is None or service is None:
            return
        if session.application is None or session.application.service_code != service.code:
            session.application = ApplicationDraft(service_code=service.code)
            self.index = 0
            self._lookup_state = None
        self.draft = session.application
        self.index = max(0, min(self.index, len(self.pages) - 1))
        if any(f.prefill == "registration_number" for f in form.fields) and self._lookup_state is None:
            self._lookup_state = "looking_up"
            self.lookup_wanted.emit(self.draft)
        self._show_field()

    def start_at(self, index: int) -> None:
        self.index = index

    def reset(self) -> None:
        if self.draft is not None:
            self.draft.forget()  # the photos and answers must not outlive the session in memory
        self.form = self.draft = self.session = None
        self.index = 0
        self._value = ""
        self._problem = None
        self._lookup_state = None
        self.field.setText("")  # also clears the undo history
        self.message.setText("")
        self.statement.setText("")
        self.group_list.clear()
        if self.privacy is not None:
            self.privacy.close_notice()

    def registration_found(self, draft: ApplicationDraft, number: str | None) -> None:
        """The lookup's answer; ignored when the citizen (or the session) has moved on."""
        if draft is not self.draft or self.form is None:
            return
        self._lookup_state = "prefilled" if number else "not_found"
        for item in self.form.fields:
            if item.prefill == "registration_number" and number and not draft.values.get(item.id):
                draft.values[item.id] = normalize(item, number)
                draft.prefilled.add(item.id)
        self._show_field()

    # -- showing -------------------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("application.form.title"))
        self.skip_button.setText(t("application.form.skip"))
        self.keyboard.retranslate(t)
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        if self.privacy is not None:
            self.privacy.retranslate(t)
        self._show_field()

    def _show_field(self) -> None:
        page, item, t = self.page, self.current, self.t
        if page is None or item is None or self.draft is None or self.form is None:
            return
        service = self.session.service if self.session else None
        self.title.setText(f"{t('application.form.title')}: {service.name.get(t.lang)}" if service
                           else t("application.form.title"))
        nik = self.session.nik if self.session else None
        self.nik_note.setVisible(nik is not None)
        if nik is not None:
            self.nik_note.setText(t("application.form.nik_prefilled", nik=nik.masked))
        total = len(self.pages)
        self.counter.setText(t("application.form.question", n=self.index + 1, total=total))
        question = item.label.get(t.lang)
        if page.group is not None and page.item is not None:  # "Saksi 2: NIK saksi"
            question = f"{page.group.item_name(page.item + 1, t.lang)}: {question}"
        self.question.setText(question)
        hints = [item.hint.get(t.lang)] if item.hint else []
        if item.type == "date":
            hints.append(t("application.form.date_hint"))
        if not item.required and not page.is_list:
            hints.append(t("application.form.optional"))
        self.hint.setText(" ".join(hints))
        self.hint.setVisible(bool(hints))
        self._value = self.draft.answer(page)
        self._problem = None
        self.skip_button.setVisible(self.index == 0)
        if self.privacy is not None:  # before the first answer: the notice, then out of the way
            if self.index != 0:
                self.privacy.close_notice()
            self.privacy.setVisible(self.index == 0)
            self.privacy.toggle.setVisible(self.index == 0)
        self.next_button.setText(t("application.form.finish") if self.index == total - 1
                                 else t("application.form.next"))
        self.statement.hide()
        if page.is_list:
            self.field.hide()
            self.group_list.show_group(item, self.draft.groups.get(item.id, []), self.draft.values, t)
            self.inputs.setCurrentWidget(self.group_list)
        elif item.type == "choice":
            self._build_choices(item)
            self.inputs.setCurrentWidget(self.choices_page)
            self.field.hide()
        else:
            self.field.show()
            self.inputs.setCurrentWidget(self.keypad if item.numeric else self.keyboard)
            self.keyboard.show_signs_for(item.type)
        self._render()

    def _build_choices(self, item: Field) -> None:
        self.choices_box.removeWidget(self.statement)  # kept: only the tiles are made anew
        clear_layout(self.choices_box)
        self.choice_buttons = {}
        for choice in item.choices:
            # A tile, not a button: long answers wrap instead of being cut off in large text.
            tile = Tile(choice.label.get(self.t.lang), "", name=f"choice_{choice.value}")
            tile.detail.hide()
            tile.clicked.connect(lambda v=choice.value: self._choose(v))
            self.choice_buttons[choice.value] = tile
            self.choices_box.addWidget(tile)
        self.choices_box.addWidget(self.statement)
        self.choices_box.addStretch(1)

    def _render(self) -> None:
        item, t = self.current, self.t
        if item is None:
            return
        shown = show_date(self._value) if item.type == "date" else show_time(self._value) \
            if item.type == "time" else self._value
        if self.field.text() != shown:
            self.field.setText(shown)
        for value, tile in self.choice_buttons.items():
            chosen = value == self._value
            choice = item.choice(value)
            tile.title.setText(("✓ " if chosen else "") + (choice.label.get(t.lang) if choice else value))
            restyle(tile, "pressed", chosen)
        declared = item.choice(self._value) if item.type == "choice" else None
        statement = declared.statement.get(t.lang) if declared is not None and declared.statement else ""
        self.statement.setText(t("forms.statement", statement=statement) if statement else "")
        self.statement.setVisible(bool(statement))
        state = ""
        if self._problem is not None:
            self.message.setObjectName("fieldError")
            self.message.setText(problem_text(t, self._problem))
            state = "error"
        elif item.prefill == "registration_number" and self._lookup_state is not None and (
                self._lookup_state != "prefilled" or item.id in (self.draft.prefilled if self.draft else ())):
            self.message.setObjectName("fieldOk" if self._lookup_state == "prefilled" else "note")
            self.message.setText(t(f"application.form.registration_{self._lookup_state}"))
        elif item.type == "choice" and self._value and (chosen_choice := item.choice(self._value)) is not None:
            self.message.setObjectName("fieldOk")
            self.message.setText(t("application.form.chosen", choice=chosen_choice.label.get(t.lang)))
        elif item.type == "choice":
            self.message.setObjectName("note")
            self.message.setText(t("application.form.choose"))
        else:
            self.message.setObjectName("note")
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))
        restyle(self.message, "state", state)
        restyle(self.field, "state", state)

    # -- typing --------------------------------------------------------------------------------
    def _set_value(self, value: str) -> None:
        page, item = self.page, self.current
        if page is None or item is None or self.draft is None or page.is_list:
            return
        limit = {"date": 8, "time": 4, "nik": 16}.get(item.type, item.max_length + 5)
        self._value = value[:limit]
        self.draft.set_answer(page, self._value)
        self.draft.prefilled.discard(item.id)
        if self._problem is not None:  # once an error shows, say as soon as it is mended
            self._problem = self._check(page)
        self._render()

    def _check(self, page: Page) -> Problem | None:
        if self.form is None or self.draft is None:
            return None
        return check_page(self.form, page, self.draft.values, self.draft.groups)

    def _type(self, text: str) -> None:
        item = self.current
        if item is None:
            return
        if item.type in ("text", "registration"):
            text = text.upper()  # population records are kept in capitals
        if text == " " and (not self._value or self._value.endswith(" ")):
            return
        self._set_value(self._value + text)

    def _backspace(self) -> None:
        self._set_value(self._value[:-1])

    def _edited(self, text: str) -> None:
        """Typing on a USB keyboard straight into the field."""
        item = self.current
        if item is None:
            return
        self._set_value("".join(c for c in text if c.isdigit()) if item.type in ("date", "time") else text)

    def _choose(self, value: str) -> None:
        self._set_value(value)

    # -- moving --------------------------------------------------------------------------------
    def next(self) -> None:
        page, item = self.page, self.current
        if page is None or item is None or self.draft is None or self.form is None:
            return
        self._problem = self._check(page)
        if self._problem is not None:
            self._render()
            return
        if self._value and not page.is_list:
            self.draft.set_answer(page, normalize(item, self._value))
        if self.index + 1 < len(self.pages):  # the pages after this one may have changed with the answer
            self.index += 1
            self._show_field()
        else:
            self.finished.emit()

    # -- a group's list page -------------------------------------------------------------------
    def _go_to_item(self, group_id: str, index: int) -> None:
        for n, page in enumerate(self.pages):
            if page.group is not None and page.group.id == group_id and page.item == index:
                self.index = n
                break
        self._show_field()

    def _edit_item(self, index: int) -> None:
        page = self.page
        if page is not None and page.is_list:
            self._go_to_item(page.field.id, index)

    def _remove_item(self, index: int) -> None:
        page = self.page
        if page is None or not page.is_list or self.draft is None:
            return
        self.draft.remove_item(page.field.id, index)
        self.index = next(n for n, p in enumerate(self.pages) if p.is_list and p.field.id == page.field.id)
        self._show_field()

    def _add_item(self) -> None:
        page = self.page
        if page is None or not page.is_list or self.draft is None:
            return
        added = self.draft.add_item(page.field.id, page.field.max_items)
        if added is not None:
            self._go_to_item(page.field.id, added)

    def back(self) -> bool:
        """The previous question, its answer kept; False on the first (Back then leaves the form)."""
        if self.index == 0:
            return False
        self.index -= 1
        self._show_field()
        return True

    @property
    def problem(self) -> Problem | None:
        return self._problem

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.turn_with_orientation(self.body):
            landscape = self.landscape
            self.body.setStretch(0, 4 if landscape else 1)
            self.body.setStretch(1, 5 if landscape else 0)
            self.title.setVisible(not landscape)  # the header's step counter says where we are
            # Landscape has half the width for the question: a size that leaves room for the answer.
            self.question.setObjectName("sectionTitle" if landscape else "title")
            restyle(self.question, "landscape", landscape)

    def spoken_text(self) -> str:
        parts = [self.question.text() + ".", self.hint.text()]
        if self.statement.isVisible():
            parts.append(self.statement.text())
        if self.page is not None and self.page.is_list:
            parts += self.group_list.row_texts
        if self._problem is not None:
            parts.append(self.message.text())
        parts.append(self.t("application.form.spoken"))
        if self.privacy is not None and self.privacy.isVisible():
            parts.append(self.privacy.spoken_text())
        return " ".join(p for p in parts if p)
