"""Scenes of the counter console and the lobby board, together (a call on one shows on the other)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.i18n import LANGUAGES
from kiosk.queue.models import PriorityGroup
from kiosk.selftest.scene import save_shot, scratch_core, wait_for
from kiosk.staff.directory import StaffDirectory, StaffMember, hash_pin
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow


def capture_counter_and_display(config: Config, out: Path, shots: list[Path]) -> None:
    for lang in LANGUAGES:
        with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
            core = scratch_core(dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang)),
                                 Path(scratch))
            counter = CounterWindow(core.config, core.catalog, core.queue)
            display = DisplayWindow(core.config, core.catalog, core.queue)
            try:
                counter.resize(1600, 900)
                display.resize(1920, 1080)
                counter.show()
                display.show()
                save_shot(counter, out / f"counter-{lang}-1-empty.png", shots)
                for i, (service, priority) in enumerate([("KTP-EL", None), ("KTP-EL", PriorityGroup.ELDERLY),
                                                         ("IKD", None), ("KK", None), ("KK", None)]):
                    core.queue.issue(service, request_id=f"selftest-{i}", priority=priority,
                                     nik_masked="3171********0001", identity_status="to_verify_at_counter")
                save_shot(display, out / f"display-{lang}-1-waiting.png", shots)
                core.queue.call_next(3, ["KK"], actor="selftest")
                counter.perform("call_next")
                wait_for(lambda: counter.current is not None)
                save_shot(counter, out / f"counter-{lang}-2-called.png", shots)
                wait_for(lambda: bool(display.board and display.board.recent_calls
                                      and len(display.board.now_serving) == 2))
                display.flash_timer.stop()
                save_shot(display, out / f"display-{lang}-2-calls.png", shots)
                counter.perform("transfer")
                save_shot(counter, out / f"counter-{lang}-3-transfer.png", shots)
                counter.close_panel()
                counter.perform("call_number")
                counter.call_keypad.digit.emit("5")  # as a tap on the keypad does
                save_shot(counter, out / f"counter-{lang}-4-call-number.png", shots)
                counter.close_panel()
                sample_hash = hash_pin("1234")  # sample clerks for the picture, never a real account
                signing_in = CounterWindow(core.config, core.catalog, core.queue, staff=StaffDirectory(
                    [StaffMember("rina", "Rina Wulandari", sample_hash), StaffMember("budi", "Budi Santoso", sample_hash)]))
                signing_in.resize(1600, 900)
                signing_in.show()
                signing_in.staff_list.setCurrentRow(0)
                signing_in.pin_keypad.digit.emit("1")
                signing_in.pin_keypad.digit.emit("2")
                save_shot(signing_in, out / f"counter-{lang}-0-sign-in.png", shots)
                signing_in.shutdown()
                signing_in.deleteLater()
            finally:
                for window in (counter, display):
                    window.shutdown()
                    window.deleteLater()
                core.close()
