"""How regional IT's screens look: the kiosk style made denser, and the ok/warning/problem badge."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.i18n import Translator
from kiosk.ui.qt.theme import DANGER, INK, MUTED, PRIORITY, SUCCESS, SURFACE, Scale, kiosk_style
from kiosk.ui.qt.widgets import label


def admin_style(scale: Scale) -> str:
    """The kiosk style, denser for forms and lists an IT person reads at arm's length."""
    f, p = scale.fixed, scale.px
    return kiosk_style(Scale(scale.unit)) + f"""
    QWidget#adminPanel {{ background: white; }}
    QLabel#adminTitle {{ font-size: {f(48)}px; font-weight: 700; }}
    QLabel#adminNote {{ font-size: {f(26)}px; color: {MUTED}; }}
    QLabel#adminMessage {{ font-size: {f(30)}px; font-weight: 600; color: {INK}; }}
    QLabel#adminMessage[error="true"] {{ color: {DANGER}; }}
    QLabel#pinDots {{ font-size: {f(64)}px; letter-spacing: {p(12)}px; min-height: {p(90)}px; }}
    QFrame#checkRow {{ background: {SURFACE}; border-radius: {p(12)}px; }}
    QLabel#checkName {{ font-size: {f(28)}px; font-weight: 700; background: transparent; }}
    QLabel#checkDetail {{ font-size: {f(20)}px; color: {MUTED}; background: transparent; }}
    QLabel#checkAdvice {{ font-size: {f(24)}px; background: transparent; }}
    QLabel#level, QWidget QLabel#level {{ font-size: {f(24)}px; font-weight: 700; padding: {p(4)}px {p(12)}px;
                    border-radius: {p(8)}px; color: white; background: {MUTED}; }}
    QLabel#level[level="ok"] {{ background: {SUCCESS}; }}
    QLabel#level[level="warning"] {{ background: {PRIORITY}; color: {INK}; }}
    QLabel#level[level="error"] {{ background: {DANGER}; }}
    QLabel#fieldLabel {{ font-size: {f(26)}px; font-weight: 600; }}
    QLineEdit {{ font-size: {f(30)}px; font-weight: 400; letter-spacing: 0px; min-height: {scale.touch(72)}px;
                 padding: {p(6)}px {p(12)}px; }}
    QPushButton {{ font-size: {f(28)}px; }}
    QPushButton[variant="menu"] {{ min-height: {scale.touch(110)}px; font-size: {f(34)}px; text-align: left;
                   padding: {p(10)}px {p(30)}px; }}
    QPushButton[variant="danger"] {{ background: {DANGER}; color: white; border-color: #7a1013; }}
    """


def level_label(level: str, t: Translator) -> QLabel:
    widget = label(t(f"admin.diag.{level}"), "level", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
    widget.setProperty("level", level)
    return widget
