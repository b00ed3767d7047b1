"""The counter's on-screen number pad (the PIN at sign-in, the number to call)."""

from __future__ import annotations

from kiosk.ui.qt.widgets import NumericKeypad


def counter_keypad(name: str) -> NumericKeypad:
    """A keypad with equal key widths: otherwise the wider "Clear"/"⌫" labels squeeze the middle column."""
    keypad = NumericKeypad(equal_columns=True)
    keypad.setObjectName(name)
    return keypad
