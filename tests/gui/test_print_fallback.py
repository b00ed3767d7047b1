"""Paper tickets at the kiosk, driven by clicks: printed, or — when the printer fails — the number
and its QR large on the screen, "printer needs attention" for staff, and reprints; never a second
ticket because the paper failed."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from gui_touch import click, named
from PIL import Image
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.config.schema import Config, PrinterSection
from kiosk.core import Core, build_core
from kiosk.printing.service import read_printer_status
from kiosk.printing.sinks import PrinterState
from kiosk.printing.ticket import TicketLayout
from kiosk.queue.status import status_token
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.printing import FAILED, NO_PRINTER, PRINTED, StaffPrinterPanel, TicketPrintPanel, reprint_recent
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

VALID_NIK = "3171014501900001"


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@pytest.fixture
def make_kiosk(qtbot, config: Config) -> Iterator[Callable[..., tuple[KioskWindow, Core]]]:
    cores: list[Core] = []

    def make(kind: str = "none", target: str = "", size: tuple[int, int] = (1080, 1920)) -> tuple[KioskWindow, Core]:
        printer = PrinterSection(kind=kind, target=target, timeout_seconds=5)  # type: ignore[arg-type]
        core = build_core(dataclasses.replace(config, printer=printer))
        cores.append(core)
        window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        return window, core

    yield make
    for core in cores:
        core.close()


def take_ticket(qtbot, window: KioskWindow) -> None:
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])  # type: ignore[attr-defined]
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, named(window, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(window, Step.IDENTIFY, "nextButton"))
    with qtbot.waitSignal(window.ticket_issued, timeout=5000):
        click(qtbot, named(window, Step.CONFIRM, "confirmButton"))
    assert window.current_step == Step.TICKET


def panel(window: KioskWindow) -> TicketPrintPanel:
    return window.screens[Step.TICKET].print_panel  # type: ignore[attr-defined]


def qr_on_screen(widget: QWidget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_Grayscale8)
    pil = Image.frombytes("L", (image.width(), image.height()), bytes(image.constBits()), "raw", "L",
                          image.bytesPerLine())
    return [code.text for code in zxingcpp.read_barcodes(pil)]


def test_file_printer_prints_and_says_take_your_ticket(qtbot, make_kiosk, data_dir: Path) -> None:
    window, core = make_kiosk("file", str(data_dir / "tickets"))
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == PRINTED, timeout=5000)
    assert panel(window).status.text() == "Ambil tiket kertas Anda di bawah layar."
    assert not panel(window).fallback.isVisible()
    printed = list((data_dir / "tickets").glob("*A-001.pdf"))
    assert len(printed) == 1 and printed[0].read_bytes().startswith(b"%PDF")
    assert read_printer_status(data_dir)["ok"] is True  # type: ignore[index]


def test_offline_printer_shows_number_and_qr_and_never_issues_twice(qtbot, make_kiosk, data_dir: Path) -> None:
    window, core = make_kiosk("escpos-network", f"127.0.0.1:{closed_port()}")
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == FAILED, timeout=5000)
    shown = panel(window)
    assert shown.fallback.isVisible() and shown.qr.isVisible()
    assert shown.fallback_title.text() == "Tiket kertas tidak bisa dicetak"
    assert window.screens[Step.TICKET].number.text() == "A-001"  # type: ignore[attr-defined]
    issued = window.session.issued
    assert issued is not None
    assert qr_on_screen(shown.qr) == [f"http://localhost:8700/v1/status/{status_token(issued.ticket.id)}"]
    assert shown.qr.width() >= 200
    assert [t.number for t in core.queue.waiting()] == ["A-001"]  # one ticket, whatever the printer did
    status = read_printer_status(data_dir)
    assert status is not None and status["needs_attention"] and status["reason"] == "offline"

    # Staff: the attention notice and a reprint of the same ticket (still offline: it says so).
    staff = StaffPrinterPanel(window.printing, "id")
    qtbot.addWidget(staff)
    staff.show()
    assert staff.state.text() == "Printer tiket perlu diperiksa: printer tidak terhubung"
    reprint = staff.findChild(QPushButton, "reprint_A-001")
    assert reprint is not None
    with qtbot.waitSignal(window.printing.reprinted, timeout=5000):
        click(qtbot, reprint)
    assert staff.message.text().startswith("Tiket A-001 tidak bisa dicetak")
    assert [t.number for t in core.queue.waiting()] == ["A-001"]

    # Switching language on the ticket screen keeps the fallback, in English.
    click(qtbot, window.bar.lang_en)
    assert shown.fallback_title.text() == "The paper ticket cannot be printed"


class BlockingSink:
    """A printer that takes the job and never answers (until the test lets it go)."""

    description = "stuck printer"

    def __init__(self) -> None:
        self.release = threading.Event()

    def check(self) -> PrinterState:
        return PrinterState(False)

    def print_ticket(self, layout: TicketLayout, name: str) -> PrinterState:
        self.release.wait(10)
        return PrinterState(False)


def test_printer_that_hangs_times_out_to_the_screen(qtbot, make_kiosk, data_dir: Path) -> None:
    window, core = make_kiosk("file", str(data_dir / "tickets"))
    stuck = BlockingSink()
    window.printing.service.sink = stuck
    window.printing.timeout_ms = 300
    try:
        take_ticket(qtbot, window)
        qtbot.waitUntil(lambda: panel(window).state == FAILED, timeout=5000)
        assert read_printer_status(data_dir)["reason"] == "timeout"  # type: ignore[index]
        assert window.printing.needs_attention == "timeout"
        # the ticket screen's countdown starts over so there is time to take a photo
        assert window._ticket_seconds >= core.config.kiosk.ticket_screen_seconds - 1
    finally:
        stuck.release.set()
    qtbot.wait(100)  # the late "printed" answer is ignored: the screen stays as it is
    assert panel(window).state == FAILED


def test_no_printer_shows_the_qr_without_alarm(qtbot, make_kiosk, data_dir: Path) -> None:
    window, _core = make_kiosk("none")
    take_ticket(qtbot, window)
    shown = panel(window)
    assert shown.state == NO_PRINTER and shown.qr.isVisible() and not shown.fallback_title.isVisible()
    assert shown.fallback_body.text().startswith("Foto kode QR ini")
    assert read_printer_status(data_dir) is None
    click(qtbot, named(window, Step.TICKET, "doneButton"))
    assert window.current_step == Step.WELCOME and not shown.isVisible()


def test_staff_reprint_recent(qtbot, make_kiosk, data_dir: Path) -> None:
    window, core = make_kiosk("file", str(data_dir / "tickets"))
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == PRINTED, timeout=5000)
    with qtbot.waitSignal(window.printing.reprinted, timeout=5000):
        assert [c.number for c in reprint_recent(window.printing, 3)] == ["A-001"]
    assert len(list((data_dir / "tickets").glob("*A-001.pdf"))) == 1  # same file name: the same ticket
    assert [t.number for t in core.queue.waiting()] == ["A-001"]


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
def test_fallback_fits_portrait_and_landscape(qtbot, make_kiosk, size: tuple[int, int], large_text: bool) -> None:
    window, _core = make_kiosk("escpos-network", f"127.0.0.1:{closed_port()}", size=size)
    window.set_language("en")  # the longer texts
    take_ticket(qtbot, window)
    window.set_large_text(large_text)
    qtbot.waitUntil(lambda: panel(window).state == FAILED, timeout=5000)
    qtbot.wait(10)
    screen = window.screens[Step.TICKET]
    needed = screen.layout().totalMinimumSize()
    area = window.stack.size()
    assert needed.width() <= area.width() and needed.height() <= area.height(), (needed, area)
    assert (window.width(), window.height()) == size
    assert panel(window).qr.height() >= 200 and panel(window).qr.visibleRegion().boundingRect().height() >= 200
    done = named(window, Step.TICKET, "doneButton")
    assert done.isVisible() and done.mapTo(window, done.rect().bottomRight()).y() <= size[1]


def test_admin_reprint_page_reads_the_printer_state(qtbot, make_kiosk, data_dir: Path) -> None:
    """The admin menu builds ReprintWidget(config, t) on its own: it finds the fault and the tickets."""
    from kiosk.i18n import Translator
    from kiosk.ui.qt.printing import ReprintWidget

    window, core = make_kiosk("escpos-network", f"127.0.0.1:{closed_port()}")
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == FAILED, timeout=5000)
    page = ReprintWidget(core.config, Translator("en"))
    qtbot.addWidget(page)
    page.show()
    assert page.state.text() == "The ticket printer needs attention: printer not connected"
    reprint = page.findChild(QPushButton, "reprint_A-001")
    assert reprint is not None and "A-001" in reprint.text()
    with qtbot.waitSignal(page.controller.reprinted, timeout=5000):
        click(qtbot, reprint)
    assert page.message.text().startswith("Ticket A-001 could not be printed")
    page.close()  # as the admin menu does when it leaves the page: the printer thread ends


def test_staff_see_printer_attention_on_the_kiosk_until_it_prints_again(qtbot, make_kiosk, data_dir: Path) -> None:
    window, _core = make_kiosk("escpos-network", f"127.0.0.1:{closed_port()}")
    badge = window.printer_badge
    assert not badge.isVisible()
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == FAILED, timeout=5000)
    assert badge.isVisible() and badge.text() == "⚠ Printer tiket perlu diperiksa: printer tidak terhubung"
    click(qtbot, named(window, Step.TICKET, "doneButton"))
    assert window.current_step == Step.WELCOME and badge.isVisible()  # stays for staff after the citizen left
    assert badge.geometry().bottom() < window.height() and badge.x() >= 0
    from kiosk.printing.sinks import FileSink

    window.printing.service.sink = FileSink(data_dir / "tickets")  # "fixed": the next ticket prints
    take_ticket(qtbot, window)
    qtbot.waitUntil(lambda: panel(window).state == PRINTED, timeout=5000)
    assert not badge.isVisible()
