"""Is the ticket printer usable? For ``kiosk selftest`` and the diagnostics screen.

Asks the printer itself (where it answers) and reads what the last print job left in
``printer-status.json``, so a fault seen by a citizen an hour ago is still visible to IT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kiosk.config.schema import Config
from kiosk.printing.service import read_printer_status
from kiosk.printing.sinks import PrinterConfigError, PrinterSink, open_sink

Level = Literal["ok", "warning", "error"]
ADVICE_KEY = "admin.advice.printer"  # the admin area's advice text (kiosk/i18n/*/admin.toml)

_ADVICE = {
    "paper_out": "put in a new paper roll",
    "cover_open": "close the printer cover",
    "offline": "check the printer's power and cable (or network), then run kiosk print-test",
    "timeout": "the printer did not answer in time: check its cable or network, then run kiosk print-test",
    "error": "see the detail; run kiosk print-test after fixing it",
}


def printer_health(config: Config,
                   system_sink: Callable[[str], PrinterSink] | None = None) -> tuple[Level, str, str]:
    """``(level, detail, advice key)``: error = tickets cannot be printed now; warning = look soon."""
    kind = config.printer.kind
    if kind == "none":
        return "ok", "no ticket printer ([printer] kind = \"none\"): tickets are shown on screen with their QR code", ""
    try:
        sink = open_sink(kind, config.printer.target, data_dir=config.data_dir,
                         timeout=float(config.printer.timeout_seconds), system_sink=system_sink)
    except PrinterConfigError as exc:
        return "error", str(exc), ADVICE_KEY
    assert sink is not None
    state = sink.check()
    if state.fault is not None:
        advice = _ADVICE.get(state.fault, "")
        return "error", f"{sink.description}: {state.fault} ({state.detail}); {advice}", ADVICE_KEY
    last = read_printer_status(config.data_dir)
    if state.paper_low:
        return "warning", f"{sink.description}: paper running low; have a new roll ready", ADVICE_KEY
    if last and last.get("needs_attention"):
        reason = str(last.get("reason") or "error")
        return "warning", (f"{sink.description} answers now, but the last ticket ({last.get('ticket')}) failed at "
                           f"{last.get('at')}: {reason} ({last.get('detail')}); {_ADVICE.get(reason, '')}"), ADVICE_KEY
    told = "ready" if state.known else "reachable (it does not report paper or cover status)"
    return "ok", f"{sink.description}: {told}", ""
