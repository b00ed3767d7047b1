"""The kiosk's booking check-in (issue 19): tap "Lanjut" on a typed code → the ticket on screen. Prints JSON.

The real kiosk window, driven offscreen by taps: "Saya sudah booking", the 24 characters on the code's
keys, then the measured tap on "Lanjut" until the ticket screen is painted (and, with the file printer,
until the ticket's paper is written). Two queues:

* ``in_process``: the demo's engine in this process (``LocalQueue``);
* ``loopback_host``: the building's queue host (``kiosk.queue.host``) on 127.0.0.1, in a thread of this
  process (its own engine and database), the kiosk over HTTP as in a real building.

Each walk checks in a new booking (a code made with a throw-away key for now's minute, so on time);
``early`` walks book a slot an hour ahead: "Lanjut" → the choice on screen, then the tap on "Ambil tiket
booking" → the ticket. Two warm-up walks per queue are not counted.

Over the host, walks are paced at the host's limit for one kiosk (a check-in per 3 s after a burst of 10,
``kiosk.queue.routes.bookings``): the wait is outside the measured taps.

Target: tap → ticket on screen < 1 s (as for a walk-in ticket, bench/ticket.py), p95.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/booking_kiosk.py [--walks 20]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from kiosk.booking.code import BookingCodeFields, encode_booking_code
from kiosk.config.schema import Config, DeviceSection, KioskSection, PrinterSection, QueueSection
from kiosk.core import build_core, service_rules
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.engine import QueueEngine
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.application import application
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

KEY = bytes(range(32))  # a throw-away booking key
TOKEN = "bench-kiosk-token-0123456789abcdef"
TARGET_MS = 1000.0
HOST_PACE_S = 3.1  # kiosk.queue.routes.bookings.CHECK_IN_LIMITS: one check-in per 3 s per device, steady


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0
    return {"p50": pick(0.5), "p95": pick(0.95), "max": round(ordered[-1], 1) if ordered else 0.0, "n": len(ordered)}


def settle_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        QApplication.processEvents()
        if time.perf_counter() > deadline:
            raise RuntimeError("the kiosk did not get there in time")


def pause(seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def state_is(screen: Any, state: str) -> Callable[[], bool]:
    return lambda: bool(screen.state == state)


def paper_done(panel: Any) -> Callable[[], bool]:
    return lambda: panel.state in ("printed", "failed")


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


@contextmanager
def kiosk_config(kind: str, scratch: Path) -> Iterator[tuple[Config, QueueEngine | None]]:
    """The kiosk's config, and the engine that checks the bookings in (the host's, or None: the core's own)."""
    config = Config(device=DeviceSection(data_dir=str(scratch / "kiosk"), fullscreen=False),
                    kiosk=KioskSection(speech="off"),
                    printer=PrinterSection(kind="file", target=str(scratch / "paper")))
    config = dataclasses.replace(config, bookings=dataclasses.replace(config.bookings, enabled=True))
    if kind == "in_process":
        yield config, None
        return
    from kiosk.catalog.services import default_catalog_path, load_catalog
    from kiosk.queue.host import create_app
    from kiosk.queue.routes.access import DeviceGrant
    from kiosk.queue.server import RunningServer

    engine = QueueEngine.open(scratch / "host.db", service_rules(load_catalog(default_catalog_path())),
                              ZoneInfo(config.site.timezone))
    server = RunningServer(create_app(engine, {TOKEN: DeviceGrant("kiosk-01", "kiosk")}))
    try:
        yield dataclasses.replace(config, queue=QueueSection(host_url=server.url, device_token=TOKEN)), engine
    finally:
        server.stop()
        engine.close()


def walk(kind: str, walks: int) -> dict[str, Any]:
    shown_ms: list[float] = []
    paper_ms: list[float] = []
    choose_ms: list[float] = []
    early_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder, kiosk_config(kind, Path(folder)) as (
            config, host_engine):
        core = build_core(config)
        engine = host_engine or core.queue.engine  # type: ignore[attr-defined]  # LocalQueue's
        engine.bookings.configure(BookingSettings(enabled=True, mpp_code=config.site.mpp_code), KEY)
        window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
        window.resize(1080, 1920)
        window.show()

        def named(step: Step, name: str) -> QPushButton:
            found = window.screens[step].findChild(QPushButton, name)
            assert found is not None, name
            return found

        def code_for(serial: int, ahead: timedelta) -> str:
            slot = datetime.now(ZoneInfo(config.site.timezone)) + ahead
            return encode_booking_code(BookingCodeFields(config.site.mpp_code, slot.date(),
                                                         clock_time(slot.hour, slot.minute), "KTP-EL", serial), KEY)

        try:
            for i in range(2 * (walks + 2)):
                early = i % 2 == 1
                settle_until(lambda: window.current_step == Step.WELCOME)
                if host_engine is not None:  # the host lets a kiosk try a code every 3 s (after a burst of 10):
                    pause(HOST_PACE_S * (2 if early else 1))  # a citizen types for longer than that anyway
                tap(named(Step.WELCOME, "bookingButton"))
                for char in code_for(i + 1, timedelta(hours=1) if early else timedelta()).replace("-", ""):
                    tap(named(Step.BOOKING, f"code{char}"))
                window.repaint()
                tapped = time.perf_counter()
                tap(named(Step.BOOKING, "bookingNext"))
                screen: Any = window.screens[Step.BOOKING]
                if early:
                    settle_until(state_is(screen, "choose"))
                    window.repaint()
                    chosen = time.perf_counter()
                    choose_ms.append((chosen - tapped) * 1000)
                    tap(screen.answer.booked_tile)
                    tapped = chosen
                settle_until(lambda: window.current_step == Step.TICKET)
                window.repaint()  # painted: what the citizen sees
                shown = time.perf_counter()
                panel: Any = window.screens[Step.TICKET].print_panel  # type: ignore[attr-defined]
                settle_until(paper_done(panel))
                printed = time.perf_counter()
                if i >= 4:  # two warm-up walks of each kind
                    (early_ms if early else shown_ms).append((shown - tapped) * 1000)
                    if not early:
                        paper_ms.append((printed - tapped) * 1000)
                tap(named(Step.TICKET, "doneButton"))
        finally:
            window.shutdown()
            window.deleteLater()
            QApplication.processEvents()
            core.close()
    on_time = percentiles(shown_ms)
    return {"on_time_tap_to_ticket_shown_ms": on_time, "on_time_tap_to_paper_written_ms": percentiles(paper_ms),
            "early_tap_to_choice_shown_ms": percentiles(choose_ms[2:]),
            "early_choice_tap_to_ticket_shown_ms": percentiles(early_ms), "met": on_time["p95"] < TARGET_MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=12, help="walks of each kind (on time, early) per queue")
    args = parser.parse_args()
    application()
    result = {"walks": args.walks, "target_ms": TARGET_MS,
              "in_process": walk("in_process", args.walks), "loopback_host": walk("loopback_host", args.walks)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
