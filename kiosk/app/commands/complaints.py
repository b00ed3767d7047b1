"""``kiosk complaints export``: the SP4N-LAPOR! referral file (CSV or JSON) from the central API's complaints.

The fields and what is left out (no contact without the citizen's consent, never a clerk's or
officer's id) are in ``docs/complaints.md``, "SP4N-LAPOR! export".
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from kiosk.app.commands.common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Commands, site_config
from kiosk.complaints.desk import DeskError, DeskNotEnrolled, DeskOffline
from kiosk.complaints.lapor import ExportSelection, lapor_rows, render
from kiosk.config.schema import Config
from kiosk.config.site_file import atomic_write


def register(commands: Commands) -> None:
    complaints = commands.add_parser("complaints", help="complaints (pengaduan): the SP4N-LAPOR! export")
    sub = complaints.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help="write the complaints to refer to SP4N-LAPOR! as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--since", type=_day, help="YYYY-MM-DD: only complaints filed on or after this local day")
    export.add_argument("--referrals-only", action="store_true",
                        help="only complaints forwarded to an agency or closed as referred to SP4N-LAPOR!")
    export.add_argument("--out", type=Path, required=True, help="the file to write (replaced whole, never half)")
    export.set_defaults(handler=_handle_export)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-01") from None


def _handle_export(args: argparse.Namespace) -> int:
    return export_complaints(site_config(args), args.format, ExportSelection(args.since, args.referrals_only), args.out)


def export_complaints(config: Config, fmt: str, selection: ExportSelection, out: Path,
                      now: datetime | None = None) -> int:
    """Fetch the MPP's complaints, write the export, print a JSON summary; exit 1 when the central API
    cannot be asked (nothing is written then: an empty file would read as "no complaints")."""
    from zoneinfo import ZoneInfo

    from kiosk.complaints.deadlines import complaint_calendar
    from kiosk.core import open_complaint_desk

    desk, _problem = open_complaint_desk(config)
    if desk is None:
        print("Cannot export: no central API is configured ([central] api_url); the complaints are kept there.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    tz = ZoneInfo(config.site.timezone)
    moment = now or datetime.now(UTC)
    try:
        records = desk.list("all")
    except DeskNotEnrolled:
        print("Cannot export: this device is not enrolled at the central API; run `kiosk sync enroll` first.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except DeskOffline as exc:
        print(f"Cannot export: the central API cannot be reached now ({exc}); nothing was written.", file=sys.stderr)
        return EXIT_FAILED
    except DeskError as exc:
        print(f"Cannot export: the central API refused ({exc}); nothing was written.", file=sys.stderr)
        return EXIT_FAILED
    finally:
        desk.close()
    rows = lapor_rows(records, selection, calendar=complaint_calendar(config), now=moment, tz=tz)
    text = render(rows, "json" if fmt == "json" else "csv", mpp_code=config.site.mpp_code,
                  generated_at=moment.astimezone(tz), selection=selection)
    try:
        atomic_write(out, text)
    except OSError as exc:
        print(f"Cannot write the export: {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps({"out": str(out), "format": fmt, "complaints": len(rows),
                      "since": selection.since.isoformat() if selection.since else None,
                      "referrals_only": selection.referrals_only}))
    return EXIT_OK
