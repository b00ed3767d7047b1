"""The application path of the kiosk: form, document photos, summary, receipt.

For a service with an application form the citizen's walk is one path: service → requirements →
NIK (→ face) → the form, one question per page with our own keyboard → photos of the required
documents → a summary to confirm → one receipt with the queue number, the application number and
a QR code to check the status later. A citizen came for the service, not for "a ticket and then an
application", so the kiosk asks once and hands out one paper's worth of numbers at the end.

Screens only show and emit; :class:`ApplicationFlow` does the slow work off the GUI thread (the
registration lookup, the camera, issuing the ticket and saving in the local store) and tells the
window where to go. Everything the citizen entered lives in ``session.application``; the kiosk's
wipe replaces the session and resets these screens, so nothing is left for the next person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.applications.documents import DocumentCheck, capture_document, check_frame
from kiosk.applications.drafts import (
    ApplicationDraft,
    ApplicationNotSaved,
    RegistrationLookup,
    build_new_application,
    qr_modules,
    save_application,
)
from kiosk.applications.views import PUSH_INTERVAL_SECONDS, PushReport, open_counter_views
from kiosk.camera.sources import Frame, FrameSource
from kiosk.catalog.forms import Field, Form, FormSet, Problem, check_value, display_value, normalize, show_date
from kiosk.i18n import Translator
from kiosk.queue.client import QueueUnavailable
from kiosk.ui.kiosk.screens import Screen, Tile
from kiosk.ui.qt.camera_view import CameraFeed
from kiosk.ui.qt.tasks import Refresher, TaskRunner
from kiosk.ui.qt.widgets import LetterKeyboard, NumericKeypad, button, card, label, restyle
from kiosk.utils.log import event
from kiosk.visit.flow import CitizenSession, Step, issue_problem

log = logging.getLogger(__name__)


@dataclass
class ApplicationServices:
    """What the kiosk needs for applications; the window gets one when the site files applications.

    ``store`` is the local ``kiosk.sync.outbox.ApplicationStore``; ``camera`` makes a fresh frame
    source each time the document step opens (None: no camera, documents go to the counter);
    ``lookup_registration`` asks the central platform for a health worker's STR by NIK (may block).
    """

    forms: FormSet
    store: Any
    camera: Callable[[], FrameSource] | None = None
    lookup_registration: RegistrationLookup | None = None
    owns_store: bool = False  # close the store when the kiosk shuts down
    on_close: Callable[[], None] | None = None  # e.g. the central API client of the lookup

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None


def application_services_for(config: Any) -> ApplicationServices | None:
    """Forms, the local store and the camera as configured; None (ticket-only kiosk) when unusable.

    A broken forms file or an unusable applications database must not take the queue kiosk down:
    the kiosk then issues plain tickets and the log says what IT has to fix.
    """
    from kiosk.camera.sources import source_from_config
    from kiosk.catalog.forms import FormsError, load_forms
    from kiosk.sync.outbox import ApplicationStore

    try:
        forms = load_forms()
    except FormsError as exc:
        log.error("application forms unavailable, the kiosk only issues tickets: %s", exc)
        return None
    try:
        store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                 number_prefix=config.central.application_number_prefix)
    except Exception as exc:  # StoreError (disk, key, damaged file): IT must act; citizens still get tickets
        log.error("applications database unavailable, the kiosk only issues tickets: %s", exc)
        return None
    lookup, on_close = None, None
    if config.central.api_url:  # the platform prefills the health worker's STR (SISDMK) when it knows it
        from kiosk.sync.central_client import CentralClient, registration_lookup

        client = CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                             ca_file=config.central.ca_file or None,
                                             timeout=config.central.timeout_seconds)
        lookup, on_close = registration_lookup(client), client.close
    return ApplicationServices(forms=forms, store=store, camera=lambda: source_from_config(config),
                               lookup_registration=lookup, owns_store=True, on_close=on_close)


def problem_text(t: Translator, problem: Problem) -> str:
    if problem.key.startswith("nik."):
        return t(f"nik.error.{problem.key[4:]}")
    return t(f"application.error.{problem.key}", **problem.params)


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A copy of a BGR frame as a QImage (the copy owns its pixels; the array may be reused)."""
    height, width = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, width, height, int(data.strides[0]), QImage.Format.Format_BGR888).copy()


