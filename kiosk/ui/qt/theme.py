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
SUCCESS = "#14532d"      # white on it: 9.1:1; on SURFACE 8.1:1
DANGER = "#8f1418"       # white on it: 9.2:1; on SURFACE 8.2:1
FOCUS = "#c2410c"        # focus ring: 5.2:1 on PAPER, 4.6:1 on SURFACE
EDGE = "#64748b"         # a control's outline: 4.8:1 on PAPER, 4.2:1 on SURFACE (WCAG 1.4.11 asks 3:1)
PRESSED = "#cbd5e1"      # a button's fill while pressed
DISABLED_FILL = "#e2e8f0"
DISABLED_TEXT = "#475569"  # 6.2:1 on DISABLED_FILL; a disabled control also gets a dashed EDGE outline
PLACEHOLDER = MUTED      # hint text in an empty field: 10:1 (Qt's default, half-opaque text, was 3.4:1)
PRIORITY_EDGE = "#8a6700"  # outline of the yellow buttons: 5.2:1 on PAPER, 4.7:1 on SURFACE
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
        """Type that does not grow with "large text": regional IT's screens (the citizen's all grow)."""
        return max(10, round(base * self.unit))

    def touch(self, base: float = 96) -> int:
        """A touch target height: never below 72 px, whatever the window size."""
        return max(MIN_TOUCH_PX, self.px(base))


