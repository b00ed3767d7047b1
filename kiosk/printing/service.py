"""Printing issued tickets: what goes on the paper, what happens when it fails, and reprints.

The ticket is issued first and printed afterwards, so a printer fault never costs (or doubles) a
number: printing only reads an :class:`~kiosk.queue.models.IssuedTicket`. A retry or a staff
reprint prints the same stored :class:`TicketContent` again. The printer's last known state is
kept in ``<data dir>/printer-status.json`` (for the diagnostics screen and ``kiosk selftest``) and
every fault is logged as a ``printer_fault`` event. Plain Python, no Qt: the kiosk runs
:meth:`PrintService.print_content` on a background thread with a deadline (see
:mod:`kiosk.ui.qt.printing`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.printing.sinks import PrinterConfigError, PrinterFault, PrinterSink, open_sink, ticket_file_name
from kiosk.printing.status import status_url, status_url_template
from kiosk.printing.ticket import TicketContent, layout_ticket
from kiosk.queue.models import IssuedTicket, identity_checked_at_counter
from kiosk.utils.log import event

log = logging.getLogger(__name__)

STATUS_FILE = "printer-status.json"
RECENT_FILE = "printed-tickets.json"
RECENT_KEEP = 30


@dataclass(frozen=True)
class PrintOutcome:
    """How one print job ended; ``reason`` is a fault reason (see :data:`~kiosk.printing.sinks.FAULT_REASONS`)."""

    ok: bool
    number: str
    reason: str | None = None
    detail: str = ""
    paper_low: bool = False


def ticket_content(issued: IssuedTicket, catalog: Catalog | None, config: Config,
                   lang: str | None = None) -> TicketContent:
    """What the paper says about this ticket, in the citizen's language. No NIK, no name."""
    ticket = issued.ticket
    lang = lang or ticket.lang or config.device.language
    service_name, agency_name = ticket.service_code, ""
    counters: tuple[int, ...] = ()
    if catalog is not None:
        try:
            service = catalog.service(ticket.service_code)
        except KeyError:
            service = None
        if service is not None:
            service_name, counters = service.name.get(lang), tuple(service.counters)
            try:
                agency_name = catalog.agency(service.agency).short_name.get(lang)
            except KeyError:
                agency_name = service.agency
    template = status_url_template(config.printer.status_url_template, config.queue.host_url)
    return TicketContent(
        lang=lang, site_name=config.site.name, number=ticket.number, service_name=service_name,
        agency_name=agency_name, counters=counters, people_ahead=issued.people_ahead,
        wait_minutes=issued.estimated_wait_minutes, issued_at=ticket.issued_at, timezone=config.site.timezone,
        status_url=status_url(template, ticket.id), ticket_id=ticket.id, priority=ticket.priority is not None,
        verify_at_counter=identity_checked_at_counter(ticket.identity_status), device_id=config.device.id,
        identity_status=ticket.identity_status)


