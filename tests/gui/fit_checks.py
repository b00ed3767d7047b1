"""What "fits" means on a touch screen, shared by the fit tests: nothing cut off, nothing stretched.

Every visible text must have the room its font needs: a button's label, a wrapped label's lines, a
one-line label, the text in a field (the NIK's first digit was clipped in landscape large text).
Keys and tiles keep about the height they ask for (a 509 px "." key, 340 px result cards).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

STRETCH_LIMIT = 1.6  # a key or tile may grow to this many times the height it asks for


def shown(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def field_text_room(field: QLineEdit) -> int:
    """The width a line edit draws its text in (inside the style sheet's border and padding)."""
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    rect = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field)
    margins = field.textMargins()
    return rect.width() - margins.left() - margins.right() - 4  # Qt keeps 2 px each side


def cut_off(widgets: list[QWidget], where: str) -> list[str]:
    """Each visible text in ``widgets`` that does not fit its widget."""
    problems = []
    for widget in widgets:
        if not shown(widget):
            continue
        parent = widget.parentWidget()
        text = widget.text() if isinstance(widget, (QLabel, QPushButton, QLineEdit)) else ""
        if text and parent is not None and not parent.rect().contains(widget.geometry()):
            problems.append(f"{where}: '{text[:30]}' sticks out of its {parent.objectName() or 'box'} "
                            f"({widget.geometry().getRect()} in {parent.width()}×{parent.height()})")
        if isinstance(widget, QPushButton) and widget.text():
            needed = max(widget.fontMetrics().horizontalAdvance(line) for line in widget.text().split("\n"))
            if widget.contentsRect().width() < needed:
                problems.append(f"{where}: button '{widget.text()}' is cut off "
                                f"({widget.contentsRect().width()} < {needed} px)")
        elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()) - 2:
                problems.append(f"{where}: label '{widget.text()[:30]}' is cut off")
        elif isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            needed = max(widget.fontMetrics().horizontalAdvance(line) for line in widget.text().split("\n"))
            if widget.contentsRect().width() < needed:
                problems.append(f"{where}: one-line label '{widget.text()[:30]}' is cut off "
                                f"({widget.contentsRect().width()} < {needed} px)")
        elif isinstance(widget, QLineEdit):
            text = widget.text() or widget.placeholderText()
            needed = widget.fontMetrics().horizontalAdvance(text)
            if text and field_text_room(widget) < needed:
                problems.append(f"{where}: field text '{text}' is cut off ({field_text_room(widget)} < {needed} px)")
    return problems


def wanted_height(widget: QWidget) -> int:
    wanted = widget.heightForWidth(widget.width()) if widget.hasHeightForWidth() else -1
    return max(wanted, widget.sizeHint().height(), widget.minimumHeight())


def stretched(widgets: list[QWidget], where: str) -> list[str]:
    """Keys of a keyboard and tiles (service results) much taller than they ask to be."""
    problems = []
    for widget in widgets:
        if not shown(widget):
            continue
        is_key = isinstance(widget, QPushButton) and widget.property("variant") == "letter"
        is_tile = isinstance(widget, QFrame) and widget.objectName() == "tile"
        if not (is_key or is_tile):
            continue
        wanted = wanted_height(widget)
        if is_tile and widget.parentWidget() is not None:  # a grid row is as high as its highest tile
            row = [w for w in widget.parentWidget().findChildren(QFrame, "tile") if shown(w) and w.y() == widget.y()]
            wanted = max([wanted, *(wanted_height(w) for w in row)])
        if widget.height() > STRETCH_LIMIT * wanted:
            name = widget.objectName() if is_key else widget.accessibleName()
            problems.append(f"{where}: {'key' if is_key else 'tile'} {name} is stretched to "
                            f"{widget.width()}×{widget.height()} px (asks for {wanted} px high)")
    return problems


# -- reach (issue 16, item 3) -------------------------------------------------------------------
REACH_LIMIT_MM = 1200  # a seated person's forward reach (ADA 308.2.1: 48 in; EN 301 549 §8.3.2.1)


def touch_targets(root: QWidget) -> list[QWidget]:
    """What a citizen touches inside ``root``: buttons (checkboxes, toggles, keys too), tiles (a service,
    a survey answer), combo boxes and sliders; and each scrolling list of them, whose whole visible area
    must be in reach, since any of its targets can be scrolled to its top. Fields are not: the kiosk's
    fields are typed into with its own keys, touching one does nothing."""
    found: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if not shown(widget) or not widget.isEnabled() and not isinstance(widget, QAbstractButton):
            continue
        if isinstance(widget, (QAbstractButton, QComboBox, QAbstractSlider)) and not isinstance(widget, QScrollBar):
            found.append(widget)
        elif isinstance(widget, QFrame) and widget.objectName() in TILE_NAMES:
            found.append(widget)
        elif isinstance(widget, QAbstractScrollArea) and any(
                isinstance(w, QAbstractButton) or w.objectName() in TILE_NAMES
                for w in widget.viewport().findChildren(QWidget)):
            found.append(widget.viewport())
    return found


TILE_NAMES = ("tile", "answerTile")


def top_in_window(widget: QWidget, window: QWidget) -> int:
    """The y of the highest visible pixel of ``widget`` in ``window`` (a tile half scrolled out of its list
    counts from where it shows)."""
    visible = widget.visibleRegion().boundingRect()
    return widget.mapTo(window, visible.topLeft()).y()


def height_above_floor_mm(y: int, window_height: int, lower_edge_mm: float, screen_height_mm: float) -> float:
    """Where pixel row ``y`` of a full-screen window is, in mm above the floor, for the screen's mounting."""
    return lower_edge_mm + (window_height - y) * screen_height_mm / window_height


def out_of_reach(window: QWidget, roots: list[QWidget], where: str, lower_edge_mm: float,
                 screen_height_mm: float) -> tuple[list[str], float]:
    """Every touch target in ``roots`` whose top edge is above :data:`REACH_LIMIT_MM`, and the highest
    target's height in mm."""
    problems: list[str] = []
    highest = 0.0
    for root in roots:
        for target in touch_targets(root):
            mm = height_above_floor_mm(top_in_window(target, window), window.height(), lower_edge_mm,
                                       screen_height_mm)
            highest = max(highest, mm)
            if mm > REACH_LIMIT_MM:
                name = target.objectName() or target.accessibleName() or type(target).__name__
                text = target.text() if isinstance(target, QAbstractButton) else ""
                problems.append(f"{where}: {name} '{text[:24]}' top at {mm:.0f} mm "
                                f"(y {top_in_window(target, window)} px)")
    return problems, highest
