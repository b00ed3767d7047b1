"""Scenes of "Saya sudah booking" (issue 19): the code's keys half typed and full, a booking's ticket issued
by the scratch queue (on time, its slot on the ticket), the early and the late choice, a refusal with the
booking's date, a code already used, a mistyped code, the queue offline, and the camera with a QR that is
not a booking's. Portrait in both languages, landscape in Indonesian, normal text; landscape with large
text in Indonesian too (the tightest fit).

The ticket comes from a real check-in on the scratch queue (a code made with a throw-away key, for now's
minute, so it is on time whenever the tour runs); the other answers are shown through the screen's
:meth:`~kiosk.ui.kiosk.booking.BookingCheckInScreen.show_view`, so they do not depend on the hour.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2

from kiosk.booking.code import BookingCodeFields, encode_booking_code
from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.checkin import Arrival, BookingSummary, CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.client import LocalQueue
from kiosk.queue.models import TicketState
from kiosk.selftest.scene import save_shot, scratch_core, settle, tap, tap_keys, wait_for
from kiosk.selftest.shots.face import stand_in_picture
from kiosk.ui.kiosk.booking import BookingCheckInScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.booking_checkin import CheckInView
from kiosk.visit.flow import Step
from kiosk.visit.qr_codes import QrReading

SAMPLE_KEY = bytes(range(32))  # a throw-away key: the scratch queue's, never a real MPP's
SERVICE = "KTP-EL"
# orientation, language, large text
SCENES = (("portrait", "id", False), ("portrait", "en", False), ("landscape", "id", False),
          ("landscape", "id", True))
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
SHOTS_PER_SCENE = 11


def capture_booking(config: Config, out: Path, shots: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as folder:
        picture = Path(folder) / "camera.png"
        cv2.imwrite(str(picture), stand_in_picture())
        camera = dataclasses.replace(config.camera, device=str(picture), qr_scanning=True)
        bookings = dataclasses.replace(config.bookings, enabled=True)
        for n, (orientation, lang, large) in enumerate(SCENES):
            core = scratch_core(dataclasses.replace(config, camera=camera, bookings=bookings),
                                Path(folder) / f"data-{n}")
            try:
                name = f"booking-{orientation}-{lang}{'-large' if large else ''}"
                _scene(core, SIZES[orientation], lang, large, out / name, shots)
            finally:
                core.close()


def _scene(core: Core, size: tuple[int, int], lang: str, large: bool, prefix: Path, shots: list[Path]) -> None:
    queue = core.queue
    assert isinstance(queue, LocalQueue) and core.catalog is not None  # the scratch core's own engine
    mpp = core.config.site.mpp_code
    queue.engine.bookings.configure(BookingSettings(enabled=True, mpp_code=mpp), SAMPLE_KEY)
    now = datetime.now(ZoneInfo(core.config.site.timezone))
    code = encode_booking_code(BookingCodeFields(mpp, now.date(), time(now.hour, now.minute), SERVICE, 1),
                               SAMPLE_KEY)
    window = KioskWindow(core.config, core.catalog, queue, Speaker(enabled=False), survey_store=core.survey)

    def shot(number: int, name: str) -> None:
        save_shot(window, prefix.with_name(f"{prefix.name}-{number:02d}-{name}.png"), shots)

    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
        window.set_large_text(large)
        tap(window, "bookingButton")
        screen = window.screens[Step.BOOKING]
        assert isinstance(screen, BookingCheckInScreen) and screen.scanner is not None
        settle(400)  # the stand-in picture reaches the preview
        screen.scanner.read.emit(QrReading("unknown"))  # a stranger's code held to the camera
        shot(1, "scan-not-a-booking")
        tap(screen, "bookingType")
        typed = code.replace("-", "")
        tap_keys(screen, typed[:10], lambda ch: f"code{ch}")
        shot(2, "typing")
        tap_keys(screen, typed[10:], lambda ch: f"code{ch}")
        shot(3, "typed")
        tap(screen, "bookingNext")
        wait_for(lambda: window.current_step == Step.TICKET)
        shot(4, "ticket")
        issued = window.session.issued
        assert issued is not None
        window.wipe()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
        window.set_large_text(large)
        tap(window, "bookingButton")
        screen.scanner.stop()
        slot = (now + timedelta(minutes=75)).strftime("%H:%M")
        booking = BookingSummary(typed, SERVICE, now.date(), slot, "")
        used = dataclasses.replace(issued, ticket=dataclasses.replace(issued.ticket, state=TicketState.DONE))
        views = [
            ("choose-early", CheckInView("choose", CheckInAnswer(
                "choose", booking, Arrival.EARLY, choices=(CheckInChoice.BOOKED, CheckInChoice.WALK_IN)))),
            ("choose-late", CheckInView("choose", CheckInAnswer(
                "choose", dataclasses.replace(booking, slot="08:00"), Arrival.LATE, choices=(CheckInChoice.WALK_IN,)))),
            ("other-day", CheckInView("refused", CheckInAnswer.refused(
                CheckInRefusal.OTHER_DAY, dataclasses.replace(booking, day=now.date() + timedelta(days=1))),
                "other_day")),
            ("used", CheckInView("refused", CheckInAnswer("already_issued", booking, Arrival.ON_TIME, used), "used")),
            ("forged", CheckInView("refused", CheckInAnswer.refused(CheckInRefusal.FORGED), "forged")),
            ("offline", CheckInView("refused", reason="unavailable")),
        ]
        for number, (name, view) in enumerate(views, start=5):
            screen.show_view(view)
            shot(number, name)
        screen.scanner.camera_failed.emit("selftest")  # the camera unplugged
        shot(SHOTS_PER_SCENE, "camera")
    finally:
        window.shutdown()
        window.deleteLater()
