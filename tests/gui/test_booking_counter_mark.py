"""The counter marks a booked ticket (issue 19): "BOOKING 09:30" in the waiting line and on the called ticket."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from gui_touch import click

from kiosk.booking.code import BookingCodeFields, encode_booking_code, new_booking_key
from kiosk.core import Core
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.client import LocalQueue
from kiosk.ui.counter.console import CounterWindow


def test_the_counter_sees_the_booking_in_line_and_in_hand(qtbot, core: Core) -> None:
    assert isinstance(core.queue, LocalQueue)
    key, local = new_booking_key(), datetime.now(UTC).astimezone(ZoneInfo(core.config.site.timezone))
    slot = local.time().replace(second=0, microsecond=0)
    core.queue.engine.bookings.configure(BookingSettings(enabled=True, mpp_code=core.config.site.mpp_code), key)
    walk_in = core.queue.issue("KTP-EL", request_id="walk-in").ticket
    code = encode_booking_code(BookingCodeFields(core.config.site.mpp_code, local.date(), slot, "KTP-EL", 1), key)
    answer = core.queue.check_in_booking(code, kiosk="kiosk-01", request_id="booked")
    assert answer.outcome == "issued" and answer.ticket is not None
    mark = f"BOOKING {slot:%H:%M}"
    window = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    qtbot.waitUntil(lambda: window.waiting_list.count() == 2)
    rows = [window.waiting_list.item(i).text() for i in range(2)]
    assert [mark in row for row in rows] == [False, True] and walk_in.number in rows[0]
    click(qtbot, window.buttons["call_next"])  # the due booking goes ahead of the earlier walk-in
    qtbot.waitUntil(lambda: window.current_number.text() == answer.ticket.ticket.number)
    assert mark in window.current_detail.text()
