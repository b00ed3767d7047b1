"""One picture of every screen of every role, in both languages (for ``kiosk selftest``).

The screens are driven through the same methods a touch would call, against a throw-away queue,
so the pictures show what a citizen, a clerk and the lobby would really see.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from kiosk.config.schema import DATA_DIR_ENV, Config, DeviceSection, KioskSection
from kiosk.core import Core, build_core
from kiosk.i18n import LANGUAGES
from kiosk.queue.models import PriorityGroup
from kiosk.staff.directory import StaffDirectory, StaffMember, hash_pin
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.application import application
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

log = logging.getLogger(__name__)

SAMPLE_NIK = "3171014501900001"
KIOSK_SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def settle(ms: int = 60) -> None:
    """Let queued signals, background answers and layouts run before a picture is taken."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def wait_for(condition: Callable[[], bool], timeout_ms: int = 5000) -> bool:
    waited = 0
    while not condition() and waited < timeout_ms:
        settle(20)
        waited += 20
    return condition()


def _save(widget: QWidget, path: Path, shots: list[Path]) -> None:
    settle()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    shots.append(path)


def _scratch_core(config: Config, folder: Path) -> Core:
    scratch = dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(folder)),
                                  kiosk=dataclasses.replace(config.kiosk, speech="off"))
    return build_core(scratch)


def capture_kiosk(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                core = _scratch_core(config, Path(scratch))
                try:
                    _walk_kiosk(core, lang, size, out / f"kiosk-{orientation}-{lang}", shots)
                finally:
                    core.close()
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        core = _scratch_core(config, Path(scratch))
        try:
            for lang in LANGUAGES:  # what the kiosk shows when its catalog could not be loaded
                window = KioskWindow(core.config, None, core.queue, Speaker(enabled=False))
                window.resize(*KIOSK_SIZES["portrait"])
                window.set_language(lang)
                window.show()
                _save(window, out / f"kiosk-portrait-{lang}-unavailable.png", shots)
                window.shutdown()
                window.deleteLater()
        finally:
            core.close()


def _walk_kiosk(core: Core, lang: str, size: tuple[int, int], prefix: Path, shots: list[Path]) -> None:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False))
    try:
        window.resize(*size)
        window.show()
        window.set_language(lang)

        def shot(name: str) -> None:
            _save(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        for i in range(4):  # a realistic waiting line
            core.queue.issue("KTP-EL", request_id=f"selftest-{i}")
        shot("01-welcome")
        window.show_step(Step.PRIORITY)
        shot("02-priority")
        window.choose_priority(PriorityGroup.ELDERLY)
        shot("03-services")
        services = window.screens[Step.SERVICE]
        services.set_keyboard_visible(True)
        services.search.setText("akta")
        shot("04-search")
        services.search.setText("zzqx")
        shot("05-search-empty")
        services.reset()
        assert core.catalog is not None
        window.choose_service(core.catalog.service("KTP-EL"))
        wait_for(lambda: window.screens[Step.REQUIREMENTS]._preview is not None)  # type: ignore[attr-defined]
        shot("06-requirements")
        window.after_requirements()
        shot("07-identify-empty")
        identify = window.screens[Step.IDENTIFY]
        for digit in "99":
            identify._type_digit(digit)  # type: ignore[attr-defined]
        shot("08-identify-error")
        identify.reset()
        for digit in SAMPLE_NIK:
            identify._type_digit(digit)  # type: ignore[attr-defined]
        shot("09-identify-valid")
        window.set_large_text(True)
        shot("10-identify-large-text")
        window.set_large_text(False)
        identify._submit()  # type: ignore[attr-defined]
        shot("11-confirm")
        window.screens[Step.CONFIRM].show_error("confirm.error.offline")  # type: ignore[attr-defined]
        shot("12-confirm-offline")
        window.screens[Step.CONFIRM].show_error(None)  # type: ignore[attr-defined]
        window.issue_ticket()
        wait_for(lambda: window.current_step == Step.TICKET)
        shot("13-ticket")
        ticket_screen = window.screens[Step.TICKET]
        ticket_screen.print_panel.show_state(  # type: ignore[attr-defined]
            ticket_screen.print_panel.number, "failed", "paper_out")  # type: ignore[attr-defined]
        shot("13-ticket-print-failed")
        window.show_step(Step.REQUIREMENTS)
        window.overlay.start(core.config.kiosk.idle_countdown_seconds)
        shot("14-still-there")
        window.overlay.cancel()
    finally:
        window.shutdown()
        window.deleteLater()


def capture_counter_and_display(config: Config, out: Path, shots: list[Path]) -> None:
    for lang in LANGUAGES:
        with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
            core = _scratch_core(dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang)),
                                 Path(scratch))
            counter = CounterWindow(core.config, core.catalog, core.queue)
            display = DisplayWindow(core.config, core.catalog, core.queue)
            try:
                counter.resize(1600, 900)
                display.resize(1920, 1080)
                counter.show()
                display.show()
                _save(counter, out / f"counter-{lang}-1-empty.png", shots)
                for i, (service, priority) in enumerate([("KTP-EL", None), ("KTP-EL", PriorityGroup.ELDERLY),
                                                         ("IKD", None), ("KK", None), ("KK", None)]):
                    core.queue.issue(service, request_id=f"selftest-{i}", priority=priority,
                                     nik_masked="3171********0001", identity_status="to_verify_at_counter")
                _save(display, out / f"display-{lang}-1-waiting.png", shots)
                core.queue.call_next(3, ["KK"], actor="selftest")
                counter.perform("call_next")
                wait_for(lambda: counter.current is not None)
                _save(counter, out / f"counter-{lang}-2-called.png", shots)
                wait_for(lambda: bool(display.board and display.board.recent_calls
                                      and len(display.board.now_serving) == 2))
                display.flash_timer.stop()
                _save(display, out / f"display-{lang}-2-calls.png", shots)
                counter.perform("transfer")
                _save(counter, out / f"counter-{lang}-3-transfer.png", shots)
                counter.close_panel()
                counter.perform("call_number")
                counter.call_keypad.digit.emit("5")  # as a tap on the keypad does
                _save(counter, out / f"counter-{lang}-4-call-number.png", shots)
                counter.close_panel()
                sample_hash = hash_pin("1234")  # sample clerks for the picture, never a real account
                signing_in = CounterWindow(core.config, core.catalog, core.queue, staff=StaffDirectory(
                    [StaffMember("rina", "Rina Wulandari", sample_hash), StaffMember("budi", "Budi Santoso", sample_hash)]))
                signing_in.resize(1600, 900)
                signing_in.show()
                signing_in.staff_list.setCurrentRow(0)
                signing_in.pin_keypad.digit.emit("1")
                signing_in.pin_keypad.digit.emit("2")
                _save(signing_in, out / f"counter-{lang}-0-sign-in.png", shots)
                signing_in.shutdown()
                signing_in.deleteLater()
            finally:
                for window in (counter, display):
                    window.shutdown()
                    window.deleteLater()
                core.close()


