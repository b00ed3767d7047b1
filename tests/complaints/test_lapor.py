"""The SP4N-LAPOR! export: only what the citizen agreed to share, the clocks, formulas defused."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from complaint_samples import complaint

from kiosk.complaints.clocks import WorkingCalendar
from kiosk.complaints.lapor import COLUMNS, ExportSelection, lapor_row, lapor_rows, to_csv, to_json

TZ = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar(tz=TZ)
NOW = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)


def row(**fields: object) -> dict[str, object]:
    return lapor_row(complaint(**fields), calendar=CALENDAR, now=NOW, tz=TZ)


def test_contact_goes_only_with_the_citizens_consent() -> None:
    shared = row(share_contact=True)
    assert (shared["contact_phone"], shared["contact_email"], shared["contact_shared"]) == \
        ("+6281234567890", "warga@contoh.id", True)
    kept = row(share_contact=False)
    assert (kept["contact_phone"], kept["contact_email"], kept["contact_shared"]) == ("", "", False)
    anonymous = row(contact=None, share_contact=True)  # an inconsistent record: still nothing
    assert (anonymous["contact_phone"], anonymous["contact_email"], anonymous["anonymous"]) == ("", "", True)


def test_never_the_clerk_the_officers_the_ticket_or_the_internal_id() -> None:
    record = complaint(filed_by="clerk-rina-77", events=[
        {"at": "2026-11-03T02:00:00+00:00", "action": "respond", "text": "internal note", "officer": "officer-budi-9"}],
        first_response_at="2026-11-03T02:00:00+00:00", state="responded", ticket_number="B-321")
    text = json.dumps(lapor_row(record, calendar=CALENDAR, now=NOW, tz=TZ))
    for secret in ("clerk-rina-77", "officer-budi-9", "internal note", "B-321", record.id):
        assert secret not in text
    assert set(lapor_row(record, calendar=CALENDAR, now=NOW, tz=TZ)) == set(COLUMNS)


def test_due_dates_and_overdue_flags_come_from_the_clocks() -> None:
    # filed Monday 2 November 2026 (09:00 WIB): first response due Thursday 5 November, 23:59:59 WIB
    late = row()  # no response on 10 November: overdue
    assert late["first_response_due"] == "2026-11-05T23:59:59+07:00"
    assert late["first_response_overdue"] is True
    assert late["resolution_due"] == "2027-01-01T23:59:59+07:00"
    assert late["resolution_overdue"] is False
    on_time = row(first_response_at="2026-11-04T02:00:00+00:00", state="responded")
    assert on_time["first_response_overdue"] is False
    assert on_time["first_response_at"] == "2026-11-04T09:00:00+07:00"


def test_selection_by_day_and_referrals_oldest_first() -> None:
    records = [complaint(1, filed_at="2026-11-05T01:00:00+00:00", forwarded_to="DUKCAPIL", state="forwarded"),
               complaint(2, filed_at="2026-10-31T17:30:00+00:00"),  # 1 November 00:30 WIB
               complaint(3, filed_at="2026-10-31T16:00:00+00:00", outcome="referred", state="closed",
                         closed_at="2026-11-01T00:00:00+00:00"),  # 31 October 23:00 WIB
               complaint(4, filed_at="2026-11-03T01:00:00+00:00")]
    since = ExportSelection(since=date(2026, 11, 1))
    assert [r["reference"] for r in lapor_rows(records, since, calendar=CALENDAR, now=NOW, tz=TZ)] == \
        ["ADU-AAAA-0002", "ADU-AAAA-0004", "ADU-AAAA-0001"]
    referrals = ExportSelection(referrals_only=True)
    assert [r["reference"] for r in lapor_rows(records, referrals, calendar=CALENDAR, now=NOW, tz=TZ)] == \
        ["ADU-AAAA-0003", "ADU-AAAA-0001"]


def test_csv_has_the_header_and_defuses_formulas() -> None:
    rows = [row(text="=HYPERLINK(\"http://x\")"), row(text="Antrean lama, petugas ramah.")]
    text = to_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == COLUMNS
    assert parsed[1][COLUMNS.index("text")] == "'=HYPERLINK(\"http://x\")"
    assert parsed[2][COLUMNS.index("text")] == "Antrean lama, petugas ramah."
    assert parsed[1][COLUMNS.index("first_response_overdue")] == "true"


def test_json_document_names_its_format_and_keeps_values() -> None:
    rows = [row(text="=1+1")]
    document = json.loads(to_json(rows, mpp_code="MPP-JKT", generated_at=NOW,
                                  selection=ExportSelection(since=date(2026, 11, 1))))
    assert document["format"] == "mpp-kiosk/sp4n-lapor-referral" and document["version"] == 1
    assert document["count"] == 1 and document["since"] == "2026-11-01"
    assert document["complaints"][0]["text"] == "=1+1"
    assert document["complaints"][0]["first_response_overdue"] is True
