"""Colours and the style sheet: high contrast, large type, touch targets of at least 72 px.

Sizes are given for a 1080 px short screen side and scaled with the window, so the same screens
work at 1080×1920 portrait, 1920×1080 landscape and in a smaller demo window. "Large text"
multiplies type sizes, not the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

# Colours chosen for WCAG AA contrast or better against their backgrounds.
INK = "#0f172a"          # text on light backgrounds (contrast 17:1 on white)
MUTED = "#334155"        # secondary text (10:1)
PAPER = "#ffffff"
SURFACE = "#eef2f7"
PRIMARY = "#0b4f9c"      # white text on it: 8.6:1
PRIMARY_DARK = "#083a73"
PRIORITY = "#f2b705"     # ink on it: 10:1
SUCCESS = "#0f6b3a"      # white on it: 6.9:1
DANGER = "#a4161a"       # white on it: 7.5:1
FOCUS = "#ff8c00"
BOARD_BG = "#0a1930"     # lobby display background
BOARD_TEXT = "#ffffff"
BOARD_ACCENT = "#ffd23f"

MIN_TOUCH_PX = 72


@dataclass(frozen=True)
class Scale:
    """Pixel sizes derived from the window size and the citizen's text-size choice."""

    unit: float
    text_factor: float = 1.0

    @classmethod
    def for_size(cls, width: int, height: int, large_text: bool = False) -> Scale:
        short_side = max(320, min(width, height))
        return cls(unit=short_side / 1080, text_factor=1.3 if large_text else 1.0)

    def px(self, base: float) -> int:
        return max(1, round(base * self.unit))

    def font(self, base: float) -> int:
        return max(10, round(base * self.unit * self.text_factor))

    def fixed(self, base: float) -> int:
        """Type that does not grow with "large text" (header controls, which must stay on one row)."""
        return max(10, round(base * self.unit))

    def touch(self, base: float = 96) -> int:
        """A touch target height: never below 72 px, whatever the window size."""
        return max(MIN_TOUCH_PX, self.px(base))


