"""The complaint receipt on paper: the reference, large, and the QR of its status page.

The slip reuses the ticket's layout pieces and painters (:mod:`kiosk.printing.ticket`), so it prints
on every sink the ticket does, in the same font and black only. It carries nothing personal: no
text of the complaint, no phone or e-mail (a slip left on the kiosk tells a stranger only that a
complaint exists). What the citizen needs later is on it: the reference to quote, the date, the
first-response rule (3 working days, PermenPANRB 62/2018) and the QR of the public status page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.i18n import Translator
from kiosk.printing.service import PrintOutcome, PrintService
from kiosk.printing.sinks import PrinterFault, ticket_file_name
from kiosk.printing.ticket import (
    BOLD,
    MM,
    NBSP,
    PRINTER_DPI,
    QrCode,
    TextLine,
    TicketLayout,
    _cap_height,
    _Flow,
    _width,
    empty_layout,
    qr_matrix,
)

_TZ_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@dataclass(frozen=True)
class ComplaintSlipContent:
    """What the slip says, in the citizen's language; built from the filing's receipt."""

    lang: str
    site_name: str
    reference: str     # "ADU-7KQ2-M9XD"
    category: str      # the category's name, already translated
    filed_at: datetime  # aware
    timezone: str
    status_url: str    # empty: no QR (no status page configured)
    device_id: str = ""

    def local_time(self) -> datetime:
        return self.filed_at.astimezone(ZoneInfo(self.timezone))


def layout_complaint_slip(content: ComplaintSlipContent, paper_width_mm: int = 80) -> TicketLayout:
    """Place the slip for one paper width (80 or 58 mm); its ``number_line`` is the reference."""
    layout = empty_layout(paper_width_mm)
    narrow, width = paper_width_mm == 58, layout.width
    t = Translator(content.lang)
    flow = _Flow(layout)
    body = 11 if narrow else 12
    flow.text(content.site_name, body, bold=True)
    flow.rule()
    flow.text(t("complaint_filing.slip.heading"), body + 1)
    size = min(30 if narrow else 40, width * 0.96 / _width(content.reference, BOLD, 1))
    flow.gap(2.5)
    flow.y += _cap_height(BOLD) * size
    layout.texts.append(TextLine(content.reference, BOLD, size, flow.y))
    object.__setattr__(layout, "number_line", layout.texts[-1])
    flow.gap(3)
    flow.text(content.category, body, bold=True)
    local = content.local_time()
    stamp = f"{local:%d/%m/%Y} {local:%H:%M}{NBSP}{_TZ_ABBREVIATIONS.get(content.timezone, '')}".strip()
    flow.text(stamp, body)
    flow.gap(1.5)
    flow.text(t("complaint_filing.slip.first_response"), body)
    flow.rule()
    if content.status_url:
        dots = PRINTER_DPI / 72
        matrix = qr_matrix(content.status_url)
        module = max(3, int((26 if narrow else 30) * MM * dots / len(matrix))) / dots
        side = module * len(matrix)
        flow.y += max(0.0, 4 * module - 2.2 * MM)  # the QR's quiet zone below the rule
        qr = QrCode(matrix, round((width - side) / 2 * dots) / dots, round(flow.y * dots) / dots, module)
        object.__setattr__(layout, "qr", qr)
        flow.y = qr.top + side + 4 * module
        flow.text(t("complaint_filing.slip.scan"), 10.5 if narrow else 11)
    else:
        flow.text(t("complaint_filing.slip.no_qr"), 10.5 if narrow else 11)
    flow.gap(1.5)
    flow.text(t("complaint_filing.slip.footer"), 9.5 if narrow else 10)
    if content.device_id:
        flow.text(content.device_id, 8)
    flow.gap(4)  # paper beyond the last line before the cut
    object.__setattr__(layout, "height", flow.y)
    return layout


def print_complaint_slip(service: PrintService, content: ComplaintSlipContent) -> PrintOutcome:
    """Print one slip on the kiosk's printer; never raises for printer trouble (the outcome says).

    Run it on the printer's own worker (``PrintController.runner``), which serialises the paper path
    with the tickets; the outcome is recorded as the printer's last state like a ticket's.
    """
    sink = service.sink
    if sink is None:
        return PrintOutcome(False, content.reference, "error", "no printer configured")
    layout = layout_complaint_slip(content, service.config.printer.paper_width_mm)
    try:
        state = sink.print_ticket(layout, ticket_file_name(content.reference, content.filed_at))
    except PrinterFault as fault:
        outcome = PrintOutcome(False, content.reference, fault.reason, fault.detail)
    except Exception as exc:  # a bug in a sink: the reference is on the screen anyway
        outcome = PrintOutcome(False, content.reference, "error", f"{type(exc).__name__}: {exc}")
    else:
        outcome = PrintOutcome(True, content.reference, paper_low=state.paper_low)
    service.record(outcome)
    return outcome
