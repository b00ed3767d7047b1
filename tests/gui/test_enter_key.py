"""Enter on a USB keyboard presses a screen's default button, only when it is enabled (kiosk.ui.qt.screen)."""

from __future__ import annotations

from gui_touch import click, named
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk.core import Core
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def test_enter_moves_on_from_the_nik_and_the_passport_only_when_they_are_complete(qtbot, core: Core) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    identify = window.screens[Step.IDENTIFY]
    for digit in "317101450190000":
        click(qtbot, named(window, Step.IDENTIFY, f"key{digit}"))
    qtbot.keyClick(identify, Qt.Key.Key_Return)
    assert window.current_step == Step.IDENTIFY  # 15 digits: "Lanjut" is disabled, so is Enter
    click(qtbot, named(window, Step.IDENTIFY, "key1"))
    qtbot.keyClick(identify, Qt.Key.Key_Enter)
    assert window.current_step == Step.CONFIRM
    window.go_back()
    click(qtbot, named(window, Step.IDENTIFY, "travelDocumentButton"))
    passport = window.screens[Step.TRAVEL_DOCUMENT]
    for letter in "A1234567":
        click(qtbot, passport.findChild(QPushButton, f"letter{letter}"))
    qtbot.keyClick(passport, Qt.Key.Key_Return)
    assert window.current_step == Step.WITHOUT_NIK
    window.shutdown()
