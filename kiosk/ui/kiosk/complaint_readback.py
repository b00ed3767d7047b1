"""The last pages of "Sampaikan pengaduan": everything read back before it is sent, and the receipt."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QPlainTextEdit, QSizePolicy

from kiosk.i18n import Translator
from kiosk.ui.kiosk.application.widgets import qr_pixmap
from kiosk.ui.kiosk.complaint_pages import Page
from kiosk.ui.qt.theme import EDGE
from kiosk.ui.qt.widgets import card, label, restyle


class ConfirmPage(Page):
    """Everything read back before it is sent; what went wrong saving it, said here, the text kept."""

    gap_stretch = 0

    def __init__(self) -> None:
        super().__init__()
        frame, self.facts_box = card()
        self.facts = label("", "body")
        self.facts.setAccessibleName("complaintFacts")
        self.facts_box.addWidget(self.facts)
        self.readback = QPlainTextEdit()
        self.readback.setObjectName("complaintReadback")
        self.readback.setReadOnly(True)
        self.readback.setStyleSheet(f"QPlainTextEdit {{ border: 2px solid {EDGE}; border-radius: 14px; "
                                    f"padding: 8px; }}")
        self.readback.setMinimumHeight(120)
        self.error = label("", "errorBanner")
        self.error.setAccessibleName("complaintError")
        self.error.hide()
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)  # landscape: the facts beside the text
        self.body.setSpacing(14)
        self.body.addWidget(frame)
        self.body.addWidget(self.readback, 1)
        self.top.addLayout(self.body, 1)
        self.top.addWidget(self.error)
        self.box.setStretch(0, 1)

    def set_landscape(self, landscape: bool) -> None:
        super().set_landscape(landscape)
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t("complaint_filing.confirm.title"))
        self.hint.setText(t("complaint_filing.confirm.hint"))

    def spoken_text(self) -> str:
        return " ".join(x for x in (super().spoken_text(), self.facts.text(), self.readback.toPlainText(),
                                    self.error.text()) if x)


class ReceiptPage(Page):
    """The reference, large; the QR of the status page; the first-response promise; the slip's state."""

    side_by_side = True  # landscape: the QR beside the words

    def __init__(self) -> None:
        super().__init__()
        self.title.setObjectName("fieldOk")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference = label("", "statusNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.reference.setAccessibleName("complaintReference")
        self.reference.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # see fit_reference
        self.promise = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        frame, qr_box = card()
        self.qr = QLabel()
        self.qr.setObjectName("complaintQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_text = label("", "body", align=Qt.AlignmentFlag.AlignCenter)
        qr_box.addWidget(self.qr)
        qr_box.addWidget(self.qr_text)
        self.printing = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.printing.setAccessibleName("complaintPrintState")
        for widget in (self.reference, self.promise, self.printing):
            self.top.addWidget(widget)
        self.bottom.addWidget(frame)
        self.url = ""
        self._qr_for: tuple[str, int] | None = None
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit_reference)

    def set_landscape(self, landscape: bool) -> None:
        super().set_landscape(landscape)
        self.title.setObjectName("fieldOk")  # the heading keeps its look in both orientations
        restyle(self.title, "landscape", landscape)
        if landscape:  # the reference's column the wider: it keeps its large size
            self.box.setStretch(self.box.indexOf(self.top), 3)
            self.box.setStretch(self.box.indexOf(self.bottom), 2)
        self.draw_qr()

    def fit_reference(self) -> None:
        """The reference as large as the width allows: the status answer's size, else the title's
        (``ADU-7KQ2-M9XD`` in large text is wider than a portrait screen at the larger one)."""
        reference = self.reference
        for name in ("statusNumber", "title"):
            if reference.objectName() != name:
                reference.setObjectName(name)
                restyle(reference, "fit", name)
            room = reference.width() if reference.width() > 50 else self.width()
            if reference.fontMetrics().horizontalAdvance(reference.text()) + 16 <= room:
                break

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            self._refit.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit.start()

    def show_receipt(self, reference: str, url: str, t: Translator) -> None:
        self.reference.setText(reference)
        self.fit_reference()
        self.url = url
        self.qr_text.setText(t("complaint_filing.receipt.qr") if url else t("complaint_filing.receipt.no_qr"))
        self.draw_qr()

    def draw_qr(self) -> None:
        top = self.window()
        size = max(200, min(top.width(), top.height()) // 4)
        if self.url and self._qr_for != (self.url, size):
            self._qr_for = (self.url, size)
            self.qr.setPixmap(qr_pixmap(self.url, size))
            self.qr.setMinimumSize(QSize(size, size))
        self.qr.setVisible(bool(self.url))

    def clear(self) -> None:
        self.reference.setText("")
        self.url = ""
        self.qr.clear()
        self._qr_for = None
        self.printing.setText("")

    def retranslate(self, t: Translator) -> None:
        self.title.setText("✓ " + t("complaint_filing.receipt.heading"))
        self.hint.setText(t("complaint_filing.receipt.caption"))
        self.promise.setText(t("complaint_filing.receipt.first_response"))
        if self.reference.text():
            self.show_receipt(self.reference.text(), self.url, t)

    def spoken_text(self) -> str:
        spelled = " ".join(ch for ch in self.reference.text() if ch != "-")
        return " ".join(x for x in (self.title.text(), self.hint.text(), spelled + ".", self.promise.text(),
                                    self.qr_text.text(), self.printing.text()) if x)
