"""The report's complaint figures, fetched from the central API (which keeps the complaints).

``kiosk report`` asks the central API for this MPP's complaints and counts them with
:func:`kiosk.complaints.figures.complaint_figures`. When it cannot (no central API configured, this
machine not enrolled, the API unreachable or refusing) the report says so in words — never a row of
zeros, which would read as "no complaints".
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from kiosk.complaints.deadlines import complaint_calendar
from kiosk.complaints.desk import DeskError, DeskNotEnrolled, DeskOffline
from kiosk.complaints.figures import ComplaintFigures, FigureRow, complaint_figures
from kiosk.config.schema import Config
from kiosk.i18n import Translator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComplaintPart:
    """The figures, or why there are none: ``no_central``, ``not_enrolled``, ``unreachable``, ``refused``."""

    figures: ComplaintFigures | None
    unavailable: str = ""

    def to_json(self) -> dict[str, Any]:
        return self.figures.to_json() if self.figures is not None else {"unavailable": self.unavailable}


def fetch_complaint_part(config: Config, first_day: str, last_day: str, now: datetime | None = None) -> ComplaintPart:
    """The period's complaint figures from the central API; blocks for at most the client's timeout."""
    from kiosk.sync.central_client import CentralError
    from kiosk.sync.complaint_desk import desk_for_config

    try:
        desk, problem = desk_for_config(config)
    except CentralError as exc:  # a damaged credentials file
        log.warning("complaint figures unavailable: %s", exc)
        return ComplaintPart(None, "not_enrolled")
    if desk is None or problem:
        return ComplaintPart(None, problem or "no_central")
    try:
        records = desk.list("all")
    except DeskNotEnrolled:
        return ComplaintPart(None, "not_enrolled")
    except DeskOffline as exc:
        log.warning("complaint figures could not be fetched: %s", exc)
        return ComplaintPart(None, "unreachable")
    except DeskError as exc:
        log.warning("complaint figures refused by the central API: %s", exc)
        return ComplaintPart(None, "refused")
    finally:
        desk.close()
    figures = complaint_figures(records, date.fromisoformat(first_day), date.fromisoformat(last_day),
                                tz=ZoneInfo(config.site.timezone), calendar=complaint_calendar(config),
                                now=now or datetime.now(UTC))
    return ComplaintPart(figures)


HEADER = ("group", "key", "received", "responded_within_3_working_days", "resolved_within_60_days", "overdue",
          "open")


def write_complaints_csv(part: ComplaintPart, folder: Path) -> Path | None:
    """``complaints.csv`` (total, by category, by agency); none when the figures could not be fetched."""
    if part.figures is None:
        return None
    path = folder / "complaints.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for group, rows in (("total", [part.figures.total]), ("category", part.figures.by_category),
                            ("agency", part.figures.by_agency)):
            for row in rows:
                writer.writerow([group, row.key, row.received, row.responded_in_time, row.resolved_in_time,
                                 row.overdue, row.open])
    return path


def complaint_story(part: ComplaintPart | None, t: Translator, styles: dict[str, ParagraphStyle],
                    width: float) -> list[Any]:
    """The report's "Pengaduan" section: the heading, then the table or the sentence saying why not."""
    story: list[Any] = [Paragraph(t("complaint_report.title"), styles["h2"])]
    if part is None or part.figures is None:
        reason = part.unavailable if part is not None else "no_central"
        story.append(Paragraph(t(f"complaint_report.unavailable.{reason}"), styles["body"]))
        return story
    figures = part.figures
    story.append(Paragraph(t("complaint_report.note"), styles["note"]))
    header = [t(f"complaint_report.col.{c}") for c in ("name", "received", "responded", "resolved", "overdue",
                                                       "open")]
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", styles["head"]) for h in header]]

    def add(name: str, row: FigureRow) -> None:
        rows.append([Paragraph(_esc(name), styles["cell"]), str(row.received), str(row.responded_in_time),
                     str(row.resolved_in_time), str(row.overdue), str(row.open)])

    add(t("complaint_report.total"), figures.total)
    for row in figures.by_category:
        key = f"complaint_rules.category.{row.key}"
        add(t("complaint_report.category", name=t(key) if t.has(key) else row.key), row)
    for row in figures.by_agency:
        add(t("complaint_report.agency", name=row.key), row)
    first = width * 0.34
    table = Table(rows, colWidths=[first] + [(width - first) / 5] * 5, repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.8, "#0b4f9c"),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.25, "#cbd5e1"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(table)
    return story


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