def kiosk_style(scale: Scale) -> str:
    """The kiosk's style sheet; object names (``#title``) and properties select the variants.

    Every type size follows "large text" (``f``), the header's and the small buttons' too: a citizen
    who asks for large text needs Back and Cancel most. Labels that carry a fill of their own
    (banners) are also named under ``QWidget`` so that a panel's "labels are transparent" rule,
    declared first, cannot take their fill away (same specificity: the later rule wins).
    """
    f, p, touch = scale.font, scale.px, scale.touch
    edge = max(2, p(3))
    return f"""
    QWidget {{ background: {PAPER}; color: {INK}; font-size: {f(30)}px; }}
    QFrame#card {{ background: {SURFACE}; border-radius: {p(18)}px; }}
    QFrame#card QLabel {{ background: transparent; }}
    QFrame#header {{ background: {SURFACE}; }}
    QFrame#header QWidget {{ background: transparent; }}
    QFrame#header QPushButton {{ background: {PAPER}; }}
    QFrame#bottomBar {{ background: {SURFACE}; }}
    QFrame#bottomBar QWidget {{ background: transparent; }}
    QFrame#dialog {{ background: {PAPER}; border-radius: {p(24)}px; border: {max(3, p(4))}px solid {PRIMARY}; }}
    QFrame#dialog QLabel {{ background: transparent; }}
    QLabel#clock {{ font-size: {f(30)}px; font-weight: 600; color: {MUTED}; }}
    QLabel#title {{ font-size: {f(58)}px; font-weight: 700; }}
    QLabel#subtitle {{ font-size: {f(34)}px; color: {MUTED}; }}
    QLabel#stepLabel {{ font-size: {f(30)}px; font-weight: 600; color: {INK}; }}
    QLabel#siteName {{ font-size: {f(28)}px; font-weight: 600; color: {MUTED}; }}
    QLabel#sectionTitle {{ font-size: {f(34)}px; font-weight: 700; }}
    QLabel#body {{ font-size: {f(32)}px; }}
    QLabel#note {{ font-size: {f(28)}px; color: {MUTED}; }}
    QLabel#disabledReason {{ font-size: {f(28)}px; color: {MUTED}; font-weight: 600; }}
    QLabel#fieldError {{ font-size: {f(32)}px; color: {DANGER}; font-weight: 600; }}
    QLabel#fieldOk {{ font-size: {f(32)}px; color: {SUCCESS}; font-weight: 600; }}
    QLabel#ticketNumber {{ font-size: {f(190)}px; font-weight: 800; color: {PRIMARY_DARK}; }}
    QLabel#statusNumber {{ font-size: {f(96)}px; font-weight: 800; color: {PRIMARY_DARK}; }}
    QLabel#statusNumber[kind="application"] {{ font-size: {f(46)}px; }}
    QLabel#statusMessage {{ font-size: {f(40)}px; padding: {p(16)}px; }}
    QLabel#statusMessage[state="called"], QWidget QLabel#statusMessage[state="called"] {{
                     background: {PRIORITY}; font-weight: 700; border-radius: {p(12)}px; }}
    QLabel#statusMessage[state="error"] {{ color: {DANGER}; font-weight: 600; }}
    QLabel#codeGroup {{ font-size: {f(48)}px; font-weight: 800; background: {PAPER}; padding: {p(6)}px {p(10)}px;
                     border: {edge}px solid {EDGE}; border-radius: {p(12)}px; }}
    QLabel#codeGroup[state="current"] {{ border: {max(4, p(6))}px solid {PRIMARY}; }}
    QLabel#banner, QWidget QLabel#banner {{ background: {PRIORITY}; color: {INK}; font-size: {f(30)}px;
                     font-weight: 600; padding: {p(16)}px; border-radius: {p(10)}px; }}
    QLabel#errorBanner, QWidget QLabel#errorBanner {{ background: {DANGER}; color: white; font-size: {f(30)}px;
                     font-weight: 600; padding: {p(16)}px; border-radius: {p(10)}px; }}
    QFrame#bottomBar QPushButton {{ background: {PAPER}; font-size: {f(28)}px; padding: {p(6)}px {p(12)}px;
                   icon-size: {f(32)}px; min-height: {MIN_TOUCH_PX}px; }}
    QFrame#bottomBar QPushButton:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton {{ min-height: {touch()}px; padding: {p(10)}px {p(26)}px; border-radius: {p(16)}px;
                   font-size: {f(32)}px; font-weight: 600; background: {SURFACE}; color: {INK};
                   border: {edge}px solid {EDGE}; icon-size: {f(36)}px; }}
    QPushButton:pressed {{ background: {PRESSED}; }}
    QPushButton:focus {{ border-color: {FOCUS}; }}
    QPushButton:disabled {{ background: {DISABLED_FILL}; color: {DISABLED_TEXT}; border: {edge}px dashed {EDGE}; }}
    QPushButton[variant="primary"] {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
    QPushButton[variant="primary"]:disabled {{ background: {DISABLED_FILL}; color: {DISABLED_TEXT};
                   border: {edge}px dashed {EDGE}; }}
    QPushButton[variant="priority"] {{ background: {PRIORITY}; color: {INK}; border-color: {PRIORITY_EDGE}; }}
    QPushButton[variant="hero"] {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK};
                   font-size: {f(46)}px; min-height: {touch(190)}px; border-radius: {p(24)}px;
                   icon-size: {f(52)}px; }}
    QPushButton[variant="heroPriority"] {{ background: {PRIORITY}; color: {INK}; border-color: {PRIORITY_EDGE};
                   font-size: {f(36)}px; min-height: {touch(150)}px; border-radius: {p(24)}px;
                   icon-size: {f(42)}px; }}
    QPushButton[variant="service"] {{ text-align: left; padding: {p(18)}px {p(26)}px; background: {PAPER};
                   min-height: {touch(120)}px; font-size: {f(32)}px; }}
    QPushButton[variant="tab"] {{ min-height: {MIN_TOUCH_PX}px; padding: {p(6)}px {p(16)}px; font-size: {f(30)}px;
                   icon-size: {f(32)}px; }}
    QPushButton[variant="tab"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="toggle"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="choice"] {{ min-height: {MIN_TOUCH_PX}px; padding: {p(6)}px {p(16)}px; }}
    QPushButton[variant="choice"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="key"] {{ font-size: {f(52)}px; min-height: {touch(96)}px; background: {PAPER};
                   padding: 0px {p(8)}px; }}
    QPushButton[variant="keyText"] {{ font-size: {f(32)}px; min-height: {touch(96)}px; background: {PAPER};
                   padding: 0px {p(8)}px; }}
    QPushButton[variant="letter"] {{ font-size: {f(34)}px; min-height: {touch(80)}px; padding: 0px;
                   min-width: {p(40)}px; background: {PAPER}; }}
    QPushButton#pageUp, QPushButton#pageDown {{ min-width: {p(120)}px; font-size: {f(34)}px; }}
    QPushButton[variant="small"] {{ font-size: {f(28)}px; min-height: {MIN_TOUCH_PX}px;
                   padding: {p(6)}px {p(16)}px; icon-size: {f(32)}px; }}
    QLineEdit {{ font-size: {f(56)}px; font-weight: 700; padding: {p(14)}px; min-height: {touch(100)}px;
                 border: {max(3, p(4))}px solid {PRIMARY}; border-radius: {p(14)}px; background: {PAPER};
                 letter-spacing: {p(3)}px; placeholder-text-color: {PLACEHOLDER}; }}
    QLineEdit#search {{ font-size: {f(32)}px; font-weight: 400; letter-spacing: 0px; min-height: {touch(84)}px; }}
    QLineEdit[state="error"] {{ border-color: {DANGER}; }}
    QLineEdit[state="ok"] {{ border-color: {SUCCESS}; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: {max(18, p(26))}px; background: {SURFACE}; }}
    QScrollBar::handle:vertical {{ background: {EDGE}; min-height: {p(80)}px; border-radius: {p(10)}px; }}
    QFrame#overlay {{ background: rgba(15, 23, 42, 200); }}
    """


