"""Pictures beside words: the one place that maps what a control means to an icon (issue 16, item 5).

A citizen who reads little finds the wheelchair, the arrow back or the raised hand faster than a
word. The icons come from Font Awesome 6 Free (solid) through ``qtawesome`` (MIT; the Font Awesome
fonts are SIL OFL 1.1, the icons CC BY 4.0: docs/ARCHITECTURE.md, "Third-party pictures"), drawn in
the colour of the text beside them (the theme's, so the contrast test covers them) and sized from
the font, so they grow with "large text". Screens name a meaning (``"back"``, a priority group, an
agency, a service); nothing else in the code names an icon.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_API", "pyside6")  # qtawesome speaks to Qt through qtpy: use our binding

import qtawesome  # after QT_API, which qtpy reads when imported
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFontInfo, QIcon
from PySide6.QtWidgets import QAbstractButton, QLabel, QSizePolicy, QWidget

from kiosk.ui.qt.theme import DISABLED_TEXT, INK, PRIMARY_DARK

# What a control means → Font Awesome 6 solid icon.
CONTROLS: dict[str, str] = {
    "back": "fa6s.arrow-left",
    "cancel": "fa6s.xmark",
    "help": "fa6s.hand",  # a raised hand: "I need someone"
    "speak": "fa6s.volume-high",
    "guide": "fa6s.headphones",
    "text_size": "fa6s.magnifying-glass-plus",
    "language": "fa6s.language",
    "keyboard": "fa6s.keyboard",
    "all": "fa6s.table-cells-large",
    "ticket": "fa6s.ticket",
    "next": "fa6s.arrow-right",
    "booking": "fa6s.calendar-check",
    "scan": "fa6s.qrcode",  # hold a QR code to the camera (the booking check-in)
    "problem": "fa6s.circle-exclamation",  # something is wrong: read what to do (a booking refused)
    "slot": "fa6s.clock",  # a booked time
    "complaint": "fa6s.comment-dots",
}
PRIORITY_GROUPS: dict[str, str] = {  # kiosk.queue.models.PriorityGroup values
    "elderly": "fa6s.person-cane",
    "disability": "fa6s.wheelchair",
    "pregnant": "fa6s.person-pregnant",
    "child": "fa6s.baby-carriage",
    "disaster": "fa6s.house-flood-water",
}
AGENCIES: dict[str, str] = {  # catalog agency codes; another agency gets OTHER
    "DUKCAPIL": "fa6s.id-card",
    "DPMPTSP": "fa6s.user-doctor",
    "MPP": "fa6s.circle-info",  # the building's own information desk
}
# "Sampaikan pengaduan" (kiosk.ui.kiosk.complaint; its way in is CONTROLS["complaint"]):
# kiosk.complaints.model.Category values, the ways to be reached, the SP4N-LAPOR! consent's two answers.
COMPLAINTS: dict[str, str] = {
    "service_process": "fa6s.hourglass-half",
    "staff_conduct": "fa6s.user-tie",
    "facilities": "fa6s.building",
    "fees": "fa6s.money-bill-wave",
    "information": "fa6s.circle-info",
    "other": "fa6s.ellipsis",
    "phone": "fa6s.mobile-screen",
    "email": "fa6s.envelope",
    "anonymous": "fa6s.user-secret",
    "share": "fa6s.share-from-square",
    "keep": "fa6s.lock",
}
# Service codes (catalog), first match wins; a service no pattern names gets its agency's icon.
SERVICES: tuple[tuple[str, str], ...] = (
    (r"KTP-EL$", "fa6s.id-card"),
    (r"KK$", "fa6s.people-roof"),
    (r"KIA$", "fa6s.child"),
    (r"AKTA-LAHIR$", "fa6s.baby"),
    (r"AKTA-MATI$", "fa6s.dove"),
    (r"PINDAH-DATANG$", "fa6s.house-circle-check"),
    (r"PINDAH$", "fa6s.truck-moving"),
    (r"IKD$", "fa6s.mobile-screen"),
    (r"SIP-(DG|DGSP|TGM)\b", "fa6s.tooth"),
    (r"SIP-BIDAN\b", "fa6s.person-breastfeeding"),
    (r"SIP-PERAWAT\b", "fa6s.user-nurse"),
    (r"SIPA\b|SIPTTK\b", "fa6s.prescription-bottle-medical"),
    (r"SIP-GIZI\b", "fa6s.apple-whole"),
    (r"SIP-FISIO\b", "fa6s.person-walking"),
    (r"SIP-ATLM\b", "fa6s.microscope"),
    (r"SIP-RADIOGRAFER\b", "fa6s.x-ray"),
    (r"SIP-SANITARIAN\b", "fa6s.pump-soap"),
    (r"SIP-PMIK\b", "fa6s.file-medical"),
    (r"SIP-", "fa6s.user-doctor"),
    (r"INFO$", "fa6s.circle-info"),
)
OTHER = "fa6s.file-lines"

# Icon colours, each the text colour of the controls it is drawn on (tests/gui/test_icons.py checks
# each against the fills it sits on): ink on light buttons and the yellow priority ones, white on
# the blue primary and checked ones, the disabled text colour on a disabled button.
ON_LIGHT = INK
ON_PRIMARY = "#ffffff"
DISABLED = DISABLED_TEXT
ON_TILE = PRIMARY_DARK  # the tiles' pictures: the theme's dark blue, 10:1 on white
ICON_TO_TEXT = 1.15  # an icon is a little taller than the capital letters beside it


def service_icon(code: str, agency: str) -> str:
    """The icon name of a service: by its kind when a pattern names it, else by its agency."""
    for pattern, name in SERVICES:
        if re.match(pattern, code):
            return name
    return AGENCIES.get(agency, OTHER)


def agency_icon(code: str | None) -> str:
    """An agency tab's icon; ``None`` is the "all services" tab."""
    return CONTROLS["all"] if code is None else AGENCIES.get(code, OTHER)


