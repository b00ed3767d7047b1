"""Photos of the required documents: live view with the page outlined, take, check, retake."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.applications.documents import DocumentCheck, check_frame
from kiosk.applications.drafts import ApplicationDraft
from kiosk.camera.sources import Frame
from kiosk.catalog.forms import DocumentRequirement, Form, FormSet, asked_form
from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.widgets import PictureLabel, bgr_to_qimage
from kiosk.ui.kiosk.base import Tile
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, label, restyle
from kiosk.visit.flow import CitizenSession, Step


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
        self.next_reason = label("", "note")  # why "Next" cannot be touched yet, right above it
        self.next_reason.setAccessibleName("documentsNextReason")
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
        self.side.addStretch(1)  # what is touched low, within reach (issue 16)
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
        self.action_row.addWidget(self.next_reason)
        self.action_row.addWidget(self.next_button)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(22)
        self.body.addWidget(self.picture, 3)
        self.body.addLayout(self.side, 2)
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)

    @property
    def requirement(self) -> DocumentRequirement | None:
        if self.form is None or not self.form.documents:
            return None
        return self.form.documents[min(self.index, len(self.form.documents) - 1)]

    def enter(self, session: CitizenSession) -> None:
        service = session.service
        form = self.forms.form_for(service.code) if service is not None else None
        self.draft = session.application
        # Only the papers asked for these answers (the birth letter, or none when an SPTJM was chosen).
        self.form = asked_form(form, self.draft.values) if form is not None and self.draft is not None else form
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
        image = QImage.fromData(jpeg, "JPG")  # type: ignore[arg-type]  # PySide6 takes str; the stub says bytes
        self.picture.set_image(image)
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
        waiting_for = len(draft.missing_documents(form))
        self.next_reason.setText(t("application.documents.next_after", count=waiting_for))
        self.next_reason.setVisible(not self.next_button.isEnabled() and not reviewing)
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
        for tile, line in zip(self.redo_tiles, lines, strict=False):
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.turn_with_orientation(self.body):
            self.title.setVisible(not self.landscape)  # the room goes to the picture and the instructions

    def spoken_text(self) -> str:
        return " ".join(p for p in (self.document.text() + ".", self.hint.text(), self.status.text()) if p)
