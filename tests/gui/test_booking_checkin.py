""""Saya sudah booking" at the kiosk, by clicks (issue 19): a booking's code typed on the code's keys or its
QR held to the camera (a picture of a generated code played as the camera) → the booking's ticket; early →
a choice; late → a walk-in ticket; a used, forged, other-day, cancelled code → a clear message and no
ticket; a lost answer asked again → the same ticket, never a second. The queue is a real engine with a
fixed clock (Monday 7 December 2026, 10:00 in Jakarta), in this process or behind a queue host on loopback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from gui_touch import KIOSK_TOKEN, click
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from test_status_check import qr_picture, with_camera

from kiosk.booking.code import BookingCodeFields, booking_qr_text, encode_booking_code
from kiosk.catalog.services import Catalog, default_catalog_path, load_catalog
from kiosk.config.schema import Config, QueueSection
from kiosk.core import build_core, open_survey_store, service_rules
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.client import LocalQueue, QueueUnavailable
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import TicketState
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.ui.kiosk.booking import BookingCheckInScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

MPP = "MPP-JAKSEL"
KEY = bytes(range(32))
TZ = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # a Monday
SECOND_KIOSK_TOKEN = "kiosk-two-token-0123456789abcdef"


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def booking_code(slot: time, *, day: date | None = None, service: str = "KTP-EL", serial: int = 1,
                 mpp: str = MPP) -> str:
    return encode_booking_code(BookingCodeFields(mpp, day or NOW.date(), slot, service, serial), KEY)


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(default_catalog_path())


@pytest.fixture
def engine(tmp_path: Path, catalog: Catalog) -> Iterator[QueueEngine]:
    """The building's queue, bookings on (a 30 min early and 15 min late window), at 10:00."""
    engine = QueueEngine.open(tmp_path / "queue.db", service_rules(catalog), TZ, clock=FixedClock(NOW))
    engine.bookings.configure(BookingSettings(enabled=True, early_minutes=30, late_minutes=15, mpp_code=MPP), KEY)
    yield engine
    engine.close()


def bookings_on(config: Config) -> Config:
    return dataclasses.replace(config, bookings=dataclasses.replace(config.bookings, enabled=True))


def open_kiosk(qtbot, config: Config, queue: Any, catalog: Catalog, size: tuple[int, int] = (1080, 1920)
               ) -> KioskWindow:
    window = KioskWindow(bookings_on(config), catalog, queue, Speaker(enabled=False),
                         survey_store=open_survey_store(config))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def checkin(window: KioskWindow) -> BookingCheckInScreen:
    screen = window.screens[Step.BOOKING]
    assert isinstance(screen, BookingCheckInScreen)
    return screen


def tap(qtbot, root: QWidget, name: str) -> None:
    found = [w for w in root.findChildren(QPushButton, name) if w.isVisible()]
    assert found, f"no visible button {name}"
    click(qtbot, found[0])


def shown_text(root: QWidget, name: str) -> str:
    found = [w for w in root.findChildren(QLabel) if w.accessibleName() == name and w.isVisible()]
    return found[0].text() if found else ""


def type_code(qtbot, screen: BookingCheckInScreen, code: str) -> None:
    for char in code.replace("-", ""):
        tap(qtbot, screen, f"code{char}")


def check_in_typed(qtbot, window: KioskWindow, code: str) -> BookingCheckInScreen:
    """From the welcome screen: "Saya sudah booking", the code on the keys, "Lanjut"; until the answer."""
    tap(qtbot, window.screens[Step.WELCOME], "bookingButton")
    screen = checkin(window)
    assert window.current_step == Step.BOOKING and screen.state == "typing"
    type_code(qtbot, screen, code)
    tap(qtbot, screen, "bookingNext")
    qtbot.waitUntil(lambda: screen.state != "checking", timeout=10_000)
    return screen


def tickets_of(engine: QueueEngine) -> list[Any]:
    return engine.waiting()


