"""The board's big type: one-line labels that shrink only to fit, and the call "A-002 → LOKET 1".

Type sizes are set in code, on each label's own style sheet (the board's style sheet gives weight
and colour): a style sheet would override a font set with ``setFont``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from kiosk.ui.board.style import MIN_COUNTER_SHARE
from kiosk.ui.qt.widgets import label

MIN_PX = 12
GAP_SHARE = 0.3  # space between number and counter, share of the number's type size


def set_type_px(widget: QLabel, px: int) -> None:
    """Give ``widget`` a type size of ``px`` pixels (no-op when it has it already)."""
    if widget.property("typePx") != px:
        widget.setProperty("typePx", px)
        widget.setStyleSheet(f"font-size: {px}px;")
        widget.ensurePolished()


def text_width(widget: QLabel, px: int, text: str | None = None) -> int:
    """How wide ``text`` (default: the label's) is in the label's font at ``px`` pixels."""
    widget.ensurePolished()
    font = QFont(widget.font())
    font.setPixelSize(max(1, px))
    return QFontMetrics(font).horizontalAdvance(widget.text() if text is None else text)


def line_height(widget: QLabel, px: int) -> int:
    """One line's height in the label's font at ``px`` pixels (rows keep it when their type shrinks)."""
    widget.ensurePolished()
    font = QFont(widget.font())
    font.setPixelSize(max(1, px))
    return QFontMetrics(font).height()


def fitting_px(widget: QLabel, base_px: int, width: int, text: str | None = None) -> int:
    """The largest size up to ``base_px`` at which the text fits ``width`` (hinting is not linear: checked)."""
    px = base_px
    natural = text_width(widget, px, text)
    if natural > width > 0:
        px = max(MIN_PX, int(base_px * width / natural))
        while px > MIN_PX and text_width(widget, px, text) > width:
            px -= 1
    return px


class FitLabel(QLabel):
    """One line of type as large as its base size, smaller only when the text would not fit the width."""

    def __init__(self, name: str, base_px: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.base_px = base_px
        self._fit()

    def set_base_px(self, px: int) -> None:
        self.base_px = px
        self._fit()

    def set_line(self, text: str) -> None:
        self.setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        set_type_px(self, fitting_px(self, self.base_px, self.width()) if self.width() > 1 else self.base_px)
        self.setFixedHeight(line_height(self, self.base_px))  # the row keeps its height when the type shrinks


class CallLine(QWidget):
    """The number being called and its counter, baseline to baseline on one line (or stacked).

    Both keep their sizes' ratio when the line must shrink to fit, so the counter stays at least
    :data:`MIN_COUNTER_SHARE` of the number's height; stacked, each line fits on its own and the
    number shrinks with the counter when needed.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nowCall")
        self.number = label("—", "nowNumber", wrap=False)
        self.counter = label("", "nowCounter", wrap=False)
        for part in (self.number, self.counter):
            part.setParent(self)
            part.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            part.setContentsMargins(0, 0, 0, 0)
        self.number_px, self.counter_px, self.stacked = 216, 160, False
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_sizes(self, number_px: int, counter_px: int, stacked: bool) -> None:
        self.number_px, self.counter_px, self.stacked = number_px, counter_px, stacked
        height = line_height(self.number, number_px)
        if stacked:
            height += line_height(self.counter, counter_px)
        self.setFixedHeight(height)
        self.arrange()

    def set_call(self, number: str, counter: str) -> None:
        self.number.setText(number)
        self.counter.setText(counter)
        self.arrange()

    def sizeHint(self) -> QSize:
        return QSize(text_width(self.number, self.number_px) + text_width(self.counter, self.counter_px),
                     self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def fitted_sizes(self) -> tuple[int, int]:
        """The number's and the counter's type size for the current width."""
        width = self.width()
        if self.stacked:
            counter_px = fitting_px(self.counter, self.counter_px, width)
            number_px = min(fitting_px(self.number, self.number_px, width), int(counter_px / MIN_COUNTER_SHARE))
            return number_px, counter_px
        natural = (text_width(self.number, self.number_px) + int(self.number_px * GAP_SHARE)
                   + text_width(self.counter, self.counter_px))
        if natural <= width or width <= 1:
            return self.number_px, self.counter_px
        share = width / natural
        while share > 0.1:
            number_px, counter_px = max(MIN_PX, int(self.number_px * share)), max(MIN_PX, int(self.counter_px * share))
            if (text_width(self.number, number_px) + int(number_px * GAP_SHARE)
                    + text_width(self.counter, counter_px)) <= width:
                return number_px, counter_px
            share -= 0.01
        return MIN_PX, MIN_PX

    def arrange(self) -> None:
        """Size both parts and place them: centred, the counter on the number's baseline (or below it)."""
        number_px, counter_px = self.fitted_sizes()
        set_type_px(self.number, number_px)
        set_type_px(self.counter, counter_px)
        big, small = self.number.fontMetrics(), self.counter.fontMetrics()
        number_w, counter_w = big.horizontalAdvance(self.number.text()), small.horizontalAdvance(self.counter.text())
        if self.stacked:
            top = max(0, (self.height() - big.height() - small.height()) // 2)
            self.number.setGeometry((self.width() - number_w) // 2, top, number_w + 2, big.height())
            self.counter.setGeometry((self.width() - counter_w) // 2, top + big.height(), counter_w + 2,
                                     small.height())
            return
        gap = int(number_px * GAP_SHARE) if self.counter.text() and self.number.text() else 0
        left = (self.width() - number_w - gap - counter_w) // 2
        top = (self.height() - big.height()) // 2
        self.number.setGeometry(left, top, number_w + 2, big.height())
        self.counter.setGeometry(left + number_w + gap, top + big.ascent() - small.ascent(), counter_w + 2,
                                 small.height())
