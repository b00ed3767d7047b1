"""The booking check-in's every state fits and is within reach (issue 19, the rules of issue 16 and 17).

Each state (the keys empty and full, checking, the camera with a hint, the camera failed, the early and the
late choice, a refusal with the booking's date, one with the ticket's number, the queue offline), in
portrait 1080×1920 and landscape 1920×1080, Indonesian and English, normal and large text: nothing cut
off or stretched, the screen no larger than the window, every touch target at most 1,200 mm above the
floor for the default mounting (as tests/gui/test_reach.py checks the rest of the walk).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fit_checks import cut_off, out_of_reach, stretched
from PySide6.QtWidgets import QApplication, QWidget
from test_booking_checkin import bookings_on, checkin, tap
from test_reach import DEFAULTS, every_control_shown, screen_mm
from test_status_check import qr_picture, with_camera

from kiosk.config.schema import Config
from kiosk.core import Core, build_core
from kiosk.queue.checkin import Arrival, BookingSummary, CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.models import IssuedTicket, TicketState
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.booking_checkin import CheckInView
from kiosk.visit.flow import Step

CODE = "7KQ2M9XDAB12CD34EF56GH78"
SIZES = [(1080, 1920), (1920, 1080)]


def summary(slot: str = "10:30", day: date = date(2026, 12, 7)) -> BookingSummary:
    return BookingSummary(CODE, "SIP-PERAWAT-BARU", day, slot, "3171********0001")  # the longest service name


def booking_states(qtbot, window: KioskWindow, used: IssuedTicket) -> Iterator[str]:
    """The check-in screen in each of its states, reached as the citizen would or through its answer."""
    screen = checkin(window)
    window.show_step(Step.BOOKING)
    qtbot.waitUntil(lambda: "not an MPP booking" in screen.progress.text()
                    or "bukan kode booking" in screen.progress.text(), timeout=10_000)
    yield "scanning, not a booking's QR"
    tap(qtbot, screen, "bookingType")
    yield "typing, empty"
    screen.entry.set_code(CODE[:15])
    yield "typing, half"
    screen.entry.set_code("W" * 24)  # the widest letter in every place
    yield "typing, full"
    screen._show("checking")
    yield "checking"
    screen.scanner.camera_failed.emit("unplugged")
    yield "camera failed"
    early = CheckInAnswer("choose", summary(), Arrival.EARLY, choices=(CheckInChoice.BOOKED, CheckInChoice.WALK_IN))
    late = CheckInAnswer("choose", summary("08:00"), Arrival.LATE, choices=(CheckInChoice.WALK_IN,))
    views = {
        "choose, early": CheckInView("choose", early),
        "choose, late": CheckInView("choose", late),
        "refused, other day": CheckInView("refused", CheckInAnswer.refused(
            CheckInRefusal.OTHER_DAY, summary(day=date(2026, 12, 9))), "other_day"),
        "refused, forged": CheckInView("refused", CheckInAnswer.refused(CheckInRefusal.FORGED), "forged"),
        "refused, used": CheckInView("refused", CheckInAnswer("already_issued", summary(), Arrival.ON_TIME, used),
                                     "used"),
        "refused, offline": CheckInView("refused", reason="unavailable"),
    }
    for name, view in views.items():
        screen.show_view(view)
        yield name
        if name == "choose, early":  # "Ambil tiket booking" touched: the choice stays while it is asked
            screen._choice = CheckInChoice.BOOKED
            screen._show("checking")
            yield "choose, early, asking"
            screen._choice = None


def settled(qtbot) -> None:
    """Let the style's new fonts and the layouts they ask for land: a state shown before large text is switched
    on gets its fonts by posted events, and each relayout may post another (a few rounds, not a fixed wait)."""
    for _ in range(4):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    qtbot.wait(5)


@pytest.fixture
def camera_core(config: Config, tmp_path: Path) -> Iterator[Core]:
    """A kiosk with a camera (a picture of a QR that is not a booking's) and bookings on."""
    core = build_core(bookings_on(with_camera(config, qr_picture(tmp_path, "https://example.com/promo"))))
    yield core
    core.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("large_text", [False, True])
def test_every_booking_state_fits_and_is_within_reach(qtbot, camera_core: Core, size: tuple[int, int], lang: str,
                                                      large_text: bool) -> None:
    core = camera_core
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    every_control_shown(window)
    window.set_language(lang)
    issued = core.queue.issue("SIP-PERAWAT-BARU", request_id="served")
    used = dataclasses.replace(issued, ticket=dataclasses.replace(issued.ticket, state=TicketState.DONE))
    problems: list[str] = []
    seen = 0
    try:
        for state in booking_states(qtbot, window, used):
            window.set_large_text(large_text)
            window._update_header()
            settled(qtbot)
            seen += 1
            screen: QWidget = window.stack.currentWidget()
            assert screen is window.screens[Step.BOOKING] and (window.width(), window.height()) == size
            needed = screen.layout().totalMinimumSize()
            area = window.stack.size()
            if needed.width() > area.width() or needed.height() > area.height():
                problems.append(f"{state} needs {needed.toTuple()} but has {area.toTuple()}")
            widgets = screen.findChildren(QWidget) + window.header.findChildren(QWidget) + window.bar.findChildren(
                QWidget)
            problems += cut_off(widgets, state) + stretched(widgets, state)
            problems += out_of_reach(window, [screen, window.bar], state, DEFAULTS.screen_lower_edge_mm,
                                     screen_mm(size))[0]
    finally:
        window.shutdown()
    assert seen == 13
    assert problems == [], "\n" + "\n".join(problems)