def qr_pixmap(text: str, size: int) -> QPixmap:
    """A QR code drawn with sharp square modules, about ``size`` pixels wide."""
    modules = qr_modules(text)
    scale = max(1, size // modules.shape[0])
    big = np.ascontiguousarray(np.kron(modules, np.ones((scale, scale), np.uint8)))
    image = QImage(big.data, big.shape[1], big.shape[0], int(big.strides[0]), QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())


class PictureLabel(QLabel):
    """Shows an image scaled to its own size, never asking the layout for more room."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(160, 120))
        self._image: QImage | None = None

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._rescale()

    def image(self) -> QImage | None:
        return self._image

    def _rescale(self) -> None:
        if self._image is None or self._image.isNull():
            self.clear()
            return
        self.setPixmap(QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._rescale()


# --- the form ---------------------------------------------------------------------------------

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
            key = button(sign, "letter", lambda s=sign: self.typed.emit(s), name=f"sign{ord(sign)}")
            self.sign_buttons[sign] = key
            self.sign_row.addWidget(key)
        box.addLayout(self.sign_row)

    def show_signs_for(self, field_type: str) -> None:
        signs = self.SIGNS.get(field_type, "")
        for sign, key in self.sign_buttons.items():
            key.setVisible(sign in signs)

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
        for page in (self.keyboard, self.keypad, self.choices_page):
            self.inputs.addWidget(page)

        self.previous_button = button("", "small", self.previous, name="formPrevious")
        self.next_button = button("", "primary", self.next, name="formNext")
        self.skip_button = button("", "small", self.skipped.emit, name="formSkip")
        nav = QHBoxLayout()
        nav.setSpacing(16)
        nav.addWidget(self.previous_button, 1)
        nav.addWidget(self.skip_button, 1)  # in place of "previous" on the first question
        nav.addWidget(self.next_button, 2)

        self.info = QVBoxLayout()
        self.info.setSpacing(14)
        for widget in (self.title, self.nik_note, self.counter, self.question, self.hint, self.field, self.message):
            self.info.addWidget(widget)
        self.info.addStretch(1)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addLayout(self.info, 0)
        self.body.addWidget(self.inputs, 1)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addLayout(nav)
        self._landscape = False

    # -- state ---------------------------------------------------------------------------------
    @property
    def current(self) -> Field | None:
        if self.form is None or not self.form.fields:
            return None
        return self.form.fields[self.index]

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
        self.index = min(self.index, len(form.fields) - 1)
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
        self.previous_button.setText(t("application.form.previous"))
        self.skip_button.setText(t("application.form.skip"))
        self.keyboard.retranslate(t)
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self._show_field()

    def _show_field(self) -> None:
        item, t = self.current, self.t
        if item is None or self.draft is None or self.form is None:
            return
        service = self.session.service if self.session else None
        self.title.setText(f"{t('application.form.title')}: {service.name.get(t.lang)}" if service
                           else t("application.form.title"))
        nik = self.session.nik if self.session else None
        self.nik_note.setVisible(nik is not None)
        if nik is not None:
            self.nik_note.setText(t("application.form.nik_prefilled", nik=nik.masked))
        total = len(self.form.fields)
        self.counter.setText(t("application.form.question", n=self.index + 1, total=total))
        self.question.setText(item.label.get(t.lang))
        hints = [item.hint.get(t.lang)] if item.hint else []
        if item.type == "date":
            hints.append(t("application.form.date_hint"))
        if not item.required:
            hints.append(t("application.form.optional"))
        self.hint.setText(" ".join(hints))
        self.hint.setVisible(bool(hints))
        self._value = self.draft.values.get(item.id, "")
        self._problem = None
        self.previous_button.setVisible(self.index > 0)
        self.skip_button.setVisible(self.index == 0)
        self.next_button.setText(t("application.form.finish") if self.index == total - 1
                                 else t("application.form.next"))
        if item.type == "choice":
            self._build_choices(item)
            self.inputs.setCurrentWidget(self.choices_page)
            self.field.hide()
        else:
            self.field.show()
            self.inputs.setCurrentWidget(self.keypad if item.numeric else self.keyboard)
            self.keyboard.show_signs_for(item.type)
        self._render()

    def _build_choices(self, item: Field) -> None:
        while self.choices_box.count():
            taken = self.choices_box.takeAt(0)
            if taken.widget() is not None:
                taken.widget().hide()  # gone from the screen now, deleted on the next loop
                taken.widget().deleteLater()
        self.choice_buttons = {}
        for choice in item.choices:
            # A tile, not a button: long answers wrap instead of being cut off in large text.
            tile = Tile(choice.label.get(self.t.lang), "", name=f"choice_{choice.value}")
            tile.detail.hide()
            tile.clicked.connect(lambda v=choice.value: self._choose(v))
            self.choice_buttons[choice.value] = tile
            self.choices_box.addWidget(tile)
        self.choices_box.addStretch(1)

    def _render(self) -> None:
        item, t = self.current, self.t
        if item is None:
            return
        shown = show_date(self._value) if item.type == "date" else self._value
        if self.field.text() != shown:
            self.field.setText(shown)
        for value, tile in self.choice_buttons.items():
            chosen = value == self._value
            choice = item.choice(value)
            tile.title.setText(("✓ " if chosen else "") + (choice.label.get(t.lang) if choice else value))  # type: ignore[attr-defined]
            restyle(tile, "pressed", chosen)
        state = ""
        if self._problem is not None:
            self.message.setObjectName("fieldError")
            self.message.setText(problem_text(t, self._problem))
            state = "error"
        elif item.prefill == "registration_number" and self._lookup_state is not None and (
                self._lookup_state != "prefilled" or item.id in (self.draft.prefilled if self.draft else ())):
            self.message.setObjectName("fieldOk" if self._lookup_state == "prefilled" else "note")
            self.message.setText(t(f"application.form.registration_{self._lookup_state}"))
        elif item.type == "choice" and self._value and item.choice(self._value):
            self.message.setObjectName("fieldOk")
            self.message.setText(t("application.form.chosen", choice=item.choice(self._value).label.get(t.lang)))
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
        item = self.current
        if item is None or self.draft is None:
            return
        limit = 8 if item.type == "date" else 16 if item.type == "nik" else item.max_length + 5
        self._value = value[:limit]
        self.draft.values[item.id] = self._value
        self.draft.prefilled.discard(item.id)
        if self._problem is not None:  # once an error shows, say as soon as it is mended
            self._problem = check_value(item, self._value)
        self._render()

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
        self._set_value("".join(c for c in text if c.isdigit()) if item.type == "date" else text)

    def _choose(self, value: str) -> None:
        self._set_value(value)

    # -- moving --------------------------------------------------------------------------------
    def next(self) -> None:
        item = self.current
        if item is None or self.draft is None or self.form is None:
            return
        self._problem = check_value(item, self._value)
        if self._problem is not None:
            self._render()
            return
        if self._value:
            self.draft.values[item.id] = normalize(item, self._value)
        if self.index + 1 < len(self.form.fields):
            self.index += 1
            self._show_field()
        else:
            self.finished.emit()

    def previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show_field()

    @property
    def problem(self) -> Problem | None:
        return self._problem

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        landscape = self.landscape
        if landscape != self._landscape:
            self._landscape = landscape
            self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape
                                   else QBoxLayout.Direction.TopToBottom)
            self.body.setStretch(0, 4 if landscape else 0)
            self.body.setStretch(1, 5 if landscape else 1)
            self.title.setVisible(not landscape)  # the header's step counter says where we are
            # Landscape has half the width for the question: a size that leaves room for the answer.
            self.question.setObjectName("sectionTitle" if landscape else "title")
            restyle(self.question, "landscape", landscape)

    def spoken_text(self) -> str:
        parts = [self.question.text() + ".", self.hint.text()]
        if self._problem is not None:
            parts.append(self.message.text())
        parts.append(self.t("application.form.spoken"))
        return " ".join(p for p in parts if p)


# --- document photos --------------------------------------------------------------------------

class DocumentAnalyser:
    """Runs on the camera's analysis thread (:class:`kiosk.ui.qt.camera_view.CameraFeed`): frame → page check."""

    def process(self, frame: Frame) -> tuple[np.ndarray, DocumentCheck]:
        return frame.image, check_frame(frame.image)

    def close(self) -> None:
        """Nothing native to free."""


class DocumentsScreen(Screen):
    """Each required paper in turn: live view with the page outlined, take, check the photo, retake."""

    step = Step.DOCUMENTS
    finished = Signal()
    capture_wanted = Signal(object)  # the frame to flatten and encode (off the GUI thread)

    def __init__(self, forms: FormSet, camera_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = forms
        self.camera_available = camera_available
        self.form: Form | None = None
        self.draft: ApplicationDraft | None = None
        self.index = 0
        self.reviewing: bytes | None = None   # a photo taken and shown for "is it readable?"
        self.last_frame: np.ndarray | None = None
        self.last_check: DocumentCheck | None = None
        self.camera_failed = False
        self.busy = False

        self.title = label("", "title")
        self.which = label("", "stepLabel")
        self.document = label("", "sectionTitle")
        self.document.setAccessibleName("documentName")
        self.hint = label("", "note")
        self.picture = PictureLabel("documentPicture")
        self.status = label("", "note")
        self.status.setAccessibleName("documentStatus")
        self.take_button = button("", "primary", self._take, name="takePhoto")
        self.retake_button = button("", "", self._retake, name="retakePhoto")
        self.use_button = button("", "primary", self._use, name="usePhoto")
        self.skip_button = button("", "small", self._skip, name="skipDocument")
        self.next_button = button("", "primary", self.finished.emit, name="documentsNext")
        self.overview = label("", "note")
        self.overview.setAccessibleName("documentOverview")
        review = QHBoxLayout()
        review.setSpacing(16)
        review.addWidget(self.retake_button, 1)
        review.addWidget(self.use_button, 1)
        self.side = QVBoxLayout()
        self.side.setSpacing(14)
        for widget in (self.which, self.document, self.hint, self.status):
            self.side.addWidget(widget)
        self.side.addWidget(self.take_button)
        self.side.addLayout(review)
        self.side.addWidget(self.skip_button)
        self.side.addWidget(self.overview)
        # Once every paper is done: one tile per document, touch to photograph it again.
        self.redo_box = QVBoxLayout()
        self.redo_box.setSpacing(12)
        self.redo_tiles: list[Tile] = []
        self.redo_note = label("", "note")
        self.side.addWidget(self.redo_note)
        self.side.addLayout(self.redo_box)
        self.side.addStretch(1)
        self.side.addWidget(self.next_button)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addWidget(self.picture, 3)
        self.body.addLayout(self.side, 2)
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)
        self._landscape = False

    @property
    def requirement(self):
        if self.form is None or not self.form.documents:
            return None
        return self.form.documents[min(self.index, len(self.form.documents) - 1)]

    def enter(self, session: CitizenSession) -> None:
        service = session.service
        self.form = self.forms.form_for(service.code) if service is not None else None
        self.draft = session.application
        self.reviewing = None
        self.busy = False
        self.camera_failed = False  # the camera starts again with this step; it says so if it fails
        if self.form is not None and self.draft is not None:
            missing = [i for i, d in enumerate(self.form.documents) if self.draft.photo_count(d.kind) < d.count]
            self.index = missing[0] if missing else len(self.form.documents)
        self._build_redo_tiles()
        self._refresh()

    def _build_redo_tiles(self) -> None:
        for tile in self.redo_tiles:
            tile.hide()
            tile.deleteLater()
        self.redo_tiles = []
        for i, doc in enumerate(self.form.documents if self.form is not None else ()):
            tile = Tile("", "", name=f"redo_{doc.kind}")
            tile.detail.hide()
            tile.clicked.connect(lambda i=i: self.select(i))
            self.redo_box.addWidget(tile)
            self.redo_tiles.append(tile)

    def reset(self) -> None:
        self.form = self.draft = None
        self._build_redo_tiles()
        self.index = 0
        self.reviewing = None
        self.last_frame = self.last_check = None
        self.camera_failed = False
        self.busy = False
        self.picture.set_image(None)

    # -- camera --------------------------------------------------------------------------------
    def show_frame(self, image: np.ndarray, check: DocumentCheck) -> None:
        if self.reviewing is not None or self.busy:
            return
        self.last_frame, self.last_check = image, check
        qimage = bgr_to_qimage(image)
        if check.corners is not None:
            painter = QPainter(qimage)
            colour = QColor("#16a34a") if check.ok else QColor("#f59e0b")
            painter.setPen(QPen(colour, max(4, qimage.width() // 120)))
            painter.drawPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in check.corners]))
            painter.end()
        self.picture.set_image(qimage)
        self._show_status()

    def set_camera_failed(self) -> None:
        self.camera_failed = True
        self._refresh()

    def show_capture(self, jpeg: bytes | None, check: DocumentCheck) -> None:
        """The flattened page to confirm, or why the frame was not usable."""
        self.busy = False
        if jpeg is None:
            self.last_check = check
            self._refresh()
            return
        self.reviewing = jpeg
        self.picture.set_image(QImage.fromData(jpeg, "JPG"))
        self._refresh()

    # -- actions -------------------------------------------------------------------------------
    def _take(self) -> None:
        if self.last_frame is None or self.busy:
            return
        self.busy = True
        self._refresh()
        self.capture_wanted.emit(self.last_frame)

    def _retake(self) -> None:
        self.reviewing = None
        self.last_frame = self.last_check = None
        self._refresh()

    def _use(self) -> None:
        requirement = self.requirement
        if self.reviewing is None or requirement is None or self.draft is None or self.form is None:
            return
        self.draft.add_photo(requirement.kind, self.reviewing)
        self.reviewing = None
        self.last_frame = self.last_check = None
        if self.draft.photo_count(requirement.kind) >= requirement.count:
            self._advance()
        self._refresh()

    def _skip(self) -> None:
        self._advance()
        self._refresh()

    def _advance(self) -> None:
        if self.form is None or self.draft is None:
            return
        for i in list(range(self.index + 1, len(self.form.documents))) + list(range(0, self.index)):
            doc = self.form.documents[i]
            if self.draft.photo_count(doc.kind) < doc.count and (doc.required or i > self.index):
                self.index = i
                return
        self.index = len(self.form.documents)  # past the last: everything asked for

    def select(self, index: int) -> None:
        """Go back to one document to photograph it again (its photos are replaced)."""
        if self.form is None or self.draft is None:
            return
        self.index = index
        self.draft.photos.pop(self.form.documents[index].kind, None)
        self.reviewing = None
        self.last_frame = self.last_check = None
        self._refresh()

    @property
    def complete(self) -> bool:
        return self.form is not None and self.draft is not None and not self.draft.missing_documents(self.form)

    # -- showing -------------------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("application.documents.title"))
        self.take_button.setText(t("application.documents.take"))
        self.retake_button.setText(t("application.documents.retake"))
        self.use_button.setText(t("application.documents.use"))
        self.skip_button.setText(t("application.documents.skip"))
        self.next_button.setText(t("application.documents.next"))
        self._refresh()

    def _refresh(self) -> None:
        t, form, draft = self.t, self.form, self.draft
        if form is None or draft is None:
            return
        past_end = self.index >= len(form.documents)
        requirement = None if past_end else form.documents[self.index]
        live = self.camera_available and not self.camera_failed and requirement is not None
        self.which.setVisible(requirement is not None)
        if requirement is not None:
            have = draft.photo_count(requirement.kind)
            self.which.setText(t("application.documents.which", n=self.index + 1, total=len(form.documents))
                               + " · " + t("application.documents.photo_of", n=have + 1, count=requirement.count))
            self.document.setText(requirement.label.get(t.lang))
            hints = [t("application.documents.hint")]
            if not requirement.required:
                hints.append(t("application.documents.optional"))
            self.hint.setText(" ".join(hints))
        else:
            self.document.setText("")  # the status line says everything is done
            self.hint.setText("")
        self.document.setVisible(requirement is not None)
        reviewing = self.reviewing is not None
        self.hint.setVisible(bool(self.hint.text()) and not reviewing)
        self.picture.setVisible(live or reviewing)
        self.take_button.setVisible(live and not reviewing)
        self.take_button.setEnabled(not self.busy and self.last_frame is not None)
        self.retake_button.setVisible(reviewing)
        self.use_button.setVisible(reviewing)
        self.skip_button.setVisible(requirement is not None and not reviewing
                                    and (not requirement.required or not live))
        self.next_button.setEnabled(self.complete or not live or past_end)
        lines = []
        for doc in form.documents:
            have = draft.photo_count(doc.kind)
            mark = "✓" if have >= doc.count else "•"
            lines.append(f"{mark} " + t("application.documents.count", document=doc.label.get(t.lang),
                                         have=have, count=doc.count))
        self.overview.setText("\n".join(lines))
        self.overview.setVisible(not past_end)
        self.redo_note.setText(t("application.documents.again"))
        self.redo_note.setVisible(past_end and bool(self.redo_tiles))
        for tile, line in zip(self.redo_tiles, lines):
            tile.title.setText(line)
            tile.setVisible(past_end)
        self._show_status()

    def _show_status(self) -> None:
        t = self.t
        state = ""
        if self.form is None:
            return
        if not self.camera_available or self.camera_failed:
            text, name = t("application.documents.no_camera"), "fieldError"
        elif self.reviewing is not None:
            text, name = t("application.documents.readable"), "body"
        elif self.index >= len(self.form.documents):
            text, name = t("application.documents.all_done"), "fieldOk"
        elif self.last_check is None:
            text, name = t("application.documents.starting"), "note"
        elif self.last_check.ok:
            text, name, state = t("application.documents.ready"), "fieldOk", "ok"
        else:
            problem = self.last_check.problem.value if self.last_check.problem else "not_found"
            text, name, state = t(f"application.documents.problem.{problem}"), "fieldError", "error"
        self.status.setObjectName(name)
        self.status.setText(text)
        restyle(self.status, "state", state)
        self.take_button.setEnabled(not self.busy and self.last_frame is not None and self.reviewing is None)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        landscape = self.landscape
        if landscape != self._landscape:
            self._landscape = landscape
            self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape
                                   else QBoxLayout.Direction.TopToBottom)
            self.title.setVisible(not landscape)  # the room goes to the picture and the instructions

    def spoken_text(self) -> str:
        return " ".join(p for p in (self.document.text() + ".", self.hint.text(), self.status.text()) if p)


