"""Where a rendered ticket goes: one small interface, one class per kind of printer.

``[printer] kind`` picks the sink (:func:`open_sink`): ``file`` writes PDF/PNG files, ``escpos-*``
talks ESC/POS to a receipt printer over USB, the network or a serial line, and ``system`` hands a
PDF-like page to the operating system's spooler through Qt (built by the UI and passed in, because
this package never imports Qt).

ESC/POS tickets are sent as one raster image (``GS v 0``) of :func:`~kiosk.printing.ticket.render_image`,
not as the printer's own text and QR commands: the paper then looks exactly like the PDF and the
screen (logo, a 1.5 cm number, Indonesian text in one font), the QR prints on every model (native
``GS ( k`` QR is missing or buggy on many cheap printers), and the layout is tested once. The cost
is size: about 90 kB per 80 mm ticket (72 bytes a line × ~1,300 lines), which USB and the
network send in well under a second; a serial line needs 115200 baud (~8 s; at 9600 baud over a
minute, see ``docs/printing.md``).

Every failure becomes a :class:`PrinterFault` with a ``reason`` staff can act on.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from kiosk.printing.ticket import TicketLayout, render_image, render_pdf, render_png

log = logging.getLogger(__name__)

FaultReason = Literal["paper_out", "cover_open", "offline", "timeout", "error"]
FAULT_REASONS: tuple[str, ...] = ("paper_out", "cover_open", "offline", "timeout", "error")

# ESC/POS real-time status requests (DLE EOT n) and the bits Epson-compatible printers answer.
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"
_COVER_OPEN = 0x04
_PAPER_NEAR_END = 0x0C
_PAPER_END = 0x60
STATUS_WAIT_SECONDS = 1.5


class PrinterFault(Exception):
    """Printing did not happen (or may not have finished); ``reason`` says what staff should check."""

    def __init__(self, reason: FaultReason, detail: str) -> None:
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


@dataclass(frozen=True)
class PrinterState:
    """What the printer says about itself before a job; ``known`` is False when it cannot tell."""

    known: bool
    paper_low: bool = False
    fault: FaultReason | None = None
    detail: str = ""


class PrinterSink(Protocol):
    """Something that puts a ticket on paper (or in a file)."""

    description: str

    def check(self) -> PrinterState:
        """Ask the printer how it is, without printing; never raises."""
        ...

    def print_ticket(self, layout: TicketLayout, name: str) -> PrinterState:
        """Print one ticket; raises :class:`PrinterFault`. ``name`` is a file-safe label.

        Returns what the printer said before the job (e.g. paper running low)."""
        ...


class FileSink:
    """Writes each ticket as a PDF (or PNG) file: for kiosks without a printer, tests and demos.

    ``target`` is a folder (one file per ticket, named after the ticket) or a file path ending in
    ``.pdf``/``.png`` (overwritten each time: the test print).
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.description = f"file {target}"

    def _path_for(self, name: str) -> Path:
        if self.target.suffix.lower() in (".pdf", ".png"):
            return self.target
        return self.target / f"{name}.pdf"

    def check(self) -> PrinterState:
        folder = self.target.parent if self.target.suffix.lower() in (".pdf", ".png") else self.target
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return PrinterState(True, fault="error", detail=f"folder {folder} cannot be created ({exc.strerror})")
        return PrinterState(True)

    def print_ticket(self, layout: TicketLayout, name: str) -> PrinterState:
        path = self._path_for(name)
        data = render_png(layout) if path.suffix.lower() == ".png" else render_pdf(layout)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        except OSError as exc:
            raise PrinterFault("error", f"cannot write {path} ({exc.strerror})") from None
        return PrinterState(True)


