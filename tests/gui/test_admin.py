"""Kiosk lockdown and the admin door, driven by clicks: corner gesture, PIN pad with its lockout,
the menu's exit codes, and close requests refused while locked."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from kiosk.config.schema import Config
from kiosk.staff.admin_gate import EXIT_RESTART, EXIT_TO_DESKTOP, AdminGate, CornerTaps, make_pin_hash
from kiosk.ui.admin.menu import AdminDoor
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker

PIN = "4826"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return make_pin_hash(PIN)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kiosk(qtbot, core) -> KioskWindow:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window
    window.shutdown()


def make_door(kiosk: KioskWindow, config: Config, gate: AdminGate, exits: list[int], *, lock: bool = True) -> AdminDoor:
    return AdminDoor(kiosk, config, "kiosk", gate, lock_close=lock, on_exit=exits.append, before_open=kiosk.wipe)


CORNER = QPoint(20, 20)


def tap_corner(qtbot, kiosk: KioskWindow, times: int = 5, where: QPoint = CORNER) -> None:
    target = kiosk.childAt(where) or kiosk
    for _ in range(times):
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(kiosk, where))


def enter_pin(qtbot, door: AdminDoor, pin: str) -> None:
    page = door.panel.pin_page
    for digit in pin:
        qtbot.mouseClick(page.keypad.findChild(type(page.enter_button), f"key{digit}"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)


def test_five_corner_taps_open_the_pin_pad_and_the_right_pin_the_menu(qtbot, kiosk, config, pin_hash) -> None:
    exits: list[int] = []
    door = make_door(kiosk, config, AdminGate(pin_hash), exits)
    try:
        tap_corner(qtbot, kiosk, times=4)
        assert not door.panel.isVisible()
        tap_corner(qtbot, kiosk, times=1)
        assert door.panel.isVisible()
        assert door.panel.stack.currentWidget() is door.panel.pin_page
        enter_pin(qtbot, door, PIN)
        qtbot.waitUntil(lambda: door.panel.stack.currentWidget() is door.panel.menu)
        qtbot.mouseClick(door.panel.menu.buttons["restart"], Qt.MouseButton.LeftButton)
        assert exits == [EXIT_RESTART]
        qtbot.mouseClick(door.panel.menu.buttons["exit"], Qt.MouseButton.LeftButton)
        assert exits == [EXIT_RESTART, EXIT_TO_DESKTOP]
    finally:
        door.shutdown()


def test_taps_elsewhere_or_too_slow_do_not_open_it(qtbot, kiosk, config, pin_hash) -> None:
    door = make_door(kiosk, config, AdminGate(pin_hash), [])
    try:
        tap_corner(qtbot, kiosk, times=3)
        tap_corner(qtbot, kiosk, times=1, where=QPoint(540, 960))  # a citizen's ordinary touch resets it
        tap_corner(qtbot, kiosk, times=3)
        assert not door.panel.isVisible()
    finally:
        door.shutdown()
    taps = CornerTaps()
    assert not any(taps.tap(5, 5, 1080, 1920, now=i * 1.0) for i in range(5))  # 5 taps over 4 s
    assert [taps.tap(5, 5, 1080, 1920, now=10 + i * 0.5) for i in range(5)][-1] is True


def test_wrong_pins_lock_the_pad_and_the_lockout_is_logged(qtbot, kiosk, config, pin_hash, caplog) -> None:
    clock = FakeClock()
    door = make_door(kiosk, config, AdminGate(pin_hash, clock=clock, max_attempts=3, lockout_seconds=120), [])
    page = door.panel.pin_page
    caplog.set_level(logging.INFO, logger="kiosk.staff.admin_gate")
    try:
        tap_corner(qtbot, kiosk)
        enter_pin(qtbot, door, "1111")
        qtbot.waitUntil(lambda: "2" in page.message.text() and not page._checking)
        enter_pin(qtbot, door, "2222")
        qtbot.waitUntil(lambda: "1" in page.message.text() and not page._checking)
        enter_pin(qtbot, door, "3333")
        qtbot.waitUntil(lambda: "120" in page.message.text())
        # locked: even the right PIN is refused
        enter_pin(qtbot, door, PIN)
        qtbot.waitUntil(lambda: not page._checking)
        assert door.panel.stack.currentWidget() is page
        assert any(r.levelname == "WARNING" and "locked" in r.getMessage() for r in caplog.records)
        clock.now += 121
        enter_pin(qtbot, door, PIN)
        qtbot.waitUntil(lambda: door.panel.stack.currentWidget() is door.panel.menu)
    finally:
        door.shutdown()


def test_locked_window_ignores_close_until_released(qtbot, kiosk, config, pin_hash) -> None:
    door = make_door(kiosk, config, AdminGate(pin_hash), [])
    assert kiosk.close() is False  # Alt-F4 / the window manager's close button
    assert kiosk.isVisible()
    door.shutdown()
    assert kiosk.close() is True


def test_opening_admin_wipes_the_citizen_session(qtbot, kiosk, config, pin_hash) -> None:
    from kiosk.visit.flow import Step

    door = make_door(kiosk, config, AdminGate(pin_hash), [])
    try:
        kiosk.show_step(Step.PRIORITY)
        tap_corner(qtbot, kiosk)
        assert kiosk.current_step == Step.WELCOME
        qtbot.mouseClick(door.panel.pin_page.cancel_button, Qt.MouseButton.LeftButton)
        assert not door.panel.isVisible()
    finally:
        door.shutdown()


def test_demo_pin_works_without_a_configured_hash_and_says_so(qtbot, kiosk, config, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.staff.admin_gate")
    gate = AdminGate.from_config(config)
    assert gate.uses_demo_pin
    assert any("demo PIN" in r.getMessage() for r in caplog.records)
    door = make_door(kiosk, config, gate, [])
    try:
        tap_corner(qtbot, kiosk)
        pad_texts = " ".join(w.text() for w in door.panel.pin_page.findChildren(QLabel) if w.isVisible())
        assert "1234" not in pad_texts and "demo" not in pad_texts.lower()  # the pad tells a stranger nothing
        enter_pin(qtbot, door, "1234")
        qtbot.waitUntil(lambda: door.panel.stack.currentWidget() is door.panel.menu)
        assert door.panel.menu.demo_pin_warning.isVisible()  # after sign-in: set a PIN of your own
    finally:
        door.shutdown()


def test_menu_opens_diagnostics_and_setup_and_back(qtbot, kiosk, config, pin_hash) -> None:
    from kiosk.ui.admin.diagnostics import DiagnosticsPage
    from kiosk.ui.admin.setup_wizard import SetupWizard

    door = AdminDoor(kiosk, config, "kiosk", AdminGate(pin_hash), lock_close=False,
                     voice_result=lambda: ("warning", "no voice"), on_exit=lambda code: None)
    try:
        tap_corner(qtbot, kiosk)
        enter_pin(qtbot, door, PIN)
        qtbot.waitUntil(lambda: door.panel.stack.currentWidget() is door.panel.menu)
        assert not door.panel.menu.demo_pin_warning.isVisible()  # a PIN of its own: nothing to warn about
        qtbot.mouseClick(door.panel.menu.buttons["diagnostics"], Qt.MouseButton.LeftButton)
        page = door.panel.page
        assert isinstance(page, DiagnosticsPage)
        qtbot.waitUntil(lambda: not page.running, timeout=30_000)
        names = {c.name for c in page.results}
        assert {"voice", "database", "queue_host", "printer", "model", "disk", "version", "admin_pin"} <= names
        assert page.result("voice").level == "warning"  # from the running app, not the worker thread
        back = door.panel.findChild(type(door.panel.menu.buttons["exit"]), "adminBack")
        qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
        assert door.panel.stack.currentWidget() is door.panel.menu
        qtbot.mouseClick(door.panel.menu.buttons["setup"], Qt.MouseButton.LeftButton)
        assert isinstance(door.panel.page, SetupWizard)
        qtbot.mouseClick(door.panel.page.cancel_button, Qt.MouseButton.LeftButton)
        assert door.panel.stack.currentWidget() is door.panel.menu
        qtbot.mouseClick(door.panel.menu.buttons["sync"], Qt.MouseButton.LeftButton)
        from kiosk.ui.admin.sync_status import SyncStatusPanel

        sync_page = door.panel.page
        assert isinstance(sync_page, SyncStatusPanel)  # the sync area's panel over this device's outbox
        qtbot.waitUntil(lambda: sync_page.status is not None)
        assert sync_page.status["counts"] is not None
        qtbot.mouseClick(door.panel.findChild(type(door.panel.menu.buttons["exit"]), "adminBack"),
                         Qt.MouseButton.LeftButton)
        assert door.panel.stack.currentWidget() is door.panel.menu
    finally:
        door.shutdown()


def test_menu_opens_the_printing_areas_reprint_page(qtbot, kiosk, config, pin_hash) -> None:
    door = AdminDoor(kiosk, config, "kiosk", AdminGate(pin_hash), lock_close=False, on_exit=lambda code: None)
    try:
        door.open()
        enter_pin(qtbot, door, PIN)
        qtbot.waitUntil(lambda: door.panel.stack.currentWidget() is door.panel.menu)
        qtbot.mouseClick(door.panel.menu.buttons["reprint"], Qt.MouseButton.LeftButton)
        from kiosk.ui.qt.printing import ReprintWidget

        assert isinstance(door.panel.page, ReprintWidget)
        qtbot.mouseClick(door.panel.findChild(type(door.panel.menu.buttons["exit"]), "adminBack"),
                         Qt.MouseButton.LeftButton)
        assert door.panel.page is None and door.panel.stack.currentWidget() is door.panel.menu
    finally:
        door.shutdown()


def test_the_self_test_diagnostics_and_the_kiosk_give_one_answer_about_the_voice(qtbot, config) -> None:
    """Issue 17: the CLI self-test said the voice was fine while a screen of the same run said it was missing."""
    from kiosk.ui.admin.qt_checks import check_voice, voice_finding

    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, speech="auto"))
    speaker = Speaker(enabled=True)
    speaker.load()
    qtbot.waitUntil(lambda: not speaker.loading, timeout=20_000)
    try:
        running = voice_finding(config, speaker)
        assert running == check_voice(config)[:2]  # this machine's answer, whichever it is
        assert (running[0] == "ok") == speaker.can_speak("id")  # what decides the read-aloud button
    finally:
        speaker.shutdown()
    assert voice_finding(config, Speaker(enabled=False))[0] == "warning"  # no voice: the button is hidden
    assert voice_finding(dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, speech="off")),
                         Speaker(enabled=False))[0] == "ok"
