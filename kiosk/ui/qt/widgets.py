"""Building blocks shared by the screens: big buttons, keypads, the idle overlay (bars: kiosk.ui.qt.bars)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
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

    def __init__(self, parent: QWidget | None = None, *, equal_columns: bool = False) -> None:
        """``equal_columns``: keys of equal width (the staff consoles), else the wider "Clear"/"⌫"
        labels squeeze the middle column."""
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, key in enumerate("123456789"):
            grid.addWidget(self._key(key), i // 3, i % 3)
        self.backspace_button = button("⌫", "keyText", self.backspace.emit, name="keyBackspace")
        self.clear_button = button("", "keyText", self.clear.emit, name="keyClear")
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        grid.addWidget(self.backspace_button, 3, 2)
        for column in range(3 if equal_columns else 0):
            grid.setColumnStretch(column, 1)

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


class FlowRows(QWidget):
    """Buttons in their order on as few rows as the width allows, each row filled: never a word cut,
    and no row more than needed (each row is height a screen may not have within reach)."""

    def __init__(self, widgets: Sequence[QWidget], spacing: int = 12, parent: QWidget | None = None, *,
                 short_to_the_right: bool = False, first_fit: bool = False) -> None:
        """``short_to_the_right``: a last row much shorter than the width keeps its buttons' own width,
        to the right (the kiosk's bar), rather than stretching them. ``first_fit``: a button goes on the
        first row with room for it, not only the last (fewer rows; the order bends a little)."""
        super().__init__(parent)
        self.widgets: list[QWidget] = []
        self.spacing = spacing
        self.short_to_the_right = short_to_the_right
        self.first_fit = first_fit
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(spacing)
        self._arranged: list[list[QWidget]] | None = None
        self._lines: list[QHBoxLayout] = []
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.arrange)
        self.set_widgets(widgets)

    def set_widgets(self, widgets: Sequence[QWidget]) -> None:
        """The buttons to lay out, in order (those that left are the caller's to place elsewhere)."""
        if list(widgets) == self.widgets:
            return
        for widget in self.widgets:
            widget.removeEventFilter(self)
        self.widgets = list(widgets)
        for widget in self.widgets:
            if widget.parentWidget() is not self:  # keep a widget hidden on purpose hidden, show the rest
                hidden = widget.isHidden() and widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
                widget.setParent(self)
                widget.setHidden(hidden)
            widget.installEventFilter(self)
        self._arranged = None
        self.arrange()

    def arrange(self) -> None:
        """Lay the shown widgets out for the current width (only when the rows change)."""
        room = max(100, self.width())
        rows: list[list[QWidget]] = []
        used: list[int] = []
        for widget in self.widgets:
            if widget.isHidden():
                continue
            width = widget.sizeHint().width()
            candidates = range(len(rows)) if self.first_fit else range(max(0, len(rows) - 1), len(rows))
            fits = [i for i in candidates if used[i] + self.spacing + width <= room]
            if fits:
                rows[fits[0]].append(widget)
                used[fits[0]] += self.spacing + width
            else:
                rows.append([widget])
                used.append(width)
        if rows == self._arranged:
            return
        self._arranged = rows
        # The row layouts are made once and kept (an empty one takes no room): only the buttons move,
        # so no layout is ever deleted while Qt may still be laying it out.
        while len(self._lines) < len(rows):
            line = QHBoxLayout()
            line.setSpacing(self.spacing)
            self.rows.addLayout(line)
            self._lines.append(line)
        for line in self._lines:
            while line.count():
                line.takeAt(0)
        for line, row in zip(self._lines, rows, strict=False):
            short = (self.short_to_the_right and len(rows) > 1
                     and sum(w.sizeHint().width() for w in row) < room * 0.6)
            if short:
                line.addStretch(1)  # a last row of two: their own width, to the right, not stretched wide
            for widget in row:
                line.addWidget(widget, 0 if short else 1)
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:  # large text: the children's new sizes come after
            self._later.start()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a child's text changed: its width too
            self._later.start()
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self.arrange()
        elif event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._later.start()
        return False