class EscposSink:
    """An ESC/POS receipt printer through python-escpos; a fresh connection per job.

    ``connect`` returns an *opened* python-escpos printer object (``Usb``, ``Network``,
    ``Serial``, or ``Dummy`` in tests). Before each job the paper and cover are asked about where
    the printer answers (DLE EOT); after the job the printer is asked once more, so a printer that
    vanished mid-job is reported instead of counted as printed.
    """

    def __init__(self, connect: Callable[[], Any], description: str) -> None:
        self._connect = connect
        self.description = description

    def _open(self) -> Any:
        try:
            return self._connect()
        except PrinterFault:
            raise
        except TimeoutError as exc:
            raise PrinterFault("timeout", f"{self.description}: no answer ({exc})") from None
        except Exception as exc:  # escpos raises DeviceNotFoundError, USBNotFoundError, OSError...
            raise PrinterFault("offline", f"{self.description}: {exc}".strip()) from None

    @staticmethod
    def _query(printer: Any, request: bytes) -> int | None:
        """One status byte, or None when this printer (or its connection) does not answer.

        Printers that never answer status requests exist (and some network print servers); the
        question then costs at most ``STATUS_WAIT_SECONDS``, not the whole job timeout.
        """
        device = getattr(printer, "device", None)
        sock = device if isinstance(device, socket.socket) else None
        previous = sock.gettimeout() if sock is not None else None
        try:
            if sock is not None:
                sock.settimeout(min(previous or STATUS_WAIT_SECONDS, STATUS_WAIT_SECONDS))
            printer._raw(request)
            answer = printer._read()
        except NotImplementedError:
            return None
        except TimeoutError:
            return None
        except OSError as exc:
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                return None  # pyusb's USBTimeoutError
            raise
        finally:
            if sock is not None:
                try:
                    sock.settimeout(previous)
                except OSError:
                    pass
        if not answer:
            if sock is not None:
                raise ConnectionError("the printer closed the connection")
            return None  # a serial port read that timed out
        return int(answer[0])

    def _state(self, printer: Any) -> PrinterState:
        cause = self._query(printer, DLE_EOT_OFFLINE_CAUSE)
        if cause is None:  # a printer that does not answer one status request answers none: do not wait twice
            return PrinterState(False)
        paper = self._query(printer, DLE_EOT_PAPER)
        if paper is not None and paper & _PAPER_END == _PAPER_END:
            return PrinterState(True, fault="paper_out", detail="the paper roll is empty")
        if cause is not None and cause & _COVER_OPEN:
            return PrinterState(True, fault="cover_open", detail="the printer cover is open")
        return PrinterState(True, paper_low=paper is not None and paper & _PAPER_NEAR_END == _PAPER_NEAR_END)

    def check(self) -> PrinterState:
        try:
            printer = self._open()
        except PrinterFault as fault:
            return PrinterState(True, fault=fault.reason, detail=fault.detail)
        try:
            return self._state(printer)
        except OSError as exc:
            return PrinterState(True, fault="offline", detail=f"{self.description}: {exc}")
        finally:
            _close_quietly(printer)

    def print_ticket(self, layout: TicketLayout, name: str) -> PrinterState:
        image = render_image(layout)
        printer = self._open()
        try:
            state = self._state(printer)
            if state.fault is not None:
                raise PrinterFault(state.fault, state.detail)
            _set_media_width(printer, image.width)
            printer.hw("INIT")
            printer.image(image, impl="bitImageRaster", fragment_height=256)
            printer.cut()
            # A printer that went away mid-job fails here (only asked of printers that answer at all).
            after = self._state(printer) if state.known else state
            if after.fault == "paper_out":
                raise PrinterFault("paper_out", "the paper ran out during the ticket")
            return state
        except PrinterFault:
            raise
        except TimeoutError as exc:
            raise PrinterFault("timeout", f"{self.description}: stopped answering ({exc})") from None
        except OSError as exc:  # ConnectionError, BrokenPipeError, USB and serial I/O errors
            raise PrinterFault("offline", f"{self.description}: {exc}") from None
        except Exception as exc:
            raise PrinterFault("error", f"{self.description}: {type(exc).__name__}: {exc}") from None
        finally:
            _close_quietly(printer)


def _set_media_width(printer: Any, dots: int) -> None:
    """Tell python-escpos the head width (its generic profile has none and prints a notice per image)."""
    profile = getattr(printer, "profile", None)
    data = getattr(profile, "profile_data", None)
    if profile is not None and isinstance(data, dict) and isinstance(data.get("media"), dict):
        media = data["media"]
        profile.profile_data = {**data, "media": {**media, "width": {**media.get("width", {}), "pixels": dots}}}


