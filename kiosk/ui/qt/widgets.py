"""Building blocks shared by the screens: big buttons, keypads, the header bar, the idle overlay."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def button(text: str = "", variant: str = "", on_click: Callable[[], object] | None = None,
           name: str = "") -> QPushButton:
    """A push button styled by ``variant`` (primary, priority, hero, key, tab, toggle, small, service)."""
    widget = QPushButton(text)
    if variant:
        widget.setProperty("variant", variant)
    if name:
        widget.setObjectName(name)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch screen: no dotted focus rings
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    if on_click is not None:
        # clicked(bool) would otherwise overwrite a lambda's default argument (lambda g=group: ...)
        widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def label(text: str = "", name: str = "", wrap: bool = True,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def restyle(widget: QWidget, prop: str, value: object) -> None:
    """Set a style property and make the style sheet notice it."""
    widget.setProperty(prop, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def with_reason(action: QPushButton) -> tuple[QWidget, QLabel]:
    """``action`` with a line above it that says why it is disabled (see :func:`explain_disabled`):
    a greyed-out button alone leaves a citizen guessing what is missing."""
    area = QWidget()
    box = QBoxLayout(QBoxLayout.Direction.TopToBottom, area)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(8)
    reason = label("", "disabledReason", align=Qt.AlignmentFlag.AlignCenter)
    reason.hide()
    box.addWidget(reason, 1)
    box.addWidget(action, 1)
    return area, reason


def set_reason_beside(area: QWidget, beside: bool) -> None:
    """The reason left of the button (where a page has width but no height to spare) or above it."""
    box = area.layout()
    if isinstance(box, QBoxLayout):
        box.setDirection(QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom)


def explain_disabled(action: QPushButton, reason_label: QLabel, reason: str) -> None:
    """Enable ``action`` when there is no reason not to; otherwise disable it and say why beside it."""
    action.setEnabled(not reason)
    reason_label.setText(reason)
    reason_label.setVisible(bool(reason))


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(28, 22, 28, 22)
    layout.setSpacing(12)
    return frame, layout


class NumericKeypad(QWidget):
    """A phone-style keypad with large keys; emits what was pressed, owns no text."""

    digit = Signal(str)
    backspace = Signal()
    clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(14)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, key in enumerate("123456789"):
            grid.addWidget(self._key(key), i // 3, i % 3)
        self.backspace_button = button("⌫", "keyText", self.backspace.emit, name="keyBackspace")
        self.clear_button = button("", "keyText", self.clear.emit, name="keyClear")
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        grid.addWidget(self.backspace_button, 3, 2)

    def _key(self, text: str) -> QPushButton:
        key = button(text, "key", lambda: self.digit.emit(text), name=f"key{text}")
        return key

    def retranslate(self, clear_text: str, backspace_text: str) -> None:
        self.clear_button.setText(clear_text)
        self.backspace_button.setText("⌫ " + backspace_text)


class LetterKeyboard(QWidget):
    """An on-screen keyboard for searching (our own: Qt Virtual Keyboard is GPL)."""

    typed = Signal(str)
    backspace = Signal()

    ROWS: Sequence[str] = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setSpacing(8)
        rows.setContentsMargins(0, 0, 0, 0)
        for keys in self.ROWS:
            row = QHBoxLayout()
            row.setSpacing(8)
            for key in keys:
                typed = functools.partial(self.typed.emit, key.lower())
                row.addWidget(button(key, "letter", typed, name=f"letter{key}"))
            rows.addLayout(row)
        last = QHBoxLayout()
        last.setSpacing(8)
        self.space_button = button("", "letter", lambda: self.typed.emit(" "), name="letterSpace")
        self.backspace_button = button("⌫", "letter", self.backspace.emit, name="letterBackspace")
        last.addWidget(self.space_button, 3)
        last.addWidget(self.backspace_button, 1)
        rows.addLayout(last)

    def retranslate(self, space_text: str, backspace_text: str) -> None:
        self.space_button.setText(space_text)
        self.backspace_button.setText("⌫ " + backspace_text)


class Header(QFrame):
    """Top bar on every kiosk screen: where am I, go back, start over, language, text size, read aloud."""

    back = Signal()
    home = Signal()
    language = Signal(str)
    large_text = Signal(bool)
    speak = Signal()
    guide = Signal(bool)  # the audio guide's toggle (kiosk.ui.qt.audio_guide), shown once a guide is attached

    def __init__(self, tz: tzinfo, parent: QWidget | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``tz``: the building's time zone ([site] timezone), as on the tickets and the board; the
        kiosk PC's own clock may be set to another."""
        super().__init__(parent)
        self.setObjectName("header")
        self.tz, self.now = tz, now
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 12, 20, 12)
        outer.setSpacing(10)
        # Two rows so the bar fits a 1080 px portrait screen even with large text:
        # row 1 who/when and the citizen's settings, row 2 where am I and how to leave.
        top = QHBoxLayout()
        top.setSpacing(12)
        self.clock = label("", "clock", wrap=False)
        self.lang_id = button("Indonesia", "toggle", lambda: self.language.emit("id"), name="langId")
        self.lang_en = button("English", "toggle", lambda: self.language.emit("en"), name="langEn")
        self.text_size = button("", "toggle", name="textSize")
        self.speak_button = button("", "small", self.speak.emit, name="speakButton")
        self.guide_button = button("", "toggle", name="audioGuideButton")
        self.guide_offered = False
        self.guide_button.hide()
        for toggle in (self.lang_id, self.lang_en, self.text_size, self.guide_button):
            toggle.setCheckable(True)
        self.text_size.toggled.connect(self.large_text.emit)
        self.guide_button.toggled.connect(self.guide.emit)
        top.addWidget(self.clock)
        top.addStretch(1)
        for widget in (self.guide_button, self.speak_button, self.text_size, self.lang_id, self.lang_en):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            top.addWidget(widget)
        outer.addLayout(top)

        bar = QHBoxLayout()
        bar.setSpacing(12)
        self.back_button = button("", "small", self.back.emit, name="backButton")
        self.home_button = button("", "small", self.home.emit, name="homeButton")
        self.step = label("", "stepLabel", align=Qt.AlignmentFlag.AlignCenter)  # two lines in large text
        self.step.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for widget in (self.back_button, self.home_button):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.back_button)
        bar.addWidget(self.step, 1)
        bar.addWidget(self.home_button)
        self.nav = QWidget()
        self.nav.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.nav)

        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)
        self._tick()

    def _tick(self) -> None:
        self.clock.setText(f"{self.now().astimezone(self.tz):%H:%M}")

    def stop(self) -> None:
        self._timer.stop()

    def set_navigation(self, can_go_back: bool, can_go_home: bool, step_text: str) -> None:
        self.back_button.setVisible(can_go_back)
        self.home_button.setVisible(can_go_home)
        self.step.setText(step_text)
        self.nav.setVisible(can_go_back or can_go_home or bool(step_text))

    def set_state(self, lang: str, large_text: bool, can_speak: bool, show_languages: bool = True) -> None:
        self.lang_id.setVisible(show_languages)
        self.lang_en.setVisible(show_languages)
        self.lang_id.setChecked(lang == "id")
        self.lang_en.setChecked(lang == "en")
        self.text_size.blockSignals(True)
        self.text_size.setChecked(large_text)
        self.text_size.blockSignals(False)
        self.speak_button.setVisible(can_speak)
        self.guide_button.setVisible(can_speak and self.guide_offered)

    def retranslate(self, back: str, home: str, text_size: str, speak: str) -> None:
        self.back_button.setText("◀ " + back)
        self.home_button.setText(home)
        self.text_size.setText(text_size)
        self.speak_button.setText("🔊 " + speak)