def capture_all(config: Config, out: Path) -> list[Path]:
    # $KIOSK_DATA_DIR would win over each scratch core's data_dir (Config.data_dir): the pictures'
    # sample tickets would land in this machine's real queue. Hide it while the screens are drawn.
    real_data_dir = os.environ.pop(DATA_DIR_ENV, None)
    try:
        return _capture_all(config, out)
    finally:
        if real_data_dir is not None:
            os.environ[DATA_DIR_ENV] = real_data_dir


def _capture_all(config: Config, out: Path) -> list[Path]:
    application()
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    base = dataclasses.replace(config, device=DeviceSection(**{**dataclasses.asdict(config.device), "fullscreen": False}),
                               kiosk=KioskSection(**{**dataclasses.asdict(config.kiosk), "speech": "off"}))
    capture_kiosk(base, out, shots)
    capture_counter_and_display(base, out, shots)
    from kiosk.selftest.shots.survey import capture_survey

    capture_survey(base, out, shots)
    from kiosk.selftest.shots.admin import capture_admin

    capture_admin(base, out, shots)
    from kiosk.selftest.shots.application import capture_applications

    capture_applications(base, out, shots)
    from kiosk.selftest.shots.face import capture_face

    capture_face(base, out, shots)
    from kiosk.selftest.shots.status import capture_status

    capture_status(base, out, shots)
    settle()
    return shots