def _close_quietly(printer: Any) -> None:
    try:
        printer.close()
    except Exception as exc:  # closing a dead connection: nothing left to do
        log.debug("closing the printer connection: %s", exc)


# -- choosing a sink from the configuration ------------------------------------------------------

class PrinterConfigError(ValueError):
    """``[printer] target`` does not fit ``[printer] kind``; the message says what to write."""


def _network(target: str, timeout: float) -> Callable[[], Any]:
    host, sep, port_text = target.rpartition(":")
    if not sep:
        host, port_text = target, "9100"
    if not host or not port_text.isdigit():
        raise PrinterConfigError(f"[printer] target {target!r}: write the printer's address as "
                                 '"192.168.1.50:9100" (port 9100 is the usual one)')

    def connect() -> Any:
        from escpos.printer import Network

        printer = Network(host.strip("[]"), int(port_text), timeout=timeout)
        # Connect here rather than with printer.open(): that one leaks the socket when the connection fails.
        printer.device = socket.create_connection((printer.host, printer.port), timeout=timeout)
        return printer
    return connect


def _usb(target: str, timeout: float) -> Callable[[], Any]:
    try:
        vendor_text, product_text = target.split(":")
        vendor, product = int(vendor_text, 16), int(product_text, 16)
    except ValueError:
        raise PrinterConfigError(f"[printer] target {target!r}: write the USB ids as \"0x0416:0x5011\" "
                                 "(lsusb shows them)") from None

    def connect() -> Any:
        try:
            import usb.core  # noqa: F401  (pyusb: python-escpos's optional USB backend)
        except ImportError:
            raise PrinterFault("error", "USB printing needs pyusb, which comes with the app: reinstall it "
                               "(scripts/setup.sh)") from None
        from escpos.printer import Usb

        printer = Usb(vendor, product, timeout=int(timeout * 1000))
        printer.open()
        return printer
    return connect


def _serial(target: str, timeout: float) -> Callable[[], Any]:
    port, _, baud_text = target.partition("@")
    if not port or (baud_text and not baud_text.isdigit()):
        raise PrinterConfigError(f"[printer] target {target!r}: write the port, optionally with its speed, "
                                 'e.g. "/dev/ttyUSB0@115200" or "COM3@9600"')

    def connect() -> Any:
        try:
            import serial  # noqa: F401  (pyserial: python-escpos's optional serial backend)
        except ImportError:
            raise PrinterFault("error", "serial printing needs pyserial, which comes with the app: reinstall it "
                               "(scripts/setup.sh)") from None
        from escpos.printer import Serial

        printer = Serial(port, baudrate=int(baud_text or 9600), timeout=timeout)
        printer.open()
        return printer
    return connect


def open_sink(kind: str, target: str, *, data_dir: Path, timeout: float,
              system_sink: Callable[[str], PrinterSink] | None = None) -> PrinterSink | None:
    """The sink for ``[printer] kind``/``target``; None for ``none`` (no paper at this kiosk)."""
    if kind == "none":
        return None
    if kind == "file":
        return FileSink(Path(target).expanduser() if target else data_dir / "tickets")
    if kind == "escpos-network":
        return EscposSink(_network(target, timeout), f"network printer {target}")
    if kind == "escpos-usb":
        return EscposSink(_usb(target, timeout), f"USB printer {target}")
    if kind == "escpos-serial":
        return EscposSink(_serial(target, timeout), f"serial printer {target}")
    if kind == "system":
        if system_sink is None:
            raise PrinterConfigError('[printer] kind "system" needs the Qt print support, which this '
                                     "command does not load")
        return system_sink(target)
    raise PrinterConfigError(f"[printer] kind {kind!r} is unknown")


def ticket_file_name(number: str, at: datetime) -> str:
    return f"{at:%Y%m%d-%H%M%S}-{''.join(c for c in number if c.isalnum() or c == '-')}"
