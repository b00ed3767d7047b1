"""The identify step: the NIK on a large keypad (or the digital ID's QR by camera), checked as it is typed.

Validation is the domain's (:func:`kiosk.citizen.nik.check_partial`, :func:`~kiosk.citizen.nik.parse_nik`);
this screen only shows it: digits in groups, masked once complete, one specific message under the field.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from kiosk.citizen.nik import NIK_LENGTH, InvalidNik, NikProblem, check_partial, parse_nik
from kiosk.i18n import Translator
from kiosk.ui.kiosk.privacy_notice import PrivacyNotice
from kiosk.ui.qt.qr_scan import QrScanPanel, SourceFactory
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import NumericKeypad, button, explain_disabled, label, restyle, with_reason
from kiosk.visit.flow import CitizenSession, Step
from kiosk.visit.qr_codes import QrReading


def group_nik(digits: str) -> str:
    """3171 0101 0101 0001: groups of four are easier to check against the card."""
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


class IdentifyScreen(Screen):
    """NIK on a large keypad, checked digit by digit with a specific message under the field."""

    step = Step.IDENTIFY
    identified = Signal(object)
    without_nik = Signal()  # "Saya tidak membawa KTP / tidak tahu NIK" (kiosk.ui.kiosk.without_nik)
    travel_document = Signal()  # "Paspor / KITAS": a foreign visitor's number instead of a NIK

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label("", "title")
        self.subtitle = label("", "subtitle")
        self.field = QLineEdit()
        self.field.setObjectName("nikField")
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setMaxLength(19)  # 16 digits + 3 group spaces
        self.field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 •]{0,19}"), self.field))
        self.field.textChanged.connect(self._typed)
        self.message = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = button("", "small", self._toggle_reveal, name="revealButton")
        self.reveal_button.hide()
        self._digits = ""
        self._revealed = False
        self.keypad = NumericKeypad()
        self.keypad.digit.connect(self._type_digit)
        self.keypad.backspace.connect(self._backspace)
        self.keypad.clear.connect(self.reset)
        self.next_button = button("", "primary", self._submit, name="nextButton")
        self.default_button = self.next_button  # Enter on a USB keyboard (kiosk.ui.qt.screen)
        self.next_area, self.next_reason = with_reason(self.next_button)
        self.next_button.setEnabled(False)  # and the reason shown next to it, in the language (_show_state)
        # Without a NIK (issue 16): beside the main button, so they move wherever it goes.
        self.no_nik_button = button("", "small", self.without_nik.emit, name="noNikButton")
        self.travel_button = button("", "small", self.travel_document.emit, name="travelDocumentButton")
        next_box = self.next_area.layout()
        assert isinstance(next_box, QBoxLayout)
        self.next_row = QHBoxLayout()  # "Lanjut" and, once attached, the privacy notice's button beside it
        self.next_row.setSpacing(16)
        next_box.removeWidget(self.next_button)  # the last of its area (under its reason): now in the row
        self.next_row.addWidget(self.next_button, 2)
        next_box.addLayout(self.next_row, 1)
        for other_way in (self.no_nik_button, self.travel_button):
            next_box.addWidget(other_way)
        # The digital ID (IKD) QR read by the camera instead of typing: see enable_ikd_scan.
        self.ikd_button = button("", "small", self.start_ikd_scan, name="ikdScanButton")
        self.ikd_button.hide()
        self.ikd_cancel = button("", "", self.stop_ikd_scan, name="ikdCancel")
        self.ikd_cancel.hide()
        self.scanner: QrScanPanel | None = None
        self._ikd_offered = False
        self._ikd_note = ""  # a message about the scan, shown instead of the digit count
        # Portrait: everything in one column, the field low above the keypad and "Lanjut" at the
        # bottom (the screen's action row), within reach from a wheelchair. Landscape: text and field
        # left, keypad right.
        self.info = QVBoxLayout()
        self.info.setSpacing(22)
        self.info.addWidget(self.title)
        self.info.addWidget(self.subtitle)
        self.info.addStretch(1)
        self.info.addWidget(self.field)
        under_field = QHBoxLayout()  # one row: every row here is a row of the keypad out of reach
        under_field.setSpacing(16)
        under_field.addWidget(self.message, 1)
        for widget in (self.reveal_button, self.ikd_button):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            under_field.addWidget(widget)
        self.info.addLayout(under_field)
        self.input_side = QVBoxLayout()
        self.input_side.setSpacing(18)
        self.input_side.addWidget(self.keypad, 1)
        self.input_side.addWidget(self.ikd_cancel)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(20)
        self.body.addLayout(self.info, 1)
        self.body.addLayout(self.input_side, 0)  # portrait: the keypad as tall as it asks, low
        self.layout_.addLayout(self.body, 1)
        self.action_row.addWidget(self.next_area)
        self._problem: NikProblem | None = None
        self.privacy: PrivacyNotice | None = None

    def attach_privacy_notice(self, notice: PrivacyNotice) -> None:
        """The notice of UU 27/2022 (who holds the NIK, why, how long): its button beside "Lanjut", the
        notice under the heading once opened. No summary line and no row of its own: every row on this
        screen lifts the keypad above a seated person's reach; the button's words say what it is."""
        self.privacy = notice
        notice.summary.hide()
        self.info.insertWidget(self.info.indexOf(self.subtitle) + 1, notice)
        self.next_row.addWidget(notice.toggle, 1)
        notice.retranslate(self.t)

    # -- the digital ID (IKD) by camera ----------------------------------------------------------
    def enable_ikd_scan(self, make_source: SourceFactory, ikd_pattern: str) -> None:
        """Offer "Pindai KTP digital": the camera reads the IKD QR and fills in the NIK to confirm."""
        self.scanner = QrScanPanel(make_source, ikd_pattern)
        self.scanner.hide()
        self.scanner.read.connect(self._ikd_read)
        self.scanner.camera_failed.connect(self._ikd_camera_failed)
        self.input_side.insertWidget(0, self.scanner, 1)
        self._ikd_offered = True
        self.ikd_button.show()

    def set_ikd_offered(self, offered: bool) -> None:
        """Offer the scan only while the camera is there; a scan under way ends on its own if it goes."""
        self._ikd_offered = offered
        self.ikd_button.setVisible(offered and self.scanner is not None and not self.scanner.isVisible())

    def start_ikd_scan(self) -> None:
        if self.scanner is None:
            return
        self._ikd_note = "ikd.scan"
        self.keypad.hide()
        self.scanner.show()
        self.ikd_cancel.show()
        self.ikd_button.hide()
        self.scanner.start()
        self._show_state()

    def stop_ikd_scan(self, note: str = "") -> None:
        if self.scanner is None:
            return
        self.scanner.stop()
        self.scanner.hide()
        self.ikd_cancel.hide()
        self.keypad.show()
        self.ikd_button.setVisible(self._ikd_offered)
        self._ikd_note = note
        self._show_state()

    def _ikd_read(self, reading: QrReading) -> None:
        if reading.kind != "ikd":
            self._ikd_note = "ikd.not_ikd"
            self._show_state()
            return
        if reading.problem:
            self._ikd_note = f"nik.error.{reading.problem}"
            self._show_state()
            return
        self._set_digits(reading.value)
        self.stop_ikd_scan("ikd.read")

    def _ikd_camera_failed(self, _message: str) -> None:
        self.stop_ikd_scan("ikd.camera_unavailable")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.turn_with_orientation(self.body):
            return
        landscape = self.landscape
        # Landscape: the NIK's side gets 3/5 so 16 digits in large type fit (the first one was clipped).
        self.body.setStretch(0, 3 if landscape else 1)
        self.body.setStretch(1, 2 if landscape else 0)
        (self.action_row if landscape else self.info).removeWidget(self.next_area)
        (self.info if landscape else self.action_row).addWidget(self.next_area)

    @property
    def digits(self) -> str:
        return self._digits

    @property
    def masked(self) -> bool:
        return self.field.isReadOnly()

    def reset(self) -> None:
        if self.scanner is not None and self.scanner.isVisible():
            self.stop_ikd_scan()
        self._ikd_note = ""
        self._digits = ""
        self._revealed = False
        self.field.setReadOnly(False)
        self.field.setText("")  # setText clears the undo/redo history too
        if self.privacy is not None:
            self.privacy.close_notice()
        self._validate()

    def enter(self, session: CitizenSession) -> None:
        if session.nik is None:
            self.reset()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(t("identify.title"))
        self.subtitle.setText(t("identify.subtitle"))
        self.next_button.setText(t("identify.next"))
        self.no_nik_button.setText(t("without_nik.no_ktp_button"))
        self.travel_button.setText(t("without_nik.travel_button"))
        self.keypad.retranslate(t("identify.clear"), t("keyboard.backspace"))
        self.ikd_button.setText(t("ikd.scan_button"))
        self.ikd_cancel.setText(t("ikd.cancel"))
        if self.privacy is not None:
            self.privacy.retranslate(t)
        self._show_state()

    def _type_digit(self, digit: str) -> None:
        if len(self._digits) < NIK_LENGTH:
            self._set_digits(self._digits + digit)

    def _backspace(self) -> None:
        self._set_digits(self._digits[:-1])

    def _set_digits(self, digits: str) -> None:
        self._ikd_note = ""
        self._digits = digits
        self._revealed = False
        self._validate()

    def _typed(self, text: str) -> None:
        """Digits typed on a USB keypad straight into the field."""
        if not self.field.isReadOnly():
            self._digits = text.replace(" ", "")[:NIK_LENGTH]
            self._revealed = False
            self._validate()

    def _toggle_reveal(self) -> None:
        self._revealed = not self._revealed
        self._render()

    def _validate(self) -> None:
        digits = self._digits
        self._problem = check_partial(digits) if digits else None
        if self._problem is None and len(digits) == NIK_LENGTH:
            try:
                parse_nik(digits)
            except InvalidNik as exc:
                self._problem = exc.problem
        self._render()
        self._show_state()

    def _render(self) -> None:
        """Digits in groups while typing; once complete, masked (the lobby can look over a shoulder)."""
        complete = len(self._digits) == NIK_LENGTH and self._problem is None
        masked = complete and not self._revealed
        text = f"{self._digits[:4]} •••• •••• {self._digits[12:]}" if masked else group_nik(self._digits)
        if text != self.field.text():
            self.field.blockSignals(True)
            self.field.setText(text)
            self.field.blockSignals(False)
        self.field.setReadOnly(masked)
        self.reveal_button.setVisible(complete)
        self.reveal_button.setText(self.t("identify.hide") if self._revealed else self.t("identify.reveal"))

    def _show_state(self) -> None:
        digits, t = self.digits, self.t
        complete = len(digits) == NIK_LENGTH and self._problem is None
        why = "" if complete else t("identify.next_why_fix" if self._problem is not None else "identify.next_why")
        explain_disabled(self.next_button, self.next_reason, why)
        scan_problem = self._ikd_note.startswith("nik.error.") or self._ikd_note in ("ikd.not_ikd",
                                                                                     "ikd.camera_unavailable")
        if self._ikd_note and (scan_problem or self._ikd_note == "ikd.scan"):
            self.message.setObjectName("fieldError" if scan_problem else "note")
            self.message.setText(t(self._ikd_note))
            state = "error" if scan_problem else ""
        elif self._ikd_note == "ikd.read" and complete:
            self.message.setObjectName("fieldOk")
            self.message.setText(t("ikd.read"))
            state = "ok"
        elif self._problem is not None:
            self.message.setObjectName("fieldError")
            self.message.setText(t(self._problem.i18n_key))
            state = "error"
        elif complete:
            self.message.setObjectName("fieldOk")
            self.message.setText(t("identify.valid"))
            state = "ok"
        else:
            self.message.setObjectName("note")
            self.message.setText(t("identify.count", typed=len(digits)))
            state = ""
        restyle(self.message, "state", state)
        restyle(self.field, "state", state)

    @property
    def problem(self) -> NikProblem | None:
        return self._problem

    def _submit(self) -> None:
        try:
            nik = parse_nik(self.digits)
        except InvalidNik as exc:
            self._problem = exc.problem
            self._show_state()
            return
        self.identified.emit(nik)

    def spoken_text(self) -> str:
        parts = [self.t("identify.title") + ".", self.t("identify.subtitle")]
        if self._problem is not None:
            parts.append(self.message.text())
        if self.privacy is not None:
            parts.append(self.privacy.spoken_text())
        return " ".join(parts)
