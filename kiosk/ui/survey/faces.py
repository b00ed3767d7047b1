"""The survey's faces: four answers from very unhappy to very happy, and the styles the kiosk's lack."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QBoxLayout, QFrame, QWidget

from kiosk.ui.qt.theme import PRIMARY, Scale
from kiosk.ui.qt.widgets import label, restyle

FACE_COLOURS = {1: "#c62828", 2: "#ef6c00", 3: "#7cb342", 4: "#2e7d32"}
ANSWER_TEXT_PX = 38  # the answers' type size at a 1080 px short side, before "large text"


def face_pixmap(score: int, size: int) -> QPixmap:
    """A face from very unhappy (1) to very happy (4): colour, eyes and mouth all say the score."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    line = max(2.0, size / 28)
    p.setPen(QPen(QColor("#0f172a"), line))
    p.setBrush(QColor(FACE_COLOURS[score]))
    p.drawEllipse(QRectF(line, line, size - 2 * line, size - 2 * line))
    p.setBrush(QColor("#0f172a"))
    eye = size * 0.075
    for x in (0.35, 0.65):
        p.drawEllipse(QPointF(size * x, size * 0.38), eye, eye)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("#0f172a"), line * 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    curve = {1: -0.16, 2: -0.07, 3: 0.08, 4: 0.17}[score]  # negative: a frown
    mouth = QPainterPath(QPointF(size * 0.3, size * 0.68))
    mouth.quadTo(QPointF(size * 0.5, size * (0.68 + 2 * curve)), QPointF(size * 0.7, size * 0.68))
    p.drawPath(mouth)
    p.end()
    return pixmap


class AnswerTile(QFrame):
    """One answer: a big face and its words, the whole tile is the touch target."""

    clicked = Signal(int)

    def __init__(self, score: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = score
        self.setObjectName("tile")
        self.setAccessibleName(f"answer{score}")
        self.setProperty("pressed", False)
        self.setProperty("selected", False)
        self.face = label("", "answerFace", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.text = label("", "answerText", align=Qt.AlignmentFlag.AlignCenter)
        for child in (self.face, self.text):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(18, 12, 18, 12)
        self.box.setSpacing(18)
        self.box.addWidget(self.face, 0, Qt.AlignmentFlag.AlignCenter)
        self.box.addWidget(self.text, 1)
        self._face_size = 0
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_vertical(self, vertical: bool, face_size: int) -> None:
        self.box.setDirection(QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight)
        self.text.setAlignment((Qt.AlignmentFlag.AlignCenter if vertical else Qt.AlignmentFlag.AlignLeft)
                               | Qt.AlignmentFlag.AlignVCenter)
        if face_size != self._face_size:
            self._face_size = face_size
            self.face.setPixmap(face_pixmap(self.score, face_size))
            self.face.setFixedSize(face_size, face_size)

    def set_selected(self, selected: bool) -> None:
        restyle(self, "selected", selected)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", True)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        restyle(self, "pressed", False)
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.score)


def survey_style(scale: Scale) -> str:
    """What the kiosk style does not have: the selected answer and the progress bar."""
    p = scale.px
    return f"""
    QFrame#tile[selected="true"] {{ border: {max(4, p(7))}px solid {PRIMARY}; background: #dbeafe; }}
    QLabel#answerFace {{ background: transparent; }}
    QLabel#answerText {{ background: transparent; font-size: {scale.font(ANSWER_TEXT_PX)}px;
                          font-weight: 700; }}
    QProgressBar#surveyProgress {{ border: none; background: #e2e8f0; border-radius: {p(8)}px;
                                   min-height: {p(16)}px; max-height: {p(16)}px; }}
    QProgressBar#surveyProgress::chunk {{ background: {PRIMARY}; border-radius: {p(8)}px; }}
    QLabel#ticketEntry {{ font-size: {scale.font(64)}px; font-weight: 800; border: {max(3, p(4))}px solid {PRIMARY};
                          border-radius: {p(14)}px; padding: {p(8)}px; background: white; }}
    """
