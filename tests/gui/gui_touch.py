"""What the GUI tests share: pressing a widget as a person would, finding a screen's button, typing on
the form's on-screen keyboards, and the tokens of the loopback queue host (the ``queue_host``
fixture in this folder's conftest.py).

Importable as ``gui_touch`` from the tests of this folder (pytest puts a rootless test folder on
``sys.path``); the name is unique across the test folders.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.ui.kiosk.window import KioskWindow
from kiosk.visit.flow import Step

KIOSK_TOKEN = "kiosk-token-0123456789abcdef"
COUNTER_TOKEN = "counter-token-0123456789abcdef"


def click(qtbot, widget: QWidget) -> None:
    """A tap: only what is on screen and enabled can be pressed."""
    name = widget.objectName() or widget.accessibleName()
    assert widget.isVisible(), f"{name} is not visible"
    assert widget.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def named(window: KioskWindow, step: Step, name: str) -> QPushButton:
    """The button called ``name`` on the kiosk's screen for ``step``."""
    found = window.screens[step].findChild(QPushButton, name)
    assert found is not None, name
    return found


def type_text(qtbot, window: KioskWindow, text: str) -> None:
    """Type on whichever on-screen keyboard the question shows (letters, signs or the keypad)."""
    screen = window.screens[Step.FORM]
    for ch in text:
        if ch == " ":
            name = "letterSpace"
        elif ch.isdigit() and screen.keypad.isVisible():
            name = f"key{ch}"
        elif ch.isalnum():
            name = f"letter{ch.upper()}"
        else:
            name = f"sign{ord(ch)}"
        click(qtbot, named(window, Step.FORM, name))