# --- summary and receipt ----------------------------------------------------------------------

class SummaryScreen(Screen):
    """Every answer and how many photos, with one big button to send, and room for "see staff"."""

    step = Step.SUMMARY
    confirm = Signal()
    edit_answers = Signal()
    edit_photos = Signal()

    def __init__(self, forms: FormSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = forms
        self.session: CitizenSession | None = None
        self.form: Form | None = None
        self.title = label("", "title")
        frame, box = card()
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(20)
        self.rows.setVerticalSpacing(8)
        box.addLayout(self.rows)
        self.documents = label("", "body")
        self.documents.setAccessibleName("summaryDocuments")
        box.addWidget(self.documents)
        box.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(frame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.edit_button = button("", "small", self.edit_answers.emit, name="editAnswers")
        self.photos_button = button("", "small", self.edit_photos.emit, name="editPhotos")
        edits = QHBoxLayout()
        edits.setSpacing(16)
        edits.addWidget(self.edit_button)
        edits.addWidget(self.photos_button)
        self.error = label("", "errorBanner")
        self.error.setAccessibleName("summaryError")
        self.error.hide()
        self.status = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.confirm_button = button("", "hero", self._confirm, name="sendApplication")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.scroll, 1)
        self.layout_.addLayout(edits)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.confirm_button)
        self._error: tuple[str, dict[str, object]] | None = None
        self.row_labels: list[tuple[QLabel, QLabel]] = []

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self.form = self.forms.form_for(session.service.code) if session.service else None
        self.set_busy(False)
        self.show_error(None)
        self._fill()

    def reset(self) -> None:
        self.session = self.form = None
        self._clear_rows()
        self.documents.setText("")
        self.show_error(None)

    def set_busy(self, busy: bool) -> None:
        ready = (self.form is not None and self.session is not None and self.session.application is not None
                 and self.session.application.ready(self.form))
        self.confirm_button.setEnabled(not busy and ready)
        self.edit_button.setEnabled(not busy)
        self.photos_button.setEnabled(not busy)
        self.status.setText(self.t("application.summary.busy") if busy
                            else "" if ready or self.form is None else self.t("application.summary.incomplete"))

    def show_error(self, key: str | None, **params: object) -> None:
        self._error = (key, params) if key else None
        self.error.setVisible(key is not None)
        self.error.setText(self.t(key, **params) if key else "")
        self.confirm_button.setText(self.t("application.summary.retry" if key else "application.summary.confirm"))

    def _confirm(self) -> None:
        self.set_busy(True)
        self.confirm.emit()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("application.summary.title"))
        self.edit_button.setText(t("application.summary.edit"))
        self.photos_button.setText(t("application.summary.edit_photos"))
        if self._error is not None:
            self.show_error(self._error[0], **self._error[1])
        else:
            self.show_error(None)
        self._fill()

    def _clear_rows(self) -> None:
        while self.rows.count():
            taken = self.rows.takeAt(0)
            if taken.widget() is not None:
                taken.widget().hide()  # gone from the screen now, deleted on the next loop
                taken.widget().deleteLater()
        self.row_labels = []

    def _fill(self) -> None:
        session, form, t = self.session, self.form, self.t
        if session is None or form is None or session.application is None or session.service is None:
            return
        self._clear_rows()
        draft = session.application
        rows = [(t("application.summary.service"), session.service.name.get(t.lang))]
        if session.nik is not None:
            rows.append((t("application.summary.nik"), session.nik.masked))
        for item in form.fields:
            value = draft.values.get(item.id, "")
            rows.append((item.label.get(t.lang),
                         display_value(item, value, t.lang) if value else t("application.summary.empty")))
        for i, (name, value) in enumerate(rows):
            key = label(name, "note")
            shown = label(value, "body")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            self.rows.addWidget(key, i, 0)
            self.rows.addWidget(shown, i, 1)
            self.row_labels.append((key, shown))
        self.rows.setColumnStretch(0, 2)
        self.rows.setColumnStretch(1, 3)
        lines = [t("application.summary.documents")]
        for doc in form.documents:
            have = draft.photo_count(doc.kind)
            lines.append(("✓ " + t("application.summary.document_row", document=doc.label.get(t.lang), count=have))
                         if have else ("• " + t("application.summary.document_none", document=doc.label.get(t.lang))))
        self.documents.setText("\n".join(lines))
        self.documents.setVisible(bool(form.documents))
        self.photos_button.setVisible(bool(form.documents))
        self.set_busy(False)

    def row_texts(self) -> list[tuple[str, str]]:
        return [(k.text(), v.text()) for k, v in self.row_labels]

    def spoken_text(self) -> str:
        said = ". ".join(f"{k}: {v}" for k, v in self.row_texts())
        return f"{self.title.text()}. {said}. {self.t('application.summary.spoken')}"