def test_a_typed_code_gives_the_booked_ticket(qtbot, config: Config, engine: QueueEngine, catalog: Catalog) -> None:
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    code = booking_code(time(10, 0))
    tap(qtbot, window.screens[Step.WELCOME], "bookingButton")
    screen = checkin(window)
    assert screen.state == "typing" and not screen.next_button.isEnabled()
    assert shown_text(screen, "bookingReason") == "Ketik 24 huruf dan angka kode booking Anda."
    type_code(qtbot, screen, code[:12])  # "XXXX-XXXX-XX": ten characters
    assert shown_text(screen, "bookingReason") == "Kode booking ada 24 huruf dan angka. Masih kurang 14."
    assert [shown_text(screen, f"codeGroup{i}") for i in (1, 2, 3, 4)] == [code[:4], code[5:9], code[10:12] + "__",
                                                                          "____"]
    type_code(qtbot, screen, code[12:])
    assert screen.next_button.isEnabled() and shown_text(screen, "bookingReason") == ""

    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as issued:
        tap(qtbot, screen, "bookingNext")
    ticket = issued.args[0].ticket
    assert window.current_step == Step.TICKET and ticket.number == "A-001" and ticket.booking == "10:00"
    ticket_screen = window.screens[Step.TICKET]
    assert shown_text(ticket_screen, "ticketNumber") == "A-001"
    assert shown_text(ticket_screen, "ticketBookingNote").startswith("Tiket booking pukul 10:00")
    assert [t.number for t in tickets_of(engine)] == ["A-001"]
    assert window.header.step.text() == ""  # no walk-in steps to count ("Langkah 5 dari 5" was wrong)


def test_the_same_booking_again_shows_its_first_ticket_and_once_served_it_is_used(
        qtbot, config: Config, engine: QueueEngine, catalog: Catalog) -> None:
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    code = booking_code(time(10, 5))
    check_in_typed(qtbot, window, code)
    assert window.current_step == Step.TICKET
    tap(qtbot, window.screens[Step.TICKET], "doneButton")  # the next citizen... the same booking again

    tap(qtbot, window.screens[Step.WELCOME], "bookingButton")
    screen = checkin(window)
    qtbot.keyClicks(screen, code.lower())  # on a USB keyboard: lower case, hyphens ignored
    assert screen.entry.typed == code.replace("-", "")
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as again:
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert again.args[0].ticket.number == "A-001" and [t.number for t in tickets_of(engine)] == ["A-001"]
    assert shown_text(window.screens[Step.TICKET], "ticketBookingNote").startswith(
        "Booking ini sudah dicek-in sebelumnya: ini tiket yang sama, bukan nomor baru. Tiket booking pukul 10:05")

    first = tickets_of(engine)[0]
    engine.call_specific(2, first.number, actor="clerk@counter-2")
    engine.start(first.id, actor="clerk@counter-2")
    assert engine.finish(first.id, actor="clerk@counter-2").state is TicketState.DONE
    window.wipe()
    screen = check_in_typed(qtbot, window, code)
    assert screen.state == "refused" and window.current_step == Step.BOOKING
    assert shown_text(screen, "bookingMessage").startswith("Kode booking ini sudah dipakai untuk tiket A-001.")
    assert "Satu booking berlaku untuk satu tiket" in shown_text(screen, "bookingDetail")
    tap(qtbot, screen, "bookingWalkIn")  # a regular number instead
    assert window.current_step == Step.SERVICE


def test_a_scanned_qr_gives_the_booked_ticket(qtbot, config: Config, engine: QueueEngine, catalog: Catalog,
                                              tmp_path: Path) -> None:
    code = booking_code(time(10, 10), serial=7)
    camera = with_camera(config, qr_picture(tmp_path, booking_qr_text(code)))
    window = open_kiosk(qtbot, camera, LocalQueue(engine, catalog), catalog)
    with qtbot.waitSignal(window.ticket_issued, timeout=15_000) as issued:
        tap(qtbot, window.screens[Step.WELCOME], "bookingButton")
    assert issued.args[0].ticket.booking == "10:10" and window.current_step == Step.TICKET
    assert not checkin(window).scanner.scanning  # the camera is off again


def test_a_qr_that_is_not_a_booking_gets_a_hint_and_typing_is_offered(qtbot, config: Config, engine: QueueEngine,
                                                                      catalog: Catalog, tmp_path: Path) -> None:
    camera = with_camera(config, qr_picture(tmp_path, "https://example.com/promo"))
    window = open_kiosk(qtbot, camera, LocalQueue(engine, catalog), catalog, size=(1920, 1080))
    window.set_language("en")
    tap(qtbot, window.screens[Step.WELCOME], "bookingButton")
    screen = checkin(window)
    qtbot.waitUntil(lambda: "not an MPP booking code" in shown_text(screen, "bookingProgress"), timeout=10_000)
    assert screen.state == "scanning" and screen.scanner.scanning
    tap(qtbot, screen, "bookingType")
    assert screen.state == "typing" and not screen.scanner.scanning and screen.entry.keyboard.isVisible()


