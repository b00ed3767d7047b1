"""Printer sinks: ESC/POS bytes (python-escpos Dummy), a fake network printer on loopback that runs
out of paper or goes away mid-job, the file sink, and the print service's faults, status file and
reprints."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from escpos.printer import Dummy

from kiosk.config.schema import Config, DeviceSection, PrinterSection
from kiosk.printing.service import PrintService, read_printer_status
from kiosk.printing.sinks import (
    DLE_EOT_OFFLINE_CAUSE,
    DLE_EOT_PAPER,
    EscposSink,
    FileSink,
    PrinterConfigError,
    PrinterFault,
    open_sink,
)
from kiosk.printing.ticket import TicketContent, layout_ticket, sample_content

ESC_INIT = b"\x1b@"
RASTER = b"\x1dv0"  # GS v 0: raster bit image
CUT = b"\x1dV"  # GS V: cut


def sample(number: str = "A-012", ticket_id: str = "t-1") -> TicketContent:
    from dataclasses import replace

    return replace(sample_content("MPP Kota Contoh", "http://10.0.0.5:8700/v1/status/AbCdEfGhIjKlMnOpQrStUv"),
                   number=number, ticket_id=ticket_id)


# -- ESC/POS bytes -------------------------------------------------------------------------------

def test_escpos_job_is_init_raster_image_then_cut() -> None:
    printer = Dummy()
    sink = EscposSink(lambda: printer, "dummy printer")
    layout = layout_ticket(sample(), 80)
    state = sink.print_ticket(layout, "a-012")
    assert not state.known  # the dummy cannot answer status requests: printed anyway
    out = printer.output
    init, image, cut = out.index(ESC_INIT), out.index(RASTER), out.rindex(CUT)
    assert init < image < cut
    # GS v 0 m xL xH yL yH: 576 dots = 72 bytes per row, the 80 mm head width
    header = out[image + 4: image + 8]
    assert header[0] + 256 * header[1] == 72
    rows = 0
    position = image
    while position != -1:
        rows += out[position + 6] + 256 * out[position + 7]
        position = out.find(RASTER, position + 1)
    assert abs(rows - round(layout.height * 203 / 72)) <= 1  # every line of the ticket went out


def test_58mm_paper_sends_a_384_dot_image() -> None:
    printer = Dummy()
    EscposSink(lambda: printer, "dummy").print_ticket(layout_ticket(sample(), 58), "x")
    header = printer.output[printer.output.index(RASTER) + 4:]
    assert header[0] + 256 * header[1] == 48


# -- a fake network printer on loopback ---------------------------------------------------------

@dataclass
class FakePrinter:
    """Speaks enough ESC/POS over TCP: answers DLE EOT status requests, records what it was sent."""

    paper: int = 0x12  # 0x12 paper fine, 0x1E near end, 0x72 out
    cover: int = 0x12  # 0x16: cover open
    vanish_after: int | None = None  # close the connection after this many bytes of a job
    silent: bool = False  # never answer status requests
    received: bytearray = field(default_factory=bytearray)
    jobs: int = 0

    def __post_init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="fake-printer")
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.jobs += 1
            with conn:
                conn.settimeout(0.2)
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        got = 0
        while not self.stopping.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            self.received += data
            got += len(data)
            if not self.silent:
                for request, answer in ((DLE_EOT_OFFLINE_CAUSE, self.cover), (DLE_EOT_PAPER, self.paper)):
                    if data.endswith(request):
                        conn.sendall(bytes([answer]))
            if self.vanish_after is not None and got > self.vanish_after:
                conn.shutdown(socket.SHUT_RDWR)
                return  # the printer was unplugged mid-ticket

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.stop()


def network_sink(port: int, timeout: float = 3.0) -> EscposSink:
    sink = open_sink("escpos-network", f"127.0.0.1:{port}", data_dir=Path("."), timeout=timeout)
    assert isinstance(sink, EscposSink)
    return sink


def test_network_printer_prints_after_asking_for_paper(fake_printer: FakePrinter) -> None:
    state = network_sink(fake_printer.port).print_ticket(layout_ticket(sample(), 80), "x")
    assert state.known and not state.paper_low and state.fault is None
    data = bytes(fake_printer.received)
    assert data.index(DLE_EOT_PAPER) < data.index(ESC_INIT) < data.index(RASTER) < data.rindex(CUT)
    assert data.rindex(DLE_EOT_PAPER) > data.rindex(CUT)  # asked again after the job: still there


def test_paper_low_is_reported_but_printed(fake_printer: FakePrinter) -> None:
    fake_printer.paper = 0x1E
    state = network_sink(fake_printer.port).print_ticket(layout_ticket(sample(), 80), "x")
    assert state.paper_low and RASTER in fake_printer.received


@pytest.mark.parametrize(("paper", "cover", "reason"), [(0x72, 0x12, "paper_out"), (0x12, 0x16, "cover_open")])
def test_paper_out_or_cover_open_stops_before_printing(fake_printer: FakePrinter, paper: int, cover: int,
                                                       reason: str) -> None:
    fake_printer.paper, fake_printer.cover = paper, cover
    with pytest.raises(PrinterFault) as caught:
        network_sink(fake_printer.port).print_ticket(layout_ticket(sample(), 80), "x")
    assert caught.value.reason == reason
    assert RASTER not in fake_printer.received  # not a single line wasted


def test_printer_going_away_mid_job_is_a_fault(fake_printer: FakePrinter) -> None:
    fake_printer.vanish_after = 20_000
    with pytest.raises(PrinterFault) as caught:
        network_sink(fake_printer.port).print_ticket(layout_ticket(sample(), 80), "x")
    assert caught.value.reason == "offline"
    assert RASTER in fake_printer.received and CUT not in fake_printer.received[-64:]


def test_no_printer_at_the_address_is_offline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free again once closed: nothing listens there
    sink = network_sink(port)
    with pytest.raises(PrinterFault) as caught:
        sink.print_ticket(layout_ticket(sample(), 80), "x")
    assert caught.value.reason == "offline"
    assert sink.check().fault == "offline"


def test_a_printer_that_never_answers_status_still_prints(fake_printer: FakePrinter) -> None:
    fake_printer.silent = True
    state = network_sink(fake_printer.port).print_ticket(layout_ticket(sample(), 80), "x")
    assert not state.known and RASTER in fake_printer.received


@pytest.mark.parametrize(("kind", "target", "hint"), [
    ("escpos-network", "printer:abc", "192.168.1.50:9100"),
    ("escpos-usb", "lpt1", "0x0416:0x5011"),
    ("escpos-serial", "/dev/ttyUSB0@fast", "/dev/ttyUSB0@115200"),
    ("system", "", "Qt print support"),
])
def test_wrong_targets_say_what_to_write(kind: str, target: str, hint: str) -> None:
    with pytest.raises(PrinterConfigError, match=hint.replace(".", r"\.")):
        open_sink(kind, target, data_dir=Path("."), timeout=3)


# -- file sink ---------------------------------------------------------------------------------

def test_file_sink_writes_pdf_per_ticket_and_png_when_asked(tmp_path: Path) -> None:
    folder = FileSink(tmp_path / "tickets")
    folder.print_ticket(layout_ticket(sample(), 80), "20261123-094100-A-012")
    written = tmp_path / "tickets" / "20261123-094100-A-012.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    png = FileSink(tmp_path / "test.png")
    png.print_ticket(layout_ticket(sample(), 58), "ignored")
    assert (tmp_path / "test.png").read_bytes().startswith(b"\x89PNG")
    assert not list(tmp_path.glob("*.part"))


def test_file_sink_on_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("not a folder")
    sink = FileSink(tmp_path / "blocked" / "tickets")
    assert sink.check().fault == "error"
    with pytest.raises(PrinterFault) as caught:
        sink.print_ticket(layout_ticket(sample(), 80), "x")
    assert caught.value.reason == "error" and "blocked" in caught.value.detail


# -- the print service ---------------------------------------------------------------------------

def service_config(data_dir: Path, kind: str, target: str) -> Config:
    return Config(device=DeviceSection(data_dir=str(data_dir)),
                  printer=PrinterSection(kind=kind, target=target, timeout_seconds=3))  # type: ignore[arg-type]


def test_fault_is_logged_and_kept_for_diagnostics_then_cleared(tmp_path: Path, fake_printer: FakePrinter,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    fake_printer.paper = 0x72
    service = PrintService.from_config(service_config(tmp_path, "escpos-network", f"127.0.0.1:{fake_printer.port}"))
    with caplog.at_level(logging.INFO):
        outcome = service.print_content(sample())
    assert not outcome.ok and outcome.reason == "paper_out"
    fault = [r for r in caplog.records if getattr(r, "event", "") == "printer_fault"]
    assert fault and fault[0].levelno == logging.WARNING and "A-012" in fault[0].getMessage()
    status = read_printer_status(tmp_path)
    assert status is not None and status["needs_attention"] and status["reason"] == "paper_out"

    fake_printer.paper = 0x12  # staff put in a new roll and reprint the same ticket
    again = service.reprint_recent(1)
    assert [o.ok for o in again] == [True] and again[0].number == "A-012"
    assert read_printer_status(tmp_path)["needs_attention"] is False  # type: ignore[index]
    assert [c.number for c in service.recent_tickets(5)] == ["A-012"]  # a reprint is not a new ticket


def test_recent_tickets_are_todays_newest_first_and_bounded(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 23, 3, 0, tzinfo=UTC)]
    service = PrintService(service_config(tmp_path, "file", str(tmp_path / "out")),
                           FileSink(tmp_path / "out"), tmp_path, clock=lambda: now[0])
    from dataclasses import replace

    yesterday = replace(sample("Z-999", "old"), issued_at=now[0] - timedelta(days=1))
    service.print_content(yesterday)
    for i in range(40):
        service.print_content(replace(sample(f"A-{i:03d}", f"id-{i}"), issued_at=now[0]))
    service.print_content(replace(sample("A-039", "id-39"), issued_at=now[0]))  # same ticket again: one entry
    recent = service.recent_tickets(3)
    assert [c.number for c in recent] == ["A-039", "A-038", "A-037"]
    assert "Z-999" not in [c.number for c in service.recent_tickets(100)]
    stored = json.loads((tmp_path / "printed-tickets.json").read_text(encoding="utf-8"))
    assert len(stored) == 30 and not any("nik" in key for row in stored for key in row)
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 41


def test_no_printer_configured_means_disabled(tmp_path: Path) -> None:
    service = PrintService.from_config(service_config(tmp_path, "none", ""))
    assert not service.enabled
    assert service.print_content(sample()).ok is False


def test_unusable_target_turns_printing_off_with_a_reason(tmp_path: Path,
                                                          allow_log_errors: list[logging.LogRecord]) -> None:
    service = PrintService.from_config(service_config(tmp_path, "escpos-usb", "not-ids"))
    assert not service.enabled
    assert "0x0416:0x5011" in allow_log_errors[0].getMessage()
    assert read_printer_status(tmp_path)["needs_attention"]  # type: ignore[index]