def named(name: str, colour: str = ON_LIGHT, checked: str | None = None) -> QIcon:
    """The icon ``name`` in ``colour`` (``checked``: its colour on a checked toggle)."""
    return qtawesome.icon(name, color=colour, color_active=colour, color_disabled=DISABLED,
                          color_on=checked or colour, color_on_active=checked or colour)


def icon_for(meaning: str) -> str:
    """The icon name of a control's meaning: a control, a priority group or an agency code."""
    return CONTROLS.get(meaning) or PRIORITY_GROUPS.get(meaning) or AGENCIES.get(meaning) or OTHER


def decorate(widget: QAbstractButton, name: str) -> None:
    """Put icon ``name`` beside the button's words, in the colour of those words for its variant;
    the style sheet sizes it with the type (``icon-size``), so large text enlarges it too."""
    variant = str(widget.property("variant") or "")
    light_text = variant in ("primary", "hero")
    widget.setIcon(named(name, ON_PRIMARY if light_text else ON_LIGHT,
                         checked=ON_PRIMARY if widget.isCheckable() or variant == "tab" else None))
    widget.setProperty("iconName", name)


class IconLabel(QLabel):
    """A picture that scales with its own font size (set by the style sheet): a tile's icon grows
    with large text like the words beside it."""

    def __init__(self, name: str, colour: str = ON_TILE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tileIcon")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.colour = colour
        self.icon_name = ""
        self._size = 0
        self.set_icon(name)

    def set_icon(self, name: str) -> None:
        self.icon_name = name
        self._size = 0
        self._render()

    def _render(self) -> None:
        size = max(16, round(QFontInfo(self.font()).pixelSize() * ICON_TO_TEXT))
        if size == self._size:
            return
        self._size = size
        self.setPixmap(named(self.icon_name, self.colour).pixmap(QSize(size, size), self.devicePixelRatioF()))
        self.setFixedSize(size, size)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._render()
