"""``kiosk survey ikm --csv FILE``: the IKM of survey sheets collected on paper, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.app.commands.common import EXIT_BAD_INPUT, EXIT_OK, Commands, site_config
from kiosk.survey.paper import PaperSheetError, read_sheet, sheet_report


def register(commands: Commands) -> None:
    survey = commands.add_parser("survey", help="satisfaction survey (SKM/IKM) tools")
    survey_sub = survey.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    ikm = survey_sub.add_parser("ikm", help="IKM of paper survey sheets (CSV: U1..U9, optional demographics)")
    ikm.add_argument("--csv", type=Path, required=True, help="one row per respondent, header row first")
    ikm.set_defaults(handler=_handle_ikm)


def _handle_ikm(args: argparse.Namespace) -> int:
    site_config(args)  # a broken configuration is reported here too, as by every command
    return survey_ikm(args.csv)


def survey_ikm(path: Path) -> int:
    """Print the IKM JSON; on a bad sheet print every problem (line, column) and exit 2."""
    try:
        sheet = read_sheet(path)
    except PaperSheetError as exc:
        print(f"The survey sheet cannot be used; fix these cells and run again:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(sheet_report(sheet, str(path)), indent=2, ensure_ascii=False))
    return EXIT_OK