def test_early_arrival_takes_the_booked_ticket_called_from_its_slot(qtbot, config: Config, engine: QueueEngine,
                                                                    catalog: Catalog) -> None:
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    screen = check_in_typed(qtbot, window, booking_code(time(11, 30)))
    assert screen.state == "choose"
    assert screen.title.text() == "Anda datang lebih awal"
    assert shown_text(screen, "bookingSlot") == "11:30"
    assert shown_text(screen, "bookingFacts") == "Booking Anda: KTP Elektronik (baru, rusak, hilang), pukul 11:30."
    booked, walk_in = screen.answer.booked_tile, screen.answer.walk_in_tile
    assert booked.isVisible() and walk_in.isVisible()
    assert booked.title.text() == "Ambil tiket booking — dipanggil mulai 11:30"
    assert walk_in.title.text() == "Antre sekarang sebagai pengunjung biasa"
    assert tickets_of(engine) == []  # nothing issued before the choice
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as issued:
        qtbot.mouseClick(booked, Qt.MouseButton.LeftButton)
    assert issued.args[0].ticket.booking == "11:30"
    assert "dipanggil mulai pukul 11:30" in shown_text(window.screens[Step.TICKET], "ticketBookingNote")


def test_late_arrival_queues_as_a_walk_in(qtbot, config: Config, engine: QueueEngine, catalog: Catalog) -> None:
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    window.set_language("en")
    screen = check_in_typed(qtbot, window, booking_code(time(9, 0)))
    assert screen.state == "choose" and screen.title.text() == "Your booking time has passed"
    assert not screen.answer.booked_tile.isVisible() and screen.answer.walk_in_tile.isVisible()  # the slot is gone
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as issued:
        qtbot.mouseClick(screen.answer.walk_in_tile, Qt.MouseButton.LeftButton)
    assert issued.args[0].ticket.booking is None and issued.args[0].ticket.number == "A-001"
    assert shown_text(window.screens[Step.TICKET], "ticketBookingNote") == ""


def test_a_forged_code_says_check_the_letters_and_keeps_them_to_correct(qtbot, config: Config, engine: QueueEngine,
                                                                        catalog: Catalog) -> None:
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    code = booking_code(time(10, 0))
    altered = code[:-1] + ("0" if code[-1] != "0" else "1")  # one character typed wrong
    screen = check_in_typed(qtbot, window, altered)
    assert screen.state == "refused" and shown_text(screen, "bookingMessage") == "Kode booking ini tidak dikenali."
    assert "satu huruf yang salah" in shown_text(screen, "bookingDetail")
    assert not screen.walk_in_button.isVisible() and tickets_of(engine) == []
    tap(qtbot, screen, "bookingAgain")  # "Ketik ulang kode": the code is still there
    assert screen.state == "typing" and screen.entry.typed == altered.replace("-", "")
    tap(qtbot, screen, "codeBackspace")
    type_code(qtbot, screen, code[-1])
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000):
        tap(qtbot, screen, "bookingNext")


@pytest.mark.parametrize("which, message, walk_in", [
    ("tomorrow", "Booking ini untuk Selasa, 8 Desember 2026, bukan hari ini.", True),
    ("cancelled", "Booking ini sudah dibatalkan.", True),
    ("other_mpp", "Booking ini untuk MPP lain.", True),
])
def test_a_code_that_is_not_for_here_and_now_says_why(qtbot, config: Config, engine: QueueEngine, catalog: Catalog,
                                                      which: str, message: str, walk_in: bool) -> None:
    code = booking_code(time(10, 0), day=date(2026, 12, 8)) if which == "tomorrow" else \
        booking_code(time(10, 0), mpp="MPP-BANDUNG") if which == "other_mpp" else booking_code(time(10, 0))
    if which == "cancelled":
        engine.bookings.replace_day(NOW.date(), [{
            "code": code, "service_code": "KTP-EL", "day": NOW.date().isoformat(), "slot": "10:00",
            "nik_masked": "3171********0001", "state": "cancelled", "created_at": "2026-12-01T08:00:00+07:00",
            "cancelled_at": "2026-12-05T08:00:00+07:00"}])
    window = open_kiosk(qtbot, config, LocalQueue(engine, catalog), catalog)
    screen = check_in_typed(qtbot, window, code)
    assert screen.state == "refused" and shown_text(screen, "bookingMessage").startswith(message)
    assert screen.walk_in_button.isVisible() == walk_in and tickets_of(engine) == []
    tap(qtbot, screen, "bookingDone")
    assert window.current_step == Step.WELCOME


