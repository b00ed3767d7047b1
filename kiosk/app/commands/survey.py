"""``kiosk survey ikm --csv FILE``: the IKM of survey sheets collected on paper, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.survey.paper import PaperSheetError, read_sheet, sheet_report

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def survey_ikm(path: Path) -> int:
    """Print the IKM JSON; on a bad sheet print every problem (line, column) and exit 2."""
    try:
        sheet = read_sheet(path)
    except PaperSheetError as exc:
        print(f"The survey sheet cannot be used; fix these cells and run again:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(sheet_report(sheet, str(path)), indent=2, ensure_ascii=False))
    return EXIT_OK
