"""Filing: one sealed outbox row per complaint, a receipt, and nothing half-written when saving fails."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.complaints.filing import (
    COMPLAINT_KIND,
    ComplaintFiling,
    ComplaintInvalid,
    ComplaintNotSaved,
    canonical_reference,
    new_reference,
)
from kiosk.complaints.model import Category, NewComplaint
from kiosk.sync.outbox import ApplicationStore

TEMPLATE = "https://central.example/complaints/{reference}/{token}"
NOW = datetime(2026, 12, 7, 3, 15, 42, 123456, tzinfo=UTC)
TEXT = "Petugas meminta uang tambahan di loket 3 tanpa kuitansi."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "kiosk")
    yield opened
    opened.close()


def filing_for(outbox: Any) -> ComplaintFiling:
    return ComplaintFiling(outbox, mpp_code="MPP-DEMO", status_url_template=TEMPLATE, clock=lambda: NOW)


def test_filing_saves_one_sealed_record_and_gives_a_receipt(store: ApplicationStore) -> None:
    receipt = filing_for(store).file(NewComplaint(Category.FEES, TEXT, phone="0812 3456 7890", share_contact=True,
                                                  service_code="KTP", ticket_number="a-012"))
    assert canonical_reference(receipt.reference) == receipt.reference
    assert receipt.filed_at == NOW.replace(microsecond=0)
    prefix = f"https://central.example/complaints/{receipt.reference}/"
    assert receipt.status_url.startswith(prefix) and len(receipt.status_url) == len(prefix) + 22
    [item] = store.items(kind=COMPLAINT_KIND)
    assert item.ref_id == receipt.id and item.state == "pending"
    payload = store.record_payload(item)
    assert payload["text"] == TEXT and payload["contact"] == {"phone": "+6281234567890", "email": None}
    assert payload["ticket_number"] == "A-012" and payload["share_contact"] is True
    assert payload["status_token"] == receipt.status_url.rsplit("/", 1)[1]
    assert payload["filed_at"] == "2026-12-07T03:15:42+00:00" and payload["mpp_code"] == "MPP-DEMO"
    raw = store.path.read_bytes() + (store.path.parent / (store.path.name + "-wal")).read_bytes()
    assert TEXT.encode() not in raw and b"6281234567890" not in raw  # sealed at rest


def test_anonymous_complaint_has_no_contact(store: ApplicationStore) -> None:
    receipt = filing_for(store).file(NewComplaint(Category.FACILITIES, "Toilet lantai 2 rusak", anonymous=True))
    [item] = store.items(kind=COMPLAINT_KIND)
    payload = store.record_payload(item)
    assert item.ref_id == receipt.id and payload["contact"] is None and payload["share_contact"] is False


def test_invalid_complaint_is_not_saved(store: ApplicationStore) -> None:
    with pytest.raises(ComplaintInvalid) as caught:
        filing_for(store).file(NewComplaint(Category.FEES, "😡😡😡", phone="12345"))
    assert [p.field for p in caught.value.problems] == ["text", "phone"]
    assert store.counts(COMPLAINT_KIND)["pending"] == 0


def test_a_full_database_saves_nothing_and_says_so(store: ApplicationStore,
                                                  allow_log_errors: list[logging.LogRecord]) -> None:
    """A real SQLITE_FULL: the page limit set to what the file holds, then complaints until one fails."""
    with store.db.reading() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 2}")
    complaint = NewComplaint(Category.OTHER, "Kursi tunggu kurang. " * 90, email="warga@contoh.id")
    filed = []
    with pytest.raises(ComplaintNotSaved):
        for _ in range(100):
            filed.append(filing_for(store).file(complaint).id)
    assert sorted(i.ref_id for i in store.items(kind=COMPLAINT_KIND)) == sorted(filed)  # nothing half-written
    logged = " ".join(r.getMessage() for r in allow_log_errors)
    assert "could not be saved" in logged and "Kursi" not in logged and "warga" not in logged
    with store.db.reading() as conn:
        conn.execute("PRAGMA max_page_count=1073741823")  # space freed: the retry files it once
    receipt = filing_for(store).file(complaint)
    assert sorted(i.ref_id for i in store.items(kind=COMPLAINT_KIND)) == sorted([*filed, receipt.id])


class BrokenOutbox:
    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool:
        raise sqlite3.OperationalError("disk I/O error")


def test_a_broken_store_is_complaint_not_saved(allow_log_errors: list[logging.LogRecord]) -> None:
    with pytest.raises(ComplaintNotSaved):
        filing_for(BrokenOutbox()).file(NewComplaint(Category.OTHER, "Antrean lama", anonymous=True))


def test_references_are_random_crockford_and_typeable() -> None:
    seen = {new_reference() for _ in range(2000)}
    assert len(seen) == 2000
    assert all(len(r) == 13 and r.startswith("ADU-") and not set(r[4:]) & set("ILOU") for r in seen)
    assert new_reference(lambda bits: (1 << bits) - 1) == "ADU-ZZZZ-ZZZZ"
    assert canonical_reference(" adu 7kq2-m9xd ") == "ADU-7KQ2-M9XD"
    assert canonical_reference("7KQ2M9XD") == "ADU-7KQ2-M9XD"
    assert canonical_reference("ADU-7KQ2-M9X") is None
    assert canonical_reference("ADU-7KQ2-M9XU") is None