class ReceiptScreen(Screen):
    """The queue number, the application number and a QR code for its status: photograph-able."""

    step = Step.RECEIPT
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CitizenSession | None = None
        self.heading = label("", "fieldOk", align=Qt.AlignmentFlag.AlignCenter)
        self.ticket_caption = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        self.ticket = label("", "ticketNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.ticket.setAccessibleName("receiptTicket")
        self.counters = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        frame, box = card()
        self.number = label("", "sectionTitle", align=Qt.AlignmentFlag.AlignCenter)
        self.number.setAccessibleName("applicationNumber")
        self.qr = QLabel()
        self.qr.setObjectName("statusQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_text = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        self.sync = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.number, self.qr, self.qr_text):
            box.addWidget(widget)
        self.done_button = button("", "primary", self.done.emit, name="receiptDone")
        numbers = QVBoxLayout()
        numbers.setSpacing(18)
        for widget in (self.heading, self.ticket_caption, self.ticket, self.counters, self.sync):
            numbers.addWidget(widget)
        numbers.addStretch(1)
        # Portrait: queue number above the QR card; landscape: side by side.
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(28)
        self.body.addLayout(numbers)
        self.body.addWidget(frame)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.done_button)
        self._landscape = False
        self._seconds_left = 0
        self._qr_for: tuple[str, int] | None = None

    def enter(self, session: CitizenSession) -> None:
        self.session = session
        self._fill()

    def reset(self) -> None:
        self.session = None
        self.ticket.setText("")
        self.number.setText("")
        self.qr.clear()
        self._qr_for = None

    def set_seconds_left(self, seconds: int) -> None:
        self._seconds_left = seconds
        self.done_button.setText(self.t("application.receipt.done", seconds=seconds))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.heading.setText(t("application.receipt.heading"))
        self.ticket_caption.setText(t("application.receipt.ticket"))
        self.qr_text.setText(t("application.receipt.qr"))
        self.sync.setText(t("application.receipt.sync"))
        self.set_seconds_left(self._seconds_left)
        self._fill()

    def _fill(self) -> None:
        session, t = self.session, self.t
        if session is None or session.saved_application is None:
            return
        saved = session.saved_application
        self.ticket.setText(session.issued.ticket.number if session.issued else "—")
        if session.service is not None:
            self.counters.setText(t("application.receipt.counters",
                                    counters=", ".join(str(c) for c in session.service.counters)))
        self.number.setText(t("application.receipt.number", number=getattr(saved, "number", "")))
        self._draw_qr()

    def _draw_qr(self) -> None:
        session = self.session
        if session is None or session.saved_application is None:
            return
        url = str(getattr(session.saved_application, "status_url", "") or "")
        size = max(200, min(self.width(), self.height()) // 3)
        if url and self._qr_for != (url, size):
            self._qr_for = (url, size)
            self.qr.setPixmap(qr_pixmap(url, size))
        self.qr.setVisible(bool(url))
        self.qr_text.setVisible(bool(url))

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.landscape != self._landscape:
            self._landscape = self.landscape
            self.body.setDirection(QBoxLayout.Direction.LeftToRight if self._landscape
                                   else QBoxLayout.Direction.TopToBottom)
        self._draw_qr()

    def spoken_text(self) -> str:
        session = self.session
        if session is None or session.saved_application is None:
            return ""
        from kiosk.ui.kiosk.screens import spell_ticket

        ticket = spell_ticket(session.issued.ticket.number) if session.issued else ""
        return self.t("application.receipt.spoken", ticket=ticket,
                      number=" ".join(str(getattr(session.saved_application, "number", ""))))


# --- the controller ---------------------------------------------------------------------------

class ApplicationFlow(QObject):
    """Builds the application screens and does their slow work; the kiosk window owns one."""

    saved = Signal(object)   # SavedApplication, after the receipt is shown

    def __init__(self, window: Any, services: ApplicationServices) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.runner = TaskRunner("kiosk-applications", self)
        self.form_screen = FormScreen(services.forms)
        self.documents_screen = DocumentsScreen(services.forms, camera_available=services.camera is not None)
        self.summary_screen = SummaryScreen(services.forms)
        self.receipt_screen = ReceiptScreen()
        self.feed: CameraFeed | None = None  # runs only while the document step is on screen
        self.form_screen.finished.connect(lambda: window.show_step(window._next_after(Step.FORM)))
        self.form_screen.lookup_wanted.connect(self._look_up_registration)
        self.form_screen.skipped.connect(self._skip_form)
        self.documents_screen.finished.connect(lambda: window.show_step(window._next_after(Step.DOCUMENTS)))
        self.documents_screen.capture_wanted.connect(self._capture)
        self.summary_screen.confirm.connect(self.submit)
        self.summary_screen.edit_answers.connect(self._edit_answers)
        self.summary_screen.edit_photos.connect(lambda: window.show_step(Step.DOCUMENTS))
        self.receipt_screen.done.connect(window.wipe)
        if services.camera is not None:
            window.step_changed.connect(self._step_changed)
        # The counter sees a filed application through the queue (attached to its ticket). That
        # runs on its own thread after the receipt, again every few seconds until the queue has it
        # (and with each newer sync state): a queue host down at filing time never loses the view.
        self.views = open_counter_views(services.store, services.forms)
        self.views_runner: TaskRunner | None = None
        self.views_pusher: Refresher | None = None
        self.views_timer = QTimer(self)
        self.last_push: PushReport | None = None
        if self.views is not None:
            views, queue = self.views, window.queue
            self.views_runner = TaskRunner("kiosk-counter-views", self)
            self.views_pusher = Refresher(self.views_runner, lambda: views.push(queue),
                                          on_done=self._pushed, on_error=self._push_failed)
            self.views_timer.setInterval(PUSH_INTERVAL_SECONDS * 1000)
            self.views_timer.timeout.connect(self.push_views)
            self.views_timer.start()

    @property
    def screens(self) -> tuple[Screen, ...]:
        return (self.form_screen, self.documents_screen, self.summary_screen, self.receipt_screen)

    def form_for(self, service: Any) -> Form | None:
        return self.services.forms.form_for(service.code) if service is not None else None

    def _step_changed(self, step: str) -> None:
        """The camera runs only while the document step is on screen (it is shared with the face check)."""
        if step == Step.DOCUMENTS.value:
            self._start_camera()
        else:
            self._stop_camera()

    def _start_camera(self) -> None:
        if self.feed is not None or self.services.camera is None:
            return
        try:
            source = self.services.camera()
        except Exception as exc:  # a bad [camera] device setting: documents go to the counter
            log.warning("document camera unavailable: %s", exc)
            self.documents_screen.set_camera_failed()
            return
        feed = CameraFeed(source, DocumentAnalyser, self)
        feed.result_ready.connect(self._camera_result)
        feed.camera_failed.connect(self._camera_failed)
        feed.analysis_failed.connect(self._camera_failed)
        self.feed = feed
        feed.start()

    def _camera_result(self) -> None:
        result = self.feed.latest_result() if self.feed is not None else None
        if result is not None:
            self.documents_screen.show_frame(*result)

    def _camera_failed(self, reason: str) -> None:
        log.warning("document camera unavailable: %s", reason)
        self.documents_screen.set_camera_failed()

    def _stop_camera(self) -> None:
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop()
            feed.deleteLater()

    def _skip_form(self) -> None:
        """The citizen would rather have the clerk fill it in: forget the answers, take a plain ticket."""
        session = self.window.session
        if session.application is not None:
            session.application.forget()
        session.application = None
        session.form_skipped = True
        self.window.show_step(Step.CONFIRM)

    def _edit_answers(self) -> None:
        self.form_screen.start_at(0)
        self.window.show_step(Step.FORM)

    def _look_up_registration(self, draft: ApplicationDraft) -> None:
        lookup, session = self.services.lookup_registration, self.window.session
        if lookup is None or session.nik is None:
            self.form_screen.registration_found(draft, None)
            return
        digits = session.nik.digits

        def failed(exc: BaseException) -> None:
            log.warning("registration lookup failed: %s", exc)
            self.form_screen.registration_found(draft, None)

        self.runner.run(lambda: lookup(digits), on_done=lambda number: self.form_screen.registration_found(
            draft, number), on_error=failed)

    def _capture(self, image: np.ndarray) -> None:
        frame = image.copy()
        self.runner.run(lambda: capture_document(frame),
                        on_done=lambda result: self.documents_screen.show_capture(result[1], result[0]),
                        on_error=lambda exc: (log.warning("document capture failed: %s", exc),
                                              self.documents_screen.show_capture(None, check_frame(frame))))

    def submit(self) -> None:
        """Issue the queue number, then save the application with it, in one job off the GUI thread.

        Ticket first: its request id is stable, so "try again" after a failed save gets the same
        number back, and the saved application carries the number the counter will call.
        """
        window, session = self.window, self.window.session
        form = self.form_for(session.service)
        draft = session.application
        if form is None or draft is None or session.nik is None or session.service is None:
            return
        service, nik, lang, queue, store = session.service, session.nik, session.lang, window.queue, self.services.store
        request_id, views = session.request_id(), self.views

        def job() -> tuple[Any, Any]:
            issued = queue.issue(service.code, request_id=request_id, priority=session.priority, lang=lang,
                                 nik_masked=nik.masked, identity_status=session.identity_status())
            application = build_new_application(draft, form, nik, lang, issued.ticket.number)
            saved = save_application(store, application, ticket_number=issued.ticket.number)
            if views is not None:  # the counter's view goes to the queue after the receipt (push_views)
                views.filed(saved.id, issued.ticket)
            return issued, saved

        window._issuing = True
        self.runner.run(job, on_done=lambda result: self._saved(session, *result),
                        on_error=lambda exc: self._failed(session, exc))

    def _saved(self, session: CitizenSession, issued: Any, saved: Any) -> None:
        window = self.window
        window._issuing = False
        if session is not window.session:
            log.warning("application %s saved after the session was wiped", saved.number)
            return
        session.issued, session.saved_application = issued, saved
        event(log, "application_filed", "application %s filed for %s with ticket %s", saved.number,
              issued.ticket.service_code, issued.ticket.number)
        window.show_step(Step.RECEIPT)
        window.ticket_issued.emit(issued)
        self.saved.emit(saved)
        self.push_views()

    def push_views(self) -> None:
        """Give the queue the counter's views it lacks (and newer sync states), off the GUI thread."""
        if self.views_pusher is not None:
            self.views_pusher.request()

    def _pushed(self, report: PushReport) -> None:
        self.last_push = report

    def _push_failed(self, exc: BaseException) -> None:
        log.warning("sending application views to the queue failed: %s", exc)

    def _failed(self, session: CitizenSession, exc: BaseException) -> None:
        self.window._issuing = False
        if session is not self.window.session:
            return
        summary = self.summary_screen
        summary.set_busy(False)
        if isinstance(exc, ApplicationNotSaved):
            if exc.ticket_number:
                summary.show_error("application.error.not_saved_ticket", ticket=exc.ticket_number)
            else:
                summary.show_error("application.error.not_saved")
        elif (problem := issue_problem(exc)) is not None:
            if isinstance(exc, QueueUnavailable):
                log.warning("queue unavailable while filing an application: %s", exc)
            summary.show_error(problem)
        else:
            log.error("filing an application failed", exc_info=exc)
            summary.show_error("application.error.not_saved")

    def shutdown(self) -> None:
        self._stop_camera()
        self.views_timer.stop()
        self.runner.stop()
        if self.views_runner is not None:
            self.views_runner.stop()
        if self.views is not None:
            self.views.close()
        self.services.close()