def tile_style(scale: Scale) -> str:
    """Service tiles: a frame that behaves like a big button but wraps long names."""
    f, p = scale.font, scale.px
    return f"""
    QFrame#tile {{ background: {PAPER}; border: {max(2, p(3))}px solid {EDGE}; border-radius: {p(16)}px;
                   min-height: {scale.touch(90)}px; }}
    QFrame#tile[pressed="true"] {{ background: {DISABLED_FILL}; border-color: {PRIMARY}; }}
    QLabel#tileTitle {{ font-size: {f(32)}px; font-weight: 700; background: transparent; }}
    QLabel#tileDetail {{ font-size: {f(25)}px; color: {MUTED}; background: transparent; }}
    QLabel#tileIcon {{ font-size: {f(40)}px; background: transparent; }}
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
    QComboBox {{ font-size: {f(24)}px; min-height: {MIN_TOUCH_PX}px; padding: 0 {p(12)}px;
                 border: 2px solid {EDGE}; border-radius: {p(8)}px; }}
    QPushButton {{ min-height: {max(MIN_TOUCH_PX, p(84))}px; border-radius: {p(12)}px; font-size: {f(24)}px;
                   font-weight: 600; background: {SURFACE}; border: 2px solid {EDGE}; padding: 0 {p(12)}px; }}
    QPushButton:pressed {{ background: {PRESSED}; }}
    QPushButton:disabled {{ background: {DISABLED_FILL}; color: {DISABLED_TEXT}; border: 2px dashed {EDGE}; }}
    QPushButton[variant="primary"]:enabled {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
    QPushButton[variant="priority"]:enabled {{ background: {PRIORITY}; color: {INK}; border-color: {PRIORITY_EDGE}; }}
    QPushButton[variant="success"]:enabled {{ background: {SUCCESS}; color: white; border-color: #0a4d29; }}
    QPushButton[variant="danger"]:enabled {{ background: {DANGER}; color: white; border-color: #7a1013; }}
    QListWidget {{ font-size: {f(24)}px; border: 2px solid {EDGE}; border-radius: {p(10)}px; }}
    QListWidget::item {{ padding: {p(8)}px; border-bottom: 1px solid {DISABLED_FILL}; color: {INK}; }}
    QListWidget::item:selected {{ background: {PRIMARY}; color: #ffffff; font-weight: 700; }}
    """
