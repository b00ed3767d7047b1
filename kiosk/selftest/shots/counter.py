"""Scenes of the counter console and the lobby board, together (a call on one shows on the other)."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QListWidget, QPushButton

from kiosk.booking.code import BookingCodeFields, encode_booking_code, new_booking_key
from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.client import LocalQueue
from kiosk.queue.models import PriorityGroup
from kiosk.selftest.scene import save_shot, scratch_core, tap, tap_keys, wait_for, widget_named
from kiosk.staff.directory import StaffDirectory, StaffMember, hash_pin
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow


def capture_counter_and_display(config: Config, out: Path, shots: list[Path]) -> None:
    for lang in LANGUAGES:
        with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
            core = scratch_core(dataclasses.replace(config, device=dataclasses.replace(config.device, language=lang)),
                                 Path(scratch))
            try:
                _counter_and_board(core, lang, out, shots)
                _sign_in(core, out / f"counter-{lang}-0-sign-in.png", shots)
            finally:
                core.close()


def _counter_and_board(core: Core, lang: str, out: Path, shots: list[Path]) -> None:
    """A line forms; the clerk calls (the board shows it), opens transfer and call-a-number, by taps."""
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
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
        _check_in_a_booking(core)
        save_shot(display, out / f"display-{lang}-1-waiting.png", shots)
        core.queue.call_next(3, ["KK"], actor="selftest")  # another counter calls too
        call_next = widget_named(counter, "call_next", QPushButton)
        wait_for(call_next.isEnabled)
        tap(counter, "call_next")
        wait_for(lambda: counter.current is not None)
        save_shot(counter, out / f"counter-{lang}-2-called.png", shots)
        wait_for(lambda: bool(display.board and display.board.recent_calls and len(display.board.now_serving) == 2))
        display.flash_timer.stop()
        save_shot(display, out / f"display-{lang}-2-calls.png", shots)
        tap(counter, "transfer")
        save_shot(counter, out / f"counter-{lang}-3-transfer.png", shots)
        tap(counter, "transferCancel")
        tap(counter, "start")
        wait_for(widget_named(counter, "finish", QPushButton).isEnabled)  # "start" runs off the GUI thread
        tap(counter, "finish")  # calling a number needs a free counter
        wait_for(widget_named(counter, "call_number", QPushButton).isEnabled)
        tap(counter, "call_number")
        tap(counter, "key5")
        save_shot(counter, out / f"counter-{lang}-4-call-number.png", shots)
        tap(counter, "callNumberCancel")
    finally:
        for window in (counter, display):
            window.shutdown()
            window.deleteLater()


def _check_in_a_booking(core: Core) -> None:
    """A booked citizen checked in at the kiosk, on time: the waiting line marks it "BOOKING HH:MM"."""
    if not isinstance(core.queue, LocalQueue):
        return
    key, mpp = new_booking_key(), core.config.site.mpp_code
    local = datetime.now(UTC).astimezone(ZoneInfo(core.config.site.timezone))
    core.queue.engine.bookings.configure(BookingSettings(enabled=True, mpp_code=mpp), key)
    code = encode_booking_code(BookingCodeFields(mpp, local.date(), local.time().replace(second=0, microsecond=0),
                                                 "KTP-EL", 1), key)
    core.queue.check_in_booking(code, kiosk="selftest", request_id="selftest-booking")


def _sign_in(core: Core, path: Path, shots: list[Path]) -> None:
    """The sign-in page with two sample clerks (never real accounts), one chosen, two PIN digits typed."""
    sample_hash = hash_pin("1234")
    clerks = [StaffMember("rina", "Rina Wulandari", sample_hash), StaffMember("budi", "Budi Santoso", sample_hash)]
    signing_in = CounterWindow(core.config, core.catalog, core.queue, staff=StaffDirectory(clerks),
                               survey_store=core.survey)
    try:
        signing_in.resize(1600, 900)
        signing_in.show()
        widget_named(signing_in, "staffList", QListWidget).setCurrentRow(0)
        tap_keys(signing_in, "12")
        save_shot(signing_in, path, shots)
    finally:
        signing_in.shutdown()
        signing_in.deleteLater()