def kiosk_style(scale: Scale) -> str:
    """The kiosk's style sheet; object names (``#title``) and properties select the variants."""
    f, p, touch, fixed = scale.font, scale.px, scale.touch, scale.fixed
    return f"""
    QWidget {{ background: {PAPER}; color: {INK}; font-size: {f(30)}px; }}
        QLabel#clock {{ font-size: {fixed(30)}px; font-weight: 600; color: {MUTED}; }}
    QLabel#title {{ font-size: {f(58)}px; font-weight: 700; }}
    QLabel#subtitle {{ font-size: {f(34)}px; color: {MUTED}; }}
    QLabel#stepLabel {{ font-size: {fixed(28)}px; color: {MUTED}; }}
    QLabel#sectionTitle {{ font-size: {f(34)}px; font-weight: 700; }}
    QLabel#body {{ font-size: {f(32)}px; }}
    QLabel#note {{ font-size: {f(28)}px; color: {MUTED}; }}
    QLabel#fieldError {{ font-size: {f(32)}px; color: {DANGER}; font-weight: 600; }}
    QLabel#fieldOk {{ font-size: {f(32)}px; color: {SUCCESS}; font-weight: 600; }}
    QLabel#ticketNumber {{ font-size: {f(190)}px; font-weight: 800; color: {PRIMARY_DARK}; }}
    QLabel#statusNumber {{ font-size: {f(96)}px; font-weight: 800; color: {PRIMARY_DARK}; }}
    QLabel#statusNumber[kind="application"] {{ font-size: {f(46)}px; }}
    QLabel#statusMessage {{ font-size: {f(40)}px; padding: {p(16)}px; }}
    QLabel#statusMessage[state="called"] {{ background: {PRIORITY}; font-weight: 700; border-radius: {p(12)}px; }}
    QLabel#statusMessage[state="error"] {{ color: {DANGER}; font-weight: 600; }}
    QLabel#banner {{ background: {PRIORITY}; color: {INK}; font-size: {f(30)}px; font-weight: 600;
                     padding: {p(16)}px; border-radius: {p(10)}px; }}
    QLabel#errorBanner {{ background: {DANGER}; color: white; font-size: {f(30)}px; font-weight: 600;
                     padding: {p(16)}px; border-radius: {p(10)}px; }}
    QFrame#card {{ background: {SURFACE}; border-radius: {p(18)}px; }}
    QFrame#card QLabel {{ background: transparent; }}
    QFrame#header {{ background: {SURFACE}; }}
    QFrame#header QWidget {{ background: transparent; }}
    QFrame#header QPushButton {{ background: {PAPER}; font-size: {fixed(28)}px; padding: {p(6)}px {p(16)}px; }}
    QFrame#header QPushButton:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton {{ min-height: {touch()}px; padding: {p(10)}px {p(26)}px; border-radius: {p(16)}px;
                   font-size: {f(32)}px; font-weight: 600; background: {SURFACE}; color: {INK};
                   border: {max(2, p(3))}px solid #94a3b8; }}
    QPushButton:pressed {{ background: #cbd5e1; }}
    QPushButton:focus {{ border-color: {FOCUS}; }}
    QPushButton:disabled {{ background: #e2e8f0; color: #64748b; border-color: #cbd5e1; }}
    QPushButton[variant="primary"] {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
    QPushButton[variant="primary"]:disabled {{ background: #94a3b8; color: #f1f5f9; border-color: #94a3b8; }}
    QPushButton[variant="priority"] {{ background: {PRIORITY}; color: {INK}; border-color: #a67c00; }}
    QPushButton[variant="hero"] {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK};
                   font-size: {f(46)}px; min-height: {touch(190)}px; border-radius: {p(24)}px; }}
    QPushButton[variant="heroPriority"] {{ background: {PRIORITY}; color: {INK}; border-color: #a67c00;
                   font-size: {f(36)}px; min-height: {touch(150)}px; border-radius: {p(24)}px; }}
    QPushButton[variant="service"] {{ text-align: left; padding: {p(18)}px {p(26)}px; background: {PAPER};
                   min-height: {touch(120)}px; font-size: {f(32)}px; }}
    QPushButton[variant="tab"] {{ min-height: {touch(80)}px; padding: {p(6)}px {p(16)}px; font-size: {fixed(30)}px; }}
    QPushButton[variant="tab"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="toggle"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="key"] {{ font-size: {f(52)}px; min-height: {touch(118)}px; background: {PAPER}; }}
    QPushButton[variant="keyText"] {{ font-size: {f(32)}px; min-height: {touch(118)}px; background: {PAPER};
                   padding: 0px {p(8)}px; }}
    QPushButton[variant="letter"] {{ font-size: {f(34)}px; min-height: {touch(80)}px; padding: 0px;
                   min-width: {p(40)}px; background: {PAPER}; }}
    QPushButton#pageUp, QPushButton#pageDown {{ min-width: {p(200)}px; font-size: {fixed(34)}px; }}
    QPushButton[variant="small"] {{ font-size: {fixed(28)}px; min-height: {MIN_TOUCH_PX}px;
                   padding: {p(6)}px {p(16)}px; }}
    QLineEdit {{ font-size: {f(56)}px; font-weight: 700; padding: {p(14)}px; min-height: {touch(100)}px;
                 border: {max(3, p(4))}px solid {PRIMARY}; border-radius: {p(14)}px; background: {PAPER};
                 letter-spacing: {p(3)}px; }}
    QLineEdit#search {{ font-size: {f(36)}px; font-weight: 400; letter-spacing: 0px; min-height: {touch(84)}px; }}
    QLineEdit[state="error"] {{ border-color: {DANGER}; }}
    QLineEdit[state="ok"] {{ border-color: {SUCCESS}; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: {max(18, p(26))}px; background: {SURFACE}; }}
    QScrollBar::handle:vertical {{ background: #94a3b8; min-height: {p(80)}px; border-radius: {p(10)}px; }}
    QFrame#overlay {{ background: rgba(15, 23, 42, 200); }}
    QFrame#dialog {{ background: {PAPER}; border-radius: {p(24)}px; border: {max(3, p(4))}px solid {PRIMARY}; }}
    QFrame#dialog QLabel {{ background: transparent; }}
    """


def tile_style(scale: Scale) -> str:
    """Service tiles: a frame that behaves like a big button but wraps long names."""
    f, p = scale.font, scale.px
    return f"""
    QFrame#tile {{ background: {PAPER}; border: {max(2, p(3))}px solid #94a3b8; border-radius: {p(16)}px;
                   min-height: {scale.touch(110)}px; }}
    QFrame#tile[pressed="true"] {{ background: #cbd5e1; border-color: {PRIMARY}; }}
    QLabel#tileTitle {{ font-size: {f(32)}px; font-weight: 700; background: transparent; }}
    QLabel#tileDetail {{ font-size: {f(25)}px; color: {MUTED}; background: transparent; }}
    """


