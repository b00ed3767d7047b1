"""Scenes of the complaint officer's console: sign-in, the list with an overdue complaint, one complaint.

The console is handed a sample desk (made-up complaints in memory, never a real central API), as the
other scenes get a throw-away queue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QListWidget

from kiosk.complaints.deadlines import complaint_calendar
from kiosk.complaints.desk import ComplaintNotFound, ListState, OfficerAction
from kiosk.complaints.record import ComplaintRecord
from kiosk.config.schema import Config
from kiosk.core import ComplaintDeskParts
from kiosk.i18n import LANGUAGES
from kiosk.selftest.scene import save_shot, tap, tap_keys, wait_for, widget_named
from kiosk.staff.directory import StaffDirectory, StaffMember, hash_pin
from kiosk.ui.complaints.window import ComplaintConsole

SAMPLES: tuple[tuple[int, str, str, str, dict[str, Any] | None, bool], ...] = (
    # days ago, category, state, text, contact, share_contact
    (9, "fees", "received", "Di loket 3 saya diminta uang Rp 50.000 agar KTP cepat jadi. Katanya biaya tambahan.",
     {"phone": "+6281234567890", "email": None}, True),
    (2, "facilities", "responded", "Toilet di lantai 2 rusak sejak minggu lalu dan tidak ada tanda.", None, False),
    (1, "service_process", "received", "Antrean untuk paspor sangat lama, lebih dari 3 jam.",
     {"phone": None, "email": "warga@contoh.id"}, False),
    (20, "information", "closed", "Persyaratan akta kelahiran di papan informasi berbeda dengan di loket.", None,
     False),
)


class SampleDesk:
    """A :class:`~kiosk.complaints.desk.ComplaintDeskApi` over made-up complaints, for the pictures."""

    def __init__(self, now: datetime) -> None:
        self.records = [ComplaintRecord.from_json(_sample(i, now, *sample)) for i, sample in enumerate(SAMPLES, 1)]

    def list(self, state: ListState = "open") -> list[ComplaintRecord]:
        return [r for r in self.records if state == "all" or (state == "open") == r.is_open]

    def get(self, complaint_id: str) -> ComplaintRecord:
        for record in self.records:
            if record.id == complaint_id:
                return record
        raise ComplaintNotFound(complaint_id)

    def act(self, complaint_id: str, action: OfficerAction) -> ComplaintRecord:
        return self.get(complaint_id)

    def close(self) -> None:
        pass


def _sample(n: int, now: datetime, days_ago: int, category: str, state: str, text: str,
            contact: dict[str, Any] | None, share: bool) -> dict[str, Any]:
    filed = (now - timedelta(days=days_ago)).replace(microsecond=0)
    responded = (filed + timedelta(hours=20)).isoformat() if state != "received" else None
    closed = (filed + timedelta(days=5)).isoformat() if state == "closed" else None
    events = [{"at": responded, "action": "respond", "officer": "pengaduan-1",
               "text": "Terima kasih, kami periksa bersama kepala loket.", "agency": None, "outcome": None}] \
        if responded else []
    if closed:
        events.append({"at": closed, "action": "close", "officer": "pengaduan-1", "outcome": "resolved",
                       "text": "Papan informasi sudah diperbaiki.", "agency": None})
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "reference": f"ADU-7KQ2-M9X{n}", "mpp_code": "MPP-DEMO",
            "category": category, "service_code": "KTP-EL" if category == "fees" else None, "ticket_number": None,
            "text": text, "contact": contact, "anonymous": contact is None, "share_contact": share,
            "language": "id", "channel": "kiosk", "filed_by": None, "filed_at": filed.isoformat(),
            "received_at": filed.isoformat(), "state": state, "first_response_at": responded, "closed_at": closed,
            "outcome": "resolved" if closed else None, "forwarded_to": None, "events": events}


def _listed(console: ComplaintConsole) -> bool:
    return console.list_page.table.rowCount() > 0


def capture_complaints(config: Config, out: Path, shots: list[Path]) -> None:
    now = datetime.now(UTC)
    officers = StaffDirectory([StaffMember("pengaduan-1", "Dewi Lestari", hash_pin("1234"), ("complaint_officer",)),
                               StaffMember("pengaduan-2", "Agus Pratama", hash_pin("1234"), ("complaint_officer",))])
    for lang in LANGUAGES:
        parts = ComplaintDeskParts(SampleDesk(now), officers, complaint_calendar(config),
                                   ZoneInfo(config.site.timezone), config.site.mpp_code)
        console = ComplaintConsole(parts, language=lang, now=lambda: now)
        try:
            console.resize(1600, 900)
            console.show()
            widget_named(console, "staffList", QListWidget).setCurrentRow(0)
            tap_keys(console, "12")
            save_shot(console, out / f"complaints-{lang}-1-sign-in.png", shots)
            tap_keys(console, "34")
            tap(console, "signInButton")
            wait_for(partial(_listed, console))
            save_shot(console, out / f"complaints-{lang}-2-list.png", shots)
            console.open_complaint(console.list_page.shown[0].id)  # the oldest: overdue
            console.detail.editor.setPlainText("Terima kasih atas laporan Anda. Kami memeriksa loket 3 hari ini."
                                               if lang == "id" else "Thank you. We are checking counter 3 today.")
            save_shot(console, out / f"complaints-{lang}-3-detail.png", shots)
        finally:
            console.shutdown()
            console.deleteLater()
