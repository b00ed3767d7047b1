"""The lobby board's type sizes and style sheet: sized to be read from the back of the lobby.

A sign read at 8 m wants letters about 85 mm high; on a 55" 1080p panel one pixel is about 0.63 mm,
so the calls are drawn with capitals of 90 px or more. Sizes are given for a 1080 px short side and
scale with the window (:class:`kiosk.ui.qt.theme.Scale`). The number, the counter and the recent
calls are one-line labels sized in code (:mod:`kiosk.ui.board.calls`, they shrink only when a text
would not fit); the style sheet sets their weight and colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ui.qt.theme import BOARD_ACCENT, BOARD_BG, BOARD_TEXT, Scale

NOW_BOX = "#12305a"  # the called number's box, the marquee and the status corner
MIN_COUNTER_SHARE = 0.72  # the counter's type never below this share of the number's (the issue asks 70 %)


@dataclass(frozen=True)
class BoardSizes:
    """Font pixel sizes (capitals are 0.73 of them) at a 1080 px short side, for one orientation.

    ``stacked``: the counter goes under the number (portrait: one line would make both small).
    ``recent_columns`` × ``recent_rows`` past calls are shown besides the one being called;
    ``waiting_lines``: the lines a page of the waiting line may take.
    """

    number: int
    counter: int
    recent: int
    stacked: bool
    recent_columns: int
    recent_rows: int
    waiting_lines: int

    @property
    def recent_slots(self) -> int:
        return self.recent_columns * self.recent_rows


# 1920×1080: "A-002 → LOKET 1" on one line (number capitals 158 px, counter 117 px = 74 %),
# four past calls in two columns at 99 px capitals.
LANDSCAPE = BoardSizes(number=216, counter=160, recent=136, stacked=False, recent_columns=2, recent_rows=2,
                       waiting_lines=1)
# 1080×1920: number over counter (168 / 122 px capitals), five past calls in one column (99 px).
PORTRAIT = BoardSizes(number=230, counter=168, recent=136, stacked=True, recent_columns=1, recent_rows=5,
                      waiting_lines=2)


def sizes_for(width: int, height: int) -> BoardSizes:
    return PORTRAIT if height > width else LANDSCAPE


def board_style(scale: Scale) -> str:
    """White and yellow on dark blue; the flash turns the number's box yellow for deaf visitors."""
    f, p = scale.font, scale.px
    return f"""
    QWidget {{ background: {BOARD_BG}; color: {BOARD_TEXT}; }}
    QLabel#boardSite {{ font-size: {f(44)}px; font-weight: 700; }}
    QLabel#boardClock {{ font-size: {f(44)}px; font-weight: 700; }}
    QFrame#nowFrame {{ background: {NOW_BOX}; border-radius: {p(28)}px; border: {p(6)}px solid {NOW_BOX}; }}
    QFrame#nowFrame[flash="true"] {{ background: {BOARD_ACCENT}; border-color: white; }}
    QFrame#nowFrame QLabel, QFrame#nowFrame QWidget#nowCall {{ background: transparent; }}
    QWidget#recentCalls {{ background: transparent; }}
    QFrame#nowFrame[flash="true"] QLabel {{ color: {BOARD_BG}; }}
    QLabel#nowCaption {{ font-size: {f(48)}px; font-weight: 700; }}
    QFrame#nowFrame QLabel#nowPriority {{ font-size: {f(48)}px; font-weight: 800; color: {BOARD_BG};
        background: {BOARD_ACCENT}; border-radius: {p(12)}px; padding: 0 {p(18)}px; }}
    QFrame#nowFrame[flash="true"] QLabel#nowPriority {{ color: {BOARD_ACCENT}; background: {BOARD_BG}; }}
    QLabel#nowNumber {{ font-weight: 800; color: {BOARD_ACCENT}; }}
    QLabel#nowCounter {{ font-weight: 800; }}
    QLabel#boardTitle {{ font-size: {f(44)}px; font-weight: 700; color: {BOARD_ACCENT}; }}
    QLabel#boardLegend {{ font-size: {f(44)}px; font-weight: 700; }}
    QLabel#boardRecent {{ font-weight: 700; }}
    QLabel#boardRecent[priority="true"] {{ color: {BOARD_ACCENT}; }}
    QLabel#boardNoCalls {{ font-size: {f(56)}px; }}
    QLabel#boardWaiting {{ font-weight: 600; }}
    Marquee, QWidget#marquee {{ font-size: {f(44)}px; background: {NOW_BOX}; color: white; }}
    QFrame#statusCorner {{ background: {NOW_BOX}; border-radius: {p(20)}px; }}
    QFrame#statusCorner QLabel {{ background: transparent; }}
    QLabel#statusHint {{ font-size: {f(32)}px; font-weight: 600; }}
    QLabel#statusCornerNumber {{ font-size: {f(64)}px; font-weight: 800; color: {BOARD_ACCENT}; }}
    QLabel#statusCornerText {{ font-size: {f(36)}px; font-weight: 600; }}
    """
