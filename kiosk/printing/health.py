"""Is the ticket printer usable? For ``kiosk selftest`` and the diagnostics screen.

Asks the printer itself (where it answers) and reads what the last print job left in
``printer-status.json``, so a fault seen by a citizen an hour ago is still visible to IT.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kiosk.config.schema import Config
from kiosk.i18n.keyed import Keyed
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
    """``(level, detail, advice key)``: error = tickets cannot be printed now; warning = look soon.

    The detail is English for the log and ``selftest.json``; its :class:`~kiosk.i18n.keyed.Keyed`
    key (``admin.finding.paper.*``) is what the diagnostics screen shows, in its language."""
    kind = config.printer.kind
    if kind == "none":
        return "ok", Keyed("no ticket printer ([printer] kind = \"none\"): tickets are shown on screen with their "
                           "QR code", "admin.finding.paper.none"), ""
    printer = {"kind": Keyed(kind, f"setup.printer.kinds.{kind}"), "target": config.printer.target}
    try:
        sink = open_sink(kind, config.printer.target, data_dir=config.data_dir,
                         timeout=float(config.printer.timeout_seconds), system_sink=system_sink)
    except PrinterConfigError as exc:
        return "error", Keyed(str(exc), "admin.finding.paper.misconfigured", **printer), ADVICE_KEY
    assert sink is not None
    state = sink.check()
    if state.fault is not None:
        advice = _ADVICE.get(state.fault, "")
        return "error", Keyed(f"{sink.description}: {state.fault} ({state.detail}); {advice}",
                              "admin.finding.paper.fault", fault=_fault(state.fault), **printer), ADVICE_KEY
    last = read_printer_status(config.data_dir)
    if state.paper_low:
        return "warning", Keyed(f"{sink.description}: paper running low; have a new roll ready",
                                "admin.finding.paper.low", **printer), ADVICE_KEY
    if last and last.get("needs_attention"):
        reason = str(last.get("reason") or "error")
        return "warning", Keyed(f"{sink.description} answers now, but the last ticket ({last.get('ticket')}) failed at "
                                f"{last.get('at')}: {reason} ({last.get('detail')}); {_ADVICE.get(reason, '')}",
                                "admin.finding.paper.last_failed", ticket=str(last.get("ticket") or "-"),
                                at=str(last.get("at") or "-"), fault=_fault(reason), **printer), ADVICE_KEY
    told = "ready" if state.known else "reachable (it does not report paper or cover status)"
    return "ok", Keyed(f"{sink.description}: {told}",
                       "admin.finding.paper.ready" if state.known else "admin.finding.paper.reachable", **printer), ""


def _fault(reason: str) -> Keyed:
    """A fault reason (``paper_out``...) that the screen says in words (``admin.finding.fault.*``)."""
    return Keyed(reason, f"admin.finding.fault.{reason}" if reason in _ADVICE else "admin.finding.fault.error")
