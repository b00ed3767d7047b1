"""The SP4N-LAPOR! referral export: one row per complaint, as CSV or JSON (``docs/complaints.md``).

SP4N-LAPOR! (the national complaints system, Perpres 76/2013) takes referrals from a unit's officer;
this file is what the officer uploads or copies from. It carries only what the citizen agreed may
leave the MPP:

* the contact (phone, e-mail) only when the citizen ticked the sharing consent (``share_contact``);
  an anonymous complaint never has one;
* never who typed it at a counter (``filed_by``), never the officers' ids or their internal notes
  (the events), never the ticket number (it leads back to the citizen's visit and the queue's data),
  never the central API's internal id (the reference is the public handle).

Every cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) is
written with a leading apostrophe in the CSV: a citizen's text must never run in the officer's
spreadsheet. The JSON keeps the values as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kiosk.complaints.deadlines import WorkingCalendar, clock_view
from kiosk.complaints.record import ComplaintRecord

ExportFormat = Literal["csv", "json"]
FORMAT_NAME = "mpp-kiosk/sp4n-lapor-referral"
FORMAT_VERSION = 1

#: The columns, in order (the CSV header; the JSON rows' keys). Documented field by field in docs/complaints.md.
COLUMNS: tuple[str, ...] = (
    "reference", "mpp_code", "filed_at", "category", "service_code", "text", "language", "channel",
    "state", "forwarded_to", "outcome", "first_response_due", "first_response_at", "first_response_overdue",
    "resolution_due", "closed_at", "resolution_overdue", "anonymous", "contact_shared", "contact_phone",
    "contact_email",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportSelection:
    """Which complaints go in: filed on or after ``since`` (local day); with ``referrals_only``
    only those forwarded to an agency or closed as referred to SP4N-LAPOR!."""

    since: date | None = None
    referrals_only: bool = False


def selected(records: Iterable[ComplaintRecord], selection: ExportSelection, tz: ZoneInfo) -> list[ComplaintRecord]:
    """The complaints of the export, oldest first (the officer works down the list)."""
    chosen = [r for r in records
              if (selection.since is None or r.filed_at.astimezone(tz).date() >= selection.since)
              and (not selection.referrals_only or r.forwarded_to or r.outcome == "referred")]
    return sorted(chosen, key=lambda r: (r.filed_at, r.reference))


def lapor_row(record: ComplaintRecord, *, calendar: WorkingCalendar, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """One complaint as the export writes it: consented data only (see the module's docstring)."""
    clocks = clock_view(record, calendar=calendar, now=now)
    shared = record.share_contact and not record.anonymous
    return {
        "reference": record.reference,
        "mpp_code": record.mpp_code,
        "filed_at": _local(record.filed_at, tz),
        "category": record.category,
        "service_code": record.service_code or "",
        "text": record.text,
        "language": record.language,
        "channel": record.channel,
        "state": record.state,
        "forwarded_to": record.forwarded_to or "",
        "outcome": record.outcome or "",
        "first_response_due": clocks.first_response_due.isoformat(),
        "first_response_at": _local(record.first_response_at, tz),
        "first_response_overdue": clocks.first_response_late,
        "resolution_due": clocks.resolution_due.isoformat(),
        "closed_at": _local(record.closed_at, tz),
        "resolution_overdue": clocks.resolution_late,
        "anonymous": record.anonymous,
        "contact_shared": bool(shared and (record.phone or record.email)),
        "contact_phone": (record.phone or "") if shared else "",
        "contact_email": (record.email or "") if shared else "",
    }


def lapor_rows(records: Iterable[ComplaintRecord], selection: ExportSelection, *, calendar: WorkingCalendar,
               now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [lapor_row(r, calendar=calendar, now=now, tz=tz) for r in selected(records, selection, tz)]


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """UTF-8 text, comma-separated, a header row, ``true``/``false`` for flags, formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return out.getvalue()


def to_json(rows: Sequence[dict[str, Any]], *, mpp_code: str, generated_at: datetime,
            selection: ExportSelection) -> str:
    document = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION, "mpp_code": mpp_code,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "since": selection.since.isoformat() if selection.since else None,
        "referrals_only": selection.referrals_only, "count": len(rows), "complaints": list(rows),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render(rows: Sequence[dict[str, Any]], fmt: ExportFormat, *, mpp_code: str, generated_at: datetime,
           selection: ExportSelection) -> str:
    if fmt == "csv":
        return to_csv(rows)
    return to_json(rows, mpp_code=mpp_code, generated_at=generated_at, selection=selection)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else ""


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
