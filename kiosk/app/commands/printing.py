"""``kiosk print-test``: regional IT's test print on the configured printer, or into a file.

The OS-spooler sink needs Qt, so the command hands it in (``system_sink``, imported only when
printing) rather than :mod:`kiosk.printing` importing the UI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.app.commands.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, Commands, site_config
from kiosk.config.schema import Config
from kiosk.printing.service import PrintService
from kiosk.printing.sinks import FileSink, PrinterConfigError, PrinterFault, PrinterSink, open_sink
from kiosk.printing.status import status_url, status_url_template
from kiosk.printing.ticket import layout_ticket, sample_content


def register(commands: Commands) -> None:
    test = commands.add_parser("print-test", help="print a sample ticket on the configured printer, or into a file")
    test.add_argument("--out", type=Path, help="write the sample ticket to FILE.pdf or FILE.png instead")
    test.add_argument("--lang", choices=("id", "en"), default=None, help="ticket language (default: [device] language)")
    test.add_argument("--width", type=int, choices=(80, 58), default=None,
                      help="paper width in mm (default: [printer] paper_width_mm)")
    test.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from kiosk.ui.qt.printing import system_sink  # Qt only for [printer] kind = "system"

    return run_print_test(site_config(args), args, system_sink=system_sink)


def run_print_test(config: Config, args: argparse.Namespace,
                   system_sink: Callable[[str], PrinterSink] | None = None) -> int:
    lang = args.lang or config.device.language
    template = status_url_template(config.printer.status_url_template, config.queue.host_url)
    content = sample_content(config.site.name, status_url(template, "print-test"), lang, tz=config.site.timezone,
                             device_id=config.device.id)
    if args.width:
        import dataclasses

        config = dataclasses.replace(config, printer=dataclasses.replace(config.printer, paper_width_mm=args.width))
    sink: PrinterSink | None
    if args.out is not None:
        if args.out.suffix.lower() not in (".pdf", ".png"):
            print(f"--out {args.out}: the file name must end in .pdf or .png", file=sys.stderr)
            return EXIT_CONFIG
        sink = FileSink(args.out)
    else:
        try:
            sink = open_sink(config.printer.kind, config.printer.target, data_dir=config.data_dir,
                             timeout=float(config.printer.timeout_seconds), system_sink=system_sink)
        except PrinterConfigError as exc:
            print(f"Printer setting error: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        if sink is None:
            print("No ticket printer is configured ([printer] kind = \"none\"). Set [printer] kind and target "
                  "(see docs/printing.md), or write a sample with: kiosk print-test --out ticket.pdf", file=sys.stderr)
            return EXIT_FAILED
    state = sink.check() if args.out is None else None
    if state is None:
        pass
    elif state.known and state.fault is None:
        print(f"{sink.description}: ready{' (paper running low)' if state.paper_low else ''}")
    elif not state.known:
        print(f"{sink.description}: does not report paper or cover status; printing anyway")
    if args.out is not None:  # a file: no printer state to keep
        try:
            sink.print_ticket(layout_ticket(content, config.printer.paper_width_mm), "print-test")
        except PrinterFault as fault:
            print(f"Test print FAILED: {fault.detail}", file=sys.stderr)
            return EXIT_FAILED
        print(f"test ticket {content.number} ({config.printer.paper_width_mm} mm, {lang}) written to {args.out}")
        return EXIT_OK
    # A good test print also clears "printer needs attention"; it is not a ticket to list for reprints.
    outcome = PrintService(config, sink).print_content(content, reprint=True)
    if outcome.ok:
        print(f"test ticket {content.number} ({config.printer.paper_width_mm} mm, {lang}) printed on "
              f"{sink.description}")
        return EXIT_OK
    print(f"Test print FAILED on {sink.description}: {outcome.reason}: {outcome.detail}", file=sys.stderr)
    return EXIT_FAILED
