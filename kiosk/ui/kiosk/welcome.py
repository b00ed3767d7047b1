"""The first screen: start, priority queue, language, and the ways in to the survey, "Cek status",
"Saya sudah booking" (a booked visit) and "Sampaikan pengaduan" (a complaint)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.icons import CONTROLS, decorate
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import FlowRows, button, label
from kiosk.visit.flow import Step


class WelcomeScreen(Screen):
    step = Step.WELCOME
    start = Signal()
    priority = Signal()
    language = Signal(str)
    survey = Signal()
    status = Signal()
    booking = Signal()
    complaint = Signal()

    def __init__(self, site_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.site_name = site_name
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.start_button = button("", "hero", self.start.emit, name="startButton")
        self.priority_button = button("", "heroPriority", self.priority.emit, name="priorityButton")
        decorate(self.start_button, CONTROLS["ticket"])
        self.priority_note = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        self.language_hint = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        langs = QHBoxLayout()
        langs.setSpacing(20)
        self.lang_id = button("Bahasa Indonesia", "toggle", lambda: self.language.emit("id"), name="welcomeLangId")
        self.lang_en = button("English", "toggle", lambda: self.language.emit("en"), name="welcomeLangEn")
        for widget in (self.lang_id, self.lang_en):
            widget.setCheckable(True)
            langs.addWidget(widget)
        # Portrait: the two big buttons stacked; landscape: side by side (see resizeEvent).
        self.hero_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.hero_row.setSpacing(22)
        self.hero_row.addWidget(self.start_button, 1)
        self.priority_box = QVBoxLayout()
        self.priority_box.setSpacing(8)
        self.priority_box.addWidget(self.priority_button)
        self.priority_box.addWidget(self.priority_note)
        self.hero_row.addLayout(self.priority_box, 1)
        # What is read at the top; everything to touch in the lower part, within reach from a wheelchair.
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addStretch(3)
        self.layout_.addLayout(self.hero_row)
        # "Nilai layanan kami" (shown by the window when this kiosk can find tickets by number) and
        # "Cek status" (shown once the window has built its screen: by typed number, and by QR with a camera).
        self.survey_button = button("", "small", self.survey.emit, name="surveyButton")
        self.survey_button.hide()
        self.status_button = button("", "small", self.status.emit, name="statusButton")
        self.status_button.hide()
        # A booked visit and a complaint: shown by the window when the kiosk offers them.
        self.booking_button = button("", "small", self.booking.emit, name="bookingButton")
        decorate(self.booking_button, CONTROLS["booking"])
        self.booking_button.hide()
        self.complaint_button = button("", "small", self.complaint.emit, name="complaintButton")
        decorate(self.complaint_button, CONTROLS["complaint"])
        self.complaint_button.hide()
        # as many rows as the width needs (four words-long buttons do not fit one row in portrait)
        self.extras = FlowRows((self.booking_button, self.status_button, self.survey_button, self.complaint_button),
                               20)
        self.layout_.addWidget(self.extras)
        self.action_row.addWidget(self.language_hint)
        self.action_row.addLayout(langs)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.landscape
        self.hero_row.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._place_priority_note(landscape)
        self._show_title()

    def _place_priority_note(self, landscape: bool) -> None:
        """Who may use the priority line: under the yellow button in landscape (beside the taller blue one,
        it costs no height); in portrait read with the title, so that with every way in shown the blue
        button stays within a seated person's reach (it rose past 1,200 mm with large text)."""
        in_box = self.priority_box.indexOf(self.priority_note) >= 0
        if in_box == landscape:
            return
        if landscape:
            self.layout_.removeWidget(self.priority_note)
            self.priority_box.addWidget(self.priority_note)
        else:
            self.priority_box.removeWidget(self.priority_note)
            self.layout_.insertWidget(self.layout_.indexOf(self.subtitle) + 1, self.priority_note)
        self._word_priority_note()

    def _word_priority_note(self) -> None:
        beside = self.priority_box.indexOf(self.priority_note) >= 0
        self.priority_note.setText(self.t("welcome.priority_note" if beside else "welcome.priority_note_apart"))

    def _show_title(self) -> None:
        """Landscape has no height to spare for a two-line title: there it greets without the site's name,
        which the header above already shows (with every way in on the welcome screen, large text did not fit)."""
        if self.landscape:
            self.title.setText(self.t("welcome.title_short"))
        else:
            self.title.setText(self.t("welcome.title", site=self.site_name))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self._show_title()
        self.subtitle.setText(t("welcome.subtitle"))
        self.start_button.setText(t("welcome.start"))
        self.priority_button.setText(t("welcome.priority"))
        self._word_priority_note()
        self.language_hint.setText(t("welcome.language_hint"))
        self.survey_button.setText("★ " + t("survey.welcome_button"))
        self.status_button.setText(t("status_check.welcome_button"))
        self.booking_button.setText(t("welcome.booking"))
        self.complaint_button.setText(t("welcome.complaint"))
        self.lang_id.setChecked(t.lang == "id")
        self.lang_en.setChecked(t.lang == "en")

    def spoken_text(self) -> str:
        return " ".join([self.t("welcome.title", site=self.site_name), self.t("welcome.spoken")])