class IdleOverlay(QFrame):
    """"Still there?" over the current screen, counting down to the wipe."""

    still_here = Signal()
    expired = Signal()
    tick_ms = 1000  # one countdown step; tests shorten it

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 60, 60, 60)
        dialog = QFrame()
        dialog.setObjectName("dialog")
        box = QVBoxLayout(dialog)
        box.setContentsMargins(40, 40, 40, 40)
        box.setSpacing(24)
        self.question = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.stay_button = button("", "hero", self._stay, name="stillHereButton")
        box.addWidget(self.question)
        box.addWidget(self.countdown)
        box.addWidget(self.stay_button)
        outer.addStretch(1)
        outer.addWidget(dialog)
        outer.addStretch(1)
        self._remaining = 0
        self._countdown_text: Callable[[int], str] = str
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def start(self, seconds: int) -> None:
        self._remaining = seconds
        self._timer.setInterval(self.tick_ms)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._show_remaining()
        self.show()
        self.raise_()
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()
        self.hide()

    @property
    def counting(self) -> bool:
        return self._timer.isActive()

    def retranslate(self, question: str, stay: str, countdown: Callable[[int], str]) -> None:
        self.question.setText(question)
        self.stay_button.setText(stay)
        self._countdown_text = countdown
        self._show_remaining()

    def mousePressEvent(self, event: object) -> None:
        self._stay()

    def _stay(self) -> None:
        self.cancel()
        self.still_here.emit()

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self.cancel()
            self.expired.emit()
        else:
            self._show_remaining()

    def _show_remaining(self) -> None:
        self.countdown.setText(self._countdown_text(self._remaining))


def clear_layout(layout: QLayout) -> None:
    """Remove every item of ``layout`` and delete its widgets (a list that is rebuilt on each refresh)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()