class LosesAnswers:
    """The in-process queue whose first check-in answers are lost on the way back (a cable pulled)."""

    def __init__(self, inner: LocalQueue, lose: int) -> None:
        self.inner, self.lose, self.request_ids = inner, lose, []

    def check_in_booking(self, code_text: str, **kw: Any) -> Any:
        self.request_ids.append(kw["request_id"])
        answer = self.inner.check_in_booking(code_text, **kw)
        if self.lose:
            self.lose -= 1
            raise QueueUnavailable("the answer was lost")
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_lost_answer_asked_again_gives_the_same_ticket_never_a_second(qtbot, config: Config, engine: QueueEngine,
                                                                       catalog: Catalog) -> None:
    queue = LosesAnswers(LocalQueue(engine, catalog), lose=2)
    window = open_kiosk(qtbot, config, queue, catalog)
    screen = check_in_typed(qtbot, window, booking_code(time(10, 0)))
    assert screen.state == "refused" and shown_text(screen, "bookingMessage") == "Sistem antrean belum terhubung."
    assert not screen.again_button.isVisible() and not screen.walk_in_button.isVisible()
    tap(qtbot, screen, "bookingRetry")
    qtbot.waitUntil(lambda: screen.state != "checking", timeout=10_000)
    with qtbot.waitSignal(window.ticket_issued, timeout=10_000) as issued:
        tap(qtbot, screen, "bookingRetry")
    assert issued.args[0].ticket.number == "A-001" and len(tickets_of(engine)) == 1
    assert len(set(queue.request_ids)) == 1 and len(queue.request_ids) == 3  # one question, asked three times


@pytest.fixture
def booking_host(engine: QueueEngine) -> Iterator[str]:
    """The queue host on loopback over the clocked engine, for two kiosks."""
    server = RunningServer(create_app(engine, {KIOSK_TOKEN: DeviceGrant("kiosk-01", "kiosk"),
                                               SECOND_KIOSK_TOKEN: DeviceGrant("kiosk-02", "kiosk")}))
    yield server.url
    server.stop()


def test_two_kiosks_over_the_queue_host_give_one_ticket(qtbot, config: Config, engine: QueueEngine,
                                                        catalog: Catalog, booking_host: str, tmp_path: Path) -> None:
    """A kiosk checks a booking in over HTTP; the same code at a second kiosk shows the same ticket."""
    cores = []
    try:
        windows = []
        for n, token in enumerate((KIOSK_TOKEN, SECOND_KIOSK_TOKEN)):
            data = tmp_path / f"kiosk-{n}"
            data.mkdir()
            core = build_core(bookings_on(dataclasses.replace(
                config, device=dataclasses.replace(config.device, data_dir=str(data)),
                queue=QueueSection(host_url=booking_host, device_token=token))))
            cores.append(core)
            windows.append(open_kiosk(qtbot, core.config, core.queue, catalog))
        code = booking_code(time(9, 50))
        with qtbot.waitSignal(windows[0].ticket_issued, timeout=10_000) as first:
            check_in_typed(qtbot, windows[0], code)
        with qtbot.waitSignal(windows[1].ticket_issued, timeout=10_000) as second:
            check_in_typed(qtbot, windows[1], code)
        assert first.args[0].ticket.number == second.args[0].ticket.number == "A-001"
        assert first.args[0].ticket.booking == "09:50" and len(tickets_of(engine)) == 1
        windows[1].wipe()
        screen = check_in_typed(qtbot, windows[1], booking_code(time(10, 0), serial=2)[:-1] + "Z")
        assert screen.state == "refused" and shown_text(screen, "bookingMessage") in (
            "Kode booking ini tidak dikenali.", "Kode booking ini tidak lengkap atau salah ketik.")
        for window in windows:
            window.shutdown()
    finally:
        for core in cores:
            core.close()
