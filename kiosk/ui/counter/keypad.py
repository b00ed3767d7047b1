"""The counter's on-screen number pad (the PIN at sign-in, the number to call)."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.ui.qt.widgets import NumericKeypad


def counter_keypad(name: str) -> NumericKeypad:
    """A keypad with equal key widths: otherwise the wider "Clear"/"⌫" labels squeeze the middle column."""
    keypad = NumericKeypad()
    keypad.setObjectName(name)
    grid = keypad.layout()
    if isinstance(grid, QGridLayout):
        for column in range(grid.columnCount()):
            grid.setColumnStretch(column, 1)
    return keypad