class PrintService:
    """Prints tickets on the configured sink, remembers the recent ones, reports the printer's state.

    Thread-safe: print jobs are serialised by a lock (one paper path), and the status and recent
    files are written whole through a rename so a crash never leaves half a file.
    """

    def __init__(self, config: Config, sink: PrinterSink | None, data_dir: Path | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.sink = sink
        self.data_dir = data_dir if data_dir is not None else config.data_dir
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config,
                    system_sink: Callable[[str], PrinterSink] | None = None) -> PrintService:
        """The service for ``[printer]``; a target that cannot work is logged and printing is off."""
        try:
            sink = open_sink(config.printer.kind, config.printer.target, data_dir=config.data_dir,
                             timeout=float(config.printer.timeout_seconds), system_sink=system_sink)
        except PrinterConfigError as exc:
            log.error("ticket printer unusable: %s", exc)
            service = cls(config, None)
            service._record(False, None, "error", str(exc))
            return service
        return cls(config, sink)

    @property
    def enabled(self) -> bool:
        return self.sink is not None

    # -- printing --------------------------------------------------------------------------
    def print_content(self, content: TicketContent, *, reprint: bool = False) -> PrintOutcome:
        """Print one ticket; never raises for printer trouble (the outcome says what happened)."""
        if self.sink is None:
            return PrintOutcome(False, content.number, "error", "no printer configured")
        if not reprint:
            self._remember(content)
        layout = layout_ticket(content, self.config.printer.paper_width_mm)
        with self._lock:
            try:
                state = self.sink.print_ticket(layout, ticket_file_name(content.number, content.issued_at))
            except PrinterFault as fault:
                outcome = PrintOutcome(False, content.number, fault.reason, fault.detail)
            except Exception as exc:  # a bug in a sink must not cost the citizen their number
                log.exception("printing ticket %s failed unexpectedly", content.number)
                outcome = PrintOutcome(False, content.number, "error", f"{type(exc).__name__}: {exc}")
            else:
                outcome = PrintOutcome(True, content.number, paper_low=state.paper_low)
        self.record(outcome, reprint=reprint)
        return outcome

    def record(self, outcome: PrintOutcome, *, reprint: bool = False) -> None:
        """Log the outcome and keep it as the printer's last known state."""
        what = "reprint" if reprint else "print"
        if outcome.ok:
            event(log, "ticket_printed", "ticket %s %sed on %s", outcome.number, what,
                  self.sink.description if self.sink else "-")
            self._record(True, outcome.number, "paper_low" if outcome.paper_low else None, "")
        else:
            event(log, "printer_fault", "printer needs attention (%s) while printing ticket %s: %s",
                  outcome.reason, outcome.number, outcome.detail, level=logging.WARNING)
            self._record(False, outcome.number, outcome.reason, outcome.detail)

    def timed_out(self, content: TicketContent, seconds: float) -> PrintOutcome:
        """The kiosk stopped waiting for the printer (the job may still finish later)."""
        outcome = PrintOutcome(False, content.number, "timeout", f"no answer within {seconds:.0f} s")
        self.record(outcome)
        return outcome

    # -- printer state for staff and diagnostics ----------------------------------------------
    @property
    def status_path(self) -> Path:
        return self.data_dir / STATUS_FILE

    def _record(self, ok: bool, number: str | None, reason: str | None, detail: str) -> None:
        status = {"ok": ok, "needs_attention": not ok, "reason": reason, "detail": detail,
                  "ticket": number, "kind": self.config.printer.kind,
                  "printer": self.sink.description if self.sink else "", "at": self._clock().isoformat()}
        _write_json(self.status_path, status)

    def last_status(self) -> dict[str, Any] | None:
        return read_printer_status(self.data_dir)

    # -- recent tickets, for reprints ---------------------------------------------------------
    @property
    def recent_path(self) -> Path:
        return self.data_dir / RECENT_FILE

    def _load_recent(self) -> list[TicketContent]:
        try:
            rows = json.loads(self.recent_path.read_text(encoding="utf-8"))
            return [TicketContent.from_json(row) for row in rows]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("list of recent tickets %s unreadable (%s); starting a new one", self.recent_path, exc)
            return []

    def _remember(self, content: TicketContent) -> None:
        with self._lock:
            recent = [c for c in self._load_recent() if c.ticket_id != content.ticket_id or not c.ticket_id]
            recent.append(content)
            _write_json(self.recent_path, [c.to_json() for c in recent[-RECENT_KEEP:]])

    def recent_tickets(self, n: int = 10) -> list[TicketContent]:
        """Today's last ``n`` tickets this kiosk printed (or tried to), newest first."""
        now = self._clock()
        recent = [c for c in self._load_recent() if _same_day(c, now)]
        return list(reversed(recent))[:max(0, n)]

    def reprint(self, content: TicketContent) -> PrintOutcome:
        """Print a stored ticket again: the same number and QR, nothing issued."""
        return self.print_content(content, reprint=True)

    def reprint_recent(self, n: int = 1) -> list[PrintOutcome]:
        """Reprint today's last ``n`` tickets, oldest first (the order they were handed out)."""
        return [self.reprint(content) for content in reversed(self.recent_tickets(n))]


def _same_day(content: TicketContent, now: datetime) -> bool:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(content.timezone)
    return content.issued_at.astimezone(tz).date() == now.astimezone(tz).date()


def _write_json(path: Path, data: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("cannot write %s (%s)", path, exc.strerror)


def read_printer_status(data_dir: Path) -> dict[str, Any] | None:
    """The printer's last known state (``printer-status.json``), for diagnostics; None if never used."""
    try:
        data = json.loads((data_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"ok": False, "needs_attention": True, "reason": "error", "detail": "status file unreadable"}
    return data if isinstance(data, dict) else None