def console_style(scale: Scale) -> str:
    """Counter console: dense enough for a clerk's monitor, buttons still big and labelled."""
    f, p = scale.font, scale.px
    return f"""
    QWidget {{ background: {PAPER}; color: {INK}; font-size: {f(22)}px; }}
    QLabel#sectionTitle {{ font-size: {f(26)}px; font-weight: 700; }}
    QLabel#caption {{ font-size: {f(22)}px; color: {MUTED}; }}
    QLabel#note {{ font-size: {f(20)}px; color: {MUTED}; }}
    QLabel#message {{ font-size: {f(22)}px; font-weight: 600; color: {SUCCESS}; }}
    QLabel#message[error="true"] {{ color: {DANGER}; }}
    QLabel#currentNumber {{ font-size: {f(104)}px; font-weight: 800; color: {PRIMARY_DARK}; }}
    QFrame#current {{ background: {SURFACE}; border-radius: {p(16)}px; }}
    QFrame#current QLabel {{ background: transparent; }}
    QComboBox {{ font-size: {f(24)}px; min-height: {MIN_TOUCH_PX}px; padding: 0 {p(12)}px; }}
    QPushButton {{ min-height: {max(MIN_TOUCH_PX, p(84))}px; border-radius: {p(12)}px; font-size: {f(24)}px;
                   font-weight: 600; background: {SURFACE}; border: 2px solid #94a3b8; padding: 0 {p(12)}px; }}
    QPushButton:pressed {{ background: #cbd5e1; }}
    QPushButton:disabled {{ background: #f1f5f9; color: #94a3b8; border-color: #e2e8f0; }}
    QPushButton[variant="primary"]:enabled {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="priority"]:enabled {{ background: {PRIORITY}; color: {INK}; border-color: #a67c00; }}
    QPushButton[variant="success"]:enabled {{ background: {SUCCESS}; color: white; border-color: #0a4d29; }}
    QPushButton[variant="danger"]:enabled {{ background: {DANGER}; color: white; border-color: #7a1013; }}
    QListWidget {{ font-size: {f(24)}px; border: 2px solid #cbd5e1; border-radius: {p(10)}px; }}
    QListWidget::item {{ padding: {p(8)}px; border-bottom: 1px solid #e2e8f0; color: #0f172a; }}
    QListWidget::item:selected {{ background: #0b4f9c; color: #ffffff; font-weight: 700; }}
    """


def board_style(scale: Scale) -> str:
    """Lobby board: white and yellow on dark blue, numbers readable from 5 m and more."""
    f, p = scale.font, scale.px
    return f"""
    QWidget {{ background: {BOARD_BG}; color: {BOARD_TEXT}; }}
    QLabel#boardSite {{ font-size: {f(40)}px; font-weight: 700; }}
    QLabel#boardClock {{ font-size: {f(40)}px; font-weight: 600; }}
    QFrame#nowFrame {{ background: #12305a; border-radius: {p(28)}px; border: {p(6)}px solid #12305a; }}
    QFrame#nowFrame[flash="true"] {{ background: {BOARD_ACCENT}; border-color: white; }}
    QFrame#nowFrame QLabel {{ background: transparent; }}
    QFrame#nowFrame[flash="true"] QLabel {{ color: {BOARD_BG}; }}
    QLabel#nowCaption {{ font-size: {f(48)}px; font-weight: 600; }}
    QLabel#nowNumber {{ font-size: {f(230)}px; font-weight: 800; color: {BOARD_ACCENT}; }}
    QLabel#nowCounter {{ font-size: {f(80)}px; font-weight: 700; }}
    QLabel#boardTitle {{ font-size: {f(44)}px; font-weight: 700; color: {BOARD_ACCENT}; }}
    QLabel#boardCell {{ font-size: {f(56)}px; }}
    QLabel#boardCellNumber {{ font-size: {f(64)}px; font-weight: 800; color: {BOARD_ACCENT}; }}
    QLabel#boardList {{ font-size: {f(52)}px; }}
    QLabel#boardWaiting {{ font-size: {f(44)}px; }}
    Marquee, QWidget#marquee {{ font-size: {f(44)}px; background: #12305a; color: white; }}
    QFrame#statusCorner {{ background: #12305a; border-radius: {p(20)}px; }}
    QFrame#statusCorner QLabel {{ background: transparent; }}
    QLabel#statusHint {{ font-size: {f(30)}px; }}
    QLabel#statusCornerNumber {{ font-size: {f(64)}px; font-weight: 800; color: {BOARD_ACCENT}; }}
    QLabel#statusCornerText {{ font-size: {f(36)}px; font-weight: 600; }}
    """
